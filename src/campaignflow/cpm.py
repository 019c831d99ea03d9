"""Compact, integer-indexed plans and the critical path method that runs on them.

``compile_plan`` turns a campaign into flat ``array`` columns and a CSR
adjacency list, once per campaign and calendar; cycle detection, the
critical path method and the scheduler run on it. A million tasks fit in a
few hundred megabytes, and every pass over them is linear.

Nodes are the tasks, in plan order, each followed by its approval gates
``TASK/approval[i]``. Edges go from a task to its gate 0, from gate i to
gate i + 1, and, for ``after = [B]``, from B's last gate (or B itself) to the
task, carrying the dependency's lag.
"""

from __future__ import annotations

import math
import sys
from array import array
from itertools import chain
from operator import attrgetter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from .calendar import WorkAxis
from .errors import CycleError, Problem
from .findings import Text
from .model import Campaign, Window, end_instant, start_instant
from .cpm_levels import _backward_np, _forward_np, _levels_np, _numpy, _successors_np

if TYPE_CHECKING:
    from .calendar import Calendar
    from .plugins.manager import Plugins

__all__ = [
    "GATE_SEP",
    "CompiledPlan",
    "Passes",
    "Topology",
    "backward_pass",
    "compile_plan",
    "cycle_error",
    "forward_pass",
    "gate_id",
    "passes",
    "resolve_axis",
    "topological_order",
    "topology",
]

#: Separates a task's id from its approval step in a gate's node id.
GATE_SEP = "/approval["

_INF = math.inf

#: Below this many nodes the scalar passes run unless numpy is already imported:
#: importing it takes a quarter of a second, more than the passes over a few
#: thousand nodes, and ``campaignflow validate`` of a small plan should not pay it.
#: Both give identical results (tests/test_graph.py), so this is about time only.
NUMPY_MIN_NODES = 4096


def _numpy_for(n: int) -> Any:
    if n < NUMPY_MIN_NODES and "numpy" not in sys.modules:
        return None
    return _numpy()


def gate_id(task_id: str, step: int) -> str:
    """The node id of approval step ``step`` (from 0) of ``task_id``."""
    return f"{task_id}{GATE_SEP}{step}]"


@attrs.frozen(eq=False)
class Topology:
    """Nodes and predecessor edges of a campaign, without any time: enough to find cycles.

    Attributes:
        ids: node ids (tasks and gates).
        index: node id -> node index.
        is_gate: 1 for approval gates.
        task_of: index of the owning task node (itself for tasks).
        pred_ptr: predecessors of node ``v`` are ``pred_idx[pred_ptr[v]:pred_ptr[v + 1]]``.
        pred_idx: predecessor node indices.
        pred_lag: lag of each edge, in days.
        pred_lag_working: 1 when the lag is in working days (zero lags are stored as working).
        pred_dep: for a dependency edge, its position in the task's ``after``; -1 for gate chains.
        dangling: ``(task, missing)`` for every ``after`` naming no task; such edges are left out.
    """

    ids: list[str]
    index: dict[str, int]
    is_gate: bytearray
    task_of: array[int]
    pred_ptr: array[int]
    pred_idx: array[int]
    pred_lag: array[float]
    pred_lag_working: bytearray
    pred_dep: array[int]
    dangling: tuple[tuple[str, str], ...]

    def __len__(self) -> int:
        return len(self.ids)

    def successors(self) -> tuple[array[int], array[int], array[int]]:
        """The successor CSR: ``(succ_ptr, succ_idx, succ_edge)``.

        ``succ_edge[k]`` is the position of the same edge in the predecessor
        arrays, so its lag is ``pred_lag[succ_edge[k]]``.
        """
        np = _numpy_for(len(self.ids))
        if np is not None:
            return _successors_np(np, len(self.ids), self.pred_ptr, self.pred_idx)
        return _successors(len(self.ids), self.pred_ptr, self.pred_idx)

    def order(self, succ_ptr: array[int], succ_idx: array[int]) -> tuple[array[int], list[int], array[int] | None]:
        """Kahn's pass: ``(order, indegree, level_ptr)``; see ``topological_order``.

        With numpy, nodes are released a whole level at a time, so the order
        is grouped by level (``level_ptr``, as in ``CompiledPlan``); on a
        graph too deep for that to pay, or without numpy, it is one node at a
        time and ``level_ptr`` is ``None``.
        """
        n = len(self.ids)
        np = _numpy_for(n)
        if np is not None:
            got = _levels_np(np, n, self.pred_ptr, succ_ptr, succ_idx)
            if got is not None:
                return got
        order, indeg = topological_order(n, self.pred_ptr, succ_ptr, succ_idx)
        return array("l", order), indeg, None


