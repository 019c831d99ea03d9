"""``[calendar.overrides.YEAR]``: a year's official holidays and adjusted working days.

A plan may declare the State Council's notice for a year itself, so that an
office can plan the day the notice is published, before the calendar package
knows the year. Dates here are literal TOML dates (no ``@name`` expressions:
the named dates are themselves computed on this calendar).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..calendar import DEFAULT_OFFICE_HOURS, OfficeHours
from ..model import CalendarOverride, Holiday
from .problems import ProblemLog, show
from .structure import check_keys, child, read_doc

__all__ = ["CALENDAR_KEYS", "OVERRIDE_KEYS", "HOLIDAY_KEYS", "read_calendar", "read_office_hours"]

CALENDAR_KEYS = frozenset({"overrides", "office_hours"})
OVERRIDE_KEYS = frozenset({"holidays", "workdays", "doc"})
HOLIDAY_KEYS = frozenset({"from", "to", "name"})


def _is_day(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def read_calendar(log: ProblemLog, raw: Mapping[str, Any]) -> dict[int, CalendarOverride]:
    """The overrides of ``[calendar]``, by year; problems go to ``log``."""
    check_keys(log, raw, CALENDAR_KEYS, "calendar")
    overrides = raw.get("overrides")
    if overrides is None:
        return {}
    path = child("calendar", "overrides")
    if not isinstance(overrides, dict):
        log.wrong_type(path, "a table of years ([calendar.overrides.2027])", "按年份的表([calendar.overrides.2027])",
                       overrides)
        return {}
    out: dict[int, CalendarOverride] = {}
    for key, table in overrides.items():
        at = child(path, key)
        if not (key.isdigit() and len(key) == 4):
            log.add("bad-value", f"expected a year like 2027, got {show(key)}", f"应为年份(如 2027),实际为 {show(key)}",
                    at)
            continue
        if not isinstance(table, dict):
            log.wrong_type(at, "a table with holidays and workdays", "含 holidays、workdays 的表", table)
            continue
        override = _read_year(log, int(key), table, at)
        if override is not None:
            out[override.year] = override
    return out


def read_office_hours(log: ProblemLog, raw: Mapping[str, Any]) -> OfficeHours:
    """``[calendar] office_hours = ["08:30-12:00", "14:00-17:30"]``; the default when absent or wrong."""
    value = raw.get("office_hours")
    if value is None:
        return DEFAULT_OFFICE_HOURS
    path = child("calendar", "office_hours")
    if not (isinstance(value, list) and value and all(isinstance(p, str) for p in value)):
        log.wrong_type(path, 'an array of periods like ["08:30-12:00", "14:00-17:30"]',
                       '时段数组,如 ["08:30-12:00", "14:00-17:30"]', value)
        return DEFAULT_OFFICE_HOURS
    try:
        return OfficeHours.parse(value)
    except ValueError as exc:
        log.add("bad-value", f"bad office hours: {exc}",
                f"办公时间有误:应为一日之内按时间先后、互不重叠的时段,如 \"08:30-12:00\",实际为 {value}", path)
        return DEFAULT_OFFICE_HOURS


def _read_year(log: ProblemLog, year: int, table: Mapping[str, Any], path: str) -> CalendarOverride | None:
    check_keys(log, table, OVERRIDE_KEYS, path)
    ok = True
    holidays: list[Holiday] = []
    for i, item in enumerate(_items(log, table, "holidays", path)):
        at = child(child(path, "holidays"), i)
        holiday = _holiday(log, item, at)
        if holiday is None:
            ok = False
        elif not (holiday.start.year == year == holiday.end.year):
            log.add("bad-value", f"{holiday.start} .. {holiday.end} is not in {year}",
                    f"{holiday.start} 至 {holiday.end} 不在 {year} 年内", at)
            ok = False
        else:
            holidays.append(holiday)
    workdays: list[date] = []
    for i, item in enumerate(_items(log, table, "workdays", path)):
        at = child(child(path, "workdays"), i)
        if not _is_day(item):
            log.wrong_type(at, "a date (2027-09-26)", "日期(2027-09-26)", item)
            ok = False
        elif item.year != year:
            log.add("bad-value", f"{item} is not in {year}", f"{item} 不在 {year} 年内", at)
            ok = False
        else:
            workdays.append(item)
    doc = read_doc(log, table.get("doc"), child(path, "doc"))
    if not ok:
        return None
    return CalendarOverride(year=year, holidays=tuple(holidays), workdays=tuple(workdays), doc=doc)


def _items(log: ProblemLog, table: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        log.wrong_type(child(path, key), "an array", "数组", value)
        return []
    return value


def _holiday(log: ProblemLog, item: Any, path: str) -> Holiday | None:
    if _is_day(item):
        return Holiday(start=item, end=item)
    if not isinstance(item, dict):
        log.wrong_type(path, 'a date or { from = 2027-10-01, to = 2027-10-07, name = "国庆节" }',
                       '日期或 { from = 2027-10-01, to = 2027-10-07, name = "国庆节" }', item)
        return None
    check_keys(log, item, HOLIDAY_KEYS, path)
    start, end, name = item.get("from"), item.get("to", item.get("from")), item.get("name")
    if start is None:
        log.missing_key(path, "from")
        return None
    for key, value in (("from", start), ("to", end)):
        if not _is_day(value):
            log.wrong_type(child(path, key), "a date", "日期", value)
            return None
    if name is not None and not isinstance(name, str):
        log.wrong_type(child(path, "name"), "a string", "字符串", name)
        return None
    if end < start:
        log.add("bad-value", f"the holiday ends ({end}) before it starts ({start})",
                f"假期结束日期({end})早于开始日期({start})", child(path, "to"))
        return None
    return Holiday(start=start, end=end, name=name)
