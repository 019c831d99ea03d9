"""Choosing a store from one string: a SQLite file path or a PostgreSQL URL.

The host's configuration, ``CAMPAIGNFLOW_DATABASE_URL`` and ``campaignflow run
--db`` all go through ``open_store``, so that they read a location the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

from .sqlite import SQLiteStore
from .store import Store

__all__ = ["open_store", "is_database_url", "DATABASE_URL_ENV"]

#: The environment variable a host (and ``campaignflow run``) reads the store's location from.
DATABASE_URL_ENV = "CAMPAIGNFLOW_DATABASE_URL"

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: str | Path) -> bool:
    """Whether ``location`` names a PostgreSQL server (``postgresql://`` or ``postgres://``) rather than a file."""
    return isinstance(location, str) and location.lower().startswith(_POSTGRES_SCHEMES)


def open_store(location: str | Path | None = None, *, notify: bool = False, key: bytes | None = None) -> Store:
    """Open the store at ``location``: a ``postgresql://`` URL, or a SQLite file path.

    ``None`` reads ``CAMPAIGNFLOW_DATABASE_URL``, and falls back to ``campaignflow.db``.
    ``notify`` turns on LISTEN/NOTIFY for a PostgreSQL store (see ``PostgresStore``); a SQLite
    store has no such thing and ignores it (``wait_for_events`` polls it). ``key`` makes the store
    keep and check an HMAC of every event (see ``SQLiteStore``).

    Raises:
        StoreError: the store cannot be opened (or psycopg is not installed for a URL).
    """
    if location is None:
        location = os.environ.get(DATABASE_URL_ENV) or "campaignflow.db"
    if is_database_url(location):
        from .postgres import PostgresStore

        return PostgresStore(str(location), notify=notify, key=key)
    return SQLiteStore(location, key=key)
