"""Planting exactly one conflict of a given check code in a valid draft.

Each planter takes a finished valid draft (``strategies.drafts``), changes
it so that the code's check has exactly one thing to report, and says which
tasks and units the conflict involves. Planters add what they break (a new
task, a new unit) rather than edit what is there wherever they can, so that
no other check is disturbed: a deadline that cannot be met is a new task,
not a shortened window that would also make its dependents late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import attrs
from hypothesis import strategies as st

from ..model import Approval, Dependency, Duration, Group, Repeat, Task, Unit, Window
from . import _build
from ._atoms import pick, pick_maybe, pick_some
from ._build import Draft


@attrs.frozen
class Planted:
    """What a planter broke: the tasks and units its check should name."""

    tasks: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


Planter = Callable[[st.DrawFn, Draft], Planted]

#: Unit kinds ``CF303`` treats as functional offices (its default ``office_kinds``).
_OFFICE_KINDS = ("department", "office")


# -- helpers --------------------------------------------------------------------------------


def _new_unit(draft: Draft, base: str, *, parent: str | None = None, kind: str | None = None,
              capacity: int | None = None) -> str:
    uid = draft.fresh_id(base)
    draft.units[uid] = Unit(id=uid, name=f"{uid} office", kind=kind, parent=parent, capacity=capacity)
    return uid


def _new_task(draft: Draft, base: str, lead: str, **fields: object) -> Task:
    task = Task(id=draft.fresh_id(base, tasks=True), title=f"planted {base}", lead=lead,
                **fields)  # type: ignore[arg-type]
    draft.place(task)
    return task


def _related(draft: Draft, a: str, b: str) -> bool:
    return a == b or draft.below(a, b) or draft.below(b, a)


def _paired(draft: Draft, a: str, b: str) -> bool:
    def side(ref: str) -> tuple[str, ...]:
        return draft.members(ref)

    return any((a in side(p.a) and b in side(p.b)) or (b in side(p.a) and a in side(p.b)) for p in draft.pairings)


# -- CF1xx: structure --------------------------------------------------------------------------


def plant_dependency_cycle(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF101: task ``a`` waits for ``b``, which (now) waits for ``a``."""
    ids = list(draft.tasks)
    j = draw(st.integers(0, len(ids) - 1))
    i = draw(st.integers(0, j))
    a, b = draft.tasks[ids[i]], draft.tasks[ids[j]]
    if a.id != b.id and all(d.task != a.id for d in b.after):
        draft.tasks[b.id] = b = attrs.evolve(b, after=(*b.after, Dependency(a.id)))
    draft.tasks[a.id] = attrs.evolve(a, after=(*a.after, Dependency(b.id)))
    return Planted(tasks=(a.id, b.id))


