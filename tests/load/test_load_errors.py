"""Bad plans: every problem is found in one pass, located (file, line, column, key path), with a hint."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from campaignflow.errors import PlanError
from campaignflow.load import load_plan, loads
from campaignflow.model import Campaign
from campaignflow.plugins import hookimpl
from campaignflow.plugins.manager import create_plugin_manager

HEAD = """\
format = 1
[campaign]
id = "x"
name = "x"
start = 2020-07-01
end = 2020-12-31
[campaign.dates]
poverty_day = 2020-10-17
[units.ah-fpb]
name = "省扶贫办"
[groups.cities]
members = ["ah-fpb"]
"""


def test_wrong_type_message_and_location(problems, only):
    p = only(problems(HEAD + '[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\ndue = 17\n'))
    assert p.code == "wrong-type"
    assert p.message.en == 'expected a date or "@name ± Nd", got 17 (integer)'
    assert p.message.zh and "整数" in p.message.zh
    assert (p.location.line, p.location.column, p.location.key_path) == (16, 1, "tasks.x.due")
    assert p.format() == '<string>:16:1: error: `tasks.x.due`: expected a date or "@name ± Nd", got 17 (integer)'


def test_unknown_key_suggests(problems, only):
    p = only(problems(HEAD + '[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\nduratoin = "2d"\n'), "unknown-key")
    assert p.location.key_path == "tasks.x.duratoin" and p.location.line == 16
    assert p.hint.en == "did you mean 'duration'?"
    assert p.hint.zh == "是否应为 'duration'?"


def test_unknown_unit_and_task_suggest(problems):
    found = problems(HEAD + textwrap.dedent('''\
        [tasks.city-plans]
        title = "t"
        lead = "ah-fbp"
        [tasks.y]
        title = "t"
        lead = "ah-fpb"
        after = ["kickoff", { task = "city-plan", lag = "2d" }]
        partners = ["citys"]
        '''))
    by_path = {p.location.key_path: p for p in found}
    lead = by_path["tasks.city-plans.lead"]
    assert str(lead).endswith("unknown unit 'ah-fbp'; did you mean 'ah-fpb'?")
    assert (lead.location.line, lead.location.column) == (15, 1)
    dep = by_path["tasks.y.after[1]"]
    assert dep.message.en == "unknown task 'city-plan'" and dep.hint.en == "did you mean 'city-plans'?"
    assert (dep.location.line, dep.location.column) == (19, len('after = ["kickoff", ') + 1)
    assert by_path["tasks.y.after[0]"].hint is None
    assert by_path["tasks.y.partners[0]"].hint.en == "did you mean 'cities'?"
    assert len(found) == 4


def test_lead_must_be_one_unit(problems, only):
    p = only(problems(HEAD + '[tasks.x]\ntitle = "t"\nlead = "cities"\n'))
    assert p.code == "lead-is-group" and p.location.key_path == "tasks.x.lead"
    assert "'cities' is a group" in p.message.en


def test_every_problem_of_every_file_at_once(write, problems):
    main = write({
        "plan.toml": HEAD.replace('end = 2020-12-31', 'end = 2020-12-31\ninclude = ["units.toml"]\ncalender = "x"'),
        "units.toml": '[units.hf]\nname = "合肥"\nparent = "ah-fbp"\n[units.bad]\nkind = "city"\n',
    })
    found = problems(main)
    assert [(Path(p.location.file).name, p.location.line, p.code) for p in found] == [
        ("plan.toml", 8, "unknown-key"),
        ("units.toml", 3, "unknown-unit"),
        ("units.toml", 4, "missing-key"),
    ]
    assert found[1].message.en == "unknown unit 'ah-fbp'" and found[1].hint.en == "did you mean 'ah-fpb'?"


def test_include_problems(write, problems):
    main = write({
        "plan.toml": HEAD.replace('end = 2020-12-31', 'end = 2020-12-31\ninclude = ["a.toml", "nope.toml"]'),
        "a.toml": '[campaign]\ninclude = ["b.toml"]\n[units.ah-fpb]\nname = "again"\n',
        "b.toml": '[campaign]\ninclude = ["a.toml"]\n',
    })
    found = {p.code: p for p in problems(main)}
    missing = found["file-not-found"]
    assert Path(missing.location.file).name == "plan.toml"
    assert (missing.location.line, missing.location.key_path) == (7, "campaign.include[1]")
    assert missing.location.column == len('include = ["a.toml", ') + 1
    cycle = found["include-cycle"]
    assert cycle.message.en == "include cycle: a.toml -> b.toml -> a.toml"
    assert Path(cycle.location.file).name == "b.toml" and cycle.location.line == 2
    dup = found["duplicate-key"]
    # The included file's content comes first; the main file's definition is the second one.
    assert Path(dup.location.file).name == "plan.toml" and dup.location.line == 10
    assert "a.toml:3:1" in dup.message.en


@pytest.mark.parametrize(("content", "code", "line", "column"), [
    (b"hello world\n", "toml-syntax", 1, 7),
    (b"format = 1\n[campaign\n", "toml-syntax", 2, 10),
    (b"format = 1\nx = \"a\x00b\"\n", "binary-file", 2, 7),
    (b"format = 1\nname = \"\xff\xfe\"\n", "not-utf8", 2, 9),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not-utf8", 1, 1),
])
def test_not_a_plan_at_all(write, problems, only, tmp_path, content, code, line, column):
    path = tmp_path / "junk.toml"
    path.write_bytes(content)
    p = only(problems(path))
    assert (p.code, p.location.line, p.location.column) == (code, line, column)
    assert p.location.file == str(path)


def test_a_bom_is_accepted(tmp_path, plugins):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    assert load_plan(path, plugins=plugins).id == "x"


def test_missing_file_and_directory(tmp_path, problems, only):
    assert only(problems(tmp_path / "nope.toml")).code == "file-not-found"
    assert only(problems(tmp_path)).code == "not-a-file"


def test_size_limit(tmp_path, problems, only):
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(70 * 1024 * 1024)  # sparse: 70 MiB without writing them
    p = only(problems(big))
    assert p.code == "file-too-large" and "64.0 MiB" in p.message.en
    small = tmp_path / "plan.toml"
    small.write_text(HEAD, encoding="utf-8")
    assert only(problems(small, max_bytes=100)).code == "file-too-large"


def test_deep_nesting_is_a_problem_not_a_crash(problems, only):
    p = only(problems("format = 1\nx = " + "[" * 50_000 + "]" * 50_000 + "\n"))
    assert p.code in ("too-deep", "toml-syntax")


def test_format_version(problems, only):
    assert only(problems(HEAD.replace("format = 1\n", ""))).code == "missing-format"
    p = only(problems(HEAD.replace("format = 1", "format = 2")))
    assert (p.code, p.location.line, p.location.key_path) == ("unsupported-format", 1, "format")


def test_campaign_problems(problems):
    text = HEAD.replace('id = "x"', 'id = "X Y"').replace('end = 2020-12-31', 'end = 2020-06-30\n'
                                                          'calendar = "cn-workday"\ntimezone = "Asia/Shangai"')
    found = {p.code: p for p in problems(text)}
    assert found["invalid-id"].location.key_path == "campaign.id"
    assert found["unknown-calendar"].hint.en == "did you mean 'cn-workdays'?"
    assert found["unknown-timezone"].hint.en == "did you mean 'Asia/Shanghai'?"
    assert found["bad-window"].location.key_path == "campaign.end"


def test_dates(problems):
    text = HEAD.replace('poverty_day = 2020-10-17', 'eve = "@poverty_day - 1d"\npoverty_day = 2020-10-17') + \
        '[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\nstart = "@povety_day"\ndue = "2020-02-30"\n'
    found = {p.location.key_path: p for p in problems(text)}
    assert found["campaign.dates.eve"].code == "date-order"
    assert found["tasks.x.start"].hint.en == "did you mean 'poverty_day'?"
    assert found["tasks.x.due"].code == "bad-date"


def test_conflicts_and_ids(problems):
    text = HEAD + textwrap.dedent('''\
        [groups.ah-fpb]
        members = []
        [tasks.x]
        title = "t"
        lead = "ah-fpb"
        on = 2020-10-17
        due = 2020-10-18
        [tasks."a b"]
        title = "t"
        lead = "ah-fpb"
        [tasks.r]
        title = "t"
        lead = "ah-fpb"
        repeat = { every = "mnoth", times = 0 }
        ''')
    found = {p.location.key_path: p for p in problems(text)}
    assert found["groups.ah-fpb"].code == "id-conflict"
    assert found["tasks.x.on"].code == "conflicting-keys"
    assert found['tasks."a b"'].code == "invalid-id"
    assert found["tasks.r.repeat.every"].hint.en == "did you mean 'month'?"
    assert found["tasks.r.repeat.times"].code == "wrong-type"


def test_template_problems_are_reported_once_per_template(problems):
    units = "".join(f'[units.t{i}]\nname = "t{i}"\nkind = "township"\n' for i in range(5))
    text = HEAD + units + textwrap.dedent('''\
        [groups.townships]
        kind = "township"
        [templates.ceremony]
        for_each = "townships"
        [templates.ceremony.task]
        title = "{unit.name}"
        lead = "{unit}"
        after = ["plan@{unit}"]
        partners = ["{unit.nmae}"]
        [templates.survey]
        for_each = "township"
        [templates.survey.task]
        title = "{unit.name}"
        lead = "{unit.parent}"
        ''')
    found = {p.code: p for p in problems(text)}
    ph = found["unknown-placeholder"]
    assert ph.location.key_path == "templates.ceremony.task.partners" and ph.hint.en == "did you mean '{unit.name}'?"
    group = found["unknown-group"]
    assert group.hint.en == "did you mean 'townships'?"
    assert len(found) == 2


def test_template_instances_fold(problems, only):
    units = "".join(f'[units.t{i}]\nname = "t{i}"\nkind = "township"\n' for i in range(5))
    text = HEAD + units + textwrap.dedent('''\
        [groups.townships]
        kind = "township"
        [templates.ceremony]
        for_each = "townships"
        [templates.ceremony.task]
        title = "{unit.name}"
        lead = "{unit}"
        after = ["plan@{unit}"]
        ''')
    p = only(problems(text))
    assert p.message.en == "unknown task 'plan@t0' (and 4 more instance(s) of template 'ceremony')"
    assert p.location.line == text.splitlines().index('after = ["plan@{unit}"]') + 1


def test_strings_and_paths(plugins, tmp_path, problems, only):
    assert loads(HEAD, plugins=plugins).id == "x"
    assert load_plan(HEAD, plugins=plugins).id == "x"  # text: it has "=" and newlines
    p = only(problems(str(tmp_path / "plan")))  # no "=" or newline: a path
    assert p.code == "file-not-found"


def test_a_plugin_may_load_a_path_first(tmp_path):
    seen = []

    class Loader:
        @hookimpl
        def campaignflow_load_plan(self, path):
            seen.append(path)
            if path.suffix != ".xlsx":
                return None
            return Campaign(id="from-plugin", name="p", start=date(2020, 1, 1), end=date(2020, 2, 1))

    pm = create_plugin_manager(entry_points=False, use_env=False, plugins=[Loader()])
    assert load_plan(tmp_path / "plan.xlsx", plugins=pm).id == "from-plugin"
    with pytest.raises(PlanError):
        load_plan(tmp_path / "plan.toml", plugins=pm)
    assert [p.name for p in seen] == ["plan.xlsx", "plan.toml"]


def test_locations_point_into_the_file_that_defines_the_key(write, plugins):
    main = write({
        "plan.toml": HEAD.replace('end = 2020-12-31', 'end = 2020-12-31\ninclude = ["more/units.toml"]')
        + '[[pairings]]\na = "ah-fpb"\nb = "hf"\n',
        "more/units.toml": '[units.hf]\nname = "合肥"\n\n[[pairings]]\na = "hf"\nb = "cities"\n',
    })
    c = load_plan(main, plugins=plugins)
    # Included content comes first: pairings[0] is the included file's, pairings[1] the main file's.
    assert [(p.a, p.b) for p in c.pairings] == [("hf", "cities"), ("ah-fpb", "hf")]
    first, second = c.locate("pairings[0].b"), c.locate("pairings[1].b")
    assert (Path(first.file).name, first.line) == ("units.toml", 6)
    assert (Path(second.file).name, second.line) == ("plan.toml", 16)
    unit = c.locate("units.hf.name")
    assert (Path(unit.file).name, unit.line, unit.column, unit.key_path) == ("units.toml", 2, 1, "units.hf.name")
    assert c.locate("units.hf.capacity").line == 1  # missing: its table
    assert c.locate("no.such.key").line is None


def test_amounts_beyond_any_calendar_are_problems(problems):
    # Durations, lags and capacities too large for any calendar or array used to load, then crash checks.
    text = HEAD + textwrap.dedent('''\
        [units.big]
        name = "b"
        capacity = 100000000000000000000000
        [tasks.w]
        title = "t"
        lead = "ah-fpb"
        duration = "99999999999999999999d"
        [tasks.v]
        title = "t"
        lead = "ah-fpb"
        duration = { likely = "1d", pessimistic = "999999999h" }
        after = [{ task = "w", lag = "-99999999999wd" }]
        approvals = [{ by = "ah-fpb", within = "9999999w" }]
        ''')
    found = {p.location.key_path: p for p in problems(text)}
    assert set(found) == {"units.big.capacity", "tasks.w.duration", "tasks.v.duration.pessimistic",
                          "tasks.v.after[0].lag", "tasks.v.approvals[0].within"}
    assert found["tasks.w.duration"].message.en == '"99999999999999999999d" is out of range: at most 10000 days'
    assert found["units.big.capacity"].code == "wrong-type"


def test_the_largest_amounts_load(load):
    campaign = load(HEAD.replace('name = "省扶贫办"', 'name = "省扶贫办"\ncapacity = 1000000') + textwrap.dedent('''\
        [tasks.w]
        title = "t"
        lead = "ah-fpb"
        duration = "10000d"
        after = [{ task = "v", lag = "-10000wd" }]
        [tasks.v]
        title = "t"
        lead = "ah-fpb"
        '''))
    assert campaign.tasks["w"].duration.likely == 10000
    assert campaign.units["ah-fpb"].capacity == 1_000_000


def test_a_unit_with_a_wrong_key_is_still_known(problems, only):
    # Its references are not reported again as unknown units.
    text = HEAD + '[units.b]\nname = 3\nparent = 4\n[tasks.x]\ntitle = "t"\nlead = "b"\nsolicits = ["b"]\n'
    found = problems(text)
    assert {p.location.key_path for p in found} == {"units.b.name", "units.b.parent"}


def test_a_wrong_named_date_is_reported_once(problems, only):
    # Not again, as an unknown date, wherever it is used.
    text = HEAD.replace('poverty_day = 2020-10-17', 'poverty_day = "2020-10-32"\neve = "@poverty_day - 1d"') + \
        '[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\non = "@poverty_day"\ndue = "@eve"\n'
    p = only(problems(text))
    assert (p.code, p.location.key_path) == ("bad-date", "campaign.dates.poverty_day")
    assert "month" not in p.message.zh and "day" not in p.message.zh


def test_chinese_messages_space_latin_words(problems, only):
    p = only(problems(HEAD.replace('end = 2020-12-31', 'end = 2020-12-31\nallow_self_approval = "yes"')))
    assert p.message.zh == '应为 true 或 false,实际为 "yes"(字符串)'


def test_a_named_date_with_a_chinese_name_can_be_used(load):
    # Date names are ids (letters of any script), so "@扶贫日" must resolve like "@poverty_day".
    campaign = load(HEAD.replace('poverty_day = 2020-10-17', '"扶贫日" = 2020-10-17') +
                    '[tasks.x]\ntitle = "t"\nlead = "ah-fpb"\non = "@扶贫日"\n[tasks.y]\ntitle = "t"\n'
                    'lead = "ah-fpb"\ndue = "@扶贫日 + 2d"\n')
    assert campaign.tasks["x"].window.on == date(2020, 10, 17)
    assert campaign.tasks["y"].window.due == date(2020, 10, 19)
