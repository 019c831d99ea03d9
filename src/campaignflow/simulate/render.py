"""Rendering simulation results: a table, a terminal Gantt chart, CSV and versioned JSON.

Finishes and deadlines are ends of days: a finish at ``2020-09-23T00:00`` is
printed as ``2020-09-22`` (by the end of that day) in the table and chart;
JSON and CSV carry the exact ISO 8601 instant with its UTC offset.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from .. import __version__
from ..calendar import Calendar
from .results import DeadlineRisk, Overbooking, Schedule, SimulationResult, TaskRisk, TaskTiming

__all__ = ["FORMAT_VERSION", "to_json", "to_csv", "render_table", "render_gantt", "GANTT_MAX_TASKS"]

#: Version of the ``simulate --format json`` document; bumped on any incompatible change.
FORMAT_VERSION = 1
#: Plans with more tasks than this get no Gantt chart unless asked for.
GANTT_MAX_TASKS = 40

_DAY = timedelta(days=1)


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


# -- text forms of times ------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def fmt_start(moment: datetime) -> str:
    """``2020-09-21`` at midnight, ``2020-09-21 12:00`` otherwise."""
    if moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")


def fmt_end(moment: datetime | None) -> str:
    """A finish or deadline: midnight is the end of the previous day."""
    if moment is None:
        return ""
    if moment.hour == moment.minute == moment.second == 0:
        return (moment - _DAY).date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")


def fmt_day(moment: datetime | None) -> str:
    """A Monte-Carlo percentile as the working day it falls in: midnight is the end of the day before.

    Percentiles are points on the working-time axis; their hour (``03:45``) means
    nothing to an office, the day does.
    """
    if moment is None:
        return ""
    if moment.hour == moment.minute == moment.second == 0:
        return (moment - _DAY).date().isoformat()
    return moment.date().isoformat()


def _days(value: float) -> str:
    return f"{value:+.1f}" if abs(value) < 1e6 else ("+∞" if value > 0 else "-∞")


def _pct(p: float | None) -> str:
    return "" if p is None else f"{100 * p:.0f}%"


# -- JSON ------------------------------------------------------------------------------------


def _task_json(t: TaskTiming) -> dict[str, Any]:
    return {
        "id": t.id,
        "title": t.title,
        "lead": t.lead,
        "start": _iso(t.start),
        "work_finish": _iso(t.work_finish),
        "finish": _iso(t.finish),
        "slack_days": round(t.slack, 6),
        "due": _iso(t.due),
        "met": t.met,
        "fixed": t.fixed,
        "late_prerequisites": t.late_prerequisites,
        "approvals": [{"step": s.index, "by": list(s.by), "start": _iso(s.start), "finish": _iso(s.finish),
                       "due": _iso(s.due), "met": s.met, "slack_days": round(s.slack, 6)} for s in t.approvals],
    }


def _risk_json(r: TaskRisk) -> dict[str, Any]:
    return {"id": r.id, "lead": r.lead, "p50": _iso(r.p50), "p90": _iso(r.p90), "due": _iso(r.due),
            "probability": r.probability, "criticality": r.criticality}


def _deadline_risk_json(d: DeadlineRisk) -> dict[str, Any]:
    return {"task": d.task, "step": d.step, "due": _iso(d.due), "p50": _iso(d.p50), "p90": _iso(d.p90),
            "probability": d.probability}


def _overbooked_json(o: Overbooking) -> dict[str, Any]:
    return {"unit": o.unit, "day": o.day.isoformat(), "capacity": o.capacity, "events": list(o.events),
            "work": list(o.work)}


def to_json(result: SimulationResult, *, plan_name: str | None = None, plan_file: str | None = None,
            min_probability: float = 0.5) -> dict[str, Any]:
    """The stable ``simulate --format json`` document (docs/simulate.md)."""
    s = result.schedule
    simulation = None
    if result.runs:
        simulation = {
            "runs": result.runs,
            "seed": result.seed,
            "distribution": result.distribution,
            "reject_rate": result.reject_rate,
            "engine": result.engine,
            "makespan": {"p50": _iso(result.makespan_p50), "p90": _iso(result.makespan_p90)},
            "tasks": [_risk_json(r) for r in result.tasks],
            "deadlines": [_deadline_risk_json(d) for d in result.deadlines],
            "spread": {"estimates": result.estimates, "approval_latencies": result.latencies,
                       "reject_rate": result.reject_rate},
            "warnings": [result.spread_warning()[0]] if result.spread_warning() else [],
        }
    return {
        "format_version": FORMAT_VERSION,
        "campaignflow_version": __version__,
        "plan": {"id": s.campaign_id, "name": plan_name, "file": plan_file},
        "calendar": s.calendar,
        "timezone": s.timezone,
        "origin": s.origin.isoformat(),
        "scenario": s.scenario.to_dict(),
        "schedule": {
            "priority": s.priority,
            "scheduler": {"name": s.scheduler, "schedules": s.schedules, "bound": _iso(s.bound_at),
                          "bound_days": s.bound_pos, "gap": s.gap, "optimal": s.optimal,
                          "method": s.method},
            "start": _iso(s.start),
            "finish": _iso(s.finish),
            "tasks": [_task_json(t) for t in s.tasks],
            "overbooked": [_overbooked_json(o) for o in s.overbooked],
        },
        "deadlines": [{"task": d.task, "step": d.step, "due": _iso(d.due), "finish": _iso(d.finish), "met": d.met}
                      for d in s.deadlines],
        "simulation": simulation,
        "summary": {
            "tasks": len(s.tasks),
            "deadlines": len(s.deadlines),
            "missed": len(s.missed),
            "overbooked": len(s.overbooked),
            "at_risk": len(result.at_risk(min_probability)) if result.runs else None,
        },
    }


# -- rows of the table and the CSV ----------------------------------------------------------------
#
# A task's row is its *work*: its finish, P50 and P90 are the work's, as its due and met are; each
# approval step has its own row, and the last step's finish is the task's finish.


_Spread = tuple[datetime, datetime] | None


def _quantiles_by_task(result: SimulationResult) -> dict[str, list[_Spread]]:
    """(P50, P90) per row of each task: its work, then each approval step; ``None`` when unknown.

    The work's spread is known where it has a deadline, a step's where the step has one; the
    last step's is the task's own (its finish is the task's).
    """
    risks = {r.id: r for r in result.tasks}
    by_node = {(d.task, d.step): (d.p50, d.p90) for d in result.deadlines}
    out: dict[str, list[_Spread]] = {}
    for t in result.schedule.tasks:
        r = risks.get(t.id)
        if r is None:
            out[t.id] = [None] * (len(t.approvals) + 1)
            continue
        rows = [by_node.get((t.id, None))] + [by_node.get((t.id, st.index)) for st in t.approvals]
        rows[-1] = (r.p50, r.p90)
        out[t.id] = rows
    return out


# -- CSV ---------------------------------------------------------------------------------------


def to_csv(result: SimulationResult) -> str:
    """One row per task's work and per approval step; Monte-Carlo columns are empty without runs.

    As in the table, a task's row is its work (its ``finish`` is ``work_finish``); the last step's
    row gives the task's finish.
    """
    from ..export import csv_cell

    out = io.StringIO()
    # Titles, ids and unit names come from the plan: one beginning with = + - @ (or a tab or
    # CR) must stay text when a spreadsheet opens the file.
    writer = _SafeWriter(csv.writer(out, lineterminator="\n"), csv_cell)
    writer.writerow(["task", "step", "lead", "start", "finish", "slack_days", "due", "met",
                     "p50", "p90", "probability", "criticality", "overbooked", "title"])
    risks = {r.id: r for r in result.tasks}
    step_risk = {(d.task, d.step): d for d in result.deadlines if d.step is not None}
    quantiles = _quantiles_by_task(result)
    days: dict[str, list[str]] = {}
    for o in result.schedule.overbooked:
        for tid in o.tasks:
            days.setdefault(tid, []).append(o.day.isoformat())
    for t in result.schedule.tasks:
        r = risks.get(t.id)
        q = quantiles[t.id]
        writer.writerow([t.id, "", t.lead, _iso(t.start), _iso(t.work_finish), f"{t.slack:.4f}", _iso(t.due) or "",
                         _bool(t.met), _iso(q[0][0]) if q[0] else "", _iso(q[0][1]) if q[0] else "",
                         _num(r.probability) if r else "", _num(r.criticality) if r else "",
                         "|".join(days.get(t.id, ())), t.title])
        for s, sq in zip(t.approvals, q[1:]):
            d = step_risk.get((t.id, s.index))
            writer.writerow([t.id, s.index, "|".join(s.by), _iso(s.start), _iso(s.finish), f"{s.slack:.4f}",
                             _iso(s.due) or "", _bool(s.met), _iso(sq[0]) if sq else "", _iso(sq[1]) if sq else "",
                             _num(d.probability) if d else "", "", "", t.title])
    return out.getvalue()


class _SafeWriter:
    """A ``csv.writer`` that passes every cell through ``guard`` first."""

    def __init__(self, writer: Any, guard: Any) -> None:
        self._writer, self._guard = writer, guard

    def writerow(self, row: Sequence[Any]) -> None:
        # The writer quotes a field holding its line terminator ("\n") but not a lone CR, which
        # a reader takes for the end of the row: a CR in a title becomes an LF.
        self._writer.writerow([self._guard(v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v)
                               for v in row])


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


# -- the table ------------------------------------------------------------------------------


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(c) >= 0x1100 and not 0x2500 <= ord(c) < 0x2600 else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _grid(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, with an ellipsis when cut."""
    if _width(text) <= width:
        return text
    out = ""
    for c in text:
        if _width(out + c) > width - 1:
            break
        out += c
    return out + "…"


#: Columns left out, in this order, when the table is still wider than the terminal with the
#: task column at its narrowest (positions in the Monte-Carlo table's header: critical, lead,
#: slack, P50).
_DROP_ORDER = (10, 1, 4, 7)
_MIN_TASK = 12


def _fit(rows: list[list[str]], width: int) -> tuple[list[list[str]], list[str]]:
    """Rows that fit ``width`` columns: the task column clipped, then columns left out; and their names."""
    def total(rs: list[list[str]]) -> int:
        return sum(max(_width(r[i]) for r in rs) for i in range(len(rs[0]))) + 2 * (len(rs[0]) - 1)

    excess = total(rows) - width
    if excess <= 0:
        return rows, []
    first = max(_width(r[0]) for r in rows)
    room = max(_MIN_TASK, first - excess)
    rows = [[_clip(r[0], room), *r[1:]] for r in rows]
    names = [rows[0][i] for i in _DROP_ORDER if i < len(rows[0])]
    dropped: list[str] = []
    for name in names:
        if total(rows) <= width:
            break
        index = rows[0].index(name)
        dropped.append(name)
        rows = [r[:index] + r[index + 1:] for r in rows]
    return rows, dropped


def render_table(result: SimulationResult, *, lang: str = "en", color: bool = False,
                 min_probability: float = 0.5, ids: bool = False, width: int | None = None) -> str:
    """The schedule as a table: task, lead, start, finish, slack, due, met (and P50/P90/probability).

    A task's row is its work (``due`` and ``met`` apply to it); each approval step has an indented
    row of its own, the last of which finishes the task. Tasks are shown by title (by id with
    ``ids=True``); with ``width``, the table fits that many columns: titles are clipped, then the
    least needed columns left out (and named under the table).
    """
    import click

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    s = result.schedule
    mc = result.runs > 0
    head = [_t(lang, "task", "任务"), _t(lang, "lead", "牵头单位"), _t(lang, "start", "开始"),
            _t(lang, "finish", "完成"), _t(lang, "slack", "余量(天)"), _t(lang, "due", "期限"),
            _t(lang, "met", "按期")]
    if mc:
        head += ["P50", "P90", _t(lang, "P(met)", "按期概率"), _t(lang, "critical", "关键")]
    rows: list[list[str]] = [head]
    marks: list[str | None] = [None]
    risks = {r.id: r for r in result.tasks}
    step_risk = {(d.task, d.step): d for d in result.deadlines if d.step is not None}
    quantiles = _quantiles_by_task(result)
    for t in s.tasks:
        # The task's row is its work, which its due and met apply to; the steps follow on their own rows.
        met = "" if t.met is None else ("✓" if t.met else "✗")
        label = t.id if ids or not t.title else t.title
        row = [label + (" ◆" if t.fixed else ""), t.lead, fmt_start(t.start), fmt_end(t.work_finish),
               _days(t.slack), fmt_end(t.due), met]
        r = risks.get(t.id)
        q = quantiles[t.id]
        if mc and r is not None:
            row += [fmt_day(q[0][0]) if q[0] else "", fmt_day(q[0][1]) if q[0] else "", _pct(r.probability),
                    _pct(r.criticality or None)]
        rows.append(row)
        marks.append("bad" if t.met is False else None)
        for st, sq in zip(t.approvals, q[1:]):
            label = f"  └ {_t(lang, 'approval', '审批')} {st.index + 1} ({', '.join(st.by)})"
            smet = "" if st.met is None else ("✓" if st.met else "✗")
            srow = [label, "", fmt_start(st.start), fmt_end(st.finish), _days(st.slack), fmt_end(st.due), smet]
            d = step_risk.get((t.id, st.index))
            if mc:
                srow += [fmt_day(sq[0]) if sq else "", fmt_day(sq[1]) if sq else "",
                         _pct(d.probability) if d else "", ""]
            rows.append(srow)
            marks.append("bad" if st.met is False else None)
    dropped: list[str] = []
    if width is not None:
        rows, dropped = _fit(rows, width)
    lines = _grid(rows)
    out = [style(lines[0], bold=True)]
    for line, mark in zip(lines[1:], marks[1:]):
        out.append(style(line, fg="red") if mark == "bad" else line)
    if dropped:
        import textwrap

        note = _t(lang, f"(left out to fit {width} columns: {', '.join(dropped)}; --format csv has every column)",
                  f"(为适应 {width} 列宽度省略:{'、'.join(dropped)};--format csv 含全部列)")
        out.append(textwrap.fill(note, width=width or 80, break_on_hyphens=False))
    out.append("")
    summary = _summary(result, lang, min_probability)
    if width is not None:
        import textwrap

        summary = "\n".join(textwrap.fill(line, width=width, subsequent_indent="    ", break_on_hyphens=False)
                            for line in summary.splitlines())
    out.append(summary)
    return "\n".join(out)


def _summary(result: SimulationResult, lang: str, min_probability: float) -> str:
    s = result.schedule
    missed = s.missed
    lines = [_t(lang,
                f"{s.campaign_id}: {len(s.tasks)} task(s), finished {fmt_end(s.finish)}; "
                f"{len(s.deadlines)} deadline(s), {len(missed)} missed",
                f"{s.campaign_id}:{len(s.tasks)} 项任务,{fmt_end(s.finish)} 完成;"
                f"{len(s.deadlines)} 个期限,{len(missed)} 个未按期")]
    if s.overbooked:
        lines[0] += _t(lang, f"; {len(s.overbooked)} overbooked day(s)", f";{len(s.overbooked)} 天超出承载能力")
    if s.optimal:
        lines.append(_t(lang, f"scheduler {s.scheduler}: optimal (no schedule ends earlier)",
                        f"排程器 {s.scheduler}:最优(不可能更早完成)"))
    else:
        lines.append(_t(lang, f"scheduler {s.scheduler}: within {100 * s.gap:.1f}% of optimal "
                              f"(no schedule ends before {fmt_end(s.bound_at)})",
                        f"排程器 {s.scheduler}:与最优相差不超过 {100 * s.gap:.1f}%"
                        f"(任何排程都不早于 {fmt_end(s.bound_at)} 完成)"))
    for d in missed:
        task = s.task(d.task)
        if d.step is None and task.fixed:
            # An event is on its date anyway; what is missed is its preparation.
            lines.append(_t(lang, f"  missed: {d.label} on {fmt_start(task.start)}, its prerequisites finish "
                                  f"after it starts",
                            f"  未按期:{d.label} 定于 {fmt_start(task.start)},其前置任务在活动开始后才完成"))
            continue
        lines.append(_t(lang, f"  missed: {d.label} due {fmt_end(d.due)}, finishes {fmt_end(d.finish)}",
                        f"  未按期:{d.label} 期限 {fmt_end(d.due)},完成 {fmt_end(d.finish)}"))
    for o in s.overbooked:
        events, work = ", ".join(o.events), ", ".join(o.work)
        lines.append(_t(lang,
                        f"  overbooked: {o.unit} (capacity {o.capacity}) leads {o.load} tasks on {o.day.isoformat()}: "
                        f"event(s) {events}" + (f"; work on {work}" if o.work else ""),
                        f"  超出承载能力:{o.unit}(承载能力{o.capacity})于 {o.day.isoformat()} 牵头{o.load}项任务:"
                        f"活动 {events}" + (f";工作 {work}" if o.work else "")))
    if result.runs:
        lines.append(_t(lang,
                        f"Monte Carlo: {result.runs} runs (seed {result.seed}, {result.distribution}, "
                        f"reject rate {result.reject_rate:g}): last finish P50 {fmt_day(result.makespan_p50)}, "
                        f"P90 {fmt_day(result.makespan_p90)}",
                        f"蒙特卡洛模拟:{result.runs} 次(种子 {result.seed},{result.distribution},"
                        f"退回率 {result.reject_rate:g}):全部完成 P50 {fmt_day(result.makespan_p50)},"
                        f"P90 {fmt_day(result.makespan_p90)}"))
        warning = result.spread_warning()
        if warning is not None:
            lines.append(_t(lang, f"  warning: {warning[0]}", f"  警告:{warning[1]}"))
        for d in result.at_risk(min_probability):
            lines.append(_t(lang, f"  at risk: {d.label} due {fmt_end(d.due)}, met in {_pct(d.probability)} of runs",
                            f"  有风险:{d.label} 期限 {fmt_end(d.due)},按期概率 {_pct(d.probability)}"))
        critical = result.critical(5)
        if critical:
            shown = ", ".join(f"{r.id} ({_pct(r.criticality)})" for r in critical)
            lines.append(_t(lang, f"  most often critical: {shown}", f"  最常处于关键路径:{shown}"))
    return "\n".join(lines)


# -- the Gantt chart ------------------------------------------------------------------------


def render_gantt(schedule: Schedule, calendar: Calendar, *, width: int = 100, lang: str = "en") -> str:
    """A Gantt chart for a terminal: one row per task, one column per day (or per few days).

    ``█`` work, ``▒`` approval, ``◆`` a fixed event, ``|`` the deadline, ``·`` a day off.
    """
    if not schedule.tasks:
        return ""
    first = min(t.start for t in schedule.tasks).date()
    last = max([_end_day(t.finish) for t in schedule.tasks] + [_end_day(t.due) for t in schedule.tasks if t.due])
    label_w = min(max(_width(t.id) for t in schedule.tasks), 24) + 1
    span = (last - first).days + 1
    per = max(1, math.ceil(span / max(width - label_w, 10)))
    cols = math.ceil(span / per)
    days = [first + timedelta(days=i * per) for i in range(cols)]
    off = [not any(calendar.is_working_day(d + timedelta(days=k)) for k in range(per)) for d in days]
    lines = [_pad("", label_w) + _ticks(days)]
    for t in schedule.tasks:
        cells = ["·" if o else " " for o in off]
        _paint(cells, off, days, per, t.start, t.work_finish, "◆" if t.fixed else "█")
        for st in t.approvals:
            _paint(cells, off, days, per, st.start, st.finish, "▒")
        if t.due is not None:
            i = (_end_day(t.due) - first).days // per
            if 0 <= i < cols and cells[i] in " ·":
                cells[i] = "|"
        name = t.id if _width(t.id) < label_w else t.id[: label_w - 2] + "…"
        lines.append(_pad(name, label_w) + "".join(cells).rstrip())
    legend = _t(lang, "█ work  ▒ approval  ◆ fixed event  | due  · day off",
                "█ 工作  ▒ 审批  ◆ 固定日期活动  | 期限  · 非工作日")
    scale = _t(lang, f"(1 column = {per} day(s))", f"(每列 {per} 天)")
    lines.append(f"{legend}  {scale}")
    return "\n".join(lines)


def _end_day(moment: datetime | None) -> date:
    assert moment is not None
    return (moment - _DAY).date() if moment.hour == moment.minute == moment.second == 0 else moment.date()


def _paint(cells: list[str], off: list[bool], days: list[date], per: int, begin: datetime, end: datetime,
           mark: str) -> None:
    # Work does not run on days off; a fixed event is drawn on its date, whatever the day.
    first = days[0]
    a = (begin.date() - first).days // per
    b = (_end_day(end) - first).days // per if end > begin else a
    for i in range(max(a, 0), min(b, len(cells) - 1) + 1):
        if not off[i] or mark == "◆":
            cells[i] = mark


def _ticks(days: list[date]) -> str:
    out = ""
    for i, d in enumerate(days):
        if len(out) <= i and i % 7 == 0:
            out += " " * (i - len(out)) + d.strftime("%m-%d")
    return out
