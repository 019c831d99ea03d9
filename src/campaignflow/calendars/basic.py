"""Built-in plugin: the ``all-days`` and ``weekdays`` calendars."""

from __future__ import annotations

from ..calendar import AllDays, Calendar, Weekdays
from ..plugins import hookimpl


@hookimpl
def campaignflow_register_calendars() -> list[type[Calendar]]:
    return [AllDays, Weekdays]
