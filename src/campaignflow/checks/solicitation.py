"""Built-in checks CF4xx: solicitation (募捐, 认捐) between units.

Seed 001 (a county's 扶贫日 plan) says: "除对口帮扶部门外,原则上乡镇(街道)与乡镇
(街道)之间、乡镇(街道)与部门之间不准互请,重复开展捐赠活动" — apart from paired
units, townships must not solicit each other or departments, nor run
repeated donation drives. These checks find mutual solicitation (CF401),
repeated solicitation (CF402) and solicitation down the hierarchy (CF403).

Everything works on references (a unit or a group) rather than on the cross
product of a group's members: see ``checks._solicit``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

from ..findings import Finding, Severity, Text
from ..model import Campaign, Task
from ..plugins import hookimpl
from . import Check, CheckContext
from ._fmt import listing
from ._keys import per_key, task_key
from ._solicit import Drive, Pairings, Solicitations

__all__ = ["MutualSolicitation", "RepeatedSolicitation", "SolicitationDownward"]


def _key(drive: Drive) -> str:
    return task_key(drive.task, f"solicits[{drive.index}]")


def _role(drive: Drive, unit: str) -> Text:
    """``lead`` or ``co-lead``: how ``unit`` leads the drive's task."""
    return Text("lead", "牵头单位") if unit == drive.task.lead else Text("co-lead", "共同牵头单位")


def _co_lead_key(drive: Drive, unit: str) -> list[str]:
    """The ``co_leads`` entry that makes ``unit`` a soliciting unit of the drive, if it is a co-lead."""
    if unit == drive.task.lead or unit not in drive.task.co_leads:
        return []
    return [task_key(drive.task, f"co_leads[{drive.task.co_leads.index(unit)}]")]


def _target(drive: Drive, campaign: Campaign, unit: str) -> Text:
    """How ``drive`` reaches ``unit``: directly, or through a group."""
    if drive.ref in campaign.groups:
        return Text(f"solicits group '{drive.ref}', which includes '{unit}'", f"向包含“{unit}”的群组“{drive.ref}”募捐")
    return Text(f"solicits '{unit}'", f"向“{unit}”募捐")


