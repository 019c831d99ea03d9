"""The public API: every exported name resolves, is documented, and the hooks too."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import campaignflow as cf
from campaignflow.plugins import hookspecs

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", [n for n in cf.__all__ if n != "__version__"])
def test_exported_name_resolves_and_is_documented(name):
    assert getattr(cf, name) is not None
    assert re.search(rf"`{re.escape(name)}\b", (DOCS / "api.md").read_text(encoding="utf-8")), name


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = cf.nope


def test_every_hook_is_documented_for_plugin_authors():
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    hooks = [n for n in dir(hookspecs) if n.startswith("campaignflow_")]
    assert hooks
    for hook in hooks:
        assert f"`{hook}(" in text, hook
        assert getattr(hookspecs, hook).__doc__, hook


def test_import_is_lazy_and_cheap():
    # The CLI and the pytest plugin import campaignflow; the heavy parts must not come with it.
    code = "import sys, campaignflow; print(sorted(m for m in ('networkx', 'campaignflow.runtime', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
