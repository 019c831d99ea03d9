"""The strategies themselves: arguments checked at once, shapes as documented, small readable shrinks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from campaignflow.model import Campaign, Duration, Lag, Task, Unit
from campaignflow.testing import strategies as cfst

_D = date(2020, 1, 1)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: cfst.campaigns(max_tasks=0), "max_tasks must be an integer"),
    (lambda: cfst.campaigns(min_tasks=3, max_tasks=2), "max_tasks must be an integer at least 3"),
    (lambda: cfst.campaigns(max_units=True), "max_units must be an integer"),
    (lambda: cfst.campaigns(templates="yes"), "templates must be True or False"),
    (lambda: cfst.campaigns(calendar=3), "calendar must be a str or a strategy"),
    (lambda: cfst.conflicts("CF999"), "no conflict strategy for 'CF999'"),
    (lambda: cfst.conflicts("CF203", calendar="all-days"), "CF203 needs a calendar with days off"),
    (lambda: cfst.durations(max_days=0), "max_days must be an integer"),
    (lambda: cfst.durations(three_point=1), "three_point must be True or False"),
    (lambda: cfst.units(min_size=4, max_size=2), "max_size must be an integer at least 4"),
    (lambda: cfst.units(ids=["a"]), "ids must be a"),
    (lambda: cfst.groups({}), "units must be a non-empty mapping"),
    (lambda: cfst.tasks(leads="county"), "leads must be a"),
])
def test_bad_arguments_fail_when_the_strategy_is_made(make, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        make()


def _dependency_order_ok(campaign: Campaign) -> bool:
    seen: set[str] = set()
    for tid, task in campaign.tasks.items():
        if any(d.task not in seen for d in task.after):
            return False
        seen.add(tid)
    return True


@given(cfst.campaigns(min_tasks=2, max_tasks=7, max_units=4, templates=True, repeat=True, solicitations=True,
                      capacity=True, annotations=True))
def test_campaigns_have_resolved_references_and_the_requested_size(campaign: Campaign) -> None:
    units, groups = campaign.units, campaign.groups
    refs = set(units) | set(groups)
    assert 2 <= len(campaign.tasks) <= 7 and 1 <= len(units) <= 4 + len(groups)
    assert not set(units) & set(groups)
    assert _dependency_order_ok(campaign)
    for uid, unit in units.items():
        assert unit.parent is None or list(units).index(unit.parent) < list(units).index(uid)
        assert unit.capacity is None or unit.capacity >= sum(t.lead == uid for t in campaign.tasks.values())
    for p in campaign.pairings:
        assert {p.a, p.b} <= refs and p.a != p.b
    for task in campaign.tasks.values():
        assert task.lead in units
        assert set(task.partners) | set(task.solicits) <= refs
        for step in task.approvals:
            assert set(step.by) <= set(units) and task.lead not in step.by
            expected = "below" if step.kind in ("consent", "recommend") else "above"
            for uid in step.by:
                assert (uid in campaign.ancestors(task.lead)) == (expected == "above")
        if task.template is not None:
            assert task.id == f"{task.template}@{task.template_unit}" and task.lead == task.template_unit
        if task.occurrence is not None:
            assert task.repeat is not None and task.id == f"{task.series}#{task.occurrence}"
            assert 1 <= task.occurrence <= task.repeat.times


@settings(max_examples=20)
@given(st.sampled_from(cfst.CONFLICT_CODES).flatmap(lambda code: cfst.conflicts(code, templates=True, repeat=True)))
def test_conflicts_name_what_is_in_their_campaign(conflict: cfst.Conflict) -> None:
    c = conflict.campaign
    assert conflict.code in cfst.CONFLICT_CODES
    assert conflict.tasks or conflict.units
    assert all(t in c.tasks or any(x.series == t for x in c.tasks.values()) for t in conflict.tasks)
    assert all(u in c.units or u in c.groups for u in conflict.units)


def test_campaigns_shrink_to_one_readable_unit_and_task() -> None:
    smallest = find(cfst.campaigns(), lambda c: True)
    assert list(smallest.units) == ["county"] and list(smallest.tasks) == ["plan"]
    assert smallest.tasks["plan"] == Task(id="plan", title="县扶贫办", lead="county", window=smallest.tasks["plan"].window)
    two = find(cfst.campaigns(max_tasks=3, max_units=2),
               lambda c: len(c.tasks) >= 2 and any(t.after for t in c.tasks.values()))
    # The shrinker may stop a step short of the very smallest; what it gives stays small and readable.
    assert 2 <= len(two.tasks) <= 3 and all(len(tid) <= 7 for tid in [*two.tasks, *two.units])


def test_conflicts_shrink_small_too() -> None:
    smallest = find(cfst.conflicts("CF401"), lambda c: True)
    # One task of the valid plan around the two planted drives.
    assert len(smallest.campaign.tasks) == 3 and len(smallest.tasks) == 2
    assert all(smallest.campaign.tasks[t].solicits for t in smallest.tasks)


@given(cfst.units(max_size=5, capacity=True))
def test_units_form_a_forest_in_plan_order(units: dict[str, Unit]) -> None:
    order = list(units)
    for uid, unit in units.items():
        assert unit.id == uid
        assert unit.parent is None or order.index(unit.parent) < order.index(uid)


@given(st.data())
def test_groups_resolve_as_the_format_says(data: st.DataObject) -> None:
    units = data.draw(cfst.units(max_size=5))
    for gid, group in data.draw(cfst.groups(units, max_size=3)).items():
        assert gid not in units
        for uid, unit in units.items():
            below = group.under is None or group.under in Campaign(
                id="x", name="x", start=_D, end=_D, units=units).ancestors(uid)
            listed = uid in group.members or (group.kind is not None and unit.kind == group.kind and below)
            assert (uid in group.units) == (listed and uid not in group.exclude)


@given(cfst.durations(three_point=True), cfst.durations(three_point=False), cfst.lags())
def test_amounts(estimate: Duration, single: Duration, lag: Lag) -> None:
    assert estimate.optimistic is not None and estimate.pessimistic is not None
    assert single.optimistic is None and single.pessimistic is None
    for d in (estimate, single):
        assert (d.likely * 8).is_integer() and 0 < d.likely
    assert lag.days >= 0 and lag.days.is_integer()


@given(cfst.tasks(leads=st.just("county")))
def test_single_tasks_are_valid_model_values(task: Task) -> None:
    assert task.lead == "county" and task.title


@given(cfst.calendars())
def test_calendars_are_the_builtin_names(name: str) -> None:
    assert name in cfst.CALENDARS



def test_the_hypothesis_hook_makes_from_type_draw_valid_campaigns() -> None:
    from campaignflow.testing._hypothesis import _hypothesis_setup_hook

    _hypothesis_setup_hook()
    campaign = find(st.from_type(Campaign), lambda c: True)
    assert isinstance(campaign, Campaign) and list(campaign.tasks) == ["plan"]
