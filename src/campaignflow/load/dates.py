"""Date expressions: TOML dates, ISO strings, ``"@name"``, ``"@name - 2d"``, ``"@name + 3wd"``.

``d`` counts calendar days, ``w`` calendar weeks and ``wd`` working days of the
campaign calendar; the Chinese ``天``/``日``, ``周`` and ``个工作日``/``工作日`` are
the same units (the Chinese message offers ``"@名称 ± N天"``). Offset datetimes are converted to the campaign timezone
and made naive, so that every moment of a campaign is local.

Period edges name the first or last day of a month, quarter or year, as the
documents write them: ``"2020-07 end"`` / ``"7月底"``, ``"2020-Q3 start"`` /
``"三季度初"``, ``"2020 end"`` / ``"年底"`` (a Chinese form without a year is in
the year of the campaign's start). ``"@campaign.start"`` and ``"@campaign.end"``
are the campaign's own window (``"@campaign.end"`` for a year-end deadline).
"""

from __future__ import annotations

import re
from calendar import monthrange as _monthrange
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ..calendar import Calendar, WorkAxis
from ..findings import Text
from ..model import Moment
from .problems import ProblemLog, show, type_name

__all__ = ["EXPECTED_EN", "EXPECTED_ZH", "DateResolver", "parse_iso", "parse_period_edge"]

EXPECTED_EN = 'a date or "@name ± Nd"'
EXPECTED_ZH = '日期或 "@名称 ± N天" 形式的表达式'

_EXPR = re.compile(r"\s*@([\w][\w.\-]*?)\s*(?:([+-])\s*([0-9]+)\s*(wd|d|w|个工作日|工作日|天|日|周))?\s*")
#: The Chinese units the Chinese message offers (``"@名称 ± N天"``), as their ASCII forms.
_UNITS_ZH = {"天": "d", "日": "d", "周": "w", "个工作日": "wd", "工作日": "wd"}
#: ``2020-07 end``, ``2020-Q3 start``, ``2020 end``.
_EDGE_ASCII = re.compile(r"\s*(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})|-[Qq](?P<quarter>[1-4]))?\s+(?P<edge>start|end)\s*")
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12}
#: ``2020年7月底``, ``7月底``, ``七月末``, ``三季度末``, ``第三季度初``, ``年底``, ``2020年末``, ``年终``;
#: a trailing 前 after 底/末 (``7月底前``: by the end of July) is the same deadline.
_EDGE_ZH = re.compile(
    r"\s*(?:(?P<year>[0-9]{4})年)?(?:"
    r"(?P<month>[0-9]{1,2}|十[一二]?|[一二三四五六七八九])月(?P<medge>底|末|初)"
    r"|第?(?P<quarter>[1-4一二三四])季度(?P<qedge>末|初)"
    r"|(?(year)|年)(?P<yedge>底|末|终|初))(?P<by>前)?\s*")
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


def parse_period_edge(text: str, default_year: int | None) -> date | Text | None:
    """The day a period edge names (``"2020-07 end"``, ``"7月底"``, ``"三季度初"``, ``"年底"``).

    Returns ``None`` when ``text`` is no period edge, and the reason (en/zh)
    when it is one that names no day: a month 13, a Chinese form without a
    year when ``default_year`` is ``None``, or 初 followed by 前.
    """
    m = _EDGE_ASCII.fullmatch(text)
    if m is not None:
        year, month, quarter, end = int(m["year"]), m["month"], m["quarter"], m["edge"] == "end"
        month_n = None if month is None else int(month)
        quarter_n = None if quarter is None else int(quarter)
    else:
        m = _EDGE_ZH.fullmatch(text)
        if m is None:
            return None
        edge = m["medge"] or m["qedge"] or m["yedge"]
        end = edge != "初"
        if m["by"] and not end:
            return Text("前 (by) follows an end (底/末), not a start (初)", "“前”应跟在“底/末”之后,不能跟在“初”之后")
        if m["year"] is None and default_year is None:
            return Text("a period without a year needs a campaign start written as a date",
                        "未写年份的期间需要以日期写出的方案开始日")
        year = int(m["year"]) if m["year"] else default_year  # type: ignore[assignment]
        month, quarter = m["month"], m["quarter"]
        month_n = None if month is None else (int(month) if month.isdigit() else _NUMERALS[month])
        quarter_n = None if quarter is None else (int(quarter) if quarter.isdigit() else _NUMERALS[quarter])
    if month_n is not None and not 1 <= month_n <= 12:
        return Text(f"there is no month {month_n}", f"不存在第 {month_n} 月")
    if quarter_n is not None:
        first, last = 3 * quarter_n - 2, 3 * quarter_n
    elif month_n is not None:
        first = last = month_n
    else:
        first, last = 1, 12
    if not end:
        return date(year, first, 1)
    return date(year, last, _monthrange(year, last)[1])


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
        #: ``campaign.start`` / ``campaign.end``, once the campaign's window is known (not in ``named``,
        #: which becomes ``Campaign.dates``).
        self.builtin: dict[str, Moment] = {}
        #: Names of ``fixed_dates``: each use of one is recorded in ``uses`` (key path -> the text).
        self.fixed: frozenset[str] = frozenset()
        self.uses: dict[str, str] = {}
        self._names: dict[str, str | None] = {}

    def campaign_window(self, start: Moment | None, end: Moment | None) -> None:
        """Make ``"@campaign.start"`` and ``"@campaign.end"`` usable (for tasks, after ``[campaign]``)."""
        for name, moment in (("campaign.start", start), ("campaign.end", end)):
            if moment is not None:
                self.builtin[name] = moment
        self._cache.clear()

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
        if self.fixed:
            name = self._names.get(value, "")
            if name == "":
                m = _EXPR.fullmatch(value)
                name = self._names[value] = m.group(1) if m is not None else None
            if name in self.fixed:
                self.uses[key_path] = value
        if hit is _FAILED_NAME:
            return None
        if isinstance(hit, _Failure):
            hint = None
            if hit.ref is not None:
                hint = self.log.hint_for(hit.ref, [*self.named, *self.builtin])
            self.log.add(hit.code, hit.en, hit.zh, key_path, hint=hint)
            # Several uses of one misspelt name are folded into one problem (load.references).
            self.log.pending[-1].ref = hit.ref
            return None
        return hit

    def _local(self, value: datetime) -> datetime:
        if value.tzinfo is None or self.tz is None:
            return value.replace(tzinfo=None)
        return value.astimezone(self.tz).replace(tzinfo=None)

    def _parse(self, text: str) -> Moment | _Failure:
        m = _EXPR.fullmatch(text)
        if m is None:
            edge = parse_period_edge(text, self.origin.year if self.origin is not None else None)
            if isinstance(edge, date):
                return edge
            if isinstance(edge, Text):
                return _Failure("bad-date", f"{show(text)} names no day: {edge.en}",
                                f"{show(text)} 不是有效的日期:{edge.zh}")
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
            base = self.builtin.get(name)
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
