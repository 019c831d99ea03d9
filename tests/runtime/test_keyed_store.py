"""Issue 20: a keyed chain per event. With a key, the store keeps an HMAC of every event and checks it on read.

The unkeyed chain cannot tell events forged by someone with the database (sha256 is public);
a store opened with a key refuses them, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import itertools
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_support import FPB, HF, WH

from campaignflow.errors import TamperedLogError
from campaignflow.runtime import Draft, SQLiteStore, take_checkpoint, verify_checkpoint
from campaignflow.runtime.sqlite import SCHEMA_VERSION
from campaignflow.runtime.contract import check_store, make_events

KEY = b"a host secret of more than 16 bytes"
_paths = itertools.count()


class _Backend:
    """Opens stores on one database and runs the attacker's SQL on it (SQLite file or PostgreSQL schema)."""

    def __init__(self, kind, tmp_path, request):
        self.kind = kind
        if kind == "sqlite":
            self.path = tmp_path / "keyed.db"
            self.t = ""
        else:
            self.url = request.getfixturevalue("pg_url")
            self.schema = request.getfixturevalue("pg_schema")
            self.t = f"{self.schema}."

    def store(self, key=None):
        if self.kind == "sqlite":
            return SQLiteStore(self.path, key=key)
        from campaignflow.runtime import PostgresStore

        return PostgresStore(self.url, schema=self.schema, key=key)

    def sql(self, statement, rows=((),)):
        statement = statement.replace("{t}", self.t)
        if self.kind == "sqlite":
            db = sqlite3.connect(self.path)
            with db:
                db.executemany(statement, rows)
            db.close()
            return
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db, db.cursor() as cur:
            cur.executemany(statement.replace("?", "%s"), rows)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    return _Backend(request.param, tmp_path, request)


def _engine(make_engine, store):
    return make_engine(store=store)


def _forge(backend, events, *, keep, mallory_macs=False):
    """The attacker with the database but not the key: rewrite events past ``keep``, sha256 chain and head fixed."""
    prev = events[keep - 1].hash if keep else "0" * 64
    rows, macs = [], []
    for e in events[keep:]:
        draft = Draft(campaign=e.campaign, kind=e.kind, at=e.at, task=e.task, actor="mallory", unit=e.unit,
                      from_state=e.from_state, to_state=e.to_state, step=e.step, target=e.target, reason=e.reason,
                      ref=e.ref, key=e.key)
        sealed = draft.seal(e.seq, prev)
        rows.append((sealed.body(), sealed.hash, sealed.campaign, sealed.seq))
        macs.append(("f" * 64, sealed.campaign, sealed.seq))
        prev = sealed.hash
    backend.sql("UPDATE {t}events SET body = ?, hash = ? WHERE campaign = ? AND seq = ?", rows)
    if mallory_macs:
        backend.sql("UPDATE {t}event_macs SET mac = ? WHERE campaign = ? AND seq = ?", macs)
    backend.sql("UPDATE {t}campaigns SET head_hash = ? WHERE id = ?", [(prev, events[0].campaign)])


@pytest.fixture()
def keyed(backend, make_engine):
    store = backend.store(KEY)
    engine = _engine(make_engine, store)
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    engine.approve("city-plan@hf", FPB)
    engine.start("city-plan@wh", WH)
    yield backend, engine
    store.close()


def test_a_keyed_store_keeps_the_store_contract(backend, tmp_path):
    if backend.kind == "sqlite":
        check_store(lambda: SQLiteStore(tmp_path / f"contract{next(_paths)}.db", key=KEY))
    else:
        from pg_support import fresh_schema

        from campaignflow.runtime import PostgresStore

        schemas = []

        def make():
            gen = fresh_schema(backend.url)
            schemas.append(gen)
            return PostgresStore(backend.url, schema=next(gen), key=KEY)

        try:
            check_store(make)
        finally:
            for gen in schemas:
                next(gen, None)  # drops the schema


def test_a_keyed_log_reopens_and_verifies_with_its_key(keyed, make_engine):
    backend, engine = keyed
    again = _engine(make_engine, backend.store(KEY))
    assert again.state == engine.state and again.verify().head_seq == engine.seq == 5
    point = take_checkpoint(again.store, engine.campaign.id)
    assert verify_checkpoint(again.store, point).head_seq == 5
    again.store.close()


@pytest.mark.parametrize("mallory_macs", [False, True], ids=["macs kept", "macs forged"])
def test_forged_events_pass_the_unkeyed_chain_but_not_the_key(keyed, make_engine, mallory_macs):
    backend, engine = keyed
    events = engine.history()
    _forge(backend, events, keep=3, mallory_macs=mallory_macs)
    blind = backend.store()  # no key: the sha256 chain alone is fooled (as documented)
    assert _engine(make_engine, blind).verify().head_seq == 5
    blind.close()
    store = backend.store(KEY)
    with pytest.raises(TamperedLogError, match="MAC") as info:
        _engine(make_engine, store)
    assert info.value.sequence == 4
    store.close()


def test_a_forged_append_past_the_head_is_refused(keyed, make_engine):
    backend, engine = keyed
    last = engine.history()[-1]
    forged = Draft(campaign=last.campaign, kind=last.kind, at=last.at, task="city-plan@wh", actor="mallory",
                   unit="wh", from_state="active", to_state="submitted").seal(last.seq + 1, last.hash)
    backend.sql("INSERT INTO {t}events (campaign, seq, kind, task, unit, target, key, body, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(forged.campaign, forged.seq, "submitted", forged.task, forged.unit, None, None, forged.body(),
                  forged.hash)])
    backend.sql("UPDATE {t}campaigns SET head_seq = ?, head_hash = ? WHERE id = ?",
                [(forged.seq, forged.hash, forged.campaign)])
    store = backend.store(KEY)
    with pytest.raises(TamperedLogError, match="no MAC") as info:
        _engine(make_engine, store)
    assert info.value.sequence == forged.seq
    store.close()


def test_a_log_written_without_the_key_is_refused(backend, make_engine):
    store = backend.store()
    _engine(make_engine, store).start("city-plan@hf", HF)
    store.close()
    keyed = backend.store(KEY)
    with pytest.raises(TamperedLogError, match="no MAC") as info:
        _engine(make_engine, keyed)
    assert info.value.sequence == 1
    keyed.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(other=st.binary(min_size=16, max_size=40).filter(lambda k: k != KEY))
def test_a_store_opened_with_another_key_refuses_every_event(tmp_path, other):
    path = tmp_path / f"k{next(_paths)}.db"
    with SQLiteStore(path, key=KEY) as store:
        store.append("c", make_events("c", 3), expected_seq=0)
    with SQLiteStore(path, key=other) as store, pytest.raises(TamperedLogError, match="does not match") as info:
        list(store.read("c"))
    assert info.value.sequence == 1


@pytest.mark.parametrize("key", [b"", b"short", "a text of more than 16 characters"])
def test_a_weak_or_wrong_key_is_a_value_error(tmp_path, key):
    with pytest.raises(ValueError, match="16 bytes"):
        SQLiteStore(tmp_path / "w.db", key=key)


def test_a_version_1_sqlite_store_is_upgraded_in_place(tmp_path):
    path = tmp_path / "v1.db"
    with SQLiteStore(path) as store:
        events = make_events("c", 2)
        store.append("c", events, expected_seq=0)
    db = sqlite3.connect(path)
    db.execute("DROP TABLE event_macs")
    db.execute("DROP TABLE personal")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    with SQLiteStore(path) as store:
        assert list(store.read("c")) == events
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
