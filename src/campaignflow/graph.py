"""The dependency graph: networkx for the API, cycles, and the critical path method.

``build_graph`` gives hosts and explanations a networkx ``DiGraph``; the
work itself (cycle detection, earliest and latest times, slack) runs on the
flat arrays of ``campaignflow.cpm``, so that it stays linear and small on a
million tasks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from . import cpm
from .cpm import CompiledPlan, Passes, compile_plan
from .model import Campaign, Lag, end_instant, start_instant

if TYPE_CHECKING:
    import networkx as nx

    from .calendar import Calendar, WorkAxis
    from .plugins.manager import Plugins

__all__ = ["CriticalPath", "NodeTimes", "build_graph", "critical_path", "find_cycle", "hierarchy_cycle"]

# Float noise from converting whole-second instants back to working time.
_EPS = 1e-9


def build_graph(campaign: Campaign) -> nx.DiGraph:
    """The dependency graph of ``campaign`` as a networkx ``DiGraph``.

    Task nodes carry ``kind="task"``, ``task`` (the ``Task``), ``title``,
    ``lead`` and ``duration`` (working days). Each approval step is a node
    ``TASK/approval[i]`` with ``kind="approval"``, ``task`` (the owning task
    id), ``step``, ``approval`` and ``by``. Every edge carries ``lag`` (a
    ``Lag``): zero along a task's chain of approvals, the dependency's lag from
    a prerequisite's last gate to the task. Dependencies on tasks that do not
    exist are left out.
    """
    import networkx as nx  # here, not at the top: `campaignflow validate` never needs it

    graph = nx.DiGraph(campaign=campaign.id)
    last: dict[str, str] = {}
    for tid, task in campaign.tasks.items():
        graph.add_node(tid, kind="task", task=task, title=task.title, lead=task.lead,
                       duration=task.duration.likely)
        prev = tid
        for i, step in enumerate(task.approvals):
            gate = cpm.gate_id(tid, i)
            graph.add_node(gate, kind="approval", task=tid, step=i, approval=step, by=step.by)
            graph.add_edge(prev, gate, lag=Lag())
            prev = gate
        last[tid] = prev
    for tid, task in campaign.tasks.items():
        for dep in task.after:
            source = last.get(dep.task)
            if source is not None:
                graph.add_edge(source, tid, lag=dep.lag)
    return graph


def find_cycle(campaign: Campaign) -> tuple[str, ...] | None:
    """The task ids of one dependency cycle, in dependency order, or ``None``.

    In ``("a", "b", "c")``, b waits for a, c for b and a for c. Cycles through
    approval gates are reported by their tasks. Linear in tasks and dependencies.
    """
    topo = cpm.topology(campaign)
    succ_ptr, succ_idx, _ = topo.successors()
    order, indeg, _ = topo.order(succ_ptr, succ_idx)
    if len(order) == len(topo):
        return None
    return cpm.cycle_tasks(topo, cpm.cycle_nodes(topo, indeg))


def hierarchy_cycle(campaign: Campaign) -> tuple[str, ...] | None:
    """Unit ids of one cycle of ``parent`` links, child first, or ``None``.

    In ``("a", "b")``, a's parent is b and b's parent is a. The cycle starts
    at the member that comes first in the plan; it is the first one check
    CF102 reports.
    """
    from .checks._hierarchy import parent_cycles

    cycles = parent_cycles(campaign.units)
    return tuple(cycles[0]) if cycles else None


@attrs.frozen
class NodeTimes:
    """Earliest and latest start and finish of one node, in working time, and its slack."""

    #: Earliest start.
    es: float
    #: Earliest finish.
    ef: float
    #: Latest start.
    ls: float
    #: Latest finish.
    lf: float
    #: ``ls - es``: working days the node may slip; negative when it cannot be on time.
    slack: float


@attrs.frozen(eq=False)
class CriticalPath:
    """The critical path method's result for a campaign.

    Times are working time on ``plan.axis``; the ``earliest_*``/``latest_*``
    methods give instants. Latest times respect every deadline (a gate's
    ``due`` included) and the campaign's end, so slack is negative where a
    deadline cannot be met.

    Attributes:
        plan: the compiled plan the times belong to.
        times: the raw arrays, indexed like ``plan.ids``.
        critical: the chain that sets the latest earliest finish, first node
            first: each node's start is set by the one before it. Without
            deadlines and earliest starts, its nodes have the least slack.
    """

    plan: CompiledPlan = attrs.field(repr=False)
    times: Passes = attrs.field(repr=False)
    critical: tuple[str, ...]

    @classmethod
    def of(cls, plan: CompiledPlan) -> CriticalPath:
        """Run both passes on ``plan``."""
        times = cpm.passes(plan)
        ef = times.ef
        if not len(ef):
            return cls(plan=plan, times=times, critical=())
        top = max(range(len(ef)), key=ef.__getitem__)  # first node on a tie
        return cls(plan=plan, times=times, critical=_chain(plan, times, top))

    def __len__(self) -> int:
        return len(self.plan.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.plan.ids)

    def __contains__(self, node: object) -> bool:
        return node in self.plan.index

    def __getitem__(self, node: str) -> NodeTimes:
        v = self.plan.index[node]
        t = self.times
        return NodeTimes(es=t.es[v], ef=t.ef[v], ls=t.ls[v], lf=t.lf[v], slack=t.ls[v] - t.es[v])

    @property
    def finish(self) -> float:
        """The latest earliest finish of all nodes: when the campaign can be done."""
        return max(self.times.ef, default=0.0)

    def slack(self, node: str) -> float:
        """Working days ``node`` may slip without making anything late."""
        v = self.plan.index[node]
        return self.times.ls[v] - self.times.es[v]

    def earliest_start(self, node: str) -> datetime:
        """When ``node`` can start at the earliest (a fixed event: its own moment)."""
        v = self.plan.index[node]
        on = self._on(v)
        if on is not None:
            return start_instant(on)
        return self.plan.axis.instant(self.times.es[v])

    def earliest_finish(self, node: str) -> datetime:
        """When ``node`` can be finished at the earliest (24:00, not the next day's 00:00)."""
        v = self.plan.index[node]
        on = self._on(v)
        if on is not None and not isinstance(on, datetime):
            return end_instant(on)
        at = self.plan.axis.instant(self.times.ef[v], finish=True)
        return at if on is None else max(at, on)

    def latest_start(self, node: str) -> datetime:
        """The last moment ``node`` may start without making anything late."""
        return self.plan.axis.instant(self.times.ls[self.plan.index[node]])

    def latest_finish(self, node: str) -> datetime:
        """The last moment ``node`` may finish without making anything late."""
        return self.plan.axis.instant(self.times.lf[self.plan.index[node]], finish=True)

    def is_critical(self, node: str) -> bool:
        """Whether ``node`` is on ``critical``."""
        return node in self.critical

    def chain_to(self, node: str) -> tuple[str, ...]:
        """The prerequisites, in order, that set ``node``'s earliest start, ending with ``node``.

        From ``node``, each step goes to the predecessor whose finish (plus
        lag) is latest, and stops at a node whose start is set by its own
        earliest start (or has no predecessors). For a fixed event whose
        prerequisites finish too late, the chain shows the late ones.
        """
        return _chain(self.plan, self.times, self.plan.index[node])

    def late_events(self) -> tuple[str, ...]:
        """Fixed (``on``) events whose prerequisites cannot be done before them."""
        t, fixed = self.times, self.plan.fixed
        return tuple(self.plan.ids[v] for v in range(len(fixed))
                     if fixed[v] and t.ready[v] > t.es[v] + _EPS)

    def _on(self, v: int) -> datetime | None:
        if not self.plan.fixed[v]:
            return None
        return self.plan.campaign.tasks[self.plan.ids[v]].window.on  # type: ignore[return-value]


def _chain(plan: CompiledPlan, times: Passes, v: int) -> tuple[str, ...]:
    out = [v]
    driver, ready, earliest = times.driver, times.ready, plan.earliest
    while driver[v] >= 0 and ready[v] >= earliest[v] - _EPS:
        v = driver[v]
        out.append(v)
    return tuple(plan.ids[i] for i in reversed(out))


def critical_path(campaign: Campaign, *, calendar: Calendar | None = None, axis: WorkAxis | None = None,
                  plugins: Plugins | None = None, approval_days: float = 2.0) -> CriticalPath:
    """Earliest and latest times and slack of every task and approval of ``campaign``.

    Args:
        campaign: the campaign.
        calendar: the calendar to use; by default the campaign's, from ``plugins``.
        axis: a ready working-time axis (origin: the campaign's start date).
        plugins: where to find the campaign's calendar (default: the process default).
        approval_days: working days an approval step takes when it gives no ``within``.

    Raises:
        CycleError: the dependencies form a cycle.
    """
    plan = compile_plan(campaign, calendar=calendar, axis=axis, plugins=plugins, approval_days=approval_days)
    return CriticalPath.of(plan)
