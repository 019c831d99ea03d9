"""Working-day calendars and the working-time axis."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignflow.calendar import AllDays, Calendar, Weekdays, WorkAxis
from campaignflow.calendars.cn import CnWorkdays
from campaignflow.plugins.manager import create_plugin_manager

MONDAY = date(2020, 10, 5)


@pytest.fixture
def weekdays() -> WorkAxis:
    return WorkAxis(Weekdays(), MONDAY)


# -- the built-in calendars -------------------------------------------------------


def test_weekdays_and_all_days() -> None:
    week = [MONDAY + timedelta(days=i) for i in range(7)]
    assert [Weekdays().is_working_day(d) for d in week] == [True] * 5 + [False] * 2
    assert all(AllDays().is_working_day(d) for d in week)


def test_builtin_calendars_are_registered_by_name() -> None:
    plugins = create_plugin_manager(entry_points=False, use_env=False)
    assert {"all-days", "weekdays", "cn-workdays"} <= set(plugins.calendars())
    assert isinstance(plugins.calendar("cn-workdays"), CnWorkdays)
    with pytest.raises(KeyError, match="known calendars"):
        plugins.calendar("mars-sols")


def test_cn_workdays_national_day_2020() -> None:
    cal = CnWorkdays()
    # 2020: Oct 1-8 off (National Day and Mid-autumn), weekends Sep 27 and Oct 10 worked.
    holiday = [date(2020, 10, d) for d in range(1, 9)]
    assert not any(cal.is_working_day(d) for d in holiday)
    assert cal.is_working_day(date(2020, 9, 27))  # a Sunday
    assert cal.is_working_day(date(2020, 10, 10))  # a Saturday
    assert not cal.is_working_day(date(2020, 10, 11))  # an ordinary Sunday
    assert cal.is_working_day(date(2020, 9, 30)) and cal.is_working_day(date(2020, 10, 9))
    assert cal.holiday_name(date(2020, 10, 1)) == "National Day"
    assert cal.holiday_name_zh("National Day") == "国庆节"
    assert cal.holiday_name(date(2020, 10, 10)) is None
    assert cal.covers(date(2020, 10, 1))


def test_cn_workdays_axis_across_national_day() -> None:
    axis = WorkAxis(CnWorkdays(), date(2020, 9, 25))  # a Friday
    # Fri 25, Sun 27, Mon 28, Tue 29, Wed 30 are working; then Fri 9 and Sat 10.
    assert [axis.nth_working_day(n) for n in range(7)] == [
        date(2020, 9, 25), date(2020, 9, 27), date(2020, 9, 28), date(2020, 9, 29),
        date(2020, 9, 30), date(2020, 10, 9), date(2020, 10, 10),
    ]
    assert axis.nth_working_day(7) == date(2020, 10, 12)
    # Every instant of the holiday is the same working time: 5 days in.
    for d in range(1, 9):
        assert axis.pos(datetime(2020, 10, d, 15, 30)) == 5.0
    assert axis.working_days_between(date(2020, 9, 26), date(2020, 10, 11)) == 6
    # A three-day task started on Sep 30 finishes on Oct 10, 24:00.
    start = axis.pos(date(2020, 9, 30))
    assert axis.instant(start + 3, finish=True) == datetime(2020, 10, 11)
    assert axis.instant(start + 3) == datetime(2020, 10, 12)


def test_cn_workdays_outside_known_years_falls_back_to_weekdays() -> None:
    cal = CnWorkdays()
    far = date(2200, 1, 6)  # a Monday, beyond any State Council notice
    assert not cal.covers(far)
    assert cal.is_working_day(far) and not cal.is_working_day(far + timedelta(days=5))
    assert cal.holiday_name(far) is None


# -- the working-time axis --------------------------------------------------------


def test_day_starts_on_weekdays(weekdays: WorkAxis) -> None:
    # Mon..Sun, next Mon: the weekend takes no working time.
    starts = [weekdays.day_start(MONDAY + timedelta(days=i)) for i in range(8)]
    assert starts == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0]


def test_clock_time_maps_through_office_hours_within_a_working_day(weekdays: WorkAxis) -> None:
    # 08:30-12:00 and 14:00-17:30: noon is half the working day, 06:00 is before the opening.
    assert weekdays.pos(datetime(2020, 10, 6, 12)) == 1.5
    assert weekdays.pos(datetime(2020, 10, 6, 13)) == 1.5  # lunch takes no working time
    assert weekdays.pos(datetime(2020, 10, 6, 6)) == 1.0
    assert weekdays.pos(datetime(2020, 10, 6, 10, 15)) == 1.25
    assert weekdays.pos(datetime(2020, 10, 6, 20)) == 2.0
    assert weekdays.pos(datetime(2020, 10, 10, 12)) == 5.0  # Saturday noon: Monday 00:00
    assert weekdays.pos(date(2020, 10, 6)) == 1.0


def test_finish_boundary_is_end_of_previous_working_day(weekdays: WorkAxis) -> None:
    # Working time 5.0 is both Friday 24:00 and Monday 00:00.
    assert weekdays.instant(5.0) == datetime(2020, 10, 12)
    assert weekdays.instant(5.0, finish=True) == datetime(2020, 10, 10)  # Fri 24:00
    assert weekdays.instant(1.0, finish=True) == datetime(2020, 10, 6)  # Mon 24:00
    # Off the boundary, start and finish agree; at the lunch break a start is 14:00, a finish 12:00.
    assert weekdays.instant(4.25) == weekdays.instant(4.25, finish=True) == datetime(2020, 10, 9, 10, 15)
    assert weekdays.instant(4.5, finish=True) == datetime(2020, 10, 9, 12)
    assert weekdays.instant(4.5) == datetime(2020, 10, 9, 14)
    # A one-day task started on a Friday finishes that Friday.
    friday = weekdays.pos(date(2020, 10, 9))
    assert weekdays.instant(friday + 1, finish=True).date() == date(2020, 10, 10)
    assert weekdays.instant(friday + 1, finish=True) - timedelta(seconds=1) < datetime(2020, 10, 10)


def test_negative_working_times(weekdays: WorkAxis) -> None:
    # Before the origin (a Monday): the previous week, weekend skipped.
    assert weekdays.pos(date(2020, 10, 2)) == -1.0  # Friday
    assert weekdays.pos(date(2020, 10, 3)) == 0.0  # Saturday maps to Monday 00:00
    assert weekdays.pos(datetime(2020, 10, 2, 15, 45)) == -0.25
    assert weekdays.pos(date(2020, 9, 28)) == -5.0
    assert weekdays.nth_working_day(-1) == date(2020, 10, 2)
    assert weekdays.nth_working_day(-5) == date(2020, 9, 28)
    assert weekdays.nth_working_day(-6) == date(2020, 9, 25)
    assert weekdays.instant(-0.5, finish=True) == datetime(2020, 10, 2, 12)
    assert weekdays.instant(0.0, finish=True) == datetime(2020, 10, 3)  # Friday 24:00
    assert weekdays.instant(-5.0) == datetime(2020, 9, 28)
    # Far back, the mirrored table grows on demand.
    assert weekdays.nth_working_day(-260) == date(2019, 10, 7)
    assert weekdays.pos(date(2019, 10, 7)) == -260.0


def test_add_calendar_days_crosses_weekends(weekdays: WorkAxis) -> None:
    friday_end = weekdays.pos(date(2020, 10, 10))  # 5.0
    # Friday 24:00 + 1 calendar day = Saturday 24:00 -> Monday 00:00.
    assert weekdays.add_calendar_days(friday_end, 1) == 5.0
    assert weekdays.add_calendar_days(friday_end, 3) == 6.0  # Monday 24:00
    assert weekdays.add_calendar_days(2.0, 2) == 4.0  # Wednesday 00:00 + 2d = Friday 00:00


def test_working_days_between(weekdays: WorkAxis) -> None:
    assert weekdays.working_days_between(date(2020, 10, 5), date(2020, 10, 18)) == 10
    assert weekdays.working_days_between(date(2020, 10, 10), date(2020, 10, 11)) == 0
    assert weekdays.working_days_between(date(2020, 10, 9), date(2020, 10, 5)) == 0
    assert weekdays.working_days_between(date(2020, 9, 28), date(2020, 10, 2)) == 5


def test_axis_grows_forward_far_beyond_its_horizon() -> None:
    axis = WorkAxis(Weekdays(), MONDAY, horizon=MONDAY + timedelta(days=10))
    # 3654 days = 522 whole weeks of five working days.
    assert axis.pos(date(2030, 10, 7)) == 2610.0
    assert axis.working_days_between(MONDAY, date(2030, 10, 6)) == 2610
    assert axis.nth_working_day(2610) == date(2030, 10, 7)
    assert axis.nth_working_day(2609) == date(2030, 10, 4)


class _Odd(Calendar):
    """A calendar with an irregular pattern, to exercise the axis beyond weekends."""

    name = "odd"

    def is_working_day(self, day: date) -> bool:
        return (day.toordinal() * 7919) % 11 not in (0, 3, 4)


_CALENDARS = st.sampled_from([Weekdays(), AllDays(), CnWorkdays(), _Odd()])
_DATES = st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31))


@given(calendar=_CALENDARS, origin=_DATES, first=_DATES, span=st.integers(0, 40))
def test_day_start_is_monotone_and_steps_by_working_days(calendar: Calendar, origin: date, first: date,
                                                         span: int) -> None:
    axis = WorkAxis(calendar, origin)
    day = first
    for _ in range(span):
        step = axis.day_start(day + timedelta(days=1)) - axis.day_start(day)
        assert step == (1.0 if calendar.is_working_day(day) else 0.0)
        day += timedelta(days=1)


@given(calendar=_CALENDARS, origin=_DATES, whole=st.integers(-800, 800), seconds=st.integers(0, 86399))
def test_pos_inverts_instant_for_starts(calendar: Calendar, origin: date, whole: int, seconds: int) -> None:
    axis = WorkAxis(calendar, origin)
    # Working time of a second of office hours (7 hours a day on the default).
    work = float(whole) + (seconds % axis.office.seconds) / axis.office.seconds
    at = axis.instant(work)
    assert axis.pos(at) == pytest.approx(work, abs=1e-12)
    assert calendar.is_working_day(at.date())
    if seconds == 0:
        # The same working time as a finish: 24:00 of the working day before.
        end = axis.instant(work, finish=True)
        assert axis.pos(end) == work
        assert calendar.is_working_day((end - timedelta(seconds=1)).date())


@given(calendar=_CALENDARS, origin=_DATES, day=_DATES)
def test_nth_working_day_matches_day_start(calendar: Calendar, origin: date, day: date) -> None:
    axis = WorkAxis(calendar, origin)
    n = int(axis.day_start(day))
    found = axis.nth_working_day(n)
    assert found >= day and calendar.is_working_day(found)
    assert all(not calendar.is_working_day(day + timedelta(days=i)) for i in range((found - day).days))


class _Never(Calendar):
    name = "never"

    def is_working_day(self, day: date) -> bool:
        return False


def test_a_calendar_without_working_days_is_an_error_not_a_hang() -> None:
    axis = WorkAxis(_Never(), MONDAY)
    assert axis.pos(date(2021, 1, 1)) == 0.0
    with pytest.raises(ValueError, match="'never' has no working day"):
        axis.instant(0.5)
    with pytest.raises(ValueError, match="no working day"):
        axis.nth_working_day(-1)
