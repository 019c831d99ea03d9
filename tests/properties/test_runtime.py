"""Any valid plan runs to completion by its own units, and its log replays to the live state.

tests/runtime/ checks the state machine move by move on one plan; here the
plans vary (templates, repeats, consent steps, 会签 and 或签), the moves are
the legal ones in an order Hypothesis picks, and the run must end with every
task done.
"""

from __future__ import annotations

import random
from datetime import datetime, time

from hypothesis import given, note
from hypothesis import strategies as st

from campaignflow.model import Campaign
from campaignflow.plugins.manager import Plugins
from campaignflow.runtime import Actor, Engine, ManualClock, SQLiteStore, TaskState, replay
from campaignflow.runtime.views import TaskView
from campaignflow.testing.strategies import campaigns
from campaignflow.writer import to_toml

_WORKING = (TaskState.READY, TaskState.ACTIVE, TaskState.COMPLETED, TaskState.SUBMITTED)


def _advance(engine: Engine, clock: ManualClock, view: TaskView, actors: dict[str, Actor]) -> None:
    """One legal move on ``view``, by a unit allowed to make it."""
    lead = actors[view.lead]
    if view.state is TaskState.READY:
        if view.opens is not None and clock.now() < view.opens:
            clock.set(view.opens)
        engine.start(view.id, lead)
    elif view.state is TaskState.ACTIVE:
        engine.complete(view.id, lead)
    elif view.state is TaskState.COMPLETED:
        engine.submit(view.id, lead)
    else:
        engine.approve(view.id, actors[view.approvers[0]])


@given(campaign=campaigns(max_tasks=6, templates=True, repeat=True, approvals=True), rnd=st.randoms())
def test_a_valid_plan_runs_to_completion_and_replays(campaign: Campaign, rnd: random.Random,
                                                     builtin_plugins: Plugins) -> None:
    note(to_toml(campaign))
    store = SQLiteStore(":memory:")
    clock = ManualClock(datetime.combine(campaign.start, time(9)))
    engine = Engine.open(campaign, store, plugins=builtin_plugins, clock=clock)
    actors = {uid: Actor(f"staff-of-{uid}", {uid}) for uid in campaign.units}
    # Each task needs at most start, complete, submit and one approval per unit of each step.
    budget = sum(3 + sum(len(campaign.expand(a.by)) for a in t.approvals) for t in campaign.tasks.values())
    for _ in range(budget):
        movable = [v for v in engine.tasks() if v.state in _WORKING]
        if not movable:
            break
        _advance(engine, clock, rnd.choice(movable), actors)
    states = {v.id: v.state for v in engine.tasks()}
    assert set(states.values()) == {TaskState.DONE}, states
    assert replay(campaign.id, list(store.read(campaign.id))) == engine.state
    again = Engine.open(campaign, store, plugins=builtin_plugins, clock=clock)
    assert again.state == engine.state
    assert again.verify()
    store.close()
