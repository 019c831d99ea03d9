"""Helpers for the web tests: the Lanshan plan, a signed-in client, reading tokens off a page."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANSHAN = ROOT / "plugins" / "lanshan_stats_bureau" / "plan.toml"
CID = "lanshan-stats-bureau"
T0 = datetime(2016, 9, 5, 9, 0)  # a Monday in the plan's first week
SECRET = b"k" * 32


def need(what: str, present: bool) -> None:
    """Skip on a developer's machine without ``what``; fail under CI (CI=true), which must have it."""
    if present:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is required under CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


def token(html: str, name: str = "csrf") -> str:
    """The value of the first hidden input ``name`` on a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no {name} field on the page"
    return found.group(1)


def message(html: str) -> str:
    """The page's alert text (a refusal, a confirmation), or ``""``."""
    found = re.search(r'id="message">([^<]*)<', html)
    return found.group(1) if found else ""
