"""Hypothesis strategies for campaigns: valid plans by construction, and plans with one planted conflict.

Use them to property-test a plan's rules or the engine itself::

    from hypothesis import given
    from campaignflow.testing import strategies as cfst

    @given(cfst.campaigns(max_tasks=5, approvals=True))
    def test_no_error_on_valid_plans(campaign):
        assert not [f for f in campaignflow.validate(campaign) if f.severity >= Severity.ERROR]

Every argument is keyword-only and checked when the strategy is created,
not when it is drawn from. Where an argument says so, it also accepts a
strategy (``calendar=st.just("cn-workdays")``). Examples shrink to few
units and tasks with short, readable ids; print a failing one as a plan
file with ``campaignflow.writer.to_toml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..calendar import WorkAxis
from ..findings import Severity
from ..model import (
    Annotation, Approval, Campaign, ChecksConfig, Dependency, Duration, Group, Lag, Pairing, Repeat, Task, Unit,
)
from . import _build
from ._build import Draft, feasible_window

__all__ = [
    "CALENDARS",
    "calendars",
    "campaign_ids",
    "campaigns",
    "checks_configs",
    "durations",
    "groups",
    "lags",
    "names",
    "pairings",
    "task_ids",
    "tasks",
    "unit_ids",
    "units",
]

_T = TypeVar("_T")

#: Calendars every installation has; ``calendars()`` draws from these.
CALENDARS: tuple[str, ...] = ("weekdays", "all-days", "cn-workdays")

# First entries are what examples shrink to: short, and readable in a plan.
_UNIT_WORDS = ("county", "town", "village", "fpb", "stats", "finance", "school", "media", "city", "province")
_TASK_WORDS = ("plan", "meeting", "report", "survey", "visit", "ceremony", "drive", "summary", "notice", "review")
_NAMES = ("县扶贫办", "区统计局", "乡镇", "村委会", "市财政局", "Poverty Alleviation Office", "学校", "媒体")
_KINDS = ("county", "township", "village", "department", "bureau", "school", "enterprise", "media")
# Campaign starts within the years the cn-workdays calendar knows, leaving room for a long plan.
_FIRST_START = date(2015, 1, 1)
_LAST_START = date(2025, 3, 31)


# -- argument checking --------------------------------------------------------------------


def _check_int(name: str, value: Any, *, low: int = 0, high: int | None = None) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        msg = f"{name} must be an integer {bound}, got {value!r}"
        raise InvalidArgument(msg)


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        msg = f"{name} must be True or False, got {value!r}"
        raise InvalidArgument(msg)


def _strategy(name: str, value: Any, *, kind: type | tuple[type, ...]) -> st.SearchStrategy[Any]:
    """``value`` as a strategy: a strategy as it is, a plain value of ``kind`` as ``st.just``."""
    if isinstance(value, st.SearchStrategy):
        return value
    if isinstance(value, kind):
        return st.just(value)
    msg = f"{name} must be a {getattr(kind, '__name__', kind)} or a strategy, got {value!r}"
    raise InvalidArgument(msg)


# -- ids, names, calendars, amounts ------------------------------------------------------


def unit_ids() -> st.SearchStrategy[str]:
    """Unit (and group) ids: short readable words, or slugs like ``x3-b``.

    Example:
        >>> unit_ids().example()  # doctest: +SKIP
        'county'
    """
    return st.one_of(st.sampled_from(_UNIT_WORDS), st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?",
                                                                  fullmatch=True))


def task_ids() -> st.SearchStrategy[str]:
    """Task ids of the plan (before expansion): short words or slugs.

    Example:
        >>> task_ids().example()  # doctest: +SKIP
        'meeting'
    """
    return st.one_of(st.sampled_from(_TASK_WORDS), st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?",
                                                                  fullmatch=True))


def campaign_ids() -> st.SearchStrategy[str]:
    """Campaign ids: slugs ``[a-z0-9][a-z0-9-]*``."""
    return st.one_of(st.just("demo"), st.from_regex(r"[a-z0-9][a-z0-9-]{0,11}", fullmatch=True))


def names() -> st.SearchStrategy[str]:
    """Names and titles: mostly Chinese office names, sometimes any text a TOML string can hold.

    The arbitrary text (quotes, backslashes, newlines, control characters)
    is what makes the ``to_toml`` round trip worth testing.
    """
    any_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)
    return st.one_of(st.sampled_from(_NAMES), any_text)


def calendars() -> st.SearchStrategy[str]:
    """Names of the calendars every installation has (``CALENDARS``)."""
    return st.sampled_from(CALENDARS)


def durations(*, max_days: int = 5, three_point: bool | None = None) -> st.SearchStrategy[Duration]:
    """Durations in whole hours (eighths of a working day), up to ``max_days``.

    Args:
        max_days: the longest likely duration, in working days (at least 1).
        three_point: True for three-point estimates only, False for single
            values only, None for either.

    Example:
        >>> durations(max_days=3).example()  # doctest: +SKIP
        Duration(likely=1.0, optimistic=None, pessimistic=None)
    """
    _check_int("max_days", max_days, low=1)
    if three_point is not None:
        _check_bool("three_point", three_point)
    hours = st.integers(1, max_days * 8).map(lambda h: h / 8)
    # Whole days first: they are what examples shrink to and what plans mostly say.
    likely = st.one_of(st.integers(1, max_days).map(float), hours)
    single = likely.map(Duration)

    @st.composite
    def estimate(draw: st.DrawFn) -> Duration:
        mid = draw(likely)
        low = draw(st.integers(0, int(mid * 8))) / 8
        high = mid + draw(st.integers(0, max_days * 8)) / 8
        return Duration(likely=mid, optimistic=low, pessimistic=high)

    if three_point is None:
        return st.one_of(single, estimate())
    return estimate() if three_point else single


def lags(*, max_days: int = 3) -> st.SearchStrategy[Lag]:
    """Lags of whole calendar or working days, mostly none."""
    _check_int("max_days", max_days)
    some = st.builds(Lag, st.integers(0, max_days).map(float), working=st.booleans())
    return st.one_of(st.just(Lag()), some)


# -- units, groups, pairings ------------------------------------------------------------


def units(*, min_size: int = 1, max_size: int = 6, ids: st.SearchStrategy[str] | None = None,
          capacity: bool = False) -> st.SearchStrategy[dict[str, Unit]]:
    """Units forming a hierarchy (a forest), in plan order: each parent comes before its children.

    Args:
        min_size: fewest units.
        max_size: most units.
        ids: strategy for unit ids (default ``unit_ids()``); drawn unique.
        capacity: sometimes give a unit a ``capacity``.

    Example:
        >>> units(max_size=3).example()  # doctest: +SKIP
        {'county': Unit(id='county', name='县扶贫办', ...), 'town': Unit(id='town', ..., parent='county')}
    """
    _check_int("min_size", min_size)
    _check_int("max_size", max_size, low=max(min_size, 1))
    _check_bool("capacity", capacity)
    id_strategy = _strategy("ids", ids, kind=()) if ids is not None else unit_ids()

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Unit]:
        unit_list = draw(st.lists(id_strategy, min_size=min_size, max_size=max_size, unique=True))
        out: dict[str, Unit] = {}
        for i, uid in enumerate(unit_list):
            parent = draw(st.none() | st.sampled_from(unit_list[:i])) if i else None
            out[uid] = Unit(
                id=uid, name=draw(names()), parent=parent,
                kind=draw(st.none() | st.sampled_from(_KINDS)),
                capacity=draw(st.none() | st.integers(1, 5)) if capacity else None,
            )
        return out

    return build()


def groups(units: Mapping[str, Unit], *, max_size: int = 3,
           ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict[str, Group]]:
    """Groups over ``units``: explicit members, or every unit of a kind (below a unit), minus exceptions.

    ``Group.units`` is resolved as the loader resolves it, so a drawn group
    is what loading its plan text gives. Group ids never clash with unit ids.
    """
    if not isinstance(units, Mapping) or not units:
        msg = f"units must be a non-empty mapping of unit id to Unit, got {units!r}"
        raise InvalidArgument(msg)
    _check_int("max_size", max_size)
    id_strategy = (ids if ids is not None else unit_ids()).filter(lambda g: g not in units)
    unit_list = list(units)
    kinds = sorted({u.kind for u in units.values() if u.kind is not None})

    @st.composite
    def one(draw: st.DrawFn, gid: str) -> Group:
        members = draw(st.lists(st.sampled_from(unit_list), unique=True, max_size=3))
        kind = draw(st.none() | st.sampled_from(kinds)) if kinds else None
        under = draw(st.none() | st.sampled_from(unit_list)) if kind else None
        exclude = draw(st.lists(st.sampled_from(unit_list), unique=True, max_size=1))
        if not members and kind is None:
            members = [unit_list[0]]
        group = Group(id=gid, name=draw(st.none() | names()), kind=kind, under=under,
                      members=tuple(u for u in unit_list if u in members), exclude=tuple(exclude))
        return attrs.evolve(group, units=_build.resolve_group(units, group))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Group]:
        gids = draw(st.lists(id_strategy, unique=True, max_size=max_size))
        return {gid: draw(one(gid)) for gid in gids}

    return build()


def pairings(refs: Sequence[str], *, max_size: int = 2) -> st.SearchStrategy[list[Pairing]]:
    """Pairings (对口帮扶) between distinct units or groups of ``refs``."""
    refs = list(refs)
    _check_int("max_size", max_size)
    if len(refs) < 2:
        return st.just([])
    pair = st.lists(st.sampled_from(refs), min_size=2, max_size=2, unique=True)
    one = st.builds(lambda ab, kind: Pairing(a=ab[0], b=ab[1], kind=kind), pair,
                    st.none() | st.sampled_from(("fixed-point", "east-west")))
    return st.lists(one, max_size=max_size)


# -- single tasks and checks configuration ----------------------------------------------------


def tasks(*, ids: st.SearchStrategy[str] | None = None, leads: st.SearchStrategy[str] | None = None,
          duration: st.SearchStrategy[Duration] | None = None) -> st.SearchStrategy[Task]:
    """One task on its own: every field locally valid, references unchecked.

    For properties of the model or of one function on a task; use
    ``campaigns()`` for tasks whose references resolve.

    Args:
        ids: strategy for the task id (default ``task_ids()``).
        leads: strategy for the lead unit id (default ``unit_ids()``).
        duration: strategy for the duration (default ``durations()``).
    """
    id_s = ids if ids is not None else task_ids()
    lead_s = leads if leads is not None else unit_ids()
    dur_s = duration if duration is not None else durations()
    for arg, value in (("ids", id_s), ("leads", lead_s), ("duration", dur_s)):
        _strategy(arg, value, kind=())
    steps = st.builds(Approval, by=st.lists(unit_ids(), min_size=1, max_size=2, unique=True).map(tuple),
                      mode=st.sampled_from(("all", "any")), within=st.none() | durations(max_days=3))
    deps = st.lists(st.builds(Dependency, task_ids(), lags()), max_size=2)
    return st.builds(Task, id=id_s, title=names(), lead=lead_s, duration=dur_s, after=deps,
                     approvals=st.lists(steps, max_size=2),
                     partners=st.lists(unit_ids(), max_size=2, unique=True).map(tuple),
                     tags=st.lists(st.sampled_from(("五个一批:总结", "media")), max_size=1, unique=True).map(tuple))


_CODES = ("CF101", "CF102", "CF201", "CF202", "CF203", "CF204", "CF205", "CF301", "CF302", "CF303", "CF304",
          "CF401", "CF402", "CF403")


def checks_configs() -> st.SearchStrategy[ChecksConfig]:
    """``[checks]`` tables: ignored codes, severity overrides, options."""
    codes = st.sampled_from(_CODES)
    options = st.dictionaries(codes, st.dictionaries(st.sampled_from(("exempt_pairings", "limit", "kinds")),
                                                     st.booleans() | st.integers(0, 9), max_size=2), max_size=1)
    return st.builds(ChecksConfig,
                     select=st.lists(codes, max_size=1, unique=True),
                     ignore=st.lists(codes, max_size=2, unique=True),
                     severity=st.dictionaries(codes, st.sampled_from(tuple(Severity)), max_size=2),
                     options=options)


# -- whole campaigns --------------------------------------------------------------------------


@attrs.frozen
class _Spec:
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


def campaigns(*, min_tasks: int = 1, max_tasks: int = 6, max_units: int = 5, templates: bool = False,
              repeat: bool = False, approvals: bool = True, solicitations: bool = False, capacity: bool = False,
              annotations: bool = False,
              calendar: str | st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Campaign]:
    """Valid campaigns, by construction.

    Every reference resolves (leads, partners, approvers, dependencies,
    pairings, group members), dependencies form no cycle, approvers stand
    above the lead, every unit takes part, and every deadline can be met:
    it lies after the latest its prerequisites may finish within their own
    deadlines, plus the task's pessimistic duration and its approval steps.
    ``campaignflow.validate`` reports no error, and no warning, on them.

    Args:
        min_tasks: fewest tasks (after expansion).
        max_tasks: most tasks (after expansion); keep it small, examples stay readable.
        max_units: most units.
        templates: include template instances (``T@unit``, with ``template`` set).
        repeat: include repeated tasks (``X#1``..``X#n``, with ``repeat`` set).
        approvals: give tasks approval steps by their lead's superiors.
        solicitations: include solicitations (donation drives) that are allowed.
        capacity: give some units a capacity, always enough for what they lead.
        annotations: fill optional texts (``title_en``, ``section``, ``doc`` ...).
        calendar: a calendar name or a strategy of names (default ``calendars()``).

    Example:
        >>> campaigns(max_tasks=3, approvals=True).example()  # doctest: +SKIP
        Campaign(id='demo', name='县扶贫办', start=datetime.date(2015, 1, 1), ...)
    """
    _check_int("min_tasks", min_tasks)
    _check_int("max_tasks", max_tasks, low=max(min_tasks, 1))
    _check_int("max_units", max_units, low=1)
    for name, value in (("templates", templates), ("repeat", repeat), ("approvals", approvals),
                        ("solicitations", solicitations), ("capacity", capacity), ("annotations", annotations)):
        _check_bool(name, value)
    cal = calendars() if calendar is None else _strategy("calendar", calendar, kind=str)
    spec = _Spec(min_tasks=min_tasks, max_tasks=max_tasks, max_units=max_units, templates=templates,
                 repeat=repeat, approvals=approvals, solicitations=solicitations, capacity=capacity,
                 annotations=annotations, calendar=cal)
    return drafts(spec).map(Draft.finish)


@st.composite
def drafts(draw: st.DrawFn, spec: _Spec) -> Draft:
    """A finished valid draft (internal: the conflict planters start from one)."""
    cal = draw(spec.calendar)
    start = draw(st.dates(_FIRST_START, _LAST_START))
    draft = Draft(id=draw(campaign_ids()), name=draw(names()), calendar=cal, start=start,
                  axis=WorkAxis(_build.calendar_named(cal), start))
    draft.units = draw(units(max_size=spec.max_units, capacity=False))
    draft.groups = draw(groups(draft.units, max_size=1))
    if spec.annotations:
        draft.name_en = draw(st.none() | names())
        draft.dates = draw(st.dictionaries(st.sampled_from(("poverty_day", "kickoff")),
                                           st.dates(start, start.replace(year=start.year + 1)), max_size=2))
    budget = draw(st.integers(spec.min_tasks, spec.max_tasks))
    kinds = ["plain"] + ["template"] * spec.templates + ["repeat"] * spec.repeat
    words = iter(draw(st.lists(task_ids(), min_size=budget, max_size=budget, unique=True)))
    while len(draft.tasks) < budget:
        kind = draw(st.sampled_from(kinds))
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
    prereqs = draw(st.lists(st.sampled_from(list(draft.tasks)), unique=True, max_size=2))
    return tuple(Dependency(t, draw(lags(max_days=2))) for t in prereqs)


def _draw_approvals(draw: st.DrawFn, draft: Draft, lead: str, spec: _Spec) -> tuple[Approval, ...]:
    above = list(_ancestors(draft, lead))
    if not spec.approvals or not above:
        return ()
    steps = []
    for _ in range(draw(st.integers(0, 2))):
        by = tuple(draw(st.lists(st.sampled_from(above), min_size=1, max_size=2, unique=True)))
        mode = draw(st.sampled_from(("all", "any"))) if len(by) > 1 else "all"
        within = draw(st.none() | durations(max_days=3, three_point=False))
        steps.append(Approval(by=by, mode=mode, within=within))
    below = [u for u, unit in draft.units.items() if unit.parent == lead]
    if below and draw(st.booleans()):
        # A consent from below, as a household's before a recommendation (PLAN_FORMAT 4a).
        steps.insert(0, Approval(by=draw(st.sampled_from(below)), kind=draw(st.sampled_from(("consent",
                                                                                               "recommend")))))
    return tuple(steps)


def _ancestors(draft: Draft, uid: str) -> list[str]:
    out, seen = [], {uid}
    parent = draft.units[uid].parent
    while parent is not None and parent not in seen:
        out.append(parent)
        seen.add(parent)
        parent = draft.units[parent].parent
    return out


def _draw_window(draw: st.DrawFn, draft: Draft, after: tuple[Dependency, ...], duration: Duration,
                 steps: tuple[Approval, ...], *, fixed_ok: bool) -> tuple[Any, tuple[Approval, ...]]:
    fixed = fixed_ok and not steps and duration.high <= 1 and draw(st.integers(0, 4)) == 0
    step_slack = [draw(st.none() | st.integers(0, 3).map(float)) for _ in steps]
    return feasible_window(
        draft, after=after, duration=duration, approvals=steps, step_slack=step_slack,
        start_offset=draw(st.none() | st.integers(0, 20)), slack=draw(st.none() | st.integers(0, 5).map(float)),
        moment=draw(st.booleans()), fixed=fixed,
    )


def _add_plain(draw: st.DrawFn, draft: Draft, spec: _Spec, tid: str) -> None:
    lead = draw(st.sampled_from(list(draft.units)))
    after = _draw_after(draw, draft)
    duration = draw(durations(max_days=3))
    steps = _draw_approvals(draw, draft, lead, spec)
    window, steps = _draw_window(draw, draft, after, duration, steps, fixed_ok=True)
    draft.place(Task(id=tid, title=draw(names()), lead=lead, after=after, duration=duration, approvals=steps,
                     window=window))


def _add_template(draw: st.DrawFn, draft: Draft, spec: _Spec, tid: str, room: int) -> None:
    unit_list = list(draft.units)
    chosen = draw(st.lists(st.sampled_from(unit_list), min_size=1, max_size=min(room, 3), unique=True))
    members = tuple(u for u in unit_list if u in chosen)
    gid = _fresh_group_id(draft, f"{tid}-units")
    draft.groups[gid] = Group(id=gid, members=members)
    after = _draw_after(draw, draft)
    duration = draw(durations(max_days=3))
    title = draw(names())
    with_approval = spec.approvals and draw(st.booleans())
    # Every instance has the same prerequisites and duration, so the same window fits all.
    steps_for = {u: (Approval(by=draft.units[u].parent),) if with_approval and draft.units[u].parent else ()
                 for u in members}
    longest = max(steps_for.values(), key=len)
    window, _ = _draw_window(draw, draft, after, duration, longest, fixed_ok=False)
    for u in members:
        draft.place(Task(id=f"{tid}@{u}", title=f"{draft.units[u].name}{title}", lead=u, after=after,
                         duration=duration, approvals=steps_for[u], window=window, template=tid,
                         template_unit=u))


def _add_series(draw: st.DrawFn, draft: Draft, spec: _Spec, tid: str, room: int) -> None:
    lead = draw(st.sampled_from(list(draft.units)))
    repeat = Repeat(every=draw(st.sampled_from(("week", "month", "quarter"))),
                    times=draw(st.integers(1, min(room, 3))))
    base = Task(id=tid, title=draw(names()), lead=lead, after=_draw_after(draw, draft),
                duration=draw(durations(max_days=2)), approvals=_draw_approvals(draw, draft, lead, spec))
    _build.expand_repeat(draft, base, repeat, slack=float(draw(st.integers(0, 3))))


def _fresh_group_id(draft: Draft, base: str) -> str:
    gid, n = base, 1
    while gid in draft.units or gid in draft.groups:
        n += 1
        gid = f"{base}{n}"
    return gid


def _add_solicitations(draw: st.DrawFn, draft: Draft) -> None:
    """Placeholder until the CF4xx semantics settle: solicitations are added by ``_conflicts``."""


def _add_extras(draw: st.DrawFn, draft: Draft, spec: _Spec) -> None:
    refs = [*draft.units, *draft.groups]
    draft.pairings = draw(pairings(refs, max_size=1))
    if draw(st.booleans()):
        draft.issuer = draw(st.sampled_from([u for u, unit in draft.units.items() if unit.parent is None]))
    if not spec.annotations:
        return
    notes = st.none() | st.builds(Annotation, quote=st.none() | names(), note=st.none() | names())
    for tid, task in list(draft.tasks.items()):
        draft.tasks[tid] = attrs.evolve(
            task, title_en=draw(st.none() | names()), section=draw(st.none() | st.just("三(一)1")),
            kind=draw(st.none() | st.sampled_from(("meeting", "report"))), doc=draw(notes),
            tags=tuple(draw(st.lists(st.sampled_from(("五个一批:总结", "media")), max_size=1))))
    for uid, unit in list(draft.units.items()):
        draft.units[uid] = attrs.evolve(unit, name_en=draw(st.none() | names()), doc=draw(notes))


def _involve_everyone(draft: Draft) -> None:
    """Name every unit and group nothing refers to as partners of the first task (CF304 stays quiet)."""
    if not draft.tasks:
        return
    groups = {gid: _build.resolve_group(draft.units, g) for gid, g in draft.groups.items()}
    refs: set[str] = set(filter(None, [draft.issuer]))
    for p in draft.pairings:
        refs.update((p.a, p.b))
    instances: dict[str, set[str]] = {}
    for task in draft.tasks.values():
        refs.update((task.lead, *task.partners, *task.solicits, *(u for s in task.approvals for u in s.by)))
        if task.template is not None and task.template_unit is not None:
            instances.setdefault(task.template, set()).add(task.template_unit)
    # A template's group is referred to by ``for_each``: its members are the instances' units.
    for_each = {frozenset(us) for us in instances.values()}
    used_groups = {g for g, members in groups.items() if g in refs or (members and frozenset(members) in for_each)}
    used = {u for u in refs if u in draft.units}
    for g in used_groups:
        used.update(groups[g])
        if draft.groups[g].under is not None:
            used.add(draft.groups[g].under)
    for u in list(used):
        used.update(_ancestors(draft, u))
    missing = [g for g in groups if g not in used_groups] + [u for u in draft.units if u not in used]
    if not missing:
        return
    first = next(iter(draft.tasks.values()))
    # A template's or series' instances share their fields: change them all alike.
    for tid, task in draft.tasks.items():
        if tid == first.id or (first.template and task.template == first.template) or (
                first.occurrence and task.series == first.series and task.occurrence):
            draft.tasks[tid] = attrs.evolve(task, partners=(*task.partners, *missing))


def _add_capacity(draw: st.DrawFn, draft: Draft) -> None:
    """Give some units a capacity that what they lead and approve can never exceed."""
    load: dict[str, int] = dict.fromkeys(draft.units, 0)
    for task in draft.tasks.values():
        load[task.lead] += 1
        for step in task.approvals:
            for u in step.by:
                if u in load:
                    load[u] += 1
    for uid, unit in list(draft.units.items()):
        if draw(st.booleans()):
            draft.units[uid] = attrs.evolve(unit, capacity=max(load[uid], 1))
