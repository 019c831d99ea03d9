"""The worked example of docs/testing.md runs as written, next to the seed plan it is about."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"
SEED = ROOT / "plugins" / "lanshan_stats_bureau"


def _example(name: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(rf"<!-- example: {re.escape(name)} -->\n```python\n(.*?)```\n<!-- end example -->", text, re.S)
    assert m is not None, f"no example {name!r} in {DOC}"
    return m.group(1)


def test_the_lanshan_example_passes_on_the_seed_plan(tmp_path: Path) -> None:
    for name in ("plan.toml", "units.toml"):
        shutil.copy(SEED / name, tmp_path / name)
    (tmp_path / "test_lanshan.py").write_text(_example("test_lanshan.py"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_lanshan.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
