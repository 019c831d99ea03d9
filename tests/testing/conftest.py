"""Fixtures of the test kit's own tests."""

from __future__ import annotations

import pytest

from campaignflow.plugins.manager import Plugins, create_plugin_manager


@pytest.fixture(scope="session")
def builtin_plugins() -> Plugins:
    """Only campaignflow's own checks and calendars."""
    return create_plugin_manager(entry_points=False, use_env=False)