def _topology_np(np: Any, tasks: Mapping[str, Any]) -> Topology | None:
    """``topology`` gathered a field at a time and placed with numpy; ``None`` if a dependency dangles.

    The same arrays as the node-at-a-time loop (which also reports dangling
    dependencies, in order): a task's node, then its approval gates; a task's
    dependencies first, then one edge from each approval gate to the node before it.
    """
    g = np.array([len(task.approvals) for task in tasks.values()], dtype=np.int64)
    if g.any():
        ids: list[str] = []
        for tid, k in zip(tasks, g.tolist()):
            ids.append(tid)
            if k:
                ids.extend([gate_id(tid, i) for i in range(k)])
    else:
        ids = list(tasks)
    n = len(ids)
    index = dict(zip(ids, range(n)))
    node = np.cumsum(g + 1) - (g + 1)  # each task's node
    task_of_a = np.repeat(node, g + 1)
    last_a = np.repeat(node + g, g + 1)  # per node: its task's last node (last gate, or the task)
    afters = [task.after for task in tasks.values()]
    deps = list(chain.from_iterable(afters))
    ps = list(map(index.get, map(attrgetter("task"), deps)))
    if None in ps:
        return None
    p = np.array(ps, dtype=np.int64)
    if p.size and (task_of_a[p] != p).any():  # a gate's id is no task's
        return None
    lags = list(map(attrgetter("lag"), deps))
    days = np.array(list(map(attrgetter("days"), lags)), dtype=np.float64)
    working = np.array(list(map(attrgetter("working"), lags)), dtype=bool) | (days == 0)
    c = np.array(list(map(len, afters)), dtype=np.int64)
    b = c + g
    s = np.cumsum(b) - b  # where each task's block of edges starts
    total = int(b.sum())
    d_count = int(c.sum())
    pred_idx = np.empty(total, np.int64)
    pred_lag = np.zeros(total, np.float64)
    pred_working = np.ones(total, np.uint8)
    pred_dep = np.full(total, -1, np.int64)
    c_start = np.cumsum(c) - c
    k = np.arange(d_count, dtype=np.int64) - np.repeat(c_start, c)
    at = np.repeat(s, c) + k
    pred_idx[at] = last_a[p]
    pred_lag[at] = days
    pred_working[at] = working
    pred_dep[at] = k
    g_count = int(g.sum())
    g_start = np.cumsum(g) - g
    j = np.arange(g_count, dtype=np.int64) - np.repeat(g_start, g)
    pred_idx[np.repeat(s + c, g) + j] = np.repeat(node, g) + j  # gate j's edge from the node before it
    ptr = np.empty(n + 1, np.int64)
    ptr[node] = s
    ptr[np.repeat(node + 1, g) + j] = np.repeat(s + c, g) + j
    ptr[n] = total
    is_gate = np.ones(n, np.uint8)
    is_gate[node] = 0

    def longs(a: Any) -> array[int]:
        out = array("l")
        out.frombytes(a.astype(np.int64).tobytes())
        return out

    lag_out = array("d")
    lag_out.frombytes(pred_lag.tobytes())
    return Topology(
        ids=ids,
        index=index,
        is_gate=bytearray(is_gate.tobytes()),
        task_of=longs(task_of_a),
        pred_ptr=longs(ptr),
        pred_idx=longs(pred_idx),
        pred_lag=lag_out,
        pred_lag_working=bytearray(pred_working.tobytes()),
        pred_dep=longs(pred_dep),
        dangling=(),
    )


