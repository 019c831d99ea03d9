"""The compiled plan and the critical path method, against times worked out by hand.

Calendar: weekdays. The campaign starts on Monday 2020-10-05 (working time 0)
and ends on Friday 2020-10-30 (its end, Oct 31 00:00, is working time 20).
"""

from __future__ import annotations

from datetime import date, datetime

import attrs
import pytest

from campaignflow import cpm, cpm_levels
from campaignflow.calendar import AllDays, Weekdays
from campaignflow.cpm import compile_plan, forward_pass, passes
from campaignflow.errors import CycleError, PlanError
from campaignflow.graph import critical_path
from campaignflow.model import Approval, Campaign, Dependency, Duration, Lag, Task, Unit, Window



@pytest.fixture(autouse=True, params=["numpy", "python"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with the level-at-a-time numpy passes and with the scalar ones."""
    if request.param == "python":
        monkeypatch.setattr(cpm, "_numpy", lambda: None)
    else:
        pytest.importorskip("numpy")
    return str(request.param)


UNITS = {
    "office": Unit(id="office", name="办公室", capacity=2),
    "bureau": Unit(id="bureau", name="局", parent="office"),
    "town": Unit(id="town", name="镇", parent="bureau", capacity=1),
}


def task(tid: str, *after: str | Dependency, **kw: object) -> Task:
    deps = tuple(a if isinstance(a, Dependency) else Dependency(a) for a in after)
    kw.setdefault("lead", "town")
    return Task(id=tid, title=tid, after=deps, **kw)  # type: ignore[arg-type]


def campaign(*tasks: Task, calendar: str = "weekdays", start: date = date(2020, 10, 5),
             end: date = date(2020, 10, 30)) -> Campaign:
    return Campaign(id="c", name="c", start=start, end=end, calendar=calendar, units=UNITS,
                    tasks={t.id: t for t in tasks})


def hand_plan(print_days: float = 1.0) -> Campaign:
    return campaign(
        task("kickoff", window=Window(on=date(2020, 10, 5))),
        task("draft", "kickoff", duration=Duration(3), approvals=(
            Approval(by="office", within=Duration(1)), Approval(by="bureau"))),
        task("print", Dependency("draft", Lag.parse("1d")), duration=Duration(print_days)),
        task("ceremony", "print", window=Window(on=date(2020, 10, 17))),  # a Saturday
        task("summary", Dependency("ceremony", Lag.parse("2wd")), window=Window(due=date(2020, 10, 21))),
        task("side", window=Window(start=date(2020, 10, 7)), duration=Duration(2), lead="office"),
    )


def test_compiled_layout(engine: str) -> None:
    plan = compile_plan(hand_plan(), calendar=Weekdays())
    if engine == "numpy":
        # Depth 0: kickoff, side; 1: draft; 2, 3: its gates; 4: print; 5: ceremony; 6: summary.
        assert plan.level_ptr is not None and list(plan.level_ptr) == [0, 2, 3, 4, 5, 6, 7, 8]
        assert [plan.ids[v] for v in plan.order[:2]] == ["kickoff", "side"]
    else:
        assert plan.level_ptr is None
    assert plan.ids == ["kickoff", "draft", "draft/approval[0]", "draft/approval[1]", "print", "ceremony",
                        "summary", "side"]
    assert plan.index["draft/approval[1]"] == 3
    assert list(plan.is_gate) == [0, 0, 1, 1, 0, 0, 0, 0]
    assert list(plan.task_of) == [0, 1, 1, 1, 4, 5, 6, 7]
    # Gates take `within`, or approval_days (2.0) without it.
    assert list(plan.duration) == [1.0, 3.0, 1.0, 2.0, 1.0, 0.0, 1.0, 2.0]
    assert list(plan.fixed) == [1, 0, 0, 0, 0, 1, 0, 0]
    assert list(plan.earliest) == [0.0, -float("inf"), -float("inf"), -float("inf"), -float("inf"), 10.0,
                                   -float("inf"), 2.0]
    assert list(plan.deadline) == [1.0, float("inf"), float("inf"), float("inf"), float("inf"), 10.0, 13.0,
                                   float("inf")]
    assert plan.end == 20.0
    # CSR: draft <- kickoff; gate0 <- draft; gate1 <- gate0; print <- gate1 (1 calendar day) ...
    preds = {plan.ids[v]: [(plan.ids[p], plan.pred_lag[e], plan.pred_lag_working[e]) for p, e in plan.preds(v)]
             for v in range(len(plan))}
    assert preds == {
        "kickoff": [], "side": [],
        "draft": [("kickoff", 0.0, 1)],
        "draft/approval[0]": [("draft", 0.0, 1)],
        "draft/approval[1]": [("draft/approval[0]", 0.0, 1)],
        "print": [("draft/approval[1]", 1.0, 0)],
        "ceremony": [("print", 0.0, 1)],
        "summary": [("ceremony", 2.0, 1)],
    }
    succs = {plan.ids[v]: [plan.ids[s] for s, _ in plan.succs(v)] for v in range(len(plan))}
    assert succs["draft/approval[1]"] == ["print"] and succs["summary"] == []
    position = {v: i for i, v in enumerate(plan.order)}
    assert sorted(position) == list(range(len(plan)))
    assert all(position[p] < position[v] for v in range(len(plan)) for p, _ in plan.preds(v))
    # Units: leads, and a gate's approver.
    assert plan.units == ["office", "bureau", "town"]
    assert list(plan.capacity) == [2, 0, 1]
    assert [plan.units[u] for u in plan.lead] == ["town", "town", "office", "bureau", "town", "town", "town",
                                                 "office"]


def test_times_worked_out_by_hand() -> None:
    cp = critical_path(hand_plan(), calendar=Weekdays())
    got = {node: attrs.astuple(cp[node]) for node in cp}
    assert got == {
        # node:              (es,   ef,   ls,   lf,   slack)
        "kickoff": (0.0, 1.0, 0.0, 1.0, 0.0),  # pinned to Monday, due that evening
        "draft": (1.0, 4.0, 2.0, 5.0, 1.0),  # Tue .. Thu
        "draft/approval[0]": (4.0, 5.0, 5.0, 6.0, 1.0),  # Fri
        "draft/approval[1]": (5.0, 7.0, 6.0, 8.0, 1.0),  # Mon .. Tue Oct 13
        "print": (8.0, 9.0, 9.0, 10.0, 1.0),  # Tue 24:00 + 1 calendar day -> Thu Oct 15
        "ceremony": (10.0, 10.0, 10.0, 10.0, 0.0),  # Saturday: no working time
        "summary": (12.0, 13.0, 12.0, 13.0, 0.0),  # 2 working days later: Wed Oct 21, due that day
        "side": (2.0, 4.0, 18.0, 20.0, 16.0),  # free until the campaign's end
    }
    assert cp.critical == ("ceremony", "summary")
    assert cp.finish == 13.0
    assert cp.chain_to("print") == ("kickoff", "draft", "draft/approval[0]", "draft/approval[1]", "print")
    assert cp.chain_to("side") == ("side",)
    assert cp.late_events() == ()
    assert cp.earliest_start("print") == datetime(2020, 10, 15)
    assert cp.earliest_finish("draft") == datetime(2020, 10, 9)  # Thursday 24:00
    assert cp.earliest_finish("draft/approval[1]") == datetime(2020, 10, 14)
    assert cp.latest_finish("print") == datetime(2020, 10, 17)  # Friday 24:00
    assert cp.latest_start("side") == datetime(2020, 10, 29)
    assert cp.earliest_start("ceremony") == datetime(2020, 10, 17)  # its own day, not Monday
    assert cp.earliest_finish("ceremony") == datetime(2020, 10, 18)
    assert cp.slack("side") == 16.0
    assert cp.is_critical("summary") and not cp.is_critical("side")


def test_fixed_event_stays_pinned_when_its_prerequisite_is_late() -> None:
    cp = critical_path(hand_plan(print_days=4), calendar=Weekdays())
    assert cp["print"].ef == 12.0
    assert cp["ceremony"].es == 10.0  # pinned regardless
    assert cp.late_events() == ("ceremony",)
    assert cp.chain_to("ceremony") == ("kickoff", "draft", "draft/approval[0]", "draft/approval[1]", "print",
                                       "ceremony")
    assert cp.slack("print") == -2.0  # must finish by the ceremony (10.0), cannot before 12.0
    assert cp.slack("draft") == -2.0


def test_calendar_day_and_working_day_lags_differ_across_a_weekend() -> None:
    week = task("week", duration=Duration(5))  # Mon .. Fri 24:00
    cp = critical_path(campaign(
        week,
        task("cal", Dependency("week", Lag.parse("1d"))),  # Saturday 24:00 -> Monday
        task("work", Dependency("week", Lag.parse("1wd"))),  # Monday -> Tuesday
        task("week-lag", Dependency("week", Lag.parse("1w"))),  # 7 calendar days -> Monday after next
        task("hours", Dependency("week", Lag.parse("3.5h"))),  # half a working day (of 7 office hours)
    ), calendar=Weekdays())
    assert cp["cal"].es == 5.0 and cp.earliest_start("cal") == datetime(2020, 10, 12)
    assert cp["work"].es == 6.0 and cp.earliest_start("work") == datetime(2020, 10, 13)
    assert cp["week-lag"].es == 10.0
    assert cp["hours"].es == 5.5
    # Backwards, each lag is undone through the calendar: no slack goes negative.
    assert all(cp.slack(n) >= 0 for n in cp)


def test_deadlines_of_tasks_and_approval_steps_give_negative_slack() -> None:
    cp = critical_path(campaign(
        task("plan", duration=Duration(3), approvals=(Approval(by="bureau", within=Duration(2),
                                                               due=date(2020, 10, 8)),)),
        task("act", "plan", window=Window(due=date(2020, 10, 9))),
    ), calendar=Weekdays())
    # plan: Mon..Wed (0-3); approval Thu..Fri (3-5) but due Thursday evening (4).
    assert cp["plan/approval[0]"].lf == 4.0
    assert cp.slack("plan/approval[0]") == -1.0
    # act: Monday (5-6), due Friday evening (5).
    assert cp["act"].lf == 5.0 and cp.slack("act") == -1.0
    assert cp["plan"].lf == min(4.0 - 2.0, 5.0 - 1.0 - 2.0)
    assert cp.critical == ("plan", "plan/approval[0]", "act")


def test_event_at_a_moment_lasts_its_duration() -> None:
    cp = critical_path(campaign(
        task("meeting", window=Window(on=datetime(2020, 10, 6, 9)), duration=Duration.parse("4h")),
        task("minutes", "meeting"),
    ), calendar=Weekdays())
    # 09:00 is half an hour into 08:30-12:00 (1/14 of a 7-hour day); 4h later is 15:00 (lunch skipped).
    assert cp["meeting"].es == pytest.approx(1 + 1 / 14) and cp["meeting"].ef == pytest.approx(1 + 1 / 14 + 4 / 7)
    assert cp.earliest_finish("meeting") == datetime(2020, 10, 6, 15)
    assert cp.slack("meeting") == 0.0  # its deadline is its own end, not its start
    assert cp["minutes"].es == cp["meeting"].ef
    assert cp.earliest_start("meeting") == datetime(2020, 10, 6, 9)


def test_campaign_calendar_comes_from_the_plugins() -> None:
    # cn-workdays: Sep 28-30 worked, Oct 1-8 off, Oct 9 (Fri) and Oct 10 (Sat) worked.
    plan = campaign(task("a", duration=Duration(4)), task("b", "a"), calendar="cn-workdays",
                    start=date(2020, 9, 28))
    cp = critical_path(plan)
    assert cp.earliest_finish("a") == datetime(2020, 10, 10)
    assert cp.earliest_start("b") == datetime(2020, 10, 10)
    assert cp.earliest_finish("b") == datetime(2020, 10, 11)


def test_unconstrained_tasks_start_with_the_campaign_and_end_bounds_latest_times() -> None:
    cp = critical_path(campaign(task("a"), task("b", "a", duration=Duration(0))), calendar=AllDays())
    assert cp["a"].es == 0.0 and cp["b"].es == 1.0
    assert cp["b"].lf == 26.0 and cp["a"].lf == 26.0  # Oct 5 .. Oct 31 00:00: 26 days


def test_dependencies_on_missing_tasks_are_recorded_and_left_out() -> None:
    plan = compile_plan(campaign(task("a"), task("b", "a", "ghost")), calendar=Weekdays())
    assert plan.dangling == (("b", "ghost"),)
    assert [plan.ids[p] for p, _ in plan.preds(1)] == ["a"]


def test_durations_can_be_replaced_for_a_draw() -> None:
    plan = compile_plan(hand_plan(), calendar=Weekdays())
    durations = list(plan.duration)
    durations[plan.index["draft"]] = 8.0  # 5 more days: the approvals end on Tue Oct 20
    es, ef, ready, driver = forward_pass(plan, durations)
    assert ef[plan.index["draft/approval[1]"]] == 12.0
    assert ready[plan.index["ceremony"]] == 14.0 > es[plan.index["ceremony"]]
    assert plan.ids[driver[plan.index["print"]]] == "draft/approval[1]"
    assert passes(plan).ef[plan.index["draft"]] == 4.0  # the plan itself is untouched


def test_cycle_error_is_one_problem_located_at_each_hop() -> None:
    plan = campaign(
        task("start"),
        task("a", "start", "c"),
        task("b", "a", approvals=(Approval(by="bureau"),)),
        task("c", "b"),
        task("downstream", "c"),
    )
    with pytest.raises(CycleError) as info:
        compile_plan(plan, calendar=Weekdays())
    err = info.value
    assert isinstance(err, PlanError)
    assert err.cycle == ("a", "b", "c")
    # One cycle, one message: the first hop is the location, the others are related locations.
    (problem,) = err.problems
    assert [problem.location.key_path, *(r.key_path for r in problem.related)] == [
        "tasks.a.after[1]", "tasks.b.after[0]", "tasks.c.after[0]"]
    assert "a → b → c → a" in str(err)
    assert err.problems[0].message.zh is not None and "循环" in err.problems[0].message.zh


def test_self_dependency_is_a_cycle_of_one() -> None:
    with pytest.raises(CycleError) as info:
        critical_path(campaign(task("loop", "loop", approvals=(Approval(by="office"),))), calendar=Weekdays())
    assert info.value.cycle == ("loop",)
    assert info.value.problems[0].location.key_path == "tasks.loop.after[0]"


def test_empty_campaign() -> None:
    cp = critical_path(campaign(), calendar=Weekdays())
    assert len(cp) == 0 and cp.critical == () and cp.finish == 0.0


def test_too_deep_a_graph_goes_one_node_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpm_levels, "_max_levels", lambda n, m: 3)
    plan = compile_plan(hand_plan(), calendar=Weekdays())
    assert plan.level_ptr is None
    assert passes(plan).es[plan.index["summary"]] == 12.0
