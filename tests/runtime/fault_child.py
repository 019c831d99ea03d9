"""A writer for the fault tests: drives the crash campaign on SQLite or PostgreSQL, acking each commit.

``drive`` runs in a forked child (the SIGKILL test: no interpreter start per kill) or as a
script (the concurrency and server-restart tests)::

    python fault_child.py STORE SCHEMA ACKS

STORE is a SQLite file or a ``postgresql://`` URL (SCHEMA its schema). Ack lines:
``seq kind task time`` after a call returned (after the commit), ``storeerror time`` when
the store failed (the writer then retries), ``open seq`` and ``finished``.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime

from runtime_child import _next_call, build_campaign

from campaignflow.errors import ConcurrencyConflict, InvalidTransition, NotAuthorized, StoreError
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, ManualClock, PostgresStore, SQLiteStore, Store, is_database_url


def open_store(location: str, schema: str) -> Store:
    """The store the test names; a sane busy timeout on SQLite (the default 30 s)."""
    return PostgresStore(location, schema=schema) if is_database_url(location) else SQLiteStore(location)


def drive(location: str, schema: str, acks: str, go: str | None = None) -> None:
    """Carry every task of the campaign to its end, with other writers doing the same."""
    fd = os.open(acks, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    plugins = create_plugin_manager(entry_points=False, use_env=False)
    while True:  # the server may be down when we start
        try:
            store = open_store(location, schema)
            engine = Engine.open(build_campaign(), store, plugins=plugins,
                                 clock=ManualClock(datetime(2020, 7, 1, 9)), retries=50)
            break
        except StoreError:
            os.write(fd, f"storeerror {time.time()}\n".encode())
            time.sleep(0.05)
    os.write(fd, f"open {engine.seq}\n".encode())
    while go and not os.path.exists(go):  # a start line, so that racing writers really race
        time.sleep(0.001)
    order = sorted(engine.campaign.tasks)
    while True:
        progressed = False
        for tid in order:
            try:
                engine.refresh()  # polling: how a writer sees the others' events
                call = _next_call(engine, tid)
                if call is None:
                    continue
                progressed = True
                method, actor = call
                event = method(tid, actor)
            except (InvalidTransition, NotAuthorized, ConcurrencyConflict):
                continue  # another writer got there first
            except StoreError:
                os.write(fd, f"storeerror {time.time()}\n".encode())
                progressed = True
                time.sleep(0.05)
                continue
            os.write(fd, f"{event.seq} {event.kind} {event.task} {time.time()}\n".encode())
        if not progressed:
            break
    os.write(fd, b"finished\n")
    os.close(fd)
    store.close()


if __name__ == "__main__":
    drive(sys.argv[1], sys.argv[2], sys.argv[3], os.environ.get("RUNTIME_CHILD_GO"))
