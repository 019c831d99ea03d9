"""Waking other processes early: ``wait_for_events`` polls by default, LISTEN/NOTIFY when asked (issue 11).

The PostgreSQL tests run against the real test server (see pg_support.py). In each "wakes
early" test the poll interval is far longer than the time allowed, so only a notification
can make the wait return in time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from campaignflow.errors import StoreError
from campaignflow.runtime import MemoryStore, SQLiteStore, wait_for_events
from campaignflow.runtime.contract import make_events

HERE = Path(__file__).parent

_CHILD = """
import sys, time
from runtime_support import small_campaign, HF, T0
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, ManualClock, PostgresStore
store = PostgresStore(sys.argv[1], schema=sys.argv[2], notify=sys.argv[3] == "on")
engine = Engine.open(small_campaign(), store, plugins=create_plugin_manager(entry_points=False, use_env=False),
                     clock=ManualClock(T0))
print("ready", flush=True)
sys.stdin.readline()
engine.start("city-plan@hf", HF)
print("appended", engine.seq, flush=True)
"""


class _Waiter(threading.Thread):
    """``wait_for_events`` in a thread, timed."""

    def __init__(self, store, campaign, after, timeout, interval):
        super().__init__(daemon=True)
        self.args = (store, campaign, after, timeout, interval)
        self.result: bool | None = None
        self.returned_at = 0.0

    def run(self):
        store, campaign, after, timeout, interval = self.args
        self.result = wait_for_events(store, campaign, after=after, timeout=timeout, interval=interval)
        self.returned_at = time.monotonic()


# -- every store: polling -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_wait_polls_the_head_of_any_store(kind, tmp_path):
    if kind == "memory":
        writer = reader = MemoryStore()
    else:
        writer, reader = SQLiteStore(tmp_path / "w.db"), SQLiteStore(tmp_path / "w.db")
    events = make_events("c", 3)
    writer.append("c", events[:1], expected_seq=0)
    t0 = time.monotonic()
    assert wait_for_events(reader, "c", after=1, timeout=0.3, interval=0.05) is False
    assert time.monotonic() - t0 >= 0.3
    waiter = _Waiter(reader, "c", 1, 20, 0.05)
    waiter.start()
    time.sleep(0.2)
    assert waiter.result is None  # still waiting: nothing was appended
    writer.append("c", events[1:], expected_seq=1)
    waiter.join(20)
    assert waiter.result is True
    assert wait_for_events(reader, "c", after=0, timeout=0) is True  # already past: at once


# -- PostgreSQL ---------------------------------------------------------------------------------


def _child(pg_url: str, schema: str, notify: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, pg_url, schema, notify], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "ready"
    return proc


@pytest.mark.parametrize("notify", ["on", "off"])
def test_another_process_append_wakes_the_wait(pg_url, pg_schema, notify, make_engine):
    from campaignflow.runtime import PostgresStore

    store = PostgresStore(pg_url, schema=pg_schema, notify=notify == "on")
    engine = make_engine(store=store)  # the campaign is opened (1 event) before the writer starts
    child = _child(pg_url, pg_schema, notify)
    try:
        # With NOTIFY the wait must end long before its first re-poll (60 s); without, the
        # polling (every 0.2 s) sees it.
        waiter = _Waiter(store, engine.campaign.id, engine.seq, 45, 60 if notify == "on" else 0.2)
        waiter.start()
        time.sleep(0.5)  # the wait has read the head and is blocked
        assert waiter.result is None
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().split()[0] == "appended"
        appended_at = time.monotonic()
        waiter.join(45)
        assert waiter.result is True
        woke = waiter.returned_at - appended_at
        print(f"\n[notify {notify}] another process's append woke the wait {max(woke, 0) * 1000:.0f} ms after it "
              "committed")
        assert woke < 10
        assert engine.refresh() == 1 and engine.task("city-plan@hf").state == "active"
    finally:
        child.stdin.close()
        child.wait(30)
        store.close()
    assert child.returncode == 0


def test_an_append_to_another_campaign_does_not_end_the_wait(pg_url, pg_schema):
    from campaignflow.runtime import PostgresStore

    reader = PostgresStore(pg_url, schema=pg_schema, notify=True)
    writer = PostgresStore(pg_url, schema=pg_schema, notify=True)
    try:
        a = make_events("a", 1)
        writer.append("a", a, expected_seq=0)
        waiter = _Waiter(reader, "a", 1, 1.5, 60)
        waiter.start()
        time.sleep(0.3)
        writer.append("b", make_events("b", 2), expected_seq=0)  # notified, but for "b"
        waiter.join(30)
        assert waiter.result is False
    finally:
        reader.close()
        writer.close()


def test_a_broken_listener_connection_is_replaced(pg_url, pg_schema):
    import psycopg

    from campaignflow.runtime import PostgresStore

    reader = PostgresStore(pg_url, schema=pg_schema, notify=True)
    writer = PostgresStore(pg_url, schema=pg_schema, notify=True)
    try:
        events = make_events("c", 3)
        writer.append("c", events[:1], expected_seq=0)
        assert reader.wait_for_events("c", after=1, timeout=0.1) is False  # listening now
        pid = reader._listener.info.backend_pid
        with psycopg.connect(pg_url, autocommit=True) as admin:  # as a server restart would
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        waiter = _Waiter(reader, "c", 1, 30, 60)
        waiter.start()
        time.sleep(0.5)
        writer.append("c", events[1:], expected_seq=1)
        done = time.monotonic()
        waiter.join(30)
        assert waiter.result is True and waiter.returned_at - done < 10
        assert reader._listener.info.backend_pid != pid
    finally:
        reader.close()
        writer.close()


def test_notify_is_off_by_default_and_appends_send_nothing(pg_url, pg_schema):
    import psycopg

    from campaignflow.runtime import PostgresStore, open_store

    store = PostgresStore(pg_url, schema=pg_schema)
    assert store.notify is False and open_store(pg_url).notify is False
    assert open_store(pg_url, notify=True).notify is True
    with psycopg.connect(pg_url, autocommit=True) as listener:
        listener.execute(f'LISTEN "campaignflow_{pg_schema}"')
        store.append("c", make_events("c", 2), expected_seq=0)
        assert list(listener.notifies(timeout=0.5)) == []
        noisy = PostgresStore(pg_url, schema=pg_schema, notify=True)
        noisy.append("d", make_events("d", 1), expected_seq=0)
        notes = list(listener.notifies(timeout=2, stop_after=1))
        assert [n.payload for n in notes] == ["d"]
        noisy.close()
    store.close()


def test_a_rolled_back_append_notifies_no_one(pg_url, pg_schema):
    import psycopg

    from campaignflow.errors import ConcurrencyConflict
    from campaignflow.runtime import PostgresStore

    store = PostgresStore(pg_url, schema=pg_schema, notify=True)
    events = make_events("c", 2)
    store.append("c", events[:1], expected_seq=0)
    with psycopg.connect(pg_url, autocommit=True) as listener:
        listener.execute(f'LISTEN "campaignflow_{pg_schema}"')
        with pytest.raises(ConcurrencyConflict):
            store.append("c", events, expected_seq=0)  # stale: rolled back
        assert list(listener.notifies(timeout=0.5)) == []
    store.close()


def test_the_wait_reports_an_unreachable_server_as_a_store_error(pg_url, pg_schema):
    from campaignflow.runtime import PostgresStore

    store = PostgresStore(pg_url, schema=pg_schema, notify=True)
    store.dsn = "postgresql://nobody@127.0.0.1:1/none"  # the server goes away
    store._db.close()
    with pytest.raises(StoreError):
        store.wait_for_events("c", after=0, timeout=0.5, interval=0.1)
    store.close()
