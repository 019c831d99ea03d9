"""The runtime from a host (issue 17): overdue by the clock, and event times that never go backwards."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import small_campaign

from campaignflow.cli.main import cli
from campaignflow.errors import TransitionError
from campaignflow.runtime import Actor, Engine, MemoryStore

PLAN = Path(__file__).with_name("data") / "office.toml"


class _Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def _run(*args: str):
    return CliRunner().invoke(cli, ["--lang", "en", "run", *args], catch_exceptions=False)


def test_status_shows_passed_deadlines_before_any_tick(tmp_path):
    db = str(tmp_path / "o.db")
    assert _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00").exit_code == 0
    before = _run("status", "--db", db, "--format", "json", "--now", "2020-07-15T09:00")
    assert before.exit_code == 0 and json.loads(before.output)["overdue"] == []
    # No `run tick` has run: the city plans' deadline (end of 07-31) has passed all the same.
    late = _run("status", "--db", db, "--format", "json", "--now", "2020-08-01T09:00")
    assert late.exit_code == 1
    assert json.loads(late.output)["overdue"] == ["city-plan@hf", "city-plan@wh"]
    text = _run("status", "--db", db, "--now", "2020-08-01T09:00")
    assert "OVERDUE city-plan@hf" in text.output
    listed = _run("tasks", "--db", db, "--now", "2020-08-01T09:00")
    assert all(line.endswith("OVERDUE") for line in listed.output.splitlines() if line.startswith("city-plan@"))


def test_a_now_before_the_latest_event_is_refused(tmp_path):
    db = str(tmp_path / "o.db")
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    assert _run("start", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-05T09:00").exit_code == 0
    back = _run("submit", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-02T09:00")
    assert back.exit_code == 2 and "never go backwards" in back.output
    assert _run("tick", "--db", db, "--now", "2020-07-03T09:00").exit_code == 2
    events = json.loads(_run("log", "--db", db, "--format", "json").output)["events"]
    times = [e["at"] for e in events]
    assert times == sorted(times) and len(events) == 2


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=-72, max_value=72), min_size=1, max_size=8))
def test_engine_event_times_never_decrease_whatever_the_clock_says(steps):
    # Two engines on one store, with clocks that disagree (a host's four workers).
    store = MemoryStore()
    campaign = small_campaign()
    clock_a, clock_b = _Clock(datetime(2020, 7, 10, 9)), _Clock(datetime(2020, 7, 10, 9))
    a = Engine.open(campaign, store, clock=clock_a)
    b = Engine.open(campaign, store, clock=clock_b)
    for i, hours in enumerate(steps):
        engine, clock = (a, clock_a) if i % 2 == 0 else (b, clock_b)
        clock.moment = datetime(2020, 7, 10, 9) + timedelta(hours=hours)
        engine.refresh()
        # A refused start is audited: one event per step, stamped by this engine's clock.
        with pytest.raises(TransitionError):
            engine.start("budget", Actor(f"p{i}", {"hf"}))
    times = [e.at for e in store.read(campaign.id)]
    assert times == sorted(times) and len(times) == len(steps) + 1


def test_a_day_deadline_reads_as_that_day_everywhere_a_person_reads_it(tmp_path):
    db = str(tmp_path / "o.db")
    _run("init", str(PLAN), "--db", db, "--now", "2020-07-01T09:00")
    # city-plan's due = 2020-07-31: the instant is 2020-08-01 00:00; people read "07-31".
    listed = _run("tasks", "--db", db, "--unit", "hf", "--now", "2020-07-02T09:00")
    line = next(x for x in listed.output.splitlines() if x.startswith("city-plan@hf"))
    assert "due 2020-07-31" in line and "2020-08-01" not in line
    week = _run("tasks", "--db", db, "--unit", "hf", "--week", "--now", "2020-07-27T09:00")
    assert "due 2020-07-31" in week.output and "08-01" not in week.output
    zh = CliRunner().invoke(cli, ["--lang", "zh", "run", "status", "--db", db, "--now", "2020-08-02T09:00"])
    assert "期限 2020年7月31日" in zh.output
    tick = _run("tick", "--db", db, "--now", "2020-08-02T09:00", "--format", "json")
    reasons = [e["reason"] for e in json.loads(tick.output)["events"] if e["kind"] == "overdue"]
    assert reasons and all("deadline 2020-07-31 passed" in r for r in reasons)
    # JSON keeps the exact instant.
    data = json.loads(_run("tasks", "--db", db, "--format", "json").output)["tasks"]
    assert next(t for t in data if t["id"] == "city-plan@hf")["due"] == "2020-08-01T00:00:00"


def test_deadline_text_of_moments_and_days():
    from campaignflow._display import deadline

    assert deadline(datetime(2016, 10, 18)) == "2016-10-17"
    assert deadline(datetime(2016, 10, 18), "zh") == "2016年10月17日"
    assert deadline(datetime(2016, 10, 17, 12, 0)) == "2016-10-17 12:00"
    assert deadline(None) == "-"


MOMENT_PLAN = """\
format = 1

[campaign]
id = "moment"
name = "电视电话会议"
start = 2020-10-12
end = 2020-10-31
calendar = "cn-workdays"

[units.office]
name = "县扶贫办"

[tasks.video]
title = "全国电视电话会议"
lead = "office"
on = {on}
duration = "{duration}"

[tasks.report]
title = "报送情况"
lead = "office"
due = 2020-10-23
"""


@pytest.mark.parametrize(("on", "duration"), [
    ("2020-10-16T09:00:00", "2h"), ("2020-10-16T14:30:00", "4h"), ("2020-10-17T09:00:00", "1h"),
    ("2020-10-16", "1d"), ("2020-10-17", "1d"),
])
def test_simulate_and_the_runtime_agree_on_every_deadline(tmp_path, on, duration):
    import campaignflow as cf
    from campaignflow.simulate import schedule

    path = tmp_path / "p.toml"
    path.write_text(MOMENT_PLAN.format(on=on, duration=duration), encoding="utf-8")
    campaign = cf.load_plan(path)
    sched = schedule(campaign)
    engine = Engine.open(campaign, MemoryStore(), clock=_Clock(datetime(2020, 10, 12, 9)))
    for tid in campaign.tasks:
        simulated = sched.task(tid).due
        assert simulated is not None
        assert simulated.replace(tzinfo=None) == engine.task(tid).due, tid
    video = engine.task("video").due
    start = campaign.tasks["video"].window.on
    # An event fixed at a moment is due when it ends, not at the moment it begins.
    assert video > (start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time()))
    # ... and it ends after its hours of office time (08:30-12:00, 14:00-17:30), which both agree on.
    assert video == OFFICE_END[(on, duration)]


OFFICE_END = {
    ("2020-10-16T09:00:00", "2h"): datetime(2020, 10, 16, 11, 0),  # not 15:00 on a 24-hour clock
    # Friday 14:30 + 4h: 3h to 17:30, then 1h on Monday from 08:30 (the weekend skipped).
    ("2020-10-16T14:30:00", "4h"): datetime(2020, 10, 19, 9, 30),
    ("2020-10-17T09:00:00", "1h"): datetime(2020, 10, 17, 10, 0),  # an event on a Saturday keeps its day
    ("2020-10-16", "1d"): datetime(2020, 10, 17),
    ("2020-10-17", "1d"): datetime(2020, 10, 18),
}
