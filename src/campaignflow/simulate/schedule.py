"""The deterministic, resource-constrained schedule of a campaign.

The plan is compiled to the scheduling core's problem (``rcpsp.SchedulingProblem``,
see ``_PlanProblem``) and scheduled by the core, the same code that schedules
the PSPLIB benchmark; CP-SAT (``--optimize``) gets the same problem. The first
pass is the core's parallel (non-delay) schedule generation scheme on working
time, with least-slack priorities:

- A node (a task's work, or one approval step) is *released* when all its
  prerequisites have finished, at the later of their finish plus lag and its
  own earliest start. A node without prerequisites or earliest start is
  released at 0, the campaign's start.
- Work led by a unit with a ``capacity`` needs one of the unit's slots; when
  several released tasks wait for the same unit, the one with the **least
  slack** goes first: the smallest latest start from the critical path method
  (deadlines and the campaign's end included), then plan order. Work of a unit
  without a capacity, and approval steps (the approver's time, not the lead's),
  start as soon as they are released.
- Fixed (``on``) events are placed on their date whatever comes before them and
  take no slot; a fixed event whose prerequisites finish late is reported, and
  so is a day on which a unit's events and running work outnumber its capacity
  (``Schedule.overbooked``, counted as check CF301 counts them).
- Negative lags count as zero: a task always waits for its prerequisites.

More effort adds the core's other passes, sampling and forward-backward
improvement (``_run``). The same plan, effort and seed always give the same
schedule. The schedule also records its sequencing decisions (which task
followed which on each of a unit's slots, read off the core's starts); the
Monte-Carlo engine re-times exactly those decisions.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ..cpm import CompiledPlan, backward_pass, compile_plan, forward_pass, resolve_axis
from ..model import Campaign, end_instant, start_instant, task_deadline
from ._table import _LagTable
from .rcpsp import SchedulingProblem
from .results import Overbooking, Schedule, StepTiming, TaskTiming
from .scenario import Scenario

if TYPE_CHECKING:
    from ..calendar import Calendar
    from ..plugins.manager import Plugins

__all__ = ["schedule", "DEFAULT_APPROVAL_DAYS"]

#: Working days an approval step takes when it gives no ``within`` (``--approval-days``).
DEFAULT_APPROVAL_DAYS = 2.0

_INF = math.inf
# Float noise from converting whole-second instants back to working time.
_EPS = 1e-9


class _Net:
    """The compiled plan as plain lists, with what the scheduler adds to it.

    ``res[v]`` is the unit whose capacity node ``v`` needs, -1 for none;
    ``lb[v]`` the earliest it may be released (-inf: only its prerequisites say).
    """

    def __init__(self, plan: CompiledPlan, table: _LagTable) -> None:
        self.plan = plan
        self.table = table
        n = self.n = len(plan.ids)
        self.dur = plan.duration.tolist()
        self.fixed = list(plan.fixed)
        self.is_gate = list(plan.is_gate)
        self.task_of = plan.task_of.tolist()
        self.deadline = plan.deadline.tolist()
        self.pred_ptr = plan.pred_ptr.tolist()
        self.pred_idx = plan.pred_idx.tolist()
        # Negative lags count as zero (see the module docstring).
        self.pred_lag = [lag if lag > 0 else 0.0 for lag in plan.pred_lag.tolist()]
        self.pred_working = list(plan.pred_lag_working)
        self.succ_ptr = plan.succ_ptr.tolist()
        self.succ_idx = plan.succ_idx.tolist()
        self.succ_edge = plan.succ_edge.tolist()
        earliest = plan.earliest.tolist()
        self.earliest = earliest
        pp = self.pred_ptr
        self.lb = [e if e > -_INF else (0.0 if pp[v] == pp[v + 1] else -_INF) for v, e in enumerate(earliest)]
        cap = plan.capacity.tolist()
        lead = plan.lead.tolist()
        self.cap = cap
        self.res = [lead[v] if (lead[v] >= 0 and cap[lead[v]] > 0 and not self.is_gate[v] and not self.fixed[v])
                    else -1 for v in range(n)]
        self._after: dict[tuple[float, float], float] = {}

    def lagged(self, finish: float, e: int) -> float:
        """When a successor may start if edge ``e``'s source finishes at ``finish``."""
        lag = self.pred_lag[e]
        if lag == 0.0:
            return finish
        if self.pred_working[e]:
            return finish + lag
        key = (finish, lag)
        t = self._after.get(key)
        if t is None:
            t = self._after[key] = self.table.after(finish, lag)
        return t

    def unlagged(self, start: float, e: int) -> float:
        """The latest finish of edge ``e``'s source for its target to start at ``start``."""
        lag = self.pred_lag[e]
        if lag == 0.0:
            return start
        if self.pred_working[e]:
            return start - lag
        return self.table.before(start, lag)


