"""Hypothesis: the engine against a simple reference model of the state machine, and replay = live state."""

from __future__ import annotations

import functools
from datetime import date

from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from runtime_support import T0

from campaignflow.errors import InvalidTransition, NotAuthorized
from campaignflow.model import Approval, Campaign, Dependency, Task, Unit
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Actor, Engine, ManualClock, MemoryStore, SQLiteStore, State, apply, replay

_UNITS = {u.id: u for u in [Unit("boss", "领导小组"), Unit("a", "甲", parent="boss"), Unit("b", "乙", parent="boss"),
                            Unit("x", "丙", parent="boss"), Unit("y", "丁", parent="a")]}
_TASKS = [
    Task("t1", "一", lead="a", partners=("b",), approvals=(Approval(by="x"),)),
    Task("t2", "二", lead="b", after=(Dependency("t1"),),
         approvals=(Approval(by=("x", "y"), mode="all"), Approval(by="a"))),
    Task("t3", "三", lead="a", after=(Dependency("t1"),)),
    Task("t4", "四", lead="x", after=(Dependency("t2"), Dependency("t3")), approvals=(Approval(by=("a", "b"),
                                                                                              mode="any"),)),
    Task("t5", "五", lead="y"),
]
CAMPAIGN = Campaign(id="model", name="模型", start=date(2020, 7, 1), end=date(2020, 12, 31), issuer="boss",
                    units=_UNITS, tasks={t.id: t for t in _TASKS})
ACTORS = [Actor("pa", {"a"}), Actor("pb", {"b"}), Actor("px", {"x"}), Actor("py", {"y"}), Actor("pboss", {"boss"}),
          Actor("pab", {"a", "b"}), Actor("pxa", {"x", "a"})]
ACTIONS = ["start", "complete", "submit", "approve", "reject", "reassign", "cancel"]
PLUGINS = create_plugin_manager(entry_points=False, use_env=False)


class Reference:
    """The state machine of docs/embedding.md, written plainly, with nothing shared with the engine."""

    def __init__(self) -> None:
        self.phase = {t.id: "new" for t in _TASKS}
        self.step = {t.id: 0 for t in _TASKS}
        self.approved: dict[str, set[str]] = {t.id: set() for t in _TASKS}
        self.lead = {t.id: t.lead for t in _TASKS}
        self.submitter: dict[str, str | None] = {t.id: None for t in _TASKS}
        # Who did the work, kept for good (a reassignment does not wash it): persons and units.
        self.workers: dict[str, set[str]] = {t.id: set() for t in _TASKS}
        self.work_units: dict[str, set[str]] = {t.id: set() for t in _TASKS}
        self.tasks = {t.id: t for t in _TASKS}

    def state(self, tid: str) -> str:
        if self.phase[tid] != "new":
            return self.phase[tid]
        ok = all(self.phase[d.task] in ("done", "cancelled") for d in self.tasks[tid].after)
        return "ready" if ok else "waiting"

    def superiors(self, unit: str) -> set[str]:
        out, u = {"boss"}, _UNITS[unit].parent
        while u is not None:
            out.add(u)
            u = _UNITS[u].parent
        return out

    def act(self, action: str, tid: str, actor: Actor, target: str) -> str:
        """Carry the action out; return "ok", "NotAuthorized" or "InvalidTransition"."""
        task, state, lead = self.tasks[tid], self.state(tid), self.lead[tid]
        mine = actor.units
        if action in ("start", "complete", "submit"):
            if not mine & ({lead} | set(task.partners)):
                return "NotAuthorized"
            if action == "start" and state in ("ready", "rejected"):
                self.phase[tid] = "active"
            elif action == "complete" and state == "active":
                self.phase[tid] = "completed" if task.approvals else "done"
            elif action == "submit" and state in ("active", "completed") and task.approvals:
                self.phase[tid], self.step[tid], self.approved[tid] = "submitted", 0, set()
                self.submitter[tid] = actor.person
            else:
                return "InvalidTransition"
            self.workers[tid].add(actor.person)
            self.work_units[tid].add(next(u for u in (lead, *task.partners) if u in mine))
            return "ok"
        if action in ("approve", "reject"):
            if not task.approvals:
                return "InvalidTransition"
            if not mine & {u for a in task.approvals for u in a.by}:
                return "NotAuthorized"
            if state != "submitted":
                return "InvalidTransition"
            step = task.approvals[self.step[tid]]
            pending = [u for u in step.by if u not in self.approved[tid]]
            acting = [u for u in pending if u in mine]
            if (not acting or mine & ({lead} | self.work_units[tid]) or actor.person == self.submitter[tid]
                    or actor.person in self.workers[tid]):
                return "NotAuthorized"
            if action == "reject":
                self.phase[tid], self.step[tid], self.approved[tid] = "rejected", 0, set()
            elif step.mode == "all" and len(pending) > 1:
                self.approved[tid].add(acting[0])
            elif self.step[tid] + 1 == len(task.approvals):
                self.phase[tid] = "done"
            else:
                self.step[tid] += 1
                self.approved[tid] = set()
            return "ok"
        if not mine & self.superiors(lead):
            return "NotAuthorized"
        if state in ("done", "cancelled") or (action == "reassign" and target == lead):
            return "InvalidTransition"
        if action == "cancel":
            self.phase[tid] = "cancelled"
        else:
            self.lead[tid] = target
        return "ok"


