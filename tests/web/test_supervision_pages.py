"""Issue 16's actions in the web inbox: extension asked, granted and refused; delegation and recall; 签收.

Each goes through the engine (which decides who may) with the form's CSRF token, as the other
buttons do; a forged form for a unit the person does not act for is refused.
"""

from __future__ import annotations

import uuid

from conftest import act, sign_in
from web_support import CID, token

BUREAU, OFFICE, DISTRICT = "stats-bureau", "district-fpb", "district"
TASK = "bureau-plan"


def _post(client, task, action, unit, **fields):
    page = client.get(f"/c/{CID}/tasks/{task}")
    data = {"csrf": token(page.text), "action": action, "unit": unit, "key": f"{uuid.uuid4().hex}-{action}", **fields}
    return client.post(f"/c/{CID}/tasks/{task}/act", data=data)


def _ready(client):
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    act(client, "bureau-leading-group", "complete", BUREAU)


def test_an_extension_is_asked_for_then_granted_by_the_superior(make_client):
    client = make_client()
    _ready(client)
    page = client.get(f"/c/{CID}/tasks/{TASK}").text
    assert 'id="do-request-extension"' in page and "申请延期" in page
    assert 'id="do-grant-extension"' not in page  # nothing asked for yet
    r = _post(client, TASK, "request-extension", BUREAU, until="2016-10-10", reason="数据未齐")
    assert r.status_code == 200, r.text
    assert 'id="requested-due"' in r.text and "2016-10-10" in r.text.split('id="requested-due"')[1][:40]
    assert 'id="do-request-extension"' not in r.text  # one request at a time
    client.cookies.clear()
    sign_in(client, DISTRICT, "李明")
    page = client.get(f"/c/{CID}/tasks/{TASK}").text
    assert 'id="do-grant-extension"' in page and 'id="do-refuse-extension"' in page
    r = _post(client, TASK, "grant-extension", DISTRICT)
    assert r.status_code == 200, r.text
    assert 'id="requested-due"' not in r.text
    assert "2016-10-10" in r.text.split("截止时间")[1][:80]  # the deadline follows the grant
    history = r.text.split('id="history"')[1]
    assert "extension-requested" in history and "extended" in history and "数据未齐" in history


def test_an_extension_is_refused_with_its_reason(make_client):
    client = make_client()
    _ready(client)
    _post(client, TASK, "request-extension", BUREAU, until="2016-10-10", reason="数据未齐")
    client.cookies.clear()
    sign_in(client, DISTRICT, "李明")
    r = _post(client, TASK, "refuse-extension", DISTRICT, reason="")
    assert r.status_code == 409  # a refusal needs a reason: the engine says so
    r = _post(client, TASK, "refuse-extension", DISTRICT, reason="按期完成")
    assert r.status_code == 200, r.text
    assert 'id="requested-due"' not in r.text and "按期完成" in r.text.split('id="history"')[1]
    assert "2016-09-30" in r.text.split("截止时间")[1][:80]


def test_a_bad_date_is_a_bad_request(make_client):
    client = make_client()
    _ready(client)
    r = _post(client, TASK, "request-extension", BUREAU, until="10/10/2016", reason="x")
    assert r.status_code == 400 and "延期至" in r.text
    r = _post(client, TASK, "request-extension", BUREAU, reason="x")
    assert r.status_code == 400


def test_the_lead_delegates_and_recalls(make_client):
    client = make_client()
    _ready(client)
    page = client.get(f"/c/{CID}/tasks/{TASK}").text
    assert 'id="do-delegate"' in page and 'id="delegate-to"' in page and 'id="do-recall"' not in page
    r = _post(client, TASK, "delegate", BUREAU, to=OFFICE, reason="请协助")
    assert r.status_code == 200, r.text
    assert "区扶贫办" in r.text.split('id="delegate"')[1][:30]
    assert 'id="do-recall"' in r.text and 'id="do-delegate"' not in r.text
    r = _post(client, TASK, "delegate", BUREAU, to="nowhere")
    assert r.status_code == 400
    r = _post(client, TASK, "recall", BUREAU)
    assert r.status_code == 200 and 'id="delegate"' not in r.text and 'id="do-delegate"' in r.text


def test_the_recipient_signs_for_a_report_from_its_inbox(make_client, lanshan_as_written):
    client = make_client(lanshan_as_written)
    _ready(client)
    act(client, TASK, "start", BUREAU)
    act(client, TASK, "complete", BUREAU)
    assert 'id="do-receive"' not in client.get(f"/c/{CID}/tasks/{TASK}").text  # the sender does not sign
    client.cookies.clear()
    sign_in(client, OFFICE, "赵敏")
    inbox = client.get(f"/c/{CID}/inbox").text
    row = inbox.split(f'data-report="{TASK}"')[1].split("</tr>")[0]
    assert 'id="do-receive"' in row and "签收" in row
    form = row.split("<form")[1]
    fields = dict(part.split('" value="', 1) for part in form.split('name="')[1:])
    data = {k: v.split('"', 1)[0] for k, v in fields.items()}
    r = client.post(f"/c/{CID}/tasks/{TASK}/act", data=data)
    assert r.status_code == 200 and "我的待办" in r.text  # back to the inbox
    row = r.text.split(f'data-report="{TASK}"')[1].split("</tr>")[0]
    assert 'id="do-receive"' not in row and "已签收" in row
    # Signed for once: the same form again is refused by the engine.
    again = client.post(f"/c/{CID}/tasks/{TASK}/act", data={**data, "key": uuid.uuid4().hex})
    assert again.status_code == 409


def test_the_new_buttons_in_english(make_client):
    client = make_client()
    _ready(client)
    page = client.get(f"/c/{CID}/tasks/{TASK}?lang=en").text
    assert "Ask for an extension" in page and "Delegate" in page and "申请延期" not in page


# -- security ---------------------------------------------------------------------------------------

def test_a_forged_form_for_another_unit_is_refused(make_client):
    client = make_client()
    _ready(client)
    _post(client, TASK, "request-extension", BUREAU, until="2016-10-10", reason="数据未齐")
    # Signed in for the bureau, the form claims the district (the superior): the engine refuses it.
    r = _post(client, TASK, "grant-extension", DISTRICT)
    assert r.status_code == 403 and "requested-due" in r.text
    r = _post(client, TASK, "delegate", OFFICE, to=DISTRICT)  # the office does not lead the task
    assert r.status_code == 403
    client.cookies.clear()
    sign_in(client, OFFICE, "赵敏")  # not the lead, not a superior
    for action, fields in [("request-extension", {"until": "2016-10-20", "reason": "x"}),
                           ("refuse-extension", {"reason": "x"}), ("recall", {})]:
        r = _post(client, TASK, action, OFFICE, **fields)
        assert r.status_code in (403, 409), (action, r.status_code)
    # Without the CSRF token nothing is done.
    r = client.post(f"/c/{CID}/tasks/{TASK}/act", data={"action": "grant-extension", "unit": OFFICE})
    assert r.status_code == 403
    assert 'id="requested-due"' in client.get(f"/c/{CID}/tasks/{TASK}").text  # still awaiting a decision


def test_the_one_who_asked_does_not_decide(make_client):
    client = make_client()
    _ready(client)  # 王丽 of the bureau, which is also the plan's issuer (a superior of itself)
    _post(client, TASK, "request-extension", BUREAU, until="2016-10-10", reason="数据未齐")
    r = _post(client, TASK, "grant-extension", BUREAU)
    assert r.status_code == 403
