"""The store interface the engine writes its event log to, and an in-memory store.

The contract every store keeps (``campaignflow.runtime.contract.check_store``
tests it, so a platform can run it against its own PostgreSQL store):

1. **Append-only, per campaign.** Each campaign has its own log of events
   numbered 1, 2, 3 ... without gaps. Stored events are never changed.
2. **Atomic, conditional append.** ``append(campaign, events, expected_seq=n)``
   writes all of ``events`` or none. It succeeds only if the campaign's log
   currently ends at ``n`` with hash ``events[0].prev`` (``0`` and ``GENESIS``
   for a campaign not yet in the store); otherwise it raises
   ``ConcurrencyConflict`` and writes nothing. This is how two processes on one
   database never lose an update.
3. **Durable on return.** When ``append`` returns, the events survive a crash
   of the process and of the machine (SQLite: WAL with ``synchronous=FULL``;
   PostgreSQL: a committed transaction with ``synchronous_commit=on``).
4. **Idempotency keys are unique per campaign.** An append carrying a key
   that is already stored for that campaign raises ``ConcurrencyConflict``.
5. **Reads see committed events only**, in sequence order, exactly as they
   were written (``event.body()`` and ``event.hash`` round-trip).
6. Failures of the medium raise ``StoreError``.

The engine computes hashes and sequence numbers; a store only keeps them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

import attrs

from ..errors import ConcurrencyConflict
from .events import GENESIS, Event
from .personal import MemoryVault, pseudonyms, resolve

__all__ = ["Store", "CampaignHead", "MemoryStore", "check_batch", "wait_for_events"]


@attrs.frozen
class CampaignHead:
    """Where a campaign's log ends: its last sequence number and hash."""

    campaign: str
    seq: int
    hash: str


@runtime_checkable
class Store(Protocol):
    """Where the engine keeps event logs. See the module docstring for the contract."""

    def head(self, campaign: str) -> CampaignHead:
        """The end of ``campaign``'s log (``seq=0``, ``hash=GENESIS`` if it has none)."""
        ...

    def append(self, campaign: str, events: Sequence[Event], *, expected_seq: int) -> None:
        """Append ``events`` atomically and durably if the log ends at ``expected_seq``.

        Raises:
            ConcurrencyConflict: the log has moved on (or a key is taken); nothing was written.
            StoreError: the medium failed; nothing was written.
        """
        ...

    def read(self, campaign: str, *, after: int = 0, task: str | None = None,
             unit: str | None = None) -> Iterator[Event]:
        """Events of ``campaign`` with ``seq > after``, in order.

        ``task`` keeps events of that task; ``unit`` keeps events whose ``unit``
        or ``target`` is that unit.
        """
        ...

    def event_for_key(self, campaign: str, key: str) -> Event | None:
        """The event stored with idempotency ``key``, if any."""
        ...

    def campaigns(self) -> list[CampaignHead]:
        """Every campaign in the store, by id."""
        ...

    def close(self) -> None:
        """Release the medium; the store is not used afterwards."""
        ...


def check_batch(campaign: str, events: Sequence[Event], expected_seq: int) -> None:
    """Raise ``ValueError`` unless ``events`` continue a log at ``expected_seq`` (for store authors)."""
    for offset, event in enumerate(events, start=1):
        if event.campaign != campaign or event.seq != expected_seq + offset:
            msg = (f"event {event.seq} of {event.campaign!r} cannot be appended at position "
                   f"{expected_seq + offset} of {campaign!r}")
            raise ValueError(msg)
        if offset > 1 and event.prev != events[offset - 2].hash:
            msg = f"event {event.seq} does not chain to the event before it"
            raise ValueError(msg)


def _matches(event: Event, task: str | None, unit: str | None) -> bool:
    if task is not None and event.task != task:
        return False
    return unit is None or unit in (event.unit, event.target)


class MemoryStore(MemoryVault):
    """A store in memory: the whole contract except durability. For tests and simulation."""

    def __init__(self) -> None:
        self._logs: dict[str, list[Event]] = {}
        self._keys: dict[tuple[str, str], Event] = {}
        self._lock = threading.Lock()

    def head(self, campaign: str) -> CampaignHead:
        log = self._logs.get(campaign)
        if not log:
            return CampaignHead(campaign, 0, GENESIS)
        return CampaignHead(campaign, log[-1].seq, log[-1].hash)

    def append(self, campaign: str, events: Sequence[Event], *, expected_seq: int) -> None:
        if not events:
            return
        check_batch(campaign, events, expected_seq)
        with self._lock:
            head = self.head(campaign)
            if (head.seq, head.hash) != (expected_seq, events[0].prev):
                msg = f"campaign {campaign!r} is at event {head.seq}, not {expected_seq}"
                raise ConcurrencyConflict(msg)
            keys = [(campaign, e.key) for e in events if e.key is not None]
            if any(k in self._keys for k in keys) or len(set(keys)) != len(keys):
                msg = f"an idempotency key of this batch is already used in campaign {campaign!r}"
                raise ConcurrencyConflict(msg)
            self._logs.setdefault(campaign, []).extend(events)
            for e in events:
                if e.key is not None:
                    self._keys[(campaign, e.key)] = e

    def read(self, campaign: str, *, after: int = 0, task: str | None = None,
             unit: str | None = None) -> Iterator[Event]:
        log = list(self._logs.get(campaign, ()))[max(after, 0):]
        values = self.personal_values(campaign)  # personal data kept outside the chain (personal.py)
        if unit is not None:
            unit = pseudonyms(values).get(unit, unit)
        return resolve((e for e in log if _matches(e, task, unit)), values)

    def event_for_key(self, campaign: str, key: str) -> Event | None:
        event = self._keys.get((campaign, key))
        return None if event is None else next(resolve([event], self.personal_values(campaign)))

    def campaigns(self) -> list[CampaignHead]:
        return [self.head(c) for c in sorted(self._logs)]

    def close(self) -> None:
        pass


def wait_for_events(store: Store, campaign: str, *, after: int, timeout: float, interval: float = 1.0) -> bool:
    """Wait until ``campaign``'s log goes past event ``after``, or ``timeout`` seconds pass.

    Returns whether it did, so that a host's loop can call ``Engine.refresh()`` as soon as another
    process has appended (``after`` is the engine's ``seq``). By default the store's head is polled
    every ``interval`` seconds. A store with a faster way (``PostgresStore(notify=True)``: LISTEN/NOTIFY)
    says so with a ``wait_for_events(campaign, after=, timeout=)`` method, used instead; it wakes
    as soon as the other process commits.

    Raises:
        StoreError: the store could not be read.
    """
    own = getattr(store, "wait_for_events", None)
    if own is not None:
        return bool(own(campaign, after=after, timeout=timeout, interval=interval))
    return poll_for_events(store, campaign, after=after, timeout=timeout, interval=interval)


def poll_for_events(store: Store, campaign: str, *, after: int, timeout: float, interval: float = 1.0) -> bool:
    """``wait_for_events`` by polling the head every ``interval`` seconds (what every store can do)."""
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        if store.head(campaign).seq > after:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(interval, remaining))
