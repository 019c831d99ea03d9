"""The deterministic, resource-constrained schedule of a campaign.

The scheduler is a *parallel list scheduler* (a non-delay parallel schedule
generation scheme) on working time:

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

The same plan always gives the same schedule. The scheduler also records the
sequencing decisions it took (which task followed which on each of a unit's
slots); the Monte-Carlo engine re-times exactly those decisions.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING
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


def _list_schedule(net: _Net, dur: Sequence[float], prio: Sequence[float]) -> _Timing:
    """The parallel list scheduler of the module docstring."""
    n = net.n
    start = [0.0] * n
    finish = [0.0] * n
    ready = [-_INF] * n
    slot_prev = [-1] * n
    slot_of = [-1] * n
    seq: list[int] = []
    fixed, res, lb = net.fixed, net.res, net.lb
    pp, sp, si, se = net.pred_ptr, net.succ_ptr, net.succ_idx, net.succ_edge
    remaining = [pp[v + 1] - pp[v] for v in range(n)]
    free: dict[int, list[int]] = {}
    last_on: dict[int, list[int]] = {}
    waiting: dict[int, list[tuple[float, int]]] = {}
    # Events: (time, kind, node); kind 0 = finish, 1 = release, so that at equal
    # times every slot is freed and every successor released before dispatching.
    events: list[tuple[float, int, int]] = []
    for v in range(n):
        u = res[v]
        if u >= 0 and u not in free:
            free[u] = list(range(net.cap[u]))
            last_on[u] = [-1] * net.cap[u]
            waiting[u] = []
        if fixed[v]:
            start[v] = net.earliest[v]
            finish[v] = net.earliest[v] + dur[v]
            events.append((finish[v], 0, v))
        elif remaining[v] == 0:
            events.append((lb[v], 1, v))
    heapq.heapify(events)
    push, pop = heapq.heappush, heapq.heappop
    lagged = net.lagged
    while events:
        t = events[0][0]
        touched: list[int] = []
        while events and events[0][0] == t:
            _, kind, v = pop(events)
            u = res[v]
            if kind == 0:
                if u >= 0:
                    push(free[u], slot_of[v])
                    touched.append(u)
                f = finish[v]
                for k in range(sp[v], sp[v + 1]):
                    s = si[k]
                    x = lagged(f, se[k])
                    if x > ready[s]:
                        ready[s] = x
                    remaining[s] -= 1
                    if remaining[s] == 0 and not fixed[s]:
                        r = ready[s] if ready[s] > lb[s] else lb[s]
                        push(events, (r, 1, s))
            elif u < 0:
                start[v] = t
                finish[v] = t + dur[v]
                seq.append(v)
                push(events, (finish[v], 0, v))
            else:
                push(waiting[u], (prio[v], v))
                touched.append(u)
        for u in dict.fromkeys(touched):
            slots, queue = free[u], waiting[u]
            while slots and queue:
                _, v = pop(queue)
                slot = pop(slots)
                slot_of[v] = slot
                slot_prev[v] = last_on[u][slot]
                last_on[u][slot] = v
                start[v] = t
                finish[v] = t + dur[v]
                seq.append(v)
                push(events, (finish[v], 0, v))
    return _Timing(start=start, finish=finish, ready=ready, slot_prev=slot_prev, seq=seq)


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
    )


@attrs.frozen
class _Found:
    """The schedule a scheduler chose, with what it knows about the optimum."""

    timing: _Timing
    scheduler: str
    bound: float
    optimal: bool
    schedules: int


#: Time units per working day of the integer problem CP-SAT solves (a relaxation, see ``_relaxed``).
_SCALE = 4


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


def _relaxed(net: _Net) -> SchedulingProblem:
    """The plan as an integer RCPSP that no real schedule beats (so its proven bound is the plan's).

    Durations, lags and release dates are rounded *down* to quarter days and
    calendar-day lags count as 0: every real schedule maps to a feasible
    schedule of this problem that is no longer, so its optimum, divided by
    ``_SCALE``, bounds the plan's makespan from below.
    """
    units = sorted({u for u in net.res if u >= 0})
    col = {u: i for i, u in enumerate(units)}
    n = net.n
    demands = [[0] * len(units) for _ in range(n)]
    for v, u in enumerate(net.res):
        if u >= 0:
            demands[v][col[u]] = 1
    succ: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for v in range(n):
        for k in range(net.succ_ptr[v], net.succ_ptr[v + 1]):
            e = net.succ_edge[k]
            lag = net.pred_lag[e] if net.pred_working[e] else 0.0
            succ[v].append((net.succ_idx[k], math.floor(lag * _SCALE + _EPS)))
    scale = [math.floor(d * _SCALE + _EPS) for d in net.dur]
    fixed = [math.floor(net.earliest[v] * _SCALE + _EPS) if net.fixed[v] else None for v in range(n)]
    release = [math.floor(max(x, 0.0) * _SCALE + _EPS) if x > -_INF else 0 for x in net.lb]
    deadlines = [None if dl == _INF else math.floor(dl * _SCALE + _EPS) for dl in net.deadline]
    return SchedulingProblem(scale, [net.cap[u] for u in units], demands, succ, release=release, fixed=fixed,
                   deadlines=deadlines)


def _run(prep: _Prepared, *, effort: int = 1, seed: int = 0, optimize: bool = False,
         time_limit: float | None = None, plugins: Plugins | None = None) -> _Found:
    """Schedule ``prep``: the least-slack pass, then ``effort - 1`` sampled priorities, optionally CP-SAT.

    Every candidate goes through the same list scheduler on the campaign's
    calendar; they differ only in the priorities of competing tasks. Sampling
    perturbs each node's latest start by up to its mean duration (a biased
    random sampling around least slack), with ``random.Random(seed)``.
    """
    net, plan = prep.net, prep.plan
    dur = net.dur
    base = _priorities(plan, dur)
    best = _list_schedule(net, dur, base)
    best_key = _key(net, best)
    used = 1
    lb = _bound(net, plan)
    contested = any(u >= 0 for u in net.res)
    if contested and effort > 1:
        rules = [[base[v] + dur[v] for v in range(net.n)]]  # latest finish
        spread = max(sum(dur) / max(net.n, 1), 1.0)
        rng = random.Random(seed)
        # Stop early once nothing is late and the end is the bound: nothing can be better.
        while used < effort and (best_key[0] > 0 or best_key[2] > lb + _EPS):
            prio = rules.pop() if rules else [x + rng.random() * spread for x in base]
            timing = _list_schedule(net, dur, prio)
            used += 1
            key = _key(net, timing)
            if key < best_key:
                best, best_key = timing, key
    if not optimize:
        return _Found(best, "heuristic", lb, best_key[2] <= lb + _EPS, used)
    from .optimize import optimize as cpsat
    problem = _relaxed(net)
    objective = "lateness" if any(d is not None for d in problem.deadlines) else "makespan"
    sol = cpsat(problem, time_limit=10.0 if time_limit is None else time_limit, objective=objective, seed=seed)
    if objective == "makespan":
        lb = max(lb, sol.lower_bound / _SCALE)
    order = [float(x) for x in sol.starts]
    timing = _list_schedule(net, dur, order)
    if _key(net, timing) < best_key:
        best, best_key = timing, _key(net, timing)
    return _Found(best, "cpsat", lb, best_key[2] <= lb + _EPS, used + 1)


def schedule(campaign: Campaign, *, scenario: Scenario | None = None, calendar: Calendar | None = None,
             plugins: Plugins | None = None, effort: int = 1, seed: int = 0, optimize: bool = False,
             time_limit: float | None = None) -> Schedule:
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

    Returns:
        The ``Schedule``: a start and a finish for every task and step, with slack,
        whether each deadline is met, which scheduler ran, its lower bound and gap.

    Raises:
        CycleError: the dependencies form a cycle.
        ScenarioError: the scenario names an unknown task or unit.
        KeyError: the campaign's calendar is not provided by any plugin.
        OptimizerUnavailable: ``optimize`` without OR-Tools installed.
    """
    prep = _prepare(campaign, scenario, calendar, plugins)
    return _build_schedule(prep, _run(prep, effort=effort, seed=seed, optimize=optimize, time_limit=time_limit))

