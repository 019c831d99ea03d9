"""``assert_plan_valid`` and ``assert_findings``: pass when they should, fail readably when not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from campaignflow.model import Campaign
from campaignflow.plugins.manager import Plugins
from campaignflow.testing import assert_findings, assert_plan_valid
from campaignflow.testing.strategies import Conflict, campaigns, conflicts


@settings(max_examples=20)
@given(campaign=campaigns(max_tasks=4))
def test_valid_plans_pass(campaign: Campaign, builtin_plugins: Plugins) -> None:
    assert assert_plan_valid(campaign, plugins=builtin_plugins) == []
    assert assert_findings(campaign, [], plugins=builtin_plugins) == []


@settings(max_examples=10)
@given(conflict=conflicts("CF202"))
def test_a_broken_plan_fails_with_the_findings_as_validate_prints_them(conflict: Conflict,
                                                                       builtin_plugins: Plugins) -> None:
    with pytest.raises(AssertionError) as info:
        assert_plan_valid(conflict.campaign, plugins=builtin_plugins)
    text = str(info.value)
    assert f"plan '{conflict.campaign.id}' is not valid: 1 finding(s) at warning or above" in text
    assert "CF202 error: task 'rushed" in text
    assert "plan: 1 error(s), 0 warning(s), 0 info" in text


@settings(max_examples=10)
@given(conflict=conflicts("CF203"))
def test_allowed_codes_and_lower_severities_pass(conflict: Conflict, builtin_plugins: Plugins) -> None:
    # CF203 is a warning: allowed by code, by prefix, or below the failing severity.
    for kwargs in ({"allow": ["CF203"]}, {"allow": ["CF2"]}, {"severity": "error"}):
        found = assert_plan_valid(conflict.campaign, plugins=builtin_plugins, **kwargs)
        assert [f.code for f in found] == ["CF203"]
    with pytest.raises(AssertionError, match=r"\(allowed: CF202\)"):
        assert_plan_valid(conflict.campaign, allow=["CF202"], plugins=builtin_plugins)


@settings(max_examples=10)
@given(conflict=conflicts("CF401"))
def test_expected_findings_by_code_task_unit_or_key_path(conflict: Conflict, builtin_plugins: Plugins) -> None:
    c, plugins = conflict.campaign, builtin_plugins
    (finding,) = assert_findings(c, ["CF401"], plugins=plugins)
    where = finding.location.key_path
    assert where in {f"tasks.{t}.solicits[0]" for t in conflict.tasks}
    for expected in (("CF401", conflict.tasks[0]), ("CF401", conflict.units[1]), ("CF401", where)):
        assert assert_findings(c, [expected], plugins=plugins) == [finding]


@settings(max_examples=10)
@given(conflict=conflicts("CF401"))
def test_missing_and_unexpected_findings_are_both_named(conflict: Conflict, builtin_plugins: Plugins) -> None:
    c, plugins = conflict.campaign, builtin_plugins
    with pytest.raises(AssertionError) as info:
        assert_findings(c, ["CF101"], plugins=plugins)
    text = str(info.value)
    assert "missing: CF101" in text and "not expected: CF401" in text and "solicit donations from each other" in text
    with pytest.raises(AssertionError, match="missing: CF401 at nobody"):
        assert_findings(c, [("CF401", "nobody")], plugins=plugins)
    with pytest.raises(AssertionError, match="missing: CF401\n"):
        assert_findings(c, ["CF401", "CF401"], plugins=plugins)
    # Without ``exact``, findings nobody listed are fine; listed ones must still be there.
    assert assert_findings(c, [], exact=False, plugins=plugins)
    with pytest.raises(AssertionError, match="missing: CF402"):
        assert_findings(c, ["CF402"], exact=False, plugins=plugins)


def test_a_plan_file_may_be_given_instead_of_a_campaign(tmp_path, builtin_plugins: Plugins) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN_WITH_A_HOLIDAY, encoding="utf-8")
    with pytest.raises(AssertionError) as info:
        assert_plan_valid(path, plugins=builtin_plugins)
    # The rendering shows the plan's own line under the finding.
    assert 'on = 2020-10-17' in str(info.value)
    assert_findings(str(path), [("CF203", str(path), 15)], plugins=builtin_plugins)


PLAN_WITH_A_HOLIDAY = """\
format = 1

[campaign]
id = "holiday"
name = "扶贫日"
start = 2020-10-01
end = 2020-10-31

[units.office]
name = "县扶贫办"

[tasks.ceremony]
title = "扶贫日仪式"
lead = "office"
on = 2020-10-17
"""
