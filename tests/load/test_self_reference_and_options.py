"""#20 leftovers: unknown check-option keys, and a lead named among its own co-leads or partners."""

from __future__ import annotations

import textwrap

import pytest

from campaignflow.errors import PlanError
from campaignflow.findings import Applicability
from campaignflow.load import loads

HEAD = textwrap.dedent('''\
    format = 1
    [campaign]
    id = "x"
    name = "x"
    start = 2020-07-01
    end = 2020-12-31
    [units.a]
    name = "甲"
    [units.b]
    name = "乙"
    [tasks.one]
    title = "一"
    lead = "a"
    ''')


def _problems(text: str):
    with pytest.raises(PlanError) as caught:
        loads(text)
    return caught.value.problems


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_misspelt_option_is_a_located_problem_with_a_safe_fix():
    text = HEAD + '[checks.options.CF203]\ndeadline = "previous-working-day"\n'
    (p,) = _problems(text)
    assert (p.code, p.location.key_path) == ("unknown-key", "checks.options.CF203.deadline")
    assert p.location.line == _line(text, "deadline =")
    assert p.hint is not None and "'deadlines'" in p.hint.en and "deadlines" in p.message.zh
    (fix,) = p.fixes
    assert fix.applicability is Applicability.SAFE and fix.edits[0].new == "deadlines"


def test_an_option_of_a_check_without_options():
    (p,) = _problems(HEAD + "[checks.options.CF101]\nfoo = 1\n")
    assert p.location.key_path == "checks.options.CF101.foo"
    assert "takes no options" in p.message.en and "没有选项" in p.message.zh


@pytest.mark.parametrize("table", [
    '[checks.options.CF203]\ndeadlines = "previous-working-day"\n',
    '[checks.options.CF207]\nkinds = ["report"]\nexcept_kinds = []\n',
    "[checks.options.CF401]\nexempt_pairings = false\nmax_per_group_pair = 3\n",
    # A code no installed check has (a plugin's, not installed here): kept unread.
    "[checks.options.XX999]\nanything = 1\n",
])
def test_known_options_and_unknown_codes_load(table):
    campaign = loads(HEAD + table)
    assert campaign.checks.options


@pytest.mark.parametrize(("extra", "at", "role"), [
    ('partners = ["b", "a"]\n', "tasks.one.partners[1]", "lead"),
    ('co_leads = ["a"]\n', "tasks.one.co_leads[0]", "lead"),
    ('co_leads = ["b"]\npartners = ["b"]\n', "tasks.one.partners[0]", "co-lead"),
])
def test_a_lead_among_its_own_partners_is_a_located_problem(extra, at, role):
    text = HEAD + extra
    (p,) = _problems(text)
    assert (p.code, p.location.key_path) == ("self-reference", at)
    assert f"task's {role}" in p.message.en and p.message.zh and p.hint is not None


def test_a_group_partner_that_includes_the_lead_is_fine():
    campaign = loads(HEAD.replace("[tasks.one]", '[groups.g]\nmembers = ["a", "b"]\n[tasks.one]') +
                     'partners = ["g"]\n')
    assert campaign.tasks["one"].partners == ("g",)


def test_a_template_instance_leaves_its_own_unit_out_of_its_partners():
    text = HEAD + textwrap.dedent('''\
        [groups.g]
        members = ["a", "b"]
        [templates.drive]
        for_each = "g"
        [templates.drive.task]
        title = "t"
        lead = "{unit}"
        partners = ["a"]
        ''')
    campaign = loads(text)
    assert campaign.tasks["drive@a"].partners == ()
    assert campaign.tasks["drive@b"].partners == ("a",)