@attrs.define
class _Timing:
    """One scheduling of a ``_Net``: times per node and the decisions taken.

    ``seq`` lists the non-fixed nodes in the order they were started; every
    node's prerequisites and slot predecessor come before it. ``slot_prev[v]``
    is the node that used the same slot of the same unit just before ``v``.
    """

    start: list[float]
    finish: list[float]
    ready: list[float]
    slot_prev: list[int]
    seq: list[int]


def _priorities(plan: CompiledPlan, dur: Sequence[float]) -> list[float]:
    ls, _ = backward_pass(plan, dur)
    return ls.tolist()


def _slack(net: _Net, timing: _Timing, end: float) -> list[float]:
    """Working days each node may slip without missing a deadline or the campaign's end.

    A backward pass over the schedule as made: a node must finish before its
    successors' latest starts (less lag), before the next node on its slot
    starts, by its deadline and by the campaign's end.
    """
    n = net.n
    lf = [d if d < end else end for d in net.deadline]
    ls = [0.0] * n
    pp, pi = net.pred_ptr, net.pred_idx
    start, dur = timing.start, net.dur

    def pull(v: int, latest_start: float) -> None:
        for e in range(pp[v], pp[v + 1]):
            t = net.unlagged(latest_start, e)
            p = pi[e]
            if t < lf[p]:
                lf[p] = t

    for v in range(n):
        if net.fixed[v]:
            ls[v] = start[v]
            pull(v, start[v])
    for v in reversed(timing.seq):
        s = lf[v] - dur[v]
        ls[v] = s
        pull(v, s)
        p = timing.slot_prev[v]
        if p >= 0 and s < lf[p]:
            lf[p] = s
    return [0.0 if net.fixed[v] else ls[v] - start[v] for v in range(n)]


@attrs.frozen
class _Prepared:
    campaign: Campaign
    scenario: Scenario
    plan: CompiledPlan
    net: _Net
    calendar_name: str


def _prepare(campaign: Campaign, scenario: Scenario | None, calendar: Calendar | None,
             plugins: Plugins | None) -> _Prepared:
    scenario = scenario or Scenario()
    changed = scenario.apply(campaign)
    approval_days = DEFAULT_APPROVAL_DAYS if scenario.approval_days is None else scenario.approval_days
    axis = resolve_axis(changed, calendar=calendar, plugins=plugins)
    plan = compile_plan(changed, axis=axis, approval_days=approval_days)
    table = _LagTable(axis.calendar, axis.origin)
    return _Prepared(changed, scenario, plan, _Net(plan, table), axis.calendar.name or type(axis.calendar).__name__)


