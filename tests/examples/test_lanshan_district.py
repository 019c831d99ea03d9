"""The Lanshan district example: several campaigns on one store, the deadline, the consent chain."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from campaignflow.runtime import EventKind, SQLiteStore, verify_chain

ROOT = Path(__file__).resolve().parents[2]
HOST = ROOT / "examples" / "lanshan_district" / "host.py"


def test_the_district_platform_runs_every_bureau_plan(tmp_path):
    db = tmp_path / "lanshan.db"
    done = subprocess.run([sys.executable, str(HOST), "--db", str(db)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "区卫计局扶贫日活动方案(2016年)       未批准" in done.stdout
    assert "lanshan-health-bureau/bureau-plan" in done.stdout.split("10-08 17:00 本周待办")[1].splitlines()[0]

    store = SQLiteStore(db)
    heads = {c.campaign: c for c in store.campaigns()}
    assert sorted(heads) == ["lanshan-education-bureau", "lanshan-health-bureau", "lanshan-stats-bureau"]
    logs = {cid: list(store.read(cid)) for cid in heads}
    for cid, events in logs.items():
        verify_chain(cid, events, head=(heads[cid].seq, heads[cid].hash))

    # Plans approved by 9月30日12:00, except the health bureau's, which was escalated to the district.
    deadline = datetime(2016, 9, 30, 12)
    for cid, events in logs.items():
        approved = [e.at for e in events if e.kind is EventKind.APPROVED and e.task == "bureau-plan"]
        assert len(approved) == 1
        assert (approved[0] <= deadline) == (cid != "lanshan-health-bureau")
    escalated = [(cid, e.task, e.target) for cid, events in logs.items() for e in events
                 if e.kind is EventKind.ESCALATED]
    assert escalated == [("lanshan-health-bureau", "bureau-plan", "district")]

    # The consent chain: in order, rejected once by the township, then given again from the household.
    stats = logs["lanshan-stats-bureau"]
    chain = [(str(e.kind), e.unit, e.step) for e in stats if e.task == "recommend-households"
             and e.kind in (EventKind.SUBMITTED, EventKind.APPROVED, EventKind.REJECTED)]
    assert chain == [("submitted", "stats-bureau", 0), ("approved", "household", 0), ("approved", "village", 1),
                     ("rejected", "township", 2), ("submitted", "stats-bureau", 0), ("approved", "household", 0),
                     ("approved", "village", 1), ("approved", "township", 2)]
    last_recommendation = max(e.seq for e in stats if e.task == "recommend-households")
    publish = [e.seq for e in stats if e.task == "publish-households" and e.kind is EventKind.STARTED]
    assert publish and publish[0] > last_recommendation
    assert [e.ref for e in stats if e.kind is EventKind.REFUSED] == ["approve"]
    # Every task of every campaign ends done (17 in the statistics bureau's plan, 3 in the others).
    sizes = {"lanshan-stats-bureau": 17, "lanshan-education-bureau": 3, "lanshan-health-bureau": 3}
    for cid, events in logs.items():
        assert len({e.task for e in events if e.to_state == "done"}) == sizes[cid]
    store.close()
