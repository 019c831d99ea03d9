"""The anhui-2020 plugin holds the facts of seed document 000 (安徽省2020年扶贫日活动方案)."""

from __future__ import annotations

import textwrap
from collections import Counter
from datetime import date
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignflow import validate
from campaignflow.findings import Severity

CITIES = ["合肥市", "淮北市", "亳州市", "宿州市", "蚌埠市", "阜阳市", "淮南市", "滁州市", "六安市", "马鞍山市", "芜湖市",
          "宣城市", "铜陵市", "池州市", "安庆市", "黄山市"]
CATEGORIES = ["总结", "展示", "宣传", "帮扶", "选树"]


@pytest.fixture(scope="module")
def anhui(seed_plugin):
    return seed_plugin("anhui_2020", module="campaignflow_anhui_2020")


@pytest.fixture(scope="module")
def plan(anhui):
    return anhui.campaign


def _written(tasks) -> set[str]:
    # An activity as the plan writes it: a task, or a template (once for all its instances).
    return {t.template or t.id for t in tasks}


# -- the README findings parser every seed test relies on --------------------------------


def test_readme_parser_reads_only_the_findings_section(tmp_path: Path, readme_codes) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(textwrap.dedent("""\
        # Plan
        - `CF101` mentioned in prose, not a finding
        ## 校验结果 / Findings
        - `CF203` (warning) a Saturday
        * `AH001` another bullet style
          - `CF999` nested bullets count too
        Some text with `CF401` inline does not count.
        ### Details
        - `CF202` a subsection of Findings still counts
        ## Next section
        - `CF301` after the section
        """), encoding="utf-8")
    assert readme_codes(readme) == {"CF203", "AH001", "CF999", "CF202"}


def test_readme_parser_requires_a_findings_section(tmp_path: Path, readme_codes) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Plan\n- `CF203` not under a findings heading\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="Findings"):
        readme_codes(readme)


def test_readme_parser_empty_findings_section(tmp_path: Path, readme_codes) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Plan\n## Findings\n- none: validate reports nothing\n", encoding="utf-8")
    assert readme_codes(readme) == set()


# -- the plugin and the campaign ------------------------------------------------------


def test_plugin_contributes_the_plan(anhui) -> None:
    plans = anhui.plugins.plans()
    assert plans["anhui-2020"].path.resolve() == anhui.plan_path.resolve()
    assert plans["anhui-2020"].plugin == "anhui-2020"
    assert {"AH001", "AH002"} <= set(anhui.plugins.checks())


def test_campaign_header(plan) -> None:
    assert plan.id == "anhui-2020"
    assert plan.calendar == "cn-workdays"
    assert plan.issuer == "ah-fpb"
    assert plan.dates["poverty_day"] == date(2020, 10, 17)
    assert plan.dates["plans_due"] == date(2020, 7, 31)      # 7月底前
    assert plan.dates["reports_due"] == date(2020, 10, 22)   # 10月22日前
    assert plan.end == date(2020, 10, 22)


def test_the_sixteen_cities_under_the_province(plan) -> None:
    cities = plan.groups["cities"].units
    assert [plan.units[c].name for c in cities] == CITIES
    assert all(plan.units[c].parent == "ah" and plan.units[c].kind == "city" for c in cities)


def test_hierarchy_province_above_offices_and_cities(plan) -> None:
    for uid in ("ah-fpb", "ah-xcb", "ah-zgjggw", "ah-tsw", "hefei", "huangshan"):
        assert "ah" in set(plan.ancestors(uid)), uid
    assert list(plan.ancestors("ah-fpb")) == ["ah-lgxz", "ah"]


# -- part 三: the 五个一批 activities ----------------------------------------------------


def test_written_activities_per_section(plan) -> None:
    per_section = Counter()
    for name in _written(plan.tasks.values()):
        task = next(t for t in plan.tasks.values() if (t.template or t.id) == name)
        per_section[task.section] += 1
    assert per_section == {
        "三(一)1": 2, "三(一)2": 2,
        "三(二)1": 1, "三(二)2": 2, "三(二)3": 2,
        "三(三)1": 1, "三(三)2": 2, "三(三)3": 3, "三(三)4": 2,
        "三(四)1": 4, "三(四)2": 1,
        "三(五)": 2,
        "四(三)": 4,
    }


@pytest.mark.parametrize("section, category", [("三(一)", "总结"), ("三(二)", "展示"), ("三(三)", "宣传"),
                                               ("三(四)", "帮扶"), ("三(五)", "选树")])
def test_each_batch_is_tagged_with_its_category(anhui, section, category) -> None:
    tasks = anhui.tasks(section=section)
    assert tasks
    assert all(t.tags == (f"五个一批:{category}",) for t in tasks)


