"""The five plugins say the documents' time words with the format's own: 7月底, 季度, 年底, 前后, 前夕, 按月, 至少, 结束后.

Each test holds a document fact: the words are in the document (verbatim, whitespace aside), the
plan writes them with the matching form (not a date the author worked out), and the loaded
campaign has the window the format documents for that form.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from campaignflow.calendar import campaign_calendar
from campaignflow.model import Near, Repeat

PLUGINS = {
    "anhui": ("anhui_2020", "campaignflow_anhui_2020"),
    "chongqing": ("chongqing_county_2015", "campaignflow_chongqing_2015"),
    "county-social": ("county_social_2020", "campaignflow_county_social_2020"),
    "education": ("education_bureau_2018", "campaignflow_education_bureau_2018"),
    "lanshan": ("lanshan_stats_bureau", "campaignflow_lanshan_stats_bureau"),
}


@pytest.fixture(scope="module")
def seeds(seed_plugin):
    return {name: seed_plugin(d, module=m) for name, (d, m) in PLUGINS.items()}


def _document(plugin) -> str:
    return re.sub(r"\s+", "", (plugin.dir / "document.txt").read_text(encoding="utf-8"))


def _plan(plugin) -> str:
    return plugin.plan_path.read_text(encoding="utf-8")


def _in_document(plugin, *quotes: str) -> None:
    text = _document(plugin)
    for q in quotes:
        assert re.sub(r"\s+", "", q) in text, q


def test_anhui_plans_are_due_at_the_end_of_july(seeds):
    anhui = seeds["anhui"]
    _in_document(anhui, "于7月底前制定2020年扶贫日活动方案并函送省扶贫办")
    assert 'plans_due = "7月底"' in _plan(anhui)
    c = anhui.campaign
    assert c.dates["plans_due"] == date(2020, 7, 31)
    for task in c.tasks.values():
        for sub in task.reports_to:
            if sub.doc is not None and "7月底前" in (sub.doc.quote or ""):
                assert sub.due == date(2020, 7, 31), task.id


def test_anhui_publicity_runs_around_the_day(seeds):
    anhui = seeds["anhui"]
    task = anhui.campaign.tasks["media-coverage"]
    _in_document(anhui, task.doc.quote)
    assert task.doc.quote.startswith("扶贫日前后")
    assert task.near == Near(day=date(2020, 10, 17), relation="around", width=3)
    assert (task.window.start, task.window.due) == (date(2020, 10, 14), date(2020, 10, 20))


def test_chongqing_leaders_visit_around_15_october(seeds):
    cq = seeds["chongqing"]
    task = cq.campaign.tasks["leaders-visits"]
    _in_document(cq, task.doc.quote)
    assert "1015日前后" in task.doc.quote
    assert task.near == Near(day=date(2015, 10, 15), relation="around", width=3)
    assert task.window.start < date(2015, 10, 15) < task.window.due


def test_education_purchases_are_on_the_eve_strictly_before_the_day(seeds):
    edu = seeds["education"]
    tasks = [t for t in edu.campaign.tasks.values() if t.template == "produce-purchase"]
    assert tasks
    for task in tasks:
        _in_document(edu, task.doc.quote)
        assert task.doc.quote.startswith("“扶贫日”前夕")
        assert task.near == Near(day=date(2018, 10, 17), relation="eve", width=3)
        assert task.window.due == date(2018, 10, 16) and task.window.deadline().date() <= date(2018, 10, 17)


def test_lanshan_summary_comes_after_the_activities(seeds):
    ls = seeds["lanshan"]
    task = ls.campaign.tasks["summary"]
    _in_document(ls, task.doc.quote, "10月15日至10月19日")
    assert "活动结束后" in task.doc.quote
    assert task.window.start == date(2016, 10, 20) and task.window.due == date(2016, 10, 24)


def test_county_social_quarters_are_written_as_the_document_names_them(seeds):
    cs = seeds["county-social"]
    plan = _plan(cs)
    for words in ("一季度末", "二季度初", "二季度末", "三季度初", "三季度末", "四季度初", "年底"):
        assert f'"{words}"' in plan
    d = cs.campaign.dates
    assert (d["q1_end"], d["q2_start"], d["q3_end"], d["q4_start"], d["year_end"]) == (
        date(2020, 3, 31), date(2020, 4, 1), date(2020, 9, 30), date(2020, 10, 1), date(2020, 12, 31))


def test_county_social_work_groups_at_least_four_times(seeds):
    cs = seeds["county-social"]
    groups = [t for t in cs.campaign.tasks.values() if t.series == "contact-work-groups"]
    _in_document(cs, groups[0].doc.quote)
    assert "全年至少派出4次" in groups[0].doc.quote
    assert groups[0].repeat == Repeat(every="quarter", times=4, at_least=4)
    assert len(groups) == 4


def test_county_social_progress_ledger_is_monthly_on_working_days(seeds):
    cs = seeds["county-social"]
    c = cs.campaign
    ledger = [t for t in c.tasks.values() if t.series == "progress-ledger"]
    _in_document(cs, ledger[0].doc.quote)
    assert "按月收集" in ledger[0].doc.quote
    assert ledger[0].repeat.day == "end" and ledger[0].repeat.if_not_working == "previous"
    calendar = campaign_calendar(c, cs.plugins)
    assert [t.window.due.month for t in ledger] == list(range(1, 13))  # one in each month, none skipped
    assert all(calendar.is_working_day(t.window.due) for t in ledger)
    # 2020-05-31 is a Sunday and 2020-10-31 a Saturday: the working day before each.
    assert ledger[4].window.due == date(2020, 5, 29) and ledger[9].window.due == date(2020, 10, 30)


@pytest.mark.parametrize("name", list(PLUGINS))
def test_poverty_day_stays_when_an_office_moves_its_start(seeds, name):
    from datetime import timedelta

    from campaignflow.simulate import Scenario

    c = seeds[name].campaign
    assert c.fixed_dates == ("poverty_day",)
    day = c.dates["poverty_day"]
    moved = Scenario(start=c.start + timedelta(days=7)).apply(c)
    assert moved.dates["poverty_day"] == day
    for tid, fields in c.fixed_uses.items():
        if "on" in fields and fields["on"] == "@poverty_day":
            assert moved.tasks[tid].window.on == day, tid
