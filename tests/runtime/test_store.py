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
