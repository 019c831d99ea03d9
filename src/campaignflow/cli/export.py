"""``campaignflow export``: the plan and its schedule in another program's format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..export import ExportContext, ExportError
from .options import (
    PlanInputError, Session, lang_option, load_campaign, pass_session, plan_argument, plugins_option, write_output,
)
from .output import ExitCode, t


@click.command()
@plan_argument
@click.option("--format", "fmt", default="json", show_default=True, metavar="NAME",
              help="An exporter's name (see `campaignflow plugins`): json, mermaid, dot, ics, xlsx, ...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output; binary formats need a file).")
@click.option("--unit", default=None, metavar="UNIT",
              help="Only what this unit leads, co-leads or is a partner in (formats that can: ics).")
@click.option("--no-households", is_flag=True,
              help="Leave household units (household = true), the tasks they lead and every reference to them out.")
@click.option("--household-names", is_flag=True,
              help="Show households' names (by default they are replaced by 住户 1, 住户 2 ...).")
@lang_option
@plugins_option
@pass_session
def export(session: Session, plan: str, fmt: str, output: Path | None, unit: str | None, no_households: bool,
           household_names: bool) -> None:
    """Export PLAN with its deterministic schedule (iCalendar, Excel, Mermaid, DOT, JSON)."""
    exporters = session.plugins.exporters()
    cls = exporters.get(fmt)
    if cls is None:
        raise PlanInputError(t(session.lang, f"error: unknown export format {fmt!r}; available: "
                               f"{', '.join(sorted(exporters))}",
                               f"错误:未知的导出格式 {fmt!r};可用:{', '.join(sorted(exporters))}"))
    if cls.binary and output is None and sys.stdout.isatty():
        raise PlanInputError(t(session.lang, f"error: {fmt} is a binary format; give a file with -o",
                               f"错误:{fmt} 为二进制格式,请用 -o 指定输出文件"))
    if unit is not None and not cls.per_unit:
        able = ", ".join(sorted(n for n, e in exporters.items() if e.per_unit))
        raise PlanInputError(t(session.lang, f"error: --unit is not supported by the {fmt} export (it is by: {able})",
                               f"错误:{fmt} 导出不支持 --unit(支持的格式:{able})"))
    campaign = load_campaign(session, plan)
    if unit is not None and unit not in campaign.units:
        import difflib

        close = difflib.get_close_matches(unit, list(campaign.units), n=1, cutoff=0.7)
        by_name = [u.id for u in campaign.units.values() if u.name == unit]
        near = (by_name or close or [None])[0]
        hint_en = f"; did you mean {near!r} ({campaign.units[near].name})?" if near else ""
        hint_zh = f";是否指 {near!r}({campaign.units[near].name})?" if near else ""
        raise PlanInputError(t(session.lang, f"error: --unit {unit!r} is not a unit of the plan{hint_en}",
                               f"错误:--unit {unit!r} 不是方案中的单位{hint_zh}"))
    # Households' names are personal data (issue 20): labelled unless asked for, or left out.
    from ..export.households import label_households, without_households

    if no_households:
        campaign = without_households(campaign)
    elif not household_names:
        campaign = label_households(campaign)
    try:
        given = click.get_current_context().get_parameter_source("lang") == click.core.ParameterSource.COMMANDLINE
        data = cls().export(ExportContext(campaign=campaign, plugins=session.plugins, lang=session.lang,
                                          document_lang=session.lang if given else None, unit=unit))
    except ExportError as exc:
        raise PlanInputError(f"error: {exc}") from None
    except OverflowError:
        from .simulate import past_the_calendar

        raise PlanInputError(past_the_calendar(plan, session.lang)) from None
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
    else:
        write_output(output, raw, session.lang)
        click.echo(t(session.lang, f"wrote {output} ({len(raw)} bytes)", f"已写入 {output}({len(raw)} 字节)"),
                   err=True)
    raise SystemExit(ExitCode.OK)