def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class _Clock:
    """Working time -> aware datetimes in the campaign's timezone."""

    def __init__(self, plan: CompiledPlan) -> None:
        self.axis = plan.axis
        self.zone = _zone(plan.campaign.timezone)
        self.campaign = plan.campaign

    def aware(self, moment: datetime) -> datetime:
        return moment if self.zone is None else moment.replace(tzinfo=self.zone)

    def at(self, work: float, *, finish: bool = False) -> datetime:
        return self.aware(self.axis.instant(work, finish=finish))

    def fixed_span(self, task_id: str, start: float, finish: float) -> tuple[datetime, datetime]:
        """A fixed event's own start and finish: its date, even a holiday."""
        on = self.campaign.tasks[task_id].window.on
        assert on is not None
        begin = start_instant(on)
        if isinstance(on, datetime):  # its hours in office hours, from its own moment (the calendar's rule)
            return self.aware(begin), self.aware(max(self.axis.event_end(on, finish - start),
                                                     self.axis.instant(finish, finish=True, office=True)))
        if self.axis.is_working(on):
            return self.aware(begin), self.at(finish, finish=True)
        return self.aware(begin), self.aware(end_instant(on))


def _due(clock: _Clock, instant: datetime | None) -> datetime | None:
    # The plan's own moment: a due on a holiday stays on the holiday.
    return None if instant is None else clock.aware(instant)


def _overbooked(prep: _Prepared, timing: _Timing) -> tuple[Overbooking, ...]:
    """Days on which a unit's fixed events and the work it runs outnumber its capacity.

    Every event counts for its whole day (its ``on`` date), as in check CF301;
    work counts on each working day it runs during. Fixed events take no slot,
    so a day without events is never overbooked.
    """
    plan, net = prep.plan, prep.net
    cap = dict(zip(plan.units, net.cap))
    events: dict[tuple[str, date], list[str]] = {}
    work: dict[str, list[tuple[float, float, int, str]]] = {}
    v = 0
    for order, (tid, task) in enumerate(prep.campaign.tasks.items()):
        if cap.get(task.lead, 0) > 0:
            if net.fixed[v]:
                on = start_instant(task.window.on).date()  # type: ignore[arg-type]
                events.setdefault((task.lead, on), []).append(tid)
            elif timing.finish[v] > timing.start[v]:
                work.setdefault(task.lead, []).append((timing.start[v], timing.finish[v], order, tid))
        v += len(task.approvals) + 1
    if not events:
        return ()
    axis = plan.axis
    for runs in work.values():
        runs.sort()
    starts = {u: [r[0] for r in runs] for u, runs in work.items()}
    longest = {u: max(r[1] - r[0] for r in runs) for u, runs in work.items()}
    rank = {u: i for i, u in enumerate(plan.units)}
    out: list[Overbooking] = []
    for (unit, day), ids in sorted(events.items(), key=lambda kv: (rank[kv[0][0]], kv[0][1])):
        running: list[tuple[int, str]] = []
        if unit in work and axis.is_working(day):
            a = axis.day_start(day)
            b = a + 1.0
            runs = work[unit]
            # Runs starting before the day's end; only those starting less than the
            # longest run before its start can still be running.
            for i in range(bisect.bisect_left(starts[unit], b - _EPS) - 1, -1, -1):
                s, f, order, tid = runs[i]
                if s < a - longest[unit]:
                    break
                if f > a + _EPS:
                    running.append((order, tid))
        if len(ids) + len(running) > cap[unit]:
            out.append(Overbooking(unit=unit, day=day, capacity=cap[unit], events=tuple(ids),
                                   work=tuple(tid for _, tid in sorted(running))))
    return tuple(out)


