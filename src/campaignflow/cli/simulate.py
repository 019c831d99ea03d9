"""``campaignflow simulate``: the resource-constrained schedule and Monte-Carlo deadline risk."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import click

from ..errors import PlanError, ScenarioError
from .options import (
    FIRST_DATE, LAST_DATE, DateRange, FiniteFloatRange, PlanInputError, Session, format_option, format_problems,
    lang_option, load_campaign, pass_session, plan_argument, plugins_option,
)
from .output import ExitCode, is_tty, t

# ``simulate.render.GANTT_MAX_TASKS``, repeated so that `--help` need not import the
# simulate package (and numpy); tests/cli/test_lazy_imports.py checks they agree.
_GANTT_MAX_TASKS = 40


def _parse_delay(text: str) -> tuple[str, Any]:
    from ..simulate import parse_delay

    return parse_delay(text)


def _parse_capacity(text: str) -> tuple[str, Any]:
    from ..simulate import parse_capacity

    return parse_capacity(text)


# Monte-Carlo work (runs x nodes) above which a progress bar is worth showing.
_PROGRESS_CELLS = 2_000_000

#: Upper bounds of the numeric options: far beyond any real use, well below a crash or a hang.
MAX_RUNS = 100_000_000
MAX_EFFORT = 1_000_000
MAX_TIME_LIMIT = 86_400.0  # a day
MAX_DAYS = 3650.0  # working days: a delay or an approval of ten years
MAX_CAPACITY = 1_000_000
#: Memory the Monte-Carlo runs may take for the finish dates they keep (each run keeps one per
#: task and approval step, for the quantiles); beyond it the run is refused with the figure.
MAX_RUN_MEMORY = 4 * 2**30


def check_runs_memory(campaign: Any, runs: int, lang: str) -> None:
    """Refuse ``runs`` whose kept finish dates would need more than :data:`MAX_RUN_MEMORY`."""
    nodes = sum(1 + len(task.approvals) for task in campaign.tasks.values()) + 1  # + the makespan
    need = runs * nodes * 8
    if need > MAX_RUN_MEMORY:
        gib, limit = need / 2**30, MAX_RUN_MEMORY / 2**30
        most = MAX_RUN_MEMORY // (nodes * 8)
        raise PlanInputError(t(lang, f"error: --runs {runs} would need about {gib:,.1f} GiB of memory for the finish "
                                     f"dates it keeps ({nodes} per run); the limit is {limit:.0f} GiB: use at most "
                                     f"{most:,} runs",
                               f"错误:--runs {runs} 需约 {gib:,.1f} GiB 内存保存各次完成时间(每次 {nodes} 个);"
                               f"上限 {limit:.0f} GiB:请至多用 {most:,} 次"))


def past_the_calendar(plan: str, lang: str) -> str:
    """The message for a schedule that would run past the dates Python can hold (year 1 to 9999)."""
    return t(lang, f"{plan}: error: the schedule runs past the calendar's last date (9999-12-31) or before its "
                   "first: move the plan's dates or shorten its durations and delays",
             f"{plan}:错误:进度超出日历可表示的范围(至 9999-12-31):请调整方案日期或缩短工期、延误")


def _bounded_delay(text: str) -> tuple[str, float]:
    import math

    task, days = _parse_delay(text)
    if not math.isfinite(days) or abs(days) > MAX_DAYS:
        msg = f"a delay is at most {MAX_DAYS:g} working days either way, got {text!r}"
        raise ValueError(msg)
    return task, days


def _bounded_capacity(text: str) -> tuple[str, int | None]:
    unit, n = _parse_capacity(text)
    if n is not None and n > MAX_CAPACITY:
        msg = f"a capacity is at most {MAX_CAPACITY:,} (or 'none' for no limit), got {text!r}"
        raise ValueError(msg)
    return unit, n


def _pairs(parse: Callable[[str], tuple[str, Any]]) -> Callable[[click.Context, click.Parameter, tuple[str, ...]],
                                                                 dict[str, Any]]:
    def callback(_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for text in values:
            try:
                key, value = parse(text)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param=param) from None
            out[key] = value
        return out

    return callback


@click.command()
@plan_argument
@click.option("--start", "start", type=DateRange(["%Y-%m-%d"], FIRST_DATE, LAST_DATE), default=None, metavar="DATE",
              help="Move the campaign to start on DATE; every date of the plan moves alike, except "
                   "the plan's fixed_dates and the dates written from them.")
@click.option("--delay", multiple=True, metavar="TASK=3d", callback=_pairs(_bounded_delay),
              help="TASK takes this many more working days (repeatable).")
@click.option("--capacity", multiple=True, metavar="UNIT=N", callback=_pairs(_bounded_capacity),
              help="UNIT leads at most N tasks at once; N=none removes the limit (repeatable).")
@click.option("--approval-days", type=FiniteFloatRange(0, MAX_DAYS), default=None, metavar="N",
              help="Working days an approval step takes without `within` (default 2).")
@click.option("--runs", type=click.IntRange(0, MAX_RUNS), default=0, show_default=True,
              help="Monte-Carlo runs (0: the deterministic schedule only).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed of the Monte-Carlo runs; the same seed gives the same numbers (default: drawn, shown).")
@click.option("--distribution", type=click.Choice(["pert", "triangular"]), default="pert", show_default=True,
              help="Distribution of durations over three-point estimates.")
@click.option("--reject-rate", type=FiniteFloatRange(0, 1), default=0.0, show_default=True,
              help="Probability that an approval step is rejected once (rework, then a second decision).")
@click.option("--min-probability", type=FiniteFloatRange(0, 1), default=0.5, show_default=True,
              help="With --runs: exit 1 when a deadline is met in fewer runs than this.")
@click.option("--engine", type=click.Choice(["auto", "numpy", "python"]), default="auto", show_default=True,
              help="Monte-Carlo implementation.")
@click.option("--effort", type=click.IntRange(1, MAX_EFFORT), default=50, show_default=True,
              help="Schedules the scheduling core tries (rules, sampling, forward-backward improvement); "
                   "1 = the least-slack pass alone.")
@click.option("--optimize", is_flag=True, default=False,
              help="Also run the OR-Tools CP-SAT optimiser (extra optimize) and report its proven bound.")
@click.option("--scheduler", default=None, metavar="NAME",
              help="A registered scheduler (see `campaignflow plugins`): heuristic (the default), cpsat (as "
                   "--optimize), or a plugin's.")
@click.option("--time-limit", type=FiniteFloatRange(0.01, MAX_TIME_LIMIT), default=10.0, show_default=True, metavar="S",
              help="Seconds --optimize may use.")
@click.option("--gantt/--no-gantt", default=None,
              help=f"Draw a Gantt chart (default: for plans of at most {_GANTT_MAX_TASKS} tasks).")
@click.option("--ids", is_flag=True, help="Show task ids instead of titles in the table.")
@format_option("text", "json", "csv")
@click.option("--color/--no-color", default=None, help="Colour (default: only on a terminal).")
@lang_option
@plugins_option
@pass_session
def simulate(session: Session, plan: str, start: datetime | None, delay: dict[str, float],
             capacity: dict[str, int | None], approval_days: float | None, runs: int, seed: int | None,
             distribution: str, reject_rate: float, min_probability: float, engine: str, effort: int,
             optimize: bool, scheduler: str | None, time_limit: float, gantt: bool | None, ids: bool, fmt: str,
             color: bool | None) -> None:
    """Schedule PLAN on its calendar with units' capacities, and estimate deadline risk.

    \b
    Every task and approval step gets a start and a finish; with --runs N,
    durations and approvers' latency are drawn N times and each deadline gets
    the probability of being met.
    Exit codes: 0 all deadlines met, 1 a deadline missed or a unit
    overbooked on some day (or, with --runs, a deadline met in fewer runs
    than --min-probability), 2 bad input.
    """
    from ..simulate import Scenario
    from ..simulate import simulate as run_simulation
    from ..simulate.optimize import OptimizerUnavailable
    from ..simulate.schedule import SchedulerError
    from ..simulate.render import GANTT_MAX_TASKS, render_gantt, render_table, to_csv, to_json

    lang = session.lang
    campaign = load_campaign(session, plan)
    check_runs_memory(campaign, runs, lang)
    scenario = Scenario(start=start.date() if start else None, delays=delay, capacities=capacity,
                        approval_days=approval_days)
    try:
        with _progress(runs, len(campaign.tasks)) as progress:
            result = run_simulation(campaign, runs=runs, seed=seed, scenario=scenario, distribution=distribution,
                                    reject_rate=reject_rate, engine=engine, plugins=session.plugins,
                                    progress=progress, effort=effort, optimize=optimize, time_limit=time_limit,
                                    scheduler=scheduler)
    except SchedulerError as exc:
        raise PlanInputError(f"{plan}: {t(lang, 'error', '错误')}: --scheduler: {exc}") from None
    except OptimizerUnavailable:
        raise PlanInputError(t(lang, "--optimize needs OR-Tools: pip install 'campaignflow[optimize]'",
                               "--optimize 需要 OR-Tools:pip install 'campaignflow[optimize]'")) from None
    except ScenarioError as exc:
        raise PlanInputError("\n".join(f"{plan}: {t(lang, 'error', '错误')}: {p.get(lang)}"
                                       for p in exc.problems)) from None
    except PlanError as exc:
        raise PlanInputError(format_problems(exc, lang)) from None
    except KeyError as exc:  # the plan's calendar is provided by no plugin
        raise PlanInputError(f"{plan}: {t(lang, 'error', '错误')}: {exc.args[0]}") from None
    except ImportError as exc:  # --engine numpy without numpy
        raise PlanInputError(t(lang, f"--engine numpy needs numpy (pip install 'campaignflow[fast]'): {exc}",
                               f"--engine numpy 需要 numpy(pip install 'campaignflow[fast]'):{exc}")) from None
    except OverflowError:
        raise PlanInputError(past_the_calendar(plan, lang)) from None

    if fmt == "json":
        doc = to_json(result, plan_name=campaign.name, plan_file=campaign.source, min_probability=min_probability)
        # The tasks the document leaves undated (the text output's note): the schedule's day one is not theirs.
        doc["plan"]["undated"] = list(campaign.floating())
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(to_csv(result), nl=False)
    else:
        colour = is_tty() if color is None else color
        # COLUMNS, else the terminal's width; output to a file or pipe is not clipped.
        width = _table_width()
        if gantt or (gantt is None and len(result.schedule.tasks) <= GANTT_MAX_TASKS):
            from ..calendar import campaign_calendar

            cal = campaign_calendar(campaign, session.plugins)
            click.echo(render_gantt(result.schedule, cal, width=width or 100, lang=lang))
            click.echo("")
        click.echo(render_table(result, lang=lang, color=colour, min_probability=min_probability, ids=ids,
                                width=width), color=colour)
        floating = campaign.floating()
        if floating:  # the document leaves them open: the schedule's day one is not the document's
            first = campaign.start.isoformat() if hasattr(campaign.start, "isoformat") else str(campaign.start)
            shown = ", ".join(floating[:3]) + (", …" if len(floating) > 3 else "")
            click.echo(t(lang, f"note: {len(floating)} task(s) have no date and no prerequisite in the plan "
                               f"({shown}): the document leaves them open, and the schedule starts them on "
                               f"the campaign's first day ({first}); give them a date or `after` to place them",
                         f"注意:{len(floating)} 项任务在方案中既无日期也无前置任务({shown}):文件未规定时间,"
                         f"排程将其安排在方案首日({first});如需定位,请给出日期或 `after`"))
        from ..calendar import campaign_calendar, uncovered_years

        missing = uncovered_years(campaign, campaign_calendar(campaign, session.plugins))
        if missing:  # the schedule stands on a guess there: say so with it (CF206 locates the dates)
            years = ", ".join(map(str, missing))
            click.echo(t(lang, f"note: the '{campaign.calendar}' calendar does not cover {years}: working days "
                               f"there are a guess (Monday to Friday); see CF206, [calendar.overrides]",
                         f"注意:“{campaign.calendar}”日历不含{years}年:这些年份的工作日只是推测(周一至周五);"
                         f"见 CF206、[calendar.overrides]"))

    failed = bool(result.schedule.missed) or bool(result.schedule.overbooked) or bool(result.runs and result.at_risk(min_probability))
    raise SystemExit(ExitCode.FINDINGS if failed else ExitCode.OK)


def _table_width() -> int | None:
    """The width to fit: ``COLUMNS`` when set, the terminal's on a terminal, else none."""
    import os

    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    if is_tty():
        return shutil.get_terminal_size((100, 24)).columns
    return None


@contextmanager
def _progress(runs: int, tasks: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr, on a terminal, for runs that take more than a moment."""
    import sys

    if runs == 0 or runs * max(tasks, 1) < _PROGRESS_CELLS or not is_tty(sys.stderr):
        yield None
        return
    with click.progressbar(length=runs, label="Monte Carlo", file=sys.stderr) as bar:
        done = 0

        def update(total: int) -> None:
            nonlocal done
            bar.update(total - done)
            done = total

        yield update
