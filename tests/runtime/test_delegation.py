"""Delegation: 委派 (the lead keeps the task), 转办 (reassign), 代理 (a time-boxed stand-in); authorisation vs a model."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import FPB, HF, PROV, WH, small_campaign

from campaignflow.errors import InvalidTransition, NotAuthorized, TransitionError
from campaignflow.runtime import Actor, Engine, EventKind, ManualClock, MemoryStore, TaskState, replay

FIN = Actor("qian.fin", {"finance"})


def test_delegated_work_returns_to_the_lead(make_engine):
    engine = make_engine()
    with pytest.raises(NotAuthorized):
        engine.start("city-plan@hf", WH)
    event = engine.delegate("city-plan@hf", HF, to="wh", reason="芜湖代拟")
    assert (event.kind, event.target, engine.task("city-plan@hf").delegate) == (EventKind.DELEGATED, "wh", "wh")
    engine.start("city-plan@hf", WH)
    with pytest.raises(NotAuthorized):
        engine.submit("city-plan@hf", WH)  # the delegate does not submit: the owner does
    engine.complete("city-plan@hf", WH)
    view = engine.task("city-plan@hf")
    assert view.state is TaskState.COMPLETED and view.delegate is None and view.lead == "hf"
    engine.submit("city-plan@hf", HF)
    engine.approve("city-plan@hf", FPB)
    assert engine.task("city-plan@hf").state is TaskState.DONE


def test_a_delegated_task_without_approval_comes_back_completed_and_the_lead_finishes_it(make_engine):
    engine = make_engine()
    engine.delegate("report", FPB, to="finance")
    for tid in ("city-plan@hf", "city-plan@wh", "exchange-meeting"):
        engine.cancel(tid, FPB, reason="测试")
    engine.start("report", FIN)
    engine.complete("report", FIN)
    assert engine.task("report").state is TaskState.COMPLETED
    engine.complete("report", FPB)
    assert engine.task("report").state is TaskState.DONE


def test_recall_and_the_delegate_may_not_approve_its_own_work(make_engine):
    engine = make_engine()
    engine.delegate("city-plan@hf", HF, to="ah-fpb")
    engine.start("city-plan@hf", FPB)
    engine.recall("city-plan@hf", HF)
    with pytest.raises(NotAuthorized):
        engine.complete("city-plan@hf", FPB)
    engine.complete("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    with pytest.raises(NotAuthorized, match="self-approval"):
        engine.approve("city-plan@hf", FPB)  # it did the work when it was the delegate


def test_a_stand_in_acts_for_the_unit_until_its_time_ends(make_engine, clock):
    engine = make_engine()
    clock.set(datetime(2020, 7, 6, 9))
    event = engine.appoint_deputy("hf", HF, deputy="wh", until=datetime(2020, 7, 8, 18), reason="休假")
    assert (event.kind, event.unit, event.target, event.ref) == (
        EventKind.DEPUTY_APPOINTED, "hf", "wh", "2020-07-08T18:00")
    assert engine.deputies() == {"hf": ("wh",)}
    started = engine.start("city-plan@hf", WH)
    assert started.unit == "hf" and started.actor == WH.person  # recorded as acting for hf
    clock.set(datetime(2020, 7, 8, 18))
    assert engine.deputies() == {}
    with pytest.raises(NotAuthorized):
        engine.complete("city-plan@hf", WH)
    with pytest.raises(NotAuthorized):
        engine.appoint_deputy("hf", WH, deputy="finance", until=datetime(2020, 7, 9))  # only hf or a superior
    with pytest.raises(InvalidTransition):
        engine.appoint_deputy("hf", PROV, deputy="wh", until=datetime(2020, 7, 1))  # in the past
    assert replay("ah-test", engine.store.read("ah-test")) == engine.state


# -- the reference model -------------------------------------------------------------------

PARENT = {"ah": None, "ah-fpb": "ah", "hf": "ah", "wh": "ah", "finance": "ah", "audit": "ah"}
ISSUER = "ah-fpb"
UNITS = sorted(PARENT)
T0 = datetime(2020, 7, 1, 9)


def _superiors(unit):
    out, up = [], PARENT[unit]
    while up is not None:
        out.append(up)
        up = PARENT[up]
    return [*out, ISSUER]


class Model:
    """Who may do what to task city-plan@hf (lead hf, no partners), and to whom stand-ins give it."""

    def __init__(self):
        self.lead, self.delegate, self.deputies, self.now = "hf", None, [], T0

    def acts(self, unit, target):
        return unit == target or any(u == target and d == unit and self.now < until for u, d, until in self.deputies)

    def allowed(self, op, unit):
        if op in ("start", "complete"):
            units = [self.lead] + ([self.delegate] if self.delegate else [])
        elif op in ("submit", "delegate", "recall"):
            units = [self.lead]
        elif op in ("reassign", "cancel"):
            units = _superiors(self.lead)
        else:
            raise AssertionError(op)
        return any(self.acts(unit, u) for u in units)


OPS = st.one_of(
    st.tuples(st.sampled_from(["start", "complete", "submit", "delegate", "recall", "reassign", "cancel"]),
              st.sampled_from(UNITS), st.sampled_from(UNITS)),
    st.tuples(st.just("deputy"), st.sampled_from(UNITS), st.sampled_from(UNITS), st.sampled_from(UNITS),
              st.integers(1, 72)),
    st.tuples(st.just("wait"), st.integers(1, 48)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(OPS, max_size=30))
def test_authorisation_follows_the_reference_model(plugins, ops):
    clock = ManualClock(T0)
    engine = Engine.open(small_campaign(), MemoryStore(), plugins=plugins, clock=clock)
    model = Model()
    actor = {u: Actor(f"p.{u}", {u}) for u in UNITS}
    task = "city-plan@hf"
    for op in ops:
        if op[0] == "wait":
            model.now += timedelta(hours=op[1])
            clock.set(model.now)
            continue
        if op[0] == "deputy":
            _, unit, deputy, by, hours = op
            expected = by in (unit, *_superiors(unit))  # directly: a stand-in appoints no one
            until = model.now + timedelta(hours=hours)
            try:
                engine.appoint_deputy(unit, actor[by], deputy=deputy, until=until)
                assert expected and deputy != unit
                model.deputies.append((unit, deputy, until.replace(second=0, microsecond=0)))
            except NotAuthorized:
                assert not expected
            except InvalidTransition:
                assert expected and deputy == unit
            continue
        name, unit, other = op
        expected = model.allowed(name, unit)
        call = getattr(engine, name)
        kwargs = {"to": other} if name in ("delegate", "reassign") else {}
        if name == "cancel":
            kwargs["reason"] = "r"
        try:
            event = call(task, actor[unit], **kwargs)
        except NotAuthorized:
            assert not expected, (op, model.__dict__)
            continue
        except (InvalidTransition, TransitionError):
            assert expected, (op, model.__dict__)
            continue
        except KeyError:  # an unknown unit is not a question of authorisation
            continue
        assert expected, (op, model.__dict__)
        if name == "delegate":
            model.delegate = other
        elif name == "recall":
            model.delegate = None
        elif name == "reassign":
            model.lead = other
        elif name == "complete" and event.unit == model.delegate and model.delegate != model.lead:
            model.delegate = None
    assert replay("ah-test", engine.store.read("ah-test")) == engine.state


def test_cli_delegate_recall_and_deputy(tmp_path):
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from campaignflow.cli.main import cli

    plan = Path(__file__).with_name("data") / "office.toml"
    db = str(tmp_path / "office.db")
    run = lambda *a: CliRunner().invoke(cli, ["run", *a], catch_exceptions=False)  # noqa: E731
    assert run("init", str(plan), "--db", db, "--now", "2020-07-01T09:00").exit_code == 0
    out = run("delegate", "city-plan@hf", "--to", "wh", "--as", "hf", "--db", db, "--now", "2020-07-02T09:00")
    assert out.exit_code == 0 and "delegated" in out.output
    assert run("start", "city-plan@hf", "--as", "wh", "--db", db, "--now", "2020-07-02T10:00").exit_code == 0
    assert run("recall", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-02T11:00").exit_code == 0
    assert run("complete", "city-plan@hf", "--as", "wh", "--db", db, "--now", "2020-07-02T12:00").exit_code == 2
    dep = run("deputy", "hf", "--deputy", "wh", "--until", "2020-07-03", "--as", "ah", "--db", db,
              "--now", "2020-07-02T12:00", "--format", "json")
    assert json.loads(dep.output)["event"]["ref"] == "2020-07-04T00:00"
    assert run("complete", "city-plan@hf", "--as", "wh", "--db", db, "--now", "2020-07-03T12:00").exit_code == 0