def _call(engine: Engine, action: str, tid: str, actor: Actor, target: str, key: str | None = None) -> str:
    try:
        if action == "reject":
            engine.reject(tid, actor, reason="不合格", key=key)
        elif action == "reassign":
            engine.reassign(tid, actor, to=target, key=key)
        else:
            getattr(engine, action)(tid, actor, key=key)
    except NotAuthorized:
        return "NotAuthorized"
    except InvalidTransition:
        return "InvalidTransition"
    return "ok"


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore()
        self.engine = Engine.open(CAMPAIGN, self.store, plugins=PLUGINS, clock=ManualClock(T0))
        self.model = Reference()
        self.calls = 1  # the opened event
        self.keyed: list[tuple[str, str, Actor, str, str]] = []

    @rule(action=st.sampled_from(ACTIONS), tid=st.sampled_from([t.id for t in _TASKS]),
          actor=st.sampled_from(ACTORS), to=st.sampled_from(sorted(_UNITS)), keyed=st.booleans())
    def act(self, action, tid, actor, to, keyed):
        target = to
        key = f"k{self.calls}" if keyed else None
        expected = self.model.act(action, tid, actor, target)
        got = _call(self.engine, action, tid, actor, target, key)
        assert got == expected, (action, tid, actor, got, expected)
        self.calls += 1
        if keyed and got == "ok":
            self.keyed.append((action, tid, actor, target, key))

    @rule(data=st.data())
    def progress(self, data):
        # Inputs likely to be legal, so that runs reach approvals and done tasks; the
        # expected outcome still comes from the model alone.
        tid = data.draw(st.sampled_from([t.id for t in _TASKS]))
        task, state = self.model.tasks[tid], self.model.state(tid)
        nexts = {"ready": ["start"], "rejected": ["start"], "active": ["complete", "submit"],
                 "completed": ["submit"], "submitted": ["approve", "approve", "reject"]}.get(state, ["cancel"])
        action = data.draw(st.sampled_from(nexts))
        if action in ("approve", "reject"):
            units = set(task.approvals[self.model.step[tid]].by) - self.model.approved[tid]
        else:
            units = {self.model.lead[tid], *task.partners}
        fitting = [a for a in ACTORS if a.units & units] or ACTORS
        self.act(action, tid, data.draw(st.sampled_from(fitting)), "boss", data.draw(st.booleans()))

    @precondition(lambda self: self.keyed)
    @rule(data=st.data())
    def retry_a_keyed_request(self, data):
        action, tid, actor, target, key = data.draw(st.sampled_from(self.keyed))
        seq = self.engine.seq
        assert _call(self.engine, action, tid, actor, target, key) == "ok"
        assert self.engine.seq == seq  # acted once, whatever the retries

    @rule()
    def reopen(self):
        # A new process on the same store rebuilds the same state from the log.
        again = Engine.open(CAMPAIGN, self.store, plugins=PLUGINS, clock=ManualClock(T0))
        assert again.state == self.engine.state
        self.engine = again

    @invariant()
    def same_states_as_the_model(self):
        for t in _TASKS:
            assert str(self.engine.task(t.id).state) == self.model.state(t.id), t.id
            assert self.engine.task(t.id).lead == self.model.lead[t.id]
        assert self.engine.seq == self.calls
        event(f"done tasks: {sum(self.model.phase[t.id] == 'done' for t in _TASKS)}")

    @invariant()
    def replay_gives_the_live_state(self):
        events = list(self.store.read(CAMPAIGN.id))
        assert replay(CAMPAIGN.id, events) == self.engine.state
        assert functools.reduce(apply, events, State(CAMPAIGN.id)) == self.engine.state


TestEngineMachine = EngineMachine.TestCase
TestEngineMachine.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from([t.id for t in _TASKS]), st.sampled_from(ACTORS),
                          st.sampled_from(sorted(_UNITS))), max_size=40))
def test_a_replayed_sqlite_log_gives_the_same_state(calls):
    store = SQLiteStore(":memory:")
    engine = Engine.open(CAMPAIGN, store, plugins=PLUGINS, clock=ManualClock(T0))
    for action, tid, actor, target in calls:
        _call(engine, action, tid, actor, target)
    reopened = Engine.open(CAMPAIGN, store, plugins=PLUGINS, clock=ManualClock(T0))
    assert reopened.state == engine.state
    assert [reopened.task(t.id) for t in _TASKS] == [engine.task(t.id) for t in _TASKS]
    reopened.verify()
    store.close()
