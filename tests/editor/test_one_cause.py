"""One cause, one message: a misspelt name referenced many times, and a cycle, are one problem each.

The references are related locations of that one problem, in text, JSON, SARIF and the
language server; one fix corrects them all.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.cli.main import cli
from campaignflow.errors import PlanError
from campaignflow.findings import Applicability
from campaignflow.fix import fix_plan
from campaignflow.load import loads

HEAD = textwrap.dedent('''\
    format = 1
    [campaign]
    id = "x"
    name = "x"
    start = 2020-07-01
    end = 2020-12-31
    [units.county]
    name = "县"
    ''')

#: A unit declared as `xianfpb` while every reference says `xianfpbb`.
UNIT = HEAD + textwrap.dedent('''\
    [units.xianfpb]
    name = "县扶贫办"
    parent = "county"
    [tasks.one]
    title = "一"
    lead = "xianfpbb"
    [tasks.two]
    title = "二"
    lead = "county"
    partners = ["xianfpbb"]
    [tasks.three]
    title = "三"
    lead = "county"
    approvals = [{ by = "xianfpbb" }]
    ''')


def _problems(text: str):
    with pytest.raises(PlanError) as caught:
        loads(text)
    return caught.value.problems


def _lines(text: str, needle: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line]


def test_a_misspelt_declaration_is_one_problem_at_the_declaration():
    (problem,) = _problems(UNIT)
    assert problem.code == "unknown-unit"
    assert problem.location.key_path == "units.xianfpb"
    assert problem.location.line == _lines(UNIT, "[units.xianfpb]")[0]
    assert "3 references" in problem.message.en and "3 处引用" in problem.message.zh
    # Every reference is a related location, on its own line.
    assert sorted(r.line for r in problem.related) == _lines(UNIT, '"xianfpbb"')
    replace, rename = problem.fixes
    assert replace.applicability is Applicability.SAFE and len(replace.edits) == 3
    assert {e.key_path for e in replace.edits} == {r.key_path for r in problem.related}
    assert rename.applicability is Applicability.DISPLAY
    assert (rename.edits[0].kind, rename.edits[0].key_path, rename.edits[0].new) == ("rename", "units.xianfpb",
                                                                                     "xianfpbb")


def test_the_other_way_round_is_one_problem_too():
    text = UNIT.replace('"xianfpbb"', '"xianfpb"').replace("[units.xianfpb]", "[units.xianfpbb]")
    (problem,) = _problems(text)
    assert problem.location.key_path == "units.xianfpbb" and len(problem.related) == 3


def test_a_declared_name_used_elsewhere_keeps_the_problem_at_the_first_reference():
    # `xianfpb` is used correctly once: the declaration is right, the two references are not.
    text = UNIT + '[tasks.four]\ntitle = "四"\nlead = "xianfpb"\n'
    (problem,) = _problems(text)
    assert problem.location.key_path == "tasks.one.lead"
    assert "(named by 3 references)" in problem.message.en
    assert [r.key_path for r in problem.related] == ["tasks.two.partners[0]", "tasks.three.approvals[0].by[0]",
                                                     "units.xianfpb"]
    (replace,) = problem.fixes
    assert len(replace.edits) == 3


def test_a_single_reference_is_unchanged():
    text = UNIT.replace('partners = ["xianfpbb"]', "").replace('approvals = [{ by = "xianfpbb" }]', "")
    (problem,) = _problems(text)
    assert problem.location.key_path == "tasks.one.lead" and problem.message.en == "unknown unit 'xianfpbb'"


def test_different_misspellings_stay_different_problems():
    text = UNIT.replace('partners = ["xianfpbb"]', 'partners = ["xianfbp"]')
    found = _problems(text)
    assert len(found) == 2


GROUP_AND_TASK = HEAD + textwrap.dedent('''\
    [units.a]
    name = "甲"
    parent = "county"
    [groups.townships]
    members = ["a"]
    [templates.drive]
    for_each = "township"
    [templates.drive.task]
    title = "t"
    lead = "{unit}"
    [tasks.survey]
    title = "一"
    lead = "a"
    partners = ["township"]
    [tasks.two]
    title = "二"
    lead = "a"
    after = ["survy"]
    [tasks.three]
    title = "三"
    lead = "a"
    after = ["two", "survy"]
    ''')


def test_a_misspelt_group_and_a_misspelt_task_are_one_problem_each():
    group, task = _problems(GROUP_AND_TASK)
    assert (group.code, group.location.key_path) == ("unknown-group", "groups.townships")
    assert [r.key_path for r in group.related] == ["templates.drive.for_each", "tasks.survey.partners[0]"]
    assert (task.code, task.location.key_path) == ("unknown-task", "tasks.survey")
    assert [r.key_path for r in task.related] == ["tasks.two.after[0]", "tasks.three.after[1]"]


def test_a_template_instances_count_as_the_template_reference():
    text = HEAD + textwrap.dedent('''\
        [units.a]
        name = "甲"
        parent = "county"
        [units.b]
        name = "乙"
        parent = "county"
        [units.xianfpb]
        name = "县扶贫办"
        [groups.g]
        members = ["a", "b"]
        [templates.drive]
        for_each = "g"
        [templates.drive.task]
        title = "t"
        lead = "{unit}"
        partners = ["xianfpbb"]
        [tasks.one]
        title = "一"
        lead = "xianfpbb"
        ''')
    (problem,) = _problems(text)
    assert problem.location.key_path == "units.xianfpb"
    assert len(problem.related) == 2 and problem.related[0].line != problem.related[1].line


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text("# 方案\n" + UNIT, encoding="utf-8")
    return path


def _run(*args: str):
    return CliRunner().invoke(cli, ["--lang", "en", *args])


def test_text_json_and_sarif_show_one_problem_with_the_references(plan: Path):
    text = plan.read_text(encoding="utf-8")
    refs = _lines(text, '"xianfpbb"')
    result = _run("validate", str(plan))
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "xianfpbb" in x]
    assert all(f"{plan}:{n}:" in line for n in refs)

    doc = json.loads(_run("validate", "--format", "json", str(plan)).stdout)
    (finding,) = doc["findings"]
    assert finding["location"]["line"] == _lines(text, "[units.xianfpb]")[0]
    assert sorted(r["line"] for r in finding["related"]) == refs

    sarif = json.loads(_run("validate", "--format", "sarif", str(plan)).stdout)
    (res,) = sarif["runs"][0]["results"]
    assert sorted(r["physicalLocation"]["region"]["startLine"] for r in res["relatedLocations"]) == refs


def test_the_language_server_gets_one_diagnostic(plan: Path):
    from campaignflow.lsp import analyse
    from campaignflow.plugins.manager import default_plugins

    analysis = analyse(plan.read_text(encoding="utf-8"), str(plan), default_plugins())
    (item,) = analysis.items
    assert len(item.related) == 3 and item.location.key_path == "units.xianfpb"


def test_fix_replaces_every_reference_and_the_plan_loads(plan: Path):
    result = fix_plan(plan)
    assert len(result.applied) == 1
    text = plan.read_text(encoding="utf-8")
    assert "xianfpbb" not in text and text.startswith("# 方案\n")
    loads(text)
    assert not fix_plan(plan).changed


CYCLE = HEAD + textwrap.dedent('''\
    [tasks.one]
    title = "一"
    lead = "county"
    after = ["three"]
    [tasks.two]
    title = "二"
    lead = "county"
    after = ["one"]
    [tasks.three]
    title = "三"
    lead = "county"
    after = ["two"]
    ''')


def test_simulate_prints_a_cycle_once(tmp_path: Path):
    path = tmp_path / "cycle.toml"
    path.write_text(CYCLE, encoding="utf-8")
    result = _run("simulate", str(path))
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if "cycle" in x]
    assert len(lines) == 1, result.stderr
    assert all(f"{path}:{n}:" in lines[0] for n in _lines(CYCLE, "after = ")[1:])


@settings(max_examples=25, deadline=None)
@given(n=st.integers(min_value=2, max_value=6), declared_wrong=st.booleans(), used_once=st.booleans())
def test_any_number_of_references_to_one_misspelling_is_one_problem(n, declared_wrong, used_once):
    right, wrong = "xianfpb", "xianfpbb"
    decl, ref = (wrong, right) if declared_wrong else (right, wrong)
    text = HEAD + f'[units.{decl}]\nname = "办"\nparent = "county"\n'
    for i in range(n):
        text += f'[tasks.t{i}]\ntitle = "t"\nlead = "{ref}"\n'
    if used_once:
        text += f'[tasks.ok]\ntitle = "t"\nlead = "{decl}"\n'
    (problem,) = _problems(text)
    refs = {f"tasks.t{i}.lead" for i in range(n)}
    shown = {problem.location.key_path, *(r.key_path for r in problem.related)}
    assert refs <= shown
    assert problem.location.key_path == ("tasks.t0.lead" if used_once else f"units.{decl}")
    # One fix corrects every reference, and the plan then loads.
    fixed = text.replace(f'"{ref}"', f'"{decl}"')
    assert {e.key_path for e in problem.fixes[0].edits} == refs
    loads(fixed)


def test_a_misspelt_named_date_used_three_times_is_one_problem():
    text = HEAD.replace("end = 2020-12-31\n", "end = 2020-12-31\n[campaign.dates]\npoverty_day = 2020-10-17\n")
    text += textwrap.dedent('''\
        [tasks.one]
        title = "一"
        lead = "county"
        due = "@povety_day"
        [tasks.two]
        title = "二"
        lead = "county"
        start = "@povety_day - 3d"
        due = "@povety_day"
        ''')
    (problem,) = _problems(text)
    assert problem.code == "unknown-date" and problem.location.key_path == "tasks.one.due"
    assert [r.key_path for r in problem.related] == ["tasks.two.start", "tasks.two.due"]
    assert problem.hint is not None and "poverty_day" in problem.hint.en
