"""The Lanshan district platform on the web: the bureaus' plans on one store, behind the platform's login.

    python examples/lanshan_district/web.py --db lanshan.db [--port 8000] [--workers 2]

This is the reference host for embedding ``campaignflow.web`` in a platform:
the platform has its own pages (here a home page at ``/``) and mounts the
campaign app at ``/campaigns``. Who is signed in comes from the reverse
proxy in front (``X-Remote-User`` and ``X-Remote-Units``, see docs/serve.md);
the engine decides what they may do. Every worker builds its own app (and
engines) on the one SQLite file; they share ``LANSHAN_SECRET``.

Without a proxy, try it with curl::

    curl -H 'X-Remote-User: wang.li' -H 'X-Remote-Units: stats-bureau' \\
         http://127.0.0.1:8000/campaigns/c/lanshan-stats-bureau/inbox
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route

import campaignflow as cf
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import SQLiteStore
from campaignflow.web import create_app, header_identity

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from host import with_sign_off  # noqa: E402  (the platform's sign-off of the bureau plans, beside this file)
PLANS = (HERE.parents[1] / "plugins" / "lanshan_stats_bureau" / "plan.toml",
         HERE / "plans" / "education-bureau.toml", HERE / "plans" / "health-bureau.toml")


def _home(_request: Request) -> HTMLResponse:
    # The platform's own page; the campaigns are one of its sections.
    return HTMLResponse('<!doctype html><meta charset="utf-8"><title>岚山区政务平台</title>'
                        '<h1>岚山区政务平台</h1><p><a href="/campaigns/">扶贫日活动工作台</a></p>')


def platform(db: Path, secret: bytes) -> Starlette:
    """The district platform: its home page, and the campaign desk mounted at ``/campaigns``."""
    plugins = create_plugin_manager(plugin_dirs=[PLANS[0].parent])
    # The platform's practice, as in host.py: the office also approves the statistics bureau's plan.
    campaigns = [with_sign_off(cf.load_plan(p, plugins=plugins)) for p in PLANS]
    desk = create_app(campaigns, SQLiteStore(db), identify=header_identity(), secret=secret, plugins=plugins)
    return Starlette(routes=[Route("/", _home), Mount("/campaigns", app=desk)])


def app_from_env() -> Starlette:
    """The uvicorn factory each worker calls (``LANSHAN_DB``, ``LANSHAN_SECRET``)."""
    return platform(Path(os.environ["LANSHAN_DB"]), bytes.fromhex(os.environ["LANSHAN_SECRET"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, required=True, help="the SQLite store")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    import uvicorn

    os.environ["LANSHAN_DB"] = str(args.db.resolve())
    os.environ.setdefault("LANSHAN_SECRET", secrets.token_hex(32))
    uvicorn.run("web:app_from_env", factory=True, host="127.0.0.1", port=args.port, workers=args.workers,
                app_dir=str(HERE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
