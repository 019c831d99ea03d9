"""Both built-in stores keep the documented store contract; SQLite specifics."""

from __future__ import annotations

import sqlite3

import pytest

from campaignflow.errors import StoreError
from campaignflow.runtime import MemoryStore, SQLiteStore, Store
from campaignflow.runtime.contract import check_store, make_events


@pytest.mark.parametrize("kind", ["memory", "sqlite-file", "sqlite-memory"])
def test_store_contract(kind, tmp_path):
    factories = {
        "memory": MemoryStore,
        "sqlite-file": lambda: SQLiteStore(tmp_path / "c.db"),
        "sqlite-memory": lambda: SQLiteStore(":memory:"),
    }
    check_store(factories[kind])


def test_stores_satisfy_the_protocol(tmp_path):
    assert isinstance(MemoryStore(), Store)
    with SQLiteStore(tmp_path / "p.db") as store:
        assert isinstance(store, Store)


def test_a_broken_store_fails_the_contract():
    class Forgetful(MemoryStore):
        def append(self, campaign, events, *, expected_seq):  # ignores the expected sequence number
            self._logs.setdefault(campaign, []).extend(events)

    with pytest.raises(AssertionError, match="stale sequence number"):
        check_store(Forgetful)


def test_sqlite_is_durable_by_default(tmp_path):
    with SQLiteStore(tmp_path / "d.db") as store:
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteStore(tmp_path / "e.db", synchronous="sometimes")


def test_sqlite_reopens_what_it_wrote(tmp_path):
    events = make_events("c", 4)
    with SQLiteStore(tmp_path / "r.db") as store:
        store.append("c", events, expected_seq=0)
    with SQLiteStore(tmp_path / "r.db") as store:
        assert list(store.read("c")) == events


def test_not_a_database_is_a_store_error(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text("format = 1\n" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="cannot open the store"):
        SQLiteStore(path)


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(StoreError, match="newer campaignflow"):
        SQLiteStore(path)


# -- PostgreSQL (a real server: see tests/runtime/pg_support.py) -------------------------


def test_postgres_keeps_the_store_contract(pg_url, pg_schema):
    from campaignflow.runtime import PostgresStore

    check_store(lambda: PostgresStore(pg_url, schema=pg_schema))


def test_postgres_schema_creation_is_idempotent_under_a_race(pg_url, pg_schema):
    import threading

    from campaignflow.runtime import PostgresStore

    # Eight processes starting at once (threads with a connection each race the same way on the server).
    barrier, stores, errors = threading.Barrier(8), [], []

    def start() -> None:
        barrier.wait()
        try:
            stores.append(PostgresStore(pg_url, schema=pg_schema))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = make_events("c", 3)
    stores[0].append("c", events, expected_seq=0)
    assert all(list(s.read("c")) == events for s in stores)
    for store in stores:
        store.close()


def test_postgres_two_writers_never_commit_one_position(pg_url, pg_schema):
    from campaignflow.errors import ConcurrencyConflict
    from campaignflow.runtime import PostgresStore

    with PostgresStore(pg_url, schema=pg_schema) as a, PostgresStore(pg_url, schema=pg_schema) as b:
        first = make_events("c", 2)
        a.append("c", first, expected_seq=0)
        mine, theirs = make_events("c", 1, after=first[-1]), make_events("c", 1, after=first[-1], task="other")
        b.append("c", theirs, expected_seq=2)
        with pytest.raises(ConcurrencyConflict):
            a.append("c", mine, expected_seq=2)
        assert [e.task for e in a.read("c")] == ["t", "t", "other"]


def test_postgres_reopens_what_it_wrote_and_refuses_a_newer_schema(pg_url, pg_schema):
    import psycopg

    from campaignflow.runtime import PostgresStore

    events = make_events("c", 4)
    with PostgresStore(pg_url, schema=pg_schema) as store:
        store.append("c", events, expected_seq=0)
    with PostgresStore(pg_url, schema=pg_schema) as store:
        assert list(store.read("c")) == events
        assert [(h.campaign, h.seq) for h in store.campaigns()] == [("c", 4)]
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(f"UPDATE {pg_schema}.meta SET value = 99 WHERE name = 'schema_version'")
    with pytest.raises(StoreError, match="newer campaignflow"):
        PostgresStore(pg_url, schema=pg_schema)


def test_postgres_unreachable_is_a_store_error():
    pytest.importorskip("psycopg")
    from campaignflow.runtime import PostgresStore

    with pytest.raises(StoreError, match="cannot connect"):
        PostgresStore("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)
    with pytest.raises(ValueError, match="schema"):
        PostgresStore("postgresql://nobody@127.0.0.1:1/none", schema="x; DROP TABLE y")


def test_open_store_chooses_by_location(tmp_path, monkeypatch):
    from campaignflow.runtime import DATABASE_URL_ENV, is_database_url, open_store

    assert is_database_url("postgresql://u@h/db") and is_database_url("POSTGRES://h/db")
    assert not is_database_url(str(tmp_path / "x.db")) and not is_database_url(tmp_path)
    with open_store(tmp_path / "s.db") as store:
        assert isinstance(store, SQLiteStore)
    monkeypatch.setenv(DATABASE_URL_ENV, str(tmp_path / "env.db"))
    open_store().close()
    assert (tmp_path / "env.db").exists()
