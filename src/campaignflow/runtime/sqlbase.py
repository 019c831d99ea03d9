"""What the SQL stores share: the conditional append, the reads, and the mapping of errors.

``SQLiteStore`` and ``PostgresStore`` keep the same two tables (``campaigns``: one head row
per campaign; ``events``: one row per event, the canonical JSON in ``body``) and append the
same way: in one transaction, move the campaign's head on only if it still ends where the
writer expects (zero rows changed means another writer got in first), then insert the
events, whose primary key ``(campaign, seq)`` and unique ``(campaign, key)`` refuse a
position or a key stored twice. A subclass supplies the dialect in a few small hooks:

* ``_PARAM``: the placeholder (``?`` or ``%s``) and ``_tables``: the tables' prefix;
* ``_FIRST_HEAD``: the statement that creates a campaign's head row on its first append;
* ``_transaction()``: one write transaction, rolled back on any exception;
* ``_fetch(sql, args)``: the rows of one query;
* ``_ERRORS`` / ``_INTEGRITY``: the driver's error classes, and ``_where()`` for messages;
* ``_appended(tx, campaign)``: anything more to do in the append's transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol, Self

from ..errors import ConcurrencyConflict, StoreError, TamperedLogError
from .events import GENESIS, Event, replay_events
from .personal import SQLVault, pseudonyms, resolve
from .store import CampaignHead, check_batch

__all__ = ["SQLStore", "event_mac"]

_COLUMNS = "campaign, seq, kind, task, unit, target, key, body, hash"

_EVENT_DOMAIN = "campaignflow-event/1"


def event_mac(key: bytes, campaign: str, seq: int, hash_: str) -> str:
    """HMAC-SHA256 under ``key`` of event ``seq``'s hash (which chains every event before it)."""
    return hmac.new(key, f"{_EVENT_DOMAIN}\n{campaign}\n{seq}\n{hash_}".encode(), hashlib.sha256).hexdigest()


def check_key(key: bytes | None) -> bytes | None:
    """``key`` if it is usable as a store's MAC key (bytes, at least 16 of them); else ``ValueError``."""
    if key is not None and (not isinstance(key, bytes) or len(key) < 16):
        msg = "a store's key must be at least 16 bytes"
        raise ValueError(msg)
    return key


