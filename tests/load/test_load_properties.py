"""Whatever it is given, the loader returns a consistent campaign or raises PlanError: nothing else."""

from __future__ import annotations

import json
import math
import tomllib
from datetime import date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignflow.errors import PlanError
from campaignflow.load import load_plan, loads
from campaignflow.model import Campaign

VALID = """\
format = 1
[campaign]
id = "anhui-2020"
name = "安徽省扶贫日"
issuer = "ah-fpb"
start = 2020-07-01
end = 2020-12-31
calendar = "cn-workdays"
[campaign.dates]
poverty_day = 2020-10-17
[units.ah]
name = "安徽省"
kind = "province"
[units.ah-fpb]
name = "省扶贫办"
parent = "ah"
capacity = 2
[units.hf]
name = "合肥市"
kind = "city"
parent = "ah"
[units.feixi]
name = "肥西县"
kind = "county"
parent = "hf"
[groups.cities]
kind = "city"
under = "ah"
[groups.counties]
kind = "county"
[[pairings]]
a = "ah-fpb"
b = "cities"
[tasks.kickoff]
title = "启动"
lead = "ah-fpb"
partners = ["cities"]
due = "@poverty_day - 30d"
approvals = [{ by = "ah", within = "2d" }]
[tasks.report]
title = "报告"
lead = "hf"
after = [{ task = "kickoff", lag = "2wd" }]
repeat = { every = "month", times = 3 }
duration = { optimistic = "1d", likely = "2d", pessimistic = "4d" }
[templates.plan]
for_each = "counties"
[templates.plan.task]
title = "{unit.name}方案"
lead = "{unit}"
after = ["report"]
approvals = [{ by = "{unit.parent}" }]
[tasks.summary]
title = "总结"
lead = "ah-fpb"
after = ["plan@*"]
on = 2020-12-20
[checks]
ignore = ["CF203"]
"""


def consistent(c: Campaign) -> None:
    """Everything a loaded campaign refers to exists."""
    refs = set(c.units) | set(c.groups)
    for task in c.tasks.values():
        assert task.lead in c.units
        assert all(dep.task in c.tasks for dep in task.after)
        assert all(r in refs for r in (*task.partners, *task.solicits))
        assert all(r in refs for step in task.approvals for r in step.by)
    for group in c.groups.values():
        assert all(u in c.units for u in group.units)
    for pairing in c.pairings:
        assert pairing.a in refs and pairing.b in refs
    assert c.locate("tasks").file == c.source


def attempt(text: str) -> None:
    try:
        campaign = loads(text)
    except PlanError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.message.en and p.message.zh and p.location.file == "<string>"
            assert p.location.line is not None or p.code == "too-deep", p.format()
        return
    consistent(campaign)


def test_the_valid_plan_is_valid():
    consistent(loads(VALID))
    assert len(loads(VALID).tasks) == 6  # kickoff, report#1-3, plan@feixi, summary


@given(st.text())
def test_any_text(text):
    attempt(text)


@given(st.binary())
def test_any_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "plan.toml"
    path.write_bytes(data)
    try:
        consistent(load_plan(path))
    except PlanError as exc:
        assert all(p.location.file == str(path) for p in exc.problems)


# -- TOML documents ----------------------------------------------------------------------------

_WORDS = ["format", "campaign", "units", "groups", "pairings", "tasks", "templates", "checks", "id", "name",
          "start", "end", "due", "on", "lead", "title", "after", "task", "lag", "by", "approvals", "parent",
          "kind", "under", "members", "except", "for_each", "repeat", "every", "times", "duration", "dates",
          "include", "doc", "a", "b", "ah", "u", "x", "@x", "{unit}", "2d", "3wd", "@d - 1d", "week", "month"]
_keys = st.one_of(st.sampled_from(_WORDS), st.text(max_size=4))
_scalars = st.one_of(
    st.sampled_from(_WORDS), st.text(max_size=6), st.integers(min_value=-3, max_value=3), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False), st.just(1),
    st.dates(min_value=date(1999, 1, 1), max_value=date(2030, 1, 1)),
    st.datetimes(min_value=datetime(1999, 1, 1), max_value=datetime(2030, 1, 1)),
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
                       max_leaves=20)


def _string(text: str) -> str:
    # JSON strings are TOML basic strings, except that TOML also wants DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else "0.0"
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{ " + ", ".join(f"{_string(k)} = {toml_value(x)}" for k, x in v.items()) + " }"


def toml_doc(doc: dict[str, Any]) -> str:
    """A whole document: one ``key = value`` line per top-level key, tables inline."""
    return "".join(f"{_string(k)} = {toml_value(v)}\n" for k, v in doc.items())


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=6))
def test_any_toml_document(doc):
    text = toml_doc(doc)
    assert tomllib.loads(text) is not None  # the writer writes TOML
    attempt(text)


# -- a valid plan, mutated ---------------------------------------------------------------------


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _mutate(doc: Any, path: tuple[Any, ...], how: str, new: Any) -> None:
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "retype":
        parent[last] = new
    elif how == "add" and isinstance(parent[last], dict):
        parent[last][str(new)] = new
    elif how == "add" and isinstance(parent[last], list):
        parent[last].append(new)
    else:
        parent[last] = new


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_mutated_valid_plan(data):
    doc = tomllib.loads(VALID)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(doc)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        how = data.draw(st.sampled_from(["delete", "retype", "add"]))
        _mutate(doc, path, how, data.draw(_scalars))
    attempt(toml_doc(doc))
