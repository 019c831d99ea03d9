"""The web app on PostgreSQL: two app processes (uvicorn workers), each its own engines, on one database.

Needs ``CAMPAIGNFLOW_TEST_DATABASE_URL`` (.ci/run starts a server); skipped without it on a developer's
machine, failed under CI=true.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import act, sign_in
from server_support import served
from web_support import CID, EDUCATION, LANSHAN
from web_support import httpx as http_module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
from pg_support import postgres_url  # noqa: E402

BUREAU, OFFICE = "stats-bureau", "district-fpb"
EDU = "lanshan-education-bureau"


@pytest.fixture()
def pg_db() -> Iterator[str]:
    """A fresh database on the test server (the app uses the store's default schema), dropped afterwards."""
    import psycopg

    server = postgres_url()
    name = f"web_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    yield f"{server.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _state(text: str) -> str:
    return text.split('id="state">')[1].split("<")[0].strip()


def test_two_apps_on_one_postgres_database_see_each_others_transitions(make_client, pg_db, lanshan):
    from starlette.testclient import TestClient

    from campaignflow.web.serve import open_store

    a, b = make_client(store=open_store(pg_db)), make_client(store=open_store(pg_db))
    assert isinstance(a, TestClient)
    sign_in(a, BUREAU)
    sign_in(b, OFFICE, "赵敏")
    act(a, "bureau-leading-group", "start", BUREAU)
    act(a, "bureau-leading-group", "complete", BUREAU)
    act(a, "bureau-plan", "start", BUREAU)
    act(a, "bureau-plan", "submit", BUREAU)
    assert _state(b.get(f"/c/{CID}/tasks/bureau-plan").text) == "审批中"  # b read a's events
    act(b, "bureau-plan", "approve", OFFICE)
    page = a.get(f"/c/{CID}/tasks/bureau-plan").text
    assert _state(page) == "已办结" and "赵敏" in page.split('id="chain"')[1]
    assert "哈希链校验通过" in b.get(f"/c/{CID}/audit").text


def test_two_serve_processes_with_workers_on_postgres(pg_db):
    # Two `campaignflow serve` processes (one of them with two uvicorn workers) on one database:
    # an action through one is seen by the other on its next page.
    httpx = http_module()
    education = {"X-Remote-User": "sun.hua", "X-Remote-Units": "education-bureau"}
    office = {"X-Remote-User": "zhao.min", "X-Remote-Units": OFFICE}
    base = f"/c/{EDU}/tasks/bureau-plan"
    with served(pg_db, "--auth", "header", workers=2, plans=(LANSHAN, EDUCATION)) as one, \
            served(pg_db, "--auth", "header", plans=(LANSHAN, EDUCATION)) as other:
        def press(url: str, action: str, who: dict[str, str], unit: str) -> None:
            with httpx.Client(base_url=url) as client:
                page = client.get(base, headers=who).text
                csrf = re.search(r'name="csrf" value="(\w+)"', page).group(1)  # type: ignore[union-attr]
                r = client.post(f"{base}/act", headers=who,
                                data={"csrf": csrf, "action": action, "unit": unit, "key": f"pg-{action}"})
                assert r.status_code == 303, r.text

        def states(url: str, who: dict[str, str]) -> set[str]:
            # A new connection each time: uvicorn's workers take turns accepting them.
            seen = set()
            for _ in range(6):
                with httpx.Client(base_url=url) as client:
                    seen.add(_state(client.get(base, headers=who).text))
            return seen

        press(one, "start", education, "education-bureau")
        assert states(other, education) == {"办理中"}
        press(other, "submit", education, "education-bureau")
        assert states(one, office) == {"审批中"}  # every answer, from either worker, has read it
        press(one, "approve", office, OFFICE)
        assert states(other, education) == states(one, education) == {"已办结"}
        with httpx.Client(base_url=other) as client:
            assert "哈希链校验通过" in client.get(f"/c/{EDU}/audit", headers=office).text
    # The events are in the database, once each.
    from campaignflow.runtime import open_store

    store = open_store(pg_db)
    try:
        kinds = [str(e.kind) for e in store.read(EDU)]
    finally:
        store.close()
    assert [k for k in kinds if k != "opened"] == ["started", "submitted", "approved"]
