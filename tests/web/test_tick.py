"""Deadlines checked from the app: the supervising office's button, and the app's own periodic check."""

from __future__ import annotations

import time
from datetime import datetime

from conftest import sign_in
from web_support import CID, SECRET, message, token

from campaignflow.runtime import EventKind, SQLiteStore

BUREAU, OFFICE = "stats-bureau", "district-fpb"


def _overdue(db, kinds=(EventKind.OVERDUE,)) -> list[str]:
    store = SQLiteStore(db)
    try:
        return [e.task for e in store.read(CID) if e.kind in kinds]
    finally:
        store.close()


def test_the_issuer_checks_the_deadlines_and_others_may_not(make_client, clock, tmp_path):
    client = make_client()
    clock.set(datetime(2016, 10, 8, 9))  # past 30 September 12:00: the leading group and the plan are late
    sign_in(client, OFFICE, "赵敏")  # not the issuer nor its superior
    page = client.get(f"/c/{CID}/overview").text
    assert 'id="do-tick"' not in page
    r = client.post(f"/c/{CID}/tick", data={"csrf": token(page)})
    assert r.status_code == 403 and _overdue(tmp_path / "web.db") == []
    client.cookies.clear()
    sign_in(client, BUREAU)  # the plan's issuer
    page = client.get(f"/c/{CID}/overview").text
    assert 'id="do-tick"' in page
    assert client.post(f"/c/{CID}/tick", data={"csrf": "0" * 64}).status_code == 403  # CSRF as every form
    r = client.post(f"/c/{CID}/tick", data={"csrf": token(page)})
    late = _overdue(tmp_path / "web.db")
    assert {"bureau-leading-group", "bureau-plan"} <= set(late)
    fired = _overdue(tmp_path / "web.db", (EventKind.OVERDUE, EventKind.ESCALATED))
    assert message(r.text) == f"督办检查完成,新记录: {len(fired)}"
    r = client.post(f"/c/{CID}/tick", data={"csrf": token(page)})
    assert message(r.text).endswith(": 0") and len(_overdue(tmp_path / "web.db")) == len(late)  # once each


def test_a_host_names_the_supervising_office(make_client, clock):
    client = make_client(supervisors={OFFICE})
    sign_in(client, OFFICE, "赵敏")
    assert 'id="do-tick"' in client.get(f"/c/{CID}/overview").text


def test_the_app_checks_deadlines_itself_while_it_runs(tmp_path, lanshan, plugins, clock):
    from starlette.testclient import TestClient

    from campaignflow.web import DemoLogin, create_app

    clock.set(datetime(2016, 10, 8, 9))
    app = create_app([lanshan], SQLiteStore(tmp_path / "t.db"), login=DemoLogin({}, SECRET), secret=SECRET,
                     plugins=plugins, clock=clock, tick_every=0.05)
    assert _overdue(tmp_path / "t.db") == []
    with TestClient(app):  # the lifespan runs: the periodic check is on
        deadline = time.monotonic() + 10
        while not _overdue(tmp_path / "t.db") and time.monotonic() < deadline:
            time.sleep(0.05)
        late = _overdue(tmp_path / "t.db")
        time.sleep(0.3)  # more checks: nothing fires twice
        assert "bureau-plan" in late and _overdue(tmp_path / "t.db") == late
