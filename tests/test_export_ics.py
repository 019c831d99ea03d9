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