def _build_schedule(prep: _Prepared, found: _Found | _Timing) -> Schedule:
    if isinstance(found, _Timing):
        found = _Found(found, "heuristic", _bound(prep.net, prep.plan), False, 1)
    timing = found.timing
    plan, net = prep.plan, prep.net
    clock = _Clock(plan)
    slack = _slack(net, timing, plan.end)
    start, finish, ready, dl = timing.start, timing.finish, timing.ready, net.deadline
    tasks: list[TaskTiming] = []
    v = 0
    for tid, task in prep.campaign.tasks.items():
        k = len(task.approvals)
        last = v + k
        if net.fixed[v]:
            begin, work_end = clock.fixed_span(tid, start[v], finish[v])
            late = ready[v] > start[v] + _EPS
            met: bool | None = not late
            due = clock.aware(task_deadline(task, plan.axis))  # the runtime's rule too (model.task_deadline)
        else:
            begin, work_end = clock.at(start[v]), clock.at(finish[v], finish=True)
            late = False
            met = None if dl[v] == _INF else finish[v] <= dl[v] + _EPS
            due = _due(clock, task.window.deadline())
        steps = tuple(
            StepTiming(
                index=i, by=task.approvals[i].by,
                start=clock.at(start[g]), finish=clock.at(finish[g], finish=True),
                start_pos=start[g], finish_pos=finish[g],
                due=_due(clock, task.approvals[i].due and end_instant(task.approvals[i].due)), met=None if dl[g] == _INF else finish[g] <= dl[g] + _EPS,
                slack=slack[g],
            )
            for i, g in enumerate(range(v + 1, last + 1))
        )
        tasks.append(TaskTiming(
            id=tid, title=task.title, lead=task.lead,
            start=begin, work_finish=work_end, finish=steps[-1].finish if steps else work_end,
            start_pos=start[v], work_finish_pos=finish[v], finish_pos=finish[last],
            slack=slack[v], due=due, met=met, fixed=bool(net.fixed[v]), late_prerequisites=late, approvals=steps,
        ))
        v = last + 1
    if tasks:
        first = min(tasks, key=lambda t: t.start)
        final = max(tasks, key=lambda t: t.finish)
        begin_at, end_at, end_pos = first.start, final.finish, max(finish)
    else:
        begin_at = end_at = clock.at(0.0)
        end_pos = 0.0
    return Schedule(
        campaign_id=prep.campaign.id, calendar=prep.calendar_name, timezone=prep.campaign.timezone,
        origin=plan.axis.origin, start=begin_at, finish=end_at, finish_pos=end_pos, tasks=tuple(tasks),
        scenario=prep.scenario, overbooked=_overbooked(prep, timing),
        scheduler=found.scheduler, bound_pos=found.bound, bound_at=clock.at(found.bound, finish=True),
        optimal=found.optimal or end_pos <= found.bound + _EPS, schedules=found.schedules,
        method=found.method,
    )


@attrs.frozen
class _Found:
    """The schedule a scheduler chose, with what it knows about the optimum."""

    timing: _Timing
    scheduler: str
    bound: float
    optimal: bool
    schedules: int
    method: str = ""


def _key(net: _Net, timing: _Timing) -> tuple[int, float, float]:
    """Better schedules first: fewer missed deadlines, less total lateness, then an earlier end."""
    missed = 0
    late = 0.0
    for v, dl in enumerate(net.deadline):
        if dl != _INF and not net.fixed[v] and timing.finish[v] > dl + _EPS:
            missed += 1
            late += timing.finish[v] - dl
    return missed, late, max(timing.finish, default=0.0)


def _bound(net: _Net, plan: CompiledPlan) -> float:
    """No schedule of the plan ends before this: the critical path, or any unit's work over its capacity."""
    _, ef, _, _ = forward_pass(plan, net.dur)
    best = max(ef.tolist(), default=0.0)
    work: dict[int, float] = {}
    first: dict[int, float] = {}
    for v, u in enumerate(net.res):
        if u >= 0:
            work[u] = work.get(u, 0.0) + net.dur[v]
            first[u] = min(first.get(u, _INF), max(net.lb[v], 0.0))
    for u, w in work.items():
        best = max(best, first[u] + w / net.cap[u])
    return best


#: Time units per working day the plan's problem may use, smallest first: the
#: first that represents every duration, lag, release and fixed start exactly.
_SCALES = (1, 2, 4, 8, 12, 16, 24, 48, 96, 480, 1440)


def _exact(values: Sequence[float], scale: int) -> bool:
    return all(abs(x * scale - round(x * scale)) < 1e-6 for x in values)


def _up(x: float) -> int:
    return math.ceil(x - 1e-6)


