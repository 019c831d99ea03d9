"""Built-in checks CF3xx: owners and approvals (capacity, who approves whom, unused units).

Group references are never expanded per task when that could multiply: a
template's 40,000 instances that each name a group of 40,000 approvers cost
40,000 small look-ups, not 1.6e9 comparisons.
"""

from __future__ import annotations

import itertools
from itertools import chain
from operator import attrgetter
from collections.abc import Iterator, Sequence
from typing import Any

from ..findings import Finding, Severity, Text
from ..model import Campaign, Task, start_instant
from ..plugins import hookimpl
from . import Check, CheckContext
from ._overload import overloads
from ._fmt import day, finish, listing, working_days
from ._hierarchy import Hierarchy
from ._keys import per_key, task_key

__all__ = ["Overbooked", "SelfApproval", "ApproverNotAbove", "UnusedUnit"]

# Float noise from converting whole-second instants to working time.
_EPS = 1e-6

#: How many misplaced approvers a message names.
_SHOWN = 6

#: Approval step kinds that need not come from a superior (docs/plan-format.md, approval steps' `kind`).
_PEER_STEP_KINDS = frozenset({"consent", "recommend"})


class Overbooked(Check):
    """A unit is overbooked: it leads more tasks at once than its ``capacity``.

    A sound demand test on the critical path windows: the tasks a unit
    leads each have a window ``[earliest start, latest finish]``; when the
    tasks whose windows lie inside some interval need more working days than
    ``capacity`` times its length, some deadline cannot be met, however the
    unit orders its work. Fixed events (``on``) count for their whole day;
    more of them on one non-working day than ``capacity`` is reported too.
    O(n log n) per unit (``checks._overload``). Windows that cannot hold
    their own task are CF202's, and left out here.
    """

    code = "CF301"
    name = "owners.overbooked"
    default_severity = Severity.ERROR
    summary = Text("a unit leads more tasks at once than its capacity, so a deadline cannot be met",
                   "单位同时牵头的任务超过其承载能力,导致截止时间无法满足")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        cp = ctx.analysis.cpm
        if cp is None:
            return
        plan, t = cp.plan, cp.times
        axis = plan.axis
        campaign = ctx.campaign
        windows: dict[int, list[tuple[float, float, float]]] = {}
        nodes: dict[int, list[int]] = {}
        holidays: dict[tuple[int, object], list[int]] = {}
        # A co-lead is booked by the task as much as its lead is (#18): the task counts for each.
        unit_index = {uid: i for i, uid in enumerate(plan.units)}
        co_leads = {tid: [unit_index[c] for c in task.leads[1:] if c in unit_index]
                    for tid, task in campaign.tasks.items() if task.co_leads}
        for v in range(len(plan.ids)):
            if plan.is_gate[v]:
                continue
            lead = plan.lead[v]
            for u in ((lead, *co_leads.get(plan.ids[v], ())) if co_leads else (lead,)):
                self._book(campaign, plan, t, axis, v, u, windows, nodes, holidays)
        for u, ws in windows.items():
            cap = plan.capacity[u]
            for over in overloads(ws, cap):
                yield self._overload(ctx, cp, plan.units[u], cap, over.start, over.end, over.need,
                                     [plan.ids[nodes[u][i]] for i in over.members])
        for (u, on), vs in holidays.items():
            cap = plan.capacity[u]
            if len(vs) > cap:
                yield self._same_day(ctx, plan.units[u], cap, on, [plan.ids[v] for v in vs])

    @staticmethod
    def _book(campaign: Campaign, plan: Any, t: Any, axis: Any, v: int, u: int,
              windows: dict[int, list[tuple[float, float, float]]], nodes: dict[int, list[int]],
              holidays: dict[tuple[int, object], list[int]]) -> None:
        """Count node ``v`` against unit ``u``'s capacity (when it has one)."""
        if u < 0 or plan.capacity[u] <= 0:
            return
        es, lf, d = t.es[v], t.lf[v], plan.duration[v]
        if plan.fixed[v]:
            # An event occupies its lead for its day, whatever its duration says.
            task = campaign.tasks[plan.ids[v]]
            on = start_instant(task.window.on).date()  # type: ignore[arg-type]
            if not axis.is_working(on):
                holidays.setdefault((u, on), []).append(v)
                return
            es = axis.day_start(on)
            lf, d = es + 1.0, min(task.duration.likely, 1.0)
        elif d <= 0 or es + d > lf + _EPS:
            return
        windows.setdefault(u, []).append((es, lf, d))
        nodes.setdefault(u, []).append(v)

    def _overload(self, ctx: CheckContext, cp: Any, unit: str, cap: int, a: float, b: float, need: float,
                  ids: list[str]) -> Finding:
        axis = cp.plan.axis
        opens, closes = day(axis.instant(a).date()), finish(axis.instant(b, finish=True))
        room, names, work = working_days(cap * (b - a)), listing(ids), working_days(need)
        return _booked(ctx, unit, ids, "lead", Text(
            f"unit '{unit}' (capacity {cap}) leads {len(ids)} tasks that must all be done between {opens.en} "
            f"and {closes.en}: they need {work.en} of work, but it has room for {room.en} ({names.en}); "
            f"some deadline cannot be met",
            f"单位“{unit}”(承载能力{cap})牵头的{len(ids)}项任务都须在{opens.zh}至{closes.zh}之间完成,"
            f"共需{work.zh},但该单位最多只能安排{room.zh}({names.zh}),必有任务无法按时完成"))

    def _same_day(self, ctx: CheckContext, unit: str, cap: int, on: Any, ids: list[str]) -> Finding:
        when, names = day(on), listing(ids)
        return _booked(ctx, unit, ids, "on", Text(
            f"unit '{unit}' (capacity {cap}) leads {len(ids)} events on {when.en}: {names.en}",
            f"单位“{unit}”(承载能力{cap})在{when.zh}牵头{len(ids)}项活动:{names.zh}"))


