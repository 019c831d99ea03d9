"""Approval-step timers (``step:N:R``) on the ``[supervision]`` ladder: reminders before, levels after, once each."""

from __future__ import annotations

from datetime import date, datetime

from runtime_support import AUD, FIN, FPB, HF, small_campaign

from campaignflow.model import AlertLevel, Approval, Duration, Lag, Reminder, Supervision, Task, Window
from campaignflow.runtime import EventKind, SQLiteStore, replay
from campaignflow.runtime.timers import due_timers

LADDER = Supervision(
    reminders=(Reminder(Lag(1, working=True), to="lead"),),
    levels=(AlertLevel("blue", Lag(0), to="lead"), AlertLevel("orange", Lag(1, working=True), to="parent"),
            AlertLevel("red", Lag(3), to="audit")),
)


def _fired(events):
    return [(e.kind, e.unit, e.target, e.ref, e.step) for e in events]


def test_an_approval_step_climbs_the_ladder_once_per_round(make_engine, clock):
    engine = make_engine(small_campaign(supervision=LADDER))
    clock.set(datetime(2020, 7, 3, 10))  # a Friday: the step (3 working days) is due Wednesday 07-08 10:00
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    assert engine.tick(datetime(2020, 7, 7, 9, 59)) == []
    assert _fired(engine.tick(datetime(2020, 7, 7, 10))) == [
        (EventKind.REMINDED, "ah-fpb", "ah-fpb", "remind:0@step:0:1", 0)]
    assert engine.tick(datetime(2020, 7, 7, 12)) == []  # once
    # At the step's time: overdue, and the ladder replaces the one-level escalation (no ``escalated``).
    assert _fired(engine.tick(datetime(2020, 7, 8, 10))) == [
        (EventKind.OVERDUE, "ah-fpb", None, "step:0:1", 0),
        (EventKind.ALERTED, "ah-fpb", "ah-fpb", "level:blue@step:0:1", 0)]
    assert _fired(engine.tick(datetime(2020, 7, 9, 10))) == [
        (EventKind.ALERTED, "ah-fpb", "ah", "level:orange@step:0:1", 0)]
    assert _fired(engine.tick(datetime(2020, 7, 11, 10))) == [
        (EventKind.ALERTED, "ah-fpb", "audit", "level:red@step:0:1", 0)]
    assert engine.tick(datetime(2020, 7, 20)) == []
    view = engine.task("city-plan@hf")
    assert view.level == "red" and view.overdue and view.escalated_to == ("ah", "audit")
    # Rejected and submitted again: a new round arms a fresh set.
    engine.reject("city-plan@hf", FPB, reason="重写")
    clock.set(datetime(2020, 7, 20, 9))  # a Monday: due Thursday 07-23 09:00
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    assert [e.ref for e in engine.tick(datetime(2020, 7, 22, 9))] == ["remind:0@step:0:2"]
    assert replay("ah-test", engine.store.read("ah-test")) == engine.state


def test_a_step_of_two_units_reminds_each_until_it_approves_and_alerts_a_shared_parent_once(make_engine, clock):
    task = Task("accounts", "账目", lead="hf", window=Window(due=date(2020, 9, 30)),
                approvals=(Approval(by=("finance", "audit"), mode="all", within=Duration(2)),))
    campaign = small_campaign(tasks={"accounts": task}, supervision=LADDER)
    engine = make_engine(campaign)
    clock.set(datetime(2020, 7, 6, 9))  # Monday: due Wednesday 07-08 09:00; reminder Tuesday 09:00
    engine.start("accounts", HF)
    engine.submit("accounts", HF)
    engine.approve("accounts", FIN)  # finance has approved: only audit is reminded
    assert _fired(engine.tick(datetime(2020, 7, 7, 9))) == [
        (EventKind.REMINDED, "audit", "audit", "remind:0@step:0:1", 0)]
    events = engine.tick(datetime(2020, 7, 9, 9))
    assert _fired(events) == [
        (EventKind.OVERDUE, "audit", None, "step:0:1", 0),
        (EventKind.ALERTED, "audit", "audit", "level:blue@step:0:1", 0),
        (EventKind.ALERTED, "audit", "ah", "level:orange@step:0:1", 0)]
    engine.approve("accounts", AUD)
    assert engine.task("accounts").state == "done"
    assert engine.tick(datetime(2020, 12, 1)) == []  # done: neither the step's nor the deadline's timers


def test_both_pending_units_are_reached_and_their_parent_once(make_engine, clock):
    task = Task("accounts", "账目", lead="hf",
                approvals=(Approval(by=("finance", "audit"), mode="all", within=Duration(2)),))
    engine = make_engine(small_campaign(tasks={"accounts": task}, supervision=LADDER))
    clock.set(datetime(2020, 7, 6, 9))
    engine.start("accounts", HF)
    engine.submit("accounts", HF)
    # A late first tick: the reminder is too late to send; each pending unit gets the blue level,
    # their shared parent one orange alert.
    events = engine.tick(datetime(2020, 7, 9, 9))
    assert [(e.kind, e.unit, e.target) for e in events] == [
        (EventKind.OVERDUE, "finance", None), (EventKind.ALERTED, "finance", "finance"),
        (EventKind.ALERTED, "audit", "audit"), (EventKind.ALERTED, "finance", "ah")]


def test_without_levels_a_step_keeps_the_one_level_escalation_and_gets_reminders(make_engine, clock):
    engine = make_engine(small_campaign(supervision=Supervision(reminders=LADDER.reminders)))
    clock.set(datetime(2020, 7, 3, 10))
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    assert [e.kind for e in engine.tick(datetime(2020, 7, 7, 10))] == [EventKind.REMINDED]
    assert [(e.kind, e.target) for e in engine.tick(datetime(2020, 7, 8, 10))] == [
        (EventKind.OVERDUE, None), (EventKind.ESCALATED, "ah")]


def test_step_timers_on_the_heap_equal_the_scan_and_fire_once_across_processes(make_engine, clock, tmp_path):
    path = tmp_path / "office.db"
    a = make_engine(small_campaign(supervision=LADDER), store=SQLiteStore(path))
    b = make_engine(small_campaign(supervision=LADDER), store=SQLiteStore(path))
    clock.set(datetime(2020, 7, 3, 10))
    a.start("city-plan@hf", HF)
    a.submit("city-plan@hf", HF)
    for moment in (datetime(2020, 7, 6), datetime(2020, 7, 7, 10), datetime(2020, 7, 9, 12)):
        b.tick(moment.replace(hour=0))  # b fires what is due at midnight, on its own heap
        expected = due_timers(a.plan, a.state, moment, a.axis, a.supervision)
        got = a.tick(moment)
        assert [(e.kind, e.ref, e.target) for e in got] == [(d.kind, d.ref, d.target) for d in expected]
        assert b.tick(moment) == []  # a fired them: b, on the same log, fires nothing again
    refs = [e.ref for e in a.store.read("ah-test") if e.kind in (EventKind.REMINDED, EventKind.ALERTED)]
    assert refs == ["remind:0@step:0:1", "level:blue@step:0:1", "level:orange@step:0:1"]