class _PlanProblem:
    """The plan compiled to the scheduling core's problem (``SchedulingProblem``).

    The time axis is the plan's working time (the campaign calendar's working
    days, from ``resolve_axis``), shifted by ``offset`` so that it starts at 0
    and counted in ``1 / scale`` of a working day. A unit with a ``capacity``
    is a renewable resource; a task's work led by it needs 1 of it; approval
    steps and fixed events need none (the approver's time; an event is on its
    date). Fixed (``on``) events are fixed starts; earliest starts are release
    dates; working-day lags are constant lags and calendar-day lags are
    ``ruled`` by the calendar (their constant is 0, so bounds stay valid).
    ``exact``: every value is a whole number of units (otherwise durations,
    lags and releases are rounded *up*, so the core's schedules stay feasible
    on the real calendar, and the core's bound is not used).
    """

    def __init__(self, net: _Net, prio: Sequence[float]) -> None:
        self.net = net
        n = net.n
        finite = [x for x in net.lb if x > -_INF] + [net.earliest[v] for v in range(n) if net.fixed[v]]
        self.offset = off = min([0.0, *finite])
        working = [net.pred_lag[e] for e in range(len(net.pred_lag)) if net.pred_working[e]]
        values = [*net.dur, *(x - off for x in finite), *working]
        self.scale = sc = next((k for k in _SCALES if _exact(values, k)), _SCALES[-1])
        self.exact = _exact(values, sc)
        units = sorted({u for u in net.res if u >= 0})
        col = {u: i for i, u in enumerate(units)}
        demands = [[0] * len(units) for _ in range(n)]
        for v, u in enumerate(net.res):
            if u >= 0:
                demands[v][col[u]] = 1
        durations = [_up(d * sc) for d in net.dur]
        fixed: list[int | None] = [None] * n
        for v in range(n):
            if net.fixed[v]:
                f = math.floor((net.earliest[v] - off) * sc + 1e-6)
                fixed[v] = f
                # The event's real finish, however its start was rounded.
                durations[v] = _up((net.earliest[v] + net.dur[v] - off) * sc) - f
        succ: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.calendar_lag: dict[tuple[int, int], float] = {}
        pp, pi = net.pred_ptr, net.pred_idx
        for v in range(n):
            for e in range(pp[v], pp[v + 1]):
                p, lag = pi[e], net.pred_lag[e]
                if lag > 0 and not net.pred_working[e]:
                    key = (p, v)
                    self.calendar_lag[key] = max(lag, self.calendar_lag.get(key, 0.0))
                    succ[p].append((v, 0))
                else:
                    succ[p].append((v, _up(lag * sc)))
        release = [max(0, _up((x - off) * sc)) if x > -_INF else 0 for x in net.lb]
        deadlines = [None if dl == _INF else math.floor((dl - off) * sc + 1e-6) for dl in net.deadline]
        self.problem = SchedulingProblem(
            durations, [net.cap[u] for u in units], demands, succ, release=release, fixed=fixed,
            deadlines=deadlines, names=list(net.plan.ids), ruled=self.calendar_lag, lag_rule=self._rule)
        ok = [x for x in prio if x > -_INF and x < _INF]
        top = max(ok, default=0.0) + 1.0
        # The priorities in the problem's units, so that sampling's regrets are in its time.
        self.prio = [((x if x < _INF else top) - off) * sc if x > -_INF else -_INF for x in prio]
        self.prio = [x if x > -_INF else min(ok, default=0.0) * sc - 1.0 for x in self.prio]

    def _rule(self, j: int, k: int, finish: int) -> int:
        """A calendar-day lag on the integer axis: the calendar's answer, rounded up to a unit."""
        t = self.net.table.after(self.pos(finish), self.calendar_lag[(j, k)])
        return _up((t - self.offset) * self.scale)

    def pos(self, t: int) -> float:
        """Working time of the integer time ``t``."""
        return t / self.scale + self.offset

    def bound(self, lb: int) -> float:
        """A bound of the core as working time, or 0 when the problem rounds (it bounds the rounded plan only)."""
        return self.pos(lb) if self.exact else 0.0

    def timing(self, starts: Sequence[int], prio: Sequence[float]) -> _Timing:
        """The core's schedule as the plan's ``_Timing``, slots and start order included.

        ``seq`` and the slots follow (start, zero-length first, priority): every
        node's prerequisites and its slot's previous node come before it, and a
        unit's slots go, lowest free first, in the order the dispatcher uses.
        """
        net = self.net
        n = net.n
        start = [net.earliest[v] if net.fixed[v] else self.pos(starts[v]) for v in range(n)]
        finish = [start[v] + net.dur[v] for v in range(n)]
        ready = [-_INF] * n
        pp, pi = net.pred_ptr, net.pred_idx
        for v in range(n):
            for e in range(pp[v], pp[v + 1]):
                x = net.lagged(finish[pi[e]], e)
                if x > ready[v]:
                    ready[v] = x
        rank = {v: i for i, v in enumerate(self.problem.order)}

        def order(v: int) -> tuple[float, int, float, int]:
            zero = net.dur[v] <= 0.0
            return (start[v], 0 if zero else 1, float(rank[v]) if zero else prio[v], v)

        seq = sorted((v for v in range(n) if not net.fixed[v]), key=order)
        slot_prev = [-1] * n
        slots: dict[int, list[tuple[float, int]]] = {}
        for v in seq:
            u = net.res[v]
            if u < 0:
                continue
            row = slots.setdefault(u, [(-_INF, -1)] * net.cap[u])
            i = next((i for i, (free, _) in enumerate(row) if free <= start[v] + _EPS),
                     min(range(len(row)), key=lambda i: row[i][0]))
            slot_prev[v] = row[i][1]
            row[i] = (finish[v], v)
        return _Timing(start=start, finish=finish, ready=ready, slot_prev=slot_prev, seq=seq)


