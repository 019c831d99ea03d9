"""The event log on PostgreSQL (and the databases compatible with it), for hosts on many processes.

Needs the ``postgres`` extra (psycopg 3). The same contract as ``SQLiteStore``:

* **Exactly-once appends.** The campaign's head row is updated only if it still
  ends at the expected sequence number and hash (row-locked, so two writers
  serialise and the second one sees zero rows and gets ``ConcurrencyConflict``);
  ``(campaign, seq)`` is a primary key and ``(campaign, key)`` a unique index, so
  even a writer that bypassed the head check could not commit a position twice.
* **Durable on return**: every transaction commits with ``synchronous_commit=on``.
* **Idempotent schema creation under races**: the tables are created in one
  transaction with ``IF NOT EXISTS``; a process that loses the race to another one
  creating them at the same moment (a unique violation on the catalog) rolls back
  and tries again, and then finds them.
* **No SKIP LOCKED, no advisory locks, and no LISTEN/NOTIFY unless asked**: other
  processes see new events when they poll ``Engine.refresh()``, which reads ``seq > n``
  on the primary key. ``notify=True`` (where the server has LISTEN/NOTIFY) announces each
  append, and ``wait_for_events`` wakes on it instead of polling.
* A lost connection (a server restart, a network cut) raises ``StoreError``; the
  next call reconnects, so a host that retries recovers as soon as the server is back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import StoreError
from .sqlbase import SQLStore, check_key
from .store import poll_for_events

__all__ = ["PostgresStore", "POSTGRES_SCHEMA_VERSION"]

#: The ``schema_version`` row of the layout below; bumped on every change to it.
POSTGRES_SCHEMA_VERSION = 3  # 2: event_macs (a store with a key); 3: personal (runtime/personal.py)

_TABLES = [
    "CREATE TABLE IF NOT EXISTS {s}.meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS {s}.campaigns (
        id        TEXT PRIMARY KEY,
        head_seq  BIGINT NOT NULL,
        head_hash TEXT NOT NULL)""",
    # body is TEXT, not JSONB: the canonical JSON must come back byte for byte, or the hash breaks.
    """CREATE TABLE IF NOT EXISTS {s}.events (
        campaign TEXT NOT NULL,
        seq      BIGINT NOT NULL,
        kind     TEXT NOT NULL,
        task     TEXT,
        unit     TEXT,
        target   TEXT,
        key      TEXT,
        body     TEXT NOT NULL,
        hash     TEXT NOT NULL,
        PRIMARY KEY (campaign, seq))""",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_key ON {s}.events (campaign, key) WHERE key IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS events_task ON {s}.events (campaign, task) WHERE task IS NOT NULL",
    """CREATE TABLE IF NOT EXISTS {s}.event_macs (
        campaign TEXT NOT NULL,
        seq      BIGINT NOT NULL,
        mac      TEXT NOT NULL,
        PRIMARY KEY (campaign, seq))""",
    # Personal values outside the chain (runtime/personal.py); value is NULL once erased.
    """CREATE TABLE IF NOT EXISTS {s}.personal (
        campaign TEXT NOT NULL,
        token    TEXT NOT NULL,
        subject  TEXT NOT NULL,
        value    TEXT,
        PRIMARY KEY (campaign, token))""",
]


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # the extra is optional
        msg = "PostgresStore needs psycopg 3: pip install 'campaignflow[postgres]'"
        raise StoreError(msg) from exc
    return psycopg


class _PostgresTx:
    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, sql: str, args: Sequence[object]) -> int:
        self._cur.execute(sql, args)
        return self._cur.rowcount  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._cur.executemany(sql, rows)


