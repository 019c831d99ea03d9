"""Fixtures for loader tests: a plugin manager without outside plugins, and plan writers."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from campaignflow.errors import PlanError, Problem
from campaignflow.load import load_plan
from campaignflow.model import Campaign
from campaignflow.plugins.manager import Plugins, create_plugin_manager

#: The smallest plan: the header every test plan starts from.
HEADER = """\
format = 1
[campaign]
id = "test"
name = "测试方案"
start = 2020-07-01
end = 2020-12-31
"""


#: Problems about a whole file, which have no line.
UNPLACED = frozenset({"file-not-found", "not-a-file", "file-too-large", "too-deep", "unreadable-file"})


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    return create_plugin_manager(entry_points=False, use_env=False)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write files (name -> text, dedented) into a temporary folder; the path of the first."""

    def _write(files: dict[str, str]) -> Path:
        paths = []
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
            paths.append(path)
        return paths[0]

    return _write


@pytest.fixture
def load(plugins: Plugins) -> Callable[[str], Campaign]:
    """Load TOML text (dedented) with the test plugins."""

    def _load(text: str) -> Campaign:
        return load_plan(textwrap.dedent(text), plugins=plugins)

    return _load


@pytest.fixture
def problems(plugins: Plugins) -> Callable[..., tuple[Problem, ...]]:
    """The problems of a plan that must fail (text, or a path)."""

    def _problems(source: str | Path, **kwargs: object) -> tuple[Problem, ...]:
        if isinstance(source, str):
            source = textwrap.dedent(source)
        with pytest.raises(PlanError) as info:
            load_plan(source, plugins=plugins, **kwargs)  # type: ignore[arg-type]
        found = info.value.problems
        assert found, "a PlanError carries at least one problem"
        for p in found:
            # Only a file that could not be read as a whole has no line to point at.
            assert p.location.line is not None or p.code in UNPLACED, p.format()
            assert p.message.zh, p.format()
        return found

    return _problems


def _only(problems: tuple[Problem, ...], code: str | None = None) -> Problem:
    found = [p for p in problems if code is None or p.code == code]
    assert len(found) == 1, "\n".join(p.format() for p in problems)
    return found[0]


@pytest.fixture
def only() -> Callable[..., Problem]:
    """``only(problems, code)``: the one problem of that code (fails on none or several)."""
    return _only
