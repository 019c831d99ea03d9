"""The lanshan-stats-bureau plugin holds the facts of seed document 002 (区统计局扶贫日活动方案)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import networkx as nx
import pytest

from campaignflow.graph import build_graph

CHAIN = """approvals = [
  { by = "household", kind = "consent", within = "1d", doc = { quote = "在征求本户同意的原则下" } },
  { by = "village", kind = "recommend", within = "2d", doc = { quote = "经村、镇推荐" } },
  { by = "township", kind = "recommend", within = "2d", doc = { quote = "经村、镇推荐" } },
]"""


@pytest.fixture(scope="module")
def lanshan(seed_plugin):
    return seed_plugin("lanshan_stats_bureau", module="campaignflow_lanshan_stats_bureau")


@pytest.fixture(scope="module")
def plan(lanshan):
    return lanshan.campaign


def test_plugin_contributes_the_plan(lanshan) -> None:
    assert lanshan.plugins.plans()["lanshan-stats-bureau"].plugin == "lanshan-stats-bureau"
    assert {"LS001", "LS002", "LS003"} <= set(lanshan.plugins.checks())


def test_the_year_is_2016(plan) -> None:
    # "“十三五”脱贫攻坚的开局之年": the first year of the 13th Five-Year Plan
    assert plan.dates["poverty_day"] == date(2016, 10, 17)
    assert plan.dates["activity_start"] == date(2016, 10, 15)
    assert plan.dates["activity_end"] == date(2016, 10, 19)
    assert "2016" in plan.name


def test_hierarchy_district_above_office_and_bureau(plan) -> None:
    assert "district" in set(plan.ancestors("district-fpb"))
    assert list(plan.ancestors("stats-bureau")) == ["district"]
    assert list(plan.ancestors("household")) == ["village", "township", "district"]


def test_activities_per_section(plan) -> None:
    per_section = Counter(t.section for t in plan.tasks.values())
    assert per_section == {
        "三(一)": 1, "三(二)": 2, "三(三)": 1, "三(四)": 1,
        "三(五)1": 1, "三(五)2": 1, "三(五)3": 1, "三(五)4": 1,
        "三(六)": 2, "三(七)": 2, "三(八)": 1,
        "四(一)": 1, "四(二)": 1, "四(三)": 1,
    }


def test_unit_plan_due_september_30_noon_sent_to_the_district_office(plan) -> None:
    # 报区扶贫办: delivered to and received by the office, not approved by it.
    task = plan.tasks["bureau-plan"]
    assert task.lead == "stats-bureau"
    assert task.window.due == datetime(2016, 9, 30, 12, 0)
    assert task.approvals == ()
    assert [(r.to, r.due) for r in task.reports_to] == [(("district-fpb",), datetime(2016, 9, 30, 12, 0))]


def test_summary_goes_to_the_district_office_by_october_24(plan) -> None:
    task = plan.tasks["summary"]
    assert [(r.to, r.due) for r in task.reports_to] == [(("district-fpb",), date(2016, 10, 24))]


def test_fund_drive_asks_the_bureaus_staff_and_society(lanshan, plan) -> None:
    drive = plan.tasks["fund-drive"]
    assert plan.expand(drive.solicits) == ("stats-staff", "society")
    assert "stats-bureau" in plan.ancestors("stats-staff")
    cf403 = [f for f in lanshan.findings() if f.code == "CF403"]
    assert [f.tasks for f in cf403] == [("fund-drive",)]
    assert "stats-staff" in cf403[0].units


def test_quotes_are_verbatim(lanshan) -> None:
    document = (lanshan.dir / "document.txt").read_text(encoding="utf-8")
    for quote in lanshan.quotes():
        for piece in quote.split("……"):
            assert piece in document, piece


def test_every_activity_waits_for_the_plan(lanshan, plan) -> None:
    waiting = nx.descendants(build_graph(plan), "bureau-plan")
    for task in lanshan.tasks(section="三"):
        assert task.id in waiting, task.id
    assert "LS003" not in lanshan.codes()


def test_the_events_of_october_17(plan) -> None:
    on_the_day = {t.id for t in plan.tasks.values() if t.window.on == date(2016, 10, 17)}
    assert on_the_day == {"briefing", "street-campaign", "fund-ceremony"}
    assert "district-charity" in plan.tasks["fund-ceremony"].partners


def test_dated_activities_lie_in_the_window(lanshan) -> None:
    for task in lanshan.tasks(section="三"):
        w = task.window
        if w.on is not None:
            continue
        if w.start is None and w.due is None:
            assert task.id in {"recommend-households", "photo-exhibition"}
            continue
        assert (w.start, w.due) == (date(2016, 10, 15), date(2016, 10, 19)), task.id


def test_household_consent_then_village_then_township(plan) -> None:
    steps = plan.tasks["recommend-households"].approvals
    assert [(s.by, s.kind) for s in steps] == [
        (("household",), "consent"), (("village",), "recommend"), (("township",), "recommend")]
    publish = plan.tasks["publish-households"]
    assert {d.task for d in publish.after} == {"recommend-households"}


def test_summary_due_october_24_after_every_activity(lanshan, plan) -> None:
    summary = plan.tasks["summary"]
    assert summary.window.due == date(2016, 10, 24)
    led = {t.id for t in lanshan.tasks(section="三") if t.lead == "stats-bureau"} - {"recommend-households"}
    assert {d.task for d in summary.after} == led


def test_every_task_quotes_the_document(plan) -> None:
    document = (Path(plan.source).parent / "document.txt").read_text(encoding="utf-8")
    for task in plan.tasks.values():
        assert task.section and task.doc and task.doc.quote, task.id
        assert task.doc.quote in document, task.id


def test_readme_findings_match_validate(lanshan) -> None:
    assert lanshan.readme_codes() == lanshan.codes()


def test_every_assumption_is_marked_and_explained(lanshan) -> None:
    in_toml, in_readme = lanshan.assumptions()
    assert in_toml and in_toml == in_readme


def test_the_plan_schedules_within_every_deadline(lanshan) -> None:
    from campaignflow.simulate import schedule

    assert schedule(lanshan.campaign).missed == ()


# -- LS001-LS003 on copies of the plan --------------------------------------------------


def _ls_codes(lanshan, path: Path) -> list[str]:
    return sorted(f.code for f in lanshan.findings(lanshan.load(path)) if f.code.startswith("LS"))


def test_ls001_recommendation_without_consent(lanshan, tmp_path: Path) -> None:
    path = lanshan.copy(tmp_path, replace={
        CHAIN: 'approvals = [{ by = "village", kind = "recommend" }, { by = "township", kind = "recommend" }]'})
    assert _ls_codes(lanshan, path) == ["LS001"]


def test_ls002_township_before_village(lanshan, tmp_path: Path) -> None:
    swapped = CHAIN.replace('by = "village"', 'by = "@V@"').replace('by = "township"', 'by = "village"') \
        .replace('by = "@V@"', 'by = "township"')
    path = lanshan.copy(tmp_path, replace={CHAIN: swapped})
    # the township now recommends right after the household (fine: it is above it),
    # then the village, which is below the township: out of order
    assert _ls_codes(lanshan, path) == ["LS002"]


def test_the_rules_leave_other_plans_alone(lanshan, seed_plugin) -> None:
    anhui = seed_plugin("anhui_2020", module="campaignflow_anhui_2020")
    # Anhui's cities have approved plans too, but the plan does not adopt LS003
    assert not {c for c in lanshan.codes(anhui.campaign) if c.startswith("LS")}


def test_ls003_activity_not_waiting_for_the_plan(lanshan, tmp_path: Path) -> None:
    path = lanshan.copy(tmp_path, replace={
        'partners = ["district-charity"]\nafter = ["bureau-plan"]\n': 'partners = ["district-charity"]\n'})
    findings = [f for f in lanshan.findings(lanshan.load(path)) if f.code == "LS003"]
    assert [f.tasks for f in findings] == [("fund-ceremony", "bureau-plan")]
