"""Groups and repeats: a few lines of plan that stand for many units or occurrences.

- A group's units: every unit of ``kind`` below ``under`` (any depth), plus
  ``members`` (units, or groups' units), minus ``except``, in plan order.
  Descendants are found by walking children once per group, never by walking
  parents per unit, and a hierarchy cycle cannot make it loop.
- ``repeat`` gives occurrences ``ID#1`` .. ``ID#N``, each windowed in its
  calendar period of the campaign (see docs/plan-format.md).
"""

from __future__ import annotations

import calendar as _cal
import graphlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ..model import Group, Moment, Repeat, Task, Unit, Window, end_instant, start_instant
from .problems import ProblemLog
from .structure import check_keys, child, entry_path, get_str, get_strs, read_doc

if TYPE_CHECKING:
    from ..calendar import Calendar

__all__ = ["GROUP_KEYS", "expand_repeats", "ledger_day", "working_day_by_policy", "occurrence_ids", "occurrence_windows", "period_window", "read_groups"]

GROUP_KEYS = frozenset({"name", "kind", "under", "members", "except", "doc"})


# -- groups ------------------------------------------------------------------------------


def read_groups(log: ProblemLog, raw: Mapping[str, Any], units: Mapping[str, Unit]) -> dict[str, Group]:
    """``[groups.ID]`` with their units resolved."""
    specs: dict[str, dict[str, Any]] = {}
    for gid, table in raw.items():
        path = entry_path(log, "groups", gid, table, "group", "分组")
        if path is None:
            continue
        if gid in units:
            log.add("id-conflict", f"'{gid}' is both a unit and a group; they share one id space",
                    f"'{gid}' 同时是单位和分组的标识;二者共用同一标识空间", path)
            continue
        check_keys(log, table, GROUP_KEYS, path)
        specs[gid] = {
            "name": get_str(log, table, "name", path),
            "kind": get_str(log, table, "kind", path),
            "under": get_str(log, table, "under", path),
            "members": get_strs(log, table, "members", path),
            "except": get_strs(log, table, "except", path),
            "doc": read_doc(log, table.get("doc"), child(path, "doc")),
        }
    return _resolve_groups(log, specs, units)


def _resolve_groups(log: ProblemLog, specs: dict[str, dict[str, Any]], units: Mapping[str, Unit]) -> dict[str, Group]:
    order = {uid: i for i, uid in enumerate(units)}
    children: dict[str, list[str]] = {}
    by_kind: dict[str | None, list[str]] = {}
    for unit in units.values():
        if unit.parent is not None:
            children.setdefault(unit.parent, []).append(unit.id)
        by_kind.setdefault(unit.kind, []).append(unit.id)

    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for gid, spec in specs.items():
        sorter.add(gid, *(r for r in (*spec["members"], *spec["except"]) if r in specs and r != gid))
    try:
        ordered = list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        loop = " -> ".join(cycle)
        log.add("group-cycle", f"groups include each other: {loop}", f"分组相互包含:{loop}",
                child(child("groups", cycle[0]), "members"))
        return {}

    resolved: dict[str, tuple[str, ...]] = {}
    groups: dict[str, Group] = {}
    for gid in ordered:
        spec = specs[gid]
        path = child("groups", gid)
        selected: set[str] = set()
        kind, under = spec["kind"], spec["under"]
        if under is not None:
            if under in units:
                below = _descendants(under, children)
                selected.update(below if kind is None else (u for u in below if units[u].kind == kind))
            elif under in specs:
                log.add("bad-reference", f"`under` must name a unit; '{under}' is a group",
                        f"`under` 应为单位;'{under}' 是分组", child(path, "under"))
            else:
                log.unknown_ref(child(path, "under"), "unit", "单位", under, units)
        elif kind is not None and (spec["members"] or spec["except"]):
            selected.update(by_kind.get(kind, ()))
        for key, add in (("members", True), ("except", False)):
            for i, ref in enumerate(spec[key]):
                if ref in units:
                    members: tuple[str, ...] = (ref,)
                elif ref in resolved:
                    members = resolved[ref]
                elif ref == gid:
                    log.add("group-cycle", f"group '{gid}' lists itself", f"分组 '{gid}' 包含了自身",
                            child(child(path, key), i))
                    continue
                else:
                    log.unknown_ref(child(child(path, key), i), "unit or group", "单位或分组", ref,
                                    [*units, *specs])
                    continue
                if add:
                    selected.update(members)
                else:
                    selected.difference_update(members)
        if under is None and kind is not None and not spec["members"] and not spec["except"]:
            resolved[gid] = tuple(by_kind.get(kind, ()))  # already in plan order
        else:
            resolved[gid] = tuple(sorted(selected, key=order.__getitem__))
        groups[gid] = Group(id=gid, name=spec["name"], kind=kind, under=under, members=spec["members"],
                            exclude=spec["except"], units=resolved[gid], doc=spec["doc"])
    # Plan order, not dependency order.
    return {gid: groups[gid] for gid in specs if gid in groups}


