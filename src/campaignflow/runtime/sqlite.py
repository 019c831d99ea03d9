"""The embedded default store: one SQLite file, WAL, durable commits (``synchronous=FULL``).

Several processes may open the same file: SQLite serialises writers and the
conditional update of the campaign's head row makes a stale writer fail with
``ConcurrencyConflict`` instead of overwriting anyone.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConcurrencyConflict, StoreError
from .events import GENESIS, Event
from .store import CampaignHead, check_batch

__all__ = ["SQLiteStore", "SCHEMA_VERSION"]

#: ``PRAGMA user_version`` of the layout below; bumped on every change to it.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (
    id        TEXT PRIMARY KEY,
    head_seq  INTEGER NOT NULL,
    head_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    campaign TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    task     TEXT,
    unit     TEXT,
    target   TEXT,
    key      TEXT,
    body     TEXT NOT NULL,
    hash     TEXT NOT NULL,
    PRIMARY KEY (campaign, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events (campaign, key) WHERE key IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_task ON events (campaign, task) WHERE task IS NOT NULL;
"""

_SYNC = ("OFF", "NORMAL", "FULL", "EXTRA")


class SQLiteStore:
    """An event store in a SQLite database file.

    Args:
        path: the database file (created if missing), or ``":memory:"``.
        synchronous: SQLite's ``synchronous`` setting. ``FULL`` (the default)
            makes every acknowledged append survive a power cut; ``NORMAL``
            survives a crash of the process but may lose the last appends on
            a power cut.
        timeout: seconds to wait for another process's write lock.
    """

    def __init__(self, path: str | Path, *, synchronous: str = "FULL", timeout: float = 30.0) -> None:
        if synchronous.upper() not in _SYNC:
            msg = f"synchronous must be one of {', '.join(_SYNC)}, got {synchronous!r}"
            raise ValueError(msg)
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
            self._init_schema()
        except sqlite3.Error as exc:
            msg = f"cannot open the store {self.path}: {exc}"
            raise StoreError(msg) from exc

    def _init_schema(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            msg = (f"the store {self.path} was written by a newer campaignflow (schema {version}, "
                   f"this one knows {SCHEMA_VERSION})")
            raise StoreError(msg)
        if version < SCHEMA_VERSION:
            # Statements one by one inside BEGIN IMMEDIATE: executescript would commit early,
            # and two processes creating the file at once must not both migrate it.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    # -- the Store protocol ------------------------------------------------------------

    def head(self, campaign: str) -> CampaignHead:
        rows = self._query("SELECT head_seq, head_hash FROM campaigns WHERE id = ?", (campaign,))
        if not rows:
            return CampaignHead(campaign, 0, GENESIS)
        return CampaignHead(campaign, rows[0][0], rows[0][1])

    def append(self, campaign: str, events: Sequence[Event], *, expected_seq: int) -> None:
        if not events:
            return
        check_batch(campaign, events, expected_seq)
        last = events[-1]
        rows = [(campaign, e.seq, str(e.kind), e.task, e.unit, e.target, e.key, e.body(), e.hash) for e in events]
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                msg = f"cannot write to the store {self.path}: {exc}"
                raise StoreError(msg) from exc
            try:
                if expected_seq == 0:
                    cur = db.execute("INSERT OR IGNORE INTO campaigns (id, head_seq, head_hash) VALUES (?, ?, ?)",
                                     (campaign, last.seq, last.hash))
                else:
                    cur = db.execute(
                        "UPDATE campaigns SET head_seq = ?, head_hash = ? WHERE id = ? AND head_seq = ? "
                        "AND head_hash = ?", (last.seq, last.hash, campaign, expected_seq, events[0].prev))
                if cur.rowcount != 1:
                    msg = f"campaign {campaign!r} has moved on from event {expected_seq}; reload and retry"
                    raise ConcurrencyConflict(msg)
                if len(rows) == 1:
                    db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows[0])
                else:
                    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                db.execute("COMMIT")
            except BaseException as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.IntegrityError):
                    msg = f"an event of this batch is already stored in campaign {campaign!r} (key or sequence)"
                    raise ConcurrencyConflict(msg) from exc
                if isinstance(exc, sqlite3.Error):
                    msg = f"cannot write to the store {self.path}: {exc}"
                    raise StoreError(msg) from exc
                raise

    def read(self, campaign: str, *, after: int = 0, task: str | None = None,
             unit: str | None = None) -> Iterator[Event]:
        sql = "SELECT body, hash FROM events WHERE campaign = ? AND seq > ?"
        args: list[object] = [campaign, after]
        if task is not None:
            sql += " AND task = ?"
            args.append(task)
        if unit is not None:
            sql += " AND (unit = ? OR target = ?)"
            args += [unit, unit]
        rows = self._query(sql + " ORDER BY seq", args)
        return (Event.from_json(body, hash_) for body, hash_ in rows)

    def event_for_key(self, campaign: str, key: str) -> Event | None:
        rows = self._query("SELECT body, hash FROM events WHERE campaign = ? AND key = ?", (campaign, key))
        return Event.from_json(rows[0][0], rows[0][1]) if rows else None

    def campaigns(self) -> list[CampaignHead]:
        rows = self._query("SELECT id, head_seq, head_hash FROM campaigns ORDER BY id", ())
        return [CampaignHead(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- helpers -------------------------------------------------------------------------

    def _query(self, sql: str, args: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                msg = f"cannot read the store {self.path}: {exc}"
                raise StoreError(msg) from exc

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SQLiteStore {self.path!r}>"
