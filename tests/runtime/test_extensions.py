"""Extensions (延期): the lead asks with a reason, a superior grants or refuses; timers follow the new deadline."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from runtime_support import FPB, HF, PROV, small_campaign

from campaignflow.cli.main import cli
from campaignflow.errors import InvalidTransition, NotAuthorized
from campaignflow.model import AlertLevel, Lag, Supervision
from campaignflow.runtime import Actor, EventKind, replay

LADDER = Supervision(levels=(AlertLevel("blue", Lag(0), "lead"), AlertLevel("red", Lag(3), "parent")))


def test_a_granted_extension_moves_the_deadline_and_the_timers(make_engine):
    engine = make_engine(small_campaign(supervision=LADDER))
    engine.start("city-plan@hf", HF)
    asked = engine.request_extension("city-plan@hf", HF, until=date(2020, 8, 14), reason="等待统计数据")
    assert (asked.kind, asked.ref, asked.reason) == (EventKind.EXTENSION_REQUESTED, "2020-08-15T00:00", "等待统计数据")
    assert engine.task("city-plan@hf").requested_due == datetime(2020, 8, 15)
    granted = engine.grant_extension("city-plan@hf", PROV, reason="同意")
    assert granted.kind is EventKind.EXTENDED and granted.unit == "ah"
    view = engine.task("city-plan@hf")
    assert view.due == datetime(2020, 8, 15) and view.requested_due is None
    # The old deadline passes quietly for it; the other city's does not.
    assert {e.task for e in engine.tick(datetime(2020, 8, 1))} == {"city-plan@wh"}
    late = engine.tick(datetime(2020, 8, 15))
    assert [(e.task, e.ref) for e in late if e.task == "city-plan@hf"] == [("city-plan@hf", "due@2020-08-15T00:00"),
                                               ("city-plan@hf", "level:blue@2020-08-15T00:00")]
    assert engine.task("city-plan@hf").overdue
    assert replay("ah-test", engine.store.read("ah-test")) == engine.state


def test_a_refused_extension_keeps_the_deadline_and_its_reason_is_on_the_log(make_engine):
    engine = make_engine()
    engine.request_extension("city-plan@hf", HF, until=datetime(2020, 8, 10, 12), reason="人手不足")
    refused = engine.refuse_extension("city-plan@hf", FPB, reason="按期完成")
    assert refused.kind is EventKind.EXTENSION_REFUSED and refused.reason == "按期完成"
    assert engine.task("city-plan@hf").due == datetime(2020, 8, 1)
    reasons = [(e.kind, e.reason) for e in engine.history(task="city-plan@hf")]
    assert reasons == [(EventKind.EXTENSION_REQUESTED, "人手不足"), (EventKind.EXTENSION_REFUSED, "按期完成")]
    # A new request may follow a refusal.
    engine.request_extension("city-plan@hf", HF, until=date(2020, 8, 5), reason="再次申请")


def test_who_may_ask_and_decide(make_engine):
    engine = make_engine()
    with pytest.raises(NotAuthorized):
        engine.request_extension("city-plan@hf", FPB, until=date(2020, 8, 5), reason="x")  # not the lead
    with pytest.raises(InvalidTransition, match="needs a reason"):
        engine.request_extension("city-plan@hf", HF, until=date(2020, 8, 5), reason=" ")
    with pytest.raises(InvalidTransition, match="later than its deadline"):
        engine.request_extension("city-plan@hf", HF, until=date(2020, 7, 20), reason="x")
    with pytest.raises(InvalidTransition, match="no extension request"):
        engine.grant_extension("city-plan@hf", PROV)
    engine.request_extension("city-plan@hf", HF, until=date(2020, 8, 5), reason="x")
    with pytest.raises(InvalidTransition, match="already has"):
        engine.request_extension("city-plan@hf", HF, until=date(2020, 8, 6), reason="y")
    with pytest.raises(NotAuthorized):
        engine.grant_extension("city-plan@hf", HF)  # the lead cannot grant its own
    both = Actor("li.hf", {"hf", "ah"})  # the person who asked, acting for the parent too
    with pytest.raises(NotAuthorized, match="may not decide"):
        engine.grant_extension("city-plan@hf", both)
    engine.grant_extension("city-plan@hf", FPB, until=date(2020, 8, 3))  # the issuer, another date
    assert engine.task("city-plan@hf").due == datetime(2020, 8, 4)
    refused = [e for e in engine.history() if e.kind is EventKind.REFUSED]
    assert len(refused) == 7 and {e.ref for e in refused} == {"request-extension", "grant-extension"}


def test_cli_extension_commands(tmp_path):
    plan = Path(__file__).with_name("data") / "office.toml"
    db = str(tmp_path / "office.db")
    run = lambda *a, lang="en": CliRunner().invoke(cli, ["--lang", lang, "run", *a], catch_exceptions=False)  # noqa: E731
    assert run("init", str(plan), "--db", db, "--now", "2020-07-01T09:00").exit_code == 0
    asked = run("request-extension", "city-plan@hf", "--until", "2020-08-14", "--reason", "等待数据", "--as", "hf",
                "--db", db, "--now", "2020-07-20T09:00")
    assert asked.exit_code == 0 and "extension-requested" in asked.output and "等待数据" in asked.output
    bad = run("grant-extension", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-20T10:00", lang="zh")
    assert bad.exit_code == 2 and "无权" in bad.output
    granted = run("grant-extension", "city-plan@hf", "--as", "ah", "--db", db, "--now", "2020-07-20T10:00",
                  "--format", "json")
    assert json.loads(granted.output)["event"]["ref"] == "2020-08-15T00:00"
    tasks = run("tasks", "--db", db, "--now", "2020-08-02T09:00")
    line = next(x for x in tasks.output.splitlines() if x.startswith("city-plan@hf"))
    assert "2020-08-14" in line and "OVERDUE" not in line
    assert run("request-extension", "city-plan@hf", "--until", "soon", "--reason", "x", "--as", "hf",
               "--db", db).exit_code == 2
