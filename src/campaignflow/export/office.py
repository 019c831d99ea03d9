"""Built-in plugin: iCalendar and Excel exporters (optional extra ``export``).

The libraries are imported when an export is made, so a missing extra costs
nothing until someone asks for that format, and then says how to install it.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from ..plugins import hookimpl
from . import ExportContext, Exporter, ExportError


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = f"this export needs the optional package {module!r}: pip install 'campaignflow[export]'"
        raise ExportError(msg) from exc


class IcsExporter(Exporter):
    """Each task as an iCalendar event from its scheduled start to its finish (RFC 5545).

    Fixed-date events are all-day events; every event carries the lead unit,
    the deadline and the task id, so a calendar client shows who does what when.
    """

    name = "ics"
    suffix = ".ics"
    description = "tasks as iCalendar events (needs the 'export' extra)"
    binary = True

    def export(self, ctx: ExportContext) -> bytes:
        icalendar = _require("icalendar")
        c = ctx.campaign
        cal = icalendar.Calendar()
        cal.add("prodid", "-//campaignflow//campaignflow//ZH")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", c.name)
        stamp = datetime(2000, 1, 1)  # deterministic output: the export is a function of the plan
        for timing in ctx.schedule:
            task = c.tasks.get(timing.id)
            event = icalendar.Event()
            event.add("uid", f"{timing.id}@{c.id}.campaignflow")
            event.add("dtstamp", stamp)
            event.add("summary", task.title if task else timing.id)
            if timing.fixed:
                event.add("dtstart", timing.start.date())
            else:
                event.add("dtstart", timing.start)
                event.add("dtend", timing.finish)
            lead = c.units.get(timing.lead)
            lines = [f"牵头单位 / lead: {lead.name if lead else timing.lead}"]
            if task is not None and task.partners:
                names = [c.units[u].name for u in c.expand(task.partners) if u in c.units]
                lines.append("责任单位 / partners: " + "、".join(names))
            if timing.due is not None:
                lines.append(f"截止 / due: {timing.due.isoformat()}")
            if task is not None and task.section:
                lines.append(f"条款 / section: {task.section}")
            event.add("description", "\n".join(lines))
            event.add("categories", [timing.lead])
            cal.add_component(event)
        return cal.to_ical()


class XlsxExporter(Exporter):
    """A workbook for the office: a Tasks sheet (who, what, when, deadline, slack) and a Units sheet."""

    name = "xlsx"
    suffix = ".xlsx"
    description = "tasks and units as an Excel workbook (needs the 'export' extra)"
    binary = True

    _HEAD = ("编号 id", "条款 section", "任务 title", "牵头单位 lead", "责任单位 partners", "开始 start",
             "完成 finish", "截止 due", "按期 met", "机动 slack (d)", "审批 approvals",
             "牵头单位编号 lead id")

    def export(self, ctx: ExportContext) -> bytes:
        openpyxl = _require("openpyxl")
        c = ctx.campaign
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Tasks"
        ws.append(self._HEAD)
        for timing in ctx.schedule:
            task = c.tasks.get(timing.id)
            approvals = "; ".join(_names(c, c.expand(a.by)) for a in task.approvals) if task else ""
            ws.append((
                timing.id,
                task.section if task else None,
                task.title if task else timing.id,
                _names(c, (timing.lead,)),
                _names(c, c.expand(task.partners)) if task else "",
                _naive(timing.start),
                _naive(timing.finish),
                _due_day(task, timing.due),
                None if timing.met is None else ("是 yes" if timing.met else "否 no"),
                round(timing.slack, 2),
                approvals,
                timing.lead,
            ))
        units = wb.create_sheet("Units")
        units.append(("编号 id", "名称 name", "类别 kind", "上级 parent", "容量 capacity"))
        for u in c.units.values():
            units.append((u.id, u.name, u.kind, u.parent, u.capacity))
        _print_setup(ws, units)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()


def _print_setup(tasks: Any, units: Any) -> None:
    # Columns wide enough for a whole date, wrapped titles, A4 landscape one page wide,
    # the header on every page; text that looks like a formula stays text.
    from .assignment import guard_formulas, print_layout

    for row in tasks.iter_rows(min_row=2):
        for cell in row[5:8]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif cell.value is not None:
                cell.number_format = "yyyy-mm-dd"
    print_layout(tasks, (16, 9, 40, 16, 26, 17, 17, 17, 8, 9, 24, 14), header_row=1)
    print_layout(units, (16, 26, 10, 14, 10), header_row=1)
    guard_formulas(tasks)
    guard_formulas(units)


def _names(c: Any, unit_ids: tuple[str, ...]) -> str:
    # An office reads 省扶贫办, not ah-fpb; the lead's id stays in the last column.
    return "、".join(c.units[u].name if u in c.units else u for u in unit_ids)


def _due_day(task: Any, due: datetime | None) -> date | datetime | None:
    # A day deadline is that day (10-17), not the instant after it (10-18 00:00).
    if due is None:
        return None
    moment = None if task is None else (task.window.on or task.window.due)
    if moment is not None and not isinstance(moment, datetime):
        return moment
    return _naive(due)


def _naive(value: datetime | None) -> datetime | None:
    # Excel has no time zones; every time here is already in the campaign's zone.
    return None if value is None else value.replace(tzinfo=None)


@hookimpl
def campaignflow_register_exporters() -> list[type[Exporter]]:
    return [IcsExporter, XlsxExporter]
