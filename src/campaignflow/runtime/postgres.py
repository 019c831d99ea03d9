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
* **No LISTEN/NOTIFY, no SKIP LOCKED, no advisory locks**: other processes see new
  events when they poll ``Engine.refresh()``, which reads ``seq > n`` on the
  primary key.
* A lost connection (a server restart, a network cut) raises ``StoreError``; the
  next call reconnects, so a host that retries recovers as soon as the server is back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import ConcurrencyConflict, StoreError
from .events import GENESIS, Event
from .store import CampaignHead, check_batch

__all__ = ["PostgresStore", "POSTGRES_SCHEMA_VERSION"]

#: The ``schema_version`` row of the layout below; bumped on every change to it.
POSTGRES_SCHEMA_VERSION = 1

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
]

_INSERT = "INSERT INTO {s}.events (campaign, seq, kind, task, unit, target, key, body, hash) " \
          "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # the extra is optional
        msg = "PostgresStore needs psycopg 3: pip install 'campaignflow[postgres]'"
        raise StoreError(msg) from exc
    return psycopg


class PostgresStore:
    """An event store in a PostgreSQL database.

    Args:
        dsn: a libpq connection string or URL, ``postgresql://user@host:5432/db``.
        schema: the PostgreSQL schema holding the tables (created if missing), so
            that the log can live in a database shared with the host's own tables.
        connect_timeout: seconds to wait for the server when (re)connecting.

    One connection per store, used under a lock: a host with many threads opens
    one store per thread or accepts that they take turns.
    """

    def __init__(self, dsn: str, *, schema: str = "campaignflow", connect_timeout: float = 10.0) -> None:
        self._pg = _psycopg()
        if not schema.replace("_", "").isalnum() or not schema[0].isalpha():
            msg = f"schema must be a plain identifier (letters, digits, _), got {schema!r}"
            raise ValueError(msg)
        self.dsn = dsn
        self.schema = schema
        self.connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._db: Any = None
        with self._lock:
            self._connect()
            self._init_schema()

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

    # -- the Store protocol ------------------------------------------------------------

    def head(self, campaign: str) -> CampaignHead:
        rows = self._query(f"SELECT head_seq, head_hash FROM {self.schema}.campaigns WHERE id = %s", (campaign,))
        if not rows:
            return CampaignHead(campaign, 0, GENESIS)
        return CampaignHead(campaign, rows[0][0], rows[0][1])

    def append(self, campaign: str, events: Sequence[Event], *, expected_seq: int) -> None:
        if not events:
            return
        check_batch(campaign, events, expected_seq)
        s, pg = self.schema, self._pg
        last = events[-1]
        rows = [(campaign, e.seq, str(e.kind), e.task, e.unit, e.target, e.key, e.body(), e.hash) for e in events]
        with self._lock:
            db = self._connect()
            try:
                with db.transaction():
                    if expected_seq == 0:
                        # A plain INSERT (no ON CONFLICT): the primary key refuses a second first append.
                        cur = db.execute(f"INSERT INTO {s}.campaigns (id, head_seq, head_hash) VALUES (%s, %s, %s)",
                                         (campaign, last.seq, last.hash))
                    else:
                        # READ COMMITTED: a concurrent writer waits on the row lock, then re-checks the
                        # WHERE against the committed head and updates nothing.
                        cur = db.execute(f"UPDATE {s}.campaigns SET head_seq = %s, head_hash = %s WHERE id = %s "
                                         "AND head_seq = %s AND head_hash = %s",
                                         (last.seq, last.hash, campaign, expected_seq, events[0].prev))
                    if cur.rowcount != 1:
                        msg = f"campaign {campaign!r} has moved on from event {expected_seq}; reload and retry"
                        raise ConcurrencyConflict(msg)
                    with db.cursor() as c:
                        c.executemany(_INSERT.format(s=s), rows)
            except pg.errors.IntegrityError as exc:
                msg = f"an event of this batch is already stored in campaign {campaign!r} (key or sequence)"
                raise ConcurrencyConflict(msg) from exc
            except pg.Error as exc:
                # Includes a connection lost at COMMIT: the outcome is then unknown, and the host's
                # retry (with an idempotency key) or a refresh tells.
                msg = f"cannot write to the store {self._where()}: {str(exc).strip()}"
                raise StoreError(msg) from exc

    def read(self, campaign: str, *, after: int = 0, task: str | None = None,
             unit: str | None = None) -> Iterator[Event]:
        sql = f"SELECT body, hash FROM {self.schema}.events WHERE campaign = %s AND seq > %s"
        args: list[object] = [campaign, after]
        if task is not None:
            sql += " AND task = %s"
            args.append(task)
        if unit is not None:
            sql += " AND (unit = %s OR target = %s)"
            args += [unit, unit]
        rows = self._query(sql + " ORDER BY seq", args)
        return (Event.from_json(body, hash_) for body, hash_ in rows)

    def event_for_key(self, campaign: str, key: str) -> Event | None:
        rows = self._query(f"SELECT body, hash FROM {self.schema}.events WHERE campaign = %s AND key = %s",
                           (campaign, key))
        return Event.from_json(rows[0][0], rows[0][1]) if rows else None

    def campaigns(self) -> list[CampaignHead]:
        rows = self._query(f"SELECT id, head_seq, head_hash FROM {self.schema}.campaigns ORDER BY id", ())
        return [CampaignHead(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- helpers -------------------------------------------------------------------------

    def _query(self, sql: str, args: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._lock:
            db = self._connect()
            try:
                return db.execute(sql, args).fetchall()
            except self._pg.Error as exc:
                msg = f"cannot read the store {self._where()}: {str(exc).strip()}"
                raise StoreError(msg) from exc

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PostgresStore {self._where()} schema={self.schema}>"
