"""Built-in plugin: iCalendar and Excel exporters (optional extra ``export``).

The libraries are imported when an export is made, so a missing extra costs
nothing until someone asks for that format, and then says how to install it.
"""

from __future__ import annotations

import io
import os
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .._display import deadline
from ..plugins import hookimpl
from . import ExportContext, Exporter, ExportError, printable


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = f"this export needs the optional package {module!r}: pip install 'campaignflow[export]'"
        raise ExportError(msg) from exc


class IcsExporter(Exporter):
    """Each task as an iCalendar event, and each deadline as an all-day reminder (RFC 5545).

    Work that runs whole days is an all-day event over those days; an event fixed at a
    time (``on = 2016-10-17T09:00``) or work measured in hours is a timed event in the
    campaign's timezone, whose ``VTIMEZONE`` the calendar carries. A task with a deadline
    gets an all-day ``截止`` event on its last day with a ``VALARM`` at 09:00 the day
    before. ``DTSTAMP`` is the export time (``SOURCE_DATE_EPOCH`` fixes it for
    reproducible output) and ``SEQUENCE``/``LAST-MODIFIED`` come from the plan file's
    modification time, so re-importing after the plan changed updates the events.
    ``LOCATION`` is the task's venue when the plan names one; ``CATEGORIES`` are the
    lead's, the co-leads' and the partners' names.

    With ``ExportContext.unit`` (``export --format ics --unit X``) the calendar is that
    unit's: the events and deadlines of the tasks it leads, co-leads or is a partner in
    (groups expanded), named after it (``X-WR-CALNAME``).
    """

    name = "ics"
    suffix = ".ics"
    description = "tasks as iCalendar events (needs the 'export' extra); --unit: one unit's calendar"
    binary = True
    per_unit = True

    def export(self, ctx: ExportContext) -> bytes:
        icalendar = _require("icalendar")
        c = ctx.campaign
        zone = ZoneInfo(c.timezone)
        cal = icalendar.Calendar()
        cal.add("prodid", "-//campaignflow//campaignflow//ZH")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        # icalendar escapes , ; \\ and line breaks and folds long lines; the controls RFC 5545
        # forbids in TEXT (NUL, ESC, …) are the plan's to lose.
        # X-WR-CALNAME is an unknown property to icalendar, which writes it unescaped: one line.
        calname = c.name if ctx.unit is None else f"{c.name} - {c.units[ctx.unit].name}"
        cal.add("x-wr-calname", " ".join(printable(calname).split()))
        cal.add("x-wr-timezone", c.timezone)
        stamp = _export_time()
        modified = _plan_modified(c.source) or stamp
        # Minutes since 2000: grows with every edit of the plan, so clients take the new version.
        sequence = max(0, int((modified - _SEQUENCE_EPOCH).total_seconds() // 60))

        def local(moment: datetime) -> datetime:
            # Plan moments are naive local time; the schedule's are aware.
            return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)

        for timing in ctx.schedule:
            task = c.tasks.get(timing.id)
            if ctx.unit is not None and not _concerns(c, task, timing.lead, ctx.unit):
                continue
            title = printable(task.title if task else timing.id)
            event = icalendar.Event()
            event.add("uid", f"{timing.id}@{c.id}.campaignflow")
            event.add("dtstamp", stamp)
            event.add("last-modified", modified)
            event.add("sequence", sequence)
            event.add("summary", title)
            on = task.window.on if task is not None else None
            if timing.fixed and not isinstance(on, datetime):
                event.add("dtstart", timing.start.date())  # an all-day event on its day
                event.add("dtend", timing.start.date() + timedelta(days=1))
            elif _whole_days(timing.start_pos, timing.finish_pos):
                event.add("dtstart", timing.start.date())
                event.add("dtend", max(timing.finish.date(), timing.start.date() + timedelta(days=1)))
            else:
                begin = local(on if isinstance(on, datetime) else timing.start)
                finish = local(timing.finish)
                event.add("dtstart", begin)
                event.add("dtend", finish if finish > begin else begin + timedelta(hours=1))
            lead = c.units.get(timing.lead)
            lead_name = printable(lead.name if lead else timing.lead)
            lines = [f"牵头单位 / lead: {lead_name}"]
            co_names = [printable(c.units[u].name) for u in (task.co_leads if task else ()) if u in c.units
                        and u != timing.lead]
            if co_names:
                lines.append("共同牵头 / co-leads: " + "、".join(co_names))
            partner_names: list[str] = []
            if task is not None and task.partners:
                partner_names = [printable(c.units[u].name) for u in c.expand(task.partners) if u in c.units]
                lines.append("责任单位 / partners: " + "、".join(partner_names))
            if timing.due is not None:
                lines.append(f"截止 / due: {deadline(timing.due, 'zh')}")
            if task is not None and task.section:
                lines.append(f"条款 / section: {printable(task.section)}")
            event.add("description", "\n".join(lines))
            venue = getattr(task, "venue", None)
            if venue:
                event.add("location", printable(venue))
            event.add("categories", list(dict.fromkeys([lead_name, *co_names, *partner_names])))
            cal.add_component(event)
            if timing.due is not None and not timing.fixed:
                cal.add_component(_deadline_event(icalendar, c.id, timing.id, title, timing.due, lead_name,
                                                  stamp, modified, sequence, co_names))
        cal.add_missing_timezones()
        return cal.to_ical()


_SEQUENCE_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _export_time() -> datetime:
    # SOURCE_DATE_EPOCH (reproducible-builds.org) pins the stamp; otherwise it is now.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def _plan_modified(source: str | None) -> datetime | None:
    if not source:
        return None
    try:
        return datetime.fromtimestamp(int(os.stat(source).st_mtime), tz=timezone.utc)
    except OSError:
        return None


def _whole_days(start: float, finish: float) -> bool:
    # Whole working days on the working-time axis (the instants are office-hours times).
    return float(start).is_integer() and float(finish).is_integer()


def _concerns(c: Any, task: Any, lead: str, unit: str) -> bool:
    """Whether ``unit`` leads (after reassignment in the schedule), co-leads or partners in ``task``."""
    if lead == unit:
        return True
    if task is None:
        return False
    return unit in task.leads or unit in c.expand(task.partners)


def _deadline_event(icalendar: Any, campaign_id: str, task_id: str, title: str, due: datetime, lead: str,
                    stamp: datetime, modified: datetime, sequence: int, co_leads: list[str] = ()) -> Any:
    """An all-day event on a deadline's last day, with a reminder at 09:00 the day before."""
    day = (due - timedelta(days=1)).date() if due.time() == time() else due.date()
    event = icalendar.Event()
    event.add("uid", f"{task_id}.due@{campaign_id}.campaignflow")
    event.add("dtstamp", stamp)
    event.add("last-modified", modified)
    event.add("sequence", sequence)
    event.add("summary", f"截止:{title}")
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("description", f"牵头单位 / lead: {lead}\n截止 / due: {deadline(due, 'zh')}")
    event.add("categories", [lead, *co_leads])
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"明日截止:{title}")
    alarm.add("trigger", timedelta(hours=-15))  # from 00:00 of the day: 09:00 the day before
    event.add_component(alarm)
    return event


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
        from .assignment import office_append

        c = ctx.campaign
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Tasks"
        office_append(ws, self._HEAD)
        for timing in ctx.schedule:
            task = c.tasks.get(timing.id)
            approvals = "; ".join(_names(c, c.expand(a.by)) for a in task.approvals) if task else ""
            office_append(ws, (
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
        office_append(units, ("编号 id", "名称 name", "类别 kind", "上级 parent", "容量 capacity"))
        for u in c.units.values():
            office_append(units, (u.id, u.name, u.kind, u.parent, u.capacity))
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
