"""Supervision (督办): reminders before deadlines and the escalation ladder, fired once, on the calendar."""

from __future__ import annotations

import json
from datetime import date, datetime

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import FPB, HF, PROV, WH, small_campaign

from campaignflow.cli.main import cli
from campaignflow.errors import PlanError
from campaignflow.load import loads
from campaignflow.model import AlertLevel, Lag, Reminder, Supervision, Task, Window
from campaignflow.runtime import EventKind, MemoryStore, SQLiteStore, replay
from campaignflow.runtime.timers import due_timers

LADDER = Supervision(
    reminders=(Reminder(Lag(4, working=True), to="lead"),),
    levels=(AlertLevel("blue", Lag(0), to="lead"), AlertLevel("orange", Lag(2, working=True), to="parent"),
            AlertLevel("red", Lag(5, working=True), to="audit")),
)


def _campaign(**kw):
    # One task due at the end of Wednesday 2020-09-30, just before the National Day holiday
    # (10-01 .. 10-08 off; Sunday 09-27 and Saturday 10-10 are working days, 调休).
    tasks = {"autumn": Task("autumn", "秋季工作", lead="hf", window=Window(due=date(2020, 9, 30)))}
    return small_campaign(tasks=tasks, supervision=LADDER, calendar="cn-workdays", **kw)


def _fired(events):
    return [(e.kind, e.target, e.ref) for e in events]


def test_reminders_and_levels_fire_once_each_on_working_days_with_tiaoxiu(make_engine):
    engine = make_engine(_campaign())
    # 4 working days before the end of 09-30: 09-30, 09-29, 09-28 and Sunday 09-27 (调休).
    assert engine.tick(datetime(2020, 9, 26, 23, 59)) == []
    first = engine.tick(datetime(2020, 9, 27, 0, 0))
    assert _fired(first) == [(EventKind.REMINDED, "hf", "remind:0@2020-10-01T00:00")]
    assert engine.tick(datetime(2020, 9, 29)) == []  # once
    at_deadline = engine.tick(datetime(2020, 10, 1))
    assert _fired(at_deadline) == [(EventKind.OVERDUE, None, "due@2020-10-01T00:00"),
                                   (EventKind.ALERTED, "hf", "level:blue@2020-10-01T00:00")]
    # Two working days after: Friday 10-09 and Saturday 10-10 (调休), not the holiday.
    assert engine.tick(datetime(2020, 10, 10, 23, 59)) == []
    orange = engine.tick(datetime(2020, 10, 11))
    assert _fired(orange) == [(EventKind.ALERTED, "ah", "level:orange@2020-10-01T00:00")]
    view = engine.task("autumn")
    assert view.level == "orange" and view.escalated_to == ("ah",) and view.overdue
    red = engine.tick(datetime(2020, 12, 1))
    assert _fired(red) == [(EventKind.ALERTED, "audit", "level:red@2020-10-01T00:00")]
    assert engine.tick(datetime(2020, 12, 31)) == []
    assert replay("ah-test", engine.store.read("ah-test")) == engine.state


def test_a_late_tick_fires_every_passed_level_but_no_stale_reminder(make_engine):
    engine = make_engine(_campaign())
    events = engine.tick(datetime(2020, 10, 20))
    assert [e.ref.split("@")[0] for e in events] == ["due", "level:blue", "level:orange", "level:red"]


def test_done_tasks_are_not_reminded(make_engine):
    engine = make_engine(_campaign())
    engine.start("autumn", HF)
    engine.complete("autumn", HF)
    assert engine.tick(datetime(2020, 12, 1)) == []


def test_without_levels_the_default_rule_escalates_to_the_parent(make_engine):
    engine = make_engine(_campaign(), supervision=Supervision(reminders=LADDER.reminders))
    assert [e.kind for e in engine.tick(datetime(2020, 9, 28))] == [EventKind.REMINDED]
    events = engine.tick(datetime(2020, 10, 2))
    assert [e.kind for e in events] == [EventKind.OVERDUE, EventKind.ESCALATED] and events[1].target == "ah"


def test_the_issuer_and_a_named_unit_as_targets(make_engine):
    ladder = Supervision(levels=(AlertLevel("yellow", Lag(1), to="issuer"), AlertLevel("red", Lag(3), to="finance")))
    engine = make_engine(_campaign(), supervision=ladder)
    events = engine.tick(datetime(2020, 10, 5))
    assert [(e.ref.split("@")[0], e.target) for e in events if e.kind is EventKind.ALERTED] == [
        ("level:yellow", "ah-fpb"), ("level:red", "finance")]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_two_processes_ticking_fire_each_timer_once(make_engine, tmp_path, request, kind):
    # Each engine on its own connection (as two processes are); test_tick_race.py ticks at once.
    from fault_child import open_store

    if kind == "sqlite":
        where = (str(tmp_path / "office.db"), "")
    else:
        where = (request.getfixturevalue("pg_url"), request.getfixturevalue("pg_schema"))
    a = make_engine(_campaign(), store=open_store(*where))
    b = make_engine(_campaign(), store=open_store(*where))
    first = a.tick(datetime(2020, 10, 1))
    second = b.tick(datetime(2020, 10, 1))  # decided again on the log as it is
    assert len(first) == 2 and second == []
    # A restart: a third engine replays the log and fires only what is left.
    c = make_engine(_campaign(), store=open_store(*where))
    assert [e.ref.split("@")[0] for e in c.tick(datetime(2020, 10, 12))] == ["level:orange"]
    assert [e.kind for e in a.tick(datetime(2020, 10, 12))] == []


