"""Time words of the documents: period edges (月底, 三季度末, 年底), 前后, 前夕, the campaign's window, venue."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignflow.load import load_plan
from campaignflow.load.dates import parse_period_edge
from campaignflow.model import Near, Window

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
    return re.search(r"```toml\n(.*?)```", section, re.S).group(1)


def test_the_period_edges_example_means_what_the_page_says(load):
    c = load(_example("**Period edges**"))
    assert c.dates == {"plans_due": date(2020, 7, 31), "q3_start": date(2020, 7, 1), "year_end": date(2020, 12, 31)}
    summary = c.tasks["summary"]
    assert summary.window == Window(start=date(2020, 10, 1), due=date(2020, 12, 31))


def test_the_around_and_eve_example_means_what_the_page_says(load):
    c = load(_example("### Around a day, the eve of a day"))
    day = date(2018, 10, 17)
    visits, publicity = c.tasks["visits"], c.tasks["publicity"]
    assert visits.window == Window(start=date(2018, 10, 14), due=date(2018, 10, 16))
    assert visits.near == Near(day=day, relation="eve", width=3)
    # 前夕 is strictly before: the deadline is the end of the day before.
    assert visits.window.deadline() <= visits.window.earliest().replace(day=17)
    assert publicity.window == Window(start=date(2018, 10, 10), due=date(2018, 10, 24))
    assert publicity.venue == "县红军广场"


@pytest.mark.parametrize(("text", "year", "day"), [
    ("2020-07 end", None, date(2020, 7, 31)), ("2020-02 end", None, date(2020, 2, 29)),
    ("2021-02 end", None, date(2021, 2, 28)), ("2020-Q3 start", None, date(2020, 7, 1)),
    ("2020-q4 end", None, date(2020, 12, 31)), ("2020 start", None, date(2020, 1, 1)),
    ("7月底", 2020, date(2020, 7, 31)), ("7月底前", 2020, date(2020, 7, 31)), ("七月末", 2015, date(2015, 7, 31)),
    ("十二月底", 2020, date(2020, 12, 31)), ("十一月初", 2020, date(2020, 11, 1)),
    ("三季度末", 2020, date(2020, 9, 30)), ("第一季度初", 2020, date(2020, 1, 1)),
    ("2019年4季度末", 2020, date(2019, 12, 31)), ("年底", 2020, date(2020, 12, 31)), ("年终", 2018, date(2018, 12, 31)),
    ("2021年初", 2020, date(2021, 1, 1)),
])
def test_period_edges_name_their_day(text, year, day):
    assert parse_period_edge(text, year) == day


@pytest.mark.parametrize("text", ["二季度前", "2020年", "7月", "2020-07", "end", "年底后"])
def test_other_words_are_no_period_edge(text):
    assert parse_period_edge(text, 2020) is None


@given(st.integers(1900, 2100), st.integers(1, 12))
def test_a_month_ends_the_day_before_the_next_one_starts(year, month):
    end = parse_period_edge(f"{year}-{month:02d} end", None)
    nxt = parse_period_edge(f"{year + month // 12}-{month % 12 + 1:02d} start", None)
    assert end + timedelta(days=1) == nxt
    assert parse_period_edge(f"{year}年{month}月底", None) == end == parse_period_edge(f"{month}月底", year)


@pytest.mark.parametrize(("due", "code", "words"), [
    ('"13月底"', "bad-date", "no month 13"), ('"2020-13 end"', "bad-date", "no month 13"),
    ('"7月初前"', "bad-date", "前"),
])
def test_edges_that_name_no_day_are_located(problems, only, due, code, words):
    found = only(problems(HEADER + f'[units.a]\nname = "A"\n[tasks.t]\ntitle = "T"\nlead = "a"\ndue = {due}\n'), code)
    assert found.location.key_path == "tasks.t.due" and found.location.line == 12
    assert words in found.message.en and found.message.zh


def test_a_chinese_edge_needs_the_campaign_year(problems, only):
    text = HEADER.replace("start = 2020-07-01", 'start = "@kickoff"').replace(
        'end = 2020-12-31', 'end = 2020-12-31\n[campaign.dates]\nkickoff = 2020-07-01\ndue = "7月底"')
    found = only(problems(text), "bad-date")
    assert found.location.key_path == "campaign.dates.due" and "year" in found.message.en


def test_the_campaign_window_is_a_named_date_for_tasks(load):
    c = load(HEADER + '[units.a]\nname = "A"\n[tasks.t]\ntitle = "活动结束后总结"\nlead = "a"\n'
                      'start = "@campaign.end + 1d"\ndue = "@campaign.end + 10d"\n[tasks.u]\ntitle = "U"\n'
                      'lead = "a"\non = "@campaign.start"\n')
    assert c.tasks["t"].window == Window(start=date(2021, 1, 1), due=date(2021, 1, 10))
    assert c.tasks["u"].window.on == date(2020, 7, 1)
    assert "campaign.end" not in c.dates  # not a date of the plan: the writer does not write it


def test_a_misspelled_campaign_date_gets_a_suggestion(problems, only):
    found = only(problems(HEADER + '[units.a]\nname = "A"\n[tasks.t]\ntitle = "T"\nlead = "a"\ndue = "@campaign.edn"\n'),
                 "unknown-date")
    assert found.hint is not None and "campaign.end" in found.hint.en


TASK = HEADER + '[campaign.dates]\nday = 2020-10-17\n[units.a]\nname = "A"\n[tasks.t]\ntitle = "T"\nlead = "a"\n'


@pytest.mark.parametrize(("line", "window"), [
    ('around = "@day"', Window(start=date(2020, 10, 14), due=date(2020, 10, 20))),
    ('around = { date = "@day", width = "0d" }', Window(start=date(2020, 10, 17), due=date(2020, 10, 17))),
    ('eve = { date = 2020-10-17T09:00, width = "1天" }', Window(start=date(2020, 10, 16), due=date(2020, 10, 16))),
])
def test_around_and_eve_give_the_window(load, line, window):
    assert load(TASK + line + "\n").tasks["t"].window == window


@pytest.mark.parametrize(("line", "code", "path"), [
    ('around = { date = "@day", widht = "2d" }', "unknown-key", "tasks.t.around.widht"),
    ('eve = { date = "@day", width = "0d" }', "wrong-type", "tasks.t.eve.width"),
    ('around = { date = "@day", width = 3 }', "wrong-type", "tasks.t.around.width"),
    ('around = { width = "3d" }', "missing-key", "tasks.t.around"),
    ('around = "@dayy"', "unknown-date", "tasks.t.around"),
    ('around = "@day"\ndue = "@day"', "conflicting-keys", "tasks.t.around"),
    ('eve = "@day"\nrepeat = { every = "month", times = 2 }', "conflicting-keys", "tasks.t.eve"),
    ('arround = "@day"', "unknown-key", "tasks.t.arround"),
    ('venu = "广场"', "unknown-key", "tasks.t.venu"),
    ('venue = 3', "wrong-type", "tasks.t.venue"),
])
def test_wrong_around_eve_and_venue_are_located(problems, only, line, code, path):
    found = only(problems(TASK + line + "\n"), code)
    assert found.location.key_path == path and found.location.line is not None
    if code == "unknown-key" or code == "unknown-date":
        assert found.hint is not None, found.format()


def test_cf203_does_not_report_the_edge_of_an_around_window(plugins):
    from campaignflow.checks import run_checks

    text = TASK.replace('start = 2020-07-01', 'start = 2020-07-01\ncalendar = "cn-workdays"')
    # 2020-10-17 + 1d is a Sunday: as `due` it is CF203's, as the edge of 前后 it is not.
    written = load_plan(text + 'due = "@day + 1d"\n', plugins=plugins)
    around = load_plan(text + 'around = { date = "@day", width = "1d" }\n', plugins=plugins)
    assert written.tasks["t"].window.due == around.tasks["t"].window.due
    assert [f.code for f in run_checks(written, plugins=plugins) if f.code == "CF203"] == ["CF203"]
    assert [f.code for f in run_checks(around, plugins=plugins) if f.code == "CF203"] == []
