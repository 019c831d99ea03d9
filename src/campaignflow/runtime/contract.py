"""A runnable statement of the store contract, for the authors of other stores.

A platform that puts the log on PostgreSQL (or anything else) checks its
store with::

    from campaignflow.runtime.contract import check_store

    def test_my_store_keeps_the_contract(tmp_path):
        check_store(lambda: MyPostgresStore(dsn))   # a fresh, empty store each call

``check_store`` raises ``AssertionError`` naming the first clause broken.
It does not test durability across a crash: see tests/runtime/test_crash.py
for how campaignflow tests its SQLite store under SIGKILL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..errors import ConcurrencyConflict
from .events import GENESIS, Draft, Event, EventKind
from .store import Store

__all__ = ["check_store", "make_events"]


def make_events(campaign: str, count: int, *, after: Event | None = None, key_prefix: str | None = None,
                task: str = "t") -> list[Event]:
    """``count`` chained events continuing ``after`` (or starting a log), for store tests."""
    seq, prev = (after.seq, after.hash) if after is not None else (0, GENESIS)
    out = []
    for i in range(count):
        kind = EventKind.OPENED if seq == 0 else EventKind.STARTED
        draft = Draft(campaign=campaign, kind=kind, at=datetime(2020, 7, 1, 9, 0, 0, 123456), task=task,
                      actor="张三", unit=f"unit-{i % 3}", target=f"target-{i % 2}", reason="理由 \"quoted\"",
                      key=f"{key_prefix}-{seq + 1}" if key_prefix else None)
        seq += 1
        event = draft.seal(seq, prev)
        out.append(event)
        prev = event.hash
    return out


def _conflicts(store: Store, campaign: str, events: list[Event], expected: int) -> bool:
    try:
        store.append(campaign, events, expected_seq=expected)
    except ConcurrencyConflict:
        return True
    return False


def check_store(make_store: Callable[[], Store]) -> None:
    """Assert every clause of the store contract (``campaignflow.runtime.store``) on fresh stores."""
    store = make_store()
    try:
        _check(store)
    finally:
        store.close()


def _check(store: Store) -> None:
    head = store.head("a")
    assert (head.seq, head.hash) == (0, GENESIS), "1: an unknown campaign's head is (0, GENESIS)"
    assert list(store.read("a")) == [], "1: an unknown campaign has no events"

    first = make_events("a", 3, key_prefix="k")
    store.append("a", first, expected_seq=0)
    got = list(store.read("a"))
    assert got == first, "5: events read back exactly as written"
    assert [e.body() for e in got] == [e.body() for e in first], "5: canonical JSON round-trips"
    assert (store.head("a").seq, store.head("a").hash) == (3, first[-1].hash), "2: the head follows appends"

    stale = make_events("a", 2, after=first[1])  # a writer that has not seen event 3
    assert _conflicts(store, "a", stale, 2), "2: an append at a stale sequence number is a conflict"
    assert _conflicts(store, "a", make_events("a", 1), 0), "2: a second log for a campaign is a conflict"
    assert list(store.read("a")) == first, "2: a refused append writes nothing"

    more = make_events("a", 2, after=first[-1])
    store.append("a", more, expected_seq=3)
    assert [e.seq for e in store.read("a", after=3)] == [4, 5], "5: read(after=n) starts after n"

    # A batch whose key is already stored: refused as a whole.
    dup = make_events("a", 2, after=more[-1], key_prefix="k")
    dup = [dup[0], Draft(campaign="a", kind=EventKind.STARTED, at=dup[1].at, key="k-1").seal(7, dup[0].hash)]
    assert _conflicts(store, "a", dup, 5), "4: a key already used in the campaign is a conflict"
    assert store.head("a").seq == 5, "2: a refused batch writes none of its events"

    found = store.event_for_key("a", "k-2")
    assert found is not None and found.seq == 2, "4: an event can be found by its key"
    assert store.event_for_key("a", "nope") is None, "4: an unknown key finds nothing"

    # Campaigns are separate logs; keys are per campaign.
    other = make_events("b", 2, key_prefix="k", task="u")
    store.append("b", other, expected_seq=0)
    assert [c.campaign for c in store.campaigns()] == ["a", "b"], "1: campaigns are listed by id"
    assert list(store.read("b")) == other, "1: each campaign has its own log"

    assert [e.seq for e in store.read("a", unit="unit-1")] == [2, 5], "5: read(unit=) filters on unit"
    assert [e.seq for e in store.read("a", unit="target-0")] == [1, 3, 4], "5: read(unit=) includes targets"
    assert [e.seq for e in store.read("b", task="u")] == [1, 2], "5: read(task=) filters on task"
    assert list(store.read("b", task="t")) == [], "5: read(task=) filters on task"
