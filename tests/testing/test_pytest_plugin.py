"""The pytest plugin: on with no configuration, off with ``-p no:campaignflow``, free when unused.

Each test runs pytest in a subprocess, in a fresh directory with no
configuration file, as a plan author's project would.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLAN = """\
format = 1

[campaign]
id = "town-day"
name = "乡镇扶贫日活动方案"
start = 2020-09-01
end = 2020-10-30
calendar = "cn-workdays"

[units.county]
name = "县扶贫办"

[units.town]
name = "乡镇"
parent = "county"

[tasks.plan]
title = "制定活动方案"
lead = "town"
due = 2020-09-15
approvals = [{ by = "county", within = "2d" }]

[tasks.ceremony]
title = "扶贫日仪式"
lead = "town"
after = ["plan"]
on = 2020-10-16
"""

# The three lines of the done-when criterion: a fixture and a strategy, nothing configured.
THREE_LINES = """\
from hypothesis import given; from campaignflow.testing import assert_plan_valid, strategies as cfst
@given(cfst.campaigns(max_tasks=3))
def test_plan(load_plan_file, campaign): assert_plan_valid(load_plan_file("plan.toml")); assert campaign.tasks
"""


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=project, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "plan.toml").write_text(PLAN, encoding="utf-8")
    return tmp_path


def test_three_lines_run_with_no_configuration(project: Path) -> None:
    (project / "plans" / "test_plan.py").write_text(THREE_LINES, encoding="utf-8")
    # Run from the project root: the plan is found next to the test file, not in the working directory.
    result = _pytest(project, "plans/test_plan.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_a_broken_plan_fails_with_its_findings(project: Path) -> None:
    broken = PLAN.replace("on = 2020-10-16", "on = 2020-10-17")  # a Saturday
    (project / "plans" / "plan.toml").write_text(broken, encoding="utf-8")
    (project / "plans" / "test_plan.py").write_text(THREE_LINES, encoding="utf-8")
    result = _pytest(project, "plans/test_plan.py")
    assert result.returncode == 1
    assert "plan 'town-day' is not valid" in result.stdout
    assert "CF203 warning: task 'ceremony' takes place on 2020-10-17 (Sat)" in result.stdout
    assert "on = 2020-10-17" in result.stdout  # the plan's own line, as validate shows it


def test_a_missing_plan_file_names_where_it_was_looked_for(project: Path) -> None:
    (project / "plans" / "test_missing.py").write_text(textwrap.dedent("""\
        def test_missing(load_plan_file):
            load_plan_file("nope.toml")
        """), encoding="utf-8")
    result = _pytest(project, "plans/test_missing.py")
    assert result.returncode == 1
    assert "no plan file 'nope.toml' next to the test" in result.stdout
    assert str(project / "plans" / "nope.toml") in result.stdout


def test_the_plugin_can_be_disabled(project: Path) -> None:
    (project / "plans" / "test_plan.py").write_text(THREE_LINES, encoding="utf-8")
    result = _pytest(project, "-p", "no:campaignflow", "plans/test_plan.py")
    assert result.returncode == 1
    assert "fixture 'load_plan_file' not found" in result.stdout


def test_the_plugin_imports_nothing_until_used() -> None:
    code = ("import sys, campaignflow.testing.pytest_plugin as p; "
            "print(sorted(m for m in sys.modules if m.startswith(('campaignflow.', 'hypothesis', 'attr', "
            "'networkx', 'click'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    # only the plugin, its package and the tiny lazy-import helper: nothing heavy
    assert out.stdout.strip() == "['campaignflow._lazy', 'campaignflow.testing', 'campaignflow.testing.pytest_plugin']"


def test_the_campaignflow_plugins_fixture(project: Path) -> None:
    (project / "test_plugins.py").write_text(textwrap.dedent("""\
        def test_builtin_checks_are_there(campaignflow_plugins):
            assert "CF101" in campaignflow_plugins.checks()
        """), encoding="utf-8")
    result = _pytest(project, "test_plugins.py")
    assert result.returncode == 0, result.stdout + result.stderr
