"""Events reach plugins (campaignflow_after_event) and host subscribers; a failing listener corrupts nothing."""

from __future__ import annotations

import logging

from runtime_support import HF, T0, small_campaign

from campaignflow.plugins import hookimpl
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, EventKind, ManualClock, MemoryStore, replay


class _Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []
        self.errors: list[tuple[int, str, str]] = []

    @hookimpl
    def campaignflow_after_event(self, event, campaign):
        self.seen.append((event.seq, campaign.id))

    @hookimpl
    def campaignflow_on_event_error(self, event, plugin, error):
        self.errors.append((event.seq, plugin, str(error)))


class _Broken:
    @hookimpl
    def campaignflow_after_event(self, event):
        raise RuntimeError("notification service down")


def _engine(*plugins):
    pm = create_plugin_manager(entry_points=False, use_env=False, plugins=plugins)
    return Engine.open(small_campaign(), MemoryStore(), plugins=pm, clock=ManualClock(T0))


def test_plugins_see_every_committed_event_once():
    recorder = _Recorder()
    engine = _engine(recorder)
    engine.start("city-plan@hf", HF)
    engine.complete("city-plan@hf", HF)
    assert recorder.seen == [(1, "ah-test"), (2, "ah-test"), (3, "ah-test")]


def test_a_failing_plugin_is_reported_and_the_log_is_intact(caplog):
    recorder, broken = _Recorder(), _Broken()
    engine = _engine(recorder, broken)
    with caplog.at_level(logging.ERROR, logger="campaignflow.runtime"):
        event = engine.start("city-plan@hf", HF)
    assert event.kind is EventKind.STARTED
    assert (2, "ah-test") in recorder.seen
    assert [(seq, err) for seq, _, err in recorder.errors] == [(1, "notification service down"),
                                                              (2, "notification service down")]
    assert "failed on event 2" in caplog.text
    engine.verify()
    assert replay(engine.campaign.id, engine.store.read(engine.campaign.id)) == engine.state


def test_host_subscribers_and_unsubscribe():
    engine = _engine()
    seen, boom = [], []

    def failing(event):
        boom.append(event.seq)
        raise ValueError("host bug")

    unsubscribe = engine.subscribe(seen.append)
    engine.subscribe(failing)
    engine.start("city-plan@hf", HF)
    unsubscribe()
    engine.complete("city-plan@hf", HF)
    assert [e.kind for e in seen] == [EventKind.STARTED]
    assert boom == [2, 3]
    assert engine.task("city-plan@hf").state == "completed"
