"""`campaignflow validate`: exit codes, located messages, every output format, languages."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli

REPO = Path(__file__).resolve().parents[2]

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

[units.office]
name = "县扶贫办"

[units.bureau]
name = "县统计局"
parent = "office"
"""

CYCLE = HEADER + """
[tasks.a]
title = "甲"
lead = "bureau"
after = ["b"]

[tasks.b]
title = "乙"
lead = "bureau"
after = ["a"]
"""

SATURDAY = HEADER + """
[tasks.day]
title = "扶贫日活动"
lead = "bureau"
on = "@poverty_day"
"""


def _write(tmp_path: Path, text: str, name: str = "plan.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_error_findings_exit_1_with_a_located_block(tmp_path):
    plan = _write(tmp_path, CYCLE)
    code, out, _ = _run("validate", str(plan), "--lang", "en")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{plan}:") and "CF101 error" in first
    assert "a → b → a" in first
    # the source line with a marker under it
    assert any(line.strip().startswith("|") and "^" in line for line in out.splitlines())
    assert "1 error(s)" in out.splitlines()[-1]


def test_warnings_only_exit_0(tmp_path):
    plan = _write(tmp_path, SATURDAY)
    code, out, _ = _run("validate", str(plan), "--lang", "en")
    assert code == 0
    assert "CF203 warning" in out and "2020-10-17" in out


def test_chinese_messages(tmp_path):
    plan = _write(tmp_path, SATURDAY)
    code, out, _ = _run("--lang", "zh", "validate", str(plan))
    assert code == 0
    assert "警告" in out and "个错误" in out.splitlines()[-1]


def test_lang_follows_the_locale(tmp_path, monkeypatch):
    plan = _write(tmp_path, SATURDAY)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("CAMPAIGNFLOW_LANG", raising=False)
    _, out, _ = _run("validate", str(plan))
    assert "警告" in out


def test_json_is_one_stable_object(tmp_path):
    plan = _write(tmp_path, CYCLE)
    code, out, _ = _run("validate", str(plan), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["format_version"] == 1
    assert doc["plan"]["id"] == "demo"
    assert doc["summary"]["error"] >= 1
    f = next(f for f in doc["findings"] if f["code"] == "CF101")
    assert set(f) >= {"code", "severity", "message", "tasks", "units", "location"}
    assert f["severity"] == "error"
    assert set(f["tasks"]) == {"a", "b"}
    assert f["location"]["file"] == str(plan) and isinstance(f["location"]["line"], int)


def test_json_one_object_per_plan(tmp_path):
    a = _write(tmp_path, CYCLE, "a.toml")
    b = _write(tmp_path, SATURDAY, "b.toml")
    _, out, _ = _run("validate", str(a), str(b), "--format", "json")
    docs = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [d["plan"]["file"] for d in docs] == [str(a), str(b)]


def test_sarif_2_1_0(tmp_path):
    plan = _write(tmp_path, SATURDAY)
    code, out, _ = _run("validate", str(plan), "--format", "sarif")
    assert code == 0
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["CF203"]["defaultConfiguration"]["level"] == "warning"
    (result,) = [r for r in run["results"] if r["ruleId"] == "CF203"]
    region = result["locations"][0]["physicalLocation"]["region"]
    text = plan.read_text(encoding="utf-8").splitlines()
    assert text[region["startLine"] - 1].startswith("on =")


def test_github_annotations(tmp_path):
    plan = _write(tmp_path, CYCLE)
    _, out, _ = _run("validate", str(plan), "--format", "github")
    line = next(line for line in out.splitlines() if "CF101" in line)
    assert line.startswith("::error file=") and ",line=" in line and "title=CF101::" in line


def test_select_and_ignore(tmp_path):
    plan = _write(tmp_path, SATURDAY)
    _, out, _ = _run("validate", str(plan), "--ignore", "CF203", "--format", "json")
    assert not [f for f in json.loads(out)["findings"] if f["code"] == "CF203"]
    _, out, _ = _run("validate", str(plan), "--select", "CF1,CF4", "--format", "json")
    assert all(f["code"][:3] in {"CF1", "CF4"} for f in json.loads(out)["findings"])


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("format = 1\n[campaign\nid = 'x'\n", "plan.toml:2"),  # not TOML
        (HEADER + "\n[tasks.t]\ntitle = 'x'\nlead = 'burea'\n", "did you mean 'bureau'"),
        (HEADER + "\n[tasks.t]\ntitel = 'x'\nlead = 'bureau'\n", "titel"),
        (HEADER.replace("start = 2020-09-01", "start = 2020-02-30"), "plan.toml:6"),
    ],
)
def test_bad_input_exit_2_located_no_traceback(tmp_path, content, expect):
    plan = tmp_path / "plan.toml"
    plan.write_text(content, encoding="utf-8")
    code, out, err = _run("validate", str(plan))
    assert code == 2
    assert expect in err
    assert "Traceback" not in err + out
    problems = [line for line in err.splitlines() if line.strip() and not line.startswith("campaignflow: plugin")]
    assert problems and all(line.startswith(str(plan)) for line in problems)