def _booked(ctx: CheckContext, unit: str, ids: list[str], field: str, message: Text) -> Finding:
    return ctx.finding(
        message,
        key_path=f"units.{unit}.capacity",
        tasks=ids,
        units=[unit],
        hint=Text("spread the tasks' dates, give some of them another lead, or raise the capacity",
                  "错开任务时间、将部分任务交由其他单位牵头,或提高该单位的承载能力"),
        related=[_lead_key(ctx.campaign.tasks[i], unit, field) for i in ids[:8]],
    )


def _lead_key(task: Task, unit: str, field: str) -> str:
    """Where ``task`` names ``unit`` as a lead: ``co_leads[i]`` for a co-lead, else ``field``."""
    if field == "lead" and unit != task.lead and unit in task.co_leads:
        return task_key(task, f"co_leads[{task.co_leads.index(unit)}]")
    return task_key(task, field)


def _step_label(i: int) -> Text:
    return Text(f"approval step {i + 1}", f"第{i + 1}步审批")


class SelfApproval(Check):
    """Self-approval: an approval step that the task's own lead may give.

    The step's ``by`` names the lead, or a group the lead belongs to. Plans
    that allow it (``allow_self_approval``) are not reported.
    """

    code = "CF302"
    name = "owners.self-approval"
    default_severity = Severity.WARNING
    summary = Text("an approval step is given by the task's own lead", "审批环节由任务牵头单位自己审批")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        if campaign.allow_self_approval:
            return
        groups = _GroupIndex(campaign, frozenset())
        found: list[tuple[str, Task, tuple[int, str, str]]] = []
        for task in campaign.tasks.values():
            # A co-lead approving the work it leads is self-approval too (#18).
            leads = task.leads if task.co_leads else (task.lead,)
            for i, step in enumerate(task.approvals):
                hit = next(((ref, lead) for ref in step.by for lead in leads
                            if ref == lead or (ref in campaign.groups and lead in groups.members(ref))), None)
                if hit is not None:
                    found.append((task_key(task, f"approvals[{i}].by"), task, (i, *hit)))
        for hit in per_key(found):
            task, (i, ref, lead), more = hit.task, hit.item, hit.more
            step = _step_label(i)
            via = Text("", "") if ref == lead else Text(f" through group '{ref}'", f"(通过群组“{ref}”)")
            role = Text("lead", "牵头单位") if lead == task.lead else Text("co-lead", "共同牵头单位")
            yield ctx.finding(
                Text(f"{step.en} of task '{task.id}' may be given by its own {role.en} '{lead}'{via.en}{more.en}",
                     f"任务“{task.id}”的{step.zh}可由{role.zh}“{lead}”自己审批{via.zh}{more.zh}"),
                key_path=hit.key,
                tasks=hit.tasks,
                units=[lead],
                related=[_lead_key(task, lead, "lead")] if lead != task.lead else [],
                hint=Text("let a superior or an independent office approve, or set allow_self_approval if intended",
                          "改由上级或独立的职能部门审批;如确属有意,请设置 allow_self_approval"),
            )


