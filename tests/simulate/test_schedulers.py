"""Plan schedules with sampling (``effort``) and with CP-SAT: feasible, never worse, honest bounds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from campaignflow.cli.main import cli
from campaignflow.load import load_plan
from campaignflow.model import Campaign
from campaignflow.simulate import schedule
from campaignflow.simulate.optimize import available

from test_properties import _check_capacity, _check_schedule, plans
from needs import unavailable

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(ROOT.glob("plugins/*/plan.toml"))


def _key(s: object) -> tuple[int, float]:
    return len(s.missed), s.finish_pos  # type: ignore[attr-defined]


def _need_ortools() -> None:
    if not available():
        unavailable("OR-Tools is not installed (pip install 'campaignflow[optimize]')", "the test extra installs it")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_sampled_schedule_is_feasible_never_worse_and_bounded(campaign: Campaign) -> None:
    first = schedule(campaign)
    best = schedule(campaign, effort=30, seed=1)
    _check_schedule(campaign, best)
    _check_capacity(campaign, best)
    assert len(best.missed) <= len(first.missed)
    if len(best.missed) == len(first.missed) == 0:
        assert best.finish_pos <= first.finish_pos + 1e-9
    assert best.bound_pos <= best.finish_pos + 1e-9 and best.gap >= 0
    assert best == schedule(campaign, effort=30, seed=1)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(max_tasks=6))
def test_optimized_schedule_is_feasible_never_worse_and_its_bound_holds(campaign: Campaign) -> None:
    _need_ortools()
    first = schedule(campaign, effort=20)
    best = schedule(campaign, effort=20, optimize=True, time_limit=2.0)
    assert best.scheduler == "cpsat"
    _check_schedule(campaign, best)
    _check_capacity(campaign, best)
    assert len(best.missed) <= len(first.missed)
    # The proven bound never exceeds either schedule's end.
    assert best.bound_pos <= min(first.finish_pos, best.finish_pos) + 1e-9


@pytest.mark.parametrize("plan", SEEDS, ids=lambda p: p.parent.name)
def test_seed_plans_agree_with_and_without_optimize(plan: Path) -> None:
    _need_ortools()
    runner = CliRunner()
    plain = runner.invoke(cli, ["simulate", str(plan), "--format", "json"])
    opt = runner.invoke(cli, ["simulate", str(plan), "--format", "json", "--optimize", "--time-limit", "3"])
    assert plain.exit_code in (0, 1) and opt.exit_code == plain.exit_code, (plain.output, opt.output)
    a, b = json.loads(plain.output), json.loads(opt.output)
    assert a["schedule"]["scheduler"]["name"] == "heuristic" and b["schedule"]["scheduler"]["name"] == "cpsat"
    assert b["summary"]["missed"] <= a["summary"]["missed"]
    for doc in (a, b):
        sch = doc["schedule"]["scheduler"]
        assert sch["gap"] >= 0 and sch["bound_days"] >= 0
        assert sch["optimal"] == (sch["gap"] == 0)
    c = load_plan(plan)
    _check_schedule(c, schedule(c, optimize=True, time_limit=3))


def test_table_says_scheduler_and_gap() -> None:
    out = CliRunner().invoke(cli, ["simulate", str(SEEDS[0]), "--no-gantt"]).output
    assert "scheduler heuristic:" in out
    out = CliRunner().invoke(cli, ["simulate", str(SEEDS[0]), "--no-gantt", "--lang", "zh"]).output
    assert "排程器 heuristic" in out