class MutualSolicitation(Check):
    """Mutual solicitation: unit A solicits donations from B, and B from A.

    Groups and templates are expanded, but never into the cross product of
    two groups: reciprocity is found between group references first, each
    reciprocal pair of units is reported once with both drives located, and
    at most ``max_per_group_pair`` pairs are listed for one pair of groups
    (then one finding says how many more there are). Units linked by a
    pairing (对口帮扶; a pairing of groups links every member pair) are exempt
    while the ``exempt_pairings`` option is true (the default).
    """

    code = "CF401"
    name = "solicitation.mutual"
    default_severity = Severity.ERROR
    summary = Text("two units solicit donations from each other", "两个单位互相募捐(互请)")
    options = {"exempt_pairings": True, "max_per_group_pair": 10}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        sol = ctx.analysis.solicitations
        pairings = Pairings(campaign) if ctx.options.get("exempt_pairings", True) else None
        reported: set[frozenset[str]] = set()
        # Drives that name a unit directly, answered by a direct drive or one through a group.
        for (b, a), back in sol.edge.items():
            if a == b or a not in campaign.units:
                continue
            forth = sol.edge.get((a, b)) or next(
                (sol.edge[a, g] for g in sol.groups_of.get(a, ()) if b in sol.members(g)), None)
            pair = frozenset((a, b))
            if forth is None or pair in reported or (pairings is not None and pairings.linked(a, b)):
                continue
            if forth.task.id == back.task.id:
                continue  # a lead and a co-lead of one drive: one joint drive, not two asking each other
            reported.add(pair)
            yield self._pair(ctx, back, b, forth, a)  # located at the drive met first, in plan order
        # Drives through groups on both sides, one pair of groups at a time.
        cap = int(ctx.options.get("max_per_group_pair", 10))
        for g, h, side_a, side_b in _reciprocal_groups(sol):
            yield from self._groups(ctx, sol, pairings, reported, cap, g, h, side_a, side_b)

    def _pair(self, ctx: CheckContext, forth: Drive, a: str, back: Drive, b: str) -> Finding:
        campaign = ctx.campaign
        one, two = _target(forth, campaign, b), _target(back, campaign, a)
        role_a, role_b = _role(forth, a), _role(back, b)
        return ctx.finding(
            Text(f"'{a}' and '{b}' solicit donations from each other: task '{forth.task.id}' ({role_a.en} '{a}') "
                 f"{one.en}, and task '{back.task.id}' ({role_b.en} '{b}') {two.en}",
                 f"“{a}”与“{b}”互相募捐:任务“{forth.task.id}”({role_a.zh}“{a}”){one.zh},"
                 f"任务“{back.task.id}”({role_b.zh}“{b}”){two.zh}"),
            key_path=_key(forth),
            tasks=[forth.task.id, back.task.id],
            units=[a, b],
            hint=Text("drop one of the two solicitations; units that are paired for support (对口帮扶) may be "
                      "declared with [[pairings]]",
                      "取消其中一方的募捐;如两单位为对口帮扶关系,请在 [[pairings]] 中声明"),
            related=[_key(back), *_co_lead_key(forth, a), *_co_lead_key(back, b)],
        )

    def _groups(self, ctx: CheckContext, sol: Solicitations, pairings: Pairings | None,
                reported: set[frozenset[str]], cap: int, g: str, h: str, side_a: list[str],
                side_b: list[str]) -> Iterator[Finding]:
        # side_a: leads in h that solicit g; side_b: leads in g that solicit h.
        free = _FreePairs(side_a, side_b, pairings)
        if free.total == 0:
            return
        already = sum(1 for p in reported if free.holds(p))
        shown = 0
        for a in side_a:
            if shown >= cap:
                break
            if free.row(a) == 0:
                continue  # every partner of a is exempt: skip the row without scanning it
            for b in side_b:
                pair = frozenset((a, b))
                if a == b or pair in reported or (pairings is not None and pairings.linked(a, b)):
                    continue
                reported.add(pair)
                shown += 1
                yield self._pair(ctx, sol.edge[a, g], a, sol.edge[b, h], b)
                if shown >= cap:
                    break
        rest = free.total - already - shown
        if rest > 0:
            first_a, first_b = sol.edge[side_a[0], g], sol.edge[side_b[0], h]
            both = Text(f"group '{g}'", f"群组“{g}”") if g == h else Text(
                f"groups '{g}' and '{h}'", f"群组“{g}”与“{h}”")
            yield ctx.finding(
                Text(f"and {rest} more pairs of units in {both.en} solicit donations from each other "
                     f"(drives such as '{first_a.task.id}' and '{first_b.task.id}')",
                     f"另有{rest}对{both.zh}中的单位互相募捐(如任务“{first_a.task.id}”与“{first_b.task.id}”)"),
                key_path=_key(first_a),
                tasks=[first_a.task.id, first_b.task.id],
                units=[side_a[0], side_b[0]],
                hint=Text("solicit from one of the two groups only, or declare the support pairings",
                          "只向其中一方募捐,或声明对口帮扶关系"),
                related=[_key(first_b)],
            )


def _reciprocal_groups(sol: Solicitations) -> Iterator[tuple[str, str, list[str], list[str]]]:
    """Pairs of solicited groups (g, h) with leads in h soliciting g and leads in g soliciting h.

    Linear in the solicited groups' sizes plus, per lead, (groups it solicits) ×
    (solicited groups it belongs to). Each unordered pair comes once.
    """
    member_of = sol.member_of()
    leads: dict[tuple[str, str], list[str]] = {}  # (g, h) -> leads in g that solicit h
    for lead, groups in sol.groups_of.items():
        for h in groups:
            for g in member_of.get(lead, ()):
                leads.setdefault((g, h), []).append(lead)
    for (g, h), side_b in leads.items():
        side_a = leads.get((h, g))
        if side_a and (g, h) <= (h, g):
            yield g, h, side_a, side_b


class _FreePairs:
    """Counts the unordered pairs {a, b} of side_a × side_b, a ≠ b, that no pairing exempts.

    Never enumerates the rectangle: per row, |B| minus a's partners in B
    (computed once per distinct set of pairings, usually a handful); pairs
    counted from both ends (both units in A ∩ B) are halved out.
    """

    def __init__(self, side_a: Sequence[str], side_b: Sequence[str], pairings: Pairings | None) -> None:
        self._set_a, self._set_b = frozenset(side_a), frozenset(side_b)
        self._pairings = pairings
        self._cache: dict[tuple[tuple[int, ...], frozenset[str]], frozenset[str]] = {}
        both = [a for a in side_a if a in self._set_b]
        set_both = frozenset(both)
        twice = sum(self._free(a, set_both) for a in both)
        self.total = sum(self.row(a) for a in side_a) - twice // 2

    def _free(self, a: str, among: frozenset[str]) -> int:
        n = len(among) - (a in among)
        if self._pairings is None:
            return n
        sig = self._pairings.signature(a)
        if not sig:
            return n
        key = (sig, among)
        linked = self._cache.get(key)
        if linked is None:
            linked = self._cache[key] = self._pairings.partners_among(a, among)
        return n - len(linked) + (a in linked)

    def row(self, a: str) -> int:
        """Pairs (a, b), b in side_b, b ≠ a, not exempt."""
        return self._free(a, self._set_b)

    def holds(self, pair: frozenset[str]) -> bool:
        """Whether the (non-exempt) pair lies in the rectangle."""
        x, y = tuple(pair)
        return (x in self._set_a and y in self._set_b) or (y in self._set_a and x in self._set_b)


