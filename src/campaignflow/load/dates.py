"""Date expressions: TOML dates, ISO strings, ``"@name"``, ``"@name - 2d"``, ``"@name + 3wd"``.

``d`` counts calendar days, ``w`` calendar weeks and ``wd`` working days of the
campaign calendar; the Chinese ``天``/``日``, ``周`` and ``个工作日``/``工作日`` are
the same units (the Chinese message offers ``"@名称 ± N天"``). Offset datetimes are converted to the campaign timezone
and made naive, so that every moment of a campaign is local.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ..calendar import Calendar, WorkAxis
from ..model import Moment
from .problems import ProblemLog, show, type_name

__all__ = ["EXPECTED_EN", "EXPECTED_ZH", "DateResolver", "parse_iso"]

EXPECTED_EN = 'a date or "@name ± Nd"'
EXPECTED_ZH = '日期或 "@名称 ± N天" 形式的表达式'

_EXPR = re.compile(r"\s*@([\w][\w.\-]*?)\s*(?:([+-])\s*([0-9]+)\s*(wd|d|w|个工作日|工作日|天|日|周))?\s*")
#: The Chinese units the Chinese message offers (``"@名称 ± N天"``), as their ASCII forms.
_UNITS_ZH = {"天": "d", "日": "d", "周": "w", "个工作日": "wd", "工作日": "wd"}
_ISO_DATE = re.compile(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*")
_ISO_DATETIME = re.compile(
    r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?\s*"
)


#: The years a plan's dates may lie in: room enough either side for any schedule (issue 20).
FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_iso(text: str) -> date | datetime | None:
    """An ISO date (``2020-10-17``) or datetime (``2020-10-17T12:00``) in ``text``; ``None`` if it is neither.

    Raises ``ValueError`` for text of the right shape naming a day that does not exist.
    """
    if _ISO_DATE.fullmatch(text):
        return date.fromisoformat(text.strip())
    if _ISO_DATETIME.fullmatch(text):
        s = text.strip()
        if s[-1] in "zZ":
            s = s[:-1] + "+00:00"
        return datetime.fromisoformat(s)
    return None


class _Failure:
    """A cached failure: the problem to report again at each key path that uses the text."""

    __slots__ = ("code", "en", "ref", "zh")

    def __init__(self, code: str, en: str, zh: str, ref: str | None = None) -> None:
        self.code, self.en, self.zh, self.ref = code, en, zh, ref


#: A reference to a named date whose own value is wrong: already reported at that name.
_FAILED_NAME = _Failure("", "", "")


class DateResolver:
    """Resolves date values of one plan; results are cached by their text."""

    def __init__(self, log: ProblemLog, *, tz: tzinfo | None, calendar: Calendar | None,
                 origin: date | None = None) -> None:
        self.log = log
        self.tz = tz
        self.calendar = calendar
        self.origin = origin
        self.named: dict[str, Moment] = {}
        #: Names defined later in `[campaign.dates]`, for a clearer message.
        self.pending_names: set[str] = set()
        #: Names whose own value is wrong (reported there): using them is not reported again.
        self.failed_names: set[str] = set()
        self._axis: WorkAxis | None = None
        self._cache: dict[str, Moment | _Failure] = {}

    def define(self, names: Mapping[str, Any], path_of: Any) -> None:
        """Resolve ``[campaign.dates]`` in order; each may refer to the ones before it."""
        self.pending_names = set(names)
        for name, value in names.items():
            self.pending_names.discard(name)
            moment = self.resolve(value, path_of(name))
            if moment is not None:
                self.named[name] = moment
                self._cache.clear()  # a failure may have been "unknown name" a moment ago
            else:
                self.failed_names.add(name)

    def resolve(self, value: Any, key_path: str) -> Moment | None:
        """The moment ``value`` stands for, or ``None`` after logging why not."""
        moment = self._resolve(value, key_path)
        if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            # 9999-12-31 leaves no room for the day after a deadline, let alone a schedule (#20).
            self.log.add("bad-date", f"{show(value)} is out of range: a plan's dates lie in the years {FIRST_YEAR} "
                         f"to {LAST_YEAR}", f"{show(value)} 超出日期范围:方案日期须在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间",
                         key_path)
            return None
        return moment

    def _resolve(self, value: Any, key_path: str) -> Moment | None:
        if isinstance(value, datetime):
            return self._local(value)
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            self.log.wrong_type(key_path, EXPECTED_EN, EXPECTED_ZH, value)
            return None
        hit = self._cache.get(value)
        if hit is None:
            hit = self._cache[value] = self._parse(value)
        if hit is _FAILED_NAME:
            return None
        if isinstance(hit, _Failure):
            hint = None
            if hit.ref is not None:
                hint = self.log.hint_for(hit.ref, self.named)
            self.log.add(hit.code, hit.en, hit.zh, key_path, hint=hint)
            return None
        return hit

    def _local(self, value: datetime) -> datetime:
        if value.tzinfo is None or self.tz is None:
            return value.replace(tzinfo=None)
        return value.astimezone(self.tz).replace(tzinfo=None)

    def _parse(self, text: str) -> Moment | _Failure:
        m = _EXPR.fullmatch(text)
        if m is None:
            try:
                iso = parse_iso(text)
            except ValueError as exc:
                return _Failure("bad-date", f"{show(text)} is not a valid date: {exc}",
                                f"{show(text)} 不是有效的日期:该日期或时刻不存在")
            if iso is None:
                return _Failure("wrong-type", f"expected {EXPECTED_EN}, got {show(text)} ({type_name(text)})",
                                f"应为{EXPECTED_ZH},实际为 {show(text)}(字符串)")
            return self._local(iso) if isinstance(iso, datetime) else iso
        name, sign, amount, unit = m.groups()
        base = self.named.get(name)
        if base is None:
            if name in self.failed_names:
                return _FAILED_NAME
            if name in self.pending_names:
                return _Failure("date-order", f"date '@{name}' is defined later in [campaign.dates]",
                                f"日期 '@{name}' 在 [campaign.dates] 中定义得更晚",)
            return _Failure("unknown-date", f"unknown date '@{name}'", f"未知的日期 '@{name}'", ref=name)
        if sign is None:
            return base
        n = int(amount) * (1 if sign == "+" else -1)
        unit = _UNITS_ZH.get(unit, unit)
        if unit == "wd":
            return self._add_working_days(base, n)
        try:
            return base + timedelta(days=n * (7 if unit == "w" else 1))
        except OverflowError:
            return _Failure("bad-date", f"{show(text)} is out of range", f"{show(text)} 超出日期范围")

    def _add_working_days(self, base: Moment, n: int) -> Moment | _Failure:
        if self.calendar is None:
            # The calendar itself is already reported as a problem.
            return _Failure("bad-calendar", "working days need a valid campaign calendar",
                            "工作日计算需要有效的方案日历")
        if abs(n) > 10000:
            return _Failure("bad-date", f"{n} working days is out of range", f"{n} 个工作日超出范围")
        day = base.date() if isinstance(base, datetime) else base
        if self._axis is None:
            self._axis = WorkAxis(self.calendar, self.origin or day)
        axis = self._axis
        index = int(axis.day_start(day))
        if n > 0:
            # From a non-working day, the first working day after it is "+1wd".
            target = axis.nth_working_day(index + n - (0 if axis.is_working(day) else 1))
        elif n < 0:
            target = axis.nth_working_day(index + n)
        else:
            target = day
        if isinstance(base, datetime):
            return datetime.combine(target, base.time())
        return target