class _GroupIndex:
    """Per-group member sets and non-office members, built once per group and run."""

    def __init__(self, campaign: Campaign, office_kinds: frozenset[str]) -> None:
        self._campaign = campaign
        self._offices = office_kinds
        self._sets: dict[str, frozenset[str]] = {}
        self._split: dict[str, tuple[list[str], frozenset[str]]] = {}

    def members(self, group: str) -> frozenset[str]:
        got = self._sets.get(group)
        if got is None:
            got = self._sets[group] = frozenset(self._campaign.members(group))
        return got

    def plain(self, group: str) -> tuple[list[str], frozenset[str]]:
        """The members that are not offices, in order and as a set."""
        got = self._split.get(group)
        if got is None:
            units = self._campaign.units
            plain = [u for u in self._campaign.members(group) if units[u].kind not in self._offices]
            got = self._split[group] = (plain, frozenset(plain))
        return got


class ApproverNotAbove(Check):
    """An approver that is neither above the lead nor an office of another branch.

    Approval normally goes up: the approver is an ancestor of the task's lead
    in the unit hierarchy, or a functional office (a unit whose ``kind`` is
    one of the ``office_kinds`` option) outside the lead's own subtree. Steps
    of kind ``consent`` and ``recommend`` are exempt (docs/plan-format.md, approval steps' `kind`).
    """

    code = "CF303"
    name = "owners.approver-not-above"
    default_severity = Severity.INFO
    summary = Text("an approver is not above the task's lead in the unit hierarchy",
                   "审批单位不是牵头单位的上级")
    options = {"office_kinds": ("department", "office")}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        offices = frozenset(ctx.options.get("office_kinds", ()))
        groups = _GroupIndex(campaign, offices)
        tree = ctx.analysis.hierarchy
        found: list[tuple[str, Task, tuple[int, list[str], int, str]]] = []
        units = campaign.units
        for task in campaign.tasks.values():
            for i, step in enumerate(task.approvals):
                if step.kind in _PEER_STEP_KINDS:
                    continue
                if not task.co_leads:
                    lead = task.lead
                    if len(step.by) == 1 and step.by[0] in units:  # the common case, decided inline
                        ref = step.by[0]
                        if ref == lead or tree.is_below(lead, ref) or (
                                units[ref].kind in offices and not tree.is_below(ref, lead)):
                            continue
                    shown, count = _misplaced(campaign, groups, tree, lead, step.by, offices)
                    if count:
                        found.append((task_key(task, f"approvals[{i}].by"), task, (i, shown, count, lead)))
                    continue
                # Co-leads (#18): the approver must be above each lead. A lead in `by` is
                # self-approval (CF302's), not reported here.
                by = [ref for ref in step.by if ref not in task.leads]
                for lead in task.leads:
                    shown, count = _misplaced(campaign, groups, tree, lead, by, offices)
                    if count:
                        found.append((task_key(task, f"approvals[{i}].by"), task, (i, shown, count, lead)))
                        break
        for hit in per_key(found):
            task, (i, shown, count, lead), more = hit.task, hit.item, hit.more
            step = _step_label(i)
            names = listing(shown, total=count)
            role = Text("lead", "牵头单位") if lead == task.lead else Text("co-lead", "共同牵头单位")
            yield ctx.finding(
                Text(f"{step.en} of task '{task.id}' is given by {names.en}, not above its {role.en} '{lead}' "
                     f"in the unit hierarchy{more.en}",
                     f"任务“{task.id}”的{step.zh}由{names.zh}审批,而这些单位并非{role.zh}“{lead}”的上级{more.zh}"),
                key_path=hit.key,
                tasks=hit.tasks,
                units=[lead, *shown],
                related=[_lead_key(task, lead, "lead")] if lead != task.lead else [],
                hint=Text("let a superior of the lead approve; use kind = \"consent\" or \"recommend\" for a step "
                          "that rightly comes from below",
                          "改由牵头单位的上级审批;若该环节本应来自下级,请将其 kind 设为 \"consent\" 或 \"recommend\""),
            )


def _misplaced(campaign: Campaign, groups: _GroupIndex, tree: Hierarchy, lead: str, refs: Sequence[str],
               offices: frozenset[str]) -> tuple[list[str], int]:
    """Approvers of one step that are misplaced: the first few, and how many in all."""
    shown: list[str] = []
    count = 0
    for ref in refs:
        if ref in campaign.groups:
            # Among non-offices only the lead and its few ancestors are fine: count by subtraction.
            above = {lead, *campaign.ancestors(lead)}
            plain, plain_set = groups.plain(ref)
            count += len(plain) - sum(1 for u in above if u in plain_set)
            shown.extend(itertools.islice((u for u in plain if u not in above), _SHOWN))
            below = [u for u in tree.members_below(ref, lead) if campaign.units[u].kind in offices]
            count += len(below)
            shown.extend(below[:_SHOWN])
        elif ref in campaign.units and ref != lead and not tree.is_below(lead, ref):
            if campaign.units[ref].kind not in offices or tree.is_below(ref, lead):
                count += 1
                shown.append(ref)
    return list(dict.fromkeys(shown))[:_SHOWN], count