def _descendants(root: str, children: Mapping[str, list[str]]) -> list[str]:
    out: list[str] = []
    seen = {root}
    stack = [root]
    while stack:
        for c in children.get(stack.pop(), ()):
            if c not in seen:
                seen.add(c)
                out.append(c)
                stack.append(c)
    return out


# -- repeats --------------------------------------------------------------------------------------


def period_window(every: str, first: date, k: int) -> tuple[date, date]:
    """Calendar period ``k`` (0-based) counting from the one that contains ``first``: [first day, last day].

    Weeks run Monday to Sunday; months and quarters are calendar months and
    quarters (January-March, April-June, ...).
    """
    if every == "week":
        monday = first - timedelta(days=first.weekday()) + timedelta(weeks=k)
        return monday, monday + timedelta(days=6)
    step = 3 if every == "quarter" else 1
    month0 = first.month - 1
    if step == 3:
        month0 -= month0 % 3
    index = first.year * 12 + month0 + k * step
    year, month = divmod(index, 12)
    last_index = index + step - 1
    last_year, last_month = divmod(last_index, 12)
    last_day = _cal.monthrange(last_year, last_month + 1)[1]
    return date(year, month + 1, 1), date(last_year, last_month + 1, last_day)


def _later(a: Moment | None, b: Moment) -> Moment:
    return b if a is None or start_instant(b) >= start_instant(a) else a


def _earlier(a: Moment | None, b: Moment) -> Moment:
    return b if a is None or end_instant(b) <= end_instant(a) else a


def ledger_day(repeat: Repeat, p_start: date, p_end: date) -> date:
    """The day of its period a ledger occurrence is due, before the working-day policy."""
    if repeat.day is None or repeat.day == "end":
        return p_end
    return min(p_start + timedelta(days=repeat.day - 1), p_end)


def working_day_by_policy(day: date, policy: str, calendar: Calendar, earliest: date | None = None) -> date:
    """``day``, or the working day ``policy`` moves it to (``previous`` / ``next``; ``keep`` keeps it).

    ``previous`` never goes before ``earliest`` (the occurrence's own start):
    with no working day in between, it takes the next working day instead.
    """
    if policy == "keep":
        return day
    if policy == "previous":
        moved = day
        while earliest is None or moved >= earliest:
            if calendar.is_working_day(moved):
                return moved
            if (day - moved).days > 366:  # a year without a working day is no calendar
                return day
            moved -= timedelta(days=1)
    moved = day
    for _ in range(366):
        if calendar.is_working_day(moved):
            return moved
        moved += timedelta(days=1)
    return day


def occurrence_windows(repeat: Repeat, window: Window, start: Moment, end: Moment,
                       calendar: Calendar | None = None) -> list[Window]:
    """One window per occurrence: the task's window within its period of the campaign window.

    A ledger (``repeat.day``) is due on its day of the period (not before the
    occurrence's start), moved off a non-working day of ``calendar`` by
    ``repeat.if_not_working``.
    """
    first = start_instant(start).date()
    out = []
    for k in range(repeat.times):
        try:
            p_start, p_end = period_window(repeat.every, first, k)
        except (ValueError, OverflowError):
            p_start = p_end = date.max
        # Clipped to the campaign window: a period past its end gets an empty window (start after due).
        s = _later(_later(window.start, p_start), start)
        ledger = repeat.day is not None and p_end != date.max
        if ledger:
            # The first period may begin before the campaign: its day is then the occurrence's first day.
            p_end = max(ledger_day(repeat, p_start, p_end), _day(s))
        e = _earlier(_earlier(window.due, p_end), end)
        if ledger and calendar is not None:
            day = _day(e)
            opened = start_instant(s) <= start_instant(day)
            moved = working_day_by_policy(day, repeat.if_not_working, calendar, _day(s) if opened else None)
            if moved != day:
                e = moved
        out.append(Window(start=s, due=e))
    return out


def _day(moment: Moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def expand_repeats(tasks: Mapping[str, Task], start: Moment, end: Moment,
                   calendar: Calendar | None = None) -> dict[str, Task]:
    """Every task, with repeated ones replaced by their occurrences ``ID#1`` .. ``ID#N``."""
    out: dict[str, Task] = {}
    for tid, task in tasks.items():
        if task.repeat is None or task.occurrence is not None:  # an occurrence written out stays one
            out[tid] = task
            continue
        for k, window in enumerate(occurrence_windows(task.repeat, task.window, start, end, calendar), start=1):
            oid = f"{tid}#{k}"
            out[oid] = attrs.evolve(task, id=oid, window=window, occurrence=k)
    return out


def occurrence_ids(tasks: Mapping[str, Task]) -> dict[str, tuple[str, ...]]:
    """For each repeated task: the ids its occurrences will have."""
    return {tid: tuple(f"{tid}#{k}" for k in range(1, t.repeat.times + 1))
            for tid, t in tasks.items() if t.repeat is not None and t.occurrence is None}
