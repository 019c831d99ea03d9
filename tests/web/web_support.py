"""Helpers for the web tests: the Lanshan plan, a signed-in client, reading tokens off a page."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import needs

ROOT = Path(__file__).resolve().parents[2]
LANSHAN = ROOT / "plugins" / "lanshan_stats_bureau" / "plan.toml"
CID = "lanshan-stats-bureau"
T0 = datetime(2016, 9, 5, 9, 0)  # a Monday in the plan's first week
SECRET = b"k" * 32
HOST = ROOT / "examples" / "lanshan_district" / "host.py"
EDUCATION = ROOT / "examples" / "lanshan_district" / "plans" / "education-bureau.toml"


def with_sign_off(campaign):  # type: ignore[no-untyped-def]
    """The example host's ``with_sign_off``: the district office also approves the bureau's plan.

    The statistics bureau's document only sends (报, ``reports_to``) its plan; the
    reference host adds the platform's approval step, and the web tests that approve
    it run the plan as that host does.
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location("lanshan_host", HOST)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.with_sign_off(campaign)


def need(what: str, present: bool) -> None:
    """Skip on a developer's machine without ``what``; fail under CI (CI=true), which must have it."""
    needs.need(what, present)


def httpx():  # type: ignore[no-untyped-def]
    """The HTTP client module: ``httpx``, or ``httpx2`` (what the serve-test extra installs); skip without."""
    import importlib

    for name in ("httpx", "httpx2"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    need("httpx (the serve-test extra)", False)
    return None


def token(html: str, name: str = "csrf") -> str:
    """The value of the first hidden input ``name`` on a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no {name} field on the page"
    return found.group(1)


def message(html: str) -> str:
    """The page's alert text (a refusal, a confirmation), or ``""``."""
    found = re.search(r'id="message">([^<]*)<', html)
    return found.group(1) if found else ""
