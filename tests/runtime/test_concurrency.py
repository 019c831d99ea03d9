"""Two processes drive the same SQLite database at once: no lost and no duplicated transition."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

from runtime_child import build_campaign

from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, EventKind, SQLiteStore, TaskState

CHILD = Path(__file__).with_name("runtime_child.py")


def test_two_processes_on_one_database(tmp_path):
    db = tmp_path / "race.db"
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHILD.parent), *sys.path]), "RUNTIME_CHILD_GO": str(go)}
    acks = [tmp_path / "a.txt", tmp_path / "b.txt"]
    # Same order in both, deciding on stale state: they fight over every task, and each
    # append after the other's is a conflict the engine resolves by deciding again.
    children = [subprocess.Popen([sys.executable, str(CHILD), str(db), str(a), "stale"], env=env) for a in acks]
    deadline = time.monotonic() + 30
    while not all(a.exists() and "open" in a.read_text() for a in acks) and time.monotonic() < deadline:
        time.sleep(0.005)
    go.touch()
    for child in children:
        assert child.wait(timeout=120) == 0

    store = SQLiteStore(db)
    engine = Engine.open(build_campaign(), store, plugins=create_plugin_manager(entry_points=False, use_env=False))
    events = list(store.read("crash"))
    by_seq = {e.seq: e for e in events}
    acked = [line.split() for a in acks for line in a.read_text().splitlines() if len(line.split()) == 3]
    seqs = [int(seq) for seq, _, _ in acked]
    # Every acknowledged transition is in the log, and no sequence number was handed to both.
    assert len(seqs) == len(set(seqs))
    for seq, kind, task in acked:
        assert (str(by_seq[int(seq)].kind), by_seq[int(seq)].task) == (kind, task)
    # Each transition happened exactly once per task, and the campaign is complete.
    done = collections.Counter((e.task, e.kind) for e in events if e.kind is not EventKind.REFUSED and e.task)
    assert set(done.values()) == {1}
    transitions = [e for e in events if e.kind not in (EventKind.OPENED, EventKind.REFUSED)]
    assert len(transitions) == len(acked)  # no acknowledged call lost, none committed twice
    assert {v.state for v in engine.tasks()} == {TaskState.DONE}
    assert all(sum(1 for a in acks for line in a.read_text().splitlines() if len(line.split()) == 3
                   and line.split()[2] == tid) >= 1 for tid in engine.campaign.tasks)
    # Both processes really did work. (SQLite's busy wait favours whoever holds the lock, so
    # they often take turns in long runs; whoever comes second starts on stale state.)
    mine = [[int(line.split()[0]) for line in a.read_text().splitlines() if len(line.split()) == 3] for a in acks]
    assert all(mine)
    engine.verify()
    store.close()
