"""``campaignflow run``: the small office's command line over the engine."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli

PLAN = Path(__file__).with_name("data") / "office.toml"


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "office.db")


def _run(*args, lang="en"):
    result = CliRunner().invoke(cli, ["--lang", lang, "run", *args], catch_exceptions=False)
    return result


def test_init_then_a_plan_approved_with_json_output(db):
    init = _run("init", str(PLAN), "--db", db, "--format", "json", "--now", "2020-07-01T09:00")
    assert init.exit_code == 0, init.output
    assert json.loads(init.output)["tasks"] == 5
    assert _run("start", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-02T09:00").exit_code == 0
    submit = _run("submit", "city-plan@hf", "--as", "hf", "--db", db, "--format", "json", "--now", "2020-07-02T10:00")
    assert json.loads(submit.output)["event"]["to_state"] == "submitted"
    approve = _run("approve", "city-plan@hf", "--as", "ah-fpb", "--db", db, "--now", "2020-07-03T10:00")
    assert approve.exit_code == 0 and "submitted -> done" in approve.output
    tasks = json.loads(_run("tasks", "--db", db, "--state", "done", "--format", "json").output)["tasks"]
    assert [t["id"] for t in tasks] == ["city-plan@hf"]


def test_refusals_exit_2_with_one_readable_line_in_either_language(db):
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    refused = _run("start", "city-plan@hf", "--as", "wh", "--db", db)
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines() == [
        "error: " + refused.output.split("error: ", 1)[1].strip()]
    assert "may not start task 'city-plan@hf'" in refused.output
    zh = _run("complete", "city-plan@hf", "--as", "hf", "--db", db, lang="zh")
    assert zh.exit_code == 2 and "当前状态为 ready" in zh.output
    unknown = _run("start", "nope", "--as", "hf", "--db", db)
    assert unknown.exit_code == 2 and "no task 'nope'" in unknown.output
    assert _run("reject", "city-plan@hf", "--as", "ah-fpb", "--db", db).exit_code == 2  # --reason is required
    # Refusals are on the audit log.
    log = json.loads(_run("log", "--db", db, "--format", "json").output)["events"]
    assert [(e["kind"], e["ref"]) for e in log] == [("opened", log[0]["ref"]), ("refused", "start"), ("refused", "complete")]


def test_tick_escalates_and_exits_1_when_deadlines_are_missed(db):
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    quiet = _run("tick", "--db", db, "--now", "2020-07-15T09:00")
    assert quiet.exit_code == 0 and "no timer due" in quiet.output
    late = _run("tick", "--db", db, "--now", "2020-08-01T09:00", "--format", "json")
    assert late.exit_code == 1
    data = json.loads(late.output)
    assert data["overdue"] == ["city-plan@hf", "city-plan@wh"]
    assert {(e["kind"], e["target"]) for e in data["events"]} == {("overdue", None), ("escalated", "ah")}
    status = _run("status", "--db", db, "--format", "json", "--now", "2020-08-01T09:00")
    assert status.exit_code == 1 and json.loads(status.output)["overdue"] == ["city-plan@hf", "city-plan@wh"]


def test_agenda_of_a_unit_this_week(db):
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    week = _run("tasks", "--unit", "hf", "--week", "--db", db, "--now", "2020-07-27T09:00")
    assert week.exit_code == 0 and week.output.split()[0] == "city-plan@hf"
    assert _run("tasks", "--week", "--db", db).exit_code == 2
    sleeping = _run("tasks", "--state", "sleeping", "--db", db)
    assert sleeping.exit_code == 2 and "unknown state 'sleeping'; expected one of waiting, ready" in sleeping.output
    zh = _run("tasks", "--state", "sleeping", "--db", db, lang="zh")
    assert zh.exit_code == 2 and "未知状态 'sleeping'" in zh.output
    typo = _run("tasks", "--unit", "hefei", "--db", db)
    assert typo.exit_code == 2 and "no unit or group 'hefei'" in typo.output


def test_verify_and_tampering(db):
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    _run("start", "budget", "--as", "ah-fpb", "--db", db)
    ok = _run("verify", "--db", db, "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.output)["events"] == 2
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE events SET body = replace(body, 'ah-fpb', 'hf') WHERE seq = 2")
    conn.close()
    bad = _run("verify", "--db", db, "--format", "json")
    assert bad.exit_code == 1
    assert json.loads(bad.output)["sequence"] == 2


@pytest.mark.parametrize("sql, sequence", [
    ("UPDATE events SET body = '{garbage' WHERE seq = 2", 2),
    ("DELETE FROM events WHERE seq = 2", 2),
    ("UPDATE events SET body = replace(body, '\"started\"', '\"bogus\"') WHERE seq = 2", 2),
    ("UPDATE campaigns SET head_hash = 'x'", 3),
])
def test_verify_reports_a_log_that_does_not_even_replay_as_tampered(db, sql, sequence):
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    _run("start", "budget", "--as", "ah-fpb", "--db", db)
    _run("start", "city-plan@hf", "--as", "hf", "--db", db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(sql)
    conn.close()
    bad = _run("verify", "--db", db, "--format", "json")
    assert bad.exit_code == 1, bad.output
    assert json.loads(bad.output)["sequence"] == sequence
    assert "TAMPERED" in _run("verify", "--db", db).output
    # Other commands refuse a tampered log, replayable or not, with one line, exit 2, no traceback.
    status = _run("status", "--db", db)
    assert status.exit_code == 2 and status.output.startswith("error: ") and len(status.output.splitlines()) == 1


def test_history_as_csv(db):
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    _run("start", "budget", "--as", "ah-fpb", "--db", db)
    _run("start", "city-plan@hf", "--as", "hf", "--db", db)
    out = _run("log", "--task", "budget", "--format", "csv", "--db", db).output.splitlines()
    assert out[0].startswith("seq,campaign,kind,at,task,actor,unit")
    assert len(out) == 2 and ",started," in out[1]


def test_bad_stores_exit_2(tmp_path):
    missing = _run("status", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 2 and "no such store" in missing.output
    notdb = tmp_path / "notes.db"
    notdb.write_text("not a database" * 100, encoding="utf-8")
    assert _run("status", "--db", str(notdb)).exit_code == 2
    assert _run("tick", "--db", str(notdb), "--now", "yesterday").exit_code == 2