def _run(prep: _Prepared, *, effort: int = 1, seed: int = 0, optimize: bool = False,
         time_limit: float | None = None, plugins: Plugins | None = None, scheduler: str | None = None) -> _Found:
    """Schedule ``prep`` with the scheduling core, on the plan compiled to its problem form.

    The first pass is the core's parallel SGS with least-slack priorities
    (the plan's latest starts: deadlines and the campaign's end included);
    ``effort`` > 1 adds the core's serial/parallel passes of its priority
    rules, then biased random sampling around least slack, each improved by
    forward-backward improvement (``rcpsp.heuristic``, seeded with ``seed``).
    ``optimize`` hands the same problem, and the heuristic's schedule, to
    CP-SAT. The best misses the fewest deadlines, then is least late, then
    ends first. ``scheduler`` names a registered scheduler instead
    (``campaignflow_register_schedulers``): the built-in ``heuristic`` and
    ``cpsat`` are the two above; another plugin's gets the same problem, and
    its answer is checked (``SchedulerError`` if it breaks the problem).
    """
    from .rcpsp import heuristic
    from .schedulers import CpSatScheduler, HeuristicScheduler

    net, plan = prep.net, prep.plan
    base = _priorities(plan, net.dur)
    compiled = _PlanProblem(net, base)
    problem = compiled.problem
    if scheduler is not None:
        cls = _scheduler_class(scheduler, plugins)
        if cls is CpSatScheduler:
            optimize = True
        elif cls is not HeuristicScheduler:
            return _run_plugin(cls, compiled, net, plan, effort=effort, seed=seed, time_limit=time_limit)
    sol = heuristic(problem, schedules=max(effort, 1), seed=seed, priorities=compiled.prio)
    lb = max(_bound(net, plan), compiled.bound(sol.lower_bound))
    name, proven = "heuristic", False
    if optimize:
        from .optimize import optimize as cpsat
        objective = "lateness" if any(d is not None for d in problem.deadlines) else "makespan"
        sol = cpsat(problem, time_limit=10.0 if time_limit is None else time_limit, objective=objective,
                    start=sol, seed=seed)
        name = "cpsat"
        if objective == "makespan":
            lb = max(lb, compiled.bound(sol.lower_bound))
            proven = sol.optimal and compiled.exact
    timing = compiled.timing(sol.starts, compiled.prio)
    end = _key(net, timing)[2]
    return _Found(timing, name, lb, proven or end <= lb + _EPS, sol.schedules + (1 if optimize else 0),
                  sol.method)


