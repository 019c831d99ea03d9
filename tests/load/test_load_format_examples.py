"""Every example of the plan format contract loads and means what the page says.

The blocks are copied verbatim from PLAN_FORMAT.md (sections 1-6); when the
shared contract is beside the repository, a test checks the copies are current.
"""

from __future__ import annotations

import re
import textwrap
from datetime import date, datetime
from pathlib import Path

import pytest

from campaignflow.errors import PlanError
from campaignflow.findings import Severity
from campaignflow.load import load_plan
from campaignflow.model import Duration, Lag, Repeat

CAMPAIGN = '''\
format = 1                       # required; the format version

[campaign]
id = "anhui-2020"                # slug: [a-z0-9][a-z0-9-]*; unique among loaded plans
name = "安徽省2020年扶贫日活动方案"
name_en = "Anhui 2020 Poverty Alleviation Day plan"   # optional
issuer = "ah-fpb"                # unit id of the issuing office
start = 2020-07-01               # campaign window, inclusive, local dates or datetimes
end = 2020-10-22
timezone = "Asia/Shanghai"       # default "Asia/Shanghai"
calendar = "cn-workdays"         # default "weekdays" (Mon-Fri); plugins add calendars
include = ["units.toml"]         # optional; paths relative to this file, merged before checks

[campaign.dates]                 # named dates that tasks may refer to as "@name"
poverty_day = 2020-10-17
'''

UNITS = '''\
[units.ah]
name = "安徽省"
kind = "province"               # free text; common: province city county township village
                                # department bureau school enterprise ngo media household
[units.ah-fpb]
name = "省扶贫办"
kind = "department"
parent = "ah"                   # forms the hierarchy; must not form a cycle
capacity = 3                    # optional: most tasks it leads at the same time (default: no limit)

[groups.cities]                 # a named set of units; same id space as units
name = "各市"
kind = "city"                   # every unit of this kind ...
under = "ah"                    # ... below this unit (optional)
members = []                    # and/or explicit unit ids
except = []

[[pairings]]                    # 对口帮扶 / 定点帮扶: support relations between units or groups
a = "sheng-zgh"
b = "county"
kind = "fixed-point"            # free text
'''

TASKS = '''\
[tasks.exchange-meeting]
title = "召开2020年全省社会扶贫工作经验交流会议"
title_en = "Provincial exchange meeting on social poverty alleviation"   # optional
section = "三(一)1"             # optional: where the document says it
kind = "meeting"                # free text; plugins may give kinds meaning
lead = "ah-fpb"                 # required: the one accountable unit (牵头单位)
partners = ["cities"]           # optional: responsible / co-operating units (责任单位)
after = ["city-plans", { task = "exhibition", lag = "2d" }]   # finish-to-start dependencies
start = "@poverty_day - 14d"    # earliest start (optional)
due = "@poverty_day - 1d"       # deadline (optional)
duration = "1d"                 # working time: "3d" (working days), "4h"; default "1d"
'''

APPROVALS = '''\
[tasks.bureau-plan]
title = "制定本单位扶贫日活动方案并报区扶贫办"
lead = "stats-bureau"
due = 2016-09-30T12:00
approvals = [
  { by = "district-fpb", within = "3d" },            # must approve before dependents start
]

[tasks.recommend-households]
title = "推介一批特殊贫困户"
lead = "stats-bureau"
approvals = [                                         # in order, each after the previous
  { by = "household", kind = "consent" },
  { by = "village", kind = "recommend" },
  { by = "township", kind = "recommend", due = "@poverty_day - 1d" },
]
'''

TEMPLATES = '''\
[templates.township-ceremony]
for_each = "townships"          # a group id
[templates.township-ceremony.task]
title = "{unit.name}扶贫日纪念活动仪式"
lead = "{unit}"
due = "@poverty_day - 1d"
after = ["county-kickoff", "township-plan@{unit}"]
approvals = [{ by = "{unit.parent}" }]
'''

CHECKS = '''\
[checks]
ignore = ["CF203"]                        # codes never reported for this plan
severity = { CF204 = "error" }            # raise or lower a check's severity

[checks.options.CF401]                    # options a check documents
exempt_pairings = true
'''

MANIFEST = '''\
[plugin]
name = "anhui-2020"
version = "1.0.0"
requires = "campaignflow >=0.1"
plans = ["plan.toml"]            # plans this plugin contributes
description = "..."
'''

BLOCKS = [CAMPAIGN, UNITS, TASKS, APPROVALS, TEMPLATES, CHECKS, MANIFEST]

# What each block needs around it to be a whole plan.
ANHUI = CAMPAIGN.replace('include = ["units.toml"]', 'include = ["units.toml", "more.toml"]')
MORE_UNITS = '''\
[units.hf]
name = "合肥市"
kind = "city"
parent = "ah"
[units.sheng-zgh]
name = "省总工会"
[groups.county]
kind = "county"
[tasks.city-plans]
title = "各市制定方案"
lead = "hf"
[tasks.exhibition]
title = "扶贫成果展"
lead = "ah-fpb"
'''


