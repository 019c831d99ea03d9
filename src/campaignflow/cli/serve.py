"""``campaignflow serve``: the web inbox for the offices that run a campaign (extra ``serve``)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import datetime
from pathlib import Path

import attrs
import click

from ..errors import RuntimeEngineError, StoreError
from .options import PlanInputError, Session, lang_option, load_campaign, pass_session, plugins_option
from .output import err, t

__all__ = ["serve"]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.argument("plans", nargs=-1, required=True, metavar="PLAN...")
@click.option("--db", required=True, metavar="FILE|URL",
              help="The store: a SQLite file (created if missing), or a postgresql:// URL where that store exists.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="uvicorn worker processes, each with its own engines on the store.")
@click.option("--auth", type=click.Choice(["demo", "header"]), default="demo", show_default=True,
              help="demo: a sign-in form for trying it out (loopback only); header: trust X-Remote-User "
                   "and X-Remote-Units from a reverse proxy.")
@click.option("--now", "now", default=None, metavar="DATETIME",
              help="Run the campaign's clock as if it were this moment now (a demonstration of a past plan).")
@click.option("--tick-every", "tick_every", type=click.FloatRange(min=1.0), default=None, metavar="SECONDS",
              help="Check deadlines (fire reminders and escalations) every SECONDS in each worker; by default "
                   "only the overview's button for the issuer, or a cron `campaignflow run tick`.")
@click.option("--check", is_flag=True, help="Load the plans and open the store, then exit without serving.")
@lang_option
@plugins_option
@pass_session
def serve(session: Session, plans: tuple[str, ...], db: str, host: str, port: int, workers: int, auth: str,
          now: str | None, tick_every: float | None, check: bool) -> None:
    """Serve the web inbox for PLAN... on the store --db (Chinese pages, English available).

    \b
    campaignflow serve plugins/lanshan_stats_bureau/plan.toml --db lanshan.db
    campaignflow serve plan.toml --db office.db --auth header --workers 4   # behind a proxy
    """
    lang = session.lang
    from ..runtime import SystemClock, to_local

    try:
        import uvicorn

        from ..web.serve import ENV, ServeConfig, build_app, open_store
    except ImportError as exc:
        raise PlanInputError(t(lang, f"error: `serve` needs the serve extra ({exc.name} is missing): "
                               "pip install 'campaignflow[serve]'",
                               f"错误:`serve` 需要安装 serve 扩展(缺少 {exc.name}):"
                               "pip install 'campaignflow[serve]'")) from None
    if auth == "demo" and not _loopback(host):
        raise PlanInputError(t(lang, f"error: --auth demo lets anyone sign in as any unit; it only listens on "
                               f"127.0.0.1, not {host}. Put the app behind your login and use --auth header.",
                               f"错误:--auth demo 允许任何人以任意单位登录,只能监听 127.0.0.1,不能监听 {host};"
                               "请置于登录代理之后并使用 --auth header"))
    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            raise PlanInputError(t(lang, f"error: --now: expected a date and time like 2016-09-05T09:00, got {now!r}",
                                   f"错误:--now:应为日期时间,如 2016-09-05T09:00,实际为 {now!r}")) from None
    campaigns = [load_campaign(session, p) for p in plans]
    # The offset from the campaign's local wall clock (its timezone, as the engine's clock reads it).
    offset = None if moment is None else (to_local(moment, campaigns[0].timezone)
                                          - SystemClock(campaigns[0].timezone).now()).total_seconds()
    campaigns = [attrs.evolve(c, source=str(Path(c.source).resolve())) if c.source else c for c in campaigns]
    url = db.lower().startswith(("postgresql://", "postgres://"))
    where = db.split("@")[-1] if url else db  # never echo a URL's password
    config = ServeConfig(plans=[c.source or "" for c in campaigns], db=db if url else str(Path(db).resolve()),
                         auth=auth,
                         secret=secrets.token_hex(32), plugin_dirs=[str(p) for p in session.plugin_dirs],
                         clock_offset=offset, tick_every=tick_every)
    try:
        # Open once here: a bad store or a tampered log is a readable exit 2, not a crashing worker.
        store = open_store(config.db)
        try:
            app = build_app(config, campaigns, store, plugins=session.plugins)
        except BaseException:
            store.close()
            raise
    except (StoreError, RuntimeEngineError) as exc:
        raise PlanInputError(f"{where}: {t(lang, 'error', '错误')}: {exc}") from None
    if check:
        store.close()
        click.echo(t(lang, f"ok: {len(campaigns)} campaign(s) on {where}",
                     f"正常:{len(campaigns)} 个活动方案,存储 {where}"))
        return
    err(t(lang, f"campaignflow serve: http://{host}:{port}/ ({workers} worker(s), {auth} sign-in)",
          f"campaignflow serve:http://{host}:{port}/({workers} 个进程,{auth} 登录)"))
    if workers == 1:
        # One worker serves the app already built: loading the plans and opening the engines
        # again in uvicorn's factory doubled the cold start.
        try:
            uvicorn.run(app, host=host, port=port, log_level="warning")
        finally:
            store.close()
        return
    store.close()
    os.environ[ENV] = config.to_env()
    uvicorn.run("campaignflow.web.serve:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning")
