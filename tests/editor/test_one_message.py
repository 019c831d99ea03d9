"""One problem, one message: a misspelling is one diagnostic; related locations in text, JSON and SARIF."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli
from campaignflow.errors import PlanError
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
    [units.a]
    name = "甲"
    parent = "county"
    [units.b]
    name = "乙"
    parent = "county"
    ''')


def _problems(text: str):
    with pytest.raises(PlanError) as caught:
        loads(text)
    return caught.value.problems


@pytest.mark.parametrize(("extra", "typo", "missing"), [
    ('[tasks.t]\ntitle = "t"\nlaed = "a"\n', "tasks.t.laed", "lead"),
    ('[tasks.t]\ntitel = "t"\nlead = "a"\n', "tasks.t.titel", "title"),
    ('[units.c]\nnmae = "c"\n', "units.c.nmae", "name"),
    ('[tasks.t]\ntitle = "t"\nlead = "a"\nduration = { likly = "2d" }\n', "tasks.t.duration.likly", "likely"),
    ('[templates.p]\nfor_eahc = "g"\n[templates.p.task]\ntitle = "t"\nlead = "{unit}"\n', "templates.p.for_eahc",
     "for_each"),
])
def test_a_misspelt_required_key_is_one_problem(extra, typo, missing):
    (problem,) = _problems(HEAD + extra)
    assert problem.code == "unknown-key" and problem.location.key_path == typo
    assert f"required key '{missing}' is missing" in problem.message.en and missing in problem.message.zh
    # The table that misses the key is the related location.
    assert [r.key_path for r in problem.related] == [typo.rsplit(".", 1)[0]]


def test_a_misspelt_campaign_table_is_one_problem():
    (problem,) = _problems(HEAD.replace("[campaign]", "[campaing]"))
    assert problem.code == "unknown-key" and "'campaign' is missing" in problem.message.en


def test_an_unrelated_unknown_key_does_not_swallow_a_missing_one():
    found = _problems(HEAD + '[tasks.t]\ntitle = "t"\ncolour = "red"\n')
    assert sorted(p.code for p in found) == ["missing-key", "unknown-key"]


CYCLE = HEAD + textwrap.dedent('''\
    [tasks.one]
    title = "一"
    lead = "a"
    after = ["two"]
    [tasks.two]
    title = "二"
    lead = "a"
    after = ["one"]
    ''')

SOLICIT = HEAD + textwrap.dedent('''\
    [tasks.ask-b]
    title = "向乙募捐"
    lead = "a"
    solicits = ["b"]
    [tasks.ask-a]
    title = "向甲募捐"
    lead = "b"
    solicits = ["a"]
    ''')


@pytest.fixture
def plans(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("cycle", CYCLE), ("solicit", SOLICIT)):
        out[name] = tmp_path / f"{name}.toml"
        out[name].write_text(text, encoding="utf-8")
    return out


def _validate(*args: str) -> str:
    return CliRunner().invoke(cli, ["--lang", "en", "validate", *args]).stdout


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(needle))


@pytest.mark.parametrize(("name", "code", "needle"), [
    ("cycle", "CF101", 'after = ["one"]'),
    ("solicit", "CF401", 'solicits = ["a"]'),
])
def test_related_locations_in_json_sarif_and_text(plans, name, code, needle):
    path = plans[name]
    text = path.read_text(encoding="utf-8")
    doc = json.loads(_validate("--format", "json", str(path)))
    (finding,) = [f for f in doc["findings"] if f["code"] == code]
    assert finding["related"], finding
    rel = finding["related"][0]
    # The other end: the second task's line, found by its text (the line the author must look at).
    lines = text.splitlines()
    assert needle in lines[rel["line"] - 1], (rel, lines[rel["line"] - 1])
    assert rel["line"] != finding["location"]["line"]

    sarif = json.loads(_validate("--format", "sarif", str(path)))
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == code]
    (related,) = result["relatedLocations"][:1]
    assert related["physicalLocation"]["region"]["startLine"] == rel["line"]
    assert related["logicalLocations"][0]["fullyQualifiedName"] == rel["key_path"]

    out = _validate(str(path))
    assert f"see also: {path}:{rel['line']}" in out


def test_a_load_problem_names_its_related_location_in_text(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(HEAD + '[tasks.t]\ntitle = "t"\nlaed = "a"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--lang", "en", "validate", str(path)])
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "laed" in x]
    assert f"(see also {path}:{_line(HEAD + '[tasks.t]', '[tasks.t]')}" in line
    doc = json.loads(CliRunner().invoke(cli, ["--lang", "en", "validate", "--format", "json", str(path)]).stdout)
    (finding,) = doc["findings"]
    assert finding["related"][0]["key_path"] == "tasks.t"
    assert finding["fixes"][0]["applicability"] == "safe"


@pytest.mark.parametrize(("name", "code"), [("cycle", "CF101"), ("solicit", "CF401")])
def test_the_language_server_gets_the_related_locations(plans, name, code):
    from campaignflow.lsp import analyse
    from campaignflow.plugins.manager import default_plugins

    path = plans[name]
    analysis = analyse(path.read_text(encoding="utf-8"), str(path), default_plugins())
    (item,) = [i for i in analysis.items if i.code == code]
    assert item.related and all(r.line for r in item.related)
    assert {r.line for r in item.related}.isdisjoint({item.location.line})
