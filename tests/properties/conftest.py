"""Shared fixtures of the engine's property tests (strategies from ``campaignflow.testing``)."""

from __future__ import annotations

import pytest

from campaignflow.plugins.manager import Plugins, create_plugin_manager


@pytest.fixture(scope="session")
def builtin_plugins() -> Plugins:
    """Only campaignflow's own checks and calendars: installed seed plugins add checks of their own."""
    return create_plugin_manager(entry_points=False, use_env=False)
