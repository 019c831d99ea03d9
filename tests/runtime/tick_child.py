"""A child process that ticks the supervision campaign of test_supervision.py at given moments.

Run by test_tick_race.py, several at once on one store::

    python tick_child.py STORE SCHEMA OUT MOMENT...

STORE is a SQLite file or a ``postgresql://`` URL (SCHEMA its schema). Before each moment the
child writes ``ready N`` and waits for the file ``OUT.goN``, so that every child ticks moment
N at once; then it writes ``fired N KIND TASK REF`` for each event its tick returned.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime

from fault_child import open_store
from test_supervision import _campaign

from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, ManualClock


def main(location: str, schema: str, out: str, moments: list[str]) -> None:
    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    store = open_store(location, schema)
    plugins = create_plugin_manager(entry_points=False, use_env=False)
    engine = Engine.open(_campaign(), store, plugins=plugins, clock=ManualClock(datetime(2020, 9, 1, 9)), retries=20)
    for n, moment in enumerate(moments):
        os.write(fd, f"ready {n}\n".encode())
        while not os.path.exists(f"{out}.go{n}"):
            time.sleep(0.002)
        for event in engine.tick(datetime.fromisoformat(moment)):
            os.write(fd, f"fired {n} {event.kind} {event.task} {event.ref}\n".encode())
    os.write(fd, b"finished\n")
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
