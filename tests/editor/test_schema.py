"""The JSON Schema of the plan format agrees with the loader: bundled plans, docs examples, bad input."""

from __future__ import annotations

import re
import textwrap
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignflow import schema as schema_mod
from campaignflow.errors import PlanError
from campaignflow.load import loads
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.schema import key_docs, plan_schema, shipped_schema, to_json_value
from campaignflow.testing.strategies import campaigns
from campaignflow.writer import to_toml

REPO = Path(__file__).resolve().parents[2]
PLUGINS = create_plugin_manager(entry_points=False, use_env=False)
PLAN = jsonschema.Draft7Validator(plan_schema())
INCLUDE = jsonschema.Draft7Validator(plan_schema(fragment=True))

HEAD = """\
format = 1
[campaign]
id = "x"
name = "x"
start = 2020-07-01
end = 2020-12-31
[campaign.dates]
poverty_day = 2020-10-17
[units.ah-fpb]
name = "省扶贫办"
[units.sub]
name = "下级"
parent = "ah-fpb"
[groups.cities]
members = ["sub"]
[tasks.base]
title = "t"
lead = "ah-fpb"
"""


def _errors(validator: jsonschema.Draft7Validator, text: str) -> list[str]:
    return [e.message for e in validator.iter_errors(to_json_value(tomllib.loads(text)))]


def _bundled() -> list[Path]:
    plans = sorted(REPO.glob("plugins/*/*.toml")) + sorted(REPO.glob("examples/**/*.toml"))
    return [p for p in plans if p.name not in ("plugin.toml", "pyproject.toml")]


def test_the_shipped_files_are_current():
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "schema_files.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert shipped_schema() == schema_mod.schema_text()


def test_every_key_has_both_descriptions():
    for section, keys in key_docs().items():
        for key, doc in keys.items():
            assert doc.en and doc.zh, (section, key)
            assert re.search(r"[\u4e00-\u9fff]", doc.zh), (section, key)


def test_descriptions_that_disagree_with_the_loader_are_refused(monkeypatch):
    broken = {**schema_mod._DOCS, "unit": {k: v for k, v in schema_mod._DOCS["unit"].items() if k != "capacity"}}
    monkeypatch.setattr(schema_mod, "_DOCS", broken)
    with pytest.raises(RuntimeError, match=r"undescribed \['capacity'\]"):
        plan_schema()


