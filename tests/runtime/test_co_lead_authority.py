"""Co-leads (共同牵头, ``co_leads``) at run time: who may do what, against a reference model."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import small_campaign

from campaignflow.errors import InvalidTransition, NotAuthorized, TransitionError
from campaignflow.model import Approval, Task, Window
from campaignflow.runtime import Actor, Engine, ManualClock, MemoryStore, TaskState, replay

PARENT = {"ah": None, "ah-fpb": "ah", "hf": "ah", "wh": "ah", "finance": "ah", "audit": "ah"}
ISSUER = "ah-fpb"
UNITS = sorted(PARENT)
APPROVERS = ("ah-fpb", "finance")
CO_LEADS = ("wh", "finance")
T0 = datetime(2020, 7, 1, 9)
ACTOR = {u: Actor(f"p.{u}", {u}) for u in UNITS}


def _campaign():
    task = Task("joint", "联合制定方案", lead="hf", co_leads=CO_LEADS, window=Window(due=date(2020, 7, 31)),
                approvals=(Approval(by=APPROVERS, mode="any"),))
    return small_campaign(tasks={"joint": task})


def _superiors(unit):
    out, up = [], PARENT[unit]
    while up is not None:
        out.append(up)
        up = PARENT[up]
    return [*out, ISSUER]


def test_a_co_lead_works_on_the_task_and_may_not_approve_it(make_engine):
    engine = make_engine(_campaign())
    assert engine.task("joint").co_leads == CO_LEADS
    assert [v.id for v in engine.agenda("wh")] == ["joint"]
    engine.start("joint", ACTOR["wh"])
    engine.request_extension("joint", ACTOR["finance"], until=date(2020, 8, 15), reason="会签")
    with pytest.raises(NotAuthorized):
        engine.delegate("joint", ACTOR["wh"], to="audit")  # handing the task on stays with the accountable lead
    engine.submit("joint", ACTOR["wh"])
    with pytest.raises(NotAuthorized, match="self-approval"):
        engine.approve("joint", ACTOR["finance"])  # an approver that co-leads it, though it did none of the work
    engine.approve("joint", ACTOR["ah-fpb"])
    assert engine.task("joint").state is TaskState.DONE


def test_reassigning_to_a_co_lead_makes_it_accountable_and_drops_the_old_lead(make_engine):
    engine = make_engine(_campaign())
    engine.reassign("joint", ACTOR["ah"], to="wh")
    view = engine.task("joint")
    assert (view.lead, view.co_leads) == ("wh", ("finance",))
    with pytest.raises(NotAuthorized):
        engine.start("joint", ACTOR["hf"])


class Model:
    """Who may act on ``joint``: lead hf, co-leads wh and finance; approved by ah-fpb or finance."""

    def __init__(self):
        self.lead, self.delegate, self.worked = "hf", None, set()

    @property
    def leads(self):
        return [self.lead, *(u for u in CO_LEADS if u != self.lead)]

    def allowed(self, op, unit):
        if op in ("start", "complete"):
            units = self.leads + ([self.delegate] if self.delegate else [])
        elif op in ("submit", "request_extension"):
            units = self.leads
        elif op in ("delegate", "recall"):
            units = [self.lead]
        elif op in ("reassign", "cancel"):
            units = _superiors(self.lead)
        else:
            raise AssertionError(op)
        return unit in units

    def may_approve(self, unit):
        # Self-approval follows the person and the work: a lead or co-lead now, or whoever did work.
        return unit not in self.leads and unit not in self.worked


# Weighted towards the leads' work and the approvers, so that examples reach a submitted task.
OPS = st.tuples(st.sampled_from(["start", "complete", "submit", "delegate", "recall", "reassign", "cancel",
                                 "request_extension", "approve", "reject"] + ["start", "submit", "approve"] * 3),
                st.sampled_from(UNITS + ["hf", "wh", *APPROVERS] * 2), st.sampled_from(UNITS))


@settings(max_examples=150, deadline=None)
@given(st.lists(OPS, max_size=30))
def test_co_lead_authorisation_follows_the_reference_model(plugins, ops):
    clock = ManualClock(T0)
    engine = Engine.open(_campaign(), MemoryStore(), plugins=plugins, clock=clock)
    model = Model()
    for name, unit, other in ops:
        clock.set(clock.now() + timedelta(hours=1))
        submitted = engine.task("joint").state is TaskState.SUBMITTED
        if name in ("approve", "reject"):
            # An approver of no step is refused first; a submitted task's approver by the self-approval rule.
            expected = unit in APPROVERS and (not submitted or model.may_approve(unit))
        else:
            expected = model.allowed(name, unit)
        kwargs: dict[str, object] = {}
        if name in ("delegate", "reassign"):
            kwargs["to"] = other
        if name in ("cancel", "reject", "request_extension"):
            kwargs["reason"] = "r"
        if name == "request_extension":
            kwargs["until"] = date(2020, 9, 1)
        try:
            event = getattr(engine, name)("joint", ACTOR[unit], **kwargs)
        except NotAuthorized:
            assert not expected, (name, unit, other, vars(model))
            continue
        except (InvalidTransition, TransitionError):
            assert expected, (name, unit, other, vars(model))
            continue
        assert expected, (name, unit, other, vars(model))
        if name == "delegate":
            model.delegate = other
        elif name == "recall":
            model.delegate = None
        elif name == "reassign":
            model.lead = other
        elif name in ("start", "complete", "submit"):
            model.worked.add(event.unit)
            if name == "complete" and event.unit == model.delegate:
                model.delegate = None
    assert replay("ah-test", engine.store.read("ah-test")) == engine.state
