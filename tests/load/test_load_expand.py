"""Groups, templates, repeats and date expressions: what they expand to."""

from __future__ import annotations

import textwrap
from datetime import date, datetime

import pytest

from campaignflow.load.expand import period_window
from campaignflow.model import Lag

HEAD = """\
format = 1
[campaign]
id = "x"
name = "x"
start = 2020-07-01
end = 2020-12-31
"""

CASCADE = HEAD + """\
[units.ah]
name = "安徽"
kind = "province"
[units.hf]
name = "合肥"
kind = "city"
parent = "ah"
[units.feixi]
name = "肥西"
kind = "county"
parent = "hf"
[units.tongjing]
name = "桐镜"
kind = "township"
parent = "feixi"
[units.aq]
name = "安庆"
kind = "city"
parent = "ah"
[units.sanhe]
name = "三河"
kind = "township"
parent = "feixi"
[units.other]
name = "外省镇"
kind = "township"
"""


def test_groups(load):
    c = load(CASCADE + textwrap.dedent('''\
        [groups.cities]
        kind = "city"
        under = "ah"
        [groups.below-hf]
        under = "hf"
        [groups.townships]
        kind = "township"
        [groups.ah-townships]
        kind = "township"
        under = "ah"
        except = ["sanhe"]
        [groups.mixed]
        members = ["ah-townships", "aq"]
        except = ["cities"]
        [groups.listed]
        members = ["aq", "ah"]
        '''))
    g = {gid: grp.units for gid, grp in c.groups.items()}
    assert g["cities"] == ("hf", "aq")
    assert g["below-hf"] == ("feixi", "tongjing", "sanhe")  # any depth, plan order
    assert g["townships"] == ("tongjing", "sanhe", "other")
    assert g["ah-townships"] == ("tongjing",)
    assert g["mixed"] == ("tongjing",)  # aq is a city, removed again
    assert g["listed"] == ("ah", "aq")  # plan order, not listed order
    assert c.groups["ah-townships"].exclude == ("sanhe",)


def test_a_hierarchy_cycle_does_not_hang_the_loader(load):
    c = load(HEAD + textwrap.dedent('''\
        [units.a]
        name = "a"
        parent = "b"
        [units.b]
        name = "b"
        parent = "a"
        [groups.below-a]
        under = "a"
        '''))
    assert c.groups["below-a"].units == ("b",)  # a cycle is a check's finding (CF102), not a load problem


def test_group_cycle_is_a_problem(problems, only):
    p = only(problems(HEAD + '[groups.a]\nmembers = ["b"]\n[groups.b]\nmembers = ["a"]\n'))
    assert p.code == "group-cycle"
    assert "a -> b -> a" in p.message.en or "b -> a -> b" in p.message.en


def test_templates_expand_with_every_placeholder(load):
    c = load(CASCADE + textwrap.dedent('''\
        [groups.townships]
        kind = "township"
        under = "ah"
        [tasks.county-kickoff]
        title = "启动"
        lead = "feixi"
        [templates.plan]
        for_each = "townships"
        repeat = { every = "month", times = 2 }
        [templates.plan.task]
        title = "{unit.name}方案"
        lead = "{unit}"
        [templates.ceremony]
        for_each = "townships"
        [templates.ceremony.task]
        title = "{unit.name}({unit.kind})仪式 {literal}"
        lead = "{unit}"
        partners = ["{unit.parent}"]
        solicits = ["{unit.parent}"]
        after = ["county-kickoff", { task = "plan@{unit}", lag = "3wd" }]
        approvals = [{ by = "{unit.parent}", within = "2d" }]
        doc = { note = "{unit} 的仪式" }
        [tasks.summary]
        title = "总结"
        lead = "ah"
        after = ["ceremony@*", "plan@tongjing"]
        '''))
    t = c.tasks["ceremony@sanhe"]
    assert t.title == "三河(township)仪式 {literal}"
    assert (t.partners, t.solicits, t.approvals[0].by) == (("feixi",), ("feixi",), ("feixi",))
    assert [(d.task, d.lag) for d in t.after] == [
        ("county-kickoff", Lag()), ("plan@sanhe#1", Lag(3, working=True)), ("plan@sanhe#2", Lag(3, working=True))]
    assert t.doc.note == "sanhe 的仪式"
    assert [c.tasks[f"plan@tongjing#{k}"].window.due for k in (1, 2)] == [date(2020, 7, 31), date(2020, 8, 31)]
    assert c.tasks["plan@tongjing#1"].template == "plan" and c.tasks["plan@tongjing#1"].occurrence == 1
    assert [d.task for d in c.tasks["summary"].after] == [
        "ceremony@tongjing", "ceremony@sanhe", "plan@tongjing#1", "plan@tongjing#2"]
    assert "ceremony@other" not in c.tasks
    # A shared constant is converted once.
    assert c.tasks["ceremony@sanhe"].window is c.tasks["ceremony@tongjing"].window


def test_template_placeholder_without_a_value(problems, only):
    p = only(problems(CASCADE + textwrap.dedent('''\
        [groups.all-townships]
        kind = "township"
        [templates.t]
        for_each = "all-townships"
        [templates.t.task]
        title = "x"
        lead = "{unit.parent}"
        ''')))
    assert p.code == "missing-placeholder-value" and "'other' has no parent" in p.message.en
    assert p.location.key_path == "tasks.t@other" and p.location.line is not None


