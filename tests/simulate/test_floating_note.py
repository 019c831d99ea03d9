"""Tasks the document leaves undated do not float to day one silently: `simulate` says so."""

from __future__ import annotations

from click.testing import CliRunner

from campaignflow.cli.main import cli
from campaignflow.load import loads
from campaignflow.plugins.manager import create_plugin_manager

PLAN = """\
format = 1
[campaign]
id = "f"
name = "F"
start = 2020-09-01
end = 2020-10-31
dates = { poverty_day = 2020-10-16 }
[units.a]
name = "A"
[tasks.open]
title = "文件未规定时间的活动"
lead = "a"
[tasks.dated]
title = "T"
lead = "a"
due = "@poverty_day"
[tasks.follows]
title = "U"
lead = "a"
after = ["open"]
[tasks.around]
title = "V"
lead = "a"
around = "@poverty_day"
[tasks.ledger]
title = "W"
lead = "a"
repeat = { every = "month", times = 2 }
"""


def test_floating_lists_only_tasks_without_date_or_prerequisite() -> None:
    c = loads(PLAN, plugins=create_plugin_manager(entry_points=False, use_env=False))
    assert c.floating() == ("open",)


def test_simulate_notes_the_tasks_the_document_leaves_open(tmp_path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    out = CliRunner().invoke(cli, ["simulate", str(plan), "--lang", "en", "--no-gantt"]).output
    assert "1 task(s) have no date and no prerequisite in the plan (open)" in out
    assert "2020-09-01" in out
    zh = CliRunner().invoke(cli, ["simulate", str(plan), "--lang", "zh", "--no-gantt"]).output
    assert "既无日期也无前置任务(open)" in zh
    dated = tmp_path / "dated.toml"
    dated.write_text(PLAN.replace('lead = "a"\n[tasks.dated]', 'lead = "a"\ndue = 2020-09-30\n[tasks.dated]', 1),
                     encoding="utf-8")
    assert "no date and no prerequisite" not in CliRunner().invoke(cli, ["simulate", str(dated), "--no-gantt"]).output


def test_the_json_document_lists_the_undated_tasks(tmp_path) -> None:
    import json

    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    doc = json.loads(CliRunner().invoke(cli, ["simulate", str(plan), "--format", "json"]).output)
    assert doc["plan"]["undated"] == ["open"]