class RepeatedSolicitation(Check):
    """Repeated solicitation: one unit is solicited by two or more drives whose windows overlap.

    A drive's window is its critical-path window (earliest start to latest
    finish), or, when the dependencies form a cycle, the dates it was given
    (the campaign's start and end standing in for missing ones). One finding
    per solicited unit or group, and one per pair of references that share
    members (a unit solicited directly and through a group, or two groups).
    """

    code = "CF402"
    name = "solicitation.repeated"
    default_severity = Severity.WARNING
    summary = Text("a unit is solicited by several drives at the same time", "同一单位在同一时段被多次募捐")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        sol = ctx.analysis.solicitations
        window = _windows(ctx)
        spans: dict[str, list[tuple[float, float, Drive]]] = {
            ref: sorted(((*window(d.task.id), d) for d in drives), key=lambda x: (x[0], x[1]))
            for ref, drives in sol.by_ref.items()}
        for ref, items in spans.items():
            clash = _overlapping(items)
            if len(clash) > 1:
                yield self._same_ref(ctx, ref, clash)
        # Units reached through two references: decided once per pair of references.
        pairs: dict[tuple[str, str], list[str]] = {}
        member_of = sol.member_of()
        for uid, groups in member_of.items():
            refs = ([uid] if uid in sol.by_ref else []) + groups
            for r1, r2 in itertools.combinations(refs, 2):
                pairs.setdefault((r1, r2), []).append(uid)
        for (r1, r2), units in pairs.items():
            clash2 = _cross_overlap(spans[r1], spans[r2])
            if clash2 is not None:
                yield self._two_refs(ctx, campaign, r1, r2, units, *clash2)

    def _same_ref(self, ctx: CheckContext, ref: str, clash: list[Drive]) -> Finding:
        campaign = ctx.campaign
        who = (Text(f"the {len(campaign.members(ref))} members of group '{ref}' are", f"群组“{ref}”的{len(campaign.members(ref))}个成员")
               if ref in campaign.groups else Text(f"unit '{ref}' is", f"单位“{ref}”"))
        names = listing([d.task.id for d in clash])
        return ctx.finding(
            Text(f"{who.en} solicited by {len(clash)} drives whose windows overlap: {names.en}",
                 f"{who.zh}在重叠的时间内被{len(clash)}项募捐活动重复募捐:{names.zh}"),
            key_path=_key(clash[1]),
            tasks=[d.task.id for d in clash],
            units=[ref] if ref in campaign.units else [],
            hint=Text("merge these drives into one, or give them windows that do not overlap",
                      "将这些募捐活动合并为一次,或错开它们的时间"),
            related=[_key(clash[0])],
        )

    def _two_refs(self, ctx: CheckContext, campaign: Campaign, r1: str, r2: str, units: list[str], d1: Drive,
                  d2: Drive) -> Finding:
        names = listing(units)
        who = Text(f"unit {names.en} is", f"单位{names.zh}") if len(units) == 1 else Text(
            f"{len(units)} units ({names.en}) are", f"{len(units)}个单位({names.zh})")
        return ctx.finding(
            Text(f"{who.en} solicited both by task '{d1.task.id}' (through '{r1}') and by task '{d2.task.id}' "
                 f"(through '{r2}'), whose windows overlap",
                 f"{who.zh}同时被任务“{d1.task.id}”(通过“{r1}”)和任务“{d2.task.id}”(通过“{r2}”)募捐,两者时间重叠"),
            key_path=_key(d2),
            tasks=[d1.task.id, d2.task.id],
            units=units,
            hint=Text("leave these units out of one of the drives, or give the drives windows that do not overlap",
                      "将这些单位从其中一项募捐活动中剔除,或错开两项活动的时间"),
            related=[_key(d1)],
        )


def _windows(ctx: CheckContext) -> Callable[[str], tuple[float, float]]:
    """A task's window in working time: critical-path [ES, LF], or its own dates without a schedule."""
    cp = ctx.analysis.cpm
    if cp is not None:
        plan, t = cp.plan, cp.times
        return lambda tid: (t.es[plan.index[tid]], t.lf[plan.index[tid]])
    axis = ctx.analysis.axis
    campaign = ctx.campaign
    first, last = campaign.window_instants()

    def written(tid: str) -> tuple[float, float]:
        w = campaign.tasks[tid].window
        return axis.pos(w.earliest() or first), axis.pos(w.deadline() or last)

    return written