def _contract() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "PLAN_FORMAT.md"
        if candidate.is_file():
            return candidate
    return None


def test_the_copies_are_the_contract_s_blocks():
    contract = _contract()
    if contract is None:
        pytest.skip("the shared plan format contract is not beside this checkout")
    blocks = re.findall(r"```toml\n(.*?)```", contract.read_text(encoding="utf-8"), re.S)
    assert blocks == BLOCKS


@pytest.fixture
def anhui(write, plugins):
    def _load(*extra: str):
        main = write({"plan.toml": ANHUI + "\n".join(extra), "units.toml": UNITS, "more.toml": MORE_UNITS})
        return load_plan(main, plugins=plugins)

    return _load


def test_header_and_campaign(anhui):
    c = anhui()
    assert (c.id, c.name, c.name_en, c.issuer) == ("anhui-2020", "安徽省2020年扶贫日活动方案",
                                                    "Anhui 2020 Poverty Alleviation Day plan", "ah-fpb")
    assert (c.start, c.end, c.timezone, c.calendar) == (date(2020, 7, 1), date(2020, 10, 22), "Asia/Shanghai",
                                                        "cn-workdays")
    assert dict(c.dates) == {"poverty_day": date(2020, 10, 17)}
    assert c.source.endswith("plan.toml")


def test_units_groups_pairings(anhui):
    c = anhui()
    fpb = c.units["ah-fpb"]
    assert (fpb.name, fpb.kind, fpb.parent, fpb.capacity) == ("省扶贫办", "department", "ah", 3)
    assert c.units["ah"].capacity is None
    # Every unit of kind city below ah: the included city, not the department or the province.
    assert c.groups["cities"].units == ("hf",)
    assert c.groups["cities"].name == "各市"
    (pairing,) = c.pairings
    assert (pairing.a, pairing.b, pairing.kind) == ("sheng-zgh", "county", "fixed-point")


def test_exchange_meeting(anhui):
    c = anhui(TASKS)
    t = c.tasks["exchange-meeting"]
    assert t.title_en == "Provincial exchange meeting on social poverty alleviation"
    assert (t.section, t.kind, t.lead, t.partners) == ("三(一)1", "meeting", "ah-fpb", ("cities",))
    assert [d.task for d in t.after] == ["city-plans", "exhibition"]
    assert t.after[0].lag == Lag(0)
    assert t.after[1].lag == Lag(2, working=False)  # calendar days
    assert t.window.start == date(2020, 10, 3)       # @poverty_day - 14d
    assert t.window.due == date(2020, 10, 16)
    assert t.duration == Duration(1.0)
    assert c.members("cities") == ("hf",)
    loc = c.locate("tasks.exchange-meeting.after[1].task")
    assert loc.file.endswith("plan.toml") and loc.line == ANHUI.count("\n") + 8
    assert loc.column == TASKS.splitlines()[7].index("task =") + 1


def test_approvals():
    plan = textwrap.dedent('''\
        format = 1
        [campaign]
        id = "lanshan-2016"
        name = "兰山区扶贫日"
        start = 2016-09-01
        end = 2016-10-31
        [campaign.dates]
        poverty_day = 2016-10-17
        [units.district-fpb]
        name = "区扶贫办"
        [units.stats-bureau]
        name = "区统计局"
        parent = "district-fpb"
        [units.household]
        name = "贫困户"
        [units.village]
        name = "村"
        [units.township]
        name = "乡镇"
        ''') + APPROVALS
    c = load_plan(plan)
    plan_task = c.tasks["bureau-plan"]
    assert plan_task.window.due == datetime(2016, 9, 30, 12, 0)
    (step,) = plan_task.approvals
    assert (step.by, step.mode, step.within, step.kind) == (("district-fpb",), "all", Duration(3.0), "approve")
    steps = c.tasks["recommend-households"].approvals
    assert [(s.by, s.kind) for s in steps] == [(("household",), "consent"), (("village",), "recommend"),
                                               (("township",), "recommend")]
    assert steps[2].due == date(2016, 10, 16)


def test_approval_modes(load):
    c = load('''\
        format = 1
        [campaign]
        id = "x"
        name = "x"
        start = 2020-07-01
        end = 2020-12-31
        [units.finance]
        name = "财政"
        [units.audit]
        name = "审计"
        [tasks.budget]
        title = "预算"
        lead = "finance"
        approvals = [{ by = ["finance", "audit"], mode = "all", within = "2d" }, { by = ["audit"], mode = "any" }]
        ''')
    a, b = c.tasks["budget"].approvals
    assert (a.by, a.mode, a.within) == (("finance", "audit"), "all", Duration(2.0))
    assert (b.by, b.mode) == (("audit",), "any")


