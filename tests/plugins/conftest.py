"""Shared helpers for the seed-plan plugin tests (plugins/<dir>/).

Test modules use the ``seed_plugin`` fixture, a factory of ``SeedPlugin``::

    @pytest.fixture(scope="module")
    def anhui(seed_plugin):
        return seed_plugin("anhui_2020", module="campaignflow_anhui_2020")

    def test_readme_findings(anhui):
        assert anhui.readme_codes() == anhui.codes()

The README's findings section is machine-readable: under a heading that
contains "Findings", each finding is a bullet starting with its code in
backticks (``- `CF203` ...``). Codes mentioned anywhere else in the README do
not count, so prose may talk about checks that do *not* fire.

Assumptions made where a document is vague are marked in the TOML with a
comment ``# ASSUMPTION A3: ...`` and listed in the README as bullets starting
with the bold label (``- **A3** ...``); ``SeedPlugin.assumptions()`` returns
both sets of labels.
"""

from __future__ import annotations

import functools
import importlib
import re
import shutil
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from campaignflow.findings import Finding
    from campaignflow.model import Campaign, Task
    from campaignflow.plugins.manager import Plugins

#: The repository's folder of seed-plan plugins.
PLUGINS_DIR = Path(__file__).resolve().parents[2] / "plugins"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FINDING_BULLET = re.compile(r"^\s*[-*+]\s+`([A-Z]{2,}[0-9]{3,})`")
_ASSUMPTION_MARK = re.compile(r"ASSUMPTION ([A-Z]+[0-9]+)\b")
_ASSUMPTION_BULLET = re.compile(r"^\s*[-*+]\s+\*\*([A-Z]+[0-9]+)\*\*")


def readme_finding_codes(readme: Path) -> set[str]:
    """Codes listed as bullets in the README's findings section(s).

    A findings section starts at a heading containing "Findings" (any case)
    and runs until the next heading of the same or a higher level. Raises
    ``AssertionError`` when the README has no findings section at all, so a
    missing section cannot pass as "no findings".
    """
    codes: set[str] = set()
    level: int | None = None
    found = False
    for line in readme.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            depth = len(heading.group(1))
            if "findings" in heading.group(2).lower():
                level, found = depth, True
                continue
            if level is not None and depth <= level:
                level = None
            continue
        if level is not None:
            bullet = _FINDING_BULLET.match(line)
            if bullet:
                codes.add(bullet.group(1))
    assert found, f"{readme}: no heading containing 'Findings'"
    return codes


def assumption_labels(directory: Path) -> tuple[set[str], set[str]]:
    """Assumption labels marked in a plugin's TOML files and listed in its README.

    The TOML marks one with a comment ``# ASSUMPTION A3: ...``; the README
    lists each as a bullet starting with the bold label (``- **A3** ...``).
    Returns ``(in_toml, in_readme)``; a faithful plugin has the two equal.
    """
    in_toml: set[str] = set()
    for path in sorted(directory.glob("*.toml")):
        in_toml.update(_ASSUMPTION_MARK.findall(path.read_text(encoding="utf-8")))
    readme = (directory / "README.md").read_text(encoding="utf-8")
    in_readme = {m.group(1) for line in readme.splitlines() if (m := _ASSUMPTION_BULLET.match(line))}
    return in_toml, in_readme


def _import_python_part(directory: Path, module: str) -> ModuleType:
    # CI installs the plugin (`pip install ./plugins/<dir>`); a fresh checkout
    # has not, so fall back to the module file that sits in the plugin folder.
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
    sys.path.insert(0, str(directory))
    return importlib.import_module(module)


