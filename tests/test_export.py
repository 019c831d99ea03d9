"""Exporters: built-in plugins producing files other programs read back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import campaignflow as cf
from campaignflow.cli.main import cli
from campaignflow.export import ExportContext

PLAN = Path(__file__).resolve().parents[1] / "plugins" / "lanshan_stats_bureau" / "plan.toml"


@pytest.fixture(scope="module")
def ctx():
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False)
    return ExportContext(campaign=cf.load_plan(PLAN, plugins=plugins), plugins=plugins)


def _export(ctx, name):
    return ctx.plugins.exporters()[name]().export(ctx)


def test_builtin_exporters_are_plugins(ctx):
    assert {"json", "mermaid", "dot", "ics", "xlsx"} <= set(ctx.plugins.exporters())


def test_json_has_every_task_with_its_schedule(ctx):
    doc = json.loads(_export(ctx, "json"))
    assert doc["campaign"]["id"] == ctx.campaign.id
    assert [t["id"] for t in doc["tasks"]] == list(ctx.campaign.tasks)
    sched = ctx.schedule
    for t in doc["tasks"]:
        assert t["start"] == sched.task(t["id"]).start.isoformat()


def test_ics_round_trips_through_icalendar(ctx):
    icalendar = pytest.importorskip("icalendar")
    cal = icalendar.Calendar.from_ical(_export(ctx, "ics"))
    # A task's event, and a deadline reminder for each task with a deadline (".due").
    events = [e for e in cal.walk("VEVENT") if ".due@" not in str(e["uid"])]
    assert len(events) == len(ctx.campaign.tasks)
    uids = {str(e["uid"]).split("@")[0] for e in events}
    assert uids == set(ctx.campaign.tasks)
    briefing = next(e for e in events if str(e["uid"]).startswith("briefing@"))
    assert briefing.decoded("dtstart").isoformat().startswith("2016-10-17")


def test_xlsx_has_a_row_per_task(ctx):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(io.BytesIO(_export(ctx, "xlsx")))
    rows = list(wb["Tasks"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == list(ctx.campaign.tasks)
    assert wb["Units"].max_row == len(ctx.campaign.units) + 1


def test_dot_and_mermaid_name_every_task(ctx):
    dot = _export(ctx, "dot")
    mermaid = _export(ctx, "mermaid")
    graph = cf.build_graph(ctx.campaign)
    for a, b in graph.edges:
        assert f'"{a}" -> "{b}"' in dot
    assert mermaid.startswith("gantt\n")
    assert mermaid.count(", 20") >= len(ctx.campaign.tasks)


def test_cli_export_to_file_and_unknown_format(tmp_path):
    out = tmp_path / "plan.ics"
    result = CliRunner().invoke(cli, ["export", str(PLAN), "--format", "ics", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
    result = CliRunner().invoke(cli, ["export", str(PLAN), "--format", "pdf"])
    assert result.exit_code == 2
    assert "unknown export format 'pdf'" in result.stderr and "ics" in result.stderr
