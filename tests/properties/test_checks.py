"""Every check finds its planted conflict, once, and nothing is found on valid plans."""

from __future__ import annotations

import pytest
from hypothesis import given, note

from campaignflow.checks import validate
from campaignflow.cli.report import render_text
from campaignflow.model import Campaign
from campaignflow.plugins.manager import Plugins
from campaignflow.testing.strategies import CONFLICT_CODES, Conflict, campaigns, conflicts
from campaignflow.writer import to_toml

# What else a planted conflict may rightly bring up. A hierarchy cycle leaves
# its units without ancestors, so an approval by a former superior is "not
# above" the lead any more (CF303, info).
CONSEQUENCES: dict[str, frozenset[str]] = {"CF102": frozenset({"CF303", "CF304"})}


def test_every_builtin_check_has_a_conflict_strategy(builtin_plugins: Plugins) -> None:
    builtin = {code for code in builtin_plugins.checks() if code.startswith("CF")}
    assert builtin == set(CONFLICT_CODES)


@pytest.mark.parametrize("code", CONFLICT_CODES)
def test_planted_conflict_is_found_once_and_alone(code: str, builtin_plugins: Plugins) -> None:
    @given(conflicts(code, templates=True, repeat=True))
    def check(conflict: Conflict) -> None:
        campaign = conflict.campaign
        note(to_toml(campaign))
        findings = validate(campaign, plugins=builtin_plugins)
        note(render_text(findings, campaign, lang="en", color=False))
        mine = [f for f in findings if f.code == code]
        assert len(mine) == 1
        assert conflict.found_in(mine), (conflict.tasks, conflict.units)
        others = {f.code for f in findings} - {code} - CONSEQUENCES.get(code, frozenset())
        assert not others

    check()


@given(campaign=campaigns(max_tasks=6, templates=True, repeat=True, approvals=True, solicitations=True,
                          capacity=True, annotations=True))
def test_valid_campaigns_have_no_findings(campaign: Campaign, builtin_plugins: Plugins) -> None:
    note(to_toml(campaign))
    findings = validate(campaign, plugins=builtin_plugins)
    assert not findings, render_text(findings, campaign, lang="en", color=False)
