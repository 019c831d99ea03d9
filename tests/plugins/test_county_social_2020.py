"""The county's 2020 social poverty-alleviation plan (plugins/county_social_2020) against its document."""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

DIR = "county_social_2020"
MODULE = "campaignflow_county_social_2020"

# 牵头单位 / 责任单位 of each item of 三, as the document writes them.
_ITEMS = {
    "三(一)1": ("县脱贫攻坚领导小组办公室",
               "县委办、县人大、县政府办、县政协、县委统战部、县总工会、人民银行、扶贫开发局"),
    "三(一)2": ("县委组织部",
               "县脱贫攻坚领导小组办公室、县政府办、县委老干局、县总工会、县纪委、县防灾减灾局、县农牧农村和科技局"),
    "三(二)": ("发改局", "政府办、脱贫攻坚领导小组办公室、县扶贫开发局、县住房和城乡建设局"),
    "三(三)": ("发改局", "县委组织部、县脱贫攻坚领导小组办公室、县人社局、县文化广播影视和旅游局、县扶贫开发局、农牧农村和科技局"),
    "三(四)": ("县工商联", "县政府办、县扶贫开发局、县人社局、县经信局"),
    "三(五)1": ("县人力资源社会保障局", "各乡(镇)"),
    "三(五)2": ("县扶贫开发局", "各乡镇、县人社局"),
    "三(五)3": ("县扶贫开发局", "全县各单位"),
    "三(五)4": ("县扶贫开发局", "全县各单位"),
    "三(五)5": ("县扶贫开发局", "县教育体育局、县人力资源社会保障局、县财政局"),
}

# The document's shorter names for units the plan names in full (README: assumptions).
_ALIASES = {
    "政府办": "县政府办", "脱贫攻坚领导小组办公室": "县脱贫攻坚领导小组办公室", "扶贫开发局": "县扶贫开发局",
    "县人社局": "县人力资源社会保障局", "农牧农村和科技局": "县农牧农村和科技局", "各乡镇": "各乡(镇)",
}


@pytest.fixture(scope="module")
def plugin(seed_plugin):
    return seed_plugin(DIR, module=MODULE)


@pytest.fixture(scope="module")
def campaign(plugin):
    return plugin.campaign


@pytest.fixture(scope="module")
def document(plugin) -> str:
    return re.sub(r"\s+", "", (plugin.dir / "document.txt").read_text(encoding="utf-8"))


def _section(campaign, section):
    return [t for t in campaign.tasks.values() if t.section == section]


def _name(campaign, ref):
    return campaign.units[ref].name if ref in campaign.units else campaign.groups[ref].name


# -- the plugin as a plugin ---------------------------------------------------------------------


def test_listed_as_a_plan(plugin):
    ref = plugin.plugins.plans()["county-social-2020"]
    assert ref.path.resolve() == plugin.plan_path.resolve()
    assert ref.plugin == "county-social-2020"


def test_python_part_registers_its_checks(plugin):
    codes = {cls.code for cls in plugin.module.campaignflow_register_checks()}
    assert codes == {"CS001", "CS002"}
    assert codes <= set(plugin.plugins.checks())
    # the entry point's name must differ from the TOML plugin's, or one would hide the other
    meta = tomllib.loads((plugin.dir / "pyproject.toml").read_text(encoding="utf-8"))
    eps = meta["project"]["entry-points"]["campaignflow"]
    assert eps == {"county-social-2020-rules": MODULE}


def test_readme_findings_match_validate(plugin):
    assert plugin.readme_codes() == plugin.codes()


def test_no_error_findings(plugin):
    assert [f for f in plugin.findings() if str(f.severity) == "error"] == []


# -- faithful to the document -------------------------------------------------------------------


def test_every_quote_is_the_documents_own_words(plugin, document):
    quotes = plugin.quotes()
    assert len(quotes) > 40
    missing = [q for q in quotes if re.sub(r"\s+", "", q) not in document]
    assert missing == []


