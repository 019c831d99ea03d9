"""What ``campaignflow serve`` runs in each uvicorn worker: the app built from a ``ServeConfig`` in the environment.

uvicorn starts every worker as a fresh process that imports
``campaignflow.web.serve:app_from_env`` (a factory), so the command line hands
its settings over in one environment variable. Each worker loads the plans
and opens its own store and engines; they share the secret, so a form one
worker rendered is accepted by another.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from ..model import Campaign
from ..runtime import SQLiteStore, Store, SystemClock
from .app import create_app
from .auth import DemoLogin, header_identity

__all__ = ["ENV", "ServeConfig", "ShiftedClock", "app_from_env", "build_app", "open_store"]

#: The environment variable that carries a ``ServeConfig`` (JSON) to the workers.
ENV = "CAMPAIGNFLOW_SERVE"


@attrs.frozen
class ShiftedClock:
    """The wall clock moved by a fixed offset: a 2016 campaign demonstrated as if it were 2016.

    Every worker gets the same offset, so their events stay in time order.
    """

    timezone: str
    offset_seconds: float

    def now(self) -> datetime:
        """The campaign's local time, shifted."""
        return SystemClock(self.timezone).now() + timedelta(seconds=self.offset_seconds)


@attrs.frozen
class ServeConfig:
    """Everything a worker needs to build the app: plan files, store, login, secret."""

    #: Absolute paths of the plan files.
    plans: tuple[str, ...] = attrs.field(converter=tuple)
    #: The store: a SQLite file, or a ``postgresql://`` URL (see ``open_store``).
    db: str
    #: ``demo`` (a sign-in form, loopback only) or ``header`` (a reverse proxy's headers).
    auth: str = attrs.field(default="demo", validator=attrs.validators.in_(("demo", "header")))
    #: Hex key for CSRF tokens and the demo cookie, shared by all workers.
    secret: str = ""
    plugin_dirs: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    #: Seconds added to the wall clock (``--now``), or ``None`` for the real time.
    clock_offset: float | None = None
    #: Seconds between the app's own deadline checks (``create_app(tick_every=)``), or ``None``.
    tick_every: float | None = None
    user_header: str = "X-Remote-User"
    units_header: str = "X-Remote-Units"

    def to_env(self) -> str:
        """The JSON text for ``ENV``."""
        return json.dumps(attrs.asdict(self), ensure_ascii=False)

    @classmethod
    def from_env(cls, text: str) -> ServeConfig:
        """Read what ``to_env`` wrote."""
        return cls(**json.loads(text))


def open_store(location: str) -> Store:
    """The store at ``location``: a SQLite file, or a ``postgresql://`` URL when the runtime has that store.

    Uses ``campaignflow.runtime.open_store`` where it exists (it reads both); before that, SQLite only.
    """
    from .. import runtime
    from ..errors import StoreError

    opener = getattr(runtime, "open_store", None)
    if opener is not None:
        return opener(location)  # type: ignore[no-any-return]
    if location.lower().startswith(("postgresql://", "postgres://")):
        msg = f"{location.split('@')[-1]}: this campaignflow has no PostgreSQL store"
        raise StoreError(msg)
    return SQLiteStore(location)


def build_app(config: ServeConfig, campaigns: Sequence[Campaign] | None = None, store: Store | None = None,
              plugins: object = None) -> object:
    """The app for ``config``; loads the plans and opens the SQLite store unless they are given."""
    from ..load import load_plan
    from ..plugins.manager import create_plugin_manager

    if plugins is None:
        plugins = create_plugin_manager(plugin_dirs=config.plugin_dirs)
    if campaigns is None:
        campaigns = [load_plan(p, plugins=plugins) for p in config.plans]  # type: ignore[arg-type]
    store = store if store is not None else open_store(config.db)
    clock = (ShiftedClock(campaigns[0].timezone, config.clock_offset)
             if config.clock_offset is not None and campaigns else None)
    secret = bytes.fromhex(config.secret) if config.secret else None
    if config.auth == "header":
        return create_app(campaigns, store, identify=header_identity(config.user_header, config.units_header),
                          secret=secret, plugins=plugins, clock=clock, tick_every=config.tick_every)
    units = {uid: u.name for c in campaigns for uid, u in c.units.items()}
    login = DemoLogin(units, secret or os.urandom(32))
    return create_app(campaigns, store, login=login, secret=login.secret, plugins=plugins, clock=clock,
                      tick_every=config.tick_every)


def app_from_env() -> object:
    """The uvicorn factory: ``uvicorn --factory campaignflow.web.serve:app_from_env`` with ``ENV`` set."""
    text = os.environ.get(ENV)
    if not text:
        msg = f"{ENV} is not set: start the app with `campaignflow serve`"
        raise RuntimeError(msg)
    return build_app(ServeConfig.from_env(text))
