"""Several processes, each with its own engines on one SQLite file, see each other's transitions."""

from __future__ import annotations

import re

import pytest
from conftest import act, sign_in
from server_support import served
from web_support import CID, EDUCATION, LANSHAN
from web_support import httpx as http_module

BUREAU, OFFICE = "stats-bureau", "district-fpb"


def _state(text: str) -> str:
    return text.split('id="state">')[1].split("<")[0].strip()


def test_two_apps_on_one_file_see_each_others_transitions(make_client, tmp_path):
    db = tmp_path / "shared.db"
    a, b = make_client(db=db), make_client(db=db)
    sign_in(a, BUREAU)
    sign_in(b, BUREAU)
    act(a, "bureau-leading-group", "start", BUREAU)
    assert _state(b.get(f"/c/{CID}/tasks/bureau-leading-group").text) == "办理中"
    act(b, "bureau-leading-group", "complete", BUREAU)
    assert 'data-task="bureau-plan"' in a.get(f"/c/{CID}/inbox").text


def test_header_login_without_headers_is_401(tmp_path, lanshan, plugins, clock):
    from starlette.testclient import TestClient

    from campaignflow.runtime import SQLiteStore
    from campaignflow.web import create_app, header_identity

    app = create_app([lanshan], SQLiteStore(tmp_path / "h.db"), identify=header_identity(), plugins=plugins,
                     clock=clock)
    client = TestClient(app)
    assert client.get(f"/c/{CID}/inbox").status_code == 401
    assert client.get("/login").status_code == 404
    page = client.get(f"/c/{CID}/inbox", headers={"X-Remote-User": "wang", "X-Remote-Units": BUREAU})
    assert page.status_code == 200 and "区统计局" in page.text


def test_a_campaign_through_four_uvicorn_workers(tmp_path):
    httpx = http_module()
    db = tmp_path / "workers.db"
    bureau = {"X-Remote-User": "wang.li", "X-Remote-Units": BUREAU}
    education = {"X-Remote-User": "sun.hua", "X-Remote-Units": "education-bureau"}
    office = {"X-Remote-User": "zhao.min", "X-Remote-Units": OFFICE}
    edu = "lanshan-education-bureau"
    with served(db, "--auth", "header", workers=4, plans=(LANSHAN, EDUCATION)) as url, \
            httpx.Client(base_url=url) as client:
        def press(cid: str, task: str, action: str, who: dict[str, str], unit: str) -> None:
            page = client.get(f"/c/{cid}/tasks/{task}", headers=who).text
            csrf = re.search(r'name="csrf" value="(\w+)"', page).group(1)  # type: ignore[union-attr]
            r = client.post(f"/c/{cid}/tasks/{task}/act", headers=who,
                            data={"csrf": csrf, "action": action, "unit": unit, "key": f"{cid}-{task}-{action}"})
            assert r.status_code == 303, r.text

        # The statistics bureau sends (报) its plan: the office receives it, whichever worker answers.
        press(CID, "bureau-leading-group", "start", bureau, BUREAU)
        press(CID, "bureau-leading-group", "complete", bureau, BUREAU)
        press(CID, "bureau-plan", "start", bureau, BUREAU)
        press(CID, "bureau-plan", "complete", bureau, BUREAU)
        for _ in range(8):
            received = client.get(f"/c/{CID}/inbox", headers=office).text.split('id="received"')[1]
            assert "已报送" in received.split('data-report="bureau-plan"')[1].split("</tr>")[0]
        # The education bureau's plan is approved by the office.
        press(edu, "bureau-plan", "start", education, "education-bureau")
        press(edu, "bureau-plan", "submit", education, "education-bureau")
        for _ in range(8):
            assert _state(client.get(f"/c/{edu}/tasks/bureau-plan", headers=office).text) == "审批中"
        press(edu, "bureau-plan", "approve", office, OFFICE)
        for _ in range(8):
            assert _state(client.get(f"/c/{edu}/tasks/bureau-plan", headers=education).text) == "已办结"
        for cid in (CID, edu):
            assert "哈希链校验通过" in client.get(f"/c/{cid}/audit", headers=office).text
