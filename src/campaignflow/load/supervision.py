"""``[supervision]``: reminders (催办) before each task's deadline and the escalation ladder after it.

::

    [supervision]
    reminders = [{ before = "2wd", to = "lead" }]
    levels = [
      { name = "blue",   after = "0d",  to = "lead" },
      { name = "orange", after = "2wd", to = "parent" },
      { name = "red",    after = "5wd", to = "duchashi" },   # a unit: the 督查室
    ]

A target is ``lead``, ``parent``, ``issuer`` or a unit id (checked like any unit reference,
with a suggestion). Times are lags: ``"2wd"`` working days on the campaign calendar,
``"2d"`` calendar days, ``"4h"`` working hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import AlertLevel, Lag, Reminder, Supervision, Unit
from .problems import ProblemLog, show
from .structure import check_keys, child, read_doc

__all__ = ["SUPERVISION_KEYS", "REMINDER_KEYS", "LEVEL_KEYS", "TARGETS", "read_supervision"]

SUPERVISION_KEYS = frozenset({"reminders", "levels", "doc"})
REMINDER_KEYS = frozenset({"before", "to"})
LEVEL_KEYS = frozenset({"name", "after", "to"})
#: Targets that are roles, not units.
TARGETS = ("lead", "parent", "issuer")


def read_supervision(log: ProblemLog, raw: Mapping[str, Any], units: Mapping[str, Unit]) -> Supervision | None:
    """The plan's ``[supervision]``; problems go to ``log`` (``None`` when it is wrong)."""
    path = "supervision"
    check_keys(log, raw, SUPERVISION_KEYS, path)
    ok = True
    reminders: list[Reminder] = []
    for i, item in enumerate(_items(log, raw, "reminders", path)):
        at = child(child(path, "reminders"), i)
        check_keys(log, item, REMINDER_KEYS, at)
        before = _lag(log, item, "before", at)
        to = _target(log, item, at, units, default="lead")
        if before is None or to is None:
            ok = False
        else:
            reminders.append(Reminder(before=before, to=to))
    levels: list[AlertLevel] = []
    names: set[str] = set()
    for i, item in enumerate(_items(log, raw, "levels", path)):
        at = child(child(path, "levels"), i)
        check_keys(log, item, LEVEL_KEYS, at)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            if name is None:
                log.missing_key(at, "name")
            else:
                log.wrong_type(child(at, "name"), "a level name (blue, orange, red)", "预警级别名称(蓝、橙、红)", name)
            ok = False
            name = None
        elif name in names:
            log.add("duplicate-key", f"two levels are called {show(name)}", f"两个级别都叫 {show(name)}",
                    child(at, "name"))
            ok = False
        after = _lag(log, item, "after", at)
        to = _target(log, item, at, units, default="parent")
        if name is None or after is None or to is None:
            ok = False
            continue
        if levels and after.working == levels[-1].after.working and after.days < levels[-1].after.days:
            log.add("bad-value", f"level {show(name)} comes after {show(levels[-1].name)} but is due earlier "
                    f"({after} < {levels[-1].after})", f"级别 {show(name)} 排在 {show(levels[-1].name)} 之后,"
                    f"却更早到期({after} < {levels[-1].after})", child(at, "after"))
            ok = False
        names.add(name)
        levels.append(AlertLevel(name=name, after=after, to=to))
    doc = read_doc(log, raw.get("doc"), child(path, "doc")) if "doc" in raw else None
    return Supervision(reminders=reminders, levels=levels, doc=doc) if ok else None


def _items(log: ProblemLog, raw: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        log.wrong_type(child(path, key), "an array of tables", "表数组", value)
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append(item)
        else:
            log.wrong_type(child(child(path, key), i), "a table", "表", item)
    return out


def _lag(log: ProblemLog, item: Mapping[str, Any], key: str, path: str) -> Lag | None:
    value = item.get(key)
    if value is None:
        log.missing_key(path, key)
        return None
    if isinstance(value, str):
        try:
            lag = Lag.parse(value)
        except ValueError:
            lag = None
        if lag is not None and lag.days >= 0:
            return lag
    log.wrong_type(child(path, key), 'a time like "2wd" (working days), "3d" (calendar days) or "4h"',
                   '形如 "2wd"(工作日)、"3d"(日历天)或 "4h" 的时长', value)
    return None


def _target(log: ProblemLog, item: Mapping[str, Any], path: str, units: Mapping[str, Unit], *,
            default: str) -> str | None:
    value = item.get("to", default)
    at = child(path, "to")
    if not isinstance(value, str):
        log.wrong_type(at, "lead, parent, issuer or a unit id", "lead、parent、issuer 或单位标识", value)
        return None
    if value in TARGETS or value in units:
        return value
    log.unknown_ref(at, "unit", "单位", value, [*TARGETS, *units])
    return None