class PostgresStore(SQLStore):
    """An event store in a PostgreSQL database.

    Args:
        dsn: a libpq connection string or URL, ``postgresql://user@host:5432/db``.
        schema: the PostgreSQL schema holding the tables (created if missing), so
            that the log can live in a database shared with the host's own tables.
        connect_timeout: seconds to wait for the server when (re)connecting.
        notify: announce every append with ``NOTIFY`` and let ``wait_for_events`` wake on it
            (``LISTEN``, on a second connection opened on first use), so that other processes
            refresh as soon as one commits. Off by default: some PostgreSQL-compatible databases
            lack LISTEN/NOTIFY, and polling works everywhere. Every store of the campaign that
            appends must have it on, or their appends are only seen when a wait times out.
        key: a secret of at least 16 bytes, held outside the database: every append also stores
            an HMAC-SHA256 of each event's hash, and every read refuses an event without a valid
            one (``TamperedLogError``). See ``SQLiteStore``.

    One connection per store, used under a lock: a host with many threads opens
    one store per thread or accepts that they take turns.
    """

    def __init__(self, dsn: str, *, schema: str = "campaignflow", connect_timeout: float = 10.0,
                 notify: bool = False, key: bytes | None = None) -> None:
        self._pg = _psycopg()
        if not schema.replace("_", "").isalnum() or not schema[0].isalpha():
            msg = f"schema must be a plain identifier (letters, digits, _), got {schema!r}"
            raise ValueError(msg)
        self.dsn = dsn
        self.schema = schema
        self.connect_timeout = connect_timeout
        self._tables = f"{schema}."
        self._key = check_key(key)
        self._ERRORS = (self._pg.Error,)
        self._INTEGRITY = (self._pg.errors.IntegrityError,)
        self._lock = threading.RLock()
        self._db: Any = None
        #: Whether appends NOTIFY and waits LISTEN (see the class's ``notify`` argument).
        self.notify = notify
        # The channel of this schema's appends; the payload is the campaign id.
        self._channel = f"campaignflow_{schema.lower()}"
        self._listen_lock = threading.Lock()
        self._listener: Any = None
        with self._lock:
            self._connect()
            self._init_schema()
            if notify:
                self._check_notify()

    # -- connection ----------------------------------------------------------------------

    def _where(self) -> str:
        # The URL without its password, for messages.
        try:
            info = self._pg.conninfo.conninfo_to_dict(self.dsn)
        except Exception:  # noqa: BLE001 - a malformed DSN is reported by connect itself
            return "PostgreSQL"
        return f"PostgreSQL {info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"

    def _connect(self) -> Any:
        if self._db is not None and not self._db.closed and not self._db.broken:
            return self._db
        if self._db is not None:
            self._db.close()
            self._db = None
        try:
            db = self._pg.connect(self.dsn, autocommit=True, connect_timeout=max(1, int(self.connect_timeout)))
            # Durable on return whatever the server's default is.
            db.execute("SET synchronous_commit = on")
        except (self._pg.Error, ValueError) as exc:
            msg = f"cannot connect to the store {self._where()}: {str(exc).strip()}"
            raise StoreError(msg) from exc
        self._db = db
        return db

    def _init_schema(self) -> None:
        s = self.schema
        pg = self._pg
        for attempt in range(5):
            db = self._connect()
            try:
                with db.transaction():
                    found = db.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
                                       "AND table_name = 'meta'", (s,)).fetchone()
                    version = 0
                    if found:
                        row = db.execute(f"SELECT value FROM {s}.meta WHERE name = 'schema_version'").fetchone()
                        version = row[0] if row else 0
                    if version > POSTGRES_SCHEMA_VERSION:
                        msg = (f"the store {self._where()} was written by a newer campaignflow (schema {version}, "
                               f"this one knows {POSTGRES_SCHEMA_VERSION})")
                        raise StoreError(msg)
                    if version == POSTGRES_SCHEMA_VERSION:
                        return
                    db.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
                    for statement in _TABLES:
                        db.execute(statement.format(s=s))
                    db.execute(f"INSERT INTO {s}.meta (name, value) VALUES ('schema_version', %s) "
                               "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value", (POSTGRES_SCHEMA_VERSION,))
                return
            except (pg.errors.UniqueViolation, pg.errors.DuplicateObject, pg.errors.DuplicateTable,
                    pg.errors.DuplicateSchema):
                # Another process created the same object at the same moment; it has committed
                # by now (our statement waited for it), so the next attempt finds it.
                if attempt == 4:
                    raise
            except pg.Error as exc:
                msg = f"cannot create the tables of the store {self._where()}: {str(exc).strip()}"
                raise StoreError(msg) from exc

    # -- the dialect (see SQLStore) ---------------------------------------------------------

    # The head row's first INSERT is SQLStore's plain one (no ON CONFLICT): the primary key
    # refuses a second first append.
    _PARAM = "%s"

    @contextmanager
    def _transaction(self) -> Iterator[_PostgresTx]:
        db = self._connect()
        # READ COMMITTED: a concurrent writer waits on the head row's lock, then re-checks the
        # UPDATE's WHERE against the committed head and changes nothing.
        with db.transaction(), db.cursor() as cur:
            yield _PostgresTx(cur)

    def _fetch(self, sql: str, args: Sequence[object]) -> list[tuple[Any, ...]]:
        return self._connect().execute(sql, args).fetchall()  # type: ignore[no-any-return]

    def _appended(self, tx: _PostgresTx, campaign: str) -> None:  # type: ignore[override]
        if self.notify:
            # Delivered to the listeners when (and only if) the transaction commits.
            tx.execute("SELECT pg_notify(%s, %s)", (self._channel, campaign))

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
        with self._listen_lock:
            self._drop_listener()

    # -- LISTEN/NOTIFY (optional) -------------------------------------------------------------

    def _check_notify(self) -> None:
        try:
            # NOTIFY's queue exists (without sending one: that would wake every listener for nothing).
            self._db.execute("SELECT pg_notification_queue_usage()")
        except self._pg.Error as exc:
            msg = (f"the store {self._where()} cannot NOTIFY ({str(exc).strip()}): open it without notify "
                   "(other processes then see new events by polling)")
            raise StoreError(msg) from exc

    def _listening(self) -> Any:
        # The listener is a connection of its own: a wait must not hold the store's lock, which
        # the appends of the host's other threads need.
        if self._listener is not None and not self._listener.closed and not self._listener.broken:
            return self._listener
        self._drop_listener()
        try:
            conn = self._pg.connect(self.dsn, autocommit=True, connect_timeout=max(1, int(self.connect_timeout)))
            conn.execute(self._pg.sql.SQL("LISTEN {}").format(self._pg.sql.Identifier(self._channel)))
        except (self._pg.Error, ValueError) as exc:
            msg = f"cannot listen on the store {self._where()}: {str(exc).strip()}"
            raise StoreError(msg) from exc
        self._listener = conn
        return conn

    def _drop_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def wait_for_events(self, campaign: str, *, after: int, timeout: float, interval: float = 1.0) -> bool:
        """Wait until ``campaign``'s log goes past event ``after``, or ``timeout`` seconds pass.

        With ``notify`` on, it wakes as soon as another store's append commits (LISTEN); without
        it, or while the listener cannot connect, it polls the head every ``interval`` seconds.
        Returns whether the log went past ``after``. See ``campaignflow.runtime.wait_for_events``.

        Raises:
            StoreError: the store could not be read.
        """
        if not self.notify:
            return poll_for_events(self, campaign, after=after, timeout=timeout, interval=interval)
        deadline = time.monotonic() + max(timeout, 0.0)
        with self._listen_lock:
            while True:
                try:
                    listener = self._listening()
                except StoreError:  # the server is away: poll (head() says so if it stays away)
                    remaining = max(deadline - time.monotonic(), 0.0)
                    return poll_for_events(self, campaign, after=after, timeout=remaining, interval=interval)
                # Listening before the head is read: an append committed in between is seen by one or the other.
                if self.head(campaign).seq > after:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    for note in listener.notifies(timeout=remaining, stop_after=1):
                        if note.payload != campaign:
                            break  # another campaign of this schema: read the head again, wait on
                except self._pg.Error:
                    # The listener's connection broke (a server restart): notifications sent meanwhile
                    # are lost, so listen again and read the head again.
                    self._drop_listener()

    def __repr__(self) -> str:
        return f"<PostgresStore {self._where()} schema={self.schema}>"
