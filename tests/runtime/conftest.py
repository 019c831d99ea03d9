"""Fixtures for the runtime tests: plugins, a manual clock, engines on a memory store."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from runtime_support import T0, small_campaign

from campaignflow.model import Campaign
from campaignflow.plugins.manager import Plugins, create_plugin_manager
from campaignflow.runtime import Engine, ManualClock, MemoryStore, Store


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    return create_plugin_manager(entry_points=False, use_env=False)


@pytest.fixture()
def campaign() -> Campaign:
    return small_campaign()


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture()
def make_engine(plugins: Plugins, clock: ManualClock) -> Callable[..., Engine]:
    def make(campaign: Campaign | None = None, store: Store | None = None, **kwargs: object) -> Engine:
        return Engine.open(campaign or small_campaign(), store if store is not None else MemoryStore(),
                           plugins=plugins, clock=clock, **kwargs)  # type: ignore[arg-type]
    return make


@pytest.fixture()
def engine(make_engine: Callable[..., Engine]) -> Engine:
    return make_engine()


@pytest.fixture()
def pg_url() -> str:
    """The PostgreSQL test server (skipped without one, failed without one under CI)."""
    from pg_support import postgres_url

    return postgres_url()


@pytest.fixture()
def pg_schema(pg_url: str) -> Iterator[str]:
    """A fresh, empty schema on the test server, dropped after the test."""
    from pg_support import fresh_schema

    yield from fresh_schema(pg_url)
