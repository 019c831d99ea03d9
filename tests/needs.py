"""Tests that need a real tool (a server, a browser, an office suite, a solver) say so here.

On a developer's machine without the tool such a test skips, with what to install; under CI
(``CI=true``), whose ``.ci/run`` installs every one of them, it fails instead: a missing tool
must never turn CI green by skipping.
"""

from __future__ import annotations

import os

import pytest


def under_ci() -> bool:
    """Whether this run is CI's (``CI`` set to true, 1 or yes)."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str, install: str = ".ci/run installs it") -> None:
    """Skip with ``reason`` here; fail under CI, naming how CI gets it."""
    if under_ci():
        pytest.fail(f"under CI: {reason} ({install})")
    pytest.skip(reason)


def need(what: str, present: bool, install: str = ".ci/run installs it") -> None:
    """``unavailable("WHAT is not installed")`` unless ``present``."""
    if not present:
        unavailable(f"{what} is not installed", install)