class SchedulerError(ValueError):
    """A scheduler is not registered, or a plugin's scheduler gave a schedule that breaks the problem."""


def _scheduler_class(name: str, plugins: Plugins | None) -> type[Any]:
    from ..plugins.manager import default_plugins

    registry = (plugins if plugins is not None else default_plugins()).schedulers()
    if name not in registry:
        msg = f"no scheduler {name!r} is registered (known: {', '.join(sorted(registry))})"
        raise SchedulerError(msg)
    return registry[name]


def _run_plugin(cls: type[Any], compiled: _PlanProblem, net: _Net, plan: CompiledPlan, *, effort: int, seed: int,
                time_limit: float | None) -> _Found:
    # A third-party scheduler solves the plan's compiled problem like the built-ins; what it
    # returns is checked by the core's independent checker before it is believed.
    from .rcpsp import check_schedule

    sol = cls().solve(compiled.problem, effort=max(effort, 1), seed=seed, time_limit=time_limit)
    broken = check_schedule(compiled.problem, sol.starts)
    if broken:
        msg = f"the scheduler {cls.name!r} gave a schedule that breaks the plan: {'; '.join(broken[:3])}"
        raise SchedulerError(msg)
    lb = max(_bound(net, plan), compiled.bound(sol.lower_bound))
    timing = compiled.timing(sol.starts, compiled.prio)
    end = _key(net, timing)[2]
    proven = bool(getattr(cls, "proves", False)) and sol.optimal and compiled.exact
    return _Found(timing, cls.name, lb, proven or end <= lb + _EPS, sol.schedules, sol.method)


def schedule(campaign: Campaign, *, scenario: Scenario | None = None, calendar: Calendar | None = None,
             plugins: Plugins | None = None, effort: int = 1, seed: int = 0, optimize: bool = False,
             time_limit: float | None = None, scheduler: str | None = None) -> Schedule:
    """Schedule every task and approval step of ``campaign``, respecting capacities.

    Args:
        campaign: the campaign (a loaded plan, or built from the model classes).
        scenario: what-if changes (a later start, delays, capacities, approvers' latency).
        calendar: the calendar to use; by default the campaign's, found through ``plugins``.
        plugins: where to find calendars (default: the process default).
        effort: how many schedules to try (1: the least-slack pass alone); the
            best misses the fewest deadlines, then is the least late, then ends first.
        seed: the seed of the sampled schedules (same plan, effort and seed: same schedule).
        optimize: also ask the OR-Tools CP-SAT optimiser (extra ``optimize``)
            for the schedule that meets the most deadlines / ends first, and its proven bound.
        time_limit: seconds CP-SAT may use (default 10).
        scheduler: a registered scheduler's name (``Plugins.schedulers()``): ``heuristic``
            (the default), ``cpsat`` (as ``optimize``), or a plugin's, given the same problem.

    Returns:
        The ``Schedule``: a start and a finish for every task and step, with slack,
        whether each deadline is met, which scheduler ran, its lower bound and gap.

    Raises:
        CycleError: the dependencies form a cycle.
        ScenarioError: the scenario names an unknown task or unit.
        KeyError: the campaign's calendar is not provided by any plugin.
        OptimizerUnavailable: ``optimize`` without OR-Tools installed.
        SchedulerError: ``scheduler`` is not registered, or its schedule breaks the plan.
    """
    prep = _prepare(campaign, scenario, calendar, plugins)
    return _build_schedule(prep, _run(prep, effort=effort, seed=seed, optimize=optimize, time_limit=time_limit,
                                      plugins=plugins, scheduler=scheduler))

