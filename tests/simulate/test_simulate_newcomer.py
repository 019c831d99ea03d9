"""What a newcomer met in ``simulate`` (issue 17): percentiles as days, a warning when nothing drives the spread."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from campaignflow.cli.main import cli

BASE = """\
format = 1

[campaign]
id = "demo"
name = "扶贫日"
start = 2020-09-21
end = 2020-10-31
calendar = "cn-workdays"

[units.office]
name = "县扶贫办"
[units.city]
name = "市扶贫办"

[tasks.plan]
title = "制定方案"
lead = "office"
duration = "{duration}"
due = 2020-09-30
approvals = [{{ by = "city", within = "2d" }}]

[tasks.hours]
title = "召开会议"
lead = "office"
duration = "3h"
after = ["plan"]
"""


def _simulate(tmp_path, text, *args):
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli, ["--lang", "en", "simulate", str(path), "--runs", "300", "--seed", "7", *args])


def test_runs_without_estimates_warn_what_they_vary(tmp_path):
    result = _simulate(tmp_path, BASE.format(duration="2d"))
    assert "no task has a three-point estimate" in result.output
    assert "latency of 1 approval step(s)" in result.output
    data = json.loads(_simulate(tmp_path, BASE.format(duration="2d"), "--format", "json").output)
    assert data["simulation"]["spread"] == {"estimates": 0, "approval_latencies": 1, "reject_rate": 0.0}
    assert len(data["simulation"]["warnings"]) == 1
    zh = CliRunner().invoke(cli, ["--lang", "zh", "simulate", str(tmp_path / "plan.toml"), "--runs", "50"])
    assert "没有任务给出三点估计" in zh.output


def test_runs_with_an_estimate_do_not_warn(tmp_path):
    text = BASE.replace('duration = "{duration}"', 'duration = { optimistic = "1d", likely = "2d", pessimistic = "5d" }')
    text = text.replace("{{", "{").replace("}}", "}")
    result = _simulate(tmp_path, text)
    assert "three-point" not in result.output
    data = json.loads(_simulate(tmp_path, text, "--format", "json").output)
    assert data["simulation"]["warnings"] == [] and data["simulation"]["spread"]["estimates"] == 1


def test_percentiles_read_as_days_like_the_other_columns(tmp_path):
    text = BASE.replace('duration = "3h"', 'duration = "1d"').replace('duration = "{duration}"', 'duration = { optimistic = "1d", likely = "2d", pessimistic = "5d" }')
    text = text.replace("{{", "{").replace("}}", "}")
    result = _simulate(tmp_path, text)
    lines = result.output.splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("task "))
    assert "P50" in lines[n]
    # Every deterministic column is a day here (whole-day durations): so must the percentiles be,
    # with no hour on the working-time axis (03:45).
    for line in lines[n + 1:]:
        assert not re.search(r"\d{2}:\d{2}", line), line
    # JSON keeps the exact instants.
    data = json.loads(_simulate(tmp_path, text, "--format", "json").output)
    assert all("T" in r["p50"] for r in data["simulation"]["tasks"])


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_the_table_shows_titles_and_ids_on_request(tmp_path):
    shown = _simulate(tmp_path, BASE.format(duration="2d"), "--no-gantt")
    assert any(line.startswith("制定方案") for line in shown.output.splitlines())
    ids = _simulate(tmp_path, BASE.format(duration="2d"), "--no-gantt", "--ids")
    assert any(line.startswith("plan ") for line in ids.output.splitlines())
    assert not any(line.startswith("制定方案") for line in ids.output.splitlines())
    csv_out = _simulate(tmp_path, BASE.format(duration="2d"), "--format", "csv")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(csv_out.output)))
    assert {r["task"]: r["title"] for r in rows} == {"plan": "制定方案", "hours": "召开会议"}


def test_the_table_fits_the_terminal_width(tmp_path, monkeypatch):
    long_title = "全面深入总结党的十八大以来我省各地、各行业、各单位脱贫攻坚成效经验并形成报告"
    text = BASE.format(duration="2d").replace('title = "制定方案"', f'title = "{long_title}"')
    for columns in (80, 100):
        monkeypatch.setenv("COLUMNS", str(columns))
        result = _simulate(tmp_path, text, "--no-gantt")
        assert result.exit_code in (0, 1)
        widths = [_display_width(line) for line in result.output.splitlines()]
        assert max(widths) <= columns, (columns, max(widths))
        assert "…" in result.output  # the long title is clipped, not dropped
    monkeypatch.delenv("COLUMNS")
    wide = _simulate(tmp_path, text, "--no-gantt")  # not a terminal: nothing is clipped
    assert long_title in wide.output
