"""Working-day calendars and the working-time axis that scheduling runs on.

A calendar says which days are working days. ``WorkAxis`` turns instants into
*working time* — working days elapsed since an origin, as a float — so that
the critical path method and the scheduler do plain arithmetic: a task of
duration 3 that starts at working time 10.0 finishes at 13.0, whatever
weekends and holidays lie between. Non-working days take no working time:
every instant on a Saturday maps to the same working time as the Monday
00:00 after it.

Within a working day, clock time maps linearly: 12:00 is half a day in.
A working day counts ``HOURS_PER_DAY`` (8) working hours, so ``"4h"`` is 0.5.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, time, timedelta
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .model import Campaign, CalendarOverride
    from .plugins.manager import Plugins

__all__ = ["Calendar", "AllDays", "Weekdays", "OverriddenCalendar", "WorkAxis", "campaign_calendar",
           "uncovered_years"]


class Calendar:
    """Base of calendars. Subclass, set ``name``, implement ``is_working_day``.

    Calendars are registered by plugins through ``campaignflow_register_calendars``;
    a plan picks one by name (``calendar = "cn-workdays"``).
    """

    #: The name plans use.
    name: ClassVar[str] = ""
    #: One line for ``campaignflow plugins``.
    description: ClassVar[str] = ""

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


def campaign_calendar(campaign: Campaign, plugins: Plugins | None = None) -> Calendar:
    """The calendar ``campaign`` runs on: its named calendar, with its overrides.

    The one place a plan's calendar is resolved; checks, the critical path,
    simulation and the runtime all get it from here.
    """
    from .plugins.manager import default_plugins

    base = (plugins or default_plugins()).calendar(campaign.calendar)
    if not campaign.calendar_overrides:
        return base
    return OverriddenCalendar(base, campaign.calendar_overrides)


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
        return base + seconds / 86400.0

    def instant(self, work: float, *, finish: bool = False) -> datetime:
        """The instant at working time ``work``.

        On a boundary between working days, a start (``finish=False``) is
        00:00 of the next working day, a finish is 24:00 of the previous one:
        a one-day task starting Friday finishes Friday 24:00, not Monday 00:00.
        """
        whole = int(work // 1)
        frac = work - whole
        if finish and frac == 0:
            whole -= 1
            frac = 1.0
        day = self.nth_working_day(whole)
        return datetime.combine(day, time()) + timedelta(seconds=round(frac * 86400))

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