def plant_hierarchy_cycle(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF102: a top unit's parent becomes one of its own descendants (or itself)."""
    roots = [u for u, unit in draft.units.items() if unit.parent is None]
    top = pick(draw, roots)
    inside = [top, *(u for u in draft.units if draft.below(u, top))]
    low = pick(draw, inside)
    draft.units[top] = attrs.evolve(draft.units[top], parent=low)
    cycle = [top]
    unit = low
    while unit != top:
        cycle.append(unit)
        unit = draft.units[unit].parent  # type: ignore[assignment]
    return Planted(units=tuple(cycle))


# -- CF2xx: time --------------------------------------------------------------------------------


def plant_outside_campaign(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF201: a new task may start before the campaign does."""
    lead = pick(draw, list(draft.units))
    start = draft.start - timedelta(days=draw(st.integers(1, 10)))
    task = _new_task(draft, "early", lead, window=Window(start=start))
    return Planted(tasks=(task.id,))


def plant_deadline_unmeetable(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF202: a new task needs more working days than lie between the campaign start and its deadline."""
    lead = pick(draw, list(draft.units))
    days = draw(st.integers(2, 4))
    # Its deadline is the end of working day k < days - 1 (counting from 0): days - k - 1 short at least.
    k = draw(st.integers(0, days - 2))
    after = tuple(Dependency(t) for t in pick_some(draw, list(draft.tasks), max_size=1))
    due = draft.axis.nth_working_day(k)
    task = _new_task(draft, "rushed", lead, after=after, duration=Duration(days), window=Window(due=due))
    return Planted(tasks=(task.id,))


def plant_non_working_day(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF203: a new event on, or a new task due on, a non-working day of the calendar."""
    lead = pick(draw, list(draft.units))
    # Far enough in for a one-day task to fit before it, then the next day off.
    day = draft.axis.nth_working_day(draw(st.integers(2, 6)))
    while draft.axis.is_working(day):
        day += timedelta(days=1)
    field = pick(draw, ("on", "due"))
    task = _new_task(draft, "holiday", lead, window=Window(**{field: day}))
    return Planted(tasks=(task.id,))


def plant_empty_window(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF204: a new task may start only after its deadline."""
    lead = pick(draw, list(draft.units))
    due = draft.axis.nth_working_day(draw(st.integers(0, 3)))
    start = due + timedelta(days=draw(st.integers(1, 5)))
    task = _new_task(draft, "closed", lead, window=Window(start=start, due=due))
    return Planted(tasks=(task.id,))


def plant_repeat_does_not_fit(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF205: a series asks for one occurrence more than the campaign window has periods."""
    campaign_end = draft.finish().end
    draft.end = campaign_end
    usable: dict[str, list[tuple[date, date]]] = {}
    for every in ("quarter", "month", "week"):
        periods = []
        for begin, stop in _build.calendar_periods(every, draft.start, 60):
            if begin > campaign_end:
                break
            stop = min(stop, campaign_end)
            if draft.axis.working_days_between(begin, stop) > 0:
                periods.append((begin, stop))
        usable[every] = periods
    # Few periods keep the plan small: quarters always qualify, months and weeks when short.
    every = pick(draw, [e for e, ps in usable.items() if len(ps) <= 4 or e == "quarter"])
    periods = usable[every]
    lead = pick(draw, list(draft.units))
    series = draft.fresh_id("series", tasks=True)
    repeat = Repeat(every=every, times=len(periods) + 1)  # type: ignore[arg-type]
    ids = []
    # The occurrences that fit, each a half-day task in a period that has a working day.
    for k, (begin, stop) in enumerate(periods):
        task = Task(id=f"{series}#{k + 1}", title="planted series", lead=lead, duration=Duration(0.5),
                    window=Window(start=begin, due=stop), repeat=repeat, occurrence=k + 1)  # type: ignore[arg-type]
        draft.place(task)
        ids.append(task.id)
    return Planted(tasks=(series, *ids))


# -- CF3xx: owners --------------------------------------------------------------------------------


def plant_overbooked(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF301: a new unit of capacity c leads c + 1 tasks that each fill the same short window."""
    cap = draw(st.integers(1, 2))
    width = draw(st.integers(1, 3))
    first = draw(st.integers(0, 5))
    parent = pick_maybe(draw, list(draft.units))
    unit = _new_unit(draft, "busy", parent=parent, capacity=cap)
    start = draft.axis.nth_working_day(first)
    due = draft.axis.nth_working_day(first + width - 1)
    ids = []
    for _ in range(cap + 1):
        task = _new_task(draft, "crowded", unit, duration=Duration(width), window=Window(start=start, due=due))
        ids.append(task.id)
    return Planted(tasks=tuple(ids), units=(unit,))


def plant_self_approval(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF302: a new task whose approval step names its own lead (or a group of just its lead)."""
    lead = pick(draw, list(draft.units))
    by = lead
    if draw(st.booleans()):
        by = draft.fresh_id(f"{lead}-self")
        draft.groups[by] = Group(id=by, members=(lead,))
    task = _new_task(draft, "self-approved", lead, approvals=(Approval(by=by),))
    return Planted(tasks=(task.id,), units=(lead,))


def plant_approver_not_above(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF303: a new task approved by a unit that is neither above its lead nor an office."""
    lead = pick(draw, list(draft.units))
    above = {lead, *draft.ancestors(lead)}
    others = [u for u, unit in draft.units.items() if u not in above and unit.kind not in _OFFICE_KINDS]
    approver = pick(draw, others) if others and draw(st.booleans()) else _new_unit(
        draft, "subordinate", parent=lead)
    task = _new_task(draft, "approved-sideways", lead, approvals=(Approval(by=approver),))
    return Planted(tasks=(task.id,), units=(lead, approver))


def plant_unused_unit(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF304: a new unit, or a new group of used units, that nothing refers to."""
    if draw(st.booleans()):
        parent = pick_maybe(draw, list(draft.units))
        return Planted(units=(_new_unit(draft, "idle", parent=parent),))
    members = tuple(pick_some(draw, list(draft.units), min_size=1, max_size=2))
    instances: dict[str, set[str]] = {}
    for task in draft.tasks.values():
        if task.template is not None and task.template_unit is not None:
            instances.setdefault(task.template, set()).add(task.template_unit)
    if set(members) in instances.values():
        # A group with exactly a template's units counts as its ``for_each``: make it an idle unit instead.
        return Planted(units=(_new_unit(draft, "idle"),))
    gid = draft.fresh_id("idle-group")
    draft.groups[gid] = Group(id=gid, members=tuple(u for u in draft.units if u in members))
    return Planted(units=(gid,))


# -- CF4xx: solicitation ----------------------------------------------------------------------------


def _unrelated_pair(draw: st.DrawFn, draft: Draft) -> tuple[str, str]:
    """Two units on separate branches, not paired and not soliciting anyone yet; new roots if need be."""
    busy = _in_drives(draft)
    free = [u for u in draft.units if u not in busy]
    pairs = [(a, b) for a in free for b in free if a < b and not _related(draft, a, b) and not _paired(draft, a, b)]
    if pairs and draw(st.booleans()):
        a, b = pick(draw, pairs)
        return (a, b) if draw(st.booleans()) else (b, a)
    return _new_unit(draft, "donor"), _new_unit(draft, "donee")


def _in_drives(draft: Draft) -> set[str]:
    """Units that lead a drive or are solicited by one."""
    return {t.lead for t in draft.tasks.values() if t.solicits} | {
        u for t in draft.tasks.values() for r in t.solicits for u in draft.members(r)}


def plant_mutual_solicitation(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF401: two unrelated, unpaired units solicit each other, directly or through groups of one."""
    a, b = _unrelated_pair(draw, draft)
    way = pick(draw, ("direct", "one group", "both groups"))

    def target(unit: str, through_group: bool) -> str:
        if not through_group:
            return unit
        gid = draft.fresh_id(f"{unit}-group")
        draft.groups[gid] = Group(id=gid, members=(unit,))
        return gid

    forth = _new_task(draft, "drive", a, solicits=(target(b, way != "direct"),))
    back = _new_task(draft, "drive", b, solicits=(target(a, way == "both groups"),))
    return Planted(tasks=(forth.id, back.id), units=(a, b))


def plant_repeated_solicitation(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF402: a new unit solicited by two drives at the same time (the whole campaign)."""
    leads = [pick(draw, list(draft.units)) for _ in range(2)]
    target = _new_unit(draft, "donor")
    ids = tuple(_new_task(draft, "drive", lead, solicits=(target,)).id for lead in leads)
    return Planted(tasks=ids, units=(target,))


def plant_solicitation_downward(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF403: a unit solicits a unit below it that no drive involves yet."""
    lead = pick(draw, list(draft.units))
    busy = _in_drives(draft)
    below = [u for u in draft.units if draft.below(u, lead) and u not in busy]
    target = pick(draw, below) if below and draw(st.booleans()) else _new_unit(
        draft, "subordinate", parent=lead)
    task = _new_task(draft, "levy", lead, solicits=(target,))
    return Planted(tasks=(task.id,), units=(lead, target))


def first_uncovered_year(calendar_name: str = "cn-workdays") -> int:
    """The first year from 2004 on that the named calendar does not cover (for CF206)."""
    calendar = _build.calendar_named(calendar_name)
    year = 2004
    while calendar.covers(date(year, 7, 1)) and year < 9999:
        year += 1
    return year


def plant_calendar_not_covered(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF206: a new one-day task, and so the campaign's end, in the first year the calendar does not know."""
    year = first_uncovered_year(draft.calendar)
    day = date(year, 3, 1) + timedelta(days=draw(st.integers(0, 200)))
    while day.weekday() >= 5:  # a weekday even on the guess: no CF203 beside it
        day += timedelta(days=1)
    end = day + timedelta(days=draw(st.integers(0, 30)))
    draft.min_end = end if draft.min_end is None else max(draft.min_end, end)
    lead = pick(draw, list(draft.units))
    task = _new_task(draft, "next-year", lead, window=Window(on=day))
    return Planted(tasks=(task.id,), units=(lead,))


def plant_no_time_limit(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF207: the rule configured for one kind of task, and a new task of that kind without a deadline."""
    lead = pick(draw, list(draft.units))
    task = _new_task(draft, "undated", lead, kind="planted-activity")
    options = {**draft.checks.options, "CF207": {"kinds": ["planted-activity"]}}
    draft.checks = attrs.evolve(draft.checks, options=options)
    return Planted(tasks=(task.id,), units=(lead,))


def plant_report_without_recipient(draw: st.DrawFn, draft: Draft) -> Planted:
    """CF305: a new report that names no unit it goes to."""
    lead = pick(draw, list(draft.units))
    task = _new_task(draft, "report", lead, kind="report")
    return Planted(tasks=(task.id,), units=(lead,))


#: The planter of each check code of the built-in catalog.
PLANTERS: dict[str, Planter] = {
    "CF101": plant_dependency_cycle,
    "CF102": plant_hierarchy_cycle,
    "CF201": plant_outside_campaign,
    "CF202": plant_deadline_unmeetable,
    "CF203": plant_non_working_day,
    "CF204": plant_empty_window,
    "CF205": plant_repeat_does_not_fit,
    "CF206": plant_calendar_not_covered,
    "CF207": plant_no_time_limit,
    "CF301": plant_overbooked,
    "CF302": plant_self_approval,
    "CF303": plant_approver_not_above,
    "CF304": plant_unused_unit,
    "CF305": plant_report_without_recipient,
    "CF401": plant_mutual_solicitation,
    "CF402": plant_repeated_solicitation,
    "CF403": plant_solicitation_downward,
}
