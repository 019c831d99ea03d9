"""The iCalendar export as calendar clients need it (issue 17): RFC 5545, checked with ``icalendar``."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import campaignflow as cf
from campaignflow.export import ExportContext

icalendar = pytest.importorskip("icalendar")

PLAN = """\
format = 1

[campaign]
id = "ics-demo"
name = "扶贫日活动"
start = 2020-09-01
end = 2020-10-31
calendar = "cn-workdays"

[campaign.dates]
poverty_day = 2020-10-17

[units.office]
name = "县扶贫办"
[units.union]
name = "县总工会"

[tasks.meeting]
title = "全县电视电话会议"
lead = "office"
partners = ["union"]
on = 2020-10-16T09:00:00
duration = "2h"

[tasks.day]
title = "扶贫日集中宣传"
lead = "office"
on = "@poverty_day"

[tasks.report]
title = "报送总结"
lead = "office"
due = 2020-10-23
after = ["day"]
"""


def _export(tmp_path: Path, text: str = PLAN) -> icalendar.Calendar:
    path = tmp_path / "plan.toml"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False)
    ctx = ExportContext(campaign=cf.load_plan(path, plugins=plugins), plugins=plugins)
    data = ctx.plugins.exporters()["ics"]().export(ctx)
    return icalendar.Calendar.from_ical(data)


def _event(cal, uid_prefix: str):
    return next(e for e in cal.walk("VEVENT") if str(e["uid"]).startswith(uid_prefix + "@"))


def test_an_event_fixed_at_a_time_is_timed_in_the_campaign_timezone_with_its_vtimezone(tmp_path):
    cal = _export(tmp_path)
    meeting = _event(cal, "meeting")
    start = meeting.decoded("dtstart")
    assert isinstance(start, datetime) and (start.hour, start.minute) == (9, 0)
    assert meeting["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert start.utcoffset() == timedelta(hours=8)
    assert meeting.decoded("dtend") > start
    # RFC 5545 3.2.19: every TZID names a VTIMEZONE of the calendar.
    tzids = {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")}
    used = {str(c[p].params["TZID"]) for c in cal.walk("VEVENT") for p in ("dtstart", "dtend")
            if p in c and "TZID" in c[p].params}
    assert used and used <= tzids
    day = _event(cal, "day")
    assert day.decoded("dtstart") == date(2020, 10, 17) and day.decoded("dtend") == date(2020, 10, 18)
    assert "县总工会" in [str(x) for x in meeting["categories"].cats]


def test_dtstamp_is_real_and_sequence_grows_when_the_plan_changes(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = datetime.now(timezone.utc) - timedelta(minutes=1)
    cal = _export(tmp_path)
    meeting = _event(cal, "meeting")
    stamp = meeting.decoded("dtstamp")
    assert stamp.tzinfo is not None and stamp >= before  # UTC, the time of the export (not 2000-01-01)
    first = int(meeting["sequence"])
    path = tmp_path / "plan.toml"
    later = path.stat().st_mtime + 3600
    os.utime(path, (later, later))
    again = _event(_export(tmp_path), "meeting")
    assert int(again["sequence"]) > first
    assert again.decoded("last-modified") > meeting.decoded("last-modified")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    pinned = _event(_export(tmp_path), "meeting").decoded("dtstamp")
    assert pinned == datetime.fromtimestamp(1600000000, tz=timezone.utc)


def test_a_deadline_is_an_all_day_event_on_its_day_with_a_reminder(tmp_path):
    cal = _export(tmp_path)
    due = _event(cal, "report.due")
    assert due.decoded("dtstart") == date(2020, 10, 23)  # the day itself, not 10-24
    assert "截止" in str(due["summary"])
    (alarm,) = due.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY" and alarm.decoded("trigger") == timedelta(hours=-15)
    # Fixed events have no separate deadline reminder; every task has its event.
    uids = {str(e["uid"]).split("@")[0] for e in cal.walk("VEVENT")}
    assert uids == {"meeting", "day", "report", "report.due"}


UNITS_PLAN = PLAN.replace('''[units.union]
name = "县总工会"
''', '''[units.union]
name = "县总工会"
[units.youth]
name = "团县委"
[units.women]
name = "县妇联"

[groups.mass]
name = "群团组织"
members = ["women"]

[tasks.youth-day]
title = "青年志愿服务"
lead = "youth"
co_leads = ["union"]
due = 2020-10-20

[tasks.women-day]
title = "巾帼宣传"
lead = "youth"
partners = ["mass"]
due = 2020-10-21
''')


def _unit_export(tmp_path: Path, unit: str | None) -> icalendar.Calendar:
    path = tmp_path / "units.toml"
    path.write_text(UNITS_PLAN, encoding="utf-8")
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False)
    ctx = ExportContext(campaign=cf.load_plan(path, plugins=plugins), plugins=plugins, unit=unit)
    return icalendar.Calendar.from_ical(ctx.plugins.exporters()["ics"]().export(ctx))


def _uids(cal) -> set[str]:
    return {str(e["uid"]).split("@")[0] for e in cal.walk("VEVENT")}


def test_a_units_calendar_has_what_it_leads_co_leads_or_partners_in(tmp_path):
    whole = _unit_export(tmp_path, None)
    assert {"meeting", "youth-day", "women-day", "report"} <= _uids(whole)
    # union: partner of the meeting, co-lead of youth-day (with its deadline).
    union = _unit_export(tmp_path, "union")
    assert _uids(union) == {"meeting", "youth-day", "youth-day.due"}
    youth_day = _event(union, "youth-day")
    assert {"团县委", "县总工会"} <= {str(x) for x in youth_day["categories"].cats}
    assert "县总工会" in str(union["x-wr-calname"])
    # women: a partner through the group "mass" only.
    assert _uids(_unit_export(tmp_path, "women")) == {"women-day", "women-day.due"}
    # The unit's calendar is RFC 5545 as the whole one is: every TZID has its VTIMEZONE.
    tzids = {str(tz["tzid"]) for tz in union.walk("VTIMEZONE")}
    used = {str(c[p].params["TZID"]) for c in union.walk("VEVENT") for p in ("dtstart", "dtend")
            if p in c and "TZID" in c[p].params}
    assert used and used <= tzids
    for event in union.walk("VEVENT"):
        assert "dtstamp" in event and "uid" in event


def test_timed_work_in_hours_ends_within_office_hours(tmp_path):
    meeting = _event(_export(tmp_path), "meeting")
    start, end = meeting.decoded("dtstart"), meeting.decoded("dtend")
    # A "2h" meeting at 09:00 ends at 11:00 (it ended at 15:00 on a 24-hour clock).
    assert (start.hour, end.hour, end.minute) == (9, 11, 0)


def test_export_unit_on_the_command_line(tmp_path):
    from click.testing import CliRunner

    from campaignflow.cli.main import cli

    path = tmp_path / "units.toml"
    path.write_text(UNITS_PLAN, encoding="utf-8")
    out = tmp_path / "union.ics"
    ok = CliRunner().invoke(cli, ["export", str(path), "--format", "ics", "--unit", "union", "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert _uids(icalendar.Calendar.from_ical(out.read_bytes())) == {"meeting", "youth-day", "youth-day.due"}
    unknown = CliRunner().invoke(cli, ["export", str(path), "--format", "ics", "--unit", "unoin", "-o", str(out)])
    assert unknown.exit_code == 2 and "did you mean 'union'" in unknown.output
    assert "Traceback" not in unknown.output
    by_name = CliRunner().invoke(cli, ["export", str(path), "--format", "ics", "--unit", "县总工会", "-o", str(out)])
    assert by_name.exit_code == 2 and "'union'" in by_name.output
    other = CliRunner().invoke(cli, ["export", str(path), "--format", "json", "--unit", "union"])
    assert other.exit_code == 2 and "--unit" in other.output and "ics" in other.output


def test_a_venue_is_the_events_location(tmp_path):
    text = PLAN.replace('on = 2020-10-16T09:00:00\n', 'on = 2020-10-16T09:00:00\nvenue = "县红军广场"\n', 1)
    cal = _export(tmp_path, text)
    assert str(_event(cal, "meeting")["location"]) == "县红军广场"
    assert "location" not in _event(cal, "day")  # no venue, no LOCATION
