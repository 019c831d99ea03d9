"""The education bureau's 2018 Poverty Alleviation Day plan (plugins/education_bureau_2018) against its document."""

from __future__ import annotations

import re
import tomllib
from datetime import date

import pytest

DIR = "education_bureau_2018"
MODULE = "campaignflow_education_bureau_2018"

# 二、活动内容: the four activities, and the templates (one per sentence addressed to a kind of unit).
_ACTIVITIES = {
    "二(一)": ("开展扶贫走访调研", {"survey", "rectification", "fixed-point-research", "household-income"}),
    "二(二)": ("开展脱贫攻坚宣传", {"publicity", "class-meeting"}),
    "二(三)": ("开展精准扶贫活动", {"vanguard", "produce-purchase", "vocational-training"}),
    "二(四)": ("开展爱心公益活动", {"charity", "enlightenment-lesson"}),
}
_SCHOOL_TEMPLATES = ("publicity", "class-meeting", "charity")


@pytest.fixture(scope="module")
def plugin(seed_plugin):
    return seed_plugin(DIR, module=MODULE)


@pytest.fixture(scope="module")
def campaign(plugin):
    return plugin.campaign


@pytest.fixture(scope="module")
def document(plugin) -> str:
    return re.sub(r"\s+", "", (plugin.dir / "document.txt").read_text(encoding="utf-8"))


def _templates(campaign, section):
    return {t.template for t in campaign.tasks.values() if t.section == section and t.template}


def _instances(campaign, template):
    return {t.template_unit: t for t in campaign.tasks.values() if t.template == template}


# -- the plugin as a plugin ---------------------------------------------------------------------


def test_listed_as_a_plan(plugin):
    ref = plugin.plugins.plans()["education-bureau-2018"]
    assert ref.path.resolve() == plugin.plan_path.resolve()