def topology(campaign: Campaign) -> Topology:
    """Number the nodes of ``campaign`` and list each one's predecessors (no calendar needed)."""
    tasks = campaign.tasks
    np = _numpy_for(len(tasks))
    if np is not None:
        got = _topology_np(np, tasks)
        if got is not None:
            return got
    ids: list[str] = []
    task_of: list[int] = []
    last: list[int] = []  # per node: its task's last node (last gate, or the task)
    for tid, task in tasks.items():
        t = len(ids)
        k = len(task.approvals)
        ids.append(tid)
        if k:
            ids.extend([gate_id(tid, i) for i in range(k)])
        task_of.extend([t] * (k + 1))
        last.extend([t + k] * (k + 1))
    n = len(ids)
    index = dict(zip(ids, range(n)))
    is_gate = bytearray(n)

    pred_ptr = [0] * (n + 1)
    pred_idx: list[int] = []
    pred_lag: list[float] = []
    pred_working: list[int] = []
    pred_dep: list[int] = []
    dangling: list[tuple[str, str]] = []
    add_idx, add_lag, add_working, add_dep = pred_idx.append, pred_lag.append, pred_working.append, pred_dep.append
    v = 0
    for tid, task in tasks.items():
        for k, dep in enumerate(task.after):
            p = index.get(dep.task)
            if p is None or task_of[p] != p:  # no such task (a gate's id is no task's)
                dangling.append((tid, dep.task))
                continue
            lag = dep.lag
            add_idx(last[p])
            add_lag(lag.days)
            add_working(1 if lag.working or lag.days == 0 else 0)
            add_dep(k)
        v += 1
        pred_ptr[v] = len(pred_idx)
        for _ in task.approvals:
            is_gate[v] = 1
            add_idx(v - 1)
            add_lag(0.0)
            add_working(1)
            add_dep(-1)
            v += 1
            pred_ptr[v] = len(pred_idx)
    return Topology(
        ids=ids,
        index=index,
        is_gate=is_gate,
        task_of=array("l", task_of),
        pred_ptr=array("l", pred_ptr),
        pred_idx=array("l", pred_idx),
        pred_lag=array("d", pred_lag),
        pred_lag_working=bytearray(pred_working),
        pred_dep=array("l", pred_dep),
        dangling=tuple(dangling),
    )


def _successors(n: int, pred_ptr: Sequence[int], pred_idx: Sequence[int]) -> tuple[array[int], array[int],
                                                                                     array[int]]:
    count = [0] * (n + 1)
    for p in pred_idx:
        count[p + 1] += 1
    for i in range(n):
        count[i + 1] += count[i]
    succ_ptr = array("l", count)
    fill = count[:-1]
    m = len(pred_idx)
    succ_idx = [0] * m
    succ_edge = [0] * m
    for v in range(n):
        for e in range(pred_ptr[v], pred_ptr[v + 1]):
            p = pred_idx[e]
            k = fill[p]
            succ_idx[k] = v
            succ_edge[k] = e
            fill[p] = k + 1
    return succ_ptr, array("l", succ_idx), array("l", succ_edge)


def topological_order(n: int, pred_ptr: Sequence[int], succ_ptr: Sequence[int],
                      succ_idx: Sequence[int]) -> tuple[list[int], list[int]]:
    """Kahn's algorithm: ``(order, indegree)``.

    ``order`` lists every node not on or behind a cycle, sources first, in a
    stable breadth-first order; when it is shorter than ``n``, the nodes with
    ``indegree[v] > 0`` are exactly those left, and each of them has a
    predecessor that is also left.
    """
    indeg = [pred_ptr[v + 1] - pred_ptr[v] for v in range(n)]
    order = [v for v in range(n) if indeg[v] == 0]
    i = 0
    while i < len(order):
        v = order[i]
        i += 1
        for k in range(succ_ptr[v], succ_ptr[v + 1]):
            s = succ_idx[k]
            d = indeg[s] - 1
            indeg[s] = d
            if d == 0:
                order.append(s)
    return order, indeg


