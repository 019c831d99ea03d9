"""CF301 overbooked units, CF302 self-approval, CF303 approver not above, CF304 unused units."""

from __future__ import annotations

from datetime import date

from checks_support import codes, errors, group, only, plan, run, step, task, unit
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.checks._overload import overloads

# -- CF301 ----------------------------------------------------------------------------

MON, WED, FRI = date(2020, 9, 7), date(2020, 9, 9), date(2020, 9, 11)


def test_cf301_three_tasks_in_two_days_for_a_unit_of_capacity_one():
    campaign = plan(units=[unit("fpb", capacity=1)], tasks=[
        task(f"t{i}", lead="fpb", start=MON, due=date(2020, 9, 8)) for i in range(3)])
    findings = run(campaign)
    assert errors(findings) == ["CF301"]
    (f,) = only(findings, "CF301")
    assert f.location.key_path == "units.fpb.capacity"
    assert f.tasks == ("t0", "t1", "t2")
    assert "need 3 working days of work, but it has room for 2 working days" in f.message.en
    assert "2020-09-07" in f.message.en and "the end of 2020-09-08" in f.message.en


def test_cf301_nearest_plans_fit():
    two = plan(units=[unit("fpb", capacity=1)], tasks=[
        task(f"t{i}", lead="fpb", start=MON, due=date(2020, 9, 8)) for i in range(2)])
    assert errors(run(two)) == []
    unlimited = plan(units=[unit("fpb")], tasks=[
        task(f"t{i}", lead="fpb", start=MON, due=date(2020, 9, 8)) for i in range(5)])
    assert errors(run(unlimited)) == []
    roomy = plan(units=[unit("fpb", capacity=3)], tasks=[
        task(f"t{i}", lead="fpb", start=MON, due=date(2020, 9, 8)) for i in range(6)])
    assert errors(run(roomy)) == []


def test_cf301_windows_come_from_the_critical_path():
    # No dates on b and c, but they must follow a and precede the Friday report: a tight week.
    campaign = plan(units=[unit("fpb", capacity=1)], tasks=[
        task("a", lead="fpb", start=MON, days=2),
        task("b", lead="fpb", after=["a"], days=2),
        task("c", lead="fpb", after=["a"], days=2),
        task("report", lead="office", after=["b", "c"], due=FRI),
    ])
    findings = run(campaign)
    assert errors(findings) == ["CF301"]
    assert set(only(findings, "CF301")[0].tasks) == {"b", "c"}


def test_cf301_fixed_events_on_the_same_day():
    sat = date(2020, 9, 12)
    campaign = plan(units=[unit("town", capacity=1)], tasks=[
        task("ceremony", lead="town", on=sat), task("fair", lead="town", on=sat)])
    findings = run(campaign)
    assert errors(findings) == ["CF301"]
    (f,) = only(findings, "CF301")
    assert "2 events on 2020-09-12 (Sat)" in f.message.en
    on_working_day = plan(units=[unit("town", capacity=1)], tasks=[
        task("ceremony", lead="town", on=WED), task("fair", lead="town", on=WED)])
    assert errors(run(on_working_day)) == ["CF301"]
    apart = plan(units=[unit("town", capacity=1)], tasks=[
        task("ceremony", lead="town", on=sat), task("fair", lead="town", on=date(2020, 9, 13))])
    assert errors(run(apart)) == []


def test_cf301_reports_disjoint_overloads_separately():
    week2 = date(2020, 9, 14)
    campaign = plan(units=[unit("fpb", capacity=1)], tasks=[
        *(task(f"a{i}", lead="fpb", start=MON, due=MON) for i in range(2)),
        *(task(f"b{i}", lead="fpb", start=week2, due=week2) for i in range(2)),
    ])
    found = only(run(campaign), "CF301")
    assert sorted(f.tasks for f in found) == [("a0", "a1"), ("b0", "b1")]


def _brute_force(windows, capacity):
    points = sorted({w[0] for w in windows} | {w[1] for w in windows})
    return any(sum(w[2] for w in windows if w[0] >= a and w[1] <= b) > capacity * (b - a) + 1e-6
               for a in points for b in points if b > a)


_window = st.tuples(st.integers(0, 12), st.integers(1, 6)).flatmap(
    lambda s: st.tuples(st.just(s[0]), st.just(s[0] + s[1]), st.integers(1, s[1])))


@settings(max_examples=150)
@given(st.lists(_window, min_size=1, max_size=9), st.integers(1, 3))
def test_overload_check_finds_an_overload_exactly_when_one_exists(windows, capacity):
    found = overloads(windows, capacity)
    assert bool(found) == _brute_force(windows, capacity)
    seen: set[int] = set()
    for over in found:
        assert over.need > capacity * (over.end - over.start)
        assert all(windows[i][0] >= over.start and windows[i][1] <= over.end for i in over.members)
        assert not seen & set(over.members)
        seen |= set(over.members)


