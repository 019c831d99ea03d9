"""An independent check of schedules against the calendar: work of N whole days takes N working days.

The checks in ``test_properties`` compare the scheduler's own working-time positions; this
one recounts from the dates alone, with nothing but ``Calendar.is_working_day``: a task whose
work starts at midnight and lasts a whole number of days ends at the midnight after exactly
that many working days of its span, and it starts on a working day. It holds for the first
pass, for sampled schedules and for CP-SAT's (issue 14).
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from campaignflow.load import load_plan
from campaignflow.model import Campaign
from campaignflow.plugins.manager import default_plugins
from campaignflow.simulate import schedule
from campaignflow.simulate.optimize import available

from test_properties import plans

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(ROOT.glob("plugins/*/plan.toml"))


def _recount(campaign: Campaign, s) -> int:
    """Check every whole-day task of ``s``; return how many were checked."""
    calendar = default_plugins().calendar(campaign.calendar)
    checked = 0
    for t in s:
        task = campaign.tasks.get(t.id)
        if task is None or task.window.fixed:
            continue
        days = task.duration.likely
        start, finish = t.start.replace(tzinfo=None), t.work_finish.replace(tzinfo=None)
        if days <= 0 or days != int(days) or start.time() != time() or finish.time() != time():
            continue
        assert calendar.is_working_day(start.date()), (t.id, start)
        span = (finish.date() - start.date()).days
        working = sum(calendar.is_working_day(start.date() + timedelta(days=i)) for i in range(span))
        assert working == days, (t.id, start, finish, days, working)
        # the work ends right after a working day: no idle non-working days tacked on
        assert calendar.is_working_day(finish.date() - timedelta(days=1)), (t.id, finish)
        checked += 1
    return checked


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_whole_day_work_takes_that_many_working_days(campaign: Campaign) -> None:
    _recount(campaign, schedule(campaign))
    _recount(campaign, schedule(campaign, effort=10, seed=1))


@pytest.mark.parametrize("plan", SEEDS, ids=lambda p: p.parent.name)
def test_seed_plans_recount_on_their_calendar(plan: Path) -> None:
    campaign = load_plan(plan)
    assert _recount(campaign, schedule(campaign, effort=20)) > 0
    if available():
        _recount(campaign, schedule(campaign, optimize=True, time_limit=2))


@pytest.mark.parametrize("plan", SEEDS, ids=lambda p: p.parent.name)
def test_table_and_json_name_the_same_scheduler_bound_and_gap(plan: Path) -> None:
    import json
    from datetime import datetime

    from click.testing import CliRunner

    from campaignflow.cli.main import cli

    runner = CliRunner()
    doc = json.loads(runner.invoke(cli, ["simulate", str(plan), "--format", "json"]).output)
    table = runner.invoke(cli, ["simulate", str(plan), "--no-gantt", "--lang", "en"]).output
    sch = doc["schedule"]["scheduler"]
    line = next(x for x in table.splitlines() if x.startswith("scheduler "))
    assert line.startswith(f"scheduler {sch['name']}: ")
    if sch["optimal"]:
        assert sch["gap"] == 0 and "optimal" in line
    else:  # the bound is an end of day: 10-21T00:00 is printed as 10-20
        bound = (datetime.fromisoformat(sch["bound"]) - timedelta(days=1)).date().isoformat()
        assert f"within {100 * sch['gap']:.1f}%" in line and bound in line
    assert datetime.fromisoformat(sch["bound"]) <= datetime.fromisoformat(doc["schedule"]["finish"])
