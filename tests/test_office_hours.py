"""Office hours (issue 17): hours of work fall inside 08:30-12:00 and 14:00-17:30, not round the clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import campaignflow as cf
from campaignflow.calendar import DEFAULT_OFFICE_HOURS, AllDays, OfficeHours, Weekdays, WorkAxis
from campaignflow.model import Duration, parse_days

# 2020-10-12 is a Monday.
MONDAY = date(2020, 10, 12)


def _axis(calendar=None, origin=MONDAY) -> WorkAxis:
    return WorkAxis(calendar or Weekdays(), origin)


def test_the_default_office_hours_are_seven_hours_and_a_day_of_work_is_all_of_them():
    assert str(DEFAULT_OFFICE_HOURS) == "08:30-12:00, 14:00-17:30"
    assert DEFAULT_OFFICE_HOURS.hours == 7.0
    assert parse_days("7h") == 1.0
    assert Duration.parse("2h").likely == pytest.approx(2 / 7)


def test_two_hours_at_nine_end_at_eleven():
    ax = _axis()
    assert ax.add_hours(datetime(2020, 10, 12, 9, 0), 2) == datetime(2020, 10, 12, 11, 0)


def test_four_hours_at_ten_end_at_sixteen_skipping_lunch():
    ax = _axis()
    assert ax.add_hours(datetime(2020, 10, 12, 10, 0), 4) == datetime(2020, 10, 12, 16, 0)


def test_hours_run_across_days_and_the_weekend():
    ax = _axis()
    # Monday 16:00 + 4h: 1.5h on Monday, 2.5h on Tuesday from 08:30 -> 11:00.
    assert ax.add_hours(datetime(2020, 10, 12, 16, 0), 4) == datetime(2020, 10, 13, 11, 0)
    # Friday 15:00 + 5h: 2.5h Friday, 2.5h Monday -> 11:00 on Monday.
    assert ax.add_hours(datetime(2020, 10, 16, 15, 0), 5) == datetime(2020, 10, 19, 11, 0)
    # A whole day of work from Monday 08:30 finishes Monday 17:30, not Tuesday.
    assert ax.add_hours(datetime(2020, 10, 12, 8, 30), 7) == datetime(2020, 10, 12, 17, 30)
    assert ax.hours_between(datetime(2020, 10, 16, 15, 0), datetime(2020, 10, 19, 11, 0)) == pytest.approx(5)


def test_instants_outside_office_hours_take_no_working_time():
    ax = _axis()
    night = ax.pos(datetime(2020, 10, 12, 20, 0))
    assert night == ax.pos(datetime(2020, 10, 12, 17, 30)) == ax.pos(datetime(2020, 10, 13, 8, 0))
    assert ax.pos(datetime(2020, 10, 12, 12, 30)) == ax.pos(datetime(2020, 10, 12, 14, 0))
    # Whole days stay whole days; hour arithmetic reads a boundary as the opening or the closing.
    assert ax.instant(ax.day_start(MONDAY)) == datetime(2020, 10, 12, 0, 0)
    assert ax.instant(ax.day_start(MONDAY) + 1, finish=True) == datetime(2020, 10, 13, 0, 0)
    assert ax.instant(ax.day_start(MONDAY), office=True) == datetime(2020, 10, 12, 8, 30)
    assert ax.instant(ax.day_start(MONDAY) + 1, finish=True, office=True) == datetime(2020, 10, 12, 17, 30)
    assert ax.instant(ax.day_start(MONDAY) + 0.5, finish=True) == datetime(2020, 10, 12, 12, 0)
    assert ax.instant(ax.day_start(MONDAY) + 0.5) == datetime(2020, 10, 12, 14, 0)


def test_an_event_on_a_holiday_keeps_its_day():
    ax = _axis()
    saturday = datetime(2020, 10, 17, 9, 0)
    assert ax.event_end(saturday, parse_days("1h")) == datetime(2020, 10, 17, 10, 0)
    # What does not fit its day runs on into the next working day (Monday).
    assert ax.event_end(datetime(2020, 10, 17, 16, 30), parse_days("2h")) == datetime(2020, 10, 19, 9, 30)


# -- property tests of the hour arithmetic -------------------------------------------------

_office = st.lists(st.integers(0, 96), min_size=2, max_size=6, unique=True).map(sorted).filter(
    lambda xs: len(xs) % 2 == 0).map(lambda xs: OfficeHours(tuple((xs[i] * 900, xs[i + 1] * 900)
                                                                  for i in range(0, len(xs), 2))))
_moment = st.datetimes(min_value=datetime(2020, 10, 1), max_value=datetime(2021, 3, 31)).map(
    lambda d: d.replace(microsecond=0))
_hours = st.floats(min_value=0.01, max_value=200, allow_nan=False).map(lambda h: round(h, 2))


class _Custom(Weekdays):
    def __init__(self, hours: OfficeHours) -> None:
        self.office_hours = hours


@settings(max_examples=150, deadline=None)
@given(office=_office, start=_moment, hours=_hours)
def test_adding_hours_then_measuring_them_gives_them_back_and_lands_in_office_hours(office, start, hours):
    ax = WorkAxis(_Custom(office), date(2020, 10, 1))
    end = ax.add_hours(start, hours)
    assert end > start
    assert ax.hours_between(start, end) == pytest.approx(hours, abs=1 / 3600 + 1e-9 * hours)
    day = end.date()
    if end.time() == time(0) and any(b == 86400 for _, b in office.periods):
        # A period that ends at 24:00 ends at the next day's 00:00 (a datetime has no 24:00).
        day -= timedelta(days=1)
        assert ax.is_working(day)
    else:
        assert office.contains(end.time()) and ax.is_working(day)


@settings(max_examples=150, deadline=None)
@given(start=_moment, a=_hours, b=_hours)
def test_hour_arithmetic_is_monotone(start, a, b):
    ax = _axis(origin=date(2020, 10, 1))
    lo, hi = sorted((a, b))
    assert ax.add_hours(start, lo) <= ax.add_hours(start, hi)
    later = start + timedelta(minutes=37)
    assert ax.add_hours(start, a) <= ax.add_hours(later, a)


@settings(max_examples=150, deadline=None)
@given(office=_office, seconds=st.integers(0, 86400), finish=st.booleans())
def test_clock_and_fraction_are_inverse(office, seconds, finish):
    f = office.fraction(seconds)
    assert 0.0 <= f <= 1.0
    back = office.clock(f, finish=finish)
    assert office.fraction(back) == pytest.approx(f)
    assert any(a <= back <= b for a, b in office.periods)


def test_office_hours_reject_overlaps_and_bad_text():
    with pytest.raises(ValueError, match="ascending"):
        OfficeHours.parse(["14:00-17:30", "08:30-15:00"])
    with pytest.raises(ValueError, match="08:30-12:00"):
        OfficeHours.parse(["8.30-12"])
    with pytest.raises(ValueError):
        OfficeHours.parse([])


# -- plans ----------------------------------------------------------------------------------

CHAIN = """\
format = 1

