"""Crash safety: a child driving transitions is SIGKILLed at random moments, many times.

After each kill the store is reopened: every transition the child had
acknowledged is in the log, nothing is half-applied (the chain verifies and
at most the one in-flight transition is there unacknowledged), and the state
equals a replay of the log.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from runtime_child import build_campaign

from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, EventKind, SQLiteStore, TaskState, replay

CHILD = Path(__file__).with_name("runtime_child.py")
ROUNDS = 12

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _acks(path: Path) -> list[tuple[int, str, str]]:
    out = []
    for line in path.read_text().splitlines(keepends=True):
        parts = line.split()
        if line.endswith("\n") and len(parts) == 3:
            out.append((int(parts[0]), parts[1], parts[2]))
    return out


def _opens(path: Path) -> int:
    return path.read_text().count("open ") if path.exists() else 0


def test_acknowledged_transitions_survive_sigkill(tmp_path):
    db, ack_file = tmp_path / "crash.db", tmp_path / "acks.txt"
    rng = random.Random(20201017)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHILD.parent), *sys.path])}
    plugins = create_plugin_manager(entry_points=False, use_env=False)
    kills = 0
    finished = False
    for _ in range(ROUNDS):
        opened = _opens(ack_file)
        child = subprocess.Popen([sys.executable, str(CHILD), str(db), str(ack_file)], env=env)
        # Let it open the store, then kill it in the middle of whatever it is doing.
        deadline = time.monotonic() + 10
        while _opens(ack_file) == opened and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.2))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait()

        store = SQLiteStore(db)
        try:
            events = list(store.read("crash"))
            acked = _acks(ack_file)
            by_seq = {e.seq: e for e in events}
            for seq, kind, task in acked:
                assert seq in by_seq, f"acknowledged event {seq} lost"
                assert (str(by_seq[seq].kind), by_seq[seq].task) == (kind, task)
            transitions = [e for e in events if e.kind is not EventKind.OPENED]
            # Only the transition in flight when a child was killed may be committed but unacknowledged.
            assert len(transitions) - len(acked) <= kills
            engine = Engine.open(build_campaign(), store, plugins=plugins)
            engine.verify()
            assert replay("crash", events) == engine.state
            finished = "finished" in ack_file.read_text()
        finally:
            store.close()
        if finished:
            break
    assert kills >= 5, "the child finished too soon to be killed often: give it more work"
    # One last uninterrupted run completes the campaign from wherever the kills left it.
    subprocess.run([sys.executable, str(CHILD), str(db), str(ack_file)], env=env, check=True, timeout=60)
    store = SQLiteStore(db)
    engine = Engine.open(build_campaign(), store, plugins=plugins)
    assert {v.state for v in engine.tasks()} == {TaskState.DONE}
    engine.verify()
    store.close()
