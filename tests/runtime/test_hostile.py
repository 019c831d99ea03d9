"""Issue 20: a forged row past the head is refused everywhere but ``verify``; self-approval follows the work."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest
from click.testing import CliRunner
from runtime_support import AUD, FIN, FPB, HF, WH, small_campaign
from test_cli_run import PLAN

from campaignflow.cli.main import cli
from campaignflow.errors import NotAuthorized, TamperedLogError
from campaignflow.model import Approval, Task
from campaignflow.runtime import Actor, Draft, EventKind, SQLiteStore


def _run(*args):
    return CliRunner().invoke(cli, ["--lang", "en", "run", *args], catch_exceptions=False)


def _forge_past_head(db: str, *, good_hash: bool) -> None:
    """Write an ``approved`` row for city-plan@hf just past the stored head, the head left as it was."""
    conn = sqlite3.connect(db)
    seq, prev = conn.execute("SELECT head_seq, head_hash FROM campaigns").fetchone()
    event = Draft(campaign="ah-test", kind=EventKind.APPROVED, at=datetime(2020, 7, 3, 9), task="city-plan@hf",
                  actor="mallory", unit="ah-fpb", from_state="submitted", to_state="done", step=0).seal(seq + 1, prev)
    with conn:
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     ("ah-test", event.seq, "approved", event.task, event.unit, None, None, event.body(),
                      event.hash if good_hash else "f" * 64))
    conn.close()


@pytest.mark.parametrize("good_hash", [True, False])
def test_a_row_forged_past_the_head_is_refused_by_every_run_command_but_verify(tmp_path, good_hash):
    db = str(tmp_path / "office.db")
    assert _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00").exit_code == 0
    assert _run("start", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-02T09:00").exit_code == 0
    assert _run("submit", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-02T10:00").exit_code == 0
    _forge_past_head(db, good_hash=good_hash)
    bad = _run("verify", "--db", db, "--format", "json")
    assert bad.exit_code == 1 and json.loads(bad.output)["ok"] is False
    for args in (["status"], ["tasks"], ["tasks", "--state", "done"], ["log"], ["log", "--format", "csv"],
                 ["tick", "--now", "2020-07-05T09:00"], ["start", "budget", "--as", "ah-fpb"],
                 ["approve", "city-plan@hf", "--as", "ah-fpb"], ["init", str(PLAN)]):
        result = _run(*args, "--db", db)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error: ") and "past its head" in result.output, (args, result.output)
        assert "mallory" not in result.output
    # Nothing was written on top of the forged row.
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT head_seq FROM campaigns").fetchone()[0] == 3
    conn.close()


def test_engine_open_refuses_a_row_past_the_head_and_verify_false_ignores_it(make_engine, tmp_path):
    path = tmp_path / "a.db"
    store = SQLiteStore(path)
    engine = make_engine(store=store)
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    store.close()
    conn = sqlite3.connect(path)
    seq, prev = conn.execute("SELECT head_seq, head_hash FROM campaigns").fetchone()
    conn.close()
    _forge_past_head(str(path), good_hash=True)
    store = SQLiteStore(path)
    with pytest.raises(TamperedLogError, match="past its head") as info:
        make_engine(store=store)
    assert info.value.sequence == seq + 1
    lenient = make_engine(store=store, verify=False)
    assert lenient.seq == seq and lenient.task("city-plan@hf").state == "submitted"
    store.close()


def test_a_live_engine_refuses_a_head_that_went_back(make_engine, tmp_path):
    path = tmp_path / "b.db"
    store = SQLiteStore(path)
    engine = make_engine(store=store)
    engine.start("city-plan@hf", HF)
    engine.start("city-plan@wh", WH)
    conn = sqlite3.connect(path)
    with conn:  # what a lost WAL leaves: the last acknowledged event gone, head consistent with the rest
        last = conn.execute("SELECT body, hash FROM events WHERE seq = 2").fetchone()
        conn.execute("DELETE FROM events WHERE seq = 3")
        conn.execute("UPDATE campaigns SET head_seq = 2, head_hash = ?", (last[1],))
    conn.close()
    with pytest.raises(TamperedLogError, match="already committed"):
        engine.refresh()
    store.close()


def test_self_approval_follows_the_person_who_worked_not_the_lead_after_a_reassignment(engine):
    both = Actor("chen.both", {"hf", "ah-fpb"})  # acts for the lead and for its approver
    engine.start("city-plan@hf", both)
    engine.submit("city-plan@hf", HF)  # a colleague submits
    engine.reassign("city-plan@hf", both, to="wh", unit="ah-fpb")  # as the superior: hf no longer leads
    with pytest.raises(NotAuthorized, match="self-approval"):
        engine.approve("city-plan@hf", both, unit="ah-fpb")
    # Another person acting for hf (the unit the work was done for) is refused too.
    with pytest.raises(NotAuthorized, match="hf"):
        engine.approve("city-plan@hf", Actor("gao.both", {"hf", "ah-fpb"}), unit="ah-fpb")
    assert engine.task("city-plan@hf").state == "submitted"
    assert engine.approve("city-plan@hf", FPB).to_state == "done"  # an independent approver


def _partnered():
    joint = Task("joint", "联合调研", lead="hf", partners=("wh",),
                 approvals=(Approval(by=("wh", "finance"), mode="any"),))
    campaign = small_campaign()
    return small_campaign(tasks={**campaign.tasks, "joint": joint})


def test_a_partner_that_did_the_work_may_not_approve_it(make_engine):
    engine = make_engine(_partnered())
    engine.start("joint", WH, unit="wh")  # the partner works on it
    engine.submit("joint", HF)
    with pytest.raises(NotAuthorized, match="self-approval"):
        engine.approve("joint", WH, unit="wh")  # the same person
    with pytest.raises(NotAuthorized, match="wh"):
        engine.approve("joint", Actor("liu.wh", {"wh"}))  # a colleague of the same unit
    assert engine.approve("joint", FIN).to_state == "done"


def test_a_partner_that_did_none_of_the_work_may_approve_it(make_engine):
    engine = make_engine(_partnered())
    engine.start("joint", HF)
    engine.submit("joint", HF)
    assert engine.approve("joint", WH, unit="wh").to_state == "done"


def test_one_person_gives_one_signature_of_a_joint_step(engine):
    engine.start("budget", FPB)
    engine.submit("budget", FPB)
    both = Actor("ma.both", {"finance", "audit"})
    assert engine.approve("budget", both, unit="finance").ref == "partial"
    with pytest.raises(NotAuthorized, match="会签|different persons"):
        engine.approve("budget", both, unit="audit")
    assert engine.task("budget").approvers == ("audit",)
    assert engine.approve("budget", AUD).to_state == "submitted"  # step 2 now pending
    assert engine.task("budget").step == 1


@pytest.mark.parametrize("reason", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_run_log_csv_never_writes_a_formula(tmp_path, reason):
    import csv
    import io

    db = str(tmp_path / "office.db")
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    _run("start", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-02T09:00")
    _run("submit", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-02T10:00")
    assert _run("reject", "city-plan@hf", "--as", "ah-fpb", "--reason", reason, "--db", db,
                "--now", "2020-07-02T11:00").exit_code == 0
    rows = list(csv.DictReader(io.StringIO(_run("log", "--db", db, "--format", "csv").output)))
    cells = [v for row in rows for v in row.values() if v]
    assert not any(v[:1] in "=+-@\t\r" for v in cells)
    assert "'" + reason in {row["reason"] for row in rows}


def test_the_agenda_near_the_calendars_end_is_no_crash(tmp_path):
    db = str(tmp_path / "office.db")
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    result = _run("tasks", "--unit", "hf", "--week", "--now", "9999-12-31T23:59", "--db", db)
    assert result.exit_code == 0, result.output


def test_run_init_refuses_a_plan_validate_rejects_unless_forced_and_records_it(tmp_path):
    plan = tmp_path / "bad.toml"
    # A cycle: validate reports an error-level finding.
    text = PLAN.read_text(encoding="utf-8").replace(
        '[tasks.budget]\ntitle = "活动经费"\nlead = "ah-fpb"\n',
        '[tasks.budget]\ntitle = "活动经费"\nlead = "ah-fpb"\nafter = ["report"]\n'
        '[tasks.pre]\ntitle = "前置"\nlead = "ah-fpb"\nafter = ["budget"]\n')
    text = text.replace('after = [{ task = "exchange-meeting", lag = "2d" }]',
                        'after = [{ task = "exchange-meeting", lag = "2d" }, "pre"]')
    plan.write_text(text, encoding="utf-8")
    assert CliRunner().invoke(cli, ["validate", str(plan)]).exit_code == 1
    db = str(tmp_path / "bad.db")
    refused = _run("init", str(plan), "--db", db)
    assert refused.exit_code == 2 and "--force" in refused.output and len(refused.output.splitlines()) == 1
    forced = _run("init", str(plan), "--db", db, "--force")
    assert forced.exit_code == 0, forced.output
    (opened,) = json.loads(_run("log", "--db", db, "--format", "json").output)["events"]
    assert opened["kind"] == "opened" and opened["reason"].startswith("--force")
