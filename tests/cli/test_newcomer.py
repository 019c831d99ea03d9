"""Defects a newcomer met (issue 17): messages, exit codes and what people read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
OFFICE = REPO / "tests" / "runtime" / "data" / "office.toml"


def _closed_pipe_run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    # stdout is a pipe whose reading end is already closed: the first write fails
    # with EPIPE, as under `| head -1` once head has exited.
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run([sys.executable, "-m", "campaignflow", *args], stdout=w, stderr=subprocess.PIPE,
                              timeout=120, check=False)
    finally:
        os.close(w)


@pytest.mark.parametrize("command", [["validate", str(OFFICE)], ["simulate", str(OFFICE)], ["run", "log"]])
def test_a_closed_pipe_ends_quietly_with_exit_0(tmp_path, command):
    db = tmp_path / "office.db"
    init = CliRunner().invoke(cli, ["run", "init", str(OFFICE), "--db", str(db), "--now", "2020-07-01T09:00"])
    assert init.exit_code == 0, init.output
    args = [*command, "--db", str(db)] if command[0] == "run" else command
    done = _closed_pipe_run(args)
    assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr, done.stderr
    assert b"BrokenPipe" not in done.stderr
    assert done.returncode == 0, done.stderr
