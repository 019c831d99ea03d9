"""The audit log: every event hash-chained, tampering detected, histories exported."""

from __future__ import annotations

import sqlite3

import pytest
from runtime_support import FPB, HF, WH

from campaignflow.errors import NotAuthorized, TamperedLogError
from campaignflow.runtime import GENESIS, EventKind, MemoryStore, SQLiteStore, canonical_json, verify_chain


@pytest.fixture()
def sqlite_engine(make_engine, tmp_path):
    path = tmp_path / "audit.db"
    engine = make_engine(store=SQLiteStore(path))
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    engine.reject("city-plan@hf", FPB, reason="内容不全")
    with pytest.raises(NotAuthorized):
        engine.start("city-plan@wh", HF)
    engine.start("city-plan@wh", WH)
    yield engine, path
    engine.store.close()


def test_every_event_records_actor_unit_time_transition_reason(sqlite_engine):
    engine, _ = sqlite_engine
    reject = engine.history(task="city-plan@hf")[-1]
    assert (reject.kind, reject.actor, reject.unit, reject.from_state, reject.to_state, reject.reason) == (
        EventKind.REJECTED, "wang.fpb", "ah-fpb", "submitted", "rejected", "内容不全")
    assert reject.at == engine.clock.now()


def test_the_chain_verifies_and_links_each_event_to_the_one_before(sqlite_engine):
    engine, _ = sqlite_engine
    report = engine.verify()
    events = engine.history()
    assert report.events == len(events) == engine.seq == 6
    assert events[0].prev == GENESIS
    assert all(b.prev == a.hash for a, b in zip(events, events[1:]))
    assert '"kind":"rejected"' in canonical_json(events[3])


@pytest.mark.parametrize("sql, where", [
    ("UPDATE events SET body = replace(body, '内容不全', '内容很好') WHERE seq = 4", 4),
    ("UPDATE events SET body = replace(body, '\"actor\":\"li.hf\"', '\"actor\":\"wang.fpb\"') WHERE seq = 2", 2),
    ("DELETE FROM events WHERE seq = 3", 3),
])
def test_tampering_with_a_stored_event_is_detected(sqlite_engine, sql, where):
    engine, path = sqlite_engine
    db = sqlite3.connect(path)
    with db:
        db.execute(sql)
    db.close()
    with pytest.raises(TamperedLogError) as info:
        engine.verify()
    assert info.value.sequence == where


def test_rewriting_the_hash_too_breaks_the_next_link(sqlite_engine):
    engine, path = sqlite_engine
    forged = engine.history()[3]
    import attrs

    forged = attrs.evolve(forged, reason="内容很好")
    forged = attrs.evolve(forged, hash=forged.expected_hash())
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE events SET body = ?, hash = ? WHERE seq = 4", (forged.body(), forged.hash))
    db.close()
    with pytest.raises(TamperedLogError, match="event 5 does not follow event 4") as info:
        engine.verify()
    assert info.value.sequence == 5


def test_dropping_the_last_events_is_detected_by_the_head(sqlite_engine):
    engine, path = sqlite_engine
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM events WHERE seq >= 5")
    db.close()
    with pytest.raises(TamperedLogError, match="head"):
        engine.verify()
    # Without the head, the shortened log is a valid prefix: the head is what catches it.
    store = SQLiteStore(path)
    assert verify_chain(engine.campaign.id, store.read(engine.campaign.id)).events == 4
    store.close()


@pytest.mark.parametrize("sql, where, match", [
    ("UPDATE events SET body = '{garbage' WHERE seq = 3", 3, "cannot be read"),
    ("UPDATE events SET body = replace(body, '\"submitted\"', '\"bogus\"') WHERE seq = 3", 3, "cannot be read"),
    ("UPDATE campaigns SET head_hash = 'x'", 6, "head hash"),
])
def test_unreadable_events_and_a_changed_head_hash_are_tampering(sqlite_engine, sql, where, match):
    engine, path = sqlite_engine
    db = sqlite3.connect(path)
    with db:
        db.execute(sql)
    db.close()
    with pytest.raises(TamperedLogError, match=match) as info:
        engine.verify()
    assert info.value.sequence == where


@pytest.mark.parametrize("sql", ["DELETE FROM events WHERE seq = 3", "UPDATE events SET body = 'x' WHERE seq = 3"])
def test_opening_a_tampered_log_that_cannot_be_replayed_raises_tampered(sqlite_engine, make_engine, sql):
    engine, path = sqlite_engine
    db = sqlite3.connect(path)
    with db:
        db.execute(sql)
    db.close()
    store = SQLiteStore(path)
    with pytest.raises(TamperedLogError):
        make_engine(store=store)
    store.close()


@pytest.mark.parametrize("sql, where, match", [
    ("UPDATE events SET body = replace(body, '内容不全', '内容很好') WHERE seq = 4", 4, "changed after"),
    ("UPDATE campaigns SET head_hash = 'x'", 6, "head hash"),
    ("DELETE FROM events WHERE seq >= 5", 5, "head"),
])
def test_opening_a_tampered_log_that_still_replays_raises_tampered_unless_told_not_to_verify(
        sqlite_engine, make_engine, sql, where, match):
    engine, path = sqlite_engine
    db = sqlite3.connect(path)
    with db:
        db.execute(sql)
    db.close()
    store = SQLiteStore(path)
    with pytest.raises(TamperedLogError, match=match) as info:
        make_engine(store=store)
    assert info.value.sequence == where
    assert make_engine(store=store, verify=False).seq >= 4
    store.close()


def test_opening_verifies_the_log_up_to_the_head_while_another_writer_appends(make_engine):
    class Racing(MemoryStore):
        """Another process appends between the engine reading the head and reading the log."""

        other = None

        def head(self, campaign):
            head = super().head(campaign)
            other, self.other = self.other, None  # once
            if other is not None:
                other.start("city-plan@wh", WH)
            return head

    store = Racing()
    first = make_engine(store=store)
    first.start("city-plan@hf", HF)
    store.other = first
    second = make_engine(store=store)
    assert store.other is None and second.seq == first.seq == 3 and second.state == first.state


def test_history_of_a_task_and_of_a_unit(sqlite_engine):
    engine, _ = sqlite_engine
    assert [e.kind for e in engine.history(task="city-plan@hf")] == [
        EventKind.STARTED, EventKind.SUBMITTED, EventKind.REJECTED]
    wh = engine.history(unit="wh")
    assert [e.kind for e in wh] == [EventKind.STARTED]
    fpb = engine.history(unit="ah-fpb")
    assert [e.kind for e in fpb] == [EventKind.REJECTED]
    assert fpb[0].to_dict()["hash"] == fpb[0].hash