def test_township_ceremony_template(anhui):
    extra = textwrap.dedent('''\
        [units.feixi]
        name = "肥西县"
        kind = "county"
        parent = "hf"
        [units.tongjing]
        name = "桐镜镇"
        kind = "township"
        parent = "feixi"
        [units.sanhe]
        name = "三河镇"
        kind = "township"
        parent = "feixi"
        [groups.townships]
        kind = "township"
        [tasks.county-kickoff]
        title = "县启动"
        lead = "feixi"
        [templates.township-plan]
        for_each = "townships"
        [templates.township-plan.task]
        title = "{unit.name}方案"
        lead = "{unit}"
        ''')
    c = anhui(extra, TEMPLATES)
    t = c.tasks["township-ceremony@tongjing"]
    assert t.title == "桐镜镇扶贫日纪念活动仪式"
    assert (t.lead, t.template, t.template_unit) == ("tongjing", "township-ceremony", "tongjing")
    assert t.window.due == date(2020, 10, 16)
    assert [d.task for d in t.after] == ["county-kickoff", "township-plan@tongjing"]
    assert t.approvals[0].by == ("feixi",)  # {unit.parent}
    assert "township-ceremony@sanhe" in c.tasks
    loc = c.locate("tasks.township-ceremony@sanhe.due")
    assert loc.key_path == "tasks.township-ceremony@sanhe.due"
    text = (ANHUI + "\n".join([extra, TEMPLATES])).splitlines()
    assert text[loc.line - 1].startswith("due =")


def test_repeat_quarter_in_four_quarters(load):
    c = load('''\
        format = 1
        [campaign]
        id = "x"
        name = "x"
        start = 2020-01-01
        end = 2020-12-31
        [units.u]
        name = "u"
        [tasks.report]
        title = "季度报告"
        lead = "u"
        repeat = { every = "quarter", times = 4 }
        ''')
    occ = [c.tasks[f"report#{k}"] for k in range(1, 5)]
    assert "report" not in c.tasks
    assert [(t.window.start, t.window.due) for t in occ] == [
        (date(2020, 1, 1), date(2020, 3, 31)), (date(2020, 4, 1), date(2020, 6, 30)),
        (date(2020, 7, 1), date(2020, 9, 30)), (date(2020, 10, 1), date(2020, 12, 31))]
    assert all(t.repeat == Repeat("quarter", 4) for t in occ)
    assert [t.occurrence for t in occ] == [1, 2, 3, 4]
    assert c.locate("tasks.report#3.repeat").line == 12


def test_on_duration_estimate_solicits_tags(load):
    c = load('''\
        format = 1
        [campaign]
        id = "x"
        name = "x"
        start = 2020-07-01
        end = 2020-12-31
        [units.u]
        name = "u"
        [groups.township-units]
        members = ["u"]
        [units.enterprises]
        name = "企业"
        [tasks.day]
        title = "扶贫日"
        lead = "u"
        on = 2020-10-17
        duration = { optimistic = "2d", likely = "3d", pessimistic = "8d" }
        solicits = ["township-units", "enterprises"]
        tags = ["五个一批:总结"]
        ''')
    t = c.tasks["day"]
    assert t.window.on == date(2020, 10, 17) and t.window.fixed
    assert t.duration == Duration(3.0, optimistic=2.0, pessimistic=8.0)
    assert t.is_solicitation and t.solicits == ("township-units", "enterprises")
    assert t.tags == ("五个一批:总结",)


def test_checks_block(load):
    c = load(textwrap.dedent('''\
        format = 1
        [campaign]
        id = "x"
        name = "x"
        start = 2020-07-01
        end = 2020-12-31
        ''') + CHECKS)
    assert c.checks.ignore == ("CF203",)
    assert dict(c.checks.severity) == {"CF204": Severity.ERROR}
    assert c.checks.options_for("CF401") == {"exempt_pairings": True}


def test_annotations(load):
    c = load('''\
        format = 1
        [campaign]
        id = "x"
        name = "x"
        start = 2020-07-01
        end = 2020-12-31
        doc = { quote = "各地要高度重视", note = "总体要求" }
        [units.u]
        name = "u"
        doc = { note = "单位" }
        [tasks.t]
        title = "t"
        lead = "u"
        doc = { quote = "原文" }
        approvals = [{ by = "u", kind = "consent", doc = { note = "同意书" } }]
        ''')
    assert (c.doc.quote, c.doc.note) == ("各地要高度重视", "总体要求")
    assert c.units["u"].doc.note == "单位"
    assert c.tasks["t"].doc.quote == "原文"
    assert c.tasks["t"].approvals[0].doc.note == "同意书"


def test_a_plugin_manifest_is_not_a_plan(write, plugins):
    path = write({"plugin.toml": MANIFEST})
    with pytest.raises(PlanError) as info:
        load_plan(path, plugins=plugins)
    codes = [p.code for p in info.value.problems]
    assert "not-a-plan" in codes
    problem = next(p for p in info.value.problems if p.code == "not-a-plan")
    assert problem.location.line == 1 and problem.location.file.endswith("plugin.toml")