def test_the_indexed_tick_equals_a_scan_of_the_plan(make_engine):
    engine = make_engine()  # the small campaign, default rule
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    for day in (7, 9, 31):
        moment = datetime(2020, 7, day, 12)
        expected = due_timers(engine.plan, engine.state, moment, engine.axis, engine.supervision)
        got = engine.tick(moment)
        assert [(e.kind, e.task, e.ref, e.target) for e in got] == [
            (d.kind, d.task, d.ref, d.target) for d in expected]
    assert engine.tick(datetime(2020, 8, 5)) != []  # the deadline of 07-31


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 120), st.sampled_from(["tick", "start", "submit", "approve", "cancel"]),
                          st.sampled_from(["city-plan@hf", "city-plan@wh", "exchange-meeting", "report"])),
                max_size=25))
def test_indexed_tick_matches_the_reference_scan_under_any_history(plugins, steps):
    from campaignflow.runtime import Engine, ManualClock

    from campaignflow.errors import TransitionError

    clock = ManualClock(datetime(2020, 7, 1, 9))
    campaign = small_campaign(supervision=LADDER)
    engine = Engine.open(campaign, MemoryStore(), plugins=plugins, clock=clock)
    actors = {"start": HF, "submit": HF, "approve": FPB, "cancel": PROV}
    moment = clock.now()
    for hours, action, task in steps:
        moment = max(moment, datetime(2020, 7, 1, 9) + __import__("datetime").timedelta(hours=hours * 24))
        clock.set(moment)
        if action == "tick":
            expected = due_timers(engine.plan, engine.state, moment, engine.axis, engine.supervision)
            got = engine.tick(moment)
            assert [(e.kind, e.task, e.ref) for e in got] == [(d.kind, d.task, d.ref) for d in expected]
            assert due_timers(engine.plan, engine.state, moment, engine.axis, engine.supervision) == []
        else:
            actor = WH if task == "city-plan@wh" and action in ("start", "submit") else actors[action]
            try:
                getattr(engine, action)(task, actor, **({"reason": "r"} if action == "cancel" else {}))
            except TransitionError:
                pass


SUPERVISED = """format = 1
[campaign]
id = "sup"
name = "督办"
start = 2020-07-01
end = 2020-10-22
issuer = "fpb"
[units.fpb]
name = "扶贫办"
[units.duchashi]
name = "督查室"
[units.town]
name = "镇"
parent = "fpb"
[supervision]
reminders = [{ before = "2wd", to = "lead" }]
levels = [
  { name = "blue", after = "0d", to = "lead" },
  { name = "red", after = "3wd", to = "duchashi" },
]
[tasks.t]
title = "报送"
lead = "town"
due = 2020-07-31
"""


def test_the_plan_format_reads_supervision():
    campaign = loads(SUPERVISED)
    assert campaign.supervision == Supervision(
        reminders=(Reminder(Lag(2, working=True), "lead"),),
        levels=(AlertLevel("blue", Lag(0), "lead"), AlertLevel("red", Lag(3, working=True), "duchashi")))


@pytest.mark.parametrize(("bad", "where", "says"), [
    ('to = "duchashii"', "supervision.levels[1].to", "did you mean 'duchashi'"),
    ('too = "duchashi"', "supervision.levels[1].too", "did you mean 'to'"),
])
def test_bad_supervision_keys_are_located_with_a_suggestion(bad, where, says):
    text = SUPERVISED.replace('{ name = "red", after = "3wd", to = "duchashi" }', '{ name = "red", after = "3wd", '
                              + bad + " }")
    with pytest.raises(PlanError) as info:
        loads(text)
    problem = info.value.problems[0]
    assert problem.location.key_path == where and problem.location.line == 19
    assert says in str(problem.hint)


def test_a_ladder_out_of_order_and_a_bad_time_are_refused():
    text = SUPERVISED.replace('after = "3wd"', 'after = "-1wd"')
    with pytest.raises(PlanError, match="supervision.levels"):
        loads(text)
    text = SUPERVISED.replace('before = "2wd"', 'before = "soon"')
    with pytest.raises(PlanError, match="2wd"):
        loads(text)


