"""A child process that drives a campaign on a SQLite file, writing an ack after each call returns.

Run by test_crash.py (killed with SIGKILL at random moments) and test_concurrency.py
(two at once on one file)::

    python runtime_child.py DB ACKS [stale]

``stale`` skips reading the other writer's events before each call, so that the
engine meets ConcurrencyConflict and must decide again on fresh state.

Each ack line is ``seq kind task`` of an event the engine returned, written
(unbuffered) only after the call returned, i.e. after the commit.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime

from campaignflow.errors import ConcurrencyConflict, InvalidTransition, NotAuthorized
from campaignflow.model import Approval, Campaign, Task, Unit
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Actor, Engine, ManualClock, SQLiteStore, TaskState

N_TASKS = 300
LEAD = Actor("worker", {"office"})
BOSS = Actor("boss", {"board"})


def build_campaign() -> Campaign:
    """Tasks of an office; every third needs the board's approval."""
    units = {"board": Unit("board", "领导小组"), "office": Unit("office", "办公室", parent="board")}
    tasks = [Task(f"t{i:03d}", f"任务{i}", lead="office",
                  approvals=(Approval(by="board"),) if i % 3 == 0 else ()) for i in range(N_TASKS)]
    return Campaign(id="crash", name="崩溃测试", start=date(2020, 7, 1), end=date(2020, 12, 31), issuer="board",
                    units=units, tasks={t.id: t for t in tasks})


def _next_call(engine: Engine, tid: str):
    state = engine.task(tid).state
    if state is TaskState.READY:
        return engine.start, LEAD
    if state is TaskState.ACTIVE:
        return (engine.submit if engine.task(tid).steps else engine.complete), LEAD
    if state is TaskState.SUBMITTED:
        return engine.approve, BOSS
    return None


def main(db: str, acks: str, stale: bool) -> None:
    fd = os.open(acks, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    store = SQLiteStore(db)
    plugins = create_plugin_manager(entry_points=False, use_env=False)
    engine = Engine.open(build_campaign(), store, plugins=plugins, clock=ManualClock(datetime(2020, 7, 1, 9)),
                         retries=50)
    os.write(fd, f"open {engine.seq}\n".encode())
    go = os.environ.get("RUNTIME_CHILD_GO")
    while go and not os.path.exists(go):  # a start line, so that racing children really race
        time.sleep(0.001)
    order = sorted(engine.campaign.tasks)
    while True:
        progressed = False
        for tid in order:
            if not stale:
                engine.refresh()
            call = _next_call(engine, tid)
            if call is None:
                continue
            progressed = True
            method, actor = call
            try:
                event = method(tid, actor)
            except (InvalidTransition, NotAuthorized):
                continue  # the other process got there first
            except ConcurrencyConflict:
                os.write(fd, b"conflict\n")
                continue
            os.write(fd, f"{event.seq} {event.kind} {event.task}\n".encode())
            if stale:
                # A host does other work between requests; without a pause, SQLite's busy
                # wait (no fairness) may let one process take every turn.
                time.sleep(0.002)
        if not progressed:
            break
    os.write(fd, b"finished\n")
    os.close(fd)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "stale")