def _overlapping(items: Sequence[tuple[float, float, Drive]]) -> list[Drive]:
    """The drives whose windows overlap another's (``items`` sorted by start).

    Sweeps the windows into connected runs; in a run of two or more, every
    window overlaps at least one other.
    """
    clash: list[Drive] = []
    run: list[Drive] = []
    reach = float("-inf")
    for s, e, d in items:
        if run and s < reach:
            run.append(d)
            reach = max(reach, e)
            continue
        if len(run) > 1:
            clash.extend(run)
        run, reach = [d], e
    if len(run) > 1:
        clash.extend(run)
    return clash


def _cross_overlap(left: Sequence[tuple[float, float, Drive]], right: Sequence[tuple[float, float, Drive]],
                   ) -> tuple[Drive, Drive] | None:
    """A drive of ``left`` and one of ``right`` (different tasks) whose windows overlap, if any."""
    merged = sorted([(s, e, 0, d) for s, e, d in left] + [(s, e, 1, d) for s, e, d in right],
                    key=lambda x: (x[0], x[1]))
    # For each side, the two latest-ending windows seen so far with different tasks.
    top: list[list[tuple[float, Drive]]] = [[], []]
    for s, e, side, d in merged:
        for end, other in top[1 - side]:
            if end > s and other.task.id != d.task.id:
                return (other, d) if side == 1 else (d, other)
        mine = top[side]
        mine.append((e, d))
        mine.sort(key=lambda x: -x[0])
        if len(mine) > 2:
            keep = [mine[0]] + [x for x in mine[1:] if x[1].task.id != mine[0][1].task.id][:1]
            top[side] = keep
    return None


class SolicitationDownward(Check):
    """Solicitation down the hierarchy: a unit solicits donations from units below it.

    A superior asking its own subordinates for money risks 摊派 (forced
    apportionment), which the seed documents forbid. Members of a solicited
    group are found below the lead with two bisections (``checks._hierarchy``),
    not a scan of the group.
    """

    code = "CF403"
    name = "solicitation.downward"
    default_severity = Severity.WARNING
    summary = Text("a unit solicits donations from units below it (risk of 摊派)", "上级单位向下级单位募捐(有摊派之嫌)")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        tree = ctx.analysis.hierarchy
        found: list[tuple[str, Task, tuple[Drive, str, list[str], list[str]]]] = []
        for drives in ctx.analysis.solicitations.by_ref.values():
            for drive in drives:
                # Each lead of the drive asks: a co-lead asking its own subordinates is 摊派 too (#18).
                leads = drive.task.leads if drive.task.co_leads else (drive.task.lead,)
                hits = [(lead, below) for lead in leads
                        if (below := [u for u in tree.members_below(drive.ref, lead) if u not in leads])]
                if hits:
                    (lead, below), others = hits[0], [other for other, _ in hits[1:]]
                    found.append((_key(drive), drive.task, (drive, lead, below, others)))
        for hit in per_key(found):
            (drive, lead, below, others), more = hit.item, hit.more
            names = listing(below)
            via = Text("", "") if drive.ref in campaign.units else Text(
                f" through group '{drive.ref}'", f"(通过群组“{drive.ref}”)")
            role = _role(drive, lead)
            who = Text(f"its {role.en} '{lead}'", f"{role.zh}“{lead}”") if lead != drive.task.lead else Text(
                f"'{lead}'", f"“{lead}”")
            also = Text("", "") if not others else Text(
                f" (so do {listing(others).en}, also leading it)", f"(同为牵头单位的{listing(others).zh}亦然)")
            yield ctx.finding(
                Text(f"task '{drive.task.id}' has {who.en} solicit donations from {len(below)} unit"
                     f"{'' if len(below) == 1 else 's'} below it{via.en}: {names.en}{also.en}; asking one's own "
                     f"subordinates risks forced apportionment (摊派){more.en}",
                     f"任务“{drive.task.id}”由{who.zh}向其下级{len(below)}个单位募捐{via.zh}:{names.zh}{also.zh};"
                     f"向本级下属单位募捐有摊派之嫌{more.zh}"),
                key_path=hit.key,
                tasks=hit.tasks,
                units=[lead, *others, *below[:20]],
                related=[k for u in (lead, *others) for k in _co_lead_key(drive, u)],
                hint=Text("let a unit outside this line solicit, or make the donation voluntary and say so",
                          "改由不在该隶属关系中的单位发起募捐,或明确为自愿捐赠"),
            )


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    return [MutualSolicitation, RepeatedSolicitation, SolicitationDownward]