@pytest.mark.parametrize("task_id, lead, partners", [
    ("provincial-summary", "ah-fpb", {"cities", "member-units"}),
    ("exchange-meeting", "ah-fpb", {"cities", "member-units"}),
    ("achievement-exhibition", "ah-xcb", {"ah-fpb", "ah-cbjt"}),          # 省委宣传部、省扶贫办、安徽出版集团
    ("fixed-point-exhibition", "ah-zgjggw", {"ah-fpb", "fixed-point-units", "cities"}),
    ("youth-startup-contest", "ah-tsw", {"ah-xcb", "ah-fpb"}),           # 团省委、省委宣传部、省扶贫办
    ("media-coverage", "ah-xcb", {"ah-fpb", "ah-media"}),
    ("speech-contest-final", "ah-xcb", {"ah-fpb"}),
    ("pledge-drive", "ah-zgjggw", {"ah-jygw", "ah-gzw", "ah-fpb", "cities"}),
])
def test_responsible_units(plan, task_id, lead, partners) -> None:
    task = plan.tasks[task_id]
    assert task.lead == lead
    assert set(task.partners) == partners


def test_sms_is_sent_on_the_day_through_the_three_carriers(plan) -> None:
    sms = plan.tasks["day-sms"]
    assert sms.window.on == date(2020, 10, 17)
    assert plan.expand(sms.partners)[:3] == ("ah-cmcc", "ah-unicom", "ah-telecom")


def test_speech_final_before_the_day_after_every_city_contest(plan) -> None:
    final = plan.tasks["speech-contest-final"]
    assert final.window.due == date(2020, 10, 16)
    assert {d.task for d in final.after} == {f"speech-contest@{c}" for c in plan.groups["cities"].units}


def test_youth_contest_after_every_city_nominates(plan) -> None:
    contest = plan.tasks["youth-startup-contest"]
    assert {d.task for d in contest.after} == {f"youth-projects@{c}" for c in plan.groups["cities"].units}


# -- part 四: what every city (and member unit) must do ----------------------------------


CITY_TEMPLATES = ["city-plan", "city-summary", "youth-projects", "speech-contest", "city-publicity", "city-visits",
                  "city-recognition", "city-report"]


@pytest.mark.parametrize("template", CITY_TEMPLATES)
def test_every_city_has_each_city_task(anhui, plan, template) -> None:
    tasks = anhui.tasks(template=template)
    assert sorted(t.lead for t in tasks) == sorted(plan.groups["cities"].units)
    assert all(t.id == f"{template}@{t.lead}" for t in tasks)


def test_city_plans_due_end_of_july_sent_to_the_provincial_office(anhui) -> None:
    # 函送省扶贫办: a submission the office receives, not an approval gating the activities.
    for task in anhui.tasks(template="city-plan") + anhui.tasks(template="member-plan"):
        assert task.window.due == date(2020, 7, 31)
        assert task.approvals == ()
        assert [(r.to, r.due) for r in task.reports_to] == [(("ah-fpb",), date(2020, 7, 31))]
        assert "函送省扶贫办" in task.reports_to[0].doc.quote
    assert "合肥市" in anhui.campaign.tasks["city-plan@hefei"].title


def test_city_activities_wait_for_the_city_plan(anhui) -> None:
    for template in CITY_TEMPLATES[1:-1]:
        for task in anhui.tasks(template=template):
            assert f"city-plan@{task.lead}" in {d.task for d in task.after}, task.id


def test_city_reports_due_october_22_after_all_city_activities(anhui) -> None:
    for task in anhui.tasks(template="city-report"):
        assert task.window.due == date(2020, 10, 22)
        expected = {f"{t}@{task.lead}" for t in CITY_TEMPLATES[1:-1]}
        assert {d.task for d in task.after} == expected


def test_every_situation_report_has_its_recipient(anhui) -> None:
    reports = anhui.tasks(template="city-report") + anhui.tasks(template="member-report")
    assert len(reports) == 16 + len(anhui.campaign.groups["member-units"].units)
    for task in reports:
        assert [(r.to, r.due) for r in task.reports_to] == [(("ah-fpb",), date(2020, 10, 22))], task.id


def test_no_task_is_gated_by_an_approval_the_document_does_not_state(plan) -> None:
    # The document asks for no sign-off anywhere: every approval would be invented.
    assert [t.id for t in plan.tasks.values() if t.approvals] == []


def test_pledge_drive_asks_society_not_the_leads_subordinates(plan) -> None:
    drive = plan.tasks["pledge-drive"]
    asked = plan.expand(drive.solicits)
    assert asked == ("ah-society",)
    for lead in drive.leads:
        assert not set(asked) & {u for u in plan.units if lead in plan.ancestors(u)}
    # The fixed-point units are provincial units, below no working committee.
    for uid in plan.groups["fixed-point-units"].units:
        assert plan.units[uid].parent == "ah"


def test_every_submission_quote_is_verbatim(anhui, plan) -> None:
    document = (Path(plan.source).parent / "document.txt").read_text(encoding="utf-8")
    for quote in anhui.quotes():
        for piece in quote.split("……"):
            assert piece in document, piece


