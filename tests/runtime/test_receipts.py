"""Receipts (签收) of reports and repeated reporting obligations: who has not reported."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from runtime_support import FPB, HF, WH, small_campaign

from campaignflow.cli.main import cli
from campaignflow.errors import InvalidTransition, NotAuthorized
from campaignflow.model import Repeat, Submission, Task, Window
from campaignflow.runtime import Actor, EventKind, replay

AUD = Actor("sun.aud", {"audit"})


def _campaign():
    tasks = {
        "summary": Task("summary", "报送总结", lead="hf", window=Window(due=date(2020, 8, 31)),
                        reports_to=(Submission(("ah-fpb", "audit")), Submission(("cities",), due=date(2020, 8, 20)))),
        "monthly#1": Task("monthly#1", "每月报送", lead="wh", window=Window(due=date(2020, 7, 31)),
                          repeat=Repeat("month", 2), occurrence=1),
        "monthly#2": Task("monthly#2", "每月报送", lead="wh", window=Window(due=date(2020, 8, 31)),
                          repeat=Repeat("month", 2), occurrence=2),
    }
    return small_campaign(tasks=tasks)


def test_a_report_is_received_by_each_recipient_once_the_work_is_finished(make_engine):
    engine = make_engine(_campaign())
    engine.start("summary", HF)
    with pytest.raises(InvalidTransition):
        engine.receive("summary", FPB)  # no report yet
    engine.complete("summary", HF)
    with pytest.raises(NotAuthorized):
        engine.receive("summary", WH)  # not a recipient of report 0
    event = engine.receive("summary", FPB)
    assert (event.kind, event.unit, event.ref) == (EventKind.RECEIVED, "ah-fpb", "0:ah-fpb")
    with pytest.raises(InvalidTransition, match="already received"):
        engine.receive("summary", FPB)
    engine.receive("summary", AUD)
    # A group recipient: one of its units signs for it.
    assert engine.receive("summary", WH, submission=1).ref == "1:cities"
    with pytest.raises(InvalidTransition):
        engine.receive("summary", HF, submission=1)
    assert all(r.received for r in engine.reports() if r.task == "summary")
    assert replay("ah-test", engine.store.read("ah-test")) == engine.state


def test_who_has_not_reported(make_engine):
    engine = make_engine(_campaign())
    on_aug_21 = {(r.task, r.recipient): r for r in engine.reports(datetime(2020, 8, 21))}
    assert on_aug_21[("monthly#1", None)].not_reported and not on_aug_21[("monthly#2", None)].not_reported
    assert on_aug_21[("summary", "cities")].not_reported  # its own due, 08-20
    assert not on_aug_21[("summary", "ah-fpb")].not_reported  # due with the task, 08-31
    engine.start("monthly#1", WH)
    engine.complete("monthly#1", WH)
    engine.start("summary", HF)
    engine.complete("summary", HF)
    after = {(r.task, r.recipient): r for r in engine.reports(datetime(2020, 9, 2))}
    assert not after[("monthly#1", None)].not_reported and after[("monthly#2", None)].not_reported
    assert after[("summary", "audit")].not_received and not after[("summary", "audit")].not_reported


def test_cli_status_shows_who_has_not_reported_and_receive_signs(tmp_path):
    from pathlib import Path

    plan = Path(__file__).resolve().parents[2] / "plugins" / "lanshan_stats_bureau" / "plan.toml"
    db = str(tmp_path / "lanshan.db")
    run = lambda *a, lang="en": CliRunner().invoke(cli, ["--lang", lang, "run", *a], catch_exceptions=False)  # noqa: E731
    assert run("init", str(plan), "--db", db, "--now", "2016-09-01T09:00", "--force").exit_code == 0
    status = run("status", "--db", db, "--now", "2016-10-01T09:00", "--format", "json")
    missing = json.loads(status.output)["not_reported"]
    assert [(r["task"], r["recipient"]) for r in missing] == [("bureau-plan", "district-fpb")]
    zh = run("status", "--db", db, "--now", "2016-10-01T09:00", lang="zh")
    assert "未报送 bureau-plan" in zh.output
    for cmd in [(verb, tid, "--as", "stats-bureau") for tid in ("bureau-leading-group", "bureau-plan")
                for verb in ("start", "complete")]:
        assert run(*cmd, "--db", db, "--now", "2016-10-01T10:00").exit_code == 0, cmd
    text = run("status", "--db", db, "--now", "2016-10-01T11:00").output
    assert "NOT RECEIVED bureau-plan (stats-bureau) by district-fpb" in text and "NOT REPORTED bureau-plan" not in text
    signed = run("receive", "bureau-plan", "--as", "district-fpb", "--db", db, "--now", "2016-10-01T11:00")
    assert signed.exit_code == 0 and "received" in signed.output
    assert "NOT RECEIVED bureau-plan" not in run("status", "--db", db, "--now", "2016-10-01T12:00").output
