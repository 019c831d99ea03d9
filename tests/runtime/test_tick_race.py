"""Reminders and ladder levels fire once each when several processes tick one campaign at once (issue 16, #11).

Four processes on one store (a SQLite file, or PostgreSQL) each tick the same campaign at the
same moment, round after round: each reminder and level must be on the log exactly once, and
returned by exactly one of the processes; together they fire what one engine alone fires.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from fault_child import open_store
from test_supervision import _campaign

from campaignflow.runtime import EventKind, ManualClock, MemoryStore

CHILD = Path(__file__).with_name("tick_child.py")
TICKERS = 4
#: A reminder, then the blue, orange and red levels of test_supervision's ladder, and a quiet moment.
MOMENTS = ["2020-09-24T09:00:00", "2020-10-01T09:00:00", "2020-10-12T09:00:00", "2020-10-20T09:00:00",
           "2020-10-21T09:00:00"]
_TIMERS = (EventKind.REMINDED, EventKind.ALERTED, EventKind.OVERDUE, EventKind.ESCALATED)


@pytest.fixture(params=["sqlite", "postgres"])
def where(request, tmp_path) -> tuple[str, str]:
    """(location, schema) of an empty store of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "ticks.db"), ""
    return request.getfixturevalue("pg_url"), request.getfixturevalue("pg_schema")


def _lines(path: Path, word: str) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().splitlines() if line.startswith(word)]


def _wait(outs: list[Path], word: str, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(any(x[1:2] == [str(n)] for x in _lines(o, word)) for o in outs):
            return
        time.sleep(0.01)
    pytest.fail(f"the tickers did not all reach {word} {n}")


def test_processes_ticking_at_once_fire_each_timer_once(where, tmp_path, plugins, capsys):
    location, schema = where
    # The campaign is opened once first, so that the tickers race on the ticks, not on the opening.
    open_store(location, schema).close()
    from campaignflow.runtime import Engine

    first = open_store(location, schema)
    Engine.open(_campaign(), first, plugins=plugins, clock=ManualClock(datetime(2020, 9, 1, 9)))
    first.close()
    outs = [tmp_path / f"ticker{i}.txt" for i in range(TICKERS)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHILD.parent), *sys.path])}
    children = [subprocess.Popen([sys.executable, str(CHILD), location, schema, str(out), *MOMENTS], env=env)
                for out in outs]
    try:
        for n in range(len(MOMENTS)):
            _wait(outs, "ready", n)
            for out in outs:
                Path(f"{out}.go{n}").touch()
        for child in children:
            assert child.wait(timeout=120) == 0
    finally:
        for child in children:
            child.kill()
    assert all(_lines(out, "finished") for out in outs)

    store = open_store(location, schema)
    logged = [(str(e.kind), e.task, e.ref) for e in store.read(_campaign().id) if e.kind in _TIMERS]
    store.close()
    returned = [(k, None if t == "None" else t, r) for out in outs for _, _, k, t, r in _lines(out, "fired")]
    assert logged, "no timer fired: the moments do not reach the deadline"
    assert [x for x, c in Counter(logged).items() if c > 1] == [], "a timer fired twice"
    assert Counter(returned) == Counter(logged), "each fired event is returned by exactly one ticker"
    # What one engine alone fires at those moments.
    alone = Engine.open(_campaign(), MemoryStore(), plugins=plugins, clock=ManualClock(datetime(2020, 9, 1, 9)))
    expected = [(str(e.kind), e.task, e.ref) for m in MOMENTS for e in alone.tick(datetime.fromisoformat(m))]
    assert sorted(logged) == sorted(expected)
    winners = len({out for out in outs if _lines(out, "fired")})
    with capsys.disabled():
        print(f"\n[ticks] {'sqlite' if not schema else 'postgres'}: {TICKERS} processes ticking at once, "
              f"{len(MOMENTS)} rounds, {len(logged)} timers fired once each (by {winners} of the processes)")
