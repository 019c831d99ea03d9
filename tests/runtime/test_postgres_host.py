"""docs/embedding.md's multi-process host on PostgreSQL runs, and the docs show its real code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = ROOT / "examples" / "postgres_host" / "host.py"
DOCS = ROOT / "docs" / "embedding.md"


def test_the_docs_show_the_example_s_own_code():
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### A multi-process host on PostgreSQL"):text.index("## Retries, idempotency")]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2
    source = HOST.read_text(encoding="utf-8")
    for block in blocks:
        assert block in source, block[:60]


@pytest.mark.parametrize("notify", [False, True], ids=["polling", "notify"])
def test_the_multi_process_host_loses_nothing(pg_url, pg_schema, notify):
    args = [sys.executable, str(HOST), pg_url, "--schema", pg_schema, "--workers", "3"]
    done = subprocess.run([*args, *(["--notify"] if notify else [])], capture_output=True, text=True, timeout=600,
                          check=False)
    print("\n[host]", done.stdout.strip())
    assert done.returncode == 0, done.stdout + done.stderr
    line = done.stdout.strip().splitlines()[-1]
    assert line.endswith("- ok")
    requests, new = (int(x) for x in re.search(r"(\d+) requests .*?: (\d+) new events", line).groups())
    assert requests == 2 * new > 0  # every request sent twice, one event each
    assert ("notify" if notify else "polling") in line
