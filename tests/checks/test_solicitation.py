"""CF401 mutual, CF402 repeated and CF403 downward solicitation."""

from __future__ import annotations

import itertools
from datetime import date

from checks_support import codes, errors, group, only, plan, run, task, unit
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.checks._solicit import Pairings
from campaignflow.checks.solicitation import _FreePairs
from campaignflow.model import ChecksConfig

TOWNS = [unit("county"), unit("t1", "county", kind="township"), unit("t2", "county", kind="township"),
         unit("fin", "county", kind="department")]

# -- CF401 ----------------------------------------------------------------------------


def test_cf401_two_units_solicit_each_other():
    campaign = plan(units=TOWNS, tasks=[task("drive1", lead="t1", solicits=["t2"]),
                                        task("drive2", lead="t2", solicits=["t1"])])
    findings = run(campaign)
    assert errors(findings) == ["CF401"]
    (f,) = only(findings, "CF401")
    assert sorted(f.tasks) == ["drive1", "drive2"] and sorted(f.units) == ["t1", "t2"]
    locations = {f.location.key_path, *(loc.key_path for loc in f.related)}
    assert locations == {"tasks.drive1.solicits[0]", "tasks.drive2.solicits[0]"}
    assert "互相募捐" in f.message.zh


def test_cf401_nearest_one_way_is_fine():
    campaign = plan(units=TOWNS, tasks=[task("drive1", lead="t1", solicits=["t2"])])
    assert errors(run(campaign)) == []


def test_cf401_pairing_exempts_unless_the_plan_says_otherwise():
    tasks = [task("drive1", lead="t1", solicits=["fin"]), task("drive2", lead="fin", solicits=["t1"])]
    assert only(run(plan(units=TOWNS, tasks=tasks, pairings=[("fin", "t1")])), "CF401") == []
    strict = ChecksConfig(options={"CF401": {"exempt_pairings": False}})
    assert len(only(run(plan(units=TOWNS, tasks=tasks, pairings=[("fin", "t1")], checks=strict)), "CF401")) == 1


def test_cf401_through_groups_on_one_side():
    campaign = plan(units=TOWNS, groups=[group("towns", "t1", "t2")],
                    tasks=[task("drive1", lead="fin", solicits=["towns"]), task("drive2", lead="t2",
                                                                                   solicits=["fin"])])
    (f,) = only(run(campaign), "CF401")
    assert "solicits group 'towns', which includes 't2'" in f.message.en


def _cross(n_towns: int, n_depts: int, *, paired: bool = False):
    towns = [unit(f"t{i}", kind="township") for i in range(n_towns)]
    depts = [unit(f"d{i}", kind="department") for i in range(n_depts)]
    tasks = [task(f"ask@{u.id}", lead=u.id, solicits=["depts"], template="ask", template_unit=u.id) for u in towns]
    tasks += [task(f"give@{u.id}", lead=u.id, solicits=["towns"], template="give", template_unit=u.id)
              for u in depts]
    return plan(units=towns + depts, tasks=tasks,
                groups=[group("towns", *(u.id for u in towns)), group("depts", *(u.id for u in depts))],
                pairings=[("towns", "depts")] if paired else [])


def test_cf401_group_against_group_is_capped_and_counted():
    findings = only(run(_cross(30, 20)), "CF401")
    assert len(findings) == 11  # max_per_group_pair = 10, then one summary
    summary = [f for f in findings if "more pairs" in f.message.en]
    assert len(summary) == 1
    assert f"and {30 * 20 - 10} more pairs" in summary[0].message.en
    pairs = {frozenset(f.units) for f in findings if f not in summary}
    assert len(pairs) == 10


def test_cf401_group_pairing_exempts_every_member_pair():
    assert only(run(_cross(30, 20, paired=True)), "CF401") == []


def test_cf401_group_soliciting_itself():
    towns = [unit(f"t{i}") for i in range(4)]
    campaign = plan(units=towns, groups=[group("towns", *(u.id for u in towns))],
                    tasks=[task(f"ask@{u.id}", lead=u.id, solicits=["towns"]) for u in towns],
                    checks=ChecksConfig(options={"CF401": {"max_per_group_pair": 2}}))
    findings = only(run(campaign), "CF401")
    assert len(findings) == 3  # 6 pairs among 4 towns: 2 listed, then "and 4 more"
    assert sum("and 4 more pairs of units in group 'towns'" in f.message.en for f in findings) == 1


