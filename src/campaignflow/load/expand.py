"""Groups, templates and repeats: everything that turns a few lines of plan into many values.

- A group's units: every unit of ``kind`` below ``under`` (any depth), plus
  ``members`` (units, or groups' units), minus ``except``, in plan order.
  Descendants are found by walking children once per group, never by walking
  parents per unit, and a hierarchy cycle cannot make it loop.
- A template ``X`` over group ``G`` gives one task ``X@U`` per unit of ``G``.
  Keys without placeholders are converted once and shared by every instance.
- ``repeat`` gives occurrences ``ID#1`` .. ``ID#N``, each windowed in its
  calendar period of the campaign (see docs/plan-format.md).
"""

from __future__ import annotations

import calendar as _cal
import graphlib
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from ..model import Group, Moment, Repeat, Task, Unit, Window, end_instant, start_instant
from .locate import key_path
from .problems import ProblemLog
from .structure import ID_RE, check_keys, child, get_str, get_strs, read_doc
from .tasks import BAD, TASK_KEYS, TaskReader

__all__ = ["read_groups", "expand_templates", "expand_repeats", "period_window", "GROUP_KEYS", "TEMPLATE_KEYS"]

GROUP_KEYS = frozenset({"name", "kind", "under", "members", "except", "doc"})
TEMPLATE_KEYS = frozenset({"for_each", "task", "repeat", "doc"})
_PLACEHOLDER = re.compile(r"\{unit(?:\.([^{}]*))?\}")
_ATTRS = ("name", "parent", "kind")


# -- groups ------------------------------------------------------------------------------


def read_groups(log: ProblemLog, raw: Mapping[str, Any], units: Mapping[str, Unit]) -> dict[str, Group]:
    """``[groups.ID]`` with their units resolved."""
    specs: dict[str, dict[str, Any]] = {}
    for gid, table in raw.items():
        path = child("groups", gid)
        if not isinstance(table, dict):
            log.wrong_type(path, "a table (a group)", "表(分组)", table)
            continue
        if not ID_RE.fullmatch(gid):
            log.add("invalid-id", f"'{gid}' is not a valid group id", f"'{gid}' 不是有效的分组标识", path)
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
        elif kind is not None:
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


# -- templates ------------------------------------------------------------------------------


@attrs.define
class _Compiled:
    """A template's task table, split into converted constants and keys with placeholders."""

    constants: dict[str, Any]
    dynamic: dict[str, Any]
    uses: frozenset[str]


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return "{unit" in value
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    return False


