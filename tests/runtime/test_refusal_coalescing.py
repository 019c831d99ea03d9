"""Identical refusals in a short window are counted, not logged again; every distinct refusal is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import T0, small_campaign

from campaignflow.errors import NotAuthorized, TransitionError
from campaignflow.runtime import Actor, Engine, EventKind, ManualClock, MemoryStore

HF = Actor("hf.clerk", {"hf"})
WH = Actor("wh.clerk", {"wh"})


def _refused(engine: Engine) -> list[tuple[str | None, str | None, str | None]]:
    return [(e.task, e.actor, e.ref) for e in engine.history() if e.kind is EventKind.REFUSED]


def test_a_double_click_is_logged_once_with_a_count(plugins, clock):
    engine = Engine.open(small_campaign(), MemoryStore(), plugins=plugins, clock=clock)
    engine.coalesce_seconds = 60
    for _ in range(3):
        clock.advance(timedelta(seconds=1))
        with pytest.raises(NotAuthorized):
            engine.start("city-plan@hf", WH)
    (refusal,) = [e for e in engine.history() if e.kind is EventKind.REFUSED]
    assert engine.coalesced_refusals == {refusal.seq: 2}
    # After the window, or after another event, the same refusal is logged again.
    clock.advance(timedelta(seconds=61))
    with pytest.raises(NotAuthorized):
        engine.start("city-plan@hf", WH)
    engine.start("city-plan@hf", HF)
    with pytest.raises(TransitionError):
        engine.start("city-plan@hf", WH)
    assert len(_refused(engine)) == 3


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["start", "complete", "approve"]),
                          st.sampled_from(["city-plan@hf", "city-plan@wh", "budget"]),
                          st.sampled_from([HF, WH]), st.integers(0, 90)), max_size=20))
def test_every_refusal_is_logged_or_counted_and_distinct_ones_are_logged(steps):
    from campaignflow.plugins.manager import create_plugin_manager

    clock = ManualClock(T0)
    engine = Engine.open(small_campaign(), MemoryStore(), plugins=create_plugin_manager(entry_points=False,
                                                                                         use_env=False), clock=clock)
    engine.coalesce_seconds = 60
    refusals = 0
    previous = None
    for action, task, actor, wait in steps:
        clock.advance(timedelta(seconds=wait))
        try:
            getattr(engine, action)(task, actor)
            previous = None
        except TransitionError as exc:
            refusals += 1
            signature = (action, task, actor.person, str(exc))
            logged = engine.history()[-1]
            # A refusal that differs from the one just before it is always in the log.
            if signature != previous:
                assert logged.kind is EventKind.REFUSED and logged.reason == str(exc)
            previous = signature
    assert len(_refused(engine)) + sum(engine.coalesced_refusals.values()) == refusals


def test_by_default_every_refusal_is_logged(engine):
    for _ in range(3):
        with pytest.raises(NotAuthorized):
            engine.start("city-plan@hf", WH)
    assert len(_refused(engine)) == 3 and engine.coalesced_refusals == {}