class SeedPlugin:
    """One plugin directory under plugins/: its plan, README and Python part.

    The plugin manager it builds registers the built-ins, every TOML plugin
    of plugins/ (so that ``plans()`` lists the seed plans) and the plugin's
    own Python module, but no installed entry points: tests do not depend on
    what happens to be installed.
    """

    def __init__(self, dirname: str, module: str | None = None) -> None:
        self.dirname = dirname
        self.dir = PLUGINS_DIR / dirname
        self.plan_path = self.dir / "plan.toml"
        self.readme = self.dir / "README.md"
        self.module_name = module

    @functools.cached_property
    def module(self) -> ModuleType | None:
        """The plugin's Python part, imported (``None`` for a TOML-only plugin)."""
        if self.module_name is None:
            return None
        return _import_python_part(self.dir, self.module_name)

    def make_plugins(self, *, extra: Iterable[object] = ()) -> Plugins:
        """A fresh plugin manager with this plugin's Python part registered."""
        from campaignflow.plugins.manager import create_plugin_manager

        objs = [self.module] if self.module is not None else []
        host = create_plugin_manager(entry_points=False, plugin_dirs=[PLUGINS_DIR], use_env=False,
                                     plugins=[*objs, *extra])
        # A built-in check that failed to import would silently drop its findings
        # and make every README comparison fail for the wrong reason: say so.
        assert not host.failures, f"plugins failed to load: {host.failures}"
        return host

    @functools.cached_property
    def plugins(self) -> Plugins:
        """The manager shared by the tests of this plugin."""
        return self.make_plugins()

    def load(self, path: Path | None = None) -> Campaign:
        """Load the plugin's plan (or another file, e.g. a modified copy)."""
        from campaignflow import load_plan

        return load_plan(path or self.plan_path, plugins=self.plugins)

    @functools.cached_property
    def campaign(self) -> Campaign:
        """The plugin's plan, loaded once."""
        return self.load()

    def findings(self, campaign: Campaign | None = None) -> list[Finding]:
        """``campaignflow.validate`` on the plan (or on ``campaign``)."""
        from campaignflow import validate

        return validate(campaign or self.campaign, plugins=self.plugins)

    def codes(self, campaign: Campaign | None = None) -> set[str]:
        """The set of codes validate reports."""
        return {f.code for f in self.findings(campaign)}

    def readme_codes(self) -> set[str]:
        """The codes the README's findings section lists."""
        return readme_finding_codes(self.readme)

    def quotes(self, files: Iterable[str] = ("plan.toml", "units.toml")) -> list[str]:
        """Every ``doc = { quote = ... }`` written in the plugin's TOML files, in file order."""
        found: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                doc = node.get("doc")
                if isinstance(doc, dict) and "quote" in doc:
                    found.append(doc["quote"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        for name in files:
            walk(tomllib.loads((self.dir / name).read_text(encoding="utf-8")))
        return found

    def assumptions(self) -> tuple[set[str], set[str]]:
        """``(marked in the TOML, listed in the README)`` assumption labels."""
        return assumption_labels(self.dir)

    def tasks(self, *, section: str | None = None, tag: str | None = None,
              template: str | None = None) -> list[Task]:
        """Tasks of the loaded plan, filtered by section prefix, tag or template."""
        out = []
        for task in self.campaign.tasks.values():
            if section is not None and not (task.section or "").startswith(section):
                continue
            if tag is not None and tag not in task.tags:
                continue
            if template is not None and task.template != template:
                continue
            out.append(task)
        return out

    def copy(self, dest: Path, *, append: str = "", replace: Mapping[str, str] | None = None,
             edit: Callable[[str], str] | None = None) -> Path:
        """Copy the plugin directory to ``dest`` and change its ``plan.toml``.

        ``replace`` maps exact substrings to their replacements (each must
        occur, so a test cannot silently stop changing anything); ``append``
        is TOML added at the end; ``edit`` is any further text function.
        Returns the copied plan's path.
        """
        target = dest / self.dirname
        shutil.copytree(self.dir, target, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "build"))
        plan = target / "plan.toml"
        text = plan.read_text(encoding="utf-8")
        for old, new in (replace or {}).items():
            assert old in text, f"{old!r} is not in {self.plan_path}"
            text = text.replace(old, new)
        if edit is not None:
            text = edit(text)
        if append:
            text = text.rstrip("\n") + "\n\n" + append.strip("\n") + "\n"
        plan.write_text(text, encoding="utf-8")
        return plan


@pytest.fixture(scope="session")
def seed_plugin() -> Callable[..., SeedPlugin]:
    """Factory: ``seed_plugin(dirname, module=None)`` -> a cached ``SeedPlugin``."""
    cache: dict[str, SeedPlugin] = {}

    def make(dirname: str, module: str | None = None) -> SeedPlugin:
        if dirname not in cache:
            cache[dirname] = SeedPlugin(dirname, module)
        return cache[dirname]

    return make


@pytest.fixture(scope="session")
def readme_codes() -> Callable[[Path], set[str]]:
    """``readme_codes(path)``: the codes a README's findings section lists."""
    return readme_finding_codes
