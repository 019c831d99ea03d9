"""Dates and times as people read them: a day deadline is that day, not the next midnight.

A plan's ``due = 2016-10-17`` is the instant ``2016-10-18 00:00`` (the end of
the 17th); an office reading "10-18" would think it has a day more. JSON keeps
the instant; everything a person reads goes through ``deadline``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

__all__ = ["deadline", "instant"]


def deadline(moment: datetime | None, lang: str = "en", *, empty: str = "-") -> str:
    """A deadline: midnight is the end of the day before (``2016-10-17`` / ``2016年10月17日``); else its time."""
    if moment is None:
        return empty
    if moment.time() == time():
        day = (moment - timedelta(days=1)).date()
        return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()
    return instant(moment, lang)


def instant(moment: datetime, lang: str = "en") -> str:
    """A moment something happened or starts (``2016-10-17 09:00`` / ``2016年10月17日 09:00``)."""
    if lang == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
    return moment.strftime("%Y-%m-%d %H:%M")
