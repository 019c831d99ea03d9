"""Security: a forged form acting for another unit, CSRF, markup in plan text, ids with path characters."""

from __future__ import annotations

import html

import attrs
from conftest import act, sign_in
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_support import CID, SECRET, message, token

from campaignflow.web.auth import DemoLogin, sign, unsign

BUREAU, OFFICE = "stats-bureau", "district-fpb"


def _state(client, task):
    return client.get(f"/c/{CID}/tasks/{task}").text.split('id="state">')[1].split("<")[0]


def test_a_forged_form_acting_for_another_unit_is_refused_and_audited(make_client):
    client = make_client()
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    act(client, "bureau-leading-group", "complete", BUREAU)
    act(client, "bureau-plan", "start", BUREAU)
    act(client, "bureau-plan", "submit", BUREAU)
    # The bureau edits the form to approve its own plan as the district office.
    r = act(client, "bureau-plan", "approve", OFFICE)
    assert r.status_code == 403
    assert "操作被拒绝" in message(r.text)
    assert _state(client, "bureau-plan").strip() == "审批中"
    audit = client.get(f"/c/{CID}/audit?kind=refused").text.split('id="events"')[1]
    assert "bureau-plan" in audit and "王丽" in audit


def test_an_action_without_or_with_a_wrong_csrf_token_is_refused(make_client):
    client = make_client()
    sign_in(client, BUREAU)
    url = f"/c/{CID}/tasks/bureau-leading-group/act"
    for csrf in (None, "", "0" * 64):
        data = {"action": "start", "unit": BUREAU} | ({} if csrf is None else {"csrf": csrf})
        r = client.post(url, data=data)
        assert r.status_code == 403 and "表单已失效" in message(r.text)
    assert _state(client, "bureau-leading-group").strip() == "可开始"


def test_another_persons_token_does_not_work(make_client):
    office = make_client()
    sign_in(office, OFFICE, "赵敏")
    stolen = token(office.get(f"/c/{CID}/inbox").text)
    bureau = make_client()
    sign_in(bureau, BUREAU)
    r = bureau.post(f"/c/{CID}/tasks/bureau-leading-group/act",
                    data={"csrf": stolen, "action": "start", "unit": BUREAU})
    assert r.status_code == 403


def test_a_forged_login_cookie_is_ignored(make_client):
    client = make_client()
    login = DemoLogin({BUREAU: "区统计局"}, b"another secret")
    client.cookies.set(login.cookie, login.cookie_value("mallory", BUREAU))
    assert client.get(f"/c/{CID}/inbox", follow_redirects=False).status_code == 303


def test_script_in_a_task_title_is_shown_as_text(make_client, lanshan):
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    tasks = dict(lanshan.tasks)
    tasks["bureau-leading-group"] = attrs.evolve(tasks["bureau-leading-group"], title=evil)
    client = make_client(attrs.evolve(lanshan, tasks=tasks))
    sign_in(client, BUREAU)
    for page in ("inbox", "ledger", "overview", "tasks/bureau-leading-group"):
        text = client.get(f"/c/{CID}/{page}").text
        assert "<script>" not in text and "<img" not in text, page
        assert html.escape(evil, quote=False).replace("'", "&#39;") in text, page


def test_ids_with_path_characters_are_unknown_not_files(make_client):
    client = make_client()
    sign_in(client, BUREAU)
    for tid in ("..%2F..%2Fetc%2Fpasswd", "%2E%2E", "bureau-plan%00", "%3Cscript%3E"):
        r = client.get(f"/c/{CID}/tasks/{tid}")
        assert r.status_code == 404, tid
        assert "<script>" not in r.text
    assert client.get(f"/c/{CID}/tasks/../../../etc/passwd").status_code == 404
    r = client.post(f"/c/{CID}/tasks/..%2Fbureau-plan/act",
                    data={"csrf": token(client.get(f"/c/{CID}/inbox").text), "action": "start"})
    assert r.status_code == 404


def test_sign_in_does_not_redirect_off_site(make_client):
    client = make_client()
    page = client.get("/login?next=//evil.example/x")
    assert 'value="/"' in page.text and "evil.example" not in page.text.split('name="next"')[1][:40]
    r = client.post("/login", data={"csrf": token(page.text), "person": "a", "unit": BUREAU,
                                    "next": "https://evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_sign_in_needs_its_csrf_token(make_client):
    client = make_client()
    r = client.post("/login", data={"person": "a", "unit": BUREAU, "next": "/"}, follow_redirects=False)
    assert r.status_code == 403


@given(value=st.text(min_size=1), flip=st.integers(min_value=0))
def test_a_signed_value_comes_back_and_any_change_is_detected(value, flip):
    signed = sign(SECRET, value)
    assert unsign(SECRET, signed) == value
    i = flip % len(signed)
    changed = signed[:i] + ("0" if signed[i] != "0" else "1") + signed[i + 1:]
    assert unsign(SECRET, changed) != value or changed == signed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=st.text(alphabet=st.sampled_from("<>&\"'/=abc 扶贫 script"), min_size=1, max_size=40))
def test_any_title_renders_escaped(make_client, lanshan, title):
    tasks = dict(lanshan.tasks)
    tasks["bureau-leading-group"] = attrs.evolve(tasks["bureau-leading-group"], title=title)
    # A fresh store per example: a running campaign refuses a changed plan (issue 16, amend instead).
    import tempfile
    from pathlib import Path

    client = make_client(attrs.evolve(lanshan, tasks=tasks), db=Path(tempfile.mkdtemp()) / "web.db")
    sign_in(client, BUREAU)
    text = client.get(f"/c/{CID}/tasks/bureau-leading-group").text
    shown = text.split('id="title">')[1].split("</h1>")[0]
    assert html.unescape(shown) == title and "<" not in shown


def test_a_double_clicked_refusal_is_logged_once_with_its_count(make_client):
    client = make_client()
    sign_in(client, BUREAU)
    for _ in range(3):  # the plan may not start before its prerequisite: refused three times
        r = act(client, "bureau-plan", "start", BUREAU)
        assert r.status_code == 409 and "操作被拒绝" in message(r.text)
    act(client, "bureau-leading-group", "start", BUREAU)  # something else
    r = act(client, "bureau-plan", "complete", BUREAU)  # a different refusal: logged
    audit = client.get(f"/c/{CID}/audit?kind=refused").text.split('id="events"')[1]
    assert audit.count("<tr>") == 1 + 2 and audit.count("×3") == 1