def test_python_part_registers_its_check(plugin):
    assert [cls.code for cls in plugin.module.campaignflow_register_checks()] == ["ED001"]
    assert "ED001" in plugin.plugins.checks()
    meta = tomllib.loads((plugin.dir / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["entry-points"]["campaignflow"] == {"education-bureau-2018-rules": MODULE}


def test_readme_findings_match_validate(plugin):
    assert plugin.readme_codes() == plugin.codes()


# -- faithful to the document -------------------------------------------------------------------


def test_every_quote_is_the_documents_own_words(plugin, document):
    quotes = plugin.quotes()
    assert len(quotes) > 25
    assert [q for q in quotes if re.sub(r"\s+", "", q) not in document] == []


def test_every_task_quotes_the_document(campaign):
    assert all(t.doc is not None and t.doc.quote for t in campaign.tasks.values())


def test_units_are_the_documents_or_marked_examples(campaign, document):
    for unit in campaign.units.values():
        marked = unit.doc is not None and "EXAMPLE" in (unit.doc.note or "")
        assert unit.name in document or marked, unit.id
    examples = [u.id for u in campaign.units.values() if u.doc and "EXAMPLE" in (u.doc.note or "")]
    assert all(u.startswith("example-") or u == "supported-village" for u in examples)


def test_campaign_around_the_fifth_poverty_day(campaign, document):
    assert "2018年10月17日,是我国第5个“扶贫日”" in document
    assert campaign.dates["poverty_day"] == date(2018, 10, 17)
    assert campaign.issuer == "edu-bureau" and campaign.units["edu-bureau"].name == "市教育局"
    assert campaign.calendar == "cn-workdays"
    assert campaign.end == date(2018, 10, 20)


@pytest.mark.parametrize("section", sorted(_ACTIVITIES))
def test_the_four_activities(campaign, document, section):
    heading, templates = _ACTIVITIES[section]
    assert f"{section[1:]}{heading}" in document
    assert _templates(campaign, section) == templates
    for task in campaign.tasks.values():
        if task.section == section:
            assert "扶贫日活动" in task.tags


def test_templates_expand_once_per_member(campaign):
    groups = {"survey": "county-edu-depts", "household-income": "edu-agencies", "publicity": "all-edu-units",
              "class-meeting": "primary-secondary-schools", "vocational-training": "vocational-schools",
              "school-summary": "city-schools", "county-report": "county-edu-depts",
              "enlightenment-lesson": "urban-schools", "county-school-report": "county-schools"}
    for template, group in groups.items():
        assert set(_instances(campaign, template)) == set(campaign.members(group)), template
    assert len(campaign.members("county-edu-depts")) == 2
    assert set(campaign.members("edu-agencies")) == {"edu-bureau", *campaign.members("county-edu-depts")}


def test_what_every_school_does(campaign):
    schools = campaign.members("primary-secondary-schools")
    assert len(schools) == 4 and "example-vocational-school" not in schools
    for school in schools:
        for template in _SCHOOL_TEMPLATES:
            task = _instances(campaign, template)[school]
            assert task.lead == school
            assert campaign.units[school].name in task.title
    # The urban schools give the lessons, the schools under the city bureau send their summaries
    # to the party office; a county's school reports to its county department.
    urban, city = campaign.members("urban-schools"), campaign.members("city-schools")
    assert set(_instances(campaign, "enlightenment-lesson")) == set(urban)
    assert set(_instances(campaign, "school-summary")) == set(city)
    assert set(urban) < set(schools) and "example-county-school" not in urban + city
    [report] = _instances(campaign, "county-school-report").values()
    assert report.reports_to[0].to == ("example-county-edu",)
    charity = _instances(campaign, "charity")
    assert all(t.partners == ("post-office",) for t in charity.values())


def test_summaries_due_october_20_to_the_party_office(campaign):
    summaries = [t for t in campaign.tasks.values() if t.template in ("school-summary", "vocational-summary")]
    assert {t.lead for t in summaries} == set(campaign.expand(("city-schools", "vocational-schools")))
    for task in summaries:
        assert task.window.due == date(2018, 10, 20)
        # 报: sent to the party office, which receives it; nothing waits for a sign-off.
        assert task.approvals == ()
        assert [(r.to, r.due) for r in task.reports_to] == [(("edu-party-office",), date(2018, 10, 20))]
    assert date(2018, 10, 20).weekday() == 5  # a Saturday: CF203 tells the author


def test_eve_of_the_day(campaign):
    for task in _instances(campaign, "produce-purchase").values():
        assert task.window.due == date(2018, 10, 16)


def test_happy_sunday_has_no_made_up_date(campaign, plugin):
    task = campaign.tasks["happy-sunday"]
    assert task.window.on is None and task.window.due == campaign.dates["poverty_day"]
    assert not [f for f in plugin.findings() if f.code == "CF203" and "happy-sunday" in f.tasks]


def test_reports_name_their_recipients(campaign):
    for task in campaign.tasks.values():
        if task.template == "county-report":
            assert [r.to for r in task.reports_to] == [("edu-bureau",)]
    assert [r.to for r in campaign.tasks["bureau-report"].reports_to] == [("city-fpo",)]
    assert all(t.reports_to for t in campaign.tasks.values() if t.kind == "report")


def test_every_activity_unit_reports(campaign, plugin):
    predecessors = plugin.module.predecessors
    reports = {}
    for task in campaign.tasks.values():
        if "及时上报" in task.tags:
            reports.setdefault(task.lead, set()).update(predecessors(campaign.tasks, task.id))
    for task in campaign.tasks.values():
        if "扶贫日活动" in task.tags:
            assert task.id in reports.get(task.lead, set()), task.id


def test_fixed_point_pairing(campaign):
    [pairing] = campaign.pairings
    assert (pairing.a, pairing.b, pairing.kind) == ("edu-agencies", "supported-village", "fixed-point")


# -- the plugin's check --------------------------------------------------------------------------


def test_ed001_reports_an_activity_left_out_of_a_report(plugin, tmp_path):
    plan = plugin.copy(tmp_path, replace={
        'after = ["publicity@{unit}", "class-meeting@{unit}", "charity@{unit}", "enlightenment-lesson@{unit}"]':
        'after = ["publicity@{unit}", "charity@{unit}", "enlightenment-lesson@{unit}"]'})
    campaign = plugin.load(plan)
    found = [f for f in plugin.findings(campaign) if f.code == "ED001"]
    assert len(found) == 1  # one finding for the template, not one per school
    [finding] = found
    assert finding.location.key_path == "templates.school-summary.task.after"
    assert {t for t in finding.tasks if t.startswith("class-meeting@")} == {
        f"class-meeting@{s}" for s in campaign.members("city-schools")}


def test_ed001_reports_a_unit_without_a_report(plugin, tmp_path):
    plan = plugin.copy(tmp_path, replace={'"happy-sunday"]\ntags = ["及时上报"]': '"happy-sunday"]\ntags = []'})
    [finding] = [f for f in plugin.findings(plugin.load(plan)) if f.code == "ED001"]
    assert finding.units == ("edu-bureau",)
    assert "happy-sunday" in finding.tasks


def test_ed001_runs_only_on_plans_that_configure_it(plugin, tmp_path):
    plan = plugin.copy(tmp_path, replace={"[checks.options.ED001]": "[checks.options.XX001]"},
                       edit=lambda text: text.replace('"happy-sunday"]\ntags = ["及时上报"]', '"happy-sunday"]\ntags = []'))
    assert "ED001" not in plugin.codes(plugin.load(plan))


def test_ed001_leaves_the_other_seed_plans_alone(plugin):
    others = [p for p in sorted(plugin.dir.parent.glob("*/plan.toml")) if p.parent != plugin.dir]
    assert others
    for path in others:
        assert "ED001" not in plugin.codes(plugin.load(path)), path
