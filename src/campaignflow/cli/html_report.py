"""``campaignflow report``: the plan report, one self-contained HTML file with SVG charts."""

from __future__ import annotations

from pathlib import Path

import click

from ..export import ExportContext
from ..export.html import render_report
from .options import (
    PlanInputError, Session, lang_option, load_campaign, pass_session, plan_argument, plugins_option, write_output,
)
from .output import ExitCode, t
from .simulate import MAX_RUNS, check_runs_memory, past_the_calendar


@click.command()
@plan_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The HTML file to write.")
@click.option("--runs", type=click.IntRange(0, MAX_RUNS), default=0, show_default=True,
              help="Monte-Carlo runs: with N > 0, each deadline's finish dates as a histogram.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed of the runs (as simulate --seed).")
@lang_option
@plugins_option
@pass_session
def report(session: Session, plan: str, output: Path, runs: int, seed: int | None) -> None:
    """Write PLAN's report: summary, findings, an SVG Gantt chart and each unit's load (HTML, no network)."""
    campaign = load_campaign(session, plan)
    check_runs_memory(campaign, runs, session.lang)
    given = click.get_current_context().get_parameter_source("lang") == click.core.ParameterSource.COMMANDLINE
    ctx = ExportContext(campaign=campaign, plugins=session.plugins, lang=session.lang,
                        document_lang=session.lang if given else None)
    result = None
    try:
        if runs:
            from ..simulate import simulate

            result = simulate(campaign, runs=runs, seed=seed, plugins=session.plugins)
        text = render_report(ctx, "en" if ctx.document_lang == "en" else "zh", result)
    except OverflowError:
        raise PlanInputError(past_the_calendar(plan, session.lang)) from None
    write_output(output, text, session.lang)
    click.echo(t(session.lang, f"wrote {output}", f"已写入 {output}"), err=True)
    raise SystemExit(ExitCode.OK)