def cycle_nodes(topo: Topology, indeg: Sequence[int]) -> list[int]:
    """One cycle among the nodes Kahn's pass left (``indeg > 0``), in edge order.

    Every left node has a left predecessor, so walking predecessors from any
    of them must come back to a node already seen; the walk from there is a
    cycle. It is rotated to start at its lowest node index, for stable output.
    """
    start = next(v for v in range(len(indeg)) if indeg[v] > 0)
    seen: dict[int, int] = {}
    path: list[int] = []
    v = start
    while v not in seen:
        seen[v] = len(path)
        path.append(v)
        ptr, idx = topo.pred_ptr, topo.pred_idx
        v = next(idx[e] for e in range(ptr[v], ptr[v + 1]) if indeg[idx[e]] > 0)
    cycle = path[seen[v]:]
    cycle.reverse()  # walked against the edges
    low = cycle.index(min(cycle))
    return cycle[low:] + cycle[:low]


def cycle_tasks(topo: Topology, nodes: Sequence[int]) -> tuple[str, ...]:
    """The task ids of a node cycle: gates folded into their task, in order."""
    out: list[str] = []
    for v in nodes:
        tid = topo.ids[topo.task_of[v]]
        if not out or out[-1] != tid:
            out.append(tid)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return tuple(out)


def cycle_error(campaign: Campaign, cycle: Sequence[str]) -> CycleError:
    """A ``CycleError`` with one located problem: the first hop, the other hops as related locations.

    One cycle is one cause, so one message (``simulate`` printed it once per edge before).
    """
    shown = " → ".join([*cycle, cycle[0]])
    hops = []
    for i, tid in enumerate(cycle):
        prev = cycle[i - 1]
        task = campaign.tasks[tid]
        k = next((j for j, dep in enumerate(task.after) if dep.task == prev), 0)
        hops.append(campaign.locate(f"tasks.{tid}.after[{k}]"))
    first, prev = cycle[0], cycle[-1]
    problem = Problem(
        code="dependency-cycle",
        message=Text(f"task {first!r} waits for {prev!r}, which closes a dependency cycle: {shown}",
                     f"任务 {first!r} 等待 {prev!r},形成循环依赖:{shown}"),
        location=hops[0],
        hint=Text("remove one of these dependencies", "请删除其中一个依赖"),
        related=tuple(hops[1:]),
    )
    return CycleError(cycle, [problem])


