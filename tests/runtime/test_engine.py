"""The engine's transitions, authorisation, approvals, dependencies and queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from campaignflow.errors import ConcurrencyConflict, InvalidTransition, NotAuthorized, UnknownTaskError
from campaignflow.model import Approval, Task, Window
from campaignflow.runtime import TRANSITIONS, Action, Actor, EventKind, MemoryStore, TaskState, replay

from runtime_support import AUD, FIN, FPB, HF, PROV, WH, small_campaign


def _finish_city_plan(engine, unit_actor, tid):
    engine.start(tid, unit_actor)
    engine.submit(tid, unit_actor)
    engine.approve(tid, FPB)


def test_a_task_is_ready_only_when_every_prerequisite_is_done_and_approved(engine, clock):
    assert engine.task("exchange-meeting").state is TaskState.WAITING
    _finish_city_plan(engine, HF, "city-plan@hf")
    engine.start("city-plan@wh", WH)
    engine.submit("city-plan@wh", WH)
    # Submitted is not approved: the meeting still waits.
    assert engine.task("exchange-meeting").state is TaskState.WAITING
    engine.approve("city-plan@wh", FPB)
    assert engine.task("exchange-meeting").state is TaskState.READY


def test_start_before_the_window_opens_is_refused_and_changes_nothing(engine, clock):
    _finish_city_plan(engine, HF, "city-plan@hf")
    _finish_city_plan(engine, WH, "city-plan@wh")
    before = engine.state
    with pytest.raises(InvalidTransition, match="may not start before 2020-08-03"):
        engine.start("exchange-meeting", FPB)
    assert engine.state.records == before.records
    clock.set(datetime(2020, 8, 3, 8))
    assert engine.start("exchange-meeting", FPB).to_state == "active"


def test_a_calendar_day_lag_holds_the_dependent_back(engine, clock):
    _finish_city_plan(engine, HF, "city-plan@hf")
    _finish_city_plan(engine, WH, "city-plan@wh")
    clock.set(datetime(2020, 10, 16, 10))
    engine.start("exchange-meeting", FPB)
    engine.complete("exchange-meeting", FPB)
    assert engine.task("report").state is TaskState.READY
    assert engine.task("report").opens == datetime(2020, 10, 18, 10)
    with pytest.raises(InvalidTransition):
        engine.start("report", FPB)
    clock.set(datetime(2020, 10, 18, 10))
    engine.start("report", FPB)


def test_only_the_lead_or_a_partner_may_work_on_a_task(engine):
    with pytest.raises(NotAuthorized) as info:
        engine.start("city-plan@hf", WH)
    assert info.value.task_id == "city-plan@hf" and info.value.actor == "zhao.wh"
    assert info.value.state == "ready"
    # Naming a unit the person does not act for is refused too.
    with pytest.raises(NotAuthorized):
        engine.start("city-plan@hf", WH, unit="hf")
    event = engine.start("city-plan@hf", Actor("li.hf", {"wh", "hf"}), unit="hf")
    assert event.unit == "hf"


def test_partners_may_work_but_not_approve_for_the_lead(engine, clock):
    _finish_city_plan(engine, HF, "city-plan@hf")
    _finish_city_plan(engine, WH, "city-plan@wh")
    clock.set(datetime(2020, 8, 4))
    event = engine.start("exchange-meeting", WH)
    assert (event.unit, event.to_state) == ("wh", "active")


def test_refusals_are_audited(engine):
    seq = engine.seq
    with pytest.raises(NotAuthorized):
        engine.approve("city-plan@hf", WH)
    with pytest.raises(InvalidTransition):
        engine.complete("city-plan@hf", HF)
    refused = engine.history(task="city-plan@hf")
    assert [(e.kind, e.ref, e.actor) for e in refused] == [
        (EventKind.REFUSED, "approve", "zhao.wh"), (EventKind.REFUSED, "complete", "li.hf")]
    assert engine.seq == seq + 2
    assert engine.task("city-plan@hf").state is TaskState.READY


def test_refusals_need_not_be_audited(make_engine):
    engine = make_engine(audit_refusals=False)
    with pytest.raises(NotAuthorized):
        engine.start("city-plan@hf", WH)
    assert engine.seq == 1


def test_self_approval_is_refused_unless_the_plan_allows_it(make_engine):
    tasks = {"own": Task("own", "本单位事项", lead="ah-fpb", approvals=(Approval(by="ah-fpb"),))}
    strict = make_engine(small_campaign(tasks=tasks))
    strict.start("own", FPB)
    strict.submit("own", FPB)
    with pytest.raises(NotAuthorized, match="self-approval"):
        strict.approve("own", FPB)
    # A colleague in the same office is still the lead's own unit.
    with pytest.raises(NotAuthorized):
        strict.approve("own", Actor("colleague", {"ah-fpb"}))
    lenient = make_engine(small_campaign(tasks=tasks, allow_self_approval=True))
    lenient.start("own", FPB)
    lenient.submit("own", FPB)
    assert lenient.approve("own", FPB).to_state == "done"


def test_a_person_in_both_lead_and_approver_unit_cannot_approve(engine):
    both = Actor("wu", {"hf", "ah-fpb"})
    engine.start("city-plan@hf", both, unit="hf")
    engine.submit("city-plan@hf", both, unit="hf")
    with pytest.raises(NotAuthorized, match="self-approval"):
        engine.approve("city-plan@hf", both, unit="ah-fpb")


def test_approval_steps_in_order_with_countersign_and_any(engine):
    engine.start("budget", FPB)
    engine.complete("budget", FPB)
    assert engine.task("budget").state is TaskState.COMPLETED
    engine.submit("budget", FPB)
    view = engine.task("budget")
    assert (view.step, view.approvers) == (0, ("finance", "audit"))
    # Step 2's approvers may not act while step 1 is pending.
    with pytest.raises(NotAuthorized):
        engine.approve("budget", HF)
    first = engine.approve("budget", FIN)
    assert first.ref == "partial" and engine.task("budget").approvers == ("audit",)
    with pytest.raises(NotAuthorized):
        engine.approve("budget", FIN)  # finance has given its part already
    engine.approve("budget", AUD)
    view = engine.task("budget")
    assert (view.state, view.step, view.approvers) == (TaskState.SUBMITTED, 1, ("hf", "wh"))
    last = engine.approve("budget", WH)  # 或签: one city decides
    assert last.to_state == "done" and engine.task("budget").state is TaskState.DONE


def test_a_rejection_needs_a_reason_and_sends_the_task_back_to_step_one(engine):
    engine.start("budget", FPB)
    engine.submit("budget", FPB)
    engine.approve("budget", FIN)
    engine.approve("budget", AUD)
    with pytest.raises(InvalidTransition, match="reason"):
        engine.reject("budget", HF, reason="  ")
    event = engine.reject("budget", HF, reason="金额过高")
    assert (event.from_state, event.to_state, event.step, event.reason) == ("submitted", "rejected", 1, "金额过高")
    view = engine.task("budget")
    assert (view.state, view.rejections, view.reason) == (TaskState.REJECTED, 1, "金额过高")
    with pytest.raises(InvalidTransition):
        engine.submit("budget", FPB)
    engine.start("budget", FPB)
    engine.submit("budget", FPB)
    assert engine.task("budget").approvers == ("finance", "audit")


def test_reassign_and_cancel_need_a_superior(engine):
    with pytest.raises(NotAuthorized):
        engine.reassign("city-plan@hf", HF, to="wh")
    event = engine.reassign("city-plan@hf", PROV, to="wh", reason="合肥市无法承办")
    assert (event.target, event.unit) == ("wh", "ah")
    assert engine.task("city-plan@hf").lead == "wh"
    with pytest.raises(NotAuthorized):
        engine.start("city-plan@hf", HF)
    engine.start("city-plan@hf", WH)
    with pytest.raises(UnknownTaskError):
        engine.reassign("city-plan@hf", PROV, to="nowhere")
    with pytest.raises(NotAuthorized):
        engine.cancel("city-plan@wh", WH, reason="不做了")
    engine.cancel("city-plan@wh", FPB, reason="合并办理")  # the issuer
    assert engine.task("city-plan@wh").state is TaskState.CANCELLED
    with pytest.raises(InvalidTransition):
        engine.cancel("city-plan@wh", FPB)


def test_a_cancelled_prerequisite_no_longer_holds_dependents_back(engine):
    _finish_city_plan(engine, HF, "city-plan@hf")
    engine.cancel("city-plan@wh", FPB, reason="合并办理")
    assert engine.task("exchange-meeting").state is TaskState.READY


def test_every_illegal_transition_raises_and_changes_no_task(make_engine, clock):
    # Drive one task through every state and try every action that is not legal there.
    actors = {Action.START: HF, Action.COMPLETE: HF, Action.SUBMIT: HF, Action.APPROVE: FPB,
              Action.REJECT: FPB, Action.CANCEL: FPB, Action.REASSIGN: FPB, Action.REQUEST_EXTENSION: HF,
              Action.GRANT_EXTENSION: FPB, Action.REFUSE_EXTENSION: FPB, Action.DELEGATE: HF, Action.RECALL: HF,
              Action.RECEIVE: FPB}
    path = [(None, TaskState.READY), (Action.START, TaskState.ACTIVE), (Action.COMPLETE, TaskState.COMPLETED),
            (Action.SUBMIT, TaskState.SUBMITTED), (Action.REJECT, TaskState.REJECTED),
            (Action.START, TaskState.ACTIVE), (Action.SUBMIT, TaskState.SUBMITTED),
            (Action.APPROVE, TaskState.DONE)]
    engine = make_engine()
    do = {Action.START: engine.start, Action.COMPLETE: engine.complete, Action.SUBMIT: engine.submit,
          Action.APPROVE: engine.approve, Action.CANCEL: engine.cancel,
          Action.REQUEST_EXTENSION: lambda t, a: engine.request_extension(t, a, until=date(2020, 9, 1), reason="x"),
          Action.GRANT_EXTENSION: engine.grant_extension,
          Action.REFUSE_EXTENSION: lambda t, a: engine.refuse_extension(t, a, reason="x"),
          Action.DELEGATE: lambda t, a: engine.delegate(t, a, to="wh"), Action.RECALL: engine.recall,
          Action.RECEIVE: engine.receive}
    tried = 0
    for action, expected in path:
        if action is Action.REJECT:
            engine.reject("city-plan@hf", FPB, reason="重写")
        elif action is not None:
            do[action]("city-plan@hf", actors[action])
        assert engine.task("city-plan@hf").state is expected
        for illegal in Action:
            if (expected, illegal) in TRANSITIONS or illegal is Action.REASSIGN:
                continue
            before = engine.state.records
            with pytest.raises(InvalidTransition):
                if illegal is Action.REJECT:
                    engine.reject("city-plan@hf", actors[illegal], reason="x")
                else:
                    do[illegal]("city-plan@hf", actors[illegal])
            tried += 1
            assert engine.state.records == before
    assert tried >= 20


def test_unknown_tasks_are_typed_errors(engine):
    with pytest.raises(UnknownTaskError, match="no task 'nope'"):
        engine.start("nope", HF)
    with pytest.raises(UnknownTaskError):
        engine.task("nope")


def test_idempotency_keys_make_retries_harmless(engine):
    first = engine.start("city-plan@hf", HF, key="req-1")
    again = engine.start("city-plan@hf", HF, key="req-1")
    assert again == first and engine.seq == first.seq
    with pytest.raises(InvalidTransition, match="idempotency key"):
        engine.complete("city-plan@hf", HF, key="req-1")
    # A second engine on the same store (another worker) honours the key too.
    other = type(engine).open(engine.campaign, engine.store, plugins=engine.plugins, clock=engine.clock)
    assert other.start("city-plan@hf", HF, key="req-1") == first


def test_an_idempotency_key_reused_with_other_arguments_is_refused(engine):
    # Same action, task and person, but a different target, unit or reason: another request.
    first = engine.reassign("budget", PROV, to="hf", key="re-1")
    with pytest.raises(InvalidTransition, match="idempotency key"):
        engine.reassign("budget", PROV, to="wh", key="re-1")
    assert engine.task("budget").lead == "hf" and engine.seq == first.seq + 1
    engine.reassign("budget", PROV, to="ah-fpb")
    engine.start("budget", FPB)
    engine.submit("budget", FPB)
    both = Actor("ma.both", {"finance", "audit"})
    engine.approve("budget", both, unit="finance", key="ap-1")
    with pytest.raises(InvalidTransition, match="idempotency key"):
        engine.approve("budget", both, unit="audit", key="ap-1")
    assert engine.task("budget").approvers == ("audit",)
    assert engine.approve("budget", both, unit="finance", key="ap-1").unit == "finance"
    assert engine.approve("budget", both, key="ap-1").unit == "finance"  # no unit named: the retry
    engine.approve("budget", Actor("li.audit", {"audit"}), unit="audit")  # 会签: another person signs
    engine.reject("budget", HF, reason="too high", key="rj-1")
    with pytest.raises(InvalidTransition, match="idempotency key"):
        engine.reject("budget", HF, reason="too low", key="rj-1")


def test_a_reused_idempotency_key_is_refused_and_audited_like_any_refusal(make_engine):
    engine = make_engine()
    first = engine.start("city-plan@hf", HF, key="req-1")
    with pytest.raises(InvalidTransition, match="idempotency key 'req-1' was already used") as info:
        engine.start("city-plan@wh", WH, key="req-1")
    assert (info.value.task_id, info.value.actor) == ("city-plan@wh", "zhao.wh")
    (refused,) = engine.history(task="city-plan@wh")
    assert (refused.kind, refused.ref, refused.actor, refused.key, refused.seq) == (
        EventKind.REFUSED, "start", "zhao.wh", None, first.seq + 1)
    assert "idempotency key 'req-1'" in refused.reason
    assert engine.task("city-plan@wh").state is TaskState.READY
    assert engine.start("city-plan@hf", HF, key="req-1") == first  # the real retry still gets its event
    quiet = make_engine(audit_refusals=False)
    quiet.start("city-plan@hf", HF, key="req-1")
    with pytest.raises(InvalidTransition, match="idempotency key"):
        quiet.start("city-plan@wh", WH, key="req-1")
    assert quiet.history(task="city-plan@wh") == []


def test_queries_for_an_unknown_unit_raise_instead_of_answering_nothing(engine):
    with pytest.raises(UnknownTaskError, match="no unit or group 'hefei'"):
        engine.tasks(unit="hefei")
    with pytest.raises(UnknownTaskError, match="no unit or group 'hefei'"):
        engine.agenda("hefei")
    assert engine.seq == 1


def test_queries_for_an_unknown_state_raise_a_typed_error(engine):
    with pytest.raises(UnknownTaskError, match="no task state 'bogus'; expected one of waiting, ready, active"):
        engine.tasks(state="bogus")
    with pytest.raises(UnknownTaskError, match="'Ready'"):
        engine.tasks(state=["done", "Ready"])
    assert len(engine.tasks(state=["ready", TaskState.WAITING])) == 5


def test_queries_by_state_unit_and_due_date(engine, clock):
    assert [v.id for v in engine.tasks(state="ready")] == ["city-plan@hf", "city-plan@wh", "budget"]
    assert [v.id for v in engine.tasks(unit="hf")] == ["city-plan@hf", "exchange-meeting"]
    assert [v.id for v in engine.tasks(unit="cities")] == ["city-plan@hf", "city-plan@wh", "exchange-meeting"]
    assert [v.id for v in engine.tasks(due_before=datetime(2020, 8, 2))] == ["city-plan@hf", "city-plan@wh"]
    assert [v.id for v in engine.tasks(due_after=datetime(2020, 10, 18))] == ["report"]
    aware = datetime(2020, 8, 1, 16, tzinfo=timezone(timedelta(hours=-8)))  # 2020-08-02 08:00 in Beijing
    assert len(engine.tasks(due_before=aware)) == 2
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    assert [v.id for v in engine.tasks(unit="ah-fpb", state=TaskState.SUBMITTED)] == ["city-plan@hf"]


def test_agenda_is_what_a_unit_must_do_this_week(engine, clock):
    # Work the unit can do now is on its agenda, however far its deadline (#17: a ready plan due
    # in four weeks used to be left off a 7-day agenda).
    assert [v.id for v in engine.agenda("hf")] == ["city-plan@hf"]
    clock.set(datetime(2020, 7, 27, 9))
    assert [v.id for v in engine.agenda("hf")] == ["city-plan@hf"]
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    assert engine.agenda("hf") == []
    # What the office must approve now is on its agenda with any horizon (step due Thu 09:00).
    assert [v.id for v in engine.agenda("ah-fpb")] == ["city-plan@hf", "budget"]
    assert [v.id for v in engine.agenda("ah-fpb", days=1)] == ["city-plan@hf", "budget"]
    assert engine.task("city-plan@hf").step_due == datetime(2020, 7, 30, 9)


def test_a_groups_agenda_is_its_units_agenda(engine, clock):
    clock.set(datetime(2020, 7, 27, 9))
    assert [v.id for v in engine.agenda("cities")] == ["city-plan@hf", "city-plan@wh"]
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    engine.start("budget", FPB)
    engine.submit("budget", FPB)
    engine.approve("budget", FIN)
    engine.approve("budget", AUD)  # step 2 is for any of the cities
    assert [v.id for v in engine.agenda("cities")] == ["city-plan@wh", "budget"]
    assert {v.id for u in ("hf", "wh") for v in engine.agenda(u)} == {"city-plan@wh", "budget"}


def test_state_is_a_replay_of_the_log(engine):
    _finish_city_plan(engine, HF, "city-plan@hf")
    engine.start("budget", FPB)
    with pytest.raises(NotAuthorized):
        engine.complete("budget", HF)
    assert replay(engine.campaign.id, engine.store.read(engine.campaign.id)) == engine.state


def test_reopening_with_a_changed_plan_is_refused_until_amended(make_engine):
    from campaignflow.errors import PlanChangedError

    store = MemoryStore()
    first = make_engine(store=store)
    first.start("city-plan@hf", HF)
    again = make_engine(store=store)
    assert again.seq == first.seq  # same plan: nothing appended
    changed = small_campaign(name="测试方案(修订)")
    with pytest.raises(PlanChangedError):
        make_engine(changed, store=store)
    assert first.amend(changed, apply=True).applied == 3
    third = make_engine(changed, store=store)
    assert third.history()[-1].kind is EventKind.AMENDED
    assert third.task("city-plan@hf").state is TaskState.ACTIVE


def test_views_serialise_to_json_ready_dicts(engine):
    data = engine.task("city-plan@hf").to_dict()
    assert data["state"] == "ready" and data["due"] == "2020-08-01T00:00:00"


def test_task_windows_fixed_on_a_day(make_engine, clock):
    on_day = {"ceremony": Task("ceremony", "仪式", lead="hf", window=Window(on=datetime(2020, 10, 17, 9)))}
    engine = make_engine(small_campaign(tasks=on_day))
    with pytest.raises(InvalidTransition):
        engine.start("ceremony", HF)
    clock.set(datetime(2020, 10, 17, 9))
    engine.start("ceremony", HF)


def test_a_stale_writer_gets_a_conflict_or_decides_again(make_engine):
    store = MemoryStore()
    first = make_engine(store=store, retries=0)
    second = make_engine(store=store, retries=0)
    first.start("city-plan@hf", HF)
    # `second` has not seen that event: its append is refused, and nothing is written.
    with pytest.raises(ConcurrencyConflict):
        second.start("city-plan@wh", WH)
    assert [e.kind for e in store.read("ah-test")] == [EventKind.OPENED, EventKind.STARTED]
    # It has caught up meanwhile, so the host's retry goes through.
    assert second.start("city-plan@wh", WH).seq == 3
    # With retries, the engine decides again on fresh state by itself: a duplicate start is refused.
    third = make_engine(store=store, retries=2)
    first.refresh()
    first.complete("city-plan@hf", HF)
    with pytest.raises(InvalidTransition, match="it is completed"):
        third.start("city-plan@hf", HF)


def test_threads_sharing_one_engine_never_act_twice(make_engine):
    import threading

    engine = make_engine()
    results: list[str] = []

    def worker() -> None:
        for tid in ("city-plan@hf", "budget"):
            actor = HF if tid == "city-plan@hf" else FPB
            try:
                engine.start(tid, actor)
                results.append(tid)
            except InvalidTransition:
                pass

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["budget", "city-plan@hf"]
    assert [e.kind for e in engine.history()].count(EventKind.STARTED) == 2
