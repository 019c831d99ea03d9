"""Built-in plugin: text exporters — JSON, Mermaid (Gantt) and Graphviz DOT."""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from typing import Any

from ..plugins import hookimpl
from . import ExportContext, Exporter, printable


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class JsonExporter(Exporter):
    """The plan and its deterministic schedule as one JSON document (``format_version`` 1)."""

    name = "json"
    suffix = ".json"
    description = "the plan and its schedule as JSON"

    def export(self, ctx: ExportContext) -> str:
        c = ctx.campaign
        sched = ctx.schedule
        tasks: list[dict[str, Any]] = []
        for task in c.tasks.values():
            timing = sched.task(task.id)
            tasks.append({
                "id": task.id,
                "title": task.title,
                "section": task.section,
                "kind": task.kind,
                "lead": task.lead,
                "partners": list(c.expand(task.partners)),
                "after": [{"task": d.task, "lag": str(d.lag)} for d in task.after],
                "start": _iso(timing.start),
                "finish": _iso(timing.finish),
                "due": _iso(timing.due),
                "met": timing.met,
                "slack": timing.slack,
                "approvals": [{"by": list(c.expand(a.by)), "mode": a.mode, "kind": a.kind} for a in task.approvals],
                "solicits": list(c.expand(task.solicits)),
                "tags": list(task.tags),
            })
        doc = {
            "format_version": 1,
            "campaign": {"id": c.id, "name": c.name, "name_en": c.name_en, "start": _iso(c.start),
                         "end": _iso(c.end), "timezone": c.timezone, "calendar": c.calendar, "issuer": c.issuer},
            "units": [{"id": u.id, "name": u.name, "kind": u.kind, "parent": u.parent, "capacity": u.capacity}
                      for u in c.units.values()],
            "groups": [{"id": g.id, "name": g.name, "units": list(g.units)} for g in c.groups.values()],
            "pairings": [{"a": p.a, "b": p.b, "kind": p.kind} for p in c.pairings],
            "tasks": tasks,
        }
        return json.dumps(doc, ensure_ascii=False, indent=2)


def _mermaid_label(text: str) -> str:
    # Mermaid gantt task names end at ':', '#' starts a comment, a line break ends the
    # statement, and Mermaid renders labels as HTML: '<' / '>' / '&' must not reach it.
    text = " ".join(printable(text).split())
    text = (text.replace(":", "：").replace("#", "＃").replace(";", "；").replace("%", "％")
            .replace("<", "＜").replace(">", "＞").replace("&", "＆"))
    # A line that starts with a keyword is a directive (`click t_x href ...`), not a task: a
    # zero-width space in front keeps it a name (Mermaid's \s does not match U+200B).
    if _MERMAID_KEYWORD.match(text):
        text = "\u200b" + text
    return text


_MERMAID_KEYWORD = re.compile(r"(click|title|section|dateformat|axisformat|excludes|includes|todaymarker|"
                              r"tickinterval|weekday|weekend|acctitle|accdescr|displaymode|inclusiveenddates|"
                              r"topaxis|gantt)\b", re.IGNORECASE)


class MermaidExporter(Exporter):
    """A Mermaid Gantt chart of the deterministic schedule, one section per lead unit."""

    name = "mermaid"
    suffix = ".mmd"
    description = "Mermaid Gantt chart of the schedule"

    def export(self, ctx: ExportContext) -> str:
        c = ctx.campaign
        lines = ["gantt", f"    title {_mermaid_label(c.name)}", "    dateFormat YYYY-MM-DD",
                 "    axisFormat %m-%d"]
        by_lead: dict[str, list[str]] = {}
        for timing in ctx.schedule:
            start = timing.start.date()
            # Calendar days covered, a partial day counting as one; at least one so it shows.
            days = max(math.ceil((timing.finish - timing.start).total_seconds() / 86400), 1)
            status = "crit, " if timing.slack <= 0 else ""
            if timing.fixed:
                status += "milestone, "
            # A blank title would leave Mermaid a line without a task name: use the id.
            label = _mermaid_label(c.tasks[timing.id].title if timing.id in c.tasks else "") or timing.id
            by_lead.setdefault(timing.lead, []).append(
                f"    {label} :{status}{_mermaid_id(timing.id)}, {start.isoformat()}, {days}d")
        for lead, rows in by_lead.items():
            unit = c.units.get(lead)
            lines.append(f"    section {_mermaid_label(unit.name if unit else lead)}")
            lines.extend(rows)
        return "\n".join(lines) + "\n"


def _mermaid_id(task_id: str) -> str:
    return "t_" + "".join(ch if ch.isalnum() else "_" for ch in task_id)


def _dot_quote(text: str) -> str:
    # Inside DOT quotes only \" and \\ are escapes of the text; a line break is written as the
    # label escape \n, so every statement stays on one line whatever a title holds.
    text = printable(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


class DotExporter(Exporter):
    """The dependency graph in Graphviz DOT: tasks, approval gates, lags on edges."""

    name = "dot"
    suffix = ".dot"
    description = "dependency graph for Graphviz"

    def export(self, ctx: ExportContext) -> str:
        from ..graph import build_graph

        graph = build_graph(ctx.campaign)
        lines = [f"digraph {_dot_quote(ctx.campaign.id)} {{", "  rankdir=LR;", "  node [shape=box];"]
        for node, data in graph.nodes(data=True):
            if data.get("kind") == "approval":
                lines.append(f"  {_dot_quote(node)} [shape=diamond, label={_dot_quote(node.rsplit('/', 1)[-1])}];")
            else:
                label = _dot_quote(f"{node}\n{data.get('title') or node}")
                lines.append(f"  {_dot_quote(node)} [label={label}];")
        for a, b, data in graph.edges(data=True):
            lag = data.get("lag")
            attr = f" [label={_dot_quote(str(lag))}]" if lag is not None and getattr(lag, "days", 0) else ""
            lines.append(f"  {_dot_quote(a)} -> {_dot_quote(b)}{attr};")
        lines.append("}")
        return "\n".join(lines) + "\n"


@hookimpl
def campaignflow_register_exporters() -> list[type[Exporter]]:
    return [JsonExporter, MermaidExporter, DotExporter]