class _Tx(Protocol):
    """The writes ``append`` makes in a transaction (what a dialect's ``_transaction`` yields)."""

    def execute(self, sql: str, args: Sequence[object]) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement once per row."""
        ...


class SQLStore(SQLVault):
    """The ``Store`` protocol over the two tables, for a SQL dialect given by a subclass.

    Subclasses set ``self._lock`` (one connection, used by one thread at a time) and
    ``self._tables`` (``""`` or ``"schema."``) in ``__init__`` before the first call.
    """

    #: The driver's placeholder for a parameter.
    _PARAM: ClassVar[str] = "?"
    #: The statement inserting a campaign's head row at its first append (it must not
    #: overwrite a row another writer has just created: either 0 rows or an integrity error).
    _FIRST_HEAD: ClassVar[str] = "INSERT INTO {t}campaigns (id, head_seq, head_hash) VALUES (?, ?, ?)"
    #: The driver's errors (``StoreError``), and among them those of a refused key (``ConcurrencyConflict``).
    # (Plain attributes, not ClassVar: PostgresStore sets them once psycopg is imported.)
    _ERRORS: tuple[type[BaseException], ...] = ()
    _INTEGRITY: tuple[type[BaseException], ...] = ()

    _lock: threading.RLock
    _tables: str = ""
    #: With a key, every append also stores an HMAC of each event, and every read checks it.
    _key: bytes | None = None

    # -- dialect hooks -------------------------------------------------------------------

    def _transaction(self) -> AbstractContextManager[_Tx]:
        """One write transaction: committed on leaving, rolled back on any exception."""
        raise NotImplementedError

    def _fetch(self, sql: str, args: Sequence[object]) -> list[tuple[Any, ...]]:
        """Every row of one query."""
        raise NotImplementedError

    def _where(self) -> str:
        """Where the store is, for messages (never a password)."""
        raise NotImplementedError

    def _appended(self, tx: _Tx, campaign: str) -> None:
        """Called in the append's transaction after the inserts (PostgreSQL: NOTIFY, when asked)."""

    # -- the Store protocol ------------------------------------------------------------

    def _sql(self, text: str) -> str:
        return text.replace("{t}", self._tables).replace("?", self._PARAM)

    def head(self, campaign: str) -> CampaignHead:
        rows = self._query("SELECT head_seq, head_hash FROM {t}campaigns WHERE id = ?", (campaign,))
        if not rows:
            return CampaignHead(campaign, 0, GENESIS)
        return CampaignHead(campaign, rows[0][0], rows[0][1])

    def append(self, campaign: str, events: Sequence[Event], *, expected_seq: int) -> None:
        if not events:
            return
        check_batch(campaign, events, expected_seq)
        last = events[-1]
        rows = [(campaign, e.seq, str(e.kind), e.task, e.unit, e.target, e.key, e.body(), e.hash) for e in events]
        insert = self._sql(f"INSERT INTO {{t}}events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        with self._lock:
            try:
                with self._transaction() as tx:
                    if expected_seq == 0:
                        changed = tx.execute(self._sql(self._FIRST_HEAD), (campaign, last.seq, last.hash))
                    else:
                        # Under a concurrent writer this waits for its lock, then re-checks the WHERE
                        # against the committed head and changes nothing.
                        changed = tx.execute(
                            self._sql("UPDATE {t}campaigns SET head_seq = ?, head_hash = ? WHERE id = ? "
                                      "AND head_seq = ? AND head_hash = ?"),
                            (last.seq, last.hash, campaign, expected_seq, events[0].prev))
                    if changed != 1:
                        msg = f"campaign {campaign!r} has moved on from event {expected_seq}; reload and retry"
                        raise ConcurrencyConflict(msg)
                    if len(rows) == 1:
                        tx.execute(insert, rows[0])
                    else:
                        tx.executemany(insert, rows)
                    if self._key is not None:
                        tx.executemany(self._sql("INSERT INTO {t}event_macs (campaign, seq, mac) VALUES (?, ?, ?)"),
                                       [(campaign, e.seq, event_mac(self._key, campaign, e.seq, e.hash))
                                        for e in events])
                    self._appended(tx, campaign)
            except self._INTEGRITY as exc:
                msg = f"an event of this batch is already stored in campaign {campaign!r} (key or sequence)"
                raise ConcurrencyConflict(msg) from exc
            except self._ERRORS as exc:
                # Includes a connection lost at COMMIT: the outcome is then unknown, and the host's
                # retry (with an idempotency key) or a refresh tells.
                msg = f"cannot write to the store {self._where()}: {str(exc).strip()}"
                raise StoreError(msg) from exc

    def read(self, campaign: str, *, after: int = 0, task: str | None = None,
             unit: str | None = None) -> Iterator[Event]:
        where = " WHERE e.campaign = ? AND e.seq > ?"
        args: list[object] = [campaign, after]
        if task is not None:
            where += " AND e.task = ?"
            args.append(task)
        values = self.personal_values(campaign)  # personal data kept outside the chain (personal.py)
        if unit is not None:
            unit = pseudonyms(values).get(unit, unit)  # a household's events carry its pseudonym
            where += " AND (e.unit = ? OR e.target = ?)"
            args += [unit, unit]
        # One query for all of it (a replay reads the whole log), decoded as it is consumed.
        rows = self._query(self._select() + where + " ORDER BY e.seq", args)
        return resolve(self._events(campaign, rows), values)

    def read_for_replay(self, campaign: str, *, after: int = 0) -> Iterator[Event]:
        """``read(campaign, after=after)`` for a replay: the same events, checked the same way, read
        faster (``events.replay_events``: lighter objects with msgspec, not ``Event`` instances)."""
        if self.personal_values(campaign):
            # Household pseudonyms and tokens are replaced by their stored values on ``Event``s;
            # a log with personal data replays through the ordinary read.
            return self.read(campaign, after=after)
        rows = self._query(self._select() + " WHERE e.campaign = ? AND e.seq > ? ORDER BY e.seq", (campaign, after))
        return replay_events(self._checked(campaign, rows))

    def event_for_key(self, campaign: str, key: str) -> Event | None:
        rows = self._query(self._select() + " WHERE e.campaign = ? AND e.key = ?", (campaign, key))
        return next(resolve(self._events(campaign, rows), self.personal_values(campaign)), None)

    def _select(self) -> str:
        if self._key is None:
            return "SELECT e.body, e.hash FROM {t}events e"
        return ("SELECT e.body, e.hash, e.seq, m.mac FROM {t}events e LEFT JOIN {t}event_macs m "
                "ON m.campaign = e.campaign AND m.seq = e.seq")

    def _events(self, campaign: str, rows: Iterable[tuple[Any, ...]]) -> Iterator[Event]:
        for body, hash_ in self._checked(campaign, rows):
            yield Event.from_json(body, hash_)

    def _checked(self, campaign: str, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[str, str]]:
        # (body, hash) of each row, its MAC checked first when the store has a key.
        key = self._key
        if key is None:
            yield from rows
            return
        for body, hash_, seq, mac in rows:
            if mac is None or not hmac.compare_digest(mac, event_mac(key, campaign, seq, hash_)):
                what = "has no MAC" if mac is None else "has a MAC that does not match under this key"
                msg = (f"event {seq} {what}: it was not written by a store holding the key "
                       "(forged, changed, or appended without the key)")
                raise TamperedLogError(msg, sequence=seq)
            yield body, hash_

    def has_macs(self, campaign: str) -> bool:
        """Whether events of ``campaign`` carry an HMAC (a store written with a key): opening it
        without the key could read them but not check them, and appends would carry none."""
        return bool(self._query("SELECT 1 FROM {t}event_macs WHERE campaign = ? LIMIT 1", (campaign,)))

    def campaigns(self) -> list[CampaignHead]:
        rows = self._query("SELECT id, head_seq, head_hash FROM {t}campaigns ORDER BY id", ())
        return [CampaignHead(*row) for row in rows]

    # -- helpers -------------------------------------------------------------------------

    def _query(self, sql: str, args: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._fetch(self._sql(sql), args)
            except self._ERRORS as exc:
                msg = f"cannot read the store {self._where()}: {str(exc).strip()}"
                raise StoreError(msg) from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection; the store is not used afterwards."""
        raise NotImplementedError
