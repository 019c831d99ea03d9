"""The chongqing-county-2015 plugin holds the facts of seed document 001 (a Chongqing county, 2015)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignflow import validate
from campaignflow.findings import Severity
from campaignflow.model import Task

MUTUAL = """
[tasks.jia-asks-yi]
title = "甲镇向乙镇募捐"
lead = "town-jia"
solicits = ["town-yi"]

[tasks.yi-asks-jia]
title = "乙镇向甲镇募捐"
lead = "town-yi"
solicits = ["town-jia"]
"""

PAIR_JIA_YI = """
[[pairings]]
a = "town-jia"
b = "town-yi"
kind = "对口帮扶"
"""


@pytest.fixture(scope="module")
def chongqing(seed_plugin):
    return seed_plugin("chongqing_county_2015", module="campaignflow_chongqing_2015")


@pytest.fixture(scope="module")
def plan(chongqing):
    return chongqing.campaign


def test_plugin_contributes_the_plan(chongqing) -> None:
    assert chongqing.plugins.plans()["chongqing-county-2015"].plugin == "chongqing-county-2015"
    assert {"CQ001", "CQ002"} <= set(chongqing.plugins.checks())


def test_campaign_dates_restore_the_lost_characters(plan) -> None:
    assert plan.dates["poverty_day"] == date(2015, 10, 17)     # "今年的1017"
    assert plan.dates["leaders_visit"] == date(2015, 10, 15)   # "1015日前后"
    assert plan.calendar == "cn-workdays"
    assert plan.start <= date(2015, 10, 15) and plan.end >= date(2015, 10, 17)


def test_the_seven_activities_and_the_organisation(plan) -> None:
    per_section = Counter()
    for name in {t.template or t.id for t in plan.tasks.values()}:
        task = next(t for t in plan.tasks.values() if (t.template or t.id) == name)
        per_section[task.section] += 1
    assert per_section == {
        "二(一)": 5, "二(二)": 2, "二(三)": 2, "二(四)": 1, "二(五)": 1, "二(六)": 1, "二(七)": 1,
        "三(一)": 3, "三(三)": 1, "三(四)": 1,
    }


def test_every_drive_says_whom_it_asks(plan) -> None:
    # 二(一): staff asked by their own unit, residents by their township, the public by volunteers
    # and by the townships' own drives (三(一)), apart from the ceremonies.
    for task in plan.tasks.values():
        if task.template == "staff-donation":
            assert task.solicits == (f"{task.lead}-staff",) and plan.units[f"{task.lead}-staff"].parent == task.lead
        if task.template == "resident-donation":
            assert task.solicits == (f"{task.lead}-residents",)
        if task.template == "township-drive":
            assert task.solicits == ("public",) and "发倡议书" in task.doc.quote
        if task.template == "township-ceremony":
            assert not task.solicits and "募集款物" not in task.tags
    assert plan.tasks["volunteer-fundraising"].solicits == ("public",)
    drives = [t for t in plan.tasks.values() if "募集款物" in t.tags and t.kind != "donation"]
    assert all(t.solicits for t in drives)


def test_staff_drives_are_reported_as_asking_subordinates(seed_plugin) -> None:
    plugin = seed_plugin("chongqing_county_2015", module="campaignflow_chongqing_2015")
    cf403 = [f for f in plugin.findings() if f.code == "CF403"]
    asked = {t for f in cf403 for t in f.tasks}
    assert {t for t in asked if t.startswith("staff-donation@")} == {
        t.id for t in plugin.campaign.tasks.values() if t.template == "staff-donation"}


def test_leaders_visit_around_october_15(plan) -> None:
    visit = plan.tasks["leaders-visits"]
    assert visit.lead == "county"
    assert visit.window.start < date(2015, 10, 15) < visit.window.due


def test_a_ceremony_in_every_township_by_october_17(chongqing, plan) -> None:
    townships = plan.groups["townships"].units
    assert len(townships) == 6 and all(plan.units[t].kind == "township" for t in townships)
    ceremonies = chongqing.tasks(template="township-ceremony")
    assert sorted(t.lead for t in ceremonies) == sorted(townships)
    for task in ceremonies:
        assert task.window.due == date(2015, 10, 17)
        assert {d.task for d in task.after} == {f"township-plan@{task.lead}"}
        assert plan.units[task.lead].name in task.title


def test_sector_support_by_every_department(chongqing, plan) -> None:
    departments = set(plan.groups["departments"].units)
    assert {"county-audit", "county-fpb"} <= departments
    assert {t.lead for t in chongqing.tasks(template="industry-support")} == departments


def test_the_solicitation_rule_is_configured(plan) -> None:
    assert plan.checks.options_for("CF401")["exempt_pairings"] is True
    paired = {(p.a, p.b) for p in plan.pairings}
    # every township has its 对口帮扶 department
    assert {a for a, _ in paired} == set(plan.groups["townships"].units)
    assert all(plan.units[b].kind == "department" for _, b in paired)


def test_the_audit_follows_every_drive(chongqing, plan) -> None:
    audit = plan.tasks["fund-audit"]
    assert audit.lead == "county-audit" and audit.kind == "audit"
    drives = {t.id for t in plan.tasks.values() if "募集款物" in t.tags or t.solicits}
    assert len(drives) > 10
    assert drives <= {d.task for d in audit.after}


def test_readme_findings_match_validate(chongqing) -> None:
    assert chongqing.readme_codes() == chongqing.codes()


def test_every_assumption_is_marked_and_explained(chongqing) -> None:
    in_toml, in_readme = chongqing.assumptions()
    assert in_toml and in_toml == in_readme


def test_the_plan_schedules_within_every_deadline(chongqing) -> None:
    from campaignflow.simulate import schedule

    assert schedule(chongqing.campaign).missed == ()


def test_ceremonies_due_on_a_saturday_are_reported(chongqing) -> None:
    cf203 = {t for f in chongqing.findings() if f.code == "CF203" for t in f.tasks}
    assert any(t.startswith("township-ceremony@") for t in cf203)


# -- the mutual-solicitation rule, on copies of the plan ---------------------------------


def _codes(chongqing, path: Path) -> Counter:
    return Counter(f.code for f in chongqing.findings(chongqing.load(path)))


def test_two_townships_soliciting_each_other_is_cf401(chongqing, tmp_path: Path) -> None:
    codes = _codes(chongqing, chongqing.copy(tmp_path, append=MUTUAL))
    assert codes["CF401"] >= 1
    assert codes["CQ002"] == 2          # each direction breaks the stricter reading too


def test_paired_townships_may_solicit_each_other(chongqing, tmp_path: Path) -> None:
    codes = _codes(chongqing, chongqing.copy(tmp_path, append=MUTUAL + PAIR_JIA_YI))
    assert codes["CF401"] == 0
    assert codes["CQ002"] == 0


def test_pairing_without_the_exemption_is_still_cf401(chongqing, tmp_path: Path) -> None:
    path = chongqing.copy(tmp_path, append=MUTUAL + PAIR_JIA_YI,
                          replace={"exempt_pairings = true": "exempt_pairings = false"})
    assert _codes(chongqing, path)["CF401"] >= 1


def test_one_way_solicitation_is_cq002_only(chongqing, tmp_path: Path) -> None:
    path = chongqing.copy(tmp_path, append="""
