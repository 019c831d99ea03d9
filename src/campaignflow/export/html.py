"""Built-in plugin: the plan report, one self-contained HTML file with SVG charts (``html``).

The charts are SVG written here, not by a charting library: a Gantt chart is rectangles on
a day axis, and every library that draws one either embeds megabytes of JavaScript
(plotly, bokeh) or needs a heavy native stack (matplotlib); plain SVG opens in any browser
with no network and no script, and a test can count its bars. Every text is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from ..plugins import hookimpl
from . import ExportContext, Exporter, printable

if TYPE_CHECKING:
    from ..simulate import SimulationResult
    from ..simulate.results import DeadlineRisk

__all__ = ["HtmlReportExporter", "gantt_svg", "load_svg", "histogram_svg", "render_report"]

_DAY = 14  # px per calendar day, at most
_WIDE = 1100  # px the day axis may take: a year-long plan gets narrower days
_ROW = 18  # px per task
_LABEL = 260  # px for the task labels


def _e(text: object) -> str:
    # Escaped, and without the control characters XML forbids, so the SVG parses whatever the plan says.
    return html.escape(printable(str(text)), quote=True)


def _days(first: date, last: date) -> Iterable[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def _x(first: date, moment: datetime, day: float = _DAY) -> float:
    # Every time of a schedule is in the campaign's zone; the axis is its local days.
    delta = moment.replace(tzinfo=None) - datetime.combine(first, datetime.min.time())
    return _LABEL + delta.total_seconds() / 86400 * day


def gantt_svg(ctx: ExportContext, lang: str = "zh") -> str:
    """The schedule as an SVG Gantt chart on the campaign's working-day calendar.

    One ``rect.bar`` per task (``data-task`` its id; ``critical`` when it has no slack);
    non-working days shaded, 调休 (working weekend) days marked, deadlines as red ticks,
    fixed-date events as diamonds.
    """
    c, sched = ctx.campaign, ctx.schedule
    cal = ctx.plugins.calendar(c.calendar)
    first = min(sched.start.date(), _to_date(c.start))
    # A finish or deadline is an end-of-day instant: 10-21 00:00 is the end of 10-20, the last day shown.
    last = max((m - timedelta(seconds=1)).date() for m in (sched.finish, *(t.due for t in sched if t.due)))
    days = list(_days(first, last))
    day = max(2.0, min(float(_DAY), _WIDE / len(days)))
    width = round(_LABEL + len(days) * day + 10)
    height = 30 + len(sched.tasks) * _ROW + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="Gantt">']
    for i, d in enumerate(days):
        x = round(_LABEL + i * day, 1)
        working = cal.is_working_day(d)
        if not working:
            name = cal.holiday_name(d) or ("weekend" if lang == "en" else "休息日")
            out.append(f'<rect class="off" x="{x}" y="20" width="{day:.1f}" height="{height - 30}">'
                       f'<title>{d:%m-%d} {_e(name)}</title></rect>')
        elif d.weekday() >= 5:  # a weekend made a working day: 调休
            out.append(f'<rect class="tiaoxiu" x="{x}" y="20" width="{day:.1f}" height="{height - 30}">'
                       f'<title>{d:%m-%d} {"adjusted working day" if lang == "en" else "调休上班"}</title></rect>')
        if d.day == 1 or i == 0:
            out.append(f'<text class="month" x="{x + 1}" y="12">{d:%Y-%m}</text>')
        if d.weekday() == 0 and day >= 8:
            out.append(f'<text class="day" x="{x + 1}" y="28">{d.day}</text>')
    for row, t in enumerate(sched.tasks):
        y = 32 + row * _ROW
        task = c.tasks.get(t.id)
        title = task.title_en if lang == "en" and task and task.title_en else (task.title if task else t.id)
        short = title if len(title) <= 20 else title[:19] + "…"  # the whole title is in the tooltip
        out.append(f'<text class="label" x="4" y="{y + 11}">{_e(short)}<title>{_e(title)}</title></text>')
        x0, x1 = _x(first, t.start, day), _x(first, t.finish, day)
        cls = "bar critical" if t.slack <= 1e-9 else "bar"
        out.append(f'<rect class="{cls}" data-task="{_e(t.id)}" x="{x0:.1f}" y="{y}" '
                   f'width="{max(x1 - x0, 2):.1f}" height="{_ROW - 6}"><title>{_e(title)}: '
                   f'{t.start:%m-%d %H:%M} – {t.finish:%m-%d %H:%M}</title></rect>')
        if t.fixed:
            cx, cy = (x0 + x1) / 2, y + 7
            out.append(f'<path class="fixed" d="M{cx - 6},{cy} L{cx},{cy - 6} L{cx + 6},{cy} L{cx},{cy + 6} Z"/>')
        if t.due is not None:
            xd = _x(first, t.due, day)
            out.append(f'<line class="due" x1="{xd:.1f}" x2="{xd:.1f}" y1="{y - 2}" y2="{y + _ROW - 2}"/>')
    out.append("</svg>")
    return "\n".join(out)


def _to_date(m: date | datetime) -> date:
    return m.date() if isinstance(m, datetime) else m


def load_svg(ctx: ExportContext, unit: str) -> str:
    """How many tasks ``unit`` leads on each day of the schedule, against its capacity (dashed line)."""
    c, sched = ctx.campaign, ctx.schedule
    first, last = sched.start.date(), (sched.finish - timedelta(seconds=1)).date()
    days = list(_days(first, last))
    counts = [sum(1 for t in sched if t.lead == unit and t.start.date() <= d <= (t.finish - timedelta(seconds=1))
                  .date()) for d in days]
    cap = c.units[unit].capacity
    top = max([*counts, cap or 0, 1])
    step = max(1.0, min(6.0, 700 / len(days)))
    h, w = 60, round(len(days) * step + 40)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="load" data-unit="{_e(unit)}" width="{w}" '
           f'height="{h + 14}" viewBox="0 0 {w} {h + 14}">']
    for i, (d, n) in enumerate(zip(days, counts, strict=True)):
        bh = n / top * h
        over = " over" if cap is not None and n > cap else ""
        out.append(f'<rect class="loadbar{over}" x="{30 + i * step:.1f}" y="{h - bh:.1f}" width="{max(step - 1, 1):.1f}" '
                   f'height="{bh:.1f}">'
                   f'<title>{d:%m-%d}: {n}</title></rect>')
    if cap is not None:
        yc = h - cap / top * h
        out.append(f'<line class="cap" x1="30" x2="{w}" y1="{yc:.1f}" y2="{yc:.1f}"/>')
    out.append(f'<text x="0" y="10">{top}</text><text x="0" y="{h}">0</text></svg>')
    return "".join(out)


def histogram_svg(risk: DeadlineRisk, lang: str = "zh") -> str:
    """One deadline's finish dates over the runs: a bar per bin, P50/P80/P95 and the deadline as lines.

    The ``svg`` carries ``data-p50`` (ISO 8601, as ``simulate --format json`` writes it) and
    ``data-probability`` so a program can read the figures back.
    """
    bins = risk.histogram
    w, h, pad = 420, 90, 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="histogram" data-deadline="{_e(risk.label)}" '
           f'data-p50="{_e(risk.p50.isoformat())}" data-probability="{risk.probability:.4f}" '
           f'width="{w}" height="{h + 30}" viewBox="0 0 {w} {h + 30}">']
    if bins:
        due = risk.due - timedelta(seconds=1)  # the deadline's own day
        # The axis spans the runs and the deadline, so one sees how far off it is; a day either side.
        t0 = min(bins[0][0], due).timestamp() - 86400
        t1 = max(bins[-1][1], due).timestamp() + 86400
        span = t1 - t0
        top = max(n for _, _, n in bins)

        def x(moment: datetime) -> float:
            return pad + (min(max(moment.timestamp(), t0), t1) - t0) / span * (w - 2 * pad)

        for a, b, n in bins:
            bh = n / top * h
            xa, xb = x(a), x(b)
            out.append(f'<rect class="hbar" x="{xa:.1f}" y="{h - bh:.1f}" width="{max(xb - xa - 0.5, 3):.1f}" '
                       f'height="{bh:.1f}"><title>{a:%m-%d %H:%M} – {b:%m-%d %H:%M}: {n}</title></rect>')
        # Quantiles on the same day share one label ("P50=P80=P95 10-18"), so labels never overlap.
        marks: dict[str, list[str]] = {}
        for name, moment in (("P50", risk.p50), ("P80", risk.p80), ("P95", risk.p95)):
            if moment is not None:
                marks.setdefault(f"{moment:%m-%d}", []).append(name)
                xm = x(moment)
                out.append(f'<line class="q {name.lower()}" x1="{xm:.1f}" x2="{xm:.1f}" y1="0" y2="{h}"/>')
        xd = x(due)
        out.append(f'<line class="q due" x1="{xd:.1f}" x2="{xd:.1f}" y1="0" y2="{h}"/>')
        marks.setdefault(f"{due:%m-%d}", []).append("due" if lang == "en" else "截止")
        for k, (day, names) in enumerate(sorted(marks.items())):
            moment = next(m for m in (risk.p50, risk.p80, risk.p95, due) if m is not None and f"{m:%m-%d}" == day)
            out.append(f'<text x="{min(x(moment), w - 110):.1f}" y="{h + 11 + 10 * (k % 2)}">'
                       f'{_e("=".join(names))} {day}</text>')
    out.append("</svg>")
    return "".join(out)


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 6px;font-size:13px;vertical-align:top}
svg text{font-size:11px}.off{fill:#eee}.tiaoxiu{fill:#fff3c4}.bar{fill:#5b8def}.bar.critical{fill:#d9534f}
.fixed{fill:#222}.due{stroke:#c00;stroke-width:2}.loadbar{fill:#7a9}.loadbar.over{fill:#d9534f}
.cap{stroke:#c00;stroke-dasharray:4 3}.hbar{fill:#8aa8d8}.q{stroke:#333}.q.due{stroke:#c00;stroke-width:2}.month{font-weight:bold}td:first-child{white-space:nowrap}pre{margin:0;font-size:12px}
"""


