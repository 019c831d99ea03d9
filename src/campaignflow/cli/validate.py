"""``campaignflow validate``: every finding of every enabled check."""

from __future__ import annotations

import json

import click

from ..errors import Problem
from ..findings import Finding, Severity
from .options import (
    PlanInputError, Session, format_option, lang_option, load_campaign, pass_session, plugins_option, split_codes,
)
from .output import ExitCode, echo_json, err, is_tty, t
from .report import LOAD_CODE, load_findings, render_github, render_text, to_json, to_sarif


@click.command()
@click.argument("plans", nargs=-1, required=True, metavar="PLAN...")
@format_option("text", "json", "sarif", "github")
@click.option("--select", multiple=True, metavar="CODES", help="Only these checks (codes or prefixes, comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Not these checks (codes or prefixes, comma-separated).")
@click.option("--color/--no-color", default=None, help="Colour (default: only on a terminal).")
@click.option("--fix", "fix", is_flag=True, help="Apply the safe fixes to the plan files, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, apply the unsafe fixes too.")
@click.option("--diff", "diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@lang_option
@plugins_option
@pass_session
def validate(session: Session, plans: tuple[str, ...], fmt: str, select: tuple[str, ...],
             ignore: tuple[str, ...], color: bool | None, fix: bool = False, unsafe_fixes: bool = False,
             diff: bool = False) -> None:
    """Check PLAN (a file, or an installed plan's id) for everything that cannot work.

    \b
    Exit codes: 0 no error-level finding, 1 error-level findings, 2 bad input.
    With --format json, one JSON object per plan (one line apart).
    With --diff: 0 nothing to fix, 1 fixes shown, 2 bad input.
    Fixes are safe (applied by --fix), unsafe (also needs --unsafe-fixes)
    or display-only (shown, never applied); comments and layout are kept.
    """
    from ..checks import run_checks

    lang = session.lang
    if fix or diff:
        _fix(session, plans, select, ignore, unsafe=unsafe_fixes, write=not diff)
    colour = is_tty() if color is None else color
    results = []
    # Plans that did not load, with their problems: results in JSON and SARIF too, so
    # that a code-scanning upload of a broken plan never reads as "no problems".
    unloaded: list[tuple[str, list[Finding]]] = []
    bad_input = False
    for plan in plans:
        try:
            campaign = load_campaign(session, plan)
        except PlanInputError as exc:
            exc.show()
            bad_input = True
            unloaded.append((plan, load_findings(exc.problems or [Problem(
                code="bad-input", message=exc.format_message())], plan)))
            continue
        findings = run_checks(campaign, plugins=session.plugins, select=split_codes(select),
                              ignore=split_codes(ignore))
        results.append((campaign, findings))

    for failure in session.plugins.failures:
        err(f"campaignflow: plugin {failure.name!r} not loaded: {failure.error}")

    if fmt == "json":
        for campaign, findings in results:
            click.echo(json.dumps(to_json(findings, campaign, lang=lang), ensure_ascii=False))
        for plan, findings in unloaded:
            click.echo(json.dumps(to_json(findings, None, lang=lang, file=plan), ensure_ascii=False))
    elif fmt == "sarif":
        echo_json(to_sarif([*results, *((None, fs) for _, fs in unloaded)], session.plugins.checks(), lang=lang))
    elif fmt == "github":
        for _, findings in [*results, *unloaded]:
            if findings:
                click.echo(render_github(findings, lang=lang))
    else:
        for campaign, findings in results:
            click.echo(render_text(findings, campaign, lang=lang, color=colour), color=colour)

    if bad_input:
        raise SystemExit(ExitCode.INPUT_ERROR)
    worst = max((f.severity for _, fs in results for f in fs), default=Severity.INFO)
    raise SystemExit(ExitCode.FINDINGS if worst >= Severity.ERROR else ExitCode.OK)


def _fix(session: Session, plans: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...], *,
         unsafe: bool, write: bool) -> None:
    """--fix / --diff: apply (or show) the fixes of each plan file; --diff ends the command."""
    from pathlib import Path

    from ..fix import fix_plan

    lang = session.lang
    shown = False
    for plan in plans:
        if not Path(plan).is_file():
            err(t(lang, f"campaignflow: --fix and --diff need a plan file, not {plan!r}",
                  f"campaignflow:--fix 与 --diff 需要方案文件,而非 {plan!r}"))
            raise SystemExit(ExitCode.INPUT_ERROR)
        result = fix_plan(plan, unsafe=unsafe, write=write, plugins=session.plugins, select=split_codes(select),
                          ignore=split_codes(ignore))
        if not write:
            text = result.diff()
            if text:
                click.echo(text, nl=False)
                shown = True
        elif result.applied:
            err(t(lang, f"campaignflow: {plan}: applied {len(result.applied)} fix(es)",
                  f"campaignflow:{plan}:已应用 {len(result.applied)} 处修复"))
            for applied in result.applied:
                err(f"  - [{applied.applicability}] {applied.title.get(lang)}")
    if not write:
        raise SystemExit(ExitCode.FINDINGS if shown else ExitCode.OK)
