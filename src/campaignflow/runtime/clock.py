"""Clocks the engine reads the time from: the system's, or a manual one for tests and simulation.

Times in the runtime are naive local datetimes in the campaign's timezone,
like the dates of a plan. A timezone-aware datetime given to the engine is
converted to the campaign's timezone first (``to_local``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

__all__ = ["Clock", "SystemClock", "ManualClock", "to_local"]


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()`` returning a naive local datetime in the campaign's timezone."""

    def now(self) -> datetime: ...


def to_local(moment: datetime, timezone: str) -> datetime:
    """``moment`` as a naive local datetime in ``timezone`` (naive input is taken as already local)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


class SystemClock:
    """The wall clock, read in ``timezone`` (default: China Standard Time)."""

    def __init__(self, timezone: str = "Asia/Shanghai") -> None:
        self._zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        return datetime.now(self._zone).replace(tzinfo=None)


class ManualClock:
    """A clock that only moves when told to: for tests, simulation and replaying a campaign.

    Example::

        clock = ManualClock(datetime(2020, 7, 1, 9))
        clock.advance(days=1)
    """

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (backwards too: the clock does not judge)."""
        self._now = moment

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**kwargs)``; returns the new time."""
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now