@pytest.mark.parametrize(("every", "first", "k", "window"), [
    ("week", date(2020, 7, 1), 0, (date(2020, 6, 29), date(2020, 7, 5))),
    ("week", date(2020, 7, 1), 2, (date(2020, 7, 13), date(2020, 7, 19))),
    ("month", date(2020, 11, 15), 1, (date(2020, 12, 1), date(2020, 12, 31))),
    ("month", date(2020, 12, 15), 2, (date(2021, 2, 1), date(2021, 2, 28))),
    ("quarter", date(2020, 8, 9), 0, (date(2020, 7, 1), date(2020, 9, 30))),
    ("quarter", date(2020, 8, 9), 2, (date(2021, 1, 1), date(2021, 3, 31))),
])
def test_periods(every, first, k, window):
    assert period_window(every, first, k) == window


def test_occurrences_are_clipped_and_may_be_empty(load):
    c = load(HEAD.replace("end = 2020-12-31", "end = 2020-07-20") + textwrap.dedent('''\
        [units.u]
        name = "u"
        [tasks.weekly]
        title = "周报"
        lead = "u"
        due = 2020-07-17
        repeat = { every = "week", times = 5 }
        '''))
    windows = [(c.tasks[f"weekly#{k}"].window.start, c.tasks[f"weekly#{k}"].window.due) for k in range(1, 6)]
    assert windows[0] == (date(2020, 7, 1), date(2020, 7, 5))      # from the campaign's start
    assert windows[2] == (date(2020, 7, 13), date(2020, 7, 17))    # the task's own due is earlier
    # Week 4 starts on Jul 20, the last day; week 5 lies past the end: empty (start after due).
    assert windows[3] == (date(2020, 7, 20), date(2020, 7, 17))
    assert windows[4][0] > windows[4][1]


def test_date_expressions(load):
    c = load(HEAD.replace('calendar', 'x') + textwrap.dedent('''\
        calendar = "cn-workdays"
        [campaign.dates]
        poverty_day = 2020-10-17
        eve = "@poverty_day - 1d"
        after_holiday = "@poverty_day + 1w"
        [units.u]
        name = "u"
        [tasks.a]
        title = "a"
        lead = "u"
        start = "@eve"
        due = "@poverty_day + 3wd"
        [tasks.b]
        title = "b"
        lead = "u"
        start = "2020-09-30T08:00"
        due = "@poverty_day - 14wd"
        [tasks.c]
        title = "c"
        lead = "u"
        on = 2020-10-16T09:00:00+00:00
        '''))
    assert c.dates["eve"] == date(2020, 10, 16) and c.dates["after_holiday"] == date(2020, 10, 24)
    a, b = c.tasks["a"].window, c.tasks["b"].window
    assert a.start == date(2020, 10, 16)
    # Oct 17 2020 is a Saturday: +3wd is Mon 19, Tue 20, Wed 21.
    assert a.due == date(2020, 10, 21)
    assert b.start == datetime(2020, 9, 30, 8, 0)
    # 14 working days before Oct 17 on the official calendar: the National Day week (Oct 1-8) is off,
    # and Sunday Sep 27 and Saturday Oct 10 are adjusted working days.
    assert b.due == date(2020, 9, 23)
    assert c.tasks["c"].window.on == datetime(2020, 10, 16, 17, 0)  # UTC converted to Asia/Shanghai, naive


def test_working_days_on_weekdays(load):
    c = load(HEAD + textwrap.dedent('''\
        [campaign.dates]
        sat = 2020-10-17
        [units.u]
        name = "u"
        [tasks.a]
        title = "a"
        lead = "u"
        start = "@sat + 1wd"
        due = "@sat - 1wd"
        '''))
    assert (c.tasks["a"].window.start, c.tasks["a"].window.due) == (date(2020, 10, 19), date(2020, 10, 16))


def test_tasks_written_out_already_expanded_are_read_as_they_stand(load, problems, only):
    text = CASCADE + textwrap.dedent('''\
        [tasks."ceremony@sanhe"]
        title = "三河仪式"
        lead = "sanhe"
        [tasks."report#2"]
        title = "报告"
        lead = "ah"
        repeat = { every = "month", times = 3 }
        due = 2020-08-31
        [tasks.summary]
        title = "总结"
        lead = "ah"
        after = ["ceremony@sanhe", "report#2"]
        ''')
    c = load(text)
    t = c.tasks["ceremony@sanhe"]
    assert (t.template, t.template_unit, t.occurrence) == ("ceremony", "sanhe", None)
    r = c.tasks["report#2"]
    assert (r.occurrence, r.repeat.times, r.window.due) == (2, 3, date(2020, 8, 31))  # not expanded again
    assert set(c.tasks) == {"ceremony@sanhe", "report#2", "summary"}
    assert c.locate("tasks.report#2.due").line == text.splitlines().index("due = 2020-08-31") + 1
    clash = text + textwrap.dedent('''\
        [groups.townships]
        kind = "township"
        under = "ah"
        [templates.ceremony]
        for_each = "townships"
        [templates.ceremony.task]
        title = "{unit.name}"
        lead = "{unit}"
        ''')
    p = only(problems(clash))
    assert p.code == "duplicate-key" and p.location.key_path == "tasks.ceremony@sanhe"
