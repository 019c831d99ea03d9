"""The PostgreSQL server of the store tests: ``CAMPAIGNFLOW_TEST_DATABASE_URL``, started by .ci/run.

Without it (a developer machine without PostgreSQL) the PostgreSQL tests are skipped with
the reason; under CI (``CI=true``) a missing server fails them instead, so CI never skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

from needs import unavailable

URL_ENV = "CAMPAIGNFLOW_TEST_DATABASE_URL"
CTL_ENV = "CAMPAIGNFLOW_TEST_PG_CTL"


def _unavailable(reason: str) -> None:
    unavailable(reason, ".ci/run must install and start PostgreSQL")


def postgres_url() -> str:
    """The test server's URL, after checking it answers; skips (or fails under CI) otherwise."""
    url = os.environ.get(URL_ENV)
    if not url:
        _unavailable(f"no PostgreSQL server for the tests ({URL_ENV} is not set; .ci/run starts one)")
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[postgres]')")
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as exc:
        _unavailable(f"the PostgreSQL server at {url} does not answer: {exc}")
    return url  # type: ignore[return-value]


def fresh_schema(url: str) -> Iterator[str]:
    """A schema name no one uses yet; dropped afterwards (each test gets an empty store)."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
