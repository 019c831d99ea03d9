"""The small strategies: ids, names, calendars, durations, lags, units, groups, pairings, tasks.

Public through ``campaignflow.testing.strategies``; argument checking helpers
shared by every strategy live here too.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..findings import Severity
from ..model import Approval, ChecksConfig, Dependency, Duration, Group, Lag, Pairing, Submission, Task, Unit
from . import _build

#: Calendars every installation has; ``calendars()`` draws from these.
CALENDARS: tuple[str, ...] = ("weekdays", "all-days", "cn-workdays")

# First entries are what examples shrink to: short, and readable in a plan.
_UNIT_WORDS = ("county", "town", "village", "fpb", "stats", "finance", "school", "media", "city", "province")
_TASK_WORDS = ("plan", "meeting", "report", "survey", "visit", "ceremony", "drive", "summary", "notice", "review")
_NAMES = ("县扶贫办", "区统计局", "乡镇", "村委会", "市财政局", "Poverty Alleviation Office", "学校", "媒体")
_KINDS = ("county", "township", "village", "department", "bureau", "school", "enterprise", "media")
# Campaign starts within the years the cn-workdays calendar knows, leaving room for a long plan.
FIRST_START = date(2015, 1, 1)
LAST_START = date(2025, 3, 31)


# -- argument checking --------------------------------------------------------------------


def check_int(name: str, value: Any, *, low: int = 0, high: int | None = None) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        msg = f"{name} must be an integer {bound}, got {value!r}"
        raise InvalidArgument(msg)


def check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        msg = f"{name} must be True or False, got {value!r}"
        raise InvalidArgument(msg)


def as_strategy(name: str, value: Any, *, kind: type | tuple[type, ...]) -> st.SearchStrategy[Any]:
    """``value`` as a strategy: a strategy as it is, a plain value of ``kind`` as ``st.just``."""
    if isinstance(value, st.SearchStrategy):
        return value
    if isinstance(value, kind):
        return st.just(value)
    msg = f"{name} must be a {getattr(kind, '__name__', kind)} or a strategy, got {value!r}"
    raise InvalidArgument(msg)


_T = TypeVar("_T")

# Strategies are built once and reused: building one (checking its arguments,
# describing its lambdas) costs more than drawing from it many times.
_cached = functools.lru_cache(maxsize=None)


# -- drawing helpers shared by the composite strategies -------------------------------------


@_cached
def _index(n: int) -> st.SearchStrategy[int]:
    return st.integers(0, n - 1)


@_cached
def _subset(n: int, min_size: int, max_size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(_index(n), unique=True, min_size=min_size, max_size=max_size)


@_cached
def maybe(strategy: st.SearchStrategy[_T]) -> st.SearchStrategy[_T | None]:
    """``None`` or a value of ``strategy`` (shrinks to ``None``)."""
    return st.none() | strategy


def pick(draw: st.DrawFn, seq: Sequence[_T]) -> _T:
    """One element of a non-empty sequence; shrinks towards the first."""
    return seq[draw(_index(len(seq)))]


def pick_some(draw: st.DrawFn, seq: Sequence[_T], *, min_size: int = 0, max_size: int) -> list[_T]:
    """Distinct elements of ``seq``, in drawing order."""
    if not seq:
        return []
    return [seq[i] for i in draw(_subset(len(seq), min_size, min(max_size, len(seq))))]


def pick_maybe(draw: st.DrawFn, seq: Sequence[_T]) -> _T | None:
    """``None`` or an element of ``seq`` (``None`` when it is empty)."""
    if not seq or draw(st.booleans()):
        return None
    return pick(draw, seq)


# -- ids, names, calendars, amounts ------------------------------------------------------

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _LOWER + "0123456789"


def _joined(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


# Built from character draws rather than ``st.from_regex``: the regex engine made each campaign
# several times slower to draw, enough to trip Hypothesis's too-slow health check on a busy machine.
# The language is ``[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?``.
_SLUGS = _joined(st.sampled_from(_LOWER), st.text(_ALNUM, max_size=5),
                 st.one_of(st.just(""), _joined(st.just("-"), st.text(_ALNUM, min_size=1, max_size=3))))


@_cached
def unit_ids() -> st.SearchStrategy[str]:
    """Unit (and group) ids: short readable words, or slugs like ``x3-b``.

    Example:
        >>> unit_ids().example()  # doctest: +SKIP
        'county'
    """
    return st.one_of(st.sampled_from(_UNIT_WORDS), _SLUGS)


@_cached
def task_ids() -> st.SearchStrategy[str]:
    """Task ids of the plan (before expansion): short words or slugs.

    Example:
        >>> task_ids().example()  # doctest: +SKIP
        'meeting'
    """
    return st.one_of(st.sampled_from(_TASK_WORDS), _SLUGS)


@_cached
def campaign_ids() -> st.SearchStrategy[str]:
    """Campaign ids: slugs ``[a-z0-9][a-z0-9-]*``."""
    return st.one_of(st.just("demo"), _joined(st.sampled_from(_ALNUM), st.text(_ALNUM + "-", max_size=11)))


@_cached
def names() -> st.SearchStrategy[str]:
    """Names and titles: mostly Chinese office names, sometimes any text a TOML string can hold.

    The arbitrary text (quotes, backslashes, newlines, control characters)
    is what makes the ``to_toml`` round trip worth testing.
    """
    any_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)
    return st.one_of(st.sampled_from(_NAMES), any_text)


@_cached
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
    check_int("max_days", max_days, low=1)
    if three_point is not None:
        check_bool("three_point", three_point)
    return _durations(max_days, three_point)


@_cached
def _durations(max_days: int, three_point: bool | None) -> st.SearchStrategy[Duration]:
    # Whole days first: they are what examples shrink to and what plans mostly say.
    likely = st.one_of(st.integers(1, max_days).map(float), st.integers(1, max_days * 8).map(lambda h: h / 8))
    single = likely.map(Duration)
    eighths = st.integers(0, max_days * 8)

    @st.composite
    def estimate(draw: st.DrawFn) -> Duration:
        mid = draw(likely)
        low = mid - min(draw(eighths) / 8, mid)
        return Duration(likely=mid, optimistic=low, pessimistic=mid + draw(eighths) / 8)

    if three_point is None:
        return st.one_of(single, estimate())
    return estimate() if three_point else single


def lags(*, max_days: int = 3) -> st.SearchStrategy[Lag]:
    """Lags of whole calendar or working days, mostly none."""
    check_int("max_days", max_days)
    return _lags(max_days)


@_cached
def _lags(max_days: int) -> st.SearchStrategy[Lag]:
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
    check_int("min_size", min_size)
    check_int("max_size", max_size, low=max(min_size, 1))
    check_bool("capacity", capacity)
    id_strategy = as_strategy("ids", ids, kind=()) if ids is not None else unit_ids()
    return st.composite(draw_units)(ids=id_strategy, min_size=min_size, max_size=max_size, capacity=capacity)


_KIND_OR_NONE = maybe(st.sampled_from(_KINDS))
_CAPACITY_OR_NONE = maybe(st.integers(1, 5))


def draw_units(draw: st.DrawFn, *, ids: st.SearchStrategy[str], min_size: int, max_size: int,
               capacity: bool) -> dict[str, Unit]:
    """The body of ``units()``, for composite strategies that draw units along the way."""
    unit_list = draw(st.lists(ids, min_size=min_size, max_size=max_size, unique=True))
    out: dict[str, Unit] = {}
    for i, uid in enumerate(unit_list):
        out[uid] = Unit(id=uid, name=draw(names()), parent=pick_maybe(draw, unit_list[:i]),
                        kind=draw(_KIND_OR_NONE), capacity=draw(_CAPACITY_OR_NONE) if capacity else None)
    return out


def groups(units: Mapping[str, Unit], *, max_size: int = 3,
           ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict[str, Group]]:
    """Groups over ``units``: explicit members, or every unit of a kind (below a unit), minus exceptions.

    ``Group.units`` is resolved as the loader resolves it, so a drawn group
    is what loading its plan text gives. Group ids never clash with unit ids.
    """
    if not isinstance(units, Mapping) or not units:
        msg = f"units must be a non-empty mapping of unit id to Unit, got {units!r}"
        raise InvalidArgument(msg)
    check_int("max_size", max_size)
    id_strategy = as_strategy("ids", ids, kind=()) if ids is not None else unit_ids()
    return st.composite(draw_groups)(dict(units), ids=id_strategy, max_size=max_size)


def draw_groups(draw: st.DrawFn, units: Mapping[str, Unit], *, ids: st.SearchStrategy[str],
                max_size: int) -> dict[str, Group]:
    """The body of ``groups()``."""
    unit_list = list(units)
    kinds = sorted({u.kind for u in units.values() if u.kind is not None})
    count = draw(st.integers(0, max_size))
    out: dict[str, Group] = {}
    for _ in range(count):
        gid = draw(ids)
        if gid in units or gid in out:
            continue
        members = pick_some(draw, unit_list, max_size=3)
        kind = pick_maybe(draw, kinds)
        under = pick_maybe(draw, unit_list) if kind else None
        if not members and kind is None:
            members = [unit_list[0]]
        group = Group(id=gid, name=draw(maybe(names())), kind=kind, under=under,
                      members=tuple(u for u in unit_list if u in members),
                      exclude=tuple(pick_some(draw, unit_list, max_size=1)))
        out[gid] = attrs.evolve(group, units=_build.resolve_group(units, group))
    return out


def pairings(refs: Sequence[str], *, max_size: int = 2) -> st.SearchStrategy[list[Pairing]]:
    """Pairings (对口帮扶) between distinct units or groups of ``refs``."""
    check_int("max_size", max_size)
    return st.composite(draw_pairings)(list(refs), max_size=max_size)


_PAIRING_KIND = maybe(st.sampled_from(("fixed-point", "east-west")))


def draw_pairings(draw: st.DrawFn, refs: Sequence[str], *, max_size: int) -> list[Pairing]:
    """The body of ``pairings()``."""
    if len(refs) < 2:
        return []
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        a, b = pick_some(draw, refs, min_size=2, max_size=2)
        out.append(Pairing(a=a, b=b, kind=draw(_PAIRING_KIND)))
    return out


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
    id_s = task_ids() if ids is None else as_strategy("ids", ids, kind=())
    lead_s = unit_ids() if leads is None else as_strategy("leads", leads, kind=())
    dur_s = durations() if duration is None else as_strategy("duration", duration, kind=())
    steps = st.builds(Approval, by=st.lists(unit_ids(), min_size=1, max_size=2, unique=True).map(tuple),
                      mode=st.sampled_from(("all", "any")), within=maybe(durations(max_days=3)))
    deps = st.lists(st.builds(Dependency, task_ids(), lags()), max_size=2)
    reports = st.builds(Submission, to=st.lists(unit_ids(), min_size=1, max_size=2, unique=True).map(tuple))
    return st.builds(Task, id=id_s, title=names(), lead=lead_s, duration=dur_s, after=deps,
                     approvals=st.lists(steps, max_size=2), reports_to=st.lists(reports, max_size=2),
                     co_leads=st.lists(unit_ids(), max_size=2, unique=True).map(tuple),
                     partners=st.lists(unit_ids(), max_size=2, unique=True).map(tuple),
                     tags=st.lists(st.sampled_from(("五个一批:总结", "media")), max_size=1, unique=True).map(tuple))


#: Codes of the built-in catalog, for ``checks_configs``.
CODES = ("CF101", "CF102", "CF201", "CF202", "CF203", "CF204", "CF205", "CF206", "CF207", "CF301", "CF302", "CF303", "CF304", "CF305",
         "CF401", "CF402", "CF403")


@_cached
def checks_configs() -> st.SearchStrategy[ChecksConfig]:
    """``[checks]`` tables: ignored codes, severity overrides, options."""
    codes = st.sampled_from(CODES)
    # Only options its check declares, each of the declared type (an unknown key or a wrong type
    # is a load problem).
    kinds = st.lists(st.sampled_from(("report", "plan")), max_size=2, unique=True)
    by_code = {
        "CF401": st.fixed_dictionaries({}, optional={"exempt_pairings": st.booleans(),
                                                     "max_per_group_pair": st.integers(0, 9)}),
        "CF305": st.fixed_dictionaries({}, optional={"kinds": kinds}),
    }
    options = st.one_of(st.just({}), st.sampled_from(sorted(by_code)).flatmap(
        lambda code: by_code[code].map(lambda table: {code: table})))
    return st.builds(ChecksConfig,
                     select=st.lists(codes, max_size=1, unique=True),
                     ignore=st.lists(codes, max_size=2, unique=True),
                     severity=st.dictionaries(codes, st.sampled_from(tuple(Severity)), max_size=2),
                     options=options)