def test_cli_reminders_lists_what_tick_sends(tmp_path):
    plan = tmp_path / "sup.toml"
    plan.write_text(SUPERVISED, encoding="utf-8")
    db = str(tmp_path / "sup.db")
    run = lambda *a: CliRunner().invoke(cli, ["run", *a], catch_exceptions=False)  # noqa: E731
    assert run("init", str(plan), "--db", db, "--now", "2020-07-01T09:00").exit_code == 0
    assert "nothing due" in run("reminders", "--db", db, "--now", "2020-07-29T12:00").output
    due = json.loads(run("reminders", "--db", db, "--now", "2020-07-30T00:00", "--format", "json").output)["due"]
    assert [(d["kind"], d["to"]) for d in due] == [("reminded", "town")]
    assert json.loads(run("reminders", "--db", db, "--now", "2020-07-30T00:00", "--format", "json").output)["due"]
    tick = run("tick", "--db", db, "--now", "2020-08-06T00:00")
    assert "alerted" in tick.output and "duchashi" in tick.output
    assert "nothing due" in run("reminders", "--db", db, "--now", "2020-08-06T00:00").output


def test_an_engine_given_another_host_ladder_is_refused(make_engine, tmp_path):
    from campaignflow.errors import PlanChangedError, SupervisionChangedError

    def _bare():  # the campaign without a [supervision] of its own: the host gives the ladder
        return attrs.evolve(_campaign(), supervision=None)

    path = tmp_path / "office.db"
    a = make_engine(_bare(), store=SQLiteStore(path), supervision=LADDER)
    # The same ladder, built anew, opens it; another ladder, or none, is refused with both fingerprints.
    same = Supervision(reminders=tuple(LADDER.reminders), levels=tuple(LADDER.levels))
    b = make_engine(_bare(), store=SQLiteStore(path), supervision=same)
    assert b.tick(datetime(2020, 9, 27)) and a.tick(datetime(2020, 9, 27)) == []
    other = Supervision(levels=(AlertLevel("red", Lag(1), to="audit"),))
    with pytest.raises(SupervisionChangedError) as info:
        make_engine(_bare(), store=SQLiteStore(path), supervision=other)
    assert isinstance(info.value, PlanChangedError) and info.value.running != info.value.given
    assert "host ladder" in info.value.text.en and "督办规则" in info.value.text.get("zh")
    with pytest.raises(SupervisionChangedError, match="no host ladder"):
        make_engine(_bare(), store=SQLiteStore(path))
    # Nothing was written by the refused engines.
    assert [e.kind for e in SQLiteStore(path).read("ah-test")] == [EventKind.OPENED, EventKind.REMINDED]
    # A campaign opened without a host ladder refuses an engine given one.
    plain = tmp_path / "plain.db"
    make_engine(_bare(), store=SQLiteStore(plain))
    with pytest.raises(SupervisionChangedError):
        make_engine(_bare(), store=SQLiteStore(plain), supervision=LADDER)
    make_engine(_bare(), store=SQLiteStore(plain))  # and opens again as it was


def test_a_look_ahead_lists_what_falls_due_in_the_window_without_firing_it(make_engine):
    from datetime import timedelta

    engine = make_engine(_campaign())
    now = datetime(2020, 9, 25, 12)
    ahead = engine.reminders(now, within=timedelta(days=3))
    assert [(d.kind, d.at, d.ref) for d in ahead] == [
        (EventKind.REMINDED, datetime(2020, 9, 27), "remind:0@2020-10-01T00:00")]
    assert engine.reminders(now) == []  # nothing due now
    # Seven working days on the calendar (the holiday skipped, 调休 Saturday 10-10 counted) reach orange.
    week = engine.reminders(now, within=Lag(7, working=True))
    assert [d.ref.split("@")[0] for d in week] == ["remind:0", "due", "level:blue", "level:orange"]
    assert week[-1].at == datetime(2020, 10, 11) and all(a.at <= b.at for a, b in zip(week, week[1:]))
    assert engine.seq == 1  # nothing fired, nothing written
    # What the look-ahead says is what tick sends when the time comes.
    assert [(e.kind, e.ref, e.target) for e in engine.tick(datetime(2020, 10, 11))] == [
        (d.kind, d.ref, d.target) for d in week[1:]]


def test_cli_reminders_within(tmp_path):
    plan = tmp_path / "sup.toml"
    plan.write_text(SUPERVISED, encoding="utf-8")
    db = str(tmp_path / "sup.db")
    run = lambda *a: CliRunner().invoke(cli, ["run", *a], catch_exceptions=False)  # noqa: E731
    assert run("init", str(plan), "--db", db, "--now", "2020-07-01T09:00").exit_code == 0
    out = run("reminders", "--db", db, "--now", "2020-07-27T12:00", "--within", "5d", "--format", "json")
    due = json.loads(out.output)["due"]
    assert [(d["kind"], d["to"], d["at"]) for d in due] == [
        ("reminded", "town", "2020-07-30T00:00:00"), ("overdue", None, "2020-08-01T00:00:00"),
        ("alerted", "town", "2020-08-01T00:00:00")]
    text = run("reminders", "--db", db, "--now", "2020-07-27T12:00", "--within", "5d").output
    assert "2020-07-30 00:00" in text and "duchashi" not in text
    assert "nothing due" in run("reminders", "--db", db, "--now", "2020-07-27T12:00").output
    bad = CliRunner().invoke(cli, ["run", "reminders", "--db", db, "--within", "soon"])
    assert bad.exit_code == 2 and "3d" in bad.output and "Traceback" not in bad.output
