"""Drawing a valid draft: units, tasks, templates, series, solicitations, in dependency order.

``strategies.campaigns()`` finishes a draft into a ``Campaign``; the
conflict strategies plant one conflict in a draft first.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from ..calendar import WorkAxis
from ..model import Annotation, Approval, Dependency, Duration, Group, Repeat, Submission, Task
from . import _build
from ._atoms import (
    FIRST_START, LAST_START, campaign_ids, draw_groups, draw_pairings, draw_units, durations, lags, maybe, names,
    pick, pick_maybe, pick_some, task_ids, unit_ids,
)
from ._build import Draft, feasible_window

_LAGS = lags(max_days=2)
_DURATIONS = durations(max_days=3)
_SHORT_DURATIONS = durations(max_days=2)
_WITHIN = maybe(durations(max_days=3, three_point=False))
_STEP_SLACK = maybe(st.integers(0, 3).map(float))
_SLACK = maybe(st.integers(0, 5).map(float))
_START_OFFSET = maybe(st.integers(0, 20))
_DAY_IN_60 = st.integers(0, 60)
_NOTES = maybe(st.builds(Annotation, quote=maybe(names()), note=maybe(names())))


@functools.lru_cache(maxsize=64)
def _axis(calendar: str, start: date) -> WorkAxis:
    # An axis only caches what the calendar says, so examples on the same start may share one.
    return WorkAxis(_build.calendar_named(calendar), start)


@functools.lru_cache(maxsize=None)
def _words(n: int) -> st.SearchStrategy[list[str]]:
    return st.lists(task_ids(), min_size=n, max_size=n, unique=True)


@attrs.frozen
class Spec:
    """What ``campaigns()`` was asked for, checked."""

    min_tasks: int
    max_tasks: int
    max_units: int
    templates: bool
    repeat: bool
    approvals: bool
    solicitations: bool
    capacity: bool
    annotations: bool
    calendar: st.SearchStrategy[str]


@st.composite
def drafts(draw: st.DrawFn, spec: Spec) -> Draft:
    """A valid draft, ready to finish into a campaign or to have a conflict planted."""
    cal = draw(spec.calendar)
    start = draw(st.dates(FIRST_START, LAST_START))
    draft = Draft(id=draw(campaign_ids()), name=draw(names()), calendar=cal, start=start, axis=_axis(cal, start))
    draft.units = draw_units(draw, ids=unit_ids(), min_size=1, max_size=spec.max_units, capacity=False)
    draft.groups = draw_groups(draw, draft.units, ids=unit_ids(), max_size=1)
    if spec.annotations:
        draft.name_en = draw(maybe(names()))
        draft.dates = {name: start + timedelta(days=draw(_DAY_IN_60))
                       for name in pick_some(draw, ("poverty_day", "kickoff"), max_size=2)}
    budget = draw(st.integers(spec.min_tasks, spec.max_tasks))
    kinds = ["plain"] + ["template"] * spec.templates + ["repeat"] * spec.repeat
    words = iter(draw(_words(budget)))
    while len(draft.tasks) < budget:
        kind = pick(draw, kinds)
        room = budget - len(draft.tasks)
        if kind == "template":
            _add_template(draw, draft, spec, next(words), room)
        elif kind == "repeat":
            _add_series(draw, draft, spec, next(words), room)
        else:
            _add_plain(draw, draft, spec, next(words))
    if spec.solicitations:
        _add_solicitations(draw, draft)
    _add_extras(draw, draft, spec)
    _involve_everyone(draft)
    if spec.capacity:
        _add_capacity(draw, draft)
    return draft


def _draw_after(draw: st.DrawFn, draft: Draft) -> tuple[Dependency, ...]:
    if not draft.tasks:
        return ()
    prereqs = pick_some(draw, list(draft.tasks), max_size=2)
    return tuple(Dependency(t, draw(_LAGS)) for t in prereqs)


def _draw_approvals(draw: st.DrawFn, draft: Draft, lead: str, spec: Spec) -> tuple[Approval, ...]:
    above = draft.ancestors(lead)
    if not spec.approvals or not above:
        return ()
    steps = []
    for _ in range(draw(st.integers(0, 2))):
        by = tuple(pick_some(draw, above, min_size=1, max_size=2))
        mode = pick(draw, ("all", "any")) if len(by) > 1 else "all"
        within = draw(_WITHIN)
        steps.append(Approval(by=by, mode=mode, within=within))
    below = [u for u, unit in draft.units.items() if unit.parent == lead]
    if below and draw(st.booleans()):
        # A consent from below, as a household's before a recommendation (docs/plan-format.md, approval steps' `kind`).
        kind = pick(draw, ("consent", "recommend"))
        steps.insert(0, Approval(by=pick(draw, below), kind=kind))
    return tuple(steps)


def _draw_window(draw: st.DrawFn, draft: Draft, after: tuple[Dependency, ...], duration: Duration,
                 steps: tuple[Approval, ...], *, fixed_ok: bool) -> tuple[Any, tuple[Approval, ...]]:
    fixed = fixed_ok and not steps and duration.high <= 1 and draw(st.integers(0, 4)) == 0
    step_slack = [draw(_STEP_SLACK) for _ in steps]
    return feasible_window(
        draft, after=after, duration=duration, approvals=steps, step_slack=step_slack,
        start_offset=draw(_START_OFFSET), slack=draw(_SLACK), moment=draw(st.booleans()), fixed=fixed,
    )


def _add_plain(draw: st.DrawFn, draft: Draft, spec: Spec, tid: str) -> None:
    lead = pick(draw, list(draft.units))
    after = _draw_after(draw, draft)
    duration = draw(_DURATIONS)
    steps = _draw_approvals(draw, draft, lead, spec)
    window, steps = _draw_window(draw, draft, after, duration, steps, fixed_ok=True)
    reports, co_leads = _draw_reports(draw, draft, lead, steps, spec)
    draft.place(Task(id=tid, title=draw(names()), lead=lead, after=after, duration=duration, approvals=steps,
                     window=window, reports_to=reports, co_leads=co_leads))


def _draw_reports(draw: st.DrawFn, draft: Draft, lead: str, steps: tuple[Approval, ...],
                  spec: Spec) -> tuple[tuple[Submission, ...], tuple[str, ...]]:
    """Submissions to units above the lead (with approvals), co-leads (with annotations)."""
    reports: tuple[Submission, ...] = ()
    above = draft.ancestors(lead)
    if spec.approvals and above and draw(st.booleans()):
        to = tuple(pick_some(draw, above, min_size=1, max_size=2))
        reports = (Submission(to=to, doc=draw(_NOTES) if spec.annotations else None),)
    co_leads: tuple[str, ...] = ()
    if spec.annotations:
        # Co-leads are units below the lead and never its approvers, so that no check sees a conflict:
        # the checks treat a co-lead as a lead, and what is above the lead (its approvers) is above them,
        # what the lead may solicit (units not below it) is not below them either.
        taken = {lead, *above, *(u for s in steps for u in s.by)}
        free = [u for u in draft.units if u not in taken and draft.below(u, lead)]
        co_leads = tuple(pick_some(draw, free, max_size=2)) if free else ()
    return reports, co_leads


def _add_template(draw: st.DrawFn, draft: Draft, spec: Spec, tid: str, room: int) -> None:
    unit_list = list(draft.units)
    chosen = pick_some(draw, unit_list, min_size=1, max_size=min(room, 3))
    members = tuple(u for u in unit_list if u in chosen)
    gid = draft.fresh_id(f"{tid}-units")
    draft.groups[gid] = Group(id=gid, members=members)
    after = _draw_after(draw, draft)
    duration = draw(_DURATIONS)
    title = draw(names())
    with_approval = spec.approvals and draw(st.booleans())
    # As written in the plan: approvals = [{ by = "{unit.parent}" }], for instances that have a parent.
    steps_for = {u: (Approval(by=draft.units[u].parent),) if with_approval and draft.units[u].parent else ()
                 for u in members}
    # Every instance has the same prerequisites and duration, so the window for the longest fits all.
    window, _ = _draw_window(draw, draft, after, duration, max(steps_for.values(), key=len), fixed_ok=False)
    for u in members:
        draft.place(Task(id=f"{tid}@{u}", title=f"{draft.units[u].name}{title}", lead=u, after=after,
                         duration=duration, approvals=steps_for[u], window=window, template=tid,
                         template_unit=u))


def _add_series(draw: st.DrawFn, draft: Draft, spec: Spec, tid: str, room: int) -> None:
    lead = pick(draw, list(draft.units))
    repeat = Repeat(every=pick(draw, ("week", "month", "quarter")), times=draw(st.integers(1, min(room, 3))))
    base = Task(id=tid, title=draw(names()), lead=lead, after=_draw_after(draw, draft),
                duration=draw(_SHORT_DURATIONS), approvals=_draw_approvals(draw, draft, lead, spec))
    _build.expand_repeat(draft, base, repeat, slack=float(draw(st.integers(0, 3))))


def _add_solicitations(draw: st.DrawFn, draft: Draft) -> None:
    """Drives that no CF4xx check objects to.

    Each unit is solicited at most once (CF402), never by a unit above it
    (CF403), and never by a unit it solicits itself (CF401). Only plain tasks
    solicit: every instance of a template soliciting the same unit would be
    a repeated drive.
    """
    solicited: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for tid in [t.id for t in draft.tasks.values() if t.template is None and t.occurrence is None]:
        task = draft.tasks[tid]
        lead, leads = task.lead, task.leads  # co-leads solicit too (CF401, CF403)
        targets = [u for u in draft.units if u not in leads and u not in solicited and not draft.below(u, lead)
                   and all((u, x) not in edges for x in leads)]
        if not targets or not draw(st.booleans()):
            continue
        chosen = pick_some(draw, targets, min_size=1, max_size=2)
        solicited.update(chosen)
        edges.update((x, u) for x in leads for u in chosen)
        draft.tasks[tid] = attrs.evolve(task, solicits=tuple(chosen))


def _add_extras(draw: st.DrawFn, draft: Draft, spec: Spec) -> None:
    draft.pairings = draw_pairings(draw, [*draft.units, *draft.groups], max_size=1)
    if draw(st.booleans()):
        draft.issuer = pick(draw, [u for u, unit in draft.units.items() if unit.parent is None])
    if not spec.annotations:
        return
    notes = _NOTES
    for tid, task in list(draft.tasks.items()):
        kind = pick_maybe(draw, ("meeting", "report"))
        reports = task.reports_to
        if kind == "report" and not reports:
            # A report says whom it goes to (else CF305): the lead's superior, or any unit.
            to = draft.units[task.lead].parent or pick(draw, list(draft.units))
            reports = (Submission(to=(to,)),)
        draft.tasks[tid] = attrs.evolve(
            task, title_en=draw(maybe(names())), section=pick_maybe(draw, ("三(一)1",)),
            kind=kind, doc=draw(notes), reports_to=reports,
            tags=tuple(pick_some(draw, ("五个一批:总结", "media"), max_size=1)))
    for uid, unit in list(draft.units.items()):
        draft.units[uid] = attrs.evolve(unit, name_en=draw(maybe(names())), doc=draw(notes))


def _involve_everyone(draft: Draft) -> None:
    """Name every unit and group that nothing refers to as partners of the first task (CF304 stays quiet).

    "Referred to" as CF304 documents it: named anywhere, or a member or the
    ``under`` of a referred group, or above a referred unit; a template's
    group counts as referred by its ``for_each``.
    """
    if not draft.tasks:
        return
    refs: set[str] = set(filter(None, [draft.issuer]))
    for p in draft.pairings:
        refs.update((p.a, p.b))
    instances: dict[str, set[str]] = {}
    for task in draft.tasks.values():
        refs.update((task.lead, *task.co_leads, *task.partners, *task.solicits,
                     *(u for s in task.approvals for u in s.by), *(u for r in task.reports_to for u in r.to)))
        if task.template is not None and task.template_unit is not None:
            instances.setdefault(task.template, set()).add(task.template_unit)
    for_each = {frozenset(us) for us in instances.values()}
    members = {gid: draft.members(gid) for gid in draft.groups}
    used_groups = {g for g, ms in members.items() if g in refs or (ms and frozenset(ms) in for_each)}
    used = {u for u in refs if u in draft.units}
    for g in used_groups:
        used.update(members[g])
        if draft.groups[g].under is not None:
            used.add(draft.groups[g].under)  # type: ignore[arg-type]
    for u in list(used):
        used.update(draft.ancestors(u))
    missing = [g for g in draft.groups if g not in used_groups] + [u for u in draft.units if u not in used]
    if not missing:
        return
    first = next(iter(draft.tasks.values()))
    # A template's or series' instances share their fields: change them all alike.
    for tid, task in draft.tasks.items():
        same = tid == first.id or (first.template is not None and task.template == first.template) or (
            first.occurrence is not None and task.occurrence is not None and task.series == first.series)
        if same:
            draft.tasks[tid] = attrs.evolve(task, partners=(*task.partners, *missing))


def _add_capacity(draw: st.DrawFn, draft: Draft) -> None:
    """Give some units a capacity that the tasks they lead can never exceed (CF301 counts tasks, not gates)."""
    load: dict[str, int] = dict.fromkeys(draft.units, 0)
    for task in draft.tasks.values():
        for uid in task.leads:  # a co-lead is booked too (CF301)
            load[uid] += 1
    for uid, unit in list(draft.units.items()):
        if draw(st.booleans()):
            draft.units[uid] = attrs.evolve(unit, capacity=max(load[uid], 1))
