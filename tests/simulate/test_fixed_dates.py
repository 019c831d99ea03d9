"""`fixed_dates`: named dates (扶贫日) that do not move when a scenario moves the campaign's start."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

from campaignflow.errors import PlanError
from campaignflow.load import loads
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.simulate import Scenario
from campaignflow.writer import to_toml

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "plan-format.md").read_text(encoding="utf-8")
PLUGINS = create_plugin_manager(entry_points=False, use_env=False)


def _example() -> str:
    section = DOCS.split("### Dates that do not move: `fixed_dates`", 1)[1]
    return textwrap.dedent(re.search(r"```toml\n(.*?)```", section, re.S).group(1))


def _moved(text: str, start: date):
    return Scenario(start=start).apply(loads(text, plugins=PLUGINS))


def test_the_docs_example_means_what_the_page_says() -> None:
    moved = _moved(_example(), date(2020, 9, 8))
    assert moved.tasks["ceremony"].window.on == date(2020, 10, 17)
    assert moved.tasks["plan"].window.due == date(2020, 10, 7)
    assert moved.dates == {"poverty_day": date(2020, 10, 17), "plans_due": date(2020, 10, 7)}
    assert moved.start == date(2020, 9, 8)


MORE = """\
[units.b]
name = "B"
parent = "a"
[groups.bs]
members = ["b"]
[tasks.eve]
title = "前夕"
lead = "a"
around = { date = "@poverty_day", width = "1d" }
[tasks.steps]
title = "报批"
lead = "b"
start = 2020-09-01
due = "@poverty_day + 3d"
approvals = [{ by = "a", due = "@poverty_day - 2d" }, { by = "a", due = "@plans_due" }]
reports_to = [{ to = "a", due = "@poverty_day + 5d" }]
[templates.t]
for_each = "bs"
[templates.t.task]
title = "{unit.name}"
lead = "{unit}"
due = "@poverty_day - 1d"
[templates.p]
for_each = "bs"
[templates.p.task]
title = "{unit.name}"
lead = "{unit}"
start = "@poverty_day - {unit.kind}"
"""


def test_every_date_written_from_a_fixed_date_stays_and_the_rest_moves() -> None:
    text = _example() + MORE.replace("[units.b]\nname = \"B\"", '[units.b]\nname = "B"\nkind = "2d"')
    moved = _moved(text, date(2020, 8, 25))  # a week earlier
    t = moved.tasks
    assert (t["eve"].window.start, t["eve"].window.due) == (date(2020, 10, 16), date(2020, 10, 18))
    assert t["eve"].near.day == date(2020, 10, 17)
    steps = t["steps"]
    assert steps.window.start == date(2020, 8, 25) and steps.window.due == date(2020, 10, 20)
    assert [a.due for a in steps.approvals] == [date(2020, 10, 15), date(2020, 9, 23)]
    assert steps.reports_to[0].due == date(2020, 10, 22)
    assert t["t@b"].window.due == date(2020, 10, 16)       # a template's constant date
    assert t["p@b"].window.start == date(2020, 10, 15)     # a date filled per instance


def test_without_fixed_dates_everything_moves_as_before() -> None:
    text = _example().replace('fixed_dates = ["poverty_day"]\n', "")
    moved = _moved(text, date(2020, 9, 8))
    assert moved.tasks["ceremony"].window.on == date(2020, 10, 24)


def test_an_unknown_fixed_date_is_located_with_a_suggestion() -> None:
    with pytest.raises(PlanError) as info:
        loads(_example().replace('fixed_dates = ["poverty_day"]', 'fixed_dates = ["povrety_day"]'), plugins=PLUGINS)
    [problem] = info.value.problems
    assert problem.code == "unknown-date" and problem.location.key_path == "campaign.fixed_dates[0]"
    assert problem.location.line == 8 and "poverty_day" in problem.hint.en and problem.message.zh


def test_fixed_dates_round_trip_through_the_writer() -> None:
    campaign = loads(_example(), plugins=PLUGINS)
    written = to_toml(campaign)
    assert 'fixed_dates = ["poverty_day"]' in written
    assert loads(written, plugins=PLUGINS) == campaign


def test_a_misspelled_fixed_dates_key_gets_a_suggestion() -> None:
    with pytest.raises(PlanError) as info:
        loads(_example().replace("fixed_dates =", "fixed_date ="), plugins=PLUGINS)
    [problem] = info.value.problems
    assert problem.code == "unknown-key" and problem.location.key_path == "campaign.fixed_date"
    assert problem.hint is not None and "fixed_dates" in problem.hint.en
