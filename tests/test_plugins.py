"""The plugin manager: built-ins, entry points, TOML directories, failures isolated."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import campaignflow as cf
from campaignflow.calendar import Calendar
from campaignflow.checks import Check
from campaignflow.plugins import hookimpl
from campaignflow.plugins.manager import BUILTIN_PLUGINS


def _write_plugin(root: Path, name: str, *, requires: str = "campaignflow >=0.1", plan_id: str = "demo") -> Path:
    d = root / name
    d.mkdir()
    (d / "plugin.toml").write_text(textwrap.dedent(f"""
        [plugin]
        name = "{name}"
        version = "1.2.3"
        requires = "{requires}"
        plans = ["plan.toml"]
        description = "a test plugin"
    """), encoding="utf-8")
    (d / "plan.toml").write_text(textwrap.dedent(f"""
        format = 1
        [campaign]
        id = "{plan_id}"
        name = "演示方案"
        start = 2020-07-01
        end = 2020-10-22
    """), encoding="utf-8")
    return d


def test_builtins_are_registered_as_plugins():
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False)
    names = {name for name, _ in plugins.pm.list_name_plugin()}
    loaded = {f.name for f in plugins.failures}
    assert set(BUILTIN_PLUGINS) - loaded <= names
    assert {"all-days", "weekdays", "cn-workdays"} <= set(plugins.calendars())


def test_blocking_a_builtin_removes_what_it_provides():
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False, blocked=["campaignflow.calendars.cn"])
    assert "cn-workdays" not in plugins.calendars()
    assert "weekdays" in plugins.calendars()


def test_toml_plugin_directory_contributes_plans(tmp_path):
    _write_plugin(tmp_path, "demo-plugin")
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False, plugin_dirs=[tmp_path])
    ref = plugins.plans()["demo"]
    assert ref.plugin == "demo-plugin"
    assert ref.name == "演示方案"
    assert ref.path == tmp_path / "demo-plugin" / "plan.toml"
    info = {i.name: i for i in plugins.info()}
    assert info["demo-plugin"].version == "1.2.3"
    assert info["demo-plugin"].source.startswith("toml:")


def test_campaignflow_path_is_read(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    _write_plugin(a, "one", plan_id="plan-one")
    _write_plugin(b, "two", plan_id="plan-two")
    import os

    monkeypatch.setenv("CAMPAIGNFLOW_PATH", os.pathsep.join([str(a), str(b / "two")]))
    plugins = cf.create_plugin_manager(entry_points=False)
    assert {"plan-one", "plan-two"} <= set(plugins.plans())


def test_a_broken_toml_plugin_is_reported_by_name_and_others_load(tmp_path):
    _write_plugin(tmp_path, "good")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "plugin.toml").write_text("[plugin\nname = ", encoding="utf-8")
    too_new = _write_plugin(tmp_path, "too-new", requires="campaignflow >=99", plan_id="other")
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False, plugin_dirs=[tmp_path])
    assert "demo" in plugins.plans()
    failures = {f.name: f.error for f in plugins.failures}
    assert "bad" in failures and "plugin.toml" in failures["bad"]
    assert too_new.name in failures and "needs campaignflow >=99" in failures[too_new.name]


class _Boom:
    @hookimpl
    def campaignflow_register_calendars(self):
        raise RuntimeError("boom")


class _Dup:
    class Weekdays2(Calendar):
        name = "weekdays"

    @hookimpl
    def campaignflow_register_calendars(self):
        return [self.Weekdays2]


def test_a_raising_hook_does_not_take_the_registry_down():
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False, plugins=[_Boom()])
    assert "weekdays" in plugins.calendars()
    assert any("boom" in f.error and f.source == "campaignflow_register_calendars" for f in plugins.failures)


def test_duplicate_names_are_rejected_naming_both_plugins():
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False, plugins=[_Dup()])
    assert plugins.calendars()["weekdays"] is not _Dup.Weekdays2
    (failure,) = [f for f in plugins.failures if "already provided" in f.error]
    assert "campaignflow.calendars.basic" in failure.error


def test_unknown_calendar_lists_the_known_ones():
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False)
    with pytest.raises(KeyError, match="cn-workdays"):
        plugins.calendar("cn-work-days")


class _MyCheck(Check):
    code = "ZZ001"
    name = "test.my-check"


def test_third_party_check_registers_like_builtins():
    class P:
        @hookimpl
        def campaignflow_register_checks(self):
            return [_MyCheck]

    plugins = cf.create_plugin_manager(entry_points=False, use_env=False, plugins=[P()])
    assert plugins.checks()["ZZ001"] is _MyCheck
