"""``campaignflow simulate``: formats, what-if options, exit codes, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli

PLAN = """\
format = 1

[campaign]
id = "national-day"
name = "扶贫日"
start = 2020-09-21
end = 2020-10-31
calendar = "cn-workdays"
issuer = "city"

[units.city]
name = "市扶贫办"
[units.office]
name = "县扶贫办"
parent = "city"
capacity = 1
[units.county]
name = "县政府"
parent = "city"

[tasks.survey]
title = "摸底调查"
lead = "office"
duration = { optimistic = "2d", likely = "3d", pessimistic = "6d" }

[tasks.plan]
title = "制定方案"
lead = "office"
duration = "2d"
due = 2020-09-25

[tasks.draft]
title = "起草通知"
lead = "county"
duration = "2d"
after = [{ task = "survey", lag = "2d" }]
approvals = [{ by = "city", within = "2d" }]

[tasks.ceremony]
title = "扶贫日仪式"
lead = "county"
on = 2020-10-17
after = ["draft"]

[tasks.report]
title = "总结报告"
lead = "county"
duration = "1d"
after = [{ task = "ceremony", lag = "1wd" }]
due = 2020-10-20
"""


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["simulate", *args, "--lang", "en"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_text_table_and_gantt(plan_file: Path) -> None:
    code, out, _ = run(str(plan_file), "--ids")
    assert code == 0
    assert "█ work  ▒ approval  ◆ fixed event" in out  # the chart's legend
    lines = out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("draft ") and "county" in line)
    # The task's row is its work, done by the end of Sep 29; its approval, given Oct 9, has its own row.
    assert lines[row].split()[1:4] == ["county", "2020-09-28", "2020-09-29"]
    assert lines[row + 1].split()[4:6] == ["2020-09-30", "2020-10-09"]
    assert "3 deadline(s), 0 missed" in out


def test_no_gantt(plan_file: Path) -> None:
    _, out, _ = run(str(plan_file), "--no-gantt")
    assert "█ work" not in out


def test_missed_deadline_exits_1(plan_file: Path) -> None:
    code, out, _ = run(str(plan_file), "--delay", "plan=4d", "--no-gantt")
    assert code == 1
    assert "missed: plan due 2020-09-25, finishes 2020-09-27" in out


def test_missed_event_says_its_prerequisites_are_late(plan_file: Path) -> None:
    code, out, _ = run(str(plan_file), "--delay", "draft=10d", "--no-gantt")
    assert code == 1
    assert "missed: ceremony on 2020-10-17, its prerequisites finish after it starts" in out
    assert "missed: ceremony due" not in out


def test_json_document(plan_file: Path) -> None:
    code, out, _ = run(str(plan_file), "--format", "json", "--capacity", "office=2", "--approval-days", "1")
    doc = json.loads(out)
    assert code == 0
    assert doc["format_version"] == 1
    assert doc["scenario"] == {"start": None, "delays": {}, "capacities": {"office": 2}, "approval_days": 1.0}
    tasks = {t["id"]: t for t in doc["schedule"]["tasks"]}
    assert tasks["survey"]["start"] == "2020-09-21T00:00:00+08:00"
    assert tasks["draft"]["approvals"][0]["finish"] == "2020-10-01T00:00:00+08:00"
    assert doc["simulation"] is None
    assert doc["summary"] == {"tasks": 5, "deadlines": 3, "missed": 0, "overbooked": 0, "at_risk": None}
    assert doc["schedule"]["overbooked"] == []


def test_overbooked_day_is_shown_and_exits_1(tmp_path: Path) -> None:
    # The example of docs/checks/CF301.md: two events of a capacity-1 bureau on one day.
    doc_text = (Path(__file__).parents[2] / "docs" / "checks" / "CF301.md").read_text(encoding="utf-8")
    example = doc_text.split("## Example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "cf301.toml"
    path.write_text(example, encoding="utf-8")
    code, out, _ = run(str(path), "--no-gantt")
    assert code == 1
    assert "2 deadline(s), 0 missed; 1 overbooked day(s)" in out
    assert ("overbooked: stats-bureau (capacity 1) leads 2 tasks on 2016-10-17: event(s) briefing, street-campaign"
            in out)
    code, out, _ = run(str(path), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["schedule"]["overbooked"] == [{"unit": "stats-bureau", "day": "2016-10-17", "capacity": 1,
                                              "events": ["briefing", "street-campaign"], "work": []}]
    assert doc["summary"]["overbooked"] == 1 and doc["summary"]["missed"] == 0
    code, out, _ = run(str(path), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 1
    assert [(r["task"], r["overbooked"]) for r in rows] == [("briefing", "2016-10-17"),
                                                            ("street-campaign", "2016-10-17")]
    code, _, _ = run(str(path), "--capacity", "stats-bureau=2", "--no-gantt")
    assert code == 0


def test_start_moves_the_campaign(plan_file: Path) -> None:
    _, out, _ = run(str(plan_file), "--format", "json", "--start", "2020-09-28")
    doc = json.loads(out)
    assert doc["origin"] == "2020-09-28"
    ceremony = next(t for t in doc["schedule"]["tasks"] if t["id"] == "ceremony")
    assert ceremony["start"] == "2020-10-24T00:00:00+08:00"


def test_monte_carlo_is_reproducible_and_reports_risk(plan_file: Path) -> None:
    args = (str(plan_file), "--format", "json", "--runs", "300", "--seed", "7", "--reject-rate", "0.5")
    first, second = run(*args), run(*args)
    assert first == second
    sim = json.loads(first[1])["simulation"]
    assert sim["runs"] == 300 and sim["seed"] == 7
    labels = [(d["task"], d["step"]) for d in sim["deadlines"]]
    assert labels == [("plan", None), ("ceremony", None), ("report", None)]
    ceremony = sim["deadlines"][1]
    assert 0.0 < ceremony["probability"] < 1.0  # rejections sometimes make the preparation late
    assert max(t["criticality"] for t in sim["tasks"]) == 1.0


def test_min_probability_turns_risk_into_exit_1(plan_file: Path) -> None:
    args = (str(plan_file), "--runs", "300", "--seed", "7", "--reject-rate", "0.5", "--no-gantt")
    assert run(*args)[0] == 0
    code, out, _ = run(*args, "--min-probability", "0.999")
    assert code == 1
    assert "at risk: ceremony due 2020-10-17" in out


def test_csv(plan_file: Path) -> None:
    code, out, _ = run(str(plan_file), "--format", "csv", "--runs", "50", "--seed", "1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [(r["task"], r["step"]) for r in rows] == [
        ("survey", ""), ("plan", ""), ("draft", ""), ("draft", "0"), ("ceremony", ""), ("report", "")]
    assert rows[1]["met"] == "true" and rows[1]["probability"] == "1.0000"


def test_a_tasks_row_is_its_work_that_its_due_applies_to(tmp_path: Path) -> None:
    # `draft` is due Sep 29: its work is done Sep 28 (met), its approval only on Sep 30 (and, in
    # the runs, after the holiday). A row must not show those finishes beside the due and its ✓.
    path = tmp_path / "plan.toml"
    path.write_text(PLAN.replace('after = [{ task = "survey", lag = "2d" }]',
                                 'after = [{ task = "survey", lag = "2d" }]\ndue = 2020-09-29'), encoding="utf-8")
    code, out, _ = run(str(path), "--no-gantt", "--runs", "20", "--seed", "1", "--min-probability", "0", "--ids")
    assert code == 0
    lines = out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("draft "))
    assert lines[row].split()[1:8] == ["county", "2020-09-27", "2020-09-28", "+1.0", "2020-09-29", "✓",
                                       "2020-09-28"]  # the work's finish and P50
    assert "2020-09-30" not in lines[row] and "2020-10-09" not in lines[row]
    assert lines[row + 1].split()[4:7] == ["2020-09-29", "2020-09-30", "+7.0"]  # the approval's own row
    assert "2020-10-09" in lines[row + 1]  # the task's P50: the last step's
    code, out, _ = run(str(path), "--format", "csv", "--runs", "20", "--seed", "1", "--min-probability", "0")
    rows = {(r["task"], r["step"]): r for r in csv.DictReader(io.StringIO(out))}
    work, step = rows[("draft", "")], rows[("draft", "0")]
    assert (work["finish"], work["due"], work["met"]) == ("2020-09-29T00:00:00+08:00", "2020-09-30T00:00:00+08:00",
                                                          "true")
    assert work["p50"] <= work["due"] < step["p50"]
    assert step["finish"] == "2020-10-01T00:00:00+08:00"
    doc = json.loads(run(str(path), "--format", "json")[1])
    draft = next(t for t in doc["schedule"]["tasks"] if t["id"] == "draft")
    assert draft["finish"] == "2020-10-01T00:00:00+08:00"  # the json keeps its keys and their meaning
    assert draft["work_finish"] == "2020-09-29T00:00:00+08:00"


def test_chinese(plan_file: Path) -> None:
    result = CliRunner().invoke(cli, ["simulate", str(plan_file), "--lang", "zh", "--no-gantt"])
    assert "3 个期限,0 个未按期" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--delay", "plna=1d"], "error: unknown task 'plna'; did you mean 'plan'?"),
    (["--capacity", "ofice=1"], "error: unknown unit 'ofice'; did you mean 'office'?"),
    (["--delay", "plan"], "expected TASK=DURATION"),
    (["--capacity", "office=0"], "a capacity is a whole number"),
    (["--reject-rate", "2"], "--reject-rate"),
])
def test_bad_options_exit_2_without_traceback(plan_file: Path, args: list[str], message: str) -> None:
    code, out, err = run(str(plan_file), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_cycle_exits_2_with_located_problems(tmp_path: Path) -> None:
    path = tmp_path / "cycle.toml"
    path.write_text(PLAN.replace('title = "摸底调查"', 'title = "摸底调查"\nafter = ["report"]'), encoding="utf-8")
    code, _, err = run(str(path))
    assert code == 2
    assert "cycle" in err and "Traceback" not in err


def test_progress_bar_on_a_terminal_for_long_runs(plan_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import campaignflow.cli.simulate as command

    monkeypatch.setattr(command, "is_tty", lambda stream=None: True)
    monkeypatch.setattr(command, "_PROGRESS_CELLS", 1)
    code, out, err = run(str(plan_file), "--runs", "20", "--seed", "1", "--format", "json")
    assert code == 0 and json.loads(out)["simulation"]["runs"] == 20
    assert "Monte Carlo" in err


def test_no_progress_bar_when_not_a_terminal(plan_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import campaignflow.cli.simulate as command

    monkeypatch.setattr(command, "_PROGRESS_CELLS", 1)
    _, _, err = run(str(plan_file), "--runs", "20", "--seed", "1", "--format", "json")
    assert "Monte Carlo" not in err