def test_every_task_quotes_the_document(campaign):
    assert all(t.doc is not None and t.doc.quote for t in campaign.tasks.values())


def test_every_unit_is_named_as_the_document_names_it(campaign, document):
    assert [u.name for u in campaign.units.values() if u.name not in document] == []


def test_campaign_is_the_year_2020_on_the_official_calendar(campaign):
    assert (campaign.start, campaign.end) == (date(2020, 1, 1), date(2020, 12, 31))
    assert campaign.calendar == "cn-workdays"
    assert campaign.issuer == "county-lgo"


@pytest.mark.parametrize("section", sorted(_ITEMS))
def test_leads_and_responsible_units(campaign, section, document):
    lead_name, partners_text = _ITEMS[section]
    assert f"牵头单位:{lead_name}" in document
    tasks = _section(campaign, section)
    assert tasks
    assert {campaign.units[t.lead].name for t in tasks} == {lead_name}
    expected = {_ALIASES.get(n, n) for n in partners_text.split("、")}
    for task in tasks:
        named = {_name(campaign, p) for p in task.partners}
        assert expected <= named, (task.id, expected - named)


def test_stages_per_section(campaign):
    # One task per stage of each item's 进度安排 (plus the work it names without a stage).
    counts = {s: len({t.series for t in _section(campaign, s)}) for s in _ITEMS}
    assert counts == {"三(一)1": 3, "三(一)2": 2, "三(二)": 2, "三(三)": 3, "三(四)": 3, "三(五)1": 4,
                      "三(五)2": 3, "三(五)3": 2, "三(五)4": 6, "三(五)5": 2}
    assert {t.series for t in campaign.tasks.values() if t.section.startswith("四")} == {
        "liaison-mechanism", "progress-ledger", "progress-bulletin", "target-assessment"}


def test_four_leads_of_the_poverty_day_item(campaign):
    # 牵头单位:县扶贫开发局、县总工会、县委办、县政府办 — the first accountable, all four leads.
    for task in _section(campaign, "三(五)4"):
        assert task.leads == ("county-fpb", "county-union", "county-party-office", "county-gov-office")
        assert [campaign.units[u].name for u in task.leads] == ["县扶贫开发局", "县总工会", "县委办", "县政府办"]
        assert task.partners == ("all-county-units",)


def test_ten_provincial_fixed_point_units(campaign, document):
    pairs = [p for p in campaign.pairings if p.kind == "fixed-point"]
    names = [campaign.units[p.a].name for p in pairs]
    assert len(names) == 10 and {p.b for p in pairs} == {"county"}
    assert "、".join(names) + "10家单位" in document
    assert campaign.expand(("provincial-fixed-point",)) == tuple(p.a for p in pairs)


def test_other_support_relations(campaign):
    kinds = {(p.a, p.kind) for p in campaign.pairings if p.kind not in ("fixed-point", "contact-counterpart")}
    assert kinds == {("zhou-contacts", "contact-guidance"), ("guangdong", "east-west"),
                     ("support-7-20", "counterpart")}
    assert len(campaign.members("zhou-contacts")) == 8  # two leaders' bodies and six departments


