"""The calendar never guesses: CF206 for uncovered years, [calendar.overrides] to declare one."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import campaignflow as cf
from campaignflow.calendar import OverriddenCalendar, Weekdays, campaign_calendar
from campaignflow.calendars.cn import CnWorkdays
from campaignflow.errors import PlanError
from campaignflow.load import loads
from campaignflow.model import CalendarOverride, Holiday
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.testing.strategies import campaigns
from campaignflow.writer import to_toml

PLUGINS = create_plugin_manager(entry_points=False, use_env=False)

PLAN_2027 = textwrap.dedent("""\
    format = 1
    [campaign]
    id = "y2027"
    name = "2027年扶贫日活动"
    start = 2027-09-01
    end = 2027-10-31
    calendar = "cn-workdays"
    [units.fpb]
    name = "县扶贫办"
    [tasks.plan]
    title = "报送活动方案"
    lead = "fpb"
    due = 2027-10-01
    """)
OVERRIDE_2027 = textwrap.dedent("""\
    [calendar.overrides.2027]
    holidays = [{ from = 2027-10-01, to = 2027-10-07, name = "国庆节" }]
    workdays = [2027-09-26, 2027-10-09]
    """)


def _first_uncovered_year() -> int:
    cal = CnWorkdays()
    year = date.today().year
    while cal.covers(date(year, 6, 1)):
        year += 1
    return year


def test_the_test_year_is_really_uncovered() -> None:
    # The tests below are about 2027; should a new chinesecalendar know it, they must say so.
    if CnWorkdays().covers(date(2027, 10, 1)):
        pytest.skip(f"chinesecalendar now covers 2027; the first uncovered year is {_first_uncovered_year()}")
    assert not CnWorkdays().covers(date(2027, 10, 1))


@pytest.mark.skipif(CnWorkdays().covers(date(2027, 10, 1)), reason="chinesecalendar covers 2027 now")
def test_a_2027_deadline_on_national_day_gets_a_located_cf206() -> None:
    campaign = loads(PLAN_2027, filename="plan.toml", plugins=PLUGINS)
    findings = cf.validate(campaign, plugins=PLUGINS)
    assert [f.code for f in findings] == ["CF206"]
    [f] = findings
    assert f.location.line is not None and f.location.key_path == "campaign.start"
    assert "2027" in f.message.en and "chinesecalendar" in f.message.en and "2027" in f.message.zh
    assert f.tasks == ("plan",)
    assert "[calendar.overrides.2027]" in f.hint.en


def test_with_the_notice_declared_it_is_cf203_instead() -> None:
    campaign = loads(PLAN_2027 + OVERRIDE_2027, filename="plan.toml", plugins=PLUGINS)
    codes = [f.code for f in cf.validate(campaign, plugins=PLUGINS)]
    assert codes == ["CF203"]
    cal = campaign_calendar(campaign, PLUGINS)
    assert not cal.is_working_day(date(2027, 10, 1)) and cal.holiday_name(date(2027, 10, 3)) == "国庆节"
    assert cal.is_working_day(date(2027, 9, 26))  # a Sunday made a working day (调休)
    assert cal.covers(date(2027, 1, 1))


def test_working_day_dates_use_the_override() -> None:
    text = PLAN_2027.replace("due = 2027-10-01", 'due = "@day + 1wd"').replace(
        'calendar = "cn-workdays"', 'calendar = "cn-workdays"\n[campaign.dates]\nday = 2027-09-30')
    campaign = loads(text + OVERRIDE_2027, plugins=PLUGINS)
    assert campaign.tasks["plan"].window.due == date(2027, 10, 8)  # after the week of National Day


@pytest.mark.parametrize(("table", "code", "path"), [
    ("[calendar.overides.2027]\n", "unknown-key", "calendar.overides"),
    ("[calendar.overrides.2027]\nholiday = [2027-10-01]\n", "unknown-key", "calendar.overrides.2027.holiday"),
    ("[calendar.overrides.2027]\nholidays = [{ from = 2027-10-01, too = 2027-10-07 }]\n", "unknown-key",
     "calendar.overrides.2027.holidays[0].too"),
    ("[calendar.overrides.2027]\nholidays = [2028-01-01]\n", "bad-value", "calendar.overrides.2027.holidays[0]"),
    ("[calendar.overrides.2027]\nworkdays = [\"soon\"]\n", "wrong-type", "calendar.overrides.2027.workdays[0]"),
    ("[calendar.overrides.next]\n", "bad-value", "calendar.overrides.next"),
    ("[calendar.overrides.2027]\nholidays = [{ from = 2027-10-07, to = 2027-10-01 }]\n", "bad-value",
     "calendar.overrides.2027.holidays[0].to"),
])
def test_bad_overrides_are_located(table: str, code: str, path: str) -> None:
    with pytest.raises(PlanError) as info:
        loads(PLAN_2027 + table, filename="plan.toml", plugins=PLUGINS)
    [problem] = info.value.problems
    assert (problem.code, problem.location.key_path) == (code, path)
    assert problem.location.line is not None and problem.message.zh
    if code == "unknown-key":
        assert problem.hint is not None and "did you mean" in problem.hint.en


def test_the_documented_example_of_the_format_loads() -> None:
    from pathlib import Path
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "plan-format.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[calendar\.overrides.*?)```", doc, re.S).group(1)
    campaign = loads(PLAN_2027 + block, plugins=PLUGINS)
    assert 2027 in campaign.calendar_overrides


_DAYS = st.dates(date(2027, 1, 1), date(2027, 12, 31))
_HOLIDAYS = st.builds(lambda d, n, name: Holiday(start=d, end=min(d + timedelta(days=n), date(2027, 12, 31)),
                                                 name=name),
                      _DAYS, st.integers(0, 6), st.none() | st.sampled_from(["国庆节", "元旦"]))
_OVERRIDES = st.builds(CalendarOverride, year=st.just(2027), holidays=st.lists(_HOLIDAYS, max_size=3),
                       workdays=st.lists(_DAYS, max_size=2, unique=True))


@settings(max_examples=40)
@given(campaign=campaigns(max_tasks=3), override=_OVERRIDES)
def test_overrides_round_trip_through_to_toml(campaign: cf.Campaign, override: CalendarOverride) -> None:
    campaign = attrs.evolve(campaign, calendar_overrides={2027: override})
    assert loads(to_toml(campaign), plugins=PLUGINS) == campaign


@given(override=_OVERRIDES, day=_DAYS)
def test_an_override_decides_its_year_alone(override: CalendarOverride, day: date) -> None:
    cal = OverriddenCalendar(Weekdays(), {2027: override})
    off = {d for d, _ in override.holiday_days()}
    expected = day in override.workdays or (day not in off and day.weekday() < 5)
    assert cal.is_working_day(day) is expected
    other = day.replace(year=2026)
    assert cal.is_working_day(other) is Weekdays().is_working_day(other)


@pytest.mark.skipif(CnWorkdays().covers(date(2027, 10, 1)), reason="chinesecalendar covers 2027 now")
def test_simulate_says_the_calendar_is_a_guess(tmp_path) -> None:
    from click.testing import CliRunner

    from campaignflow.cli.main import cli

    guessed, declared = tmp_path / "guessed.toml", tmp_path / "declared.toml"
    guessed.write_text(PLAN_2027, encoding="utf-8")
    declared.write_text(PLAN_2027 + OVERRIDE_2027, encoding="utf-8")
    out = CliRunner().invoke(cli, ["simulate", str(guessed), "--lang", "en", "--no-gantt"]).output
    assert "does not cover 2027" in out and "CF206" in out
    assert "does not cover" not in CliRunner().invoke(cli, ["simulate", str(declared), "--no-gantt"]).output


@pytest.mark.skipif(CnWorkdays().covers(date(2027, 10, 1)), reason="chinesecalendar covers 2027 now")
def test_the_runtime_logs_the_guess_once(caplog) -> None:
    from campaignflow.runtime import Engine, MemoryStore

    campaign = loads(PLAN_2027, plugins=PLUGINS)
    with caplog.at_level("WARNING", logger="campaignflow.runtime"):
        engine = Engine.open(campaign, MemoryStore(), plugins=PLUGINS)
        for _ in range(3):
            engine.axis()
            engine.tick()
    said = [r for r in caplog.records if "does not cover 2027" in r.getMessage()]
    assert len(said) == 1
    declared = loads(PLAN_2027 + OVERRIDE_2027, plugins=PLUGINS)
    caplog.clear()
    with caplog.at_level("WARNING", logger="campaignflow.runtime"):
        Engine.open(declared, MemoryStore(), plugins=PLUGINS).axis()
    assert not [r for r in caplog.records if "does not cover" in r.getMessage()]
