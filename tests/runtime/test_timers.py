"""Timers: overdue deadlines and approval steps escalate to the responsible unit's parent."""

from __future__ import annotations

from datetime import date, datetime

from runtime_support import FPB, HF, small_campaign

from campaignflow.model import Unit
from campaignflow.runtime import EventKind, escalation_targets


def _kinds(events):
    return [(e.kind, e.task, e.unit, e.target, e.ref) for e in events]


def test_nothing_fires_before_a_deadline(engine, clock):
    assert engine.tick(datetime(2020, 7, 31, 23, 59)) == []


def test_a_missed_deadline_is_recorded_once_and_escalated_to_the_parent(engine, clock):
    engine.start("city-plan@hf", HF)
    events = engine.tick(datetime(2020, 8, 1, 0, 0))
    assert _kinds(events) == [
        (EventKind.OVERDUE, "city-plan@hf", "hf", None, "due@2020-08-01T00:00"),
        (EventKind.ESCALATED, "city-plan@hf", "hf", "ah", "due@2020-08-01T00:00"),
        (EventKind.OVERDUE, "city-plan@wh", "wh", None, "due@2020-08-01T00:00"),
        (EventKind.ESCALATED, "city-plan@wh", "wh", "ah", "due@2020-08-01T00:00"),
    ]
    assert events[0].at == datetime(2020, 8, 1)
    view = engine.task("city-plan@hf")
    assert view.overdue and view.escalated_to == ("ah",)
    assert engine.tasks(overdue=True) == [view, engine.task("city-plan@wh")]
    assert engine.tick(datetime(2020, 8, 5)) == []  # each timer fires once


def test_done_and_cancelled_tasks_are_never_overdue(engine):
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    engine.approve("city-plan@hf", FPB)
    engine.cancel("city-plan@wh", FPB, reason="合并")
    assert engine.tick(datetime(2020, 9, 1)) == []


def test_an_approval_step_past_within_escalates_from_the_approver(engine, clock):
    clock.set(datetime(2020, 7, 3, 10))  # a Friday
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    # within = 3 working days: Mon, Tue, Wed -> due Wednesday 10:00, not before.
    assert engine.task("city-plan@hf").step_due == datetime(2020, 7, 8, 10)
    assert engine.tick(datetime(2020, 7, 8, 9, 59)) == []
    events = engine.tick(datetime(2020, 7, 8, 10))
    assert _kinds(events) == [(EventKind.OVERDUE, "city-plan@hf", "ah-fpb", None, "step:0:1"),
                              (EventKind.ESCALATED, "city-plan@hf", "ah-fpb", "ah", "step:0:1")]
    assert events[0].step == 0
    assert engine.task("city-plan@hf").overdue
    # Rejected and resubmitted: a new round, a new timer.
    engine.reject("city-plan@hf", FPB, reason="重写")
    clock.set(datetime(2020, 7, 9, 9))
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    assert not engine.task("city-plan@hf").overdue
    assert [e.ref for e in engine.tick(datetime(2020, 7, 14, 9)) if e.kind is EventKind.OVERDUE] == ["step:0:2"]


def test_escalation_rule_parent_then_issuer_then_nobody():
    campaign = small_campaign(units={
        "ah": Unit("ah", "省"), "ah-fpb": Unit("ah-fpb", "省扶贫办"), "hf": Unit("hf", "合肥", parent="ah")})
    assert escalation_targets(campaign, ["hf"]) == ("ah",)
    assert escalation_targets(campaign, ["ah"]) == ("ah-fpb",)  # no parent: the issuer
    assert escalation_targets(campaign, ["ah-fpb"]) == ()  # the issuer itself: no one
    assert escalation_targets(campaign, ["hf", "hf", "ah"]) == ("ah", "ah-fpb")


def test_tick_uses_the_clock_by_default(engine, clock):
    clock.set(datetime.combine(date(2020, 8, 2), datetime.min.time()))
    assert {e.task for e in engine.tick()} == {"city-plan@hf", "city-plan@wh"}


def test_a_log_from_before_deadline_stamped_timer_ids_does_not_fire_again(make_engine):
    from campaignflow.runtime import Draft, MemoryStore

    store = MemoryStore()
    engine = make_engine(store=store)
    # The overdue event as an older version wrote it: timer id "due".
    old = Draft(campaign="ah-test", kind=EventKind.OVERDUE, at=datetime(2020, 8, 1), task="city-plan@hf", unit="hf",
                from_state="ready", to_state="ready", ref="due")
    store.append("ah-test", [old.seal(2, engine.state.head)], expected_seq=1)
    engine.refresh()
    assert engine.task("city-plan@hf").overdue
    assert {e.task for e in engine.tick(datetime(2020, 8, 2)) if e.kind is EventKind.OVERDUE} == {"city-plan@wh"}
