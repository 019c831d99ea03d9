"""Start `campaignflow serve` as a real server (uvicorn, one or more workers) for a test, and stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from web_support import LANSHAN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(db: Path | str, *args: str, workers: int = 1, now: str = "2016-09-05T09:00",
           plans: tuple[Path, ...] = (LANSHAN,)) -> Iterator[str]:
    """The base URL of `campaignflow serve PLANS... --db db ...` (default the Lanshan plan) until the block ends."""
    port = free_port()
    cmd = [sys.executable, "-m", "campaignflow", "serve", *map(str, plans), "--db", str(db), "--port", str(port),
           "--workers", str(workers), *(["--now", now] if now else []), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited {proc.returncode}: {proc.stdout.read().decode()}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("serve did not listen within 30 s") from None
                time.sleep(0.1)
        yield url
    finally:
        # Its own session: stop uvicorn and its workers, nothing else.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
