"""`repeat` with `at_least` (全年至少N次) and ledgers (`day`, `if_not_working`: 按月); the new keys round-trip."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from campaignflow.calendar import campaign_calendar
from campaignflow.load import load_plan
from campaignflow.model import Repeat, Window
from campaignflow.writer import to_toml

#: The smallest plan, as tests/load/conftest.py's (not imported: another conftest may be first on the path).
HEADER = """\
format = 1
[campaign]
id = "test"
name = "测试方案"
start = 2020-07-01
end = 2020-12-31
"""

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "plan-format.md").read_text(encoding="utf-8")


def _example(heading: str) -> str:
    section = DOCS.split(heading, 1)[1]
    return textwrap.dedent(re.search(r"```toml\n(.*?)```", section, re.S).group(1))


def test_the_ledger_example_means_what_the_page_says(load):
    c = load(_example("### At least N, and ledgers"))
    dues = [c.tasks[f"progress-ledger#{k}"].window.due for k in range(1, 13)]
    assert dues[4] == date(2020, 5, 29)  # 2020-05-31 is a Sunday: the Friday before
    # 2020-01-31 is in the Spring Festival holiday (extended that year): the working day before it.
    assert dues[0] == date(2020, 1, 23) and dues[8] == date(2020, 9, 30)
    # 2020-10-31 is a Saturday: the previous working day, 10-30 (not the holiday week).
    assert dues[9] == date(2020, 10, 30)
    groups = [t for t in c.tasks.values() if t.series == "work-groups"]
    assert len(groups) == 4 and groups[0].repeat == Repeat(every="quarter", times=4, at_least=4)


REPEATED = HEADER + 'calendar = "cn-workdays"\n[units.a]\nname = "A"\n[tasks.t]\ntitle = "T"\nlead = "a"\n'


def test_keep_leaves_a_ledger_day_where_it_falls(load):
    c = load(REPEATED + 'repeat = { every = "month", times = 6, day = "end", if_not_working = "keep" }\n')
    # 2020-10-31 is a Saturday, and it stays so by the plan's own choice.
    assert c.tasks["t#4"].window.due == date(2020, 10, 31)


def test_next_moves_forward_over_the_holiday(load):
    c = load(REPEATED + 'repeat = { every = "month", times = 4, day = 1, if_not_working = "next" }\n')
    assert c.tasks["t#4"].window.due == date(2020, 10, 9)  # 10-01..10-08 are the National Day holiday


def test_previous_stays_in_the_occurrence_and_else_takes_the_next_working_day(load):
    c = load(REPEATED + 'repeat = { every = "month", times = 4, day = 1 }\n')
    # 10-01 is a holiday and the occurrence opens that day: nothing before it, so 10-09.
    assert c.tasks["t#4"].window == Window(start=date(2020, 10, 1), due=date(2020, 10, 9))
    c = load(REPEATED + 'repeat = { every = "month", times = 4, day = 2 }\n')
    # 08-02 is a Sunday and the occurrence opens on Saturday 08-01: the Monday after.
    assert c.tasks["t#2"].window == Window(start=date(2020, 8, 1), due=date(2020, 8, 3))
    c = load(REPEATED + 'repeat = { every = "month", times = 4, day = 5 }\n')
    assert c.tasks["t#4"].window.due == date(2020, 10, 9)  # 10-01..10-05 off, 09-30 before the occurrence


def test_at_least_plans_more_never_fewer(load, problems, only):
    c = load(REPEATED + 'repeat = { every = "quarter", times = 3, at_least = 2 }\n')
    assert len([t for t in c.tasks.values() if t.series == "t"]) == 3
    found = only(problems(REPEATED + 'repeat = { every = "quarter", times = 1, at_least = 2 }\n'), "bad-value")
    assert found.location.key_path == "tasks.t.repeat.times"


@pytest.mark.parametrize(("repeat", "code", "path", "hint"), [
    ('{ every = "month", at_leest = 2 }', "unknown-key", "tasks.t.repeat.at_leest", "at_least"),
    ('{ every = "month", times = 2, day = "ende" }', "bad-value", "tasks.t.repeat.day", "end"),
    ('{ every = "month", times = 2, day = 0 }', "bad-value", "tasks.t.repeat.day", None),
    ('{ every = "month", times = 2, day = "end", if_not_working = "previuos" }', "bad-value",
     "tasks.t.repeat.if_not_working", "previous"),
    ('{ every = "month", times = 2, if_not_working = "next" }', "conflicting-keys",
     "tasks.t.repeat.if_not_working", None),
    ('{ every = "month", at_least = 0 }', "wrong-type", "tasks.t.repeat.at_least", None),
    ('{ every = "month", times = 2, days = "end" }', "unknown-key", "tasks.t.repeat.days", "day"),
])
def test_wrong_repeat_keys_are_located(problems, only, repeat, code, path, hint):
    found = only(problems(REPEATED + f"repeat = {repeat}\n"), code)
    assert found.location.key_path == path and found.location.line is not None
    assert found.message.zh
    if hint is not None:
        assert found.hint is not None and hint in found.hint.en


@settings(max_examples=60, deadline=None)
@given(year=st.integers(2005, 2025), every=st.sampled_from(["week", "month", "quarter"]),
       day=st.one_of(st.just("end"), st.integers(1, 31)), times=st.integers(1, 14),
       policy=st.sampled_from([None, "previous", "next"]), first_month=st.integers(1, 12))
def test_ledger_occurrences_never_fall_on_a_day_off(plugins, year, every, day, times, policy, first_month):
    """Done when: the expanded occurrences of a ledger never fall on a non-working day unless the plan opts in."""
    day_text = '"end"' if day == "end" else str(day)
    policy_text = "" if policy is None else f', if_not_working = "{policy}"'
    text = (f'format = 1\n[campaign]\nid = "l"\nname = "L"\nstart = {year}-{first_month:02d}-01\n'
            f'end = {year + 1}-12-31\ncalendar = "cn-workdays"\n[units.a]\nname = "A"\n[tasks.t]\ntitle = "T"\n'
            f'lead = "a"\nrepeat = {{ every = "{every}", times = {times}, day = {day_text}{policy_text} }}\n')
    note(text)
    c = load_plan(text, plugins=plugins)
    calendar = campaign_calendar(c, plugins)
    occurrences = [t for t in c.tasks.values() if t.series == "t"]
    assert len(occurrences) == times  # moved, never skipped
    for t in occurrences:
        assert calendar.is_working_day(t.window.due), (t.id, t.window)
        if t.window.start <= c.end:  # a period inside the campaign: its occurrence is not empty
            assert t.window.start <= t.window.due, (t.id, t.window)


# -- every new key round-trips through the writer -------------------------------------------------

_EDGES = st.sampled_from(['"7月底"', '"三季度末"', '"年底"', '"2020-08 end"', '"2020-Q4 start"', '"十月初"',
                          '"@campaign.end"', '"@campaign.start + 3d"'])


@st.composite
def _plans(draw: st.DrawFn) -> str:
    lines = ['format = 1', '[campaign]', 'id = "r"', 'name = "R"', 'start = 2020-07-01', 'end = 2020-12-31',
             f'calendar = "{draw(st.sampled_from(["cn-workdays", "weekdays"]))}"',
             draw(st.sampled_from(["", 'fixed_dates = ["day"]', 'fixed_dates = ["day", "due"]'])),
             '[campaign.dates]', 'day = 2020-10-17', f'due = {draw(_EDGES)}', '[units.a]', 'name = "A"']
    for i in range(draw(st.integers(1, 4))):
        lines += [f"[tasks.t{i}]", f'title = "T{i}"', 'lead = "a"']
        kind = draw(st.sampled_from(["around", "eve", "ledger", "at_least", "edge"]))
        if kind in ("around", "eve"):
            width = draw(st.integers(1, 31))
            target = draw(st.sampled_from(['"@day"', '"@due"', "2020-11-11"]))
            lines.append(f"{kind} = {target}" if draw(st.booleans()) else
                         f'{kind} = {{ date = {target}, width = "{width}d" }}')
        elif kind == "ledger":
            day = draw(st.one_of(st.just('"end"'), st.integers(1, 31).map(str)))
            policy = draw(st.sampled_from(["", ', if_not_working = "next"', ', if_not_working = "keep"']))
            lines.append(f'repeat = {{ every = "{draw(st.sampled_from(["month", "quarter", "week"]))}", '
                         f'times = {draw(st.integers(1, 6))}, day = {day}{policy} }}')
        elif kind == "at_least":
            least = draw(st.integers(1, 3))
            lines.append(f'repeat = {{ every = "month", times = {least + draw(st.integers(0, 2))}, at_least = {least} }}')
        else:
            lines.append(f"due = {draw(_EDGES)}")
        if draw(st.booleans()):
            lines.append(f'venue = "{draw(st.sampled_from(["县红军广场", "区政府三楼会议室", "village hall"]))}"')
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(text=_plans())
def test_plans_with_the_new_keys_round_trip(plugins, text):
    note(text)
    campaign = load_plan(text, plugins=plugins)
    written = to_toml(campaign)
    note(written)
    assert load_plan(written, plugins=plugins) == campaign
    for task in campaign.tasks.values():
        if task.near is not None:
            assert f"{task.near.relation} = " in written