def test_binary_junk_and_directories_and_missing_files(tmp_path):
    junk = tmp_path / "junk.toml"
    junk.write_bytes(b"\x00\xff\xfe garbage \x89PNG")
    for target in (junk, tmp_path, tmp_path / "missing.toml"):
        code, out, err = _run("validate", str(target))
        assert code == 2, target
        assert "Traceback" not in err and err.strip()


def test_unknown_plan_id_lists_installed_ones():
    code, _, err = _run("--plugins", str(REPO / "plugins"), "validate", "anhui-2021")
    assert code == 2
    assert "anhui-2020" in err


def test_installed_plan_by_id():
    code, out, _ = _run("--plugins", str(REPO / "plugins"), "validate", "lanshan-stats-bureau", "--format", "json")
    assert code in (0, 1)
    assert json.loads(out)["plan"]["id"] == "lanshan-stats-bureau"


def test_plans_and_plugins_listings():
    code, out, _ = _run("--plugins", str(REPO / "plugins"), "plans", "--format", "json")
    assert code == 0
    ids = {p["id"] for p in json.loads(out)["plans"]}
    assert {"anhui-2020", "chongqing-county-2015", "lanshan-stats-bureau", "county-social-2020",
            "education-bureau-2018"} <= ids
    code, out, _ = _run("plugins", "--format", "json")
    doc = json.loads(out)
    provides = {p for plugin in doc["plugins"] for p in plugin["provides"]}
    assert {"calendar:cn-workdays", "check:CF101", "check:CF401", "exporter:ics"} <= provides
    assert code == (1 if doc["failures"] else 0)


def test_console_script_runs_the_readme_example():
    # The README's first command, minus the venv: the installed script on a bundled plan.
    proc = subprocess.run(
        [sys.executable, "-m", "campaignflow", "--plugins", str(REPO / "plugins"), "validate", "anhui-2020"],
        capture_output=True, text=True, cwd=REPO, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "anhui_2020/plan.toml" in proc.stdout


def test_internal_errors_exit_3_without_traceback(tmp_path, monkeypatch):
    plan = _write(tmp_path, SATURDAY)

    def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("campaignflow.checks.run_checks", boom)
    code, _, err = _run("validate", str(plan))
    assert code == 3
    assert "kaboom" in err and "please report" in err and "Traceback" not in err


def test_a_broken_task_still_has_its_references_checked(tmp_path):
    plan = _write(tmp_path, HEADER + """
[tasks.plans]
title = "方案"
lead = "bureau"

[tasks.meeting]
lead = "bureau"
after = ["plan"]
on = 2020-10-16
due = 2020-10-18
""")
    code, _, err = _run("validate", str(plan), "--lang", "en")
    assert code == 2
    assert "missing required key 'title'" in err
    assert "unknown task 'plan'; did you mean 'plans'?" in err
    assert "`tasks.meeting.on`" in err


@pytest.mark.parametrize(
    ("content", "zh"),
    [
        ("format = 1\n[campaign\n", "表头应以 ']' 结尾"),
        ("a = 1\na = 2\n", "不能覆盖已有的值"),
        ('a = "\\q"\n', "字符串中有未转义的 '\\'"),
        ("a b = 1\n", "键之后应为 '='"),
    ],
)
def test_toml_syntax_errors_in_chinese(tmp_path, content, zh):
    plan = tmp_path / "plan.toml"
    plan.write_text(content, encoding="utf-8")
    code, _, err = _run("--lang", "zh", "validate", str(plan))
    assert code == 2
    assert f"不是有效的 TOML:{zh}" in err


def test_every_toml_parser_message_has_a_chinese_form():
    # The stdlib parser's source lists the messages tomli shares; a new one shows up here.
    import inspect
    import re
    import tomllib._parser

    from campaignflow.load.toml import _syntax_zh

    source = inspect.getsource(tomllib._parser)
    messages = set(re.findall(r'suffixed_err\(\s*src,\s*pos,\s*f?"([^"]+)"', source))
    assert len(messages) > 15
    for message in messages:
        sample = re.sub(r"\{[^}]*\}", "'x'", message).replace("\\\\", "\\")
        assert _syntax_zh(sample) != sample, message
