"""pytest plugin (entry point ``pytest11``): fixtures for plan authors.

Enabled whenever campaignflow is installed; disable it with
``pytest -p no:campaignflow``. campaignflow itself is imported lazily, so the
plugin costs nothing in projects that do not use it.

Fixtures:
    load_plan_file: ``load_plan_file("plan.toml")`` loads a plan file named
        relative to the requesting test file's directory.
    campaignflow_plugins: a fresh plugin manager (``create_plugin_manager()``)
        for the test module, for checks that must not see other plugins' state.

The assertions ``assert_plan_valid`` and ``assert_findings`` live in
``campaignflow.testing``; their failures show the findings as
``campaignflow validate`` prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from campaignflow.model import Campaign
    from campaignflow.plugins.manager import Plugins


def _resolve(base: Path, path: str | Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else base / candidate


@pytest.fixture(scope="module")
def load_plan_file(request: pytest.FixtureRequest) -> Callable[..., Campaign]:
    """Load a plan file named relative to the test file: ``load_plan_file("plan.toml")``.

    Module-scoped, so it can be used with Hypothesis's ``@given``. A file is
    read once per test module (campaigns are immutable) and again only when
    it changes, so that examples spend their time on the property, not on
    parsing. Keyword arguments go to ``campaignflow.load_plan``. A missing
    file fails the test with the path that was looked for.
    """
    from campaignflow.load import load_plan
    from campaignflow.plugins.manager import default_plugins

    # Build the plugin registries now, in the fixture's setup, not in the first example's time.
    plugins = default_plugins()
    plugins.checks()
    base = Path(request.path).parent
    loaded: dict[tuple[Any, ...], Campaign] = {}

    def load(path: str | Path, **kwargs: Any) -> Campaign:
        __tracebackhide__ = True
        target = _resolve(base, path)
        if not target.is_file():
            pytest.fail(f"no plan file {str(path)!r} next to the test (looked for {target})", pytrace=False)
        stat = target.stat()
        key = (target, stat.st_mtime_ns, stat.st_size, tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
        campaign = loaded.get(key)
        if campaign is None:
            campaign = loaded[key] = load_plan(target, **kwargs)
        return campaign

    return load


@pytest.fixture(scope="module")
def campaignflow_plugins() -> Plugins:
    """A fresh plugin manager with the built-ins and installed plugins, for this test module."""
    from campaignflow.plugins.manager import create_plugin_manager

    return create_plugin_manager()
