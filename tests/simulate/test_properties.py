"""Properties of schedules and Monte-Carlo runs on generated plans (Hypothesis)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignflow.model import Campaign, Duration, start_instant
from campaignflow.plugins.manager import default_plugins
from campaignflow.simulate import Schedule, schedule, simulate
from campaignflow.testing import strategies as cfst

# One second: instants are whole seconds, working time is a float.
TOL = timedelta(seconds=1)
EPS = 1e-9


@st.composite
def plans(draw: st.DrawFn, *, max_tasks: int = 8) -> Campaign:
    """Valid plans, with capacities tight enough that units must take turns."""
    campaign = draw(cfst.campaigns(max_tasks=max_tasks, max_units=4, repeat=True, templates=True, approvals=True))
    units = {uid: attrs.evolve(u, capacity=draw(st.sampled_from((None, 1, 1, 2)))) for uid, u in campaign.units.items()}
    return attrs.evolve(campaign, units=units)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _check_schedule(campaign: Campaign, s: Schedule) -> None:
    calendar = default_plugins().calendar(campaign.calendar)
    for task in campaign.tasks.values():
        t = s.task(task.id)
        if task.window.fixed:
            # Fixed events sit on their date.
            assert _naive(t.start) == start_instant(task.window.on)  # type: ignore[arg-type]
        else:
            assert calendar.is_working_day(t.start.date()), (task.id, t.start)
            earliest = task.window.earliest()
            if earliest is not None:
                assert _naive(t.start) >= earliest - TOL
            for dep in task.after:
                pred = s.task(dep.task)
                lag = max(dep.lag.days, 0.0)
                if dep.lag.working:
                    assert t.start_pos >= pred.finish_pos + lag - EPS
                else:
                    assert t.start >= pred.finish + timedelta(days=lag) - TOL, (task.id, dep)
        # Approval steps run in order, after the work, on working days.
        prev = t.work_finish_pos
        for step in t.approvals:
            assert step.start_pos >= prev - EPS
            assert step.finish_pos >= step.start_pos
            assert calendar.is_working_day(step.start.date())
            prev = step.finish_pos
        assert t.finish_pos == prev


def _check_capacity(campaign: Campaign, s: Schedule) -> None:
    by_unit: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for task in campaign.tasks.values():
        t = s.task(task.id)
        if not task.window.fixed and t.work_finish_pos > t.start_pos:
            by_unit[task.lead].append((t.start_pos, t.work_finish_pos))
    for uid, spans in by_unit.items():
        cap = campaign.units[uid].capacity
        if cap is None:
            continue
        for begin, _ in spans:
            running = sum(1 for a, b in spans if a <= begin < b)
            assert running <= cap, (uid, begin, spans)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_schedule_respects_every_constraint(campaign: Campaign) -> None:
    s = schedule(campaign)
    _check_schedule(campaign, s)
    _check_capacity(campaign, s)
    assert s == schedule(campaign)  # deterministic


def _without_spread(campaign: Campaign) -> Campaign:
    tasks = {}
    for tid, task in campaign.tasks.items():
        steps = tuple(a if a.within is None else attrs.evolve(a, within=Duration(a.within.likely))
                      for a in task.approvals)
        tasks[tid] = attrs.evolve(task, duration=Duration(task.duration.likely), approvals=steps)
    return attrs.evolve(campaign, tasks=tasks)


def _engines() -> list[str]:
    try:
        import numpy  # noqa: F401
    except ImportError:
        return ["python"]
    return ["python", "numpy"]


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.sampled_from(_engines()), st.sampled_from(("pert", "triangular")))
def test_zero_variance_equals_the_deterministic_schedule(campaign: Campaign, engine: str, dist: str) -> None:
    campaign = _without_spread(campaign)
    result = simulate(campaign, runs=7, seed=3, engine=engine, distribution=dist, approval_spread=(1.0, 1.0))
    base = result.schedule
    for risk, timing in zip(result.tasks, base.tasks, strict=True):
        # The core schedules in whole units, the runs in floats: equal to rounding (office hours make 1/7 days).
        assert risk.p50_pos == pytest.approx(timing.finish_pos, abs=1e-9) == risk.p90_pos
        assert risk.mean_pos == pytest.approx(timing.finish_pos, abs=1e-9)
        if timing.met is not None:
            assert risk.probability == (1.0 if timing.met else 0.0)
    for risk, deadline in zip(result.deadlines, base.deadlines, strict=True):
        assert (risk.task, risk.step) == (deadline.task, deadline.step)
        assert risk.probability == (1.0 if deadline.met else 0.0)
    assert sum(r.criticality for r in result.tasks) >= 1.0


def _one_sided(campaign: Campaign, *, later: bool) -> Campaign:
    tasks = {}
    for tid, task in campaign.tasks.items():
        d = task.duration
        spread = Duration(d.likely, None, d.likely + 2) if later else Duration(d.likely, d.likely / 2, None)
        tasks[tid] = attrs.evolve(task, duration=spread)
    return attrs.evolve(campaign, tasks=tasks)


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.booleans(), st.sampled_from(_engines()))
def test_runs_keep_the_planned_order_so_longer_work_never_finishes_earlier(campaign: Campaign, later: bool,
                                                                          engine: str) -> None:
    campaign = _one_sided(_without_spread(campaign), later=later)
    result = simulate(campaign, runs=20, seed=11, engine=engine, approval_spread=(1.0, 1.0))
    for risk, timing in zip(result.tasks, result.schedule.tasks, strict=True):
        assert risk.p50_pos <= risk.p90_pos + EPS
        if later:
            assert risk.p50_pos >= timing.finish_pos - EPS
        else:
            assert risk.p90_pos <= timing.finish_pos + EPS
        assert 0.0 <= risk.criticality <= 1.0
        assert risk.probability is None or 0.0 <= risk.probability <= 1.0


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.sampled_from(_engines()), st.integers(0, 2**32 - 1))
def test_same_seed_same_numbers(campaign: Campaign, engine: str, seed: int) -> None:
    kwargs = dict(runs=15, seed=seed, engine=engine, reject_rate=0.3)
    assert simulate(campaign, **kwargs) == simulate(campaign, **kwargs)  # type: ignore[arg-type]
