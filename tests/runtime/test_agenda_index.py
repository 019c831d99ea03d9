"""Hypothesis: ``tasks(unit=)`` and ``agenda`` read only the unit's tasks, and give what a scan of all would."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import T0
from test_stateful import ACTIONS, ACTORS, CAMPAIGN, PLUGINS

from campaignflow.errors import TransitionError
from campaignflow.runtime import Engine, ManualClock, MemoryStore, TaskState

_WORKING = (TaskState.READY, TaskState.ACTIVE, TaskState.COMPLETED, TaskState.REJECTED)
_STEPS = st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(sorted(CAMPAIGN.tasks)),
                            st.sampled_from(ACTORS), st.sampled_from(sorted(CAMPAIGN.units))), max_size=30)


def _scan(engine: Engine, unit: str) -> list[str]:
    # The definition, over every task of the plan.
    units = set(engine.campaign.members(unit))
    return [v.id for v in engine.tasks() if units & {v.lead, *v.partners, *v.approvers}]


def _scan_agenda(engine: Engine, unit: str) -> list[str]:
    units = set(engine.campaign.members(unit))
    out = [v for v in engine.tasks()
           if (v.state in _WORKING and units & {v.lead, *v.partners})
           or (v.state is TaskState.SUBMITTED and units & set(v.approvers))]
    return [v.id for v in sorted(out, key=lambda v: (v.next_due or T0.max, v.id))]


@settings(max_examples=60, deadline=None)
@given(_STEPS)
def test_a_units_tasks_and_agenda_match_a_scan_of_the_whole_plan(steps):
    clock = ManualClock(T0)
    engine = Engine.open(CAMPAIGN, MemoryStore(), plugins=PLUGINS, clock=clock)
    for action, tid, actor, target in steps:
        clock.advance(timedelta(hours=1))
        kwargs = {"reason": "理由"} if action in ("reject", "cancel") else {}
        if action == "reassign":
            kwargs["to"] = target  # the lead moves at run time: the index must follow it
        try:
            getattr(engine, action)(tid, actor, **kwargs)
        except TransitionError:
            pass
    for unit in sorted(CAMPAIGN.units):
        assert [v.id for v in engine.tasks(unit=unit)] == _scan(engine, unit)
        assert [v.id for v in engine.agenda(unit, days=36500)] == _scan_agenda(engine, unit)


def test_work_that_can_be_done_now_is_on_the_agenda_whatever_its_deadline():
    from datetime import date, datetime

    from campaignflow.model import Campaign, Task, Unit, Window

    tasks = [Task("now", "现在可办", lead="u", window=Window(due=date(2020, 9, 30))),
             Task("soon", "下周开始", lead="u", window=Window(start=date(2020, 7, 6), due=date(2020, 9, 30))),
             Task("later", "九月开始", lead="u", window=Window(start=date(2020, 9, 1), due=date(2020, 9, 30)))]
    campaign = Campaign(id="h", name="期限", start=date(2020, 7, 1), end=date(2020, 9, 30), issuer="u",
                        units={"u": Unit("u", "单位")}, tasks={t.id: t for t in tasks})
    clock = ManualClock(datetime(2020, 7, 1, 9))
    engine = Engine.open(campaign, MemoryStore(), plugins=PLUGINS, clock=clock)
    # Due in three months, but ready now: on the 7-day agenda. "soon" opens within the week; "later" not.
    assert [v.id for v in engine.agenda("u")] == ["now", "soon"]
    assert [v.id for v in engine.agenda("u", days=1)] == ["now"]
    clock.set(datetime(2020, 8, 28, 9))
    assert [v.id for v in engine.agenda("u")] == ["later", "now", "soon"]  # one deadline: by id
