"""Calendar-day lags on working time, as plain arithmetic shared by both engines.

A lag of ``"2d"`` is two *calendar* days after a prerequisite finishes. On
the working-time axis that is: turn the finish into calendar time, add the
days, turn it back. ``WorkAxis`` does this through ``datetime`` objects; this
table does it with integer look-ups and float additions only, so that the
scheduler (pure Python) and the vectorised Monte-Carlo engine (numpy) perform
the very same floating-point operations and agree to the last bit.

Calendar time here is days since the origin's 00:00, as a float; within a working
day it maps to working time through the calendar's office hours, as ``WorkAxis`` does.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..calendar import DEFAULT_OFFICE_HOURS

if TYPE_CHECKING:
    from ..calendar import Calendar

__all__: list[str] = []

_MIN_SPAN = 400


class _LagTable:
    """Working days around an origin, growing on demand in both directions."""

    def __init__(self, calendar: Calendar, origin: date) -> None:
        self.calendar = calendar
        self.origin = origin
        # Within a working day, clock time maps through the calendar's office hours (its own rule).
        self.office = getattr(calendar, "office_hours", DEFAULT_OFFICE_HOURS)
        self.lo = 0  # day offset of the first day held
        self.work: list[bool] = []  # work[i]: day lo + i is a working day
        self.cum: list[int] = [0]  # cum[i]: working days in [lo, lo + i) minus those in [lo, 0)
        self.wdays: list[int] = []  # day offsets of the working days held, ascending
        self.nback = 0  # working days in [lo, 0): index of working day n is n + nback
        self._arrays: tuple[Any, ...] | None = None
        self._build(-31, _MIN_SPAN)

    def _build(self, lo: int, hi: int) -> None:
        is_work = self.calendar.is_working_day
        work = [bool(is_work(self.origin + timedelta(days=d))) for d in range(lo, hi)]
        nback = sum(work[: -lo]) if lo < 0 else 0
        cum = [-nback]
        for w in work:
            cum.append(cum[-1] + w)
        self.lo, self.work, self.cum, self.nback = lo, work, cum, nback
        self.wdays = [lo + i for i, w in enumerate(work) if w]
        self._arrays = None

    @property
    def hi(self) -> int:
        return self.lo + len(self.work)

    def ensure_days(self, first: int, last: int) -> None:
        """Hold every day offset in [first, last]."""
        if first >= self.lo and last < self.hi:
            return
        lo = min(self.lo, first - 31)
        hi = max(self.hi, last + 1)
        if hi > self.hi:
            hi = max(hi, self.hi + len(self.work))  # grow geometrically
        self._build(lo, hi)

    def ensure_work(self, first: float, last: float) -> None:
        """Hold the working days at working times in [first, last]."""
        while math.floor(first) - 1 + self.nback < 0:
            self.ensure_days(self.lo - len(self.work), self.hi - 1)
        while math.floor(last) + 1 + self.nback >= len(self.wdays):
            self.ensure_days(self.lo, self.hi + len(self.work))

    # -- scalar -----------------------------------------------------------------------

    def finish_to_days(self, work: float) -> float:
        """Calendar time of a finish at ``work`` (a day boundary is 24:00 of the working day)."""
        whole = math.floor(work)
        frac = work - whole
        if frac == 0.0:
            whole -= 1
            frac = 1.0
        self.ensure_work(whole, whole)
        return self.wdays[whole + self.nback] + self.office.day_clock(frac, finish=True)

    def start_to_days(self, work: float) -> float:
        """Calendar time of a start at ``work`` (a day boundary is 00:00 of the next working day)."""
        whole = math.floor(work)
        self.ensure_work(whole, whole)
        return self.wdays[whole + self.nback] + self.office.day_clock(work - whole, finish=False)

    def days_to_work(self, days: float) -> float:
        """Working time at calendar time ``days``; a non-working day maps to its end."""
        d = math.floor(days)
        self.ensure_days(d, d)
        i = d - self.lo
        base = self.cum[i]
        return base + self.office.day_fraction(days - d) if self.work[i] else float(base)

    def after(self, work: float, days: float) -> float:
        """Working time ``days`` calendar days after a finish at ``work`` (never before it).

        The round trip through calendar time may lose the last bit of ``work``;
        the ``max`` keeps a successor from starting that bit before its prerequisite ends.
        """
        t = self.days_to_work(self.finish_to_days(work) + days)
        return t if t > work else work

    def before(self, work: float, days: float) -> float:
        """Latest finish from which ``days`` calendar days still reach a start at ``work``."""
        return self.days_to_work(self.start_to_days(work) - days)

    # -- vectorised (numpy) ----------------------------------------------------------

    def _np(self) -> tuple[Any, Any, Any]:
        if self._arrays is None:
            import numpy as np

            self._arrays = (np.asarray(self.wdays, dtype=np.float64), np.asarray(self.cum, dtype=np.float64),
                            np.asarray(self.work, dtype=bool))
        return self._arrays  # type: ignore[return-value]

    def after_vec(self, work: Any, days: float) -> Any:
        """``after`` for an array of finishes; bit-for-bit the scalar arithmetic."""
        import numpy as np

        whole = np.floor(work)
        frac = work - whole
        boundary = frac == 0.0
        whole = np.where(boundary, whole - 1.0, whole)
        frac = np.where(boundary, 1.0, frac)
        self.ensure_work(float(whole.min()), float(whole.max()))
        wdays, _, _ = self._np()
        cal = wdays[whole.astype(np.int64) + self.nback] + self.office.day_clock_vec(frac, finish=True) + days
        d = np.floor(cal)
        self.ensure_days(int(d.min()), int(d.max()))
        _, cum, workday = self._np()
        i = d.astype(np.int64) - self.lo
        base = cum[i]
        return np.maximum(np.where(workday[i], base + self.office.day_fraction_vec(cal - d), base), work)
