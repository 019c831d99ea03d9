"""taplo (the linter behind Even Better TOML) lints the bundled plans against the shipped schema."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from needs import unavailable

REPO = Path(__file__).resolve().parents[2]


def _taplo() -> str:
    found = shutil.which("taplo") or shutil.which("taplo", path=str(Path(sys.executable).parent))
    if found is None:
        unavailable("taplo is not installed (pip install taplo)", "the test extra installs it")
    return found


def _plans() -> list[str]:
    files = sorted(REPO.glob("plugins/*/plan.toml")) + sorted(REPO.glob("plugins/*/units.toml"))
    files += sorted(REPO.glob("examples/**/*.toml"))
    return [str(p) for p in files]


def test_taplo_accepts_every_bundled_plan():
    proc = subprocess.run([_taplo(), "lint", *_plans()], capture_output=True, text=True, cwd=REPO, check=False,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"total={len(_plans())}" in proc.stderr


def test_taplo_rejects_a_misspelt_key_through_the_schema_line(tmp_path):
    schema = REPO / "src" / "campaignflow" / "schemas" / "plan.schema.json"
    plan = tmp_path / "plan.toml"
    plan.write_text(f"#:schema {schema}\nformat = 1\n[campaign]\nid = \"x\"\nname = \"n\"\n"
                    "start = 2020-01-01\nend = 2020-02-01\n[tasks.a]\ntitle = \"t\"\nlead = \"u\"\n"
                    "duratoin = \"2d\"\n", encoding="utf-8")
    proc = subprocess.run([_taplo(), "lint", str(plan)], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode != 0
    assert "'duratoin' was unexpected" in proc.stderr