def render_report(ctx: ExportContext, lang: str = "zh", result: SimulationResult | None = None) -> str:
    """The whole report: summary, findings with their source lines, Gantt chart, units' load.

    With a Monte-Carlo ``result`` (``simulate(..., runs=N)``), each deadline's finish-date
    distribution as a histogram with P50/P80/P95 and the probability of meeting it.
    """
    from ..checks import validate
    from .assignment import _unit_text

    c, sched = ctx.campaign, ctx.schedule
    en = lang == "en"
    name = c.name_en if en and c.name_en else c.name
    findings = validate(c, plugins=ctx.plugins)
    parts = [f'<!DOCTYPE html><html lang="{"en" if en else "zh-CN"}"><head><meta charset="utf-8">'
             f"<title>{_e(name)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{_e(name)}</h1>",
             f'<p class="summary">{"Tasks" if en else "任务"} {len(c.tasks)} · {"units" if en else "单位"} '
             f'{len(c.units)} · {sched.start:%Y-%m-%d} – {sched.finish:%Y-%m-%d} · '
             f'{"deadlines missed" if en else "未按期"} {sum(1 for t in sched if t.met is False)}</p>',
             f'<h2>{"Findings" if en else "检查结果"} ({len(findings)})</h2>']
    if findings:
        parts.append("<table class='findings'><tr><th>code</th><th>severity</th><th>message</th><th>where</th></tr>")
        for f in findings:
            loc = f.location
            where = f"{loc.file or ''}:{loc.line or ''}"
            src = _source_line(loc.file, loc.line)
            parts.append(f"<tr><td>{_e(f.code)}</td><td>{_e(f.severity.name.lower())}</td>"
                         f"<td>{_e(f.message.get(lang))}</td><td>{_e(where)}<pre>{_e(src)}</pre></td></tr>")
        parts.append("</table>")
    parts.append(f'<h2>{"Schedule" if en else "进度安排"}</h2><div class="chart">{gantt_svg(ctx, lang)}</div>')
    parts.append(f'<h2>{"Units load" if en else "单位负荷"}</h2><table>')
    for uid in c.units:
        if any(t.lead == uid for t in sched):
            cap = c.units[uid].capacity
            parts.append(f"<tr><td>{_e(_unit_text(c, (uid,), lang))}<br>"
                         f"{'capacity' if en else '容量'} {cap if cap is not None else '—'}</td>"
                         f"<td>{load_svg(ctx, uid)}</td></tr>")
    parts.append("</table>")
    if result is not None and result.runs:
        parts.append(f'<h2>{"Deadlines over" if en else "截止日期"} {result.runs} '
                     f'{"runs" if en else "次模拟"} (seed {result.seed})</h2><table class="risks">')
        for d in result.deadlines:
            task = c.tasks.get(d.task)
            title = (task.title_en if en and task and task.title_en else task.title) if task else d.task
            parts.append(f"<tr><td>{_e(title)}<br><small>{_e(d.label)}</small><br>"
                         f"{'met in' if en else '按期概率'} {d.probability:.0%}</td>"
                         f"<td>{histogram_svg(d, lang)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _source_line(file: str | None, line: int | None) -> str:
    if not file or not line:
        return ""
    try:
        with open(file, encoding="utf-8") as fh:
            for i, text in enumerate(fh, start=1):
                if i == line:
                    return text.rstrip("\n")
    except OSError:
        return ""
    return ""


class HtmlReportExporter(Exporter):
    """The plan report: one HTML file, no network, SVG Gantt chart and units' load."""

    name = "html"
    suffix = ".html"
    description = "plan report with an SVG Gantt chart and units' load (self-contained HTML)"

    def export(self, ctx: ExportContext) -> str:
        return render_report(ctx, "en" if ctx.document_lang == "en" else "zh")


@hookimpl
def campaignflow_register_exporters() -> list[type[Exporter]]:
    return [HtmlReportExporter]