[campaign]
id = "chain"
name = "同日会议"
start = 2020-10-12
end = 2020-10-31
calendar = "cn-workdays"
{calendar}
[units.nation]
name = "国务院扶贫办"
[units.province]
name = "省扶贫办"
[units.district]
name = "区扶贫办"

[tasks.national]
title = "全国电视电话会议"
lead = "nation"
on = 2020-10-16T09:00:00
duration = "2h"

[tasks.provincial]
title = "全省会议"
lead = "province"
on = 2020-10-16T{provincial}:00
duration = "2h"
after = ["national"]

[tasks.district]
title = "全区会议"
lead = "district"
on = 2020-10-16T16:00:00
duration = "1h"
after = ["provincial"]
"""


def _codes(text: str, tmp_path) -> list[str]:
    path = tmp_path / "chain.toml"
    path.write_text(text, encoding="utf-8")
    return [f.code for f in cf.validate(cf.load_plan(path))]


def test_a_same_day_chain_of_meetings_raises_no_cf202(tmp_path):
    assert "CF202" not in _codes(CHAIN.format(calendar="", provincial="14:00"), tmp_path)


def test_a_same_day_chain_that_really_overlaps_still_raises_cf202(tmp_path):
    # The provincial meeting at 10:00 cannot follow a national one that ends at 11:00.
    assert "CF202" in _codes(CHAIN.format(calendar="", provincial="10:00"), tmp_path)


def test_a_plan_sets_its_own_office_hours_and_hours_count_them(tmp_path):
    own = '\n[calendar]\noffice_hours = ["09:00-12:00", "13:00-18:00"]\n'
    path = tmp_path / "chain.toml"
    path.write_text(CHAIN.format(calendar=own, provincial="14:00"), encoding="utf-8")
    campaign = cf.load_plan(path)
    assert campaign.office_hours.hours == 8.0
    assert campaign.tasks["national"].duration.likely == 0.25  # 2h of an 8-hour day
    from campaignflow.simulate import schedule

    sched = schedule(campaign)
    assert sched.task("national").due.replace(tzinfo=None) == datetime(2020, 10, 16, 11, 0)
    # The runtime reads the same rule from the same calendar.
    from campaignflow.runtime import Engine, ManualClock, MemoryStore

    engine = Engine.open(campaign, MemoryStore(), clock=ManualClock(datetime(2020, 10, 12, 9)))
    for tid in campaign.tasks:
        assert engine.task(tid).due == sched.task(tid).due.replace(tzinfo=None)
    # 1h from 16:00 under 13:00-18:00 ends at 17:00 (under the default it would be 08:30+0.5h next day).
    assert engine.task("district").due == datetime(2020, 10, 16, 17, 0)
    # The written plan keeps the office hours and its durations.
    again = cf.loads(cf.to_toml(campaign), filename=str(tmp_path / "again.toml"))
    assert again.office_hours == campaign.office_hours
    assert again.tasks["national"].duration == campaign.tasks["national"].duration


@pytest.mark.parametrize("value", ['["08:30-12:00", "11:00-17:30"]', '"08:30-17:30"', '["8-12"]'])
def test_bad_office_hours_are_a_problem_at_their_key(tmp_path, value):
    path = tmp_path / "chain.toml"
    path.write_text(CHAIN.format(calendar=f"\n[calendar]\noffice_hours = {value}\n", provincial="14:00"),
                    encoding="utf-8")
    with pytest.raises(cf.PlanError) as info:
        cf.load_plan(path)
    assert "calendar.office_hours" in str(info.value)


def test_the_cli_reports_bad_office_hours_with_exit_2(tmp_path):
    from click.testing import CliRunner

    from campaignflow.cli.main import cli

    path = tmp_path / "chain.toml"
    path.write_text(CHAIN.format(calendar='\n[calendar]\noffice_hours = ["12:00-08:00"]\n', provincial="14:00"),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "office_hours" in result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in result.output


def test_all_days_calendars_use_office_hours_too():
    ax = WorkAxis(AllDays(), MONDAY)
    assert ax.add_hours(datetime(2020, 10, 17, 17, 0), 1) == datetime(2020, 10, 18, 9, 0)
    assert ax.office.contains(time(8, 30)) and not ax.office.contains(time(13, 0))


def test_a_plans_fingerprint_changes_with_its_office_hours_only(tmp_path):
    import attrs

    from campaignflow.runtime.plan import fingerprint

    path = tmp_path / "chain.toml"
    path.write_text(CHAIN.format(calendar="", provincial="14:00"), encoding="utf-8")
    campaign = cf.load_plan(path)
    assert "office_hours" not in repr(campaign)  # plans on the default hours keep their fingerprint
    other = attrs.evolve(campaign, office_hours=OfficeHours.parse(["09:00-17:00"]))
    assert fingerprint(other) != fingerprint(campaign)
    assert fingerprint(attrs.evolve(campaign)) == fingerprint(campaign)
