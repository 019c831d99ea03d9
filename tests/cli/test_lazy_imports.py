"""`campaignflow --help` and `validate` of a small plan import neither numpy, networkx nor simulate (issue 19).

Each command runs in a fresh interpreter, which then reports the heavy modules
it ended up with; importing them cost half the CPU of validating a two-task plan.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numpy", "networkx", "campaignflow.simulate")
#: The simulate package itself is a lazy shell, and its scheduler registry a built-in
#: plugin that imports nothing else: both may be loaded, the simulation may not.
ALLOWED = ("campaignflow.simulate", "campaignflow.simulate.schedulers")

SMALL_PLAN = """\
format = 1
[campaign]
id = "small"
name = "小方案"
start = 2024-01-01
end = 2024-02-01
[units.office]
name = "办公室"
[tasks.draft]
title = "起草方案"
lead = "office"
duration = "2d"
[tasks.issue]
title = "印发方案"
lead = "office"
after = ["draft"]
approvals = [{ by = "office" }]
"""

_PROBE = """
import json, sys
from campaignflow.cli.main import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in sys.modules if (m in {heavy!r} or m.startswith(tuple(h + "." for h in {heavy!r})))
               and m not in {allowed!r})
sys.stderr.write("\\nPROBE " + json.dumps({{"code": code, "heavy": heavy}}) + "\\n")
""".format(heavy=HEAVY, allowed=ALLOWED)


def _probe(*args: str) -> tuple[int, list[str], str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120,
                          check=False)
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("PROBE "))
    got = json.loads(line[len("PROBE "):])
    return got["code"], got["heavy"], done.stdout


def test_help_imports_nothing_heavy() -> None:
    code, heavy, out = _probe("--help")
    assert code == 0 and "validate" in out
    assert heavy == []


def test_validate_of_a_small_plan_imports_nothing_heavy(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    code, heavy, out = _probe("validate", str(plan))
    assert code == 0, out
    assert "0 error(s)" in out
    assert heavy == []


def test_validate_of_a_cycle_is_still_found_without_numpy(tmp_path: Path) -> None:
    # The scalar passes stand in for numpy on small plans; they must still see a cycle.
    plan = tmp_path / "plan.toml"
    plan.write_text(SMALL_PLAN.replace('duration = "2d"', 'duration = "2d"\nafter = ["issue"]'), encoding="utf-8")
    code, heavy, out = _probe("validate", str(plan))
    assert code == 1 and "CF" in out
    assert "numpy" not in heavy


def test_the_help_text_repeats_the_gantt_limit() -> None:
    pytest.importorskip("numpy")
    from campaignflow.cli import simulate as cli_simulate
    from campaignflow.simulate import render

    assert cli_simulate._GANTT_MAX_TASKS == render.GANTT_MAX_TASKS