def test_member_units_plan_and_report_too(anhui, plan) -> None:
    members = set(plan.groups["member-units"].units)
    assert members >= {"ah-xcb", "ah-zgjggw", "ah-tsw"}
    for template in ("member-plan", "member-summary", "member-publicity", "member-recognition", "member-report"):
        assert {t.lead for t in anhui.tasks(template=template)} == members


def test_every_task_has_a_section_and_the_documents_words(plan) -> None:
    document = (Path(plan.source).parent / "document.txt").read_text(encoding="utf-8")
    for task in plan.tasks.values():
        assert task.section, task.id
        assert task.doc is not None and task.doc.quote, task.id
        for piece in task.doc.quote.split("……"):
            assert piece in document, (task.id, piece)


# -- the checks: the README's findings, and AH001/AH002 -------------------------------------


def test_readme_findings_match_validate(anhui) -> None:
    assert anhui.readme_codes() == anhui.codes()


def test_every_assumption_is_marked_and_explained(anhui) -> None:
    in_toml, in_readme = anhui.assumptions()
    assert in_toml and in_toml == in_readme


def test_the_plan_schedules_within_every_deadline(anhui) -> None:
    from campaignflow.simulate import schedule

    assert schedule(anhui.campaign).missed == ()


def test_undated_activities_are_reported_against_the_time_limit_rule(anhui, plan) -> None:
    # 四(二) "要明确时限": CF207, configured by the plan, names every task without a deadline.
    assert "CF207" in plan.checks.options
    reported = {t for f in anhui.findings() if f.code == "CF207" for t in f.tasks}
    undated = {t.id for t in plan.tasks.values() if t.window.deadline() is None}
    assert reported == undated and len(undated) > len(plan.tasks) / 2


def test_saturday_sms_is_reported(anhui) -> None:
    cf203 = [f for f in anhui.findings() if f.code == "CF203"]
    assert any("day-sms" in f.tasks for f in cf203)


def test_the_plan_has_every_category(anhui) -> None:
    assert not {"AH001", "AH002"} & anhui.codes()


def test_the_rule_applies_only_to_plans_that_configure_it(anhui, tmp_path: Path) -> None:
    path = anhui.copy(tmp_path, replace={
        'tags = ["五个一批:选树"]': "tags = []",
        '[checks.options.AH001]\ncategories = ["总结", "展示", "宣传", "帮扶", "选树"]': "",
    })
    assert "AH001" not in anhui.codes(anhui.load(path))


def test_ah001_reports_a_missing_category(anhui, tmp_path: Path) -> None:
    # Drop every 选树 task: the plan without part 三(五).
    path = anhui.copy(tmp_path, replace={'tags = ["五个一批:选树"]': "tags = []"})
    findings = [f for f in anhui.findings(anhui.load(path)) if f.code.startswith("AH")]
    assert [f.code for f in findings] == ["AH001"]
    assert "选树" in findings[0].message.en and "选树" in findings[0].message.zh
    assert findings[0].severity is Severity.ERROR


def test_ah002_reports_a_misspelt_category_once_per_written_tag(anhui, tmp_path: Path) -> None:
    path = anhui.copy(tmp_path, edit=lambda s: s.replace('tags = ["五个一批:选树"]', 'tags = ["五个一批:选数"]', 1))
    findings = [f for f in anhui.findings(anhui.load(path)) if f.code == "AH002"]
    assert len(findings) == 1
    assert findings[0].severity is Severity.WARNING
    assert "选数" in findings[0].message.en
    # The other template still carries 选树, so the category is not missing.
    assert "AH001" not in anhui.codes(anhui.load(path))


def test_categories_option_narrows_the_rule(anhui, tmp_path: Path) -> None:
    path = anhui.copy(tmp_path, replace={
        'tags = ["五个一批:选树"]': "tags = []",
        '[checks.options.AH001]\ncategories = ["总结", "展示", "宣传", "帮扶", "选树"]':
            '[checks.options.AH001]\ncategories = ["总结", "展示", "宣传", "帮扶"]',
    })
    assert "AH001" not in anhui.codes(anhui.load(path))


@given(missing=st.sets(st.sampled_from(CATEGORIES)))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_ah001_reports_exactly_the_missing_categories(anhui, plan, missing) -> None:
    stripped = {tid: attrs.evolve(t, tags=tuple(g for g in t.tags if g.removeprefix("五个一批:") not in missing))
                for tid, t in plan.tasks.items()}
    campaign = attrs.evolve(plan, tasks=stripped)
    findings = validate(campaign, plugins=anhui.plugins, select=["AH"])
    reported = {c for f in findings for c in CATEGORIES if f"'{c}'" in f.message.en}
    assert [f.code for f in findings] == ["AH001"] * len(missing)
    assert reported == missing
