"""The HTML plan report: one bar per task, escaped text, no network, opened in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import campaignflow as cf
from campaignflow.cli.main import cli
from campaignflow.export import ExportContext
from campaignflow.export.html import gantt_svg, render_report
from campaignflow.model import Campaign, Task, Unit, Window
from needs import unavailable

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted(p.parent.name for p in (ROOT / "plugins").glob("*/plan.toml"))
PICTURES = Path(os.environ.get("CAMPAIGNFLOW_PICTURES", ROOT / "build" / "office-pictures"))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def contexts():
    plugins = cf.create_plugin_manager()
    return {seed: ExportContext(campaign=cf.load_plan(ROOT / "plugins" / seed / "plan.toml", plugins=plugins),
                                plugins=plugins) for seed in SEEDS}


def _bars(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [e for e in root.iter(f"{SVG}rect") if "bar" in e.get("class", "").split()]


@pytest.mark.parametrize("seed", SEEDS)
def test_gantt_has_one_bar_per_task_and_marks_the_critical_ones(contexts, seed):
    ctx = contexts[seed]
    bars = _bars(gantt_svg(ctx))
    assert sorted(b.get("data-task") for b in bars) == sorted(ctx.campaign.tasks)
    critical = {b.get("data-task") for b in bars if "critical" in b.get("class")}
    assert critical == {t.id for t in ctx.schedule if t.slack <= 1e-9}
    # bars are placed in time: a later start is further right
    by_id = {b.get("data-task"): float(b.get("x")) for b in bars}
    timings = sorted(ctx.schedule, key=lambda t: t.start)
    xs = [by_id[t.id] for t in timings]
    assert xs == sorted(xs)


@pytest.mark.parametrize("seed", SEEDS)
def test_report_shades_non_working_days_and_needs_no_network(contexts, seed):
    ctx = contexts[seed]
    page = render_report(ctx)
    root = ET.fromstring(gantt_svg(ctx))
    shaded = {e.find(f"{SVG}title").text.split()[0] for e in root.iter(f"{SVG}rect") if e.get("class") == "off"}
    cal = ctx.plugins.calendar(ctx.campaign.calendar)
    # The chart spans the campaign's first day to the last day anything ends: a finish or a
    # deadline (an end-of-day instant, 10-21 00:00, belongs to 10-20). The schedule alone may
    # end before a weekend (education 2018 finishes on day 3) while its deadlines run past it.
    end_of = [ctx.schedule.finish, *(t.due for t in ctx.schedule if t.due is not None)]
    first = min(ctx.schedule.start.date(), ctx.campaign.start)
    last = max((m - timedelta(seconds=1)).date() for m in end_of)
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    expected = {f"{d:%m-%d}" for d in span if not cal.is_working_day(d)}
    assert expected, "every seed plan's chart has a non-working day to shade"
    assert shaded == expected
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert ctx.campaign.name in page


def test_cn_calendar_marks_tiaoxiu_days(contexts):
    ctx = contexts["lanshan_stats_bureau"]  # 2016: Sep 18 and Oct 8/9 are adjusted working weekend days
    root = ET.fromstring(gantt_svg(ctx))
    marked = {e.find(f"{SVG}title").text.split()[0] for e in root.iter(f"{SVG}rect") if e.get("class") == "tiaoxiu"}
    assert "09-18" in marked and "10-08" in marked


_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(title=_text, unit_name=_text)
def test_every_text_is_escaped(title, unit_name):
    c = Campaign(id="c", name=unit_name, start=date(2016, 9, 1), end=date(2016, 10, 31),
                 units={"u": Unit(id="u", name=unit_name)},
                 tasks={"t": Task(id="t", title=title, lead="u", window=Window(due=date(2016, 10, 1)))})
    ctx = ExportContext(campaign=c, plugins=cf.create_plugin_manager(entry_points=False, use_env=False))
    svg = gantt_svg(ctx)
    root = ET.fromstring(svg)  # well-formed whatever the text
    label = next(e for e in root.iter(f"{SVG}text") if e.get("class") == "label")
    assert label.find(f"{SVG}title").text == title
    assert "<script" not in render_report(ctx).replace("&lt;script", "")


def test_cli_report_writes_the_file_and_refuses_a_bad_plan(tmp_path):
    out = tmp_path / "r.html"
    plan = ROOT / "plugins" / "lanshan_stats_bureau" / "plan.toml"
    result = CliRunner().invoke(cli, ["report", str(plan), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    unavailable("headless Chromium is not installed (Debian: chromium)")


@pytest.mark.parametrize("seed", SEEDS)
def test_chromium_opens_the_report_without_console_errors(contexts, seed, tmp_path):
    browser = _chromium()
    page = tmp_path / f"{seed}.html"
    from campaignflow.simulate import simulate

    ctx = contexts[seed]
    result = simulate(ctx.campaign, runs=100, seed=1, plugins=ctx.plugins)
    page.write_text(render_report(ctx, result=result), encoding="utf-8")
    PICTURES.mkdir(parents=True, exist_ok=True)
    shot = PICTURES / f"{seed}-report.png"
    proc = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1400",
                           f"--screenshot={shot}", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert shot.stat().st_size > 5000  # a page was drawn


@pytest.mark.parametrize("seed", ["lanshan_stats_bureau", "county_social_2020"])
def test_histogram_p50_matches_simulate_json(tmp_path, seed):
    import json

    plan = str(ROOT / "plugins" / seed / "plan.toml")
    out = tmp_path / "r.html"
    runner = CliRunner()
    result = runner.invoke(cli, ["report", plan, "-o", str(out), "--runs", "300", "--seed", "11"])
    assert result.exit_code == 0, result.output
    sim = runner.invoke(cli, ["simulate", plan, "--runs", "300", "--seed", "11", "--format", "json"])
    doc = json.loads(sim.stdout)
    expected = {(d["task"], d["step"]): (d["p50"], d["probability"]) for d in doc["simulation"]["deadlines"]}
    page = out.read_text(encoding="utf-8")
    hists = re.findall(r'<svg [^>]*class="histogram"[^>]*>', page)
    assert len(hists) == len(expected) > 0
    for tag in hists:
        label = html_unescape(re.search(r'data-deadline="([^"]*)"', tag).group(1))
        task, _, step = label.partition("/approval[")
        key = (task, int(step.rstrip("]")) if step else None)
        p50, probability = expected[key]
        assert re.search(r'data-p50="([^"]*)"', tag).group(1) == p50
        assert float(re.search(r'data-probability="([^"]*)"', tag).group(1)) == pytest.approx(probability, abs=1e-4)


def test_histogram_counts_every_run_and_orders_its_quantiles(contexts):
    from campaignflow.simulate import simulate

    ctx = contexts["anhui_2020"]
    result = simulate(ctx.campaign, runs=200, seed=5, plugins=ctx.plugins, reject_rate=0.3)
    for d in result.deadlines:
        assert sum(n for _, _, n in d.histogram) == 200
        assert d.p50 <= d.p80 <= d.p90 <= d.p95
        edges = [a for a, _, _ in d.histogram]
        assert edges == sorted(edges)
        assert d.histogram[0][0] <= d.p50 <= d.histogram[-1][1]


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


@settings(max_examples=40, deadline=None)
@given(title=_text)
def test_mermaid_and_dot_keep_any_title_on_its_line(title):
    c = Campaign(id="c", name="测试", start=date(2016, 9, 1), end=date(2016, 10, 31),
                 units={"u": Unit(id="u", name="县扶贫办")},
                 tasks={"t": Task(id="t", title=title, lead="u")})
    ctx = ExportContext(campaign=c, plugins=cf.create_plugin_manager(entry_points=False, use_env=False))
    mermaid = ctx.plugins.exporters()["mermaid"]().export(ctx)
    task_lines = [line for line in mermaid.splitlines() if ", 2016-" in line]
    assert len(task_lines) == 1
    name = task_lines[0].strip().rsplit(" :", 1)[0]
    assert name and not name.startswith(":")
    assert not set(name) & set(":#;<>&\n\r")
    dot = ctx.plugins.exporters()["dot"]().export(ctx)
    label = re.search(r'"t" \[label="((?:[^"\\]|\\.)*)"\]', dot, re.S)
    assert label is not None
    assert label.group(1).replace('\\"', '"').replace("\\\\", "\\").endswith(title)
