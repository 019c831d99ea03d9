"""The worked example of docs/embedding.md runs, and prints what the document says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _block(text: str, marker: str) -> str:
    start = text.index(marker)
    fence = text.index("```", start)
    body = text.index("\n", fence) + 1
    return text[body:text.index("```", body)]


def _normal(text: str) -> list[str]:
    # Plan fingerprints change whenever the seed plan is edited; everything else must match.
    return [re.sub(r"\b[0-9a-f]{12}\b", "<fp>", line).rstrip() for line in text.strip().splitlines()]


def test_the_lanshan_week_runs_as_documented():
    doc = (REPO / "docs" / "embedding.md").read_text(encoding="utf-8")
    code = _block(doc, "<!-- worked-example -->")
    expected = _block(doc, "<!-- worked-example-output -->")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert _normal(result.stdout) == _normal(expected)
    kinds = {line.split()[3] for line in result.stdout.splitlines() if line.startswith("#")}
    assert {"reminded", "alerted", "delegated", "extended", "amended"} <= kinds
