"""Defects a newcomer met (issue 17): messages, exit codes and what people read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
OFFICE = REPO / "tests" / "runtime" / "data" / "office.toml"


def _closed_pipe_run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    # stdout is a pipe whose reading end is already closed: the first write fails
    # with EPIPE, as under `| head -1` once head has exited.
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run([sys.executable, "-m", "campaignflow", *args], stdout=w, stderr=subprocess.PIPE,
                              timeout=120, check=False)
    finally:
        os.close(w)


@pytest.mark.parametrize("command", [["validate", str(OFFICE)], ["simulate", str(OFFICE)], ["run", "log"]])
def test_a_closed_pipe_ends_quietly_with_exit_0(tmp_path, command):
    db = tmp_path / "office.db"
    init = CliRunner().invoke(cli, ["run", "init", str(OFFICE), "--db", str(db), "--now", "2020-07-01T09:00"])
    assert init.exit_code == 0, init.output
    args = [*command, "--db", str(db)] if command[0] == "run" else command
    done = _closed_pipe_run(args)
    assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr, done.stderr
    assert b"BrokenPipe" not in done.stderr
    assert done.returncode == 0, done.stderr


HEADER = """\
format = 1

[campaign]
id = "demo"
name = "演示"
start = 2020-09-01
end = 2020-10-31
calendar = "cn-workdays"

[campaign.dates]
poverty_day = 2020-10-17
"""


def _validate(tmp_path: Path, text: str, *args: str, lang: str = "en"):
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli, ["--lang", lang, "validate", str(path), *args])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_chinese_bare_key_says_to_quote_it_and_shows_the_fix(tmp_path, lang):
    result = _validate(tmp_path, HEADER + '\n[units.县扶贫办]\nname = "县扶贫办"\n', lang=lang)
    assert result.exit_code == 2
    assert '[units."县扶贫办"]' in result.output
    assert ("must be quoted" if lang == "en" else "须加引号") in result.output
    assert "plan.toml:13:8" in result.output


@pytest.mark.parametrize("quote", ["\u201c", "\u201d", "\uff02"])
def test_full_width_quotes_are_named_with_the_ascii_fix(tmp_path, quote):
    result = _validate(tmp_path, HEADER + f"\n[units.tj]\nname = {quote}通江{quote}\n")
    assert result.exit_code == 2
    assert f"full-width quote '{quote}'" in result.output
    assert 'name = "通江"' in result.output
    zh = _validate(tmp_path, HEADER + f"\n[units.tj]\nname = {quote}通江{quote}\n", lang="zh")
    assert "全角引号" in zh.output and 'name = "通江"' in zh.output


BROKEN = HEADER + '\n[units.office]\nname = "县扶贫办"\ncolour = "red"\n'


def test_load_problems_are_json_findings_with_locations_and_exit_2(tmp_path):
    result = _validate(tmp_path, BROKEN, "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout.strip().splitlines()[0])
    assert doc["loaded"] is False and doc["plan"]["file"].endswith("plan.toml")
    (finding,) = doc["findings"]
    assert finding["code"] == "CF000" and finding["severity"] == "error"
    assert finding["message"].startswith("unknown-key: ") and "colour" in finding["message"]
    assert finding["location"]["line"] == 15
    assert doc["summary"]["error"] == 1


def test_load_problems_are_sarif_results_with_regions(tmp_path):
    result = _validate(tmp_path, HEADER + "\n[units.县扶贫办]\n", "--format", "sarif")
    assert result.exit_code == 2
    sarif = json.loads(result.stdout)
    (res,) = sarif["runs"][0]["results"]
    assert res["ruleId"] == "CF000" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 13, "startColumn": 8}
    assert [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]] == ["CF000"]


def test_a_missing_plan_is_a_json_finding_too(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nope.toml"), "--format", "json"])
    assert result.exit_code == 2
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["code"] == "CF000" and "nope.toml" in finding["location"]["file"]


NESTED = HEADER + """
[units.county]
name = "县扶贫办"