[tasks.jia-asks-departments]
title = "甲镇向各部门募捐"
lead = "town-jia"
solicits = ["departments"]
""")
    findings = [f for f in chongqing.findings(chongqing.load(path)) if f.code in ("CF401", "CQ002")]
    assert [f.code for f in findings] == ["CQ002"]
    # its paired department (县科委) is allowed; every other department is named
    assert "county-kw" not in findings[0].units
    assert "county-audit" in findings[0].units
    assert findings[0].severity is Severity.ERROR


def test_the_rules_leave_other_plans_alone(chongqing, seed_plugin) -> None:
    anhui = seed_plugin("anhui_2020", module="campaignflow_anhui_2020")
    # Anhui has an unaudited pledge drive, but its plan does not adopt CQ001
    assert not {c for c in chongqing.codes(anhui.campaign) if c.startswith("CQ")}


def test_a_drive_without_audit_is_cq001(chongqing, tmp_path: Path) -> None:
    path = chongqing.copy(tmp_path, append="""
[tasks.extra-drive]
title = "另行组织募捐"
lead = "county-lgxz"
tags = ["募集款物"]
""")
    findings = [f for f in chongqing.findings(chongqing.load(path)) if f.code == "CQ001"]
    assert [f.tasks for f in findings] == [("extra-drive",)]


def test_no_audit_task_at_all_reports_every_drive(chongqing, tmp_path: Path) -> None:
    path = chongqing.copy(tmp_path, replace={'kind = "audit"': 'kind = "review"'})
    findings = [f for f in chongqing.findings(chongqing.load(path)) if f.code == "CQ001"]
    # one finding per drive as written: templates once
    assert len(findings) == 8
    assert all("no audit task" in f.message.en for f in findings)


# -- CQ002 against the rule itself, on random solicitations ------------------------------


def _expected_cq002(plan, lead: str, target: str) -> bool:
    kinds = (plan.units[lead].kind, plan.units[target].kind)
    forbidden = kinds in {("township", "township"), ("township", "department"), ("department", "township")}
    paired = any({lead, target} == {p.a, p.b} for p in plan.pairings)
    return lead != target and forbidden and not paired


@given(data=st.data())
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_cq002_reports_exactly_the_forbidden_solicitations(chongqing, plan, data) -> None:
    candidates = sorted(set(plan.groups["county-units"].units) | {"county", "private-enterprises", "charities"})
    drives = data.draw(st.lists(st.tuples(st.sampled_from(candidates), st.sampled_from(candidates)), max_size=8))
    extra = {f"drive-{i}": Task(id=f"drive-{i}", title="募捐", lead=a, solicits=(b,)) for i, (a, b) in enumerate(drives)}
    campaign = attrs.evolve(plan, tasks={**plan.tasks, **extra})
    found = {f.tasks[0] for f in validate(campaign, plugins=chongqing.plugins, select=["CQ002"])}
    assert found == {tid for tid, t in extra.items() if _expected_cq002(plan, t.lead, t.solicits[0])}
