"""The pages, read through Starlette's TestClient: inbox, task, ledger (and xlsx), overview, audit; zh and en."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from conftest import act, sign_in
from web_support import CID, message

from campaignflow.runtime import Engine, SQLiteStore, TaskState

BUREAU, OFFICE = "stats-bureau", "district-fpb"


def test_signed_out_is_sent_to_sign_in(make_client):
    client = make_client()
    r = client.get(f"/c/{CID}/inbox", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_inbox_lists_what_the_unit_may_do_in_chinese_by_default(make_client, lanshan, clock):
    client = make_client()
    sign_in(client, BUREAU)
    r = client.get(f"/c/{CID}/inbox")
    assert r.status_code == 200
    assert "我的待办" in r.text and "区统计局" in r.text
    # Only the leading group is open to the bureau on 5 September; 19 working days to 30 September
    # (cn-workdays: 15-16 September are the Mid-Autumn holiday, 18 September is a working Sunday).
    assert 'data-task="bureau-leading-group"' in r.text
    assert 'data-task="bureau-plan"' not in r.text
    assert "<td>19</td>" in r.text


def test_english_on_request_and_remembered(make_client):
    client = make_client()
    sign_in(client, BUREAU)
    r = client.get(f"/c/{CID}/inbox?lang=en")
    assert "My inbox" in r.text and "我的待办" not in r.text
    assert "My inbox" in client.get(f"/c/{CID}/inbox").text  # the cookie keeps the choice


def test_overdue_first(make_client, clock):
    client = make_client()
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    act(client, "bureau-leading-group", "complete", BUREAU)
    clock.set(datetime(2016, 10, 8, 9))  # the bureau's plan (due 30 September 12:00) is late now
    rows = client.get(f"/c/{CID}/inbox").text.split('<tr class="')[1:]
    assert rows and rows[0].startswith("late")
    assert "bureau-plan" in rows[0] and "已逾期" in rows[0]


def test_task_page_shows_quote_owners_chain_and_history(make_client):
    client = make_client()
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    act(client, "bureau-leading-group", "complete", BUREAU)
    act(client, "bureau-plan", "start", BUREAU)
    r = act(client, "bureau-plan", "submit", BUREAU)
    assert r.status_code == 200 and "上报审批" in message(r.text)
    client.cookies.clear()
    sign_in(client, OFFICE, "赵敏")
    page = client.get(f"/c/{CID}/tasks/bureau-plan").text
    assert "研究制定本单位活动方案" in page  # the document's words
    assert "区扶贫办" in page and "审批中" in page and 'id="do-approve"' in page and 'id="do-reject"' in page
    r = act(client, "bureau-plan", "approve", OFFICE)
    assert "已办结" in r.text
    chain = r.text.split('id="chain"')[1].split("</table>")[0]
    assert "赵敏" in chain and "2016-09-05 09:00" in chain
    history = r.text.split('id="history"')[1]
    assert history.count("<tr>") == 1 + 3  # the header, then started, submitted, approved
    assert "approved" in history and "submitted" in history


def test_ledger_and_its_xlsx_hold_every_task_of_the_unit(make_client, lanshan, tmp_path, plugins, clock):
    openpyxl = pytest.importorskip("openpyxl")
    client = make_client()
    sign_in(client, BUREAU)
    page = client.get(f"/c/{CID}/ledger").text
    engine = Engine.open(lanshan, SQLiteStore(tmp_path / "web.db"), plugins=plugins, clock=clock)
    mine = engine.tasks(unit=BUREAU)
    assert page.count("data-task=") == len(mine) > 10
    r = client.get(f"/c/{CID}/ledger.xlsx?unit={BUREAU}")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "任务" and [row[0] for row in rows[1:]] == [v.title for v in mine]


def test_overview_counts_every_task_and_draws_a_bar_for_each(make_client, lanshan):
    client = make_client()
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    page = client.get(f"/c/{CID}/overview").text
    counts = page.split('id="counts"')[1].split("</table>")[0]
    numbers = {s.value: int(counts.split(f'data-state="{s.value}">')[1].split("<")[0]) for s in TaskState}
    assert sum(numbers.values()) == len(lanshan.tasks) and numbers["active"] == 1
    assert page.split('id="gantt"')[1].count('class="bar') == len(lanshan.tasks)


def test_audit_log_filters_and_reports_the_chain(make_client):
    client = make_client()
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    act(client, "bureau-plan", "start", BUREAU)  # refused: its prerequisite is not done
    page = client.get(f"/c/{CID}/audit").text
    assert "哈希链校验通过" in page
    refused = client.get(f"/c/{CID}/audit?kind=refused").text.split('id="events"')[1]
    assert refused.count("<tr>") == 2 and "bureau-plan" in refused
    started = client.get(f"/c/{CID}/audit?task=bureau-leading-group").text.split('id="events"')[1]
    assert "started" in started and "bureau-plan" not in started


def test_a_tampered_log_shows_on_the_audit_page(make_client, tmp_path):
    import sqlite3

    client = make_client()
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    db = sqlite3.connect(tmp_path / "web.db")
    tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
    table = next(t for t in tables if "event" in t)
    cols = [r[1] for r in db.execute(f"pragma table_info({table})")]
    body = next(c for c in cols if c in ("body", "json", "data"))
    db.execute(f"update {table} set {body} = replace({body}, 'stats-bureau', 'district-fpb') "
               f"where seq = (select max(seq) from {table})")
    db.commit()
    db.close()
    page = client.get(f"/c/{CID}/audit").text
    assert "哈希链校验失败" in page


def test_unknown_campaign_and_task_are_404(make_client):
    client = make_client()
    sign_in(client, BUREAU)
    assert client.get("/c/nope/inbox").status_code == 404
    assert client.get(f"/c/{CID}/tasks/nope").status_code == 404


def _submitted_plan(client):
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    act(client, "bureau-leading-group", "complete", BUREAU)
    act(client, "bureau-plan", "start", BUREAU)
    act(client, "bureau-plan", "submit", BUREAU)
    client.cookies.clear()
    sign_in(client, OFFICE, "赵敏")


def test_sending_back_needs_a_reason_and_shows_it(make_client):
    client = make_client()
    _submitted_plan(client)
    r = act(client, "bureau-plan", "reject", OFFICE, reason="  ")
    assert r.status_code in (400, 409) and message(r.text).startswith("操作被拒绝")
    r = act(client, "bureau-plan", "reject", OFFICE, reason="请补充<活动>安排")
    assert "已退回" in r.text and "请补充&lt;活动&gt;安排" in r.text
    client.cookies.clear()
    sign_in(client, BUREAU)
    inbox = client.get(f"/c/{CID}/inbox").text
    assert 'data-task="bureau-plan"' in inbox and "已退回" in inbox
    assert 'id="do-start"' in client.get(f"/c/{CID}/tasks/bureau-plan").text  # the bureau starts again


def test_a_person_of_several_units_picks_one(make_client, tmp_path, lanshan, plugins, clock):
    from starlette.testclient import TestClient

    from campaignflow.web import create_app, header_identity

    app = create_app([lanshan], SQLiteStore(tmp_path / "u.db"), identify=header_identity(), plugins=plugins,
                     clock=clock)
    client = TestClient(app)
    who = {"X-Remote-User": "li", "X-Remote-Units": f"{OFFICE},{BUREAU}"}
    first = client.get(f"/c/{CID}/inbox", headers=who).text
    assert "<select name=\"unit\">" in first and "区扶贫办" in first.split("<h1>")[1].split("</h1>")[0]
    second = client.get(f"/c/{CID}/inbox?unit={BUREAU}", headers=who).text
    assert "区统计局" in second.split("<h1>")[1].split("</h1>")[0]
    assert 'data-task="bureau-leading-group"' in second and 'data-task="bureau-leading-group"' not in first
    # Someone else's unit in the query is ignored, not trusted.
    other = client.get(f"/c/{CID}/inbox?unit=district-xcb", headers=who).text
    assert "区宣传部" not in other.split("<h1>")[1].split("</h1>")[0]


def test_a_report_is_sent_and_received_not_approved(make_client, lanshan_as_written):
    # The plugin's plan as the document says: "报区扶贫办" sends the plan; the office receives it.
    client = make_client(lanshan_as_written)
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    act(client, "bureau-leading-group", "complete", BUREAU)
    act(client, "bureau-plan", "start", BUREAU)
    page = client.get(f"/c/{CID}/tasks/bureau-plan").text
    reports = page.split('id="reports"')[1].split("</table>")[0]
    assert "区扶贫办" in reports and "2016-09-30 12:00" in reports and "待报送" in reports
    assert 'id="do-submit"' not in page and "办结并报送 (区扶贫办)" in page  # no approval to ask for
    r = act(client, "bureau-plan", "complete", BUREAU)
    assert "已办结" in r.text and "已报送 2016-09-05 09:00" in r.text.split('id="reports"')[1]
    client.cookies.clear()
    sign_in(client, OFFICE, "赵敏")
    inbox = client.get(f"/c/{CID}/inbox").text
    received = inbox.split('id="received"')[1].split("</table>")[0]
    # Both reports to the office are listed: the plan (sent) and the summary (due 24 October, not yet).
    assert 'data-report="bureau-plan"' in received and 'data-report="summary"' in received
    assert "已报送" in received.split('data-report="bureau-plan"')[1].split("</tr>")[0]
    assert "2016-10-24" in received.split('data-report="summary"')[1].split("</tr>")[0]
    office_page = client.get(f"/c/{CID}/tasks/bureau-plan").text
    # Nothing to approve: the office signs for it (签收, issue 16), and that is all it may do.
    assert 'id="do-approve"' not in office_page and 'id="do-receive"' in office_page
    assert office_page.count("<button type=\"submit\" id=\"do-") == 1


def test_a_report_sent_after_its_deadline_shows_late(make_client, lanshan_as_written, clock):
    client = make_client(lanshan_as_written)
    sign_in(client, BUREAU)
    act(client, "bureau-leading-group", "start", BUREAU)
    act(client, "bureau-leading-group", "complete", BUREAU)
    act(client, "bureau-plan", "start", BUREAU)
    clock.set(datetime(2016, 9, 30, 14))  # two hours after 12:00
    r = act(client, "bureau-plan", "complete", BUREAU)
    row = r.text.split('id="reports"')[1].split("</table>")[0]
    assert "已报送 2016-09-30 14:00" in row and "已逾期" in row


def _press(client, task, action, unit, **fields):
    # Like act(), with the form's other fields (the reassignment's target).
    from web_support import token

    page = client.get(f"/c/{CID}/tasks/{task}")
    data = {"csrf": token(page.text), "action": action, "unit": unit, "key": f"{task}-{action}-{len(page.text)}"}
    return client.post(f"/c/{CID}/tasks/{task}/act", data=data | fields)


def test_a_superior_reassigns_and_cancels_and_others_get_no_such_buttons(make_client):
    client = make_client()
    sign_in(client, OFFICE, "赵敏")  # the district office is no superior of the bureau: no buttons
    page = client.get(f"/c/{CID}/tasks/bureau-leading-group").text
    assert 'id="do-reassign"' not in page and 'id="do-cancel"' not in page
    r = _press(client, "bureau-leading-group", "cancel", OFFICE, reason="伪造")
    assert r.status_code == 403 and "操作被拒绝" in message(r.text)
    client.cookies.clear()
    sign_in(client, "district", "区长")  # the bureau's parent
    page = client.get(f"/c/{CID}/tasks/bureau-leading-group").text
    assert 'id="do-reassign"' in page and 'id="do-cancel"' in page
    assert '<option value="stats-bureau">' not in page.split('id="reassign-to"')[1].split("</select>")[0]
    r = _press(client, "bureau-leading-group", "reassign", "district", to="stats-staff", reason="由科室办理")
    assert r.status_code == 200 and "已办理: 改派" in message(r.text)
    row = r.text.split('id="history"')[1].split("reassigned")[1].split("</tr>")[0]
    assert "<td class=\"recipients\">区统计局干部职工</td>" in row and "由科室办理" in row
    r = _press(client, "bureau-leading-group", "reassign", "district", to="../etc")
    assert r.status_code == 400 and "操作被拒绝" in message(r.text)
    r = _press(client, "photo-exhibition", "cancel", "district", reason="取消摄影展")
    assert "已取消" in r.text and "取消摄影展" in r.text
    assert 'id="do-cancel"' not in r.text  # nothing left to cancel
    client.cookies.clear()
    sign_in(client, "stats-staff", "钱科长")
    assert 'data-task="bureau-leading-group"' in client.get(f"/c/{CID}/inbox").text  # the new lead's inbox


def test_the_history_says_whom_each_step_went_to(make_client):
    client = make_client()
    _submitted_plan(client)
    page = client.get(f"/c/{CID}/tasks/bureau-plan").text
    submitted = page.split('id="history"')[1].split("submitted")[1].split("</tr>")[0]
    assert '<td class="recipients">区扶贫办</td>' in submitted  # the approvers who must act now
    r = act(client, "bureau-plan", "reject", OFFICE, reason="补充")
    rejected = r.text.split('id="history"')[1].split("rejected")[1].split("</tr>")[0]
    assert '<td class="recipients">区统计局</td>' in rejected  # back to the lead


def test_a_co_lead_gets_the_work_buttons_and_the_engine_accepts_them(make_client, lanshan):
    # A 牵头单位 named beside the lead (co_leads) starts and finishes the work like the lead.
    import attrs

    task = lanshan.tasks["bureau-leading-group"]
    co_lead = next(u for u in lanshan.units if u not in {task.lead, *task.partners} and u != lanshan.issuer)
    campaign = attrs.evolve(lanshan, tasks={**lanshan.tasks, task.id: attrs.evolve(task, co_leads=(co_lead,))})
    client = make_client(campaign)
    sign_in(client, co_lead)
    page = client.get(f"/c/{CID}/tasks/{task.id}")
    assert 'value="start"' in page.text, page.text[:2000]
    r = act(client, task.id, "start", co_lead)
    assert r.status_code in (200, 303), r.text[:500]
    assert "进行中" in client.get(f"/c/{CID}/tasks/{task.id}").text or "active" in r.text
