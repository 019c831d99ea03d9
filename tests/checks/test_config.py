"""[checks] select/ignore/severity/options from a plan file, located findings, crashing plugins."""

from __future__ import annotations

import textwrap
from pathlib import Path

from checks_support import builtin_plugins, plan, task

import campaignflow as cf
from campaignflow.checks import Check
from campaignflow.findings import Severity, Text
from campaignflow.plugins import hookimpl

PLAN = """\
format = 1

[campaign]
id = "config"
name = "扶贫日活动"
issuer = "county"
start = 2020-09-01
end = 2020-10-30

[units.county]
name = "某县"

[units.town-a]
name = "甲镇"
parent = "county"

[units.town-b]
name = "乙镇"
parent = "county"

[tasks.drive-a]
title = "甲镇捐赠"
lead = "town-a"
solicits = ["town-b"]
due = 2020-10-17

[tasks.drive-b]
title = "乙镇捐赠"
lead = "town-b"
solicits = ["town-a"]

[[pairings]]
a = "town-a"
b = "town-b"
{checks}
"""


def _load(tmp_path: Path, checks: str = "") -> cf.Campaign:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN.replace("{checks}", textwrap.dedent(checks)), encoding="utf-8")
    return cf.load_plan(path)


def _codes(findings):
    return sorted((f.code, str(f.severity)) for f in findings)


def test_defaults(tmp_path):
    # The pairing exempts the mutual drives; the Saturday deadline warns.
    assert _codes(cf.validate(_load(tmp_path), plugins=builtin_plugins())) == [("CF203", "warning")]


def test_findings_are_located_in_the_file(tmp_path):
    (f,) = cf.validate(_load(tmp_path), plugins=builtin_plugins())
    assert f.location.file.endswith("plan.toml")
    line = PLAN.splitlines().index("due = 2020-10-17") + 1
    assert (f.location.line, f.location.column, f.location.key_path) == (line, 1, "tasks.drive-a.due")


def test_options_severity_and_ignore_from_the_plan(tmp_path):
    campaign = _load(tmp_path, """
        [checks]
        ignore = ["CF203"]
        severity = { CF401 = "warning" }

        [checks.options.CF401]
        exempt_pairings = false
    """)
    assert _codes(cf.validate(campaign, plugins=builtin_plugins())) == [("CF401", "warning")]


def test_select_by_prefix_from_the_plan_and_the_caller(tmp_path):
    campaign = _load(tmp_path, """
        [checks]
        select = ["CF2", "CF4"]
        [checks.options.CF401]
        exempt_pairings = false
    """)
    assert _codes(cf.validate(campaign, plugins=builtin_plugins())) == [("CF203", "warning"), ("CF401", "error")]
    assert _codes(cf.validate(campaign, plugins=builtin_plugins(), ignore=["CF4"])) == [("CF203", "warning")]
    assert _codes(cf.validate(campaign, plugins=builtin_plugins(), select=["CF401"])) == [("CF401", "error")]


class _Broken(Check):
    code = "XX001"
    name = "test.broken"
    summary = Text("always crashes", "总是出错")

    def run(self, ctx):
        raise RuntimeError("boom")


class _BrokenPlugin:
    @hookimpl
    def campaignflow_register_checks(self):
        return [_Broken]


def test_a_crashing_third_party_check_becomes_cf001_and_the_others_still_run():
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False, plugins=[_BrokenPlugin()])
    campaign = plan(tasks=[task("a", after=["b"]), task("b", after=["a"])])
    findings = cf.validate(campaign, plugins=plugins)
    crash = [f for f in findings if f.code == "CF001"]
    assert len(crash) == 1 and crash[0].severity == Severity.ERROR
    assert "XX001" in crash[0].message.en and "boom" in crash[0].message.en
    assert any(f.code == "CF101" for f in findings)


def test_a_blocked_family_module_removes_its_checks():
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False,
                                       blocked=["campaignflow.checks.solicitation"])
    codes = set(plugins.checks())
    assert not codes & {"CF401", "CF402", "CF403"}
    assert {"CF101", "CF202", "CF301"} <= codes