# -- CF302 ----------------------------------------------------------------------------


def test_cf302_step_by_the_lead_itself():
    campaign = plan(units=[unit("county"), unit("bureau", "county")],
                    tasks=[task("plan", lead="bureau", approvals=[step("county"), step("bureau")])])
    findings = run(campaign)
    assert codes(findings) == ["CF302"]
    (f,) = findings
    assert f.location.key_path == "tasks.plan.approvals[1].by"
    assert "approval step 2" in f.message.en and "第2步审批" in f.message.zh


def test_cf302_nearest_superior_approves_and_allowed_plans():
    ok = plan(units=[unit("county"), unit("bureau", "county")],
              tasks=[task("plan", lead="bureau", approvals=[step("county")])])
    assert codes(run(ok)) == []
    allowed = plan(units=[unit("bureau")], allow_self_approval=True,
                   tasks=[task("plan", lead="bureau", approvals=[step("bureau")])])
    assert only(run(allowed), "CF302") == []


def test_cf302_through_a_group_that_holds_the_lead():
    campaign = plan(units=[unit("a"), unit("b")], groups=[group("leaders", "a", "b")],
                    tasks=[task("plan", lead="a", approvals=[step("leaders", mode="any")])])
    (f,) = only(run(campaign), "CF302")
    assert "through group 'leaders'" in f.message.en


# -- CF303 ----------------------------------------------------------------------------

HIERARCHY = [
    unit("county"), unit("fpb", "county", kind="department"), unit("town", "county", kind="township"),
    unit("village", "town", kind="village"), unit("town2", "county", kind="township"),
    unit("town-office", "town", kind="office"),
]


def test_cf303_approval_from_below():
    campaign = plan(units=HIERARCHY, tasks=[task("plan", lead="town", approvals=[step("village")])])
    findings = only(run(campaign), "CF303")
    assert [f.location.key_path for f in findings] == ["tasks.plan.approvals[0].by"]
    assert "'village'" in findings[0].message.en
    assert findings[0].severity.name == "INFO"


def test_cf303_fine_approvers():
    campaign = plan(units=HIERARCHY, tasks=[
        task("a", lead="village", approvals=[step("town"), step("county")]),        # ancestors
        task("b", lead="town", approvals=[step("fpb")]),                             # an office elsewhere
        task("c", lead="town", approvals=[step("village", kind="consent")]),         # exempt kind
        task("d", lead="town", approvals=[step("village", kind="recommend")]),
    ])
    assert only(run(campaign), "CF303") == []


def test_cf303_peer_and_office_below_and_option():
    campaign = plan(units=HIERARCHY, tasks=[
        task("peer", lead="town", approvals=[step("town2")]),
        task("own-office", lead="town", approvals=[step("town-office")]),
    ])
    keys = sorted(f.location.key_path for f in only(run(campaign), "CF303"))
    assert keys == ["tasks.own-office.approvals[0].by", "tasks.peer.approvals[0].by"]
    from campaignflow.model import ChecksConfig

    widened = plan(units=HIERARCHY, checks=ChecksConfig(options={"CF303": {"office_kinds": ["township"]}}),
                   tasks=[task("peer", lead="town", approvals=[step("town2")])])
    assert only(run(widened), "CF303") == []


def test_cf303_large_group_counts_without_listing_everyone():
    villages = [unit(f"v{i}", "town", kind="village") for i in range(50)]
    campaign = plan(units=[*HIERARCHY, *villages], groups=[group("villages", *(v.id for v in villages))],
                    tasks=[task("plan", lead="town", approvals=[step("villages", mode="any")])])
    (f,) = only(run(campaign), "CF303")
    assert "and 44 more" in f.message.en and "等50项" in f.message.zh


# -- CF304 ----------------------------------------------------------------------------


def test_cf304_unit_and_group_nothing_refers_to():
    campaign = plan(units=[unit("county"), unit("town", "county"), unit("stray")],
                    groups=[group("unused", "town")], tasks=[task("t", lead="town")])
    found = only(run(campaign), "CF304")
    assert sorted(f.location.key_path for f in found) == ["groups.unused", "units.stray"]


def test_cf304_references_count_through_groups_ancestors_pairings_and_templates():
    campaign = plan(
        units=[unit("county"), unit("town", "county"), unit("v1", "town"), unit("v2", "town"),
               unit("paired"), unit("approver"), unit("partner"), unit("solicited")],
        groups=[group("villages", "v1", "v2"), group("each", "v1", "v2")],
        pairings=[("paired", "county")],
        tasks=[
            task("drive", lead="county", solicits=["villages", "solicited"], partners=("partner",),
                 approvals=[step("approver")]),
            task("do@v1", lead="v1", template="do", template_unit="v1"),
            task("do@v2", lead="v2", template="do", template_unit="v2"),
        ])
    assert only(run(campaign), "CF304") == []