def _placeholders(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        out.update(m.group(1) or "" for m in _PLACEHOLDER.finditer(value))
    elif isinstance(value, list):
        for v in value:
            _placeholders(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _placeholders(v, out)


def _subst(value: Any, fill: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        if "{unit" not in value:
            return value
        for attr in _ATTRS:
            value = value.replace(f"{{unit.{attr}}}", fill.get(attr, ""))
        return value.replace("{unit}", fill[""])
    if isinstance(value, list):
        return [_subst(v, fill) for v in value]
    if isinstance(value, dict):
        return {k: _subst(v, fill) for k, v in value.items()}
    return value


def expand_templates(log: ProblemLog, raw: Mapping[str, Any], *, groups: Mapping[str, Group],
                     units: Mapping[str, Unit], reader: TaskReader, out: dict[str, Task],
                     declared: set[str], instances: dict[str, list[str]]) -> None:
    """Add every template's instances to ``out`` (``X@U``); ``instances[X]`` lists their ids."""
    for tid, table in raw.items():
        path = child("templates", tid)
        if not isinstance(table, dict):
            log.wrong_type(path, "a table (a template)", "表(模板)", table)
            continue
        if not ID_RE.fullmatch(tid):
            log.add("invalid-id", f"'{tid}' is not a valid template id", f"'{tid}' 不是有效的模板标识", path)
            continue
        check_keys(log, table, TEMPLATE_KEYS, path)
        read_doc(log, table.get("doc"), child(path, "doc"))
        instances[tid] = []
        members = _template_members(log, table, path, groups, units)
        task = table.get("task")
        if task is None:
            log.missing_key(path, "task")
            continue
        if not isinstance(task, dict):
            log.wrong_type(child(path, "task"), "a table ([templates.X.task])", "表([templates.X.task])", task)
            continue
        compiled = _compile(log, table, task, child(path, "task"), reader)
        if compiled is None or members is None:
            continue
        for uid in members:
            iid = f"{tid}@{uid}"
            instances[tid].append(iid)
            declared.add(iid)
            built = _instance(log, compiled, units[uid], iid, tid, reader)
            if built is not None:
                out[iid] = built


def _template_members(log: ProblemLog, table: Mapping[str, Any], path: str, groups: Mapping[str, Group],
                      units: Mapping[str, Unit]) -> tuple[str, ...] | None:
    gid = get_str(log, table, "for_each", path, required=True)
    if gid is None:
        return None
    if gid in groups:
        return groups[gid].units
    if gid in units:
        log.add("bad-reference", f"`for_each` must name a group; '{gid}' is a unit",
                f"`for_each` 应为分组;'{gid}' 是单位", child(path, "for_each"))
    else:
        log.unknown_ref(child(path, "for_each"), "group", "分组", gid, groups)
    return None


def _compile(log: ProblemLog, table: Mapping[str, Any], task: Mapping[str, Any], path: str,
             reader: TaskReader) -> _Compiled | None:
    check_keys(log, task, TASK_KEYS, path)
    ok = True
    constants: dict[str, Any] = {}
    dynamic: dict[str, Any] = {}
    used: set[str] = set()
    entries = [(k, v) for k, v in task.items() if k in TASK_KEYS]
    if "repeat" in table:
        if "repeat" in task:
            log.add("conflicting-keys", "`repeat` is given both for the template and for its task",
                    "模板和其任务同时给出了 `repeat`", child(path, "repeat"))
            ok = False
        entries.append(("repeat", table["repeat"]))
    for key, value in entries:
        at = child(path, key) if key in task else child(path.rsplit(".", 1)[0], key)
        if _has_placeholder(value):
            found: set[str] = set()
            _placeholders(value, found)
            bad = sorted(found - {"", *_ATTRS})
            if bad:
                log.add("unknown-placeholder", f"unknown placeholder '{{unit.{bad[0]}}}'",
                        f"未知的占位符 '{{unit.{bad[0]}}}'", at,
                        hint=log.hint_for(f"{{unit.{bad[0]}}}", ["{unit}", *(f"{{unit.{a}}}" for a in _ATTRS)]))
                ok = False
            used |= found
            dynamic[key] = value
        else:
            converted = reader.convert(key, value, at)
            ok = ok and converted is not BAD
            constants[key] = converted
    return _Compiled(constants, dynamic, frozenset(used)) if ok else None


def _instance(log: ProblemLog, compiled: _Compiled, unit: Unit, iid: str, tid: str, reader: TaskReader) -> Task | None:
    tpath = key_path("tasks", iid)
    fill = {"": unit.id, "name": unit.name}
    for attr in ("parent", "kind"):
        value = getattr(unit, attr)
        if value is not None:
            fill[attr] = value
        elif attr in compiled.uses:
            log.add("missing-placeholder-value", f"unit '{unit.id}' has no {attr} for {{unit.{attr}}}",
                    f"单位 '{unit.id}' 没有 {attr},无法填充 {{unit.{attr}}}", tpath)
            return None
    values = dict(compiled.constants)
    for key, value in compiled.dynamic.items():
        values[key] = reader.convert(key, _subst(value, fill), f"{tpath}.{key}")
    return reader.build(iid, values, tpath, template=tid, template_unit=unit.id)


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


def occurrence_windows(repeat: Repeat, window: Window, start: Moment, end: Moment) -> list[Window]:
    """One window per occurrence: the task's window within its period of the campaign window."""
    first = start_instant(start).date()
    out = []
    for k in range(repeat.times):
        try:
            p_start, p_end = period_window(repeat.every, first, k)
        except (ValueError, OverflowError):
            p_start = p_end = date.max
        # Clipped to the campaign window: a period past its end gets an empty window (start after due).
        s = _later(_later(window.start, p_start), start)
        e = _earlier(_earlier(window.due, p_end), end)
        out.append(Window(start=s, due=e))
    return out


def expand_repeats(tasks: Mapping[str, Task], start: Moment, end: Moment) -> dict[str, Task]:
    """Every task, with repeated ones replaced by their occurrences ``ID#1`` .. ``ID#N``."""
    out: dict[str, Task] = {}
    for tid, task in tasks.items():
        if task.repeat is None:
            out[tid] = task
            continue
        for k, window in enumerate(occurrence_windows(task.repeat, task.window, start, end), start=1):
            oid = f"{tid}#{k}"
            out[oid] = attrs.evolve(task, id=oid, window=window, occurrence=k)
    return out


def occurrence_ids(tasks: Mapping[str, Task]) -> dict[str, tuple[str, ...]]:
    """For each repeated task: the ids its occurrences will have."""
    return {tid: tuple(f"{tid}#{k}" for k in range(1, t.repeat.times + 1))
            for tid, t in tasks.items() if t.repeat is not None}


def as_datetime(moment: Moment) -> datetime:
    return start_instant(moment)
