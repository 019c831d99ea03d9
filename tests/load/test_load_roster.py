"""Unit rosters (``include = ["units.csv"]``, issue 19): units from a CSV or xlsx file, errors located per cell."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.load import load_plan

PLAN = """\
format = 1
[campaign]
id = "roster"
name = "名册方案"
start = 2020-07-01
end = 2020-12-31
include = ["{roster}"]

[groups.villages]
kind = "village"

[templates.survey]
for_each = "villages"
task = {{ title = "{{unit.name}}走访", lead = "{{unit}}", after = ["plan"] }}

[tasks.plan]
title = "县级方案"
lead = "k1"
"""

GOOD = """\
id,name,kind,parent,capacity
k1,蓝山县,county,,
t1,塔峰镇,township,k1,2
v1,一村,village,t1,
v2,二村,village,t1,1
"""


def _plan(tmp_path: Path, roster: str, name: str = "units.csv") -> Path:
    (tmp_path / name).write_text(roster, encoding="utf-8")
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(roster=name), encoding="utf-8")
    return plan


def test_a_csv_roster_gives_the_units_in_row_order(tmp_path: Path, plugins) -> None:
    campaign = load_plan(_plan(tmp_path, GOOD), plugins=plugins)
    assert list(campaign.units) == ["k1", "t1", "v1", "v2"]
    assert campaign.units["t1"].parent == "k1" and campaign.units["t1"].capacity == 2
    assert campaign.units["k1"].parent is None and campaign.units["k1"].capacity is None
    assert list(campaign.tasks) == ["plan", "survey@v1", "survey@v2"]
    assert campaign.tasks["survey@v2"].title == "二村走访"


def test_a_roster_equals_the_same_units_written_in_toml(tmp_path: Path, plugins) -> None:
    from_csv = load_plan(_plan(tmp_path, GOOD), plugins=plugins)
    toml = "\n".join(f'[units.{u.id}]\nname = "{u.name}"\nkind = "{u.kind}"'
                     + (f'\nparent = "{u.parent}"' if u.parent else "")
                     + (f"\ncapacity = {u.capacity}" if u.capacity else "")
                     for u in from_csv.units.values())
    (tmp_path / "units.toml").write_text(toml + "\n", encoding="utf-8")
    (tmp_path / "plan2.toml").write_text(PLAN.format(roster="units.toml"), encoding="utf-8")
    from_toml = load_plan(tmp_path / "plan2.toml", plugins=plugins)
    assert from_csv.units == from_toml.units
    assert from_csv.tasks == from_toml.tasks


def test_chinese_headers_a_bom_blank_rows_and_numeric_ids(tmp_path: Path, plugins) -> None:
    roster = "\ufeff编号,名称,类别,上级\n\n430000,湖南省,province,\n431127,蓝山县,county,430000\n,,,\n"
    (tmp_path / "units.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "plan.toml").write_text(PLAN.format(roster="units.csv").replace('lead = "k1"', 'lead = "431127"'),
                                        encoding="utf-8")
    campaign = load_plan(tmp_path / "plan.toml", plugins=plugins)
    assert list(campaign.units) == ["430000", "431127"]
    assert campaign.units["431127"].parent == "430000"


def test_every_problem_of_a_roster_is_located_at_its_row_and_column(tmp_path: Path, problems) -> None:
    roster = (
        "id,name,kind,parent,capacity\n"   # 1
        "k1,蓝山县,county,,\n"             # 2
        ",无名,village,k1,\n"              # 3: no id
        "t1,塔峰镇,township,k9,\n"         # 4: unknown parent
        "v1,一村,village,t1,many\n"        # 5: capacity not a number
        "k1,又一个,county,,\n"             # 6: k1 again
        "v2,,village,t1,\n"                # 7: no name
        "bad id,坏,village,t1,\n"          # 8: an id the format does not allow
    )
    found = problems(_plan(tmp_path, roster))
    where = {(p.code, p.location.line, p.location.column) for p in found}
    roster_name = str(tmp_path / "units.csv")
    assert all(p.location.file == roster_name for p in found), [p.format() for p in found]
    assert ("missing-key", 3, 1) in where
    assert ("unknown-unit", 4, 4) in where
    assert ("wrong-type", 5, 5) in where
    assert ("duplicate-key", 6, 1) in where
    assert ("missing-key", 7, 1) in where or ("missing-key", 7, 2) in where
    assert any(p.location.line == 8 for p in found)
    assert len({p.location.line for p in found}) == 6  # all at once, each row once at least
    dup = next(p for p in found if p.code == "duplicate-key")
    assert "row 2" in dup.message.en and "第 2 行" in dup.message.zh
    # Sorted by row, as TOML problems are by line.
    lines = [p.location.line for p in found]
    assert lines == sorted(lines)


def test_header_problems(tmp_path: Path, problems) -> None:
    found = problems(_plan(tmp_path, "id,nmae,kind,kind\nk1,x,county,county\n"))
    codes = {(p.code, p.location.line, p.location.column) for p in found}
    assert ("unknown-key", 1, 2) in codes
    assert ("duplicate-key", 1, 4) in codes
    assert ("missing-key", 1, 1) in codes  # no name column
    unknown = next(p for p in found if p.code == "unknown-key")
    assert unknown.hint is not None and "name" in unknown.hint.en


def test_an_empty_roster_and_a_missing_one(tmp_path: Path, problems) -> None:
    found = problems(_plan(tmp_path, ""))
    p = next(p for p in found if p.code == "empty-roster")
    assert p.location.line == 1 and p.location.file == str(tmp_path / "units.csv")
    assert {q.code for q in found} == {"empty-roster", "unknown-unit"}  # and the lead it would have given
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(roster="nowhere.csv"), encoding="utf-8")
    p = next(p for p in problems(plan) if p.code == "file-not-found")
    assert p.location.file == str(plan) and p.location.key_path == "campaign.include[0]"


def test_a_unit_in_the_roster_and_in_toml_is_a_duplicate(tmp_path: Path, problems) -> None:
    plan = _plan(tmp_path, GOOD)
    plan.write_text(plan.read_text(encoding="utf-8") + '[units.t1]\nname = "again"\n', encoding="utf-8")
    found = problems(plan)
    dup = next(p for p in found if p.code == "duplicate-key")
    assert dup.location.file == str(plan)
    assert f"{tmp_path / 'units.csv'}:3:1" in dup.message.en  # the row that defined it first


def test_a_roster_outside_the_plan_folder_is_refused(tmp_path: Path, problems) -> None:
    (tmp_path / "outside.csv").write_text(GOOD, encoding="utf-8")
    inner = tmp_path / "plan"
    inner.mkdir()
    (inner / "plan.toml").write_text(PLAN.format(roster="../outside.csv"), encoding="utf-8")
    assert "include-outside" in {p.code for p in problems(inner / "plan.toml")}


def test_not_utf8_is_located(tmp_path: Path, problems) -> None:
    (tmp_path / "units.csv").write_bytes("id,name\nk1,蓝山县\n".encode("gb18030"))
    (tmp_path / "plan.toml").write_text(PLAN.format(roster="units.csv"), encoding="utf-8")
    p = next(p for p in problems(tmp_path / "plan.toml") if p.code == "not-utf8")
    assert p.location.line == 2


def test_an_xlsx_roster(tmp_path: Path, plugins, problems) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["id", "name", "kind", "parent", "capacity"], ["k1", "蓝山县", "county", None, None],
                ["t1", "塔峰镇", "township", "k1", 2], [None, None, None, None, None],
                ["v1", "一村", "village", "t1", 1.0], [431127, "数字编号", "village", "t1", None]):
        sheet.append(row)
    book.save(tmp_path / "units.xlsx")
    (tmp_path / "plan.toml").write_text(PLAN.format(roster="units.xlsx"), encoding="utf-8")
    campaign = load_plan(tmp_path / "plan.toml", plugins=plugins)
    assert list(campaign.units) == ["k1", "t1", "v1", "431127"]
    assert campaign.units["v1"].capacity == 1 and campaign.units["t1"].capacity == 2
    sheet.append(["v9", "九村", "village", "t7", "x"])
    book.save(tmp_path / "units.xlsx")
    found = problems(tmp_path / "plan.toml")
    assert {(p.code, p.location.line, p.location.column) for p in found} >= {("unknown-unit", 7, 4),
                                                                              ("wrong-type", 7, 5)}


def test_a_broken_xlsx_is_one_problem_at_the_include(tmp_path: Path, problems) -> None:
    pytest.importorskip("openpyxl")
    (tmp_path / "units.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "plan.toml").write_text(PLAN.format(roster="units.xlsx"), encoding="utf-8")
    p = next(p for p in problems(tmp_path / "plan.toml") if p.code == "not-a-roster")
    assert p.location.key_path == "campaign.include[0]" and p.location.line == 7


def test_the_cli_reports_a_bad_roster_without_a_traceback(tmp_path: Path) -> None:
    plan = _plan(tmp_path, GOOD + "v3,三村,village,t1,zero\n")
    done = subprocess.run([sys.executable, "-m", "campaignflow", "validate", str(plan)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert f"units.csv:6:5" in done.stdout + done.stderr


_CELL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(_CELL, min_size=0, max_size=7), max_size=8))
def test_any_roster_loads_or_fails_with_located_problems(tmp_path_factory, plugins, rows) -> None:
    import csv
    import io

    from campaignflow.errors import PlanError

    tmp = tmp_path_factory.mktemp("r")
    buf = io.StringIO()
    csv.writer(buf).writerows([["id", "name", "kind", "parent", "capacity"], *rows])
    plan = _plan(tmp, buf.getvalue())
    try:
        load_plan(plan, plugins=plugins)
    except PlanError as exc:
        for p in exc.problems:
            assert p.location.file is not None and p.message.zh
            if p.location.file.endswith("units.csv"):
                assert p.location.line is not None and 1 <= p.location.line <= len(rows) + 1 + buf.getvalue().count("\r")