def test_work_groups_every_quarter_at_least_four_times(campaign):
    visits = [t for t in campaign.tasks.values() if t.series == "contact-work-groups"]
    assert len(visits) >= 4
    quarters = {((t.window.deadline() - timedelta(seconds=1)).month - 1) // 3 for t in visits}
    assert quarters == {0, 1, 2, 3}


def test_progress_collected_every_month(campaign):
    ledger = [t for t in campaign.tasks.values() if t.series == "progress-ledger"]
    months = sorted((t.window.deadline() - timedelta(seconds=1)).month for t in ledger)
    assert months == list(range(1, 13))


@pytest.mark.parametrize(("task", "start", "due"), [
    ("provincial-fixed-point-launch", None, date(2020, 3, 31)),
    ("counterpart-midyear", date(2020, 4, 1), date(2020, 6, 30)),
    ("wanqi-revitalisation", date(2020, 7, 1), date(2020, 9, 30)),
    ("sanzhi-recruit", date(2020, 4, 1), date(2020, 9, 30)),
    ("sanzhi-onboard", date(2020, 10, 1), date(2020, 12, 31)),
    ("yulu-spring", None, date(2020, 3, 31)),
    ("yulu-autumn", date(2020, 9, 1), date(2020, 9, 30)),
])
def test_schedule_dates(campaign, task, start, due):
    window = campaign.tasks[task].window
    assert (window.start, window.due) == (start, due)


def test_every_quarter_tag_agrees_with_the_task_dates(campaign, plugin):
    checks = plugin.module.checks
    tagged = [t for t in campaign.tasks.values() if checks.schedule_phrases(t) and t.repeat is None]
    assert len(tagged) > 25
    for task in tagged:
        spans = [checks.schedule_span(p, 2020) for p in checks.schedule_phrases(task)]
        assert None not in spans, task.id
        assert task.window.due <= max(s.last for s in spans)


def test_stages_follow_each_other(campaign):
    for later, earlier in [("counterpart-assessment", "counterpart-midyear"), ("sanzhi-onboard", "sanzhi-recruit"),
                           ("poverty-day-report", "poverty-day-activities"), ("poverty-day-funds",
                                                                             "poverty-day-donations")]:
        assert earlier in {d.task for d in campaign.tasks[later].after}


def test_donation_drive_is_a_solicitation(campaign):
    drive = campaign.tasks["poverty-day-donations"]
    # 广泛宣传动员社会各界: society at large, not the county's own government units.
    assert drive.is_solicitation and drive.solicits == ("society",)
    assert campaign.units["society"].name == "社会各界" and campaign.units["society"].parent is None
    assert [t.id for t in campaign.tasks.values() if t.is_solicitation] == ["poverty-day-donations"]


# -- the plugin's checks -------------------------------------------------------------------------


def _codes_for(plugin, tmp_path: Path, **edits) -> dict[str, list]:
    found = plugin.findings(plugin.load(plugin.copy(tmp_path, **edits)))
    out: dict[str, list] = {}
    for f in found:
        out.setdefault(f.code, []).append(f)
    return out


def test_cf207_names_exactly_the_tasks_without_a_time_limit(plugin, campaign):
    # 四(三) 明确任务完成时限: the built-in opt-in check, configured by the plan (was CS003).
    assert "CF207" in campaign.checks.options
    reported = {t for f in plugin.findings() if f.code == "CF207" for t in f.tasks}
    assert reported == {t.id for t in campaign.tasks.values() if t.window.deadline() is None}
    assert reported == {"liaison-mechanism", "progress-bulletin"}


def test_the_report_without_a_recipient_is_reported(plugin, campaign):
    # 总结上报扶贫日系列活动情况: "上报" names no unit; the plan does not invent one.
    task = campaign.tasks["poverty-day-report"]
    assert task.reports_to == () and task.approvals == ()
    assert [f.tasks for f in plugin.findings() if f.code == "CF305"] == [("poverty-day-report",)]


def test_cs001_reports_a_stage_outside_its_quarter(plugin, tmp_path):
    found = _codes_for(plugin, tmp_path, replace={
        'after = ["counterpart-launch"]\nstart = "@q2_start"\ndue = "@q2_end"':
        'after = ["counterpart-launch"]\nstart = "@q2_start"\ndue = 2020-07-15'})
    [finding] = found["CS001"]
    assert finding.tasks == ("counterpart-midyear",)
    assert finding.location.key_path == "tasks.counterpart-midyear.due"
    assert "2020-06-30" in finding.message.en and finding.message.zh


def test_cs001_reports_a_quarterly_task_that_does_not_repeat(plugin, tmp_path):
    found = _codes_for(plugin, tmp_path, replace={'repeat = { every = "quarter", at_least = 4 }\n': ""})
    assert [f.tasks for f in found["CS001"]] == [("contact-work-groups",)]


def test_cs001_reports_an_unknown_phrase(plugin, tmp_path):
    found = _codes_for(plugin, tmp_path, replace={'tags = ["进度安排:二季度"]': 'tags = ["进度安排:第二季度"]'})
    assert any("第二季度" in f.message.en for f in found["CS001"])


def test_cs002_reports_months_without_a_collection(plugin, tmp_path):
    found = _codes_for(plugin, tmp_path, replace={
        'repeat = { every = "month", times = 12, day = "end" }': 'repeat = { every = "quarter", times = 4 }'})
    [finding] = found["CS002"]
    for month in ("2020-01", "2020-02", "2020-04", "2020-11"):
        assert month in finding.message.en


def test_cs002_reports_a_plan_without_a_ledger(plugin, tmp_path):
    found = _codes_for(plugin, tmp_path, replace={'kind = "progress-ledger"\nlead': 'kind = "ledger"\nlead'})
    [finding] = found["CS002"]
    assert finding.location.key_path == "campaign"


def test_checks_run_only_on_plans_that_configure_them(plugin, tmp_path):
    found = _codes_for(plugin, tmp_path, edit=lambda text: text.split("[checks.options.CS001]")[0])
    assert not {"CS001", "CS002"} & set(found)


def test_checks_leave_the_other_seed_plans_alone(plugin):
    others = [p for p in sorted(plugin.dir.parent.glob("*/plan.toml")) if p.parent != plugin.dir]
    assert others
    for path in others:
        assert not {"CS001", "CS002"} & plugin.codes(plugin.load(path)), path


# -- the schedule phrases, as properties ---------------------------------------------------------

_PHRASES = ["一季度", "二季度", "三季度", "四季度", "全年", "年终", "二季度前", "三季度前", "四季度前"]


@settings(max_examples=40)
@given(year=st.integers(1990, 2100), phrase=st.sampled_from(_PHRASES))
def test_spans_stay_inside_their_year(plugin, year, phrase):
    span = plugin.module.checks.schedule_span(phrase, year)
    assert span is not None and span.last.year == year
    assert span.first is None or date(year, 1, 1) <= span.first <= span.last


@settings(max_examples=40)
@given(year=st.integers(1990, 2100))
def test_quarters_partition_the_year(plugin, year):
    spans = [plugin.module.checks.schedule_span(p, year) for p in _PHRASES[:4]]
    assert spans[0].first == date(year, 1, 1) and spans[-1].last == date(year, 12, 31)
    for a, b in zip(spans, spans[1:]):
        assert a.last + timedelta(days=1) == b.first
    # "before quarter N" ends the day before quarter N begins
    for n in (2, 3, 4):
        before = plugin.module.checks.schedule_span(_PHRASES[n - 1] + "前", year)
        assert before.first is None and before.last == spans[n - 2].last


@settings(max_examples=30)
@given(skipped=st.sets(st.integers(1, 12), max_size=12))
def test_missing_months_are_exactly_the_skipped_ones(plugin, skipped):
    from campaignflow.model import Task, Window

    campaign = plugin.campaign
    tasks = [Task(id=f"x#{m}", title="x", lead="county", window=Window(due=date(2020, m, 28)))
             for m in range(1, 13) if m not in skipped]
    missing = plugin.module.checks.missing_periods(campaign, tasks, "month")
    assert missing == [f"2020-{m:02d}" for m in sorted(skipped)]


@pytest.mark.parametrize("phrase", ["第二季度", "一季度前", "季度", "全年度"])
def test_unknown_phrases(plugin, phrase):
    assert plugin.module.checks.schedule_span(phrase, 2020) is None
