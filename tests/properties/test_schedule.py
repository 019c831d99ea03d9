"""Valid-by-construction plans against the scheduler: nothing is late, however long the work takes.

The strategies place every deadline after the latest its prerequisites may
finish within their own deadlines, with pessimistic durations. So the
deterministic schedule meets every deadline, and so does every Monte-Carlo
run. (tests/simulate/ holds the scheduler's own invariants.)
"""

from __future__ import annotations

from hypothesis import given, note, settings

from campaignflow.model import Campaign
from campaignflow.plugins.manager import Plugins
from campaignflow.simulate import schedule, simulate
from campaignflow.testing.strategies import campaigns
from campaignflow.writer import to_toml

PLANS = campaigns(max_tasks=6, templates=True, repeat=True, approvals=True, capacity=True)


@given(campaign=PLANS)
def test_the_schedule_of_a_valid_plan_misses_no_deadline(campaign: Campaign, builtin_plugins: Plugins) -> None:
    note(to_toml(campaign))
    s = schedule(campaign, plugins=builtin_plugins)
    assert s.missed == ()
    assert len(s.deadlines) == sum(
        (t.window.deadline() is not None) + sum(a.due is not None for a in t.approvals) for t in campaign.tasks.values())


@settings(max_examples=30)
@given(campaign=PLANS)
def test_every_run_of_a_valid_plan_meets_every_deadline(campaign: Campaign, builtin_plugins: Plugins) -> None:
    note(to_toml(campaign))
    result = simulate(campaign, runs=16, seed=7, approval_spread=(1.0, 1.0), plugins=builtin_plugins,
                      engine="python")
    assert [(r.label, r.probability) for r in result.deadlines if r.probability != 1.0] == []
