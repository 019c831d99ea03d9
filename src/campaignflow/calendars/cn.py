"""Built-in plugin: ``cn-workdays``, the official calendar of the State Council.

Holidays and adjusted working days (调休) come from the maintained
``chinesecalendar`` package, which follows each year's State Council notice.
Outside the years it covers, the calendar falls back to Monday-Friday and
``covers()`` says so: check CF206 reports every plan date in such a year, and a
plan may declare the year's notice itself (``[calendar.overrides]``).
"""

from __future__ import annotations

import importlib.metadata
from datetime import date

import chinese_calendar

from ..calendar import Calendar
from ..plugins import hookimpl

_HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class CnWorkdays(Calendar):
    """Working days in mainland China: official holidays off, adjusted weekends on."""

    name = "cn-workdays"
    description = "official Chinese holidays and adjusted working days (chinesecalendar)"

    def covers(self, day: date) -> bool:
        """Whether the package knows the official arrangement for ``day``'s year."""
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    @property
    def data_source(self) -> str | None:
        """The installed ``chinesecalendar`` release, whose data ends with some year."""
        try:
            return f"chinesecalendar {importlib.metadata.version('chinesecalendar')}"
        except importlib.metadata.PackageNotFoundError:  # vendored or renamed: still say which module
            return "chinesecalendar"

    def is_working_day(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return None
        if not on_holiday or name is None:
            return None
        return str(name)

    @staticmethod
    def holiday_name_zh(name: str) -> str:
        """The Chinese name of a holiday the package names in English."""
        return _HOLIDAY_ZH.get(name, name)


@hookimpl
def campaignflow_register_calendars() -> list[type[Calendar]]:
    return [CnWorkdays]
