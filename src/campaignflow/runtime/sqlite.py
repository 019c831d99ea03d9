"""The embedded default store: one SQLite file, WAL, durable commits (``synchronous=FULL``).

Several processes may open the same file: SQLite serialises writers and the
conditional update of the campaign's head row makes a stale writer fail with
``ConcurrencyConflict`` instead of overwriting anyone.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .sqlbase import SQLStore, check_key

__all__ = ["SQLiteStore", "SCHEMA_VERSION"]

#: ``PRAGMA user_version`` of the layout below; bumped on every change to it.
SCHEMA_VERSION = 3  # 2: event_macs (a store with a key); 3: personal (runtime/personal.py)

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
CREATE TABLE IF NOT EXISTS event_macs (
    campaign TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    mac      TEXT NOT NULL,
    PRIMARY KEY (campaign, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS personal (
    campaign TEXT NOT NULL,
    token    TEXT NOT NULL,
    subject  TEXT NOT NULL,
    value    TEXT,
    PRIMARY KEY (campaign, token)
) WITHOUT ROWID;
"""

_SYNC = ("OFF", "NORMAL", "FULL", "EXTRA")


class _SQLiteTx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, args: Sequence[object]) -> int:
        return self._db.execute(sql, args).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._db.executemany(sql, rows)


class SQLiteStore(SQLStore):
    """An event store in a SQLite database file.

    Args:
        path: the database file (created if missing), or ``":memory:"``.
        synchronous: SQLite's ``synchronous`` setting. ``FULL`` (the default)
            makes every acknowledged append survive a power cut; ``NORMAL``
            survives a crash of the process but may lose the last appends on
            a power cut.
        timeout: seconds to wait for another process's write lock.
        key: a secret of at least 16 bytes, held outside the database: every append then
            also stores an HMAC-SHA256 of each event's hash, and every read refuses an event
            without a valid one (``TamperedLogError``), so events forged by someone who can
            write the file but lacks the key are detected. Every process writing the log
            must have the same key, from its first event on.
    """

    def __init__(self, path: str | Path, *, synchronous: str = "FULL", timeout: float = 30.0,
                 key: bytes | None = None) -> None:
        if synchronous.upper() not in _SYNC:
            msg = f"synchronous must be one of {', '.join(_SYNC)}, got {synchronous!r}"
            raise ValueError(msg)
        self.path = str(path)
        self._key = check_key(key)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            _while_locked(self._enter_wal, timeout)
            self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
            _while_locked(self._init_schema, timeout)
        except sqlite3.Error as exc:
            msg = f"cannot open the store {self.path}: {exc}"
            raise StoreError(msg) from exc

    def _enter_wal(self) -> None:
        # Switching to WAL needs an exclusive lock; once a file is in WAL (the mode is
        # persistent) reading the mode needs none, so later openers never contend for it.
        (mode,) = self._db.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() != "wal":
            self._db.execute("PRAGMA journal_mode=WAL")

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

    # -- the dialect (see SQLStore) ---------------------------------------------------------

    # The head row is created with OR IGNORE: a second first append changes 0 rows (a conflict).
    _FIRST_HEAD = "INSERT OR IGNORE INTO {t}campaigns (id, head_seq, head_hash) VALUES (?, ?, ?)"
    _ERRORS = (sqlite3.Error,)
    _INTEGRITY = (sqlite3.IntegrityError,)

    @contextmanager
    def _transaction(self) -> Iterator[_SQLiteTx]:
        db = self._db
        # IMMEDIATE takes the write lock at once (waiting up to the busy timeout), so the
        # head check and the inserts see no other writer in between.
        db.execute("BEGIN IMMEDIATE")
        try:
            yield _SQLiteTx(db)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _fetch(self, sql: str, args: Sequence[object]) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, args).fetchall()

    def _where(self) -> str:
        return self.path

    # Erasing personal data (personal.py): zero the freed bytes, then copy the WAL into the file
    # and truncate it, so the erased values are in neither (backups are the host's to handle).
    def _before_erase(self) -> None:
        with self._lock:
            self._db.execute("PRAGMA secure_delete=ON")

    def _after_erase(self) -> None:
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:  # a reader holds the WAL: the next checkpoint overwrites it
                pass

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"<SQLiteStore {self.path!r}>"


def _while_locked(step: Callable[[], None], timeout: float) -> None:
    """Run ``step``, again while SQLite says the file is locked, for up to ``timeout`` seconds.

    SQLite does not call its busy handler where waiting could deadlock, which happens when
    two processes open a new file at once (one switching it to WAL, one creating the tables):
    the loser gets "database is locked" at once, not after ``timeout``.
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