class UnusedUnit(Check):
    """A unit or group that nothing refers to.

    A unit or group *is referred to* when its id appears as a task's ``lead``
    or in its ``partners``, ``co_leads``, ``reports_to``, in an approval step's ``by``, in ``solicits``, on
    either side of a pairing, or as the campaign's ``issuer``; a group also
    when it is a template's ``for_each`` (recognised because the template's
    instances are exactly the group's members). A unit is also referred to
    when it is a member of a referred group, the ``under`` unit of a referred
    group, or an ancestor of a referred unit; a group is also referred to when
    it is a member of a referred group. Listing a unit in the
    ``members`` of a group that nothing refers to does not count.
    """

    code = "CF304"
    name = "owners.unused-unit"
    default_severity = Severity.INFO
    summary = Text("a unit or group that nothing in the plan refers to", "方案中没有任何地方引用的单位或群组")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        units_used, groups_used = _referred(campaign)
        for gid in campaign.groups:
            if gid not in groups_used:
                yield ctx.finding(
                    Text(f"group '{gid}' is not used: no task, approval, solicitation, pairing or template names it",
                         f"群组“{gid}”未被使用:没有任何任务、审批、募捐、结对或模板引用它"),
                    key_path=f"groups.{gid}",
                    hint=Text("remove it, or name it where it was meant to be used", "删除该群组,或在应使用处引用它"),
                )
        for uid in campaign.units:
            if uid not in units_used:
                yield ctx.finding(
                    Text(f"unit '{uid}' is not used: nothing refers to it, to a group it is in, or to a unit below it",
                         f"单位“{uid}”未被使用:没有任何地方引用它、它所在的群组或其下级单位"),
                    key_path=f"units.{uid}",
                    units=[uid],
                    hint=Text("remove it, or name it where it was meant to take part", "删除该单位,或在应参与处引用它"),
                )


def _referred(campaign: Campaign) -> tuple[set[str], set[str]]:
    refs: set[str] = set()
    if campaign.issuer is not None:
        refs.add(campaign.issuer)
    for pairing in campaign.pairings:
        refs.update((pairing.a, pairing.b))
    instances_of: dict[str, set[str]] = {}
    # One pass per field, in C where it can be (a million tasks): the set is the same
    # whatever the order it is filled in. Template instances share their (frozen)
    # approvals and submissions, so each distinct tuple is walked once.
    tasks = campaign.tasks.values()
    refs.update(map(attrgetter("lead"), tasks))
    refs.update(chain.from_iterable(map(attrgetter("partners"), tasks)))
    refs.update(chain.from_iterable(map(attrgetter("solicits"), tasks)))
    # A co-lead and a unit receiving a submission (reports_to) take part too.
    refs.update(chain.from_iterable(map(attrgetter("co_leads"), tasks)))
    for steps in {id(a): a for a in map(attrgetter("approvals"), tasks) if a}.values():
        for step in steps:
            refs.update(step.by)
    for subs in {id(r): r for r in map(attrgetter("reports_to"), tasks) if r}.values():
        for sub in subs:
            refs.update(sub.to)
    for template, unit in zip(map(attrgetter("template"), tasks), map(attrgetter("template_unit"), tasks)):
        if template is not None and unit is not None:
            instances_of.setdefault(template, set()).add(unit)
    for_each = {frozenset(units) for units in instances_of.values()}
    groups_used = {g for g in campaign.groups if g in refs}
    groups_used.update(g for g, group in campaign.groups.items()
                       if group.units and frozenset(group.units) in for_each)
    # A group listed in the members of a used group is used (nested township groups):
    # follow members until no new group turns up.
    todo = list(groups_used)
    while todo:
        for member in campaign.groups[todo.pop()].members:
            if member in campaign.groups and member not in groups_used:
                groups_used.add(member)
                todo.append(member)
    units_used = {u for u in refs if u in campaign.units}
    for gid in groups_used:
        group = campaign.groups[gid]
        units_used.update(group.units)
        if group.under is not None:
            units_used.add(group.under)
    # Ancestors: each walk stops at a unit already known to be used, whose own
    # walk covers the rest, so every unit is visited once (and cycles end too).
    units = campaign.units
    for uid in list(units_used):
        parent = units[uid].parent
        while parent is not None and parent in units and parent not in units_used:
            units_used.add(parent)
            parent = units[parent].parent
    return units_used, groups_used


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    return [Overbooked, SelfApproval, ApproverNotAbove, UnusedUnit]
