"""Hypothesis stateful: transitions, ticks, extensions, delegations and amendments against a reference model.

The model is written plainly from docs/embedding.md (who may do what, the timers of the
ladder, what an amendment keeps and refuses) and shares nothing with the engine; after
every step the engine's views equal the model's, and the state replayed from the log equals
the live state.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from campaignflow.errors import AmendmentRefused, TransitionError
from campaignflow.model import AlertLevel, Campaign, Dependency, Lag, Reminder, Supervision, Task, Unit, Window
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Actor, Engine, ManualClock, MemoryStore, replay

PLUGINS = create_plugin_manager(entry_points=False, use_env=False)
PARENT = {"boss": None, "a": "boss", "b": "boss", "x": "boss", "y": "a"}
UNITS = {u: Unit(u, u.upper(), parent=p) for u, p in PARENT.items()}
LADDER = Supervision(reminders=(Reminder(Lag(1)),),
                     levels=(AlertLevel("blue", Lag(0), "lead"), AlertLevel("orange", Lag(2), "parent")))
T0 = datetime(2020, 7, 1, 9)
ACTORS = [Actor(f"p{u}", {u}) for u in PARENT] + [Actor("pab", {"a", "b"})]


def plan(version: int) -> Campaign:
    """Even versions: plan A; odd: plan B (t5 renamed t5b, t3's deadline moved, a task t9 added)."""
    b = version % 2 == 1
    tasks = [
        Task("t1", "一", lead="a", window=Window(due=date(2020, 7, 10))),
        Task("t2", "二", lead="b", after=(Dependency("t1"),), window=Window(due=date(2020, 7, 15))),
        Task("t3", "三", lead="a", window=Window(due=date(2020, 7, 25 if b else 20))),
        Task("t5b" if b else "t5", "五", lead="y", window=Window(due=date(2020, 7, 12)),
             renamed_from="t5" if b else "t5b"),
    ]
    if b:
        tasks.append(Task("t9", "九", lead="b", window=Window(due=date(2020, 7, 18))))
    return Campaign(id="sup", name="督办", start=date(2020, 7, 1), end=date(2020, 12, 31), issuer="boss",
                    units=UNITS, tasks={t.id: t for t in tasks}, supervision=LADDER)


def superiors(unit: str) -> set[str]:
    out, up = {"boss"}, PARENT[unit]
    while up is not None:
        out.add(up)
        up = PARENT[up]
    return out


class Rec:
    def __init__(self, lead: str) -> None:
        self.phase, self.lead, self.delegate = "new", lead, None
        self.due: datetime | None = None
        self.requested: datetime | None = None
        self.requested_by: str | None = None
        self.fired: set[str] = set()


class Model:
    def __init__(self) -> None:
        self.version = 0
        self.recs: dict[str, Rec] = {}
        self.now = T0

    @property
    def campaign(self) -> Campaign:
        return plan(self.version)

    def rec(self, tid: str) -> Rec:
        if tid not in self.recs:
            self.recs[tid] = Rec(self.campaign.tasks[tid].lead)
        return self.recs[tid]

    def state(self, tid: str) -> str:
        r = self.rec(tid)
        if r.phase != "new":
            return r.phase
        after = self.campaign.tasks[tid].after
        return "ready" if all(self.rec(d.task).phase in ("done", "cancelled") for d in after) else "waiting"

    def deadline(self, tid: str) -> datetime:
        r = self.rec(tid)
        day = self.campaign.tasks[tid].window.due
        return r.due or datetime.combine(day + timedelta(days=1), datetime.min.time())

    def act(self, action: str, tid: str, actor: Actor, to: str, days: int) -> bool:
        """Whether the engine must accept it; applies it to the model when it does."""
        r, state = self.rec(tid), self.state(tid)
        open_ = state not in ("done", "cancelled")
        if action in ("start", "complete"):
            units = [r.lead] + ([r.delegate] if r.delegate else [])
            acting = next((u for u in units if actor.acts_for(u)), None)
            if acting is None:
                return False
            if action == "start":
                if state != "ready":
                    return False
                r.phase = "active"
            elif state == "active":
                if acting == r.delegate and acting != r.lead:
                    r.phase, r.delegate = "completed", None
                else:
                    r.phase = "done"
            elif state == "completed":
                r.phase = "done"
            else:
                return False
            return True
        if action == "cancel":
            if not any(actor.acts_for(u) for u in superiors(r.lead)) or not open_:
                return False
            r.phase = "cancelled"
            return True
        if action == "delegate":
            if not actor.acts_for(r.lead) or state not in ("waiting", "ready", "active"):
                return False
            if to == r.lead or r.delegate is not None:
                return False
            r.delegate = to
            return True
        if action == "request":
            until = self.deadline(tid) + timedelta(days=days)
            if not actor.acts_for(r.lead) or not open_ or r.requested is not None or days < 1:
                return False
            r.requested, r.requested_by = until, actor.person
            return True
        if action == "grant":
            if not any(actor.acts_for(u) for u in superiors(r.lead)) or not open_:
                return False
            if r.requested is None or actor.person == r.requested_by:
                return False
            r.due, r.requested, r.requested_by = r.requested, None, None
            return True
        raise AssertionError(action)

    def tick(self) -> set[tuple[str, str]]:
        fired = set()
        for tid in self.campaign.tasks:
            r = self.rec(tid)
            if self.state(tid) in ("done", "cancelled"):
                continue
            d = self.deadline(tid)
            stamp = f"{d:%Y-%m-%dT%H:%M}"
            timers = [(f"remind:0@{stamp}", d - timedelta(days=1), self.now < d), (f"due@{stamp}", d, True),
                      (f"level:blue@{stamp}", d, True), (f"level:orange@{stamp}", d + timedelta(days=2), True)]
            for timer, when, ok in timers:
                if when <= self.now and ok and timer not in r.fired:
                    r.fired.add(timer)
                    fired.add((tid, timer))
        return fired

    def amend(self) -> bool:
        new = plan(self.version + 1)
        old = self.campaign
        for tid in old.tasks:
            renamed = any(t.renamed_from == tid for t in new.tasks.values())
            if tid not in new.tasks and not renamed and self.rec(tid).phase in ("active", "completed", "done"):
                return False
        for t in new.tasks.values():
            if t.renamed_from in old.tasks and t.id not in old.tasks and t.renamed_from in self.recs:
                self.recs[t.id] = self.recs.pop(t.renamed_from)
        self.version += 1
        return True


class Supervised(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(T0)
        self.engine = Engine.open(plan(0), MemoryStore(), plugins=PLUGINS, clock=self.clock)
        self.model = Model()

    @rule(action=st.sampled_from(["start", "complete", "cancel", "delegate", "request", "grant"]),
          which=st.integers(0, 4), actor=st.sampled_from(ACTORS), to=st.sampled_from(sorted(PARENT)),
          days=st.integers(0, 5))
    def act(self, action, which, actor, to, days):
        tid = list(self.model.campaign.tasks)[which % len(self.model.campaign.tasks)]
        until = self.model.deadline(tid) + timedelta(days=days)
        expected = self.model.act(action, tid, actor, to, days)
        call = {"start": lambda: self.engine.start(tid, actor), "complete": lambda: self.engine.complete(tid, actor),
                "cancel": lambda: self.engine.cancel(tid, actor, reason="撤销"),
                "delegate": lambda: self.engine.delegate(tid, actor, to=to),
                "request": lambda: self.engine.request_extension(tid, actor, until=until, reason="延期"),
                "grant": lambda: self.engine.grant_extension(tid, actor)}[action]
        try:
            call()
            accepted = True
        except TransitionError:
            accepted = False
        assert accepted == expected, (action, tid, actor, to, days)

    @rule(hours=st.integers(1, 96))
    def wait(self, hours):
        self.model.now += timedelta(hours=hours)
        self.clock.set(self.model.now)

    @rule()
    def tick(self):
        got = {(e.task, e.ref) for e in self.engine.tick()}
        assert got == self.model.tick()

    @rule()
    def amend(self):
        expected = self.model.amend()
        try:
            self.engine.amend(plan(self.model.version if expected else self.model.version + 1), apply=True)
            accepted = True
        except AmendmentRefused:
            accepted = False
        assert accepted == expected

    @invariant()
    def views_match_the_model(self):
        assert set(self.engine.plan.tasks) == set(self.model.campaign.tasks)
        for tid in self.model.campaign.tasks:
            view, r = self.engine.task(tid), self.model.rec(tid)
            assert (str(view.state), view.lead, view.delegate, view.due) == (
                self.model.state(tid), r.lead, r.delegate, self.model.deadline(tid)), tid

    @invariant()
    def replay_equals_live_state(self):
        assert replay("sup", self.engine.store.read("sup")) == self.engine.state


TestSupervised = Supervised.TestCase
TestSupervised.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