[units.t1]
name = "一镇"
parent = "county"

[units.t2]
name = "二镇"
parent = "county"

[units.t3]
name = "三镇"
parent = "county"

[groups.east]
members = ["t1", "t2"]

[groups.west]
members = ["t3"]

[groups.towns]
members = ["east", "west"]

[groups.spare]
members = ["t1"]

[tasks.report]
title = "乡镇报送"
lead = "county"
partners = ["towns"]
"""


def test_cf304_counts_groups_used_as_members_of_used_groups(tmp_path):
    result = _validate(tmp_path, NESTED, "--format", "json", "--select", "CF304")
    doc = json.loads(result.stdout)
    unused = sorted(f["location"]["key_path"] for f in doc["findings"] if f["code"] == "CF304")
    # east and west are members of towns, which a task names; spare is named nowhere.
    assert unused == ["groups.spare"]


UNITS = HEADER + """
[units.fpymj]
name = "县扶贫和移民局"

[units.tjj]
name = "县统计局"
"""


@pytest.mark.parametrize(("lead", "lang", "expected"), [
    ("县扶贫和移民局", "en", "did you mean 'fpymj' (县扶贫和移民局)?"),
    ("县扶贫移民局", "en", "did you mean 'fpymj' (县扶贫和移民局)?"),
    ("县扶贫和移民局", "zh", "是否应为 'fpymj'(县扶贫和移民局)?"),
    ("fpymi", "en", "did you mean 'fpymj'?"),
])
def test_a_unit_named_where_its_id_belongs_is_matched_by_name(tmp_path, lead, lang, expected):
    result = _validate(tmp_path, UNITS + f'\n[tasks.t]\ntitle = "甲"\nlead = "{lead}"\n', lang=lang)
    assert result.exit_code == 2
    assert expected in result.output


def test_a_key_sharing_letters_but_not_meaning_is_not_suggested(tmp_path):
    result = _validate(tmp_path, UNITS + '\n[tasks.t]\ntitle = "甲"\nlead = "tjj"\nlocation = "县红军广场"\n')
    assert result.exit_code == 2 and "unknown key 'location'" in result.output
    assert "section" not in result.output
    typo = _validate(tmp_path, UNITS + '\n[tasks.t]\ntitel = "甲"\nlead = "tjj"\n')
    assert "did you mean 'title'?" in typo.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_leads_say_a_task_has_one_and_where_the_others_go(tmp_path, lang):
    result = _validate(tmp_path, UNITS + '\n[tasks.t]\ntitle = "甲"\nlead = ["fpymj", "tjj"]\n', lang=lang)
    assert result.exit_code == 2
    assert "(array)" not in result.output and "数组" not in result.output
    assert ("one accountable lead unit, got 2" if lang == "en" else "只有一个主责牵头单位") in result.output
    assert 'lead = "fpymj"' in result.output and "co_leads" in result.output


@pytest.mark.parametrize(("expr", "chinese"), [
    ("@poverty_day - 3d", "@poverty_day - 3天"),
    ("@poverty_day - 3d", "@poverty_day-3日"),
    ("@poverty_day + 1w", "@poverty_day + 1周"),
    ("@poverty_day - 5wd", "@poverty_day - 5个工作日"),
    ("@poverty_day + 2wd", "@poverty_day + 2工作日"),
])
def test_the_date_expressions_the_chinese_message_offers_are_accepted(tmp_path, expr, chinese):
    import campaignflow as cf

    def due(text: str):
        path = tmp_path / "p.toml"
        path.write_text(UNITS + f'\n[tasks.t]\ntitle = "甲"\nlead = "tjj"\ndue = "{text}"\n', encoding="utf-8")
        return cf.load_plan(path).tasks["t"].window.due

    assert due(chinese) == due(expr)
