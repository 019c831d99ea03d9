"""Many processes opening one new SQLite store at the same instant all succeed.

CI once lost a run to ``database is locked`` from ``PRAGMA journal_mode=WAL``: SQLite does not
wait on its busy handler there, so two openers of a fresh file could fail at once.
"""

from __future__ import annotations

import subprocess
import sys
import time

_OPENER = """
import os, sys, time
from campaignflow.runtime import SQLiteStore
go = sys.argv[2]
while not os.path.exists(go):
    pass  # spin, not sleep: the openers must really collide
store = SQLiteStore(sys.argv[1])
store.close()
"""


def test_simultaneous_openers_of_a_new_file_all_succeed(tmp_path):
    for round_ in range(8):
        db, go = tmp_path / f"new{round_}.db", tmp_path / f"go{round_}"
        children = [subprocess.Popen([sys.executable, "-c", _OPENER, str(db), str(go)],
                                     stderr=subprocess.PIPE, text=True) for _ in range(8)]
        time.sleep(1.0)  # let every child import and reach its start line
        go.touch()
        for child in children:
            _, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