@pytest.mark.parametrize("path", _bundled(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_bundled_plan_names_the_schema_and_is_valid(path):
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    data = tomllib.loads(text)
    fragment = "campaign" not in data
    name = "include.schema.json" if fragment else "plan.schema.json"
    assert first.startswith("#:schema ") and first.endswith(name), first
    # The directive's relative path leads to the shipped file, as an editor resolves it.
    target = (path.parent / first.removeprefix("#:schema ").strip()).resolve()
    assert target == REPO / "src" / "campaignflow" / "schemas" / name
    assert _errors(INCLUDE if fragment else PLAN, text) == []


def _docs_blocks() -> list[str]:
    doc = (REPO / "docs" / "plan-format.md").read_text(encoding="utf-8")
    # A block that includes other files (a roster) needs them: tests/load/test_roster.py covers those.
    return [b for b in re.findall(r"```toml\n(.*?)```", doc, re.S) if "include =" not in b]


def _complete(block: str) -> str:
    block = textwrap.dedent(block)
    if re.search(r"^format = 1", block, re.M):
        return block  # a whole plan, as written
    # The page's fragments name placeholder ids; give them something to refer to.
    text = block.replace('"group-id"', '"cities"').replace('"...",', '"q",').replace('"..."', '"n"')
    text = re.sub(r'^\[templates\.X\.task\][^\n]*\n?', '[templates.X.task]\ntitle = "{unit.name}"\nlead = "{unit}"\n',
                  text, flags=re.M)
    extra = '[units.district-fpb]\nname = "d"\n[units.stats-bureau]\nname = "s"\n[units.a]\nname = "a"\n' \
            '[units.b]\nname = "b"\n[units.duchashi]\nname = "督查室"\n'
    return HEAD + extra + text


@pytest.mark.parametrize("block", _docs_blocks())
def test_docs_examples_are_accepted_by_both(block):
    text = _complete(block)
    loads(text, plugins=PLUGINS)
    assert _errors(PLAN, text) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaigns(max_tasks=5, templates=True, repeat=True, solicitations=True, capacity=True, annotations=True))
def test_generated_plans_are_accepted_by_both(campaign):
    text = to_toml(campaign)
    loads(text, plugins=PLUGINS)
    assert _errors(PLAN, text) == []


#: Bad plans the loader rejects for their shape: (what is appended to HEAD or how HEAD changes, the loader's code).
BAD = {
    "misspelled task key": ('[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\nduratoin = "2d"\n', "unknown-key"),
    "misspelled top key": ('[task.x]\ntitle = "t"\n', "unknown-key"),
    "unit key": ('[units.u]\nname = "u"\nparnet = "ah-fpb"\n', "unknown-key"),
    "task without lead": ('[tasks.x]\ntitle = "t"\n', "missing-key"),
    "task without title": ('[tasks.x]\nlead = "ah-fpb"\n', "missing-key"),
    "due of a wrong type": ('[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\ndue = 17\n', "wrong-type"),
    "title of a wrong type": ('[tasks.x]\ntitle = 3\nlead = "ah-fpb"\n', "wrong-type"),
    "lead as an array": ('[tasks.x]\ntitle = "t"\nlead = ["ah-fpb", "sub"]\n', "wrong-type"),
    "bad duration": ('[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\nduration = "3 days"\n', "wrong-type"),
    "duration table key": ('[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\nduration = { likly = "2d" }\n', "unknown-key"),
    "repeat period": ('[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\nrepeat = { every = "day", times = 2 }\n', None),
    "approval mode": ('[tasks.x]\ntitle = "t"\nlead = "sub"\napprovals = [{ by = "ah-fpb", mode = "most" }]\n',
                      None),
    "approval without by": ('[tasks.x]\ntitle = "t"\nlead = "sub"\napprovals = [{ within = "2d" }]\n',
                            "missing-key"),
    "after entry key": ('[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\nafter = [{ tsak = "base" }]\n', None),
    "capacity zero": ('[units.u]\nname = "u"\ncapacity = 0\n', None),
    "unit without name": ('[units.u]\nkind = "county"\n', "missing-key"),
    "group key": ('[groups.g]\nmembres = ["sub"]\n', "unknown-key"),
    "pairing without b": ('[[pairings]]\na = "sub"\n', "missing-key"),
    "checks severity": ('[checks]\nseverity = { CF204 = "fatal" }\n', "bad-value"),
    "checks key": ('[checks]\nignroe = ["CF203"]\n', "unknown-key"),
    "doc key": ('[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\ndoc = { qoute = "原文" }\n', "unknown-key"),
    "template without for_each": ('[templates.t.task]\ntitle = "t"\nlead = "{unit}"\n', "missing-key"),
    "calendar override key": ('[calendar.overrides.2027]\nholiday = [2027-01-01]\n', "unknown-key"),
    "campaign id": (None, None),
    "format 2": (None, "unsupported-format"),
    "missing format": (None, "missing-format"),
    "missing campaign start": (None, "missing-key"),
}


def _bad_text(name: str) -> str:
    extra = BAD[name][0]
    if extra is not None:
        return HEAD + extra
    return {
        "campaign id": HEAD.replace('id = "x"', 'id = "X Y"'),
        "format 2": HEAD.replace("format = 1", "format = 2"),
        "missing format": HEAD.replace("format = 1\n", ""),
        "missing campaign start": HEAD.replace("start = 2020-07-01\n", ""),
    }[name]


def test_the_base_of_the_bad_plans_is_good():
    loads(HEAD, plugins=PLUGINS)
    assert _errors(PLAN, HEAD) == []


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_the_loader_rejects_the_schema_rejects(name):
    text = _bad_text(name)
    with pytest.raises(PlanError) as caught:
        loads(text, plugins=PLUGINS)
    code = BAD[name][1]
    if code is not None:
        assert code in {p.code for p in caught.value.problems}
    assert _errors(PLAN, text), f"the schema accepts {name!r}"


def test_the_cli_prints_the_shipped_schema():
    from click.testing import CliRunner

    from campaignflow.cli.main import cli

    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.output == shipped_schema()
    fragment = CliRunner().invoke(cli, ["schema", "--include-file"])
    assert fragment.exit_code == 0 and '"required": [\n    "format"' not in fragment.output


# -- the schema and the loader agree on damaged plans ----------------------------------------

_WRONG = [17, "text", True, [1], {"x": 1}, 2.5]


@st.composite
def _damaged(draw: st.DrawFn) -> tuple[str, str]:
    campaign = draw(campaigns(max_tasks=4, templates=True, repeat=True, approvals=True, capacity=True,
                              annotations=True))
    data = tomllib.loads(to_toml(campaign))
    # Every table of the plan, with its key path, that holds keys the schema describes.
    tables: list[tuple[str, dict]] = [("", data), ("campaign", data["campaign"])]
    for section in ("units", "groups", "tasks", "templates"):
        tables += [(f"{section}.{k}", v) for k, v in data.get(section, {}).items() if isinstance(v, dict)]
    where, table = draw(st.sampled_from(tables))
    kind = draw(st.sampled_from(["unknown-key", "wrong-type"]))
    if kind == "unknown-key" or not [k for k in table if k not in ("format",)]:
        table[draw(st.sampled_from(["colour", "owner", "deadline", "zzz"]))] = "x"
    else:
        key = draw(st.sampled_from(sorted(k for k in table if k != "format")))
        current = table[key]
        table[key] = draw(st.sampled_from([w for w in _WRONG if type(w) is not type(current)]))
    return kind, tomli_w_dumps(data)


def tomli_w_dumps(data: dict) -> str:
    import tomlkit

    return tomlkit.dumps(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_damaged())
def test_the_schema_rejects_what_the_loader_rejects_in_a_damaged_plan(case):
    kind, text = case
    try:
        loads(text, plugins=PLUGINS)
    except PlanError:
        rejected = True
    else:
        rejected = False
    schema_errors = _errors(PLAN, text)
    if rejected:
        assert schema_errors, f"the loader rejects ({kind}) what the schema accepts:\n{text}"
