"""The plan goes through the scheduling core: compiled to a ``SchedulingProblem``, checked twice.

The core's own checker (``check_schedule``) verifies the compiled problem's
schedule, and the plan-level checker of ``test_properties`` (written against
the model and the calendar, not the core) verifies the plan's; times that no
unit of the core represents exactly are rounded up and stay feasible; CP-SAT
on calendar-day lags says it solved a relaxation.
"""

from __future__ import annotations

import os

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignflow.model import Campaign, Duration
from campaignflow.simulate import schedule
from campaignflow.simulate.optimize import available
from campaignflow.simulate.rcpsp import check_schedule
from campaignflow.simulate.schedule import _PlanProblem, _prepare, _priorities

from test_properties import _check_capacity, _check_schedule, plans
from test_schedule import national_day_plan

_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _core_starts(campaign: Campaign, effort: int) -> tuple[_PlanProblem, list[int]]:
    prep = _prepare(campaign, None, None, None)
    compiled = _PlanProblem(prep.net, _priorities(prep.plan, prep.net.dur))
    s = schedule(campaign, effort=effort)
    # Back from the plan's working time to the core's integer units.
    pos = [p for t in s.tasks for p in (t.start_pos, *(a.start_pos for a in t.approvals))]
    starts = [round((x - compiled.offset) * compiled.scale) for x in pos]
    return compiled, starts


@_SETTINGS
@given(plans(), st.sampled_from([1, 20]))
def test_the_plans_schedule_is_a_feasible_schedule_of_its_compiled_problem(campaign: Campaign, effort: int) -> None:
    compiled, starts = _core_starts(campaign, effort)
    p = compiled.problem
    for v in range(p.n):
        if p.fixed[v] is not None:
            starts[v] = p.fixed[v]  # an event's own instant may lie inside its first unit
    assert check_schedule(p, starts) == []


def _odd_durations(campaign: Campaign, parts: int) -> Campaign:
    tasks = {tid: attrs.evolve(t, duration=Duration(round(t.duration.likely + 1 / parts, 9)))
             for tid, t in campaign.tasks.items()}
    return attrs.evolve(campaign, tasks=tasks)


@_SETTINGS
@given(plans(), st.sampled_from([3, 7, 11]))
def test_times_no_unit_represents_are_rounded_up_and_stay_feasible(campaign: Campaign, parts: int) -> None:
    odd = _odd_durations(campaign, parts)
    for effort in (1, 15):
        s = schedule(odd, effort=effort)
        _check_schedule(odd, s)
        _check_capacity(odd, s)
        assert s.bound_pos <= s.finish_pos + 1e-9


def test_the_unit_is_the_coarsest_that_is_exact() -> None:
    prep = _prepare(national_day_plan(), None, None, None)
    assert _PlanProblem(prep.net, _priorities(prep.plan, prep.net.dur)).scale == 1
    half = attrs.evolve(national_day_plan(), tasks={
        tid: attrs.evolve(t, duration=Duration(t.duration.likely + 0.25)) if not t.window.fixed else t
        for tid, t in national_day_plan().tasks.items()})
    prep = _prepare(half, None, None, None)
    compiled = _PlanProblem(prep.net, _priorities(prep.plan, prep.net.dur))
    assert compiled.scale == 4 and compiled.exact


def test_cpsat_says_when_calendar_lags_made_it_a_relaxation() -> None:
    if not available():
        if os.environ.get("CI") == "true":
            pytest.fail("OR-Tools must be installed under CI (extra optimize)")
        pytest.skip("OR-Tools not installed (pip install 'campaignflow[optimize]')")
    c = national_day_plan()  # draft waits 2 calendar days after survey
    s = schedule(c, optimize=True, time_limit=2.0)
    assert s.scheduler == "cpsat" and "relaxed" in s.method
    _check_schedule(c, s)
    _check_capacity(c, s)
    plain = schedule(c, effort=20)
    assert len(s.missed) <= len(plain.missed)
    assert s.bound_pos <= min(s.finish_pos, plain.finish_pos) + 1e-9
