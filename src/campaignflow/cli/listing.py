"""``campaignflow plugins`` and ``campaignflow plans``: what is installed."""

from __future__ import annotations

import click

from .options import Session, format_option, lang_option, pass_session, plugins_option
from .output import ExitCode, echo_json, t


@click.command()
@format_option("text", "json")
@lang_option
@plugins_option
@pass_session
def plugins(session: Session, fmt: str) -> None:
    """List plugins: name, version, source, hooks, what they provide, and load failures."""
    host = session.plugins
    infos = host.info()
    failures = host.failures
    if fmt == "json":
        echo_json({
            "format_version": 1,
            "plugins": [{"name": i.name, "version": i.version, "source": i.source, "hooks": list(i.hooks),
                         "provides": list(i.provides)} for i in infos],
            "failures": [{"name": f.name, "version": f.version, "source": f.source, "error": f.error}
                         for f in failures],
        })
    else:
        lang = session.lang
        for i in infos:
            version = f" {i.version}" if i.version else ""
            click.echo(f"{i.name}{version}  [{i.source}]")
            if i.provides:
                click.echo(f"    {t(lang, 'provides', '提供')}: {', '.join(i.provides)}")
        for f in failures:
            click.echo(t(lang, f"FAILED {f.name} [{f.source}]: {f.error}", f"加载失败 {f.name} [{f.source}]:{f.error}"),
                       err=True)
    if failures:
        raise SystemExit(ExitCode.FINDINGS)


@click.command()
@format_option("text", "json")
@lang_option
@plugins_option
@pass_session
def plans(session: Session, fmt: str) -> None:
    """List the plans that plugins contribute (use their id as PLAN)."""
    refs = sorted(session.plugins.plans().values(), key=lambda r: r.id)
    if fmt == "json":
        echo_json({"format_version": 1,
                   "plans": [{"id": r.id, "name": r.name, "plugin": r.plugin, "path": str(r.path)} for r in refs]})
        return
    if not refs:
        click.echo(t(session.lang,
                     "no plans installed; add a plugin directory with --plugins DIR or CAMPAIGNFLOW_PATH",
                     "没有已安装的方案;请用 --plugins DIR 或 CAMPAIGNFLOW_PATH 指定插件目录"))
        return
    width = max(len(r.id) for r in refs)
    for r in refs:
        click.echo(f"{r.id:<{width}}  {r.name}  ({r.plugin}: {r.path})")
