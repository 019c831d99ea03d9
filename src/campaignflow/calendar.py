"""Working-day calendars and the working-time axis that scheduling runs on.

A calendar says which days are working days. ``WorkAxis`` turns instants into
*working time* — working days elapsed since an origin, as a float — so that
the critical path method and the scheduler do plain arithmetic: a task of
duration 3 that starts at working time 10.0 finishes at 13.0, whatever
weekends and holidays lie between. Non-working days take no working time:
every instant on a Saturday maps to the same working time as the Monday
00:00 after it.

Within a working day, working time runs only during the calendar's *office
hours* (``OfficeHours``; by default 08:30–12:00 and 14:00–17:30, seven hours,
overridable per plan with ``[calendar] office_hours``). A working day is those
hours, so on the default ``"2h"`` is 2/7 of a day: a two-hour meeting at 09:00
ends at 11:00, and four hours from 10:00 end at 16:00, the lunch break
skipped. Instants outside office hours take no working time (18:00 is the same
working time as 17:30 and as the next working day's 08:30). Within a day, a
start at the lunch break is 14:00 and a finish 12:00. Whole days stay whole
days: a start on a day boundary is that day's 00:00 and a finish 24:00, as
dates read (``WorkAxis.instant(..., office=True)`` gives 08:30 and 17:30).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

if TYPE_CHECKING:
    from .model import Campaign, CalendarOverride
    from .plugins.manager import Plugins

__all__ = ["Calendar", "AllDays", "Weekdays", "OverriddenCalendar", "OfficeHoursCalendar", "OfficeHours",
           "DEFAULT_OFFICE_HOURS", "WorkAxis", "campaign_calendar", "uncovered_years"]

_DAY_SECONDS = 86400
_PERIOD = re.compile(r"\s*([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})\s*")


def _seconds(hour: str, minute: str) -> int:
    h, m = int(hour), int(minute)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError(f"{hour}:{minute}")
    return h * 3600 + m * 60


@attrs.frozen
class OfficeHours:
    """The hours of a working day during which work is done: ``08:30-12:00``, ``14:00-17:30``.

    ``periods`` are ``(start, end)`` in seconds after 00:00, ascending and
    disjoint. One working day of work is all of them, so ``hours`` is how many
    working hours a day has (``"7h"`` = ``"1d"`` on the default). The methods
    map between clock time within a day and the fraction of the working day
    elapsed; ``WorkAxis`` is built on them, so every part of the library that
    places hours (the critical path, the schedule, the runtime's deadlines)
    follows this one rule.
    """

    periods: tuple[tuple[int, int], ...] = attrs.field(converter=lambda ps: tuple((int(a), int(b)) for a, b in ps))
    _cum: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    @periods.validator
    def _check(self, _attribute: attrs.Attribute[tuple[tuple[int, int], ...]],
               value: tuple[tuple[int, int], ...]) -> None:
        if not value:
            raise ValueError("office hours need at least one period")
        last = 0
        for a, b in value:
            if not (last <= a < b <= _DAY_SECONDS):
                raise ValueError("office hours must be ascending, non-overlapping periods within a day, "
                                 f"got {self.texts(value)}")
            last = b

    def __attrs_post_init__(self) -> None:
        cum = [0]
        for a, b in self.periods:
            cum.append(cum[-1] + b - a)
        object.__setattr__(self, "_cum", tuple(cum))

    @classmethod
    def parse(cls, texts: Iterable[str]) -> OfficeHours:
        """``["08:30-12:00", "14:00-17:30"]``; raises ``ValueError`` naming the expected form."""
        periods = []
        for text in texts:
            m = _PERIOD.fullmatch(text) if isinstance(text, str) else None
            try:
                if m is None:
                    raise ValueError(text)
                periods.append((_seconds(m.group(1), m.group(2)), _seconds(m.group(3), m.group(4))))
            except ValueError:
                msg = f'expected a period like "08:30-12:00", got {text!r}'
                raise ValueError(msg) from None
        return cls(tuple(periods))

    @staticmethod
    def texts(periods: Iterable[tuple[int, int]]) -> list[str]:
        return [f"{a // 3600:02d}:{a % 3600 // 60:02d}-{b // 3600:02d}:{b % 3600 // 60:02d}" for a, b in periods]

    def __str__(self) -> str:
        return ", ".join(self.texts(self.periods))

    @property
    def seconds(self) -> int:
        """Seconds of work in a working day."""
        return self._cum[-1]

    @property
    def hours(self) -> float:
        """Working hours in a working day (7.0 on the default)."""
        return self._cum[-1] / 3600

    def fraction(self, seconds: float) -> float:
        """The fraction of the working day done at ``seconds`` after 00:00 (0 before opening, 1 after closing)."""
        done = 0.0
        for a, b in self.periods:
            if seconds <= a:
                break
            done += (b if seconds >= b else seconds) - a
        return done / self._cum[-1]

    def clock(self, fraction: float, *, finish: bool = False) -> float:
        """Seconds after 00:00 at which ``fraction`` of the working day is done.

        Where the fraction falls on a break, a start is the opening after it
        (14:00), a finish the closing before it (12:00).
        """
        target = fraction * self._cum[-1]
        cum = self._cum
        for i, (a, _b) in enumerate(self.periods):
            if target < cum[i + 1] or (finish and target <= cum[i + 1]):
                return a + (target - cum[i]) if target > cum[i] else float(a)
        return float(self.periods[-1][1])

    # -- as fractions of a calendar day (the schedulers' lag tables) -----------------------

    def day_clock(self, fraction: float, *, finish: bool) -> float:
        """``clock`` as a fraction of the calendar day; 0 and 1 stay 00:00 and 24:00 (whole days)."""
        if fraction == 0.0 or fraction == 1.0:
            return fraction
        return self.clock(fraction, finish=finish) / _DAY_SECONDS

    def day_fraction(self, day_part: float) -> float:
        """``fraction`` of a clock time given as a fraction of the calendar day."""
        return self.fraction(day_part * _DAY_SECONDS)

    def day_clock_vec(self, fraction: Any, *, finish: bool) -> Any:
        """``day_clock`` of a numpy array: the very same floating-point operations, element-wise."""
        import numpy as np

        target = fraction * self._cum[-1]
        out = np.full(np.shape(fraction), float(self.periods[-1][1]))
        for i in range(len(self.periods) - 1, -1, -1):
            a, lo, hi = self.periods[i][0], self._cum[i], self._cum[i + 1]
            inside = target <= hi if finish else target < hi
            out = np.where(inside, np.where(target > lo, a + (target - lo), float(a)), out)
        out = out / _DAY_SECONDS
        return np.where((fraction == 0.0) | (fraction == 1.0), fraction, out)

    def day_fraction_vec(self, day_part: Any) -> Any:
        """``day_fraction`` of a numpy array, element-wise with the scalar's operations."""
        import numpy as np

        seconds = day_part * _DAY_SECONDS
        done = np.zeros(np.shape(day_part))
        for a, b in self.periods:
            done = done + np.where(seconds > a, np.where(seconds >= b, float(b), seconds) - a, 0.0)
        return done / self._cum[-1]

    def contains(self, moment: time | datetime) -> bool:
        """Whether a clock time lies within office hours (ends included)."""
        s = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
        return any(a <= s <= b for a, b in self.periods)


#: 08:30–12:00 and 14:00–17:30: the hours of a Chinese government office (7 working hours).
DEFAULT_OFFICE_HOURS = OfficeHours(((8 * 3600 + 1800, 12 * 3600), (14 * 3600, 17 * 3600 + 1800)))


class Calendar:
    """Base of calendars. Subclass, set ``name``, implement ``is_working_day``.

    Calendars are registered by plugins through ``campaignflow_register_calendars``;
    a plan picks one by name (``calendar = "cn-workdays"``).
    """

    #: The name plans use.
    name: ClassVar[str] = ""
    #: One line for ``campaignflow plugins``.
    description: ClassVar[str] = ""
    #: When work is done on a working day; a plan's ``[calendar] office_hours`` replaces it.
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS

    def is_working_day(self, day: date) -> bool:
        raise NotImplementedError

    def holiday_name(self, day: date) -> str | None:
        """The name of the holiday on ``day``, if the calendar knows one."""
        return None

    def covers(self, day: date) -> bool:
        """Whether the calendar *knows* ``day`` rather than guessing it.

        A rule-based calendar (Monday to Friday) knows every day. One built on
        official data (``cn-workdays``) knows only the years its data has: for
        the others it falls back to a guess, and check CF206 says so.
        """
        return True

    @property
    def data_source(self) -> str | None:
        """Where the calendar's data comes from (``"chinesecalendar 1.11.0"``), if anywhere."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class AllDays(Calendar):
    """Every day is a working day."""

    name = "all-days"
    description = "every day is a working day"

    def is_working_day(self, day: date) -> bool:
        return True


class Weekdays(Calendar):
    """Monday to Friday are working days; no holidays."""

    name = "weekdays"
    description = "Monday to Friday, no holidays"

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5


class OverriddenCalendar(Calendar):
    """A calendar with the plan's own ``[calendar.overrides]`` for some years.

    In an overridden year the plan declares the State Council notice itself:
    its ``holidays`` are off, its ``workdays`` (调休) are on, and every other
    day is a working day from Monday to Friday. Other years are the base's.
    """

    def __init__(self, base: Calendar, overrides: Mapping[int, CalendarOverride]) -> None:
        self.base = base
        self.overrides = dict(overrides)
        self.name = base.name  # type: ignore[misc]
        self.description = base.description  # type: ignore[misc]
        self._off = {d: name for o in self.overrides.values() for d, name in o.holiday_days()}
        self._on = {d for o in self.overrides.values() for d in o.workdays}

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.overrides:
            return self.base.is_working_day(day)
        if day in self._on:
            return True
        return day not in self._off and day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        if day.year not in self.overrides:
            return self.base.holiday_name(day)
        return self._off.get(day) or None

    def covers(self, day: date) -> bool:
        return day.year in self.overrides or self.base.covers(day)

    @property
    def data_source(self) -> str | None:
        return self.base.data_source


class OfficeHoursCalendar(Calendar):
    """A calendar with the plan's own office hours (``[calendar] office_hours``); days are the base's."""

    def __init__(self, base: Calendar, office_hours: OfficeHours) -> None:
        self.base = base
        self.office_hours = office_hours
        self.name = base.name  # type: ignore[misc]
        self.description = base.description  # type: ignore[misc]

    def is_working_day(self, day: date) -> bool:
        return self.base.is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        return self.base.holiday_name(day)

    def covers(self, day: date) -> bool:
        return self.base.covers(day)

    @property
    def data_source(self) -> str | None:
        return self.base.data_source


def campaign_calendar(campaign: Campaign, plugins: Plugins | None = None) -> Calendar:
    """The calendar ``campaign`` runs on: its named calendar, with its overrides and office hours.

    The one place a plan's calendar is resolved; checks, the critical path,
    simulation and the runtime all get it from here.
    """
    from .plugins.manager import default_plugins

    cal = (plugins or default_plugins()).calendar(campaign.calendar)
    if campaign.calendar_overrides:
        cal = OverriddenCalendar(cal, campaign.calendar_overrides)
    hours = getattr(campaign, "office_hours", None)
    if hours is not None and hours != cal.office_hours:
        cal = OfficeHoursCalendar(cal, hours)
    return cal


def uncovered_years(campaign: Campaign, calendar: Calendar) -> tuple[int, ...]:
    """Years of the campaign window that ``calendar`` does not know (it would guess them)."""
    first = campaign.start.year
    last = campaign.end.year
    return tuple(y for y in range(first, last + 1) if not calendar.covers(date(y, 7, 1)))


_DAY = timedelta(days=1)
# Days without a single working day after which a calendar is taken to have none.
_NO_WORK_LIMIT = 3660


class WorkAxis:
    """Working time on a calendar, measured in working days from ``origin`` (00:00).

    The axis grows on demand in both directions, so any instant can be placed;
    look-ups are O(1) for days and O(log n) for the inverse.
    """

    def __init__(self, calendar: Calendar, origin: date, horizon: date | None = None) -> None:
        self.calendar = calendar
        self.origin = origin
        #: The hours within a working day that working time runs through.
        self.office: OfficeHours = getattr(calendar, "office_hours", DEFAULT_OFFICE_HOURS)
        #: _cum[i]: working days in [origin, origin + i days), for i in 0..len(_work).
        self._cum: list[int] = [0]
        #: _work[i]: whether origin + i days is a working day.
        self._work: list[bool] = []
        #: Day offsets (from origin) of the working days, ascending.
        self._working_offsets: list[int] = []
        # Days before the origin are kept as a separate, mirrored table.
        self._back_cum: list[int] = [0]
        self._back_work: list[bool] = []
        self._extend((horizon - origin).days + 1 if horizon else 400)

    # -- construction -------------------------------------------------------------

    def _extend(self, days: int) -> None:
        start = len(self._work)
        is_work = self.calendar.is_working_day
        for i in range(start, start + days):
            w = is_work(self.origin + timedelta(days=i))
            self._work.append(w)
            self._cum.append(self._cum[-1] + w)
            if w:
                self._working_offsets.append(i)

    def _ensure(self, offset: int) -> None:
        if offset >= len(self._work):
            self._extend(max(offset - len(self._work) + 1, len(self._work)))

    def _ensure_back(self, offset: int) -> None:
        need = -offset
        is_work = self.calendar.is_working_day
        while len(self._back_work) < need:
            i = len(self._back_work) + 1
            w = is_work(self.origin - timedelta(days=i))
            self._back_work.append(w)
            self._back_cum.append(self._back_cum[-1] + w)

    # -- days -----------------------------------------------------------------------

    def is_working(self, day: date) -> bool:
        offset = (day - self.origin).days
        if offset < 0:
            self._ensure_back(offset)
            return self._back_work[-offset - 1]
        self._ensure(offset)
        return self._work[offset]

    def day_start(self, day: date) -> float:
        """Working time at 00:00 of ``day``."""
        offset = (day - self.origin).days
        if offset < 0:
            self._ensure_back(offset)
            return -float(self._back_cum[-offset])
        self._ensure(offset)
        return float(self._cum[offset])

    # -- instants -----------------------------------------------------------------

    def pos(self, instant: datetime | date) -> float:
        """Working time of an instant (a date means its 00:00)."""
        if not isinstance(instant, datetime):
            return self.day_start(instant)
        day = instant.date()
        base = self.day_start(day)
        if not self.is_working(day):
            return base
        seconds = instant.hour * 3600 + instant.minute * 60 + instant.second + instant.microsecond / 1e6
        return base + self.office.fraction(seconds)

    def instant(self, work: float, *, finish: bool = False, office: bool = False) -> datetime:
        """The instant at working time ``work``.

        Within a working day the instant is in office hours. On a boundary
        between working days, a start (``finish=False``) is 00:00 of the next
        working day, a finish 24:00 of the previous one (a one-day task starting
        Friday finishes Friday 24:00, not Monday 00:00), so that whole days of
        work stay whole days; with ``office=True`` the boundary is the opening
        (08:30) or the closing (17:30) instead, as hour arithmetic reads it.
        """
        whole = int(work // 1)
        frac = work - whole
        if finish and frac == 0:
            whole -= 1
            frac = 1.0
        day = self.nth_working_day(whole)
        if frac == 0.0 and not office:
            seconds = 0.0
        elif frac == 1.0 and not office:
            seconds = float(_DAY_SECONDS)
        else:
            seconds = self.office.clock(frac, finish=finish)
        return datetime.combine(day, time()) + timedelta(seconds=round(seconds))

    def add_hours(self, moment: datetime, hours: float) -> datetime:
        """The instant ``hours`` working hours after ``moment``: office hours only, lunch and nights skipped."""
        return self.instant(self.pos(moment) + hours / self.office.hours, finish=True, office=True)

    def hours_between(self, first: datetime, last: datetime) -> float:
        """Working hours from ``first`` to ``last`` (negative when ``last`` is earlier)."""
        return (self.pos(last) - self.pos(first)) * self.office.hours

    def event_end(self, on: datetime, days: float) -> datetime:
        """When an event fixed at ``on`` that takes ``days`` of work ends.

        Its own day counts as a working day even on a holiday (an event is held
        on its date); whatever does not fit that day's office hours runs on into
        the following working days.
        """
        day = on.date()
        seconds = on.hour * 3600 + on.minute * 60 + on.second + on.microsecond / 1e6
        if self.is_working(day):
            # max: an event outside office hours (an evening meeting) still ends after it begins.
            return max(on, self.instant(self.pos(on) + days, finish=True, office=True))
        end = self.office.fraction(seconds) + days
        if end <= 1.0:
            return max(on, datetime.combine(day, time()) + timedelta(seconds=round(self.office.clock(end, finish=True))))
        return self.instant(self.day_start(day + _DAY) + end - 1.0, finish=True, office=True)

    def nth_working_day(self, n: int) -> date:
        """The working day at working time [n, n + 1): n = 0 is the first on or after the origin."""
        if n >= 0:
            while n >= len(self._working_offsets):
                found = len(self._working_offsets)
                self._extend(max(len(self._work), 64))
                self._check_progress(len(self._working_offsets) - found, len(self._work))
            return self.origin + timedelta(days=self._working_offsets[n])
        # Before the origin: walk back through the mirrored table.
        need = -n
        i = bisect.bisect_left(self._back_cum, need)
        while i >= len(self._back_cum):
            found = self._back_cum[-1]
            self._ensure_back(-(len(self._back_work) + 64))
            self._check_progress(self._back_cum[-1] - found, len(self._back_work))
            i = bisect.bisect_left(self._back_cum, need)
        return self.origin - timedelta(days=i)

    def _check_progress(self, found: int, span: int) -> None:
        # A calendar without working days would have the look-ups above loop forever.
        if not found and span > _NO_WORK_LIMIT:
            msg = (f"calendar {self.calendar.name!r} has no working day within {_NO_WORK_LIMIT} days "
                   f"of {self.origin}")
            raise ValueError(msg)

    def add_calendar_days(self, work: float, days: float, *, finish: bool = True) -> float:
        """Working time ``days`` calendar days after the instant at ``work``."""
        return self.pos(self.instant(work, finish=finish) + timedelta(days=days))

    def working_days_between(self, first: date, last: date) -> int:
        """Working days in [first, last], inclusive."""
        if last < first:
            return 0
        return int(self.day_start(last + _DAY) - self.day_start(first))