@attrs.frozen(eq=False)
class CompiledPlan:
    """A campaign as flat columns indexed by node number, for the hot paths.

    Built once per campaign and calendar by ``compile_plan``; read-only by
    convention (the arrays themselves are mutable, do not change them).
    Working times are floats on ``axis`` (origin: the campaign's start date).

    Attributes:
        campaign: the campaign compiled.
        axis: working time on the campaign calendar.
        ids: node ids: each task, followed by its gates ``TASK/approval[i]``.
        index: node id -> node index.
        is_gate: 1 for approval gates.
        task_of: index of the owning task node (itself for tasks).
        duration: working days: a task's ``Duration.likely``; a gate's ``within`` (or the default).
        low: optimistic bound (== ``duration`` without an estimate).
        high: pessimistic bound (== ``duration`` without an estimate).
        earliest: working time of the earliest start; ``-inf`` if none (always for gates).
        deadline: working time of the deadline (a gate's ``due``); ``+inf`` if none.
        fixed: 1 for ``on`` events, whose start is pinned to ``earliest``. An event on a
            date lasts at most that day (0 on a holiday); one at a moment has the
            deadline ``earliest + duration``.
        pred_ptr: CSR row pointers of predecessors (``n + 1`` entries).
        pred_idx: predecessor node indices.
        pred_lag: each edge's lag in days.
        pred_lag_working: 1 for working-day lags, 0 for calendar-day lags.
        order: a topological order of all nodes.
        units: unit ids, in plan order.
        lead: unit index leading each node (a gate: its approver's first unit); -1 if unknown.
        capacity: per unit (indexed like ``units``): most tasks led at once; 0 = unlimited.
        succ_ptr: CSR row pointers of successors.
        succ_idx: successor node indices.
        succ_edge: for each successor entry, the index of the same edge in the ``pred_*`` arrays.
        end: working time of the campaign's end (end of its last day).
        dangling: ``(task, missing)`` dependencies on tasks that do not exist (left out).
        level_ptr: when ``order`` is grouped by depth, level k is ``order[level_ptr[k]:level_ptr[k + 1]]``
            and the passes run a level at a time with numpy; ``None`` otherwise.
    """

    campaign: Campaign
    axis: WorkAxis
    ids: list[str]
    index: dict[str, int]
    is_gate: bytearray
    task_of: array[int]
    duration: array[float]
    low: array[float]
    high: array[float]
    earliest: array[float]
    deadline: array[float]
    fixed: bytearray
    pred_ptr: array[int]
    pred_idx: array[int]
    pred_lag: array[float]
    pred_lag_working: bytearray
    order: array[int]
    units: list[str]
    lead: array[int]
    capacity: array[int]
    succ_ptr: array[int]
    succ_idx: array[int]
    succ_edge: array[int]
    end: float
    dangling: tuple[tuple[str, str], ...] = ()
    level_ptr: array[int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def preds(self, v: int) -> Iterator[tuple[int, int]]:
        """``(predecessor, edge index)`` pairs of node ``v``."""
        for e in range(self.pred_ptr[v], self.pred_ptr[v + 1]):
            yield self.pred_idx[e], e

    def succs(self, v: int) -> Iterator[tuple[int, int]]:
        """``(successor, edge index)`` pairs of node ``v``."""
        for k in range(self.succ_ptr[v], self.succ_ptr[v + 1]):
            yield self.succ_idx[k], self.succ_edge[k]

    def after_lag(self, work: float, e: int) -> float:
        """Working time at which a successor may start if edge ``e``'s source finishes at ``work``."""
        lag = self.pred_lag[e]
        if self.pred_lag_working[e]:
            return work + lag
        return self.axis.add_calendar_days(work, lag, finish=True)

    def before_lag(self, work: float, e: int) -> float:
        """Latest finish of edge ``e``'s source for its target to start at ``work``."""
        lag = self.pred_lag[e]
        if self.pred_lag_working[e]:
            return work - lag
        return self.axis.pos(self.axis.instant(work) - timedelta(days=lag))


def resolve_axis(campaign: Campaign, *, calendar: Calendar | None = None, axis: WorkAxis | None = None,
                 plugins: Plugins | None = None) -> WorkAxis:
    """``axis``, or one on ``calendar``, or on the campaign's calendar from ``plugins``."""
    if axis is not None:
        return axis
    if calendar is None:
        from .calendar import campaign_calendar

        calendar = campaign_calendar(campaign, plugins)
    return WorkAxis(calendar, start_instant(campaign.start).date())


def _task_rows(campaign: Campaign, d: Any, window: Window, approvals: Sequence[Any],
               at: Callable[[datetime | None, float], float], spans: dict[Window, tuple[float, float]],
               approver_cache: dict[tuple[str, ...], int], unit_index: Mapping[str, int], approval_days: float,
               ) -> tuple[list[float], list[float], list[float], list[float], list[float], bool, list[int]]:
    """The node values of one task and its approval gates, but for the task's own lead: ``compile_plan``'s rows."""
    span = spans.get(window)
    if span is None:
        span = spans[window] = (at(window.earliest(), -_INF), at(window.deadline(), _INF))
    first_day, due = span
    likely, lo, hi = d.likely, d.low, d.high
    fixed = window.on is not None
    if fixed:
        if isinstance(window.on, datetime):
            # An event at a moment lasts its duration from then; it cannot be late.
            due = first_day + likely
        else:
            # An event on a date is that day: none of its working time on a holiday.
            room = due - first_day
            likely, lo, hi = min(likely, room), min(lo, room), min(hi, room)
    duration, low, high, earliest, deadline = [likely], [lo], [hi], [first_day], [due]
    leads: list[int] = []
    for step in approvals:
        within = step.within
        if within is None:
            duration.append(approval_days)
            low.append(approval_days)
            high.append(approval_days)
        else:
            duration.append(within.likely)
            low.append(within.low)
            high.append(within.high)
        earliest.append(-_INF)
        deadline.append(at(None if step.due is None else end_instant(step.due), _INF))
        first = approver_cache.get(step.by)
        if first is None:
            members = campaign.expand(step.by)
            first = approver_cache[step.by] = unit_index.get(members[0], -1) if members else -1
        leads.append(first)
    return duration, low, high, earliest, deadline, fixed, leads


def compile_plan(campaign: Campaign, *, calendar: Calendar | None = None, axis: WorkAxis | None = None,
                 plugins: Plugins | None = None, approval_days: float = 2.0) -> CompiledPlan:
    """Compile ``campaign`` into a ``CompiledPlan``.

    Args:
        campaign: the campaign.
        calendar: the calendar to use; by default the campaign's, from ``plugins``.
        axis: a ready working-time axis (its origin must be the campaign's start date).
        plugins: where to find the campaign's calendar (default: the process default).
        approval_days: working days an approval step takes when it gives no ``within``.

    Raises:
        CycleError: the dependencies form a cycle; ``cycle`` lists its task ids in order.
    """
    axis = resolve_axis(campaign, calendar=calendar, axis=axis, plugins=plugins)
    topo = topology(campaign)
    n = len(topo.ids)
    succ_ptr, succ_idx, succ_edge = topo.successors()
    order, indeg, level_ptr = topo.order(succ_ptr, succ_idx)
    if len(order) < n:
        raise cycle_error(campaign, cycle_tasks(topo, cycle_nodes(topo, indeg)))

    units = list(campaign.units)
    unit_index = {u: i for i, u in enumerate(units)}
    capacity = array("l", [u.capacity or 0 for u in campaign.units.values()])
    positions: dict[datetime, float] = {}
    spans: dict[Window, tuple[float, float]] = {}

    def at(instant: datetime | None, default: float) -> float:
        if instant is None:
            return default
        w = positions.get(instant)
        if w is None:
            w = positions[instant] = axis.pos(instant)
        return w

    duration: list[float] = []
    low: list[float] = []
    high: list[float] = []
    earliest: list[float] = []
    deadline: list[float] = []
    fixed = bytearray(n)
    lead: list[int] = []
    approver_cache: dict[tuple[str, ...], int] = {}
    # A task's nodes depend only on its (frozen) duration, window and approvals. Template
    # instances share those objects with their prototype, so each distinct triple is placed
    # once, keyed by identity (every object stays alive in the campaign meanwhile); a task's
    # own lead is the only per-task lookup.
    rows: dict[tuple[int, int, int], tuple[list[float], list[float], list[float], list[float],
                                           list[float], bool, list[int]]] = {}
    unit_get = unit_index.get
    v = 0
    for task in campaign.tasks.values():
        d, window, approvals = task.duration, task.window, task.approvals
        key = (id(d), id(window), id(approvals))
        row = rows.get(key)
        if row is None:
            row = rows[key] = _task_rows(campaign, d, window, approvals, at, spans, approver_cache, unit_index,
                                         approval_days)
        r_dur, r_low, r_high, r_earliest, r_deadline, r_fixed, r_leads = row
        if r_fixed:
            fixed[v] = 1
        v += len(r_dur)
        duration += r_dur
        low += r_low
        high += r_high
        earliest += r_earliest
        deadline += r_deadline
        lead.append(unit_get(task.lead, -1))
        if r_leads:
            lead += r_leads

    return CompiledPlan(
        campaign=campaign,
        axis=axis,
        ids=topo.ids,
        index=topo.index,
        is_gate=topo.is_gate,
        task_of=topo.task_of,
        duration=array("d", duration),
        low=array("d", low),
        high=array("d", high),
        earliest=array("d", earliest),
        deadline=array("d", deadline),
        fixed=fixed,
        pred_ptr=topo.pred_ptr,
        pred_idx=topo.pred_idx,
        pred_lag=topo.pred_lag,
        pred_lag_working=topo.pred_lag_working,
        order=order,
        units=units,
        lead=array("l", lead),
        capacity=capacity,
        succ_ptr=succ_ptr,
        succ_idx=succ_idx,
        succ_edge=succ_edge,
        end=axis.pos(end_instant(campaign.end)),
        dangling=topo.dangling,
        level_ptr=level_ptr,
    )

@attrs.frozen(eq=False)
class Passes:
    """Raw results of the critical path method, indexed by node.

    Attributes:
        es: earliest start (working time).
        ef: earliest finish.
        ls: latest start.
        lf: latest finish.
        ready: when the predecessors allow a start (``-inf`` without any); for a
            fixed event, ``ready > es`` means a prerequisite finishes too late.
        driver: the predecessor that sets ``ready`` (the first one on a tie), -1 without any.
    """

    es: array[float]
    ef: array[float]
    ls: array[float]
    lf: array[float]
    ready: array[float]
    driver: array[int]


def forward_pass(plan: CompiledPlan, duration: Sequence[float] | None = None,
                 ) -> tuple[array[float], array[float], array[float], array[int]]:
    """Earliest times: ``(es, ef, ready, driver)``.

    ES is the later of the node's earliest start and, over its predecessors,
    their EF plus the lag (calendar-day lags go through the calendar); a
    node without either starts at 0, the campaign's start. A fixed event
    starts at its date whatever its predecessors say. EF = ES + duration.

    Args:
        plan: the compiled plan.
        duration: durations to use instead of ``plan.duration`` (a Monte Carlo draw).
    """
    np = _numpy() if plan.level_ptr is not None else None
    if np is not None:
        return _forward_np(np, plan, duration)
    n = len(plan.ids)
    dur = list(plan.duration if duration is None else duration)
    earliest = plan.earliest.tolist()
    fixed = plan.fixed
    pp, pi, pl, pw = plan.pred_ptr.tolist(), plan.pred_idx.tolist(), plan.pred_lag.tolist(), plan.pred_lag_working
    es = [0.0] * n
    ef = [0.0] * n
    ready = [-_INF] * n
    driver = [-1] * n
    shifted: dict[tuple[float, float], float] = {}
    ninf = -_INF
    for v in plan.order:
        best = ninf
        drv = -1
        for e in range(pp[v], pp[v + 1]):
            p = pi[e]
            if pw[e]:
                t = ef[p] + pl[e]
            else:
                key = (ef[p], pl[e])
                t = shifted.get(key)  # type: ignore[assignment]
                if t is None:
                    t = shifted[key] = plan.after_lag(key[0], e)
            if t > best:
                best = t
                drv = p
        ready[v] = best
        driver[v] = drv
        start = earliest[v]
        if not fixed[v]:
            if best > start:
                start = best
            elif start == ninf:
                start = 0.0
        es[v] = start
        ef[v] = start + dur[v]
    return array("d", es), array("d", ef), array("d", ready), array("l", driver)


def backward_pass(plan: CompiledPlan, duration: Sequence[float] | None = None,
                  ) -> tuple[array[float], array[float]]:
    """Latest times: ``(ls, lf)``.

    LF is the earliest of the node's deadline, the campaign's end and, over
    its successors, their LS minus the lag; LS = LF - duration.
    """
    np = _numpy() if plan.level_ptr is not None else None
    if np is not None:
        return _backward_np(np, plan, duration)
    n = len(plan.ids)
    dur = list(plan.duration if duration is None else duration)
    end = plan.end
    lf = [d if d < end else end for d in plan.deadline.tolist()]
    ls = [0.0] * n
    pp, pi, pl, pw = plan.pred_ptr.tolist(), plan.pred_idx.tolist(), plan.pred_lag.tolist(), plan.pred_lag_working
    shifted: dict[tuple[float, float], float] = {}
    for v in reversed(plan.order):
        start = lf[v] - dur[v]
        ls[v] = start
        for e in range(pp[v], pp[v + 1]):
            p = pi[e]
            if pw[e]:
                t = start - pl[e]
            else:
                key = (start, pl[e])
                t = shifted.get(key)  # type: ignore[assignment]
                if t is None:
                    t = shifted[key] = plan.before_lag(start, e)
            if t < lf[p]:
                lf[p] = t
    return array("d", ls), array("d", lf)


def passes(plan: CompiledPlan, duration: Sequence[float] | None = None) -> Passes:
    """Both passes of the critical path method on ``plan``."""
    es, ef, ready, driver = forward_pass(plan, duration)
    ls, lf = backward_pass(plan, duration)
    return Passes(es=es, ef=ef, ls=ls, lf=lf, ready=ready, driver=driver)