def test_large_groups_are_not_expanded_pairwise():
    # 9e6 reciprocal pairs and 3000 drives per group: quadratic work would not finish in the test timeout.
    campaign = _cross(3000, 3000)
    findings = run(campaign, select=["CF4"])
    mutual = only(findings, "CF401")
    assert len(mutual) == 11
    assert any(f"and {9_000_000 - 10} more" in f.message.en for f in mutual)
    repeated = sorted(f.location.key_path for f in only(findings, "CF402"))
    assert repeated == ["templates.ask.task.solicits[0]", "templates.give.task.solicits[0]"]
    assert all("3000 drives" in f.message.en for f in only(findings, "CF402"))
    assert only(findings, "CF403") == []


@settings(max_examples=80)
@given(st.data())
def test_free_pair_count_matches_enumeration(data):
    names = [f"u{i}" for i in range(8)]
    side_a = data.draw(st.lists(st.sampled_from(names), unique=True, min_size=1))
    side_b = data.draw(st.lists(st.sampled_from(names), unique=True, min_size=1))
    links = data.draw(st.lists(st.tuples(st.lists(st.sampled_from(names), min_size=1, max_size=3),
                                         st.lists(st.sampled_from(names), min_size=1, max_size=3)), max_size=3))
    groups = []
    pairings = []
    for k, (a, b) in enumerate(links):
        groups += [group(f"pa{k}", *dict.fromkeys(a)), group(f"pb{k}", *dict.fromkeys(b))]
        pairings.append((f"pa{k}", f"pb{k}"))
    campaign = plan(units=[unit(n) for n in names], groups=groups, pairings=pairings)
    linking = Pairings(campaign)
    expected = {frozenset((a, b)) for a, b in itertools.product(side_a, side_b)
                if a != b and not linking.linked(a, b)}
    assert _FreePairs(side_a, side_b, linking).total == len(expected)
    assert _FreePairs(side_a, side_b, None).total == len({frozenset(p) for p in itertools.product(side_a, side_b)
                                                          if p[0] != p[1]})


# -- CF402 ----------------------------------------------------------------------------


def test_cf402_one_unit_two_overlapping_drives():
    campaign = plan(units=TOWNS, tasks=[
        task("drive1", lead="office", solicits=["fin"], start=date(2020, 9, 7), due=date(2020, 9, 18)),
        task("drive2", lead="t1", solicits=["fin"], start=date(2020, 9, 14), due=date(2020, 9, 25)),
    ])
    findings = run(campaign, ignore=["CF304"])
    assert codes(findings) == ["CF402"]
    (f,) = findings
    assert f.tasks == ("drive1", "drive2") and f.units == ("fin",)


def test_cf402_nearest_drives_one_after_the_other():
    campaign = plan(units=TOWNS, tasks=[
        task("drive1", lead="office", solicits=["fin"], start=date(2020, 9, 7), due=date(2020, 9, 11)),
        task("drive2", lead="t1", solicits=["fin"], start=date(2020, 9, 14), due=date(2020, 9, 25)),
    ])
    assert codes(run(campaign, ignore=["CF304"])) == []


def test_cf402_direct_and_through_a_group():
    campaign = plan(units=TOWNS, groups=[group("towns", "t1", "t2")], tasks=[
        task("drive1", lead="fin", solicits=["towns"]),
        task("drive2", lead="office", solicits=["t2"]),
    ])
    (f,) = only(run(campaign), "CF402")
    assert f.units == ("t2",)
    assert "through 'towns'" in f.message.en


def test_cf402_one_task_naming_a_unit_twice_is_not_repeated():
    campaign = plan(units=TOWNS, groups=[group("towns", "t1", "t2")],
                    tasks=[task("drive", lead="fin", solicits=["towns", "t1"])])
    assert only(run(campaign), "CF402") == []


# -- CF403 ----------------------------------------------------------------------------


def test_cf403_soliciting_units_below():
    campaign = plan(units=TOWNS, groups=[group("towns", "t1", "t2")],
                    tasks=[task("drive", lead="county", solicits=["towns"])])
    findings = run(campaign, ignore=["CF304"])
    assert codes(findings) == ["CF403"]
    (f,) = findings
    assert f.location.key_path == "tasks.drive.solicits[0]"
    assert "from 2 units below it through group 'towns'" in f.message.en and "摊派" in f.message.zh


def test_cf403_nearest_soliciting_another_branch():
    units = [*TOWNS, unit("city"), unit("other", "city")]
    campaign = plan(units=units, tasks=[task("drive", lead="t1", solicits=["other"])])
    assert codes(run(campaign, ignore=["CF304"])) == []
