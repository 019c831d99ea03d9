"""Built-in checks CF1xx: the plan's structure (dependency and hierarchy cycles).

A cycle loads — it has a meaning that can be shown on the plan — and these
checks report it next to every other finding. Both run in time linear in the
number of tasks and dependencies (units and parent links).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import attrs

from .. import cpm
from ..findings import Finding, Severity, Text
from ..model import Campaign, Task
from ..plugins import hookimpl
from . import Check, CheckContext
from ._fmt import chain, listing
from ._keys import task_key

__all__ = ["DependencyCycle", "HierarchyCycle", "Knot", "dependency_knots"]

#: How many further hops of a cycle are given as related locations.
_RELATED = 8


@attrs.frozen
class Knot:
    """Tasks that depend on each other in a circle.

    Attributes:
        cycle: the shortest cycle through the knot's first node, as task ids in
            prerequisite order: ``(a, b, c)`` means b is after a, c after b and a after c.
        tasks: every task of the knot (a strongly connected component), in plan order.
    """

    cycle: tuple[str, ...]
    tasks: tuple[str, ...]


def dependency_knots(campaign: Campaign) -> list[Knot]:
    """Every knot of mutually dependent tasks, in plan order of their first node.

    A knot is a strongly connected component of the dependency graph (tasks
    and their approval gates, ``cpm.topology``) with a cycle in it. Kahn's
    pass rules out the common acyclic case first; Tarjan's algorithm,
    iterative, then runs on integer indices. Dependencies on unknown tasks
    are ignored (the loader reports them).
    """
    topo = cpm.topology(campaign)
    n = len(topo)
    succ_ptr, succ_idx, _ = topo.successors()
    order, _indeg = cpm.topological_order(n, topo.pred_ptr, succ_ptr, succ_idx)
    if len(order) == n:
        return []
    succ = [succ_idx[succ_ptr[v]:succ_ptr[v + 1]].tolist() for v in range(n)]
    knots: list[tuple[int, Knot]] = []
    for comp in _strongly_connected(succ):
        start = min(comp)
        if len(comp) > 1 or start in succ[start]:
            cycle = cpm.cycle_tasks(topo, _shortest_cycle(start, set(comp), succ))
            members = tuple(dict.fromkeys(topo.ids[topo.task_of[v]] for v in sorted(comp)))
            knots.append((start, Knot(cycle=tuple(cycle), tasks=members)))
    knots.sort(key=lambda k: k[0])
    return [knot for _, knot in knots]


def _strongly_connected(succ: list[list[int]]) -> Iterator[list[int]]:
    n = len(succ)
    low = [0] * n
    num = [-1] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = 0
    for root in range(n):
        if num[root] != -1:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            v, k = work.pop()
            if k == 0:
                num[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            descended = False
            edges = succ[v]
            while k < len(edges):
                w = edges[k]
                k += 1
                if num[w] == -1:
                    work.append((v, k))
                    work.append((w, 0))
                    descended = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], num[w])
            if descended:
                continue
            if low[v] == num[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp.append(w)
                    if w == v:
                        break
                yield comp
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])


def _shortest_cycle(start: int, comp: set[int], succ: list[list[int]]) -> list[int]:
    # Breadth-first from start back to start, inside its component only.
    prev: dict[int, int] = {}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for w in succ[v]:
            if w not in comp:
                continue
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                return path[::-1]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return [start]  # unreachable for a strongly connected component


def _after_index(task: Task, prerequisite: str) -> int:
    return next(i for i, dep in enumerate(task.after) if dep.task == prerequisite)


class DependencyCycle(Check):
    """A dependency cycle: tasks that each wait, through ``after``, for the next.

    Approval steps are gates after their task's work and expanded templates
    are ordinary tasks, so a cycle through them is found the same way. Each
    knot of mutually dependent tasks is reported once, with the shortest cycle
    through its first task named in order.
    """

    code = "CF101"
    name = "structure.dependency-cycle"
    default_severity = Severity.ERROR
    summary = Text("tasks wait for each other in a cycle, so none of them can start",
                   "任务之间循环等待,均无法开始")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        tasks = ctx.campaign.tasks
        if _scheduled(ctx):
            return  # the critical path exists, so there is no cycle
        for knot in dependency_knots(ctx.campaign):
            cycle = list(knot.cycle)
            first, last = cycle[0], cycle[-1]
            task = tasks[first]
            gated = [t for t in cycle if tasks[t].approvals]
            path = chain([*cycle, first])
            en = f"dependency cycle: {path} (each task starts after the one before it), so none of them can ever start"
            zh = f"依赖循环:{path}(每项任务都要在前一项完成后才能开始),这些任务都无法开始"
            if gated:
                names = listing(gated)
                en += f"; the cycle passes through the approvals of {names.en}"
                zh += f";循环经过{names.zh}的审批环节"
            caught = [t for t in knot.tasks if t not in set(cycle)]
            if caught:
                names = listing(caught)
                en += f"; {len(caught)} more task{'' if len(caught) == 1 else 's'} caught in the same knot: {names.en}"
                zh += f";另有{len(caught)}项任务陷于同一循环:{names.zh}"
            hops = list(zip(cycle, cycle[1:]))[:_RELATED]  # the finding's tasks list the whole cycle
            related = [task_key(tasks[b], f"after[{_after_index(tasks[b], a)}]") for a, b in hops]
            yield ctx.finding(
                Text(en, zh),
                key_path=task_key(task, f"after[{_after_index(task, last)}]"),
                tasks=[*cycle, *caught],
                hint=Text(f"remove or reverse one of these dependencies, e.g. '{first}' after '{last}'",
                          f"删除或调换其中一条依赖,例如“{first}”在“{last}”之后"),
                related=related,
            )


def _scheduled(ctx: CheckContext) -> bool:
    # The time checks need the critical path anyway, and compiling it detects
    # cycles with the same linear pass: share it, and look for knots only when
    # it failed. Should the schedule fail for another reason, search regardless.
    try:
        return ctx.analysis.cpm is not None
    except Exception:  # noqa: BLE001 - CF101 must not depend on the scheduler's health
        return False


class HierarchyCycle(Check):
    """A unit hierarchy cycle: units that are, through ``parent``, their own ancestor."""

    code = "CF102"
    name = "structure.hierarchy-cycle"
    default_severity = Severity.ERROR
    summary = Text("units are their own superiors through a cycle of parent links",
                   "单位的上级关系(parent)形成循环")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        for cycle in ctx.analysis.hierarchy.cycles:
            path = chain([*cycle, cycle[0]])
            if len(cycle) == 1:
                en = f"unit '{cycle[0]}' is its own parent"
                zh = f"单位“{cycle[0]}”的上级是它自己"
            else:
                en = f"unit hierarchy cycle: {path} (each unit's parent is the next), so none of them has a top"
                zh = f"单位层级循环:{path}(每个单位的上级是下一个),这些单位没有最高上级"
            yield ctx.finding(
                Text(en, zh),
                key_path=f"units.{cycle[0]}.parent",
                units=cycle,
                hint=Text(f"give '{cycle[0]}' its real parent, or none if it is at the top",
                          f"为“{cycle[0]}”填写真正的上级单位;若它是最高一级则删除 parent"),
                related=[f"units.{u}.parent" for u in cycle[1:_RELATED + 1]],
            )


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    return [DependencyCycle, HierarchyCycle]
