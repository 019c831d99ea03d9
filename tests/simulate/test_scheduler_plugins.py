"""A plan is scheduled by whichever registered scheduler is named: the built-ins and a plugin's
go through the same hook (``campaignflow_register_schedulers``) and get the same problem."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from campaignflow import hookimpl
from campaignflow.cli.main import cli
from campaignflow.load import load_plan
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.simulate import schedule
from campaignflow.simulate.rcpsp import sgs
from campaignflow.simulate.schedule import SchedulerError
from campaignflow.simulate.schedulers import Scheduler

ROOT = Path(__file__).resolve().parents[2]
LANSHAN = ROOT / "plugins" / "lanshan_stats_bureau" / "plan.toml"


class SerialLFT(Scheduler):
    """A third party's scheduler: one serial pass by latest finish."""

    name = "serial-lft"
    calls: list[int] = []

    def solve(self, problem, *, effort=1000, seed=0, time_limit=None):
        SerialLFT.calls.append(problem.n)
        return sgs(problem, "LFT", scheme="serial")


class Broken(Scheduler):
    """Starts everything at once, whatever the precedences say."""

    name = "broken"

    def solve(self, problem, *, effort=1000, seed=0, time_limit=None):
        return attrs.evolve(sgs(problem), starts=(0,) * problem.n)


class _Plugin:
    @hookimpl
    def campaignflow_register_schedulers(self):
        return [SerialLFT, Broken]


@pytest.fixture(scope="module")
def plugins():
    return create_plugin_manager(entry_points=False, use_env=False, plugins=[_Plugin()])


def test_a_plugin_scheduler_schedules_the_plan_and_is_named(plugins):
    campaign = load_plan(LANSHAN, plugins=plugins)
    SerialLFT.calls.clear()
    mine = schedule(campaign, plugins=plugins, scheduler="serial-lft")
    assert SerialLFT.calls and SerialLFT.calls[0] >= len(campaign.tasks)
    assert mine.scheduler == "serial-lft"
    built_in = schedule(campaign, plugins=plugins)
    # Both are feasible schedules of the same plan: every task scheduled, none before its prerequisites.
    assert {t.id for t in mine.tasks} == {t.id for t in built_in.tasks} >= set(campaign.tasks)
    finish = {t.id: t.finish_pos for t in mine.tasks}
    for t in mine.tasks:
        if t.id in campaign.tasks:
            for dep in campaign.tasks[t.id].after:
                assert t.start_pos >= finish[dep.task] - 1e-9


def test_the_built_ins_are_reached_by_name_like_any_other(plugins):
    campaign = load_plan(LANSHAN, plugins=plugins)
    assert schedule(campaign, plugins=plugins, scheduler="heuristic") == schedule(campaign, plugins=plugins)


def test_a_schedule_that_breaks_the_plan_is_refused_and_an_unknown_name_listed(plugins):
    campaign = load_plan(LANSHAN, plugins=plugins)
    with pytest.raises(SchedulerError, match="breaks the plan"):
        schedule(campaign, plugins=plugins, scheduler="broken")
    with pytest.raises(SchedulerError, match="known: broken, cpsat, heuristic, serial-lft"):
        schedule(campaign, plugins=plugins, scheduler="nope")


def test_the_cli_names_the_scheduler_and_refuses_an_unknown_one():
    result = CliRunner().invoke(cli, ["--lang", "en", "simulate", str(LANSHAN), "--scheduler", "nope"])
    assert result.exit_code == 2
    assert "no scheduler 'nope' is registered (known: cpsat, heuristic)" in result.output
