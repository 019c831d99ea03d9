"""The task state machine and the pure reducer that derives state from events.

States of a task (``TaskState``)::

    waiting ──(prerequisites done)──▶ ready ──start──▶ active ──complete──▶ done
                                                          │  └──complete──▶ completed ──submit──┐
                                                          └──────────submit──────────────────────┤
                                                                                                 ▼
             rejected ◀──reject── submitted ──approve (last step)──▶ done
                │                    │  ▲
                └──start──▶ active   └──┘ approve (another step, or a 会签 step still open)

    any state but done/cancelled ──cancel──▶ cancelled;   reassign keeps the state.

``waiting`` and ``ready`` are not stored: a task that has not been started is
*ready* when every prerequisite is done (approved) or cancelled, else
*waiting*. ``completed`` is "work finished, not yet submitted for approval";
a task without approval steps goes from ``active`` straight to ``done``.

The reducer ``apply(state, event) -> state`` is pure and is the only code that
turns events into state, live and on replay.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType, SimpleNamespace
from typing import Any

import attrs

from .events import GENESIS, Event, EventKind

__all__ = ["TaskState", "Action", "TRANSITIONS", "TERMINAL", "TaskRecord", "State", "apply", "replay"]


class TaskState(enum.StrEnum):
    """A task's state at run time."""

    #: Some prerequisite is not done yet.
    WAITING = "waiting"
    #: Every prerequisite is done (and approved): the lead may start.
    READY = "ready"
    #: Started by the lead or a partner.
    ACTIVE = "active"
    #: Work finished; the lead has still to submit it for approval.
    COMPLETED = "completed"
    #: Submitted; an approval step is pending (``TaskView.step``).
    SUBMITTED = "submitted"
    #: An approver rejected it; back with the lead, who starts it again.
    REJECTED = "rejected"
    #: Finished and, where the plan asks for it, approved at every step.
    DONE = "done"
    #: Called off; no longer holds its dependents back.
    CANCELLED = "cancelled"


class Action(enum.StrEnum):
    """What an actor asks the engine to do to a task."""

    START = "start"
    COMPLETE = "complete"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    REASSIGN = "reassign"
    CANCEL = "cancel"
    #: 延期: the lead asks for a later deadline, with a reason (supervision, issue 16).
    REQUEST_EXTENSION = "request-extension"
    #: A superior of the lead grants the extension asked for (or another date); timers follow it.
    GRANT_EXTENSION = "grant-extension"
    #: A superior of the lead refuses it, with a reason.
    REFUSE_EXTENSION = "refuse-extension"
    #: 委派: the lead has another unit do the work; the lead keeps the task and the result returns to it.
    DELEGATE = "delegate"
    #: The lead takes a delegated task back before the delegate's result returns.
    RECALL = "recall"
    #: 签收: a recipient of the task's report (``reports_to``) confirms it has received it.
    RECEIVE = "receive"


#: States a task never leaves.
TERMINAL: frozenset[TaskState] = frozenset({TaskState.DONE, TaskState.CANCELLED})

_S = TaskState
_OPEN = tuple(s for s in TaskState if s not in TERMINAL)

#: The legal transitions: (state, action) -> the states the action may lead to.
#: ``complete`` leads to ``done`` for a task without approval steps, else ``completed``;
#: ``approve`` leads to ``done`` after the last step, else stays ``submitted``.
TRANSITIONS: Mapping[tuple[TaskState, Action], frozenset[TaskState]] = MappingProxyType({
    (_S.READY, Action.START): frozenset({_S.ACTIVE}),
    (_S.REJECTED, Action.START): frozenset({_S.ACTIVE}),
    (_S.ACTIVE, Action.COMPLETE): frozenset({_S.DONE, _S.COMPLETED}),
    # A delegate's finished work returns to the lead as ``completed``; the lead finishes it.
    (_S.COMPLETED, Action.COMPLETE): frozenset({_S.DONE}),
    (_S.ACTIVE, Action.SUBMIT): frozenset({_S.SUBMITTED}),
    (_S.COMPLETED, Action.SUBMIT): frozenset({_S.SUBMITTED}),
    (_S.SUBMITTED, Action.APPROVE): frozenset({_S.SUBMITTED, _S.DONE}),
    (_S.SUBMITTED, Action.REJECT): frozenset({_S.REJECTED}),
    **{(s, Action.CANCEL): frozenset({_S.CANCELLED}) for s in _OPEN},
    **{(s, Action.REASSIGN): frozenset({s}) for s in _OPEN},
    **{(s, a): frozenset({s}) for s in _OPEN
       for a in (Action.REQUEST_EXTENSION, Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION)},
    **{(s, a): frozenset({s}) for s in (_S.WAITING, _S.READY, _S.ACTIVE, _S.REJECTED)
       for a in (Action.DELEGATE, Action.RECALL)},
    # A report exists once the work is finished: it can be received then.
    **{(s, Action.RECEIVE): frozenset({s}) for s in (_S.COMPLETED, _S.SUBMITTED, _S.DONE)},
})


@attrs.frozen(slots=True)
class TaskRecord:
    """What the log says about one task. ``phase`` is ``WAITING`` until it is started.

    Attributes:
        phase: the stored state (``WAITING`` stands for "not started": waiting or ready).
        lead: the lead unit after a reassignment, ``None`` while it is the plan's lead.
        step: the pending approval step while submitted.
        approved: units that have approved the pending step (a 会签 step collects several).
        submitted_by: the person who submitted it last.
        rounds: how many times it has been submitted.
        since: when the current state (or approval step) began.
        started_at: when it was first started.
        finished_at: when it became done or cancelled.
        fired: ids of the timers that have fired (each fires once).
        escalated_to: units it was escalated to, in order.
        rejections: how many times it was rejected.
        reason: the last rejection's or cancellation's reason.
        workers: every person who started, completed or submitted it (in any round): none of
            them may approve it, whoever leads it later.
        work_units: every unit someone started, completed or submitted it for: no one acting
            for one of them may approve it (a reassignment does not wash the work away).
        signers: the persons who have signed the pending step (one person gives one signature
            of a 会签 step, whatever units they act for).
    """

    phase: TaskState = TaskState.WAITING
    lead: str | None = None
    step: int = 0
    approved: tuple[str, ...] = ()
    submitted_by: str | None = None
    rounds: int = 0
    since: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    fired: frozenset[str] = frozenset()
    escalated_to: tuple[str, ...] = ()
    rejections: int = 0
    reason: str | None = None
    workers: frozenset[str] = frozenset()
    work_units: frozenset[str] = frozenset()
    signers: tuple[str, ...] = ()
    #: The deadline an extension granted (``None``: the plan's).
    due: datetime | None = None
    #: The last level of the escalation ladder that fired (``blue``, ``orange``, ``red`` ...).
    level: str | None = None
    #: The deadline an extension request asks for, while it awaits a decision.
    requested: datetime | None = None
    #: The person who asked for it.
    requested_by: str | None = None
    #: 委派: the unit doing the work for the lead, until its result returns (or it is recalled).
    delegate: str | None = None
    #: 签收: ``"N:RECIPIENT"`` for each recipient of submission N (``reports_to``) that received it.
    received: frozenset[str] = frozenset()


_NEW = TaskRecord()


def _make_evolve() -> Callable[..., TaskRecord]:
    # attrs.evolve looks the class's fields up and loops over them on every call; replay calls it
    # once or twice per event, and it was a third of replaying a long log. This is the same
    # function written out for TaskRecord's fields (generated, so that a new field is never missed).
    names = [a.name for a in attrs.fields(TaskRecord)]
    params = ", ".join(f"{n}=_KEEP" for n in names)
    values = ", ".join(f"{n}=r.{n} if {n} is _KEEP else {n}" for n in names)
    scope: dict[str, Any] = {"_KEEP": object(), "TaskRecord": TaskRecord}
    exec(f"def evolve(r, *, {params}):\n    return TaskRecord({values})", scope)  # noqa: S102 - our own text
    return scope["evolve"]  # type: ignore[no-any-return]


#: ``attrs.evolve(record, **changes)`` for a ``TaskRecord``, faster.
_evolve = _make_evolve()


def next_record(record: TaskRecord, event: Event) -> TaskRecord:
    """The task's record after ``event`` (pure; events that do not change a task return it as is)."""
    changes = _changes(record, event)
    return record if changes is None else _evolve(record, **changes)


def _changes(record: Any, event: Event) -> dict[str, Any] | None:
    # The one statement of what an event changes in a task's record: the fields it sets (None: it
    # changes nothing). ``next_record`` evolves a record with them; a replay's fold (``_Fold``) sets
    # them on a mutable copy and builds each record once. ``record`` is a TaskRecord or that copy.
    kind, at = event.kind, event.at
    work: dict[str, Any] = {}
    if kind in (EventKind.STARTED, EventKind.COMPLETED, EventKind.SUBMITTED) and (
            (event.actor and event.actor not in record.workers)
            or (event.unit and event.unit not in record.work_units)):
        # Who did the work is kept for good: self-approval follows the person and the work.
        work = {"workers": record.workers | ({event.actor} if event.actor else set()),
                "work_units": record.work_units | ({event.unit} if event.unit else set())}
    if kind is EventKind.STARTED:
        return {**work, "phase": _S.ACTIVE, "since": at, "started_at": record.started_at or at}
    if kind is EventKind.COMPLETED and record.delegate is not None and event.unit == record.delegate:
        # The delegate's result returns to the lead (委派), who finishes or submits it.
        return {**work, "phase": _S.COMPLETED, "since": at, "delegate": None}
    if kind is EventKind.COMPLETED:
        done = event.to_state == _S.DONE
        return {**work, "phase": _S.DONE if done else _S.COMPLETED, "since": at,
                "finished_at": at if done else record.finished_at}
    if kind is EventKind.SUBMITTED:
        return {**work, "phase": _S.SUBMITTED, "step": 0, "approved": (), "signers": (),
                "submitted_by": event.actor, "rounds": record.rounds + 1, "since": at}
    if kind is EventKind.APPROVED:
        if event.to_state == _S.DONE:
            return {"phase": _S.DONE, "approved": (), "signers": (), "since": at, "finished_at": at}
        if event.ref == "partial":
            return {"approved": (*record.approved, event.unit or ""), "signers": (*record.signers, event.actor or "")}
        return {"step": (event.step or 0) + 1, "approved": (), "signers": (), "since": at}
    if kind is EventKind.REJECTED:
        return {"phase": _S.REJECTED, "step": 0, "approved": (), "signers": (), "since": at,
                "rejections": record.rejections + 1, "reason": event.reason}
    if kind is EventKind.REASSIGNED:
        return {"lead": event.target}
    if kind is EventKind.CANCELLED:
        return {"phase": _S.CANCELLED, "since": at, "finished_at": at, "reason": event.reason}
    if kind is EventKind.OVERDUE:
        return {"fired": record.fired | {event.ref or ""}}
    if kind is EventKind.ESCALATED:
        if event.target is not None and event.target not in record.escalated_to:
            return {"escalated_to": (*record.escalated_to, event.target)}
        return None
    return _supervision_changes(record, event)


def _supervision_changes(record: Any, event: Event) -> dict[str, Any] | None:
    # Supervision (督办) events, issue 16: reminders and the ladder.
    kind = event.kind
    if kind is EventKind.EXTENSION_REQUESTED:
        return {"requested": datetime.fromisoformat(event.ref or ""), "requested_by": event.actor}
    if kind is EventKind.EXTENDED:
        return {"due": datetime.fromisoformat(event.ref or ""), "requested": None, "requested_by": None}
    if kind is EventKind.EXTENSION_REFUSED:
        return {"requested": None, "requested_by": None}
    if kind is EventKind.RECEIVED:
        return {"received": record.received | {event.ref or ""}}
    if kind is EventKind.DELEGATED:
        return {"delegate": event.target}
    if kind is EventKind.RECALLED:
        return {"delegate": None}
    if kind is EventKind.REMINDED:
        return {"fired": record.fired | {event.ref or ""}}
    if kind is EventKind.ALERTED:
        timer = event.ref or ""
        escalated = record.escalated_to
        if event.target is not None and event.target != event.unit and event.target not in escalated:
            escalated = (*escalated, event.target)
        return {"fired": record.fired | {timer}, "level": timer.split(":", 1)[-1].split("@", 1)[0],
                "escalated_to": escalated}
    return None


_FIELDS = tuple(a.name for a in attrs.fields(TaskRecord))
_VALUES = operator.attrgetter(*_FIELDS)


class _Fold:
    """Events applied to a ``State`` in a run (a replay): the same result as ``State._apply`` one by one.

    A task's record is kept as a mutable namespace while the run lasts and built as a
    ``TaskRecord`` once at its end (``close``), not once or twice per event: most of a long
    replay's cost was those frozen records. Use it as a context manager.
    """

    __slots__ = ("_state", "_open")

    def __init__(self, state: State) -> None:
        self._state = state
        self._open: dict[str, SimpleNamespace] = {}

    def apply(self, event: Event) -> None:
        """``State._apply(event)``, the task's record kept open."""
        state = self._state
        task = event.task
        if task is None or event.kind in (EventKind.OPENED, EventKind.REPLANNED, EventKind.AMENDED):
            self.close()  # a plan event may move records (renames): they must be in place
            state._apply(event)
            return
        state._advance(event)
        record = self._open.get(task)
        if record is None:
            old = state._records.get(task, _NEW)
            changes = _changes(old, event)
            if changes is None:
                return
            record = self._open[task] = SimpleNamespace(**dict(zip(_FIELDS, _VALUES(old), strict=True)))
        else:
            changes = _changes(record, event)
            if changes is None:
                return
        record.__dict__.update(changes)

    def close(self) -> None:
        """Build the records kept open into the state."""
        records = self._state._records
        for task, record in self._open.items():
            records[task] = TaskRecord(**record.__dict__)
        self._open.clear()

    def __enter__(self) -> _Fold:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class State:
    """A campaign's state as derived from its log: a record per task that has events.

    Read it through ``seq``, ``head``, ``record(task_id)``, ``records``, ``keys``
    and ``fingerprint``. Derive a new state with ``apply``; never mutate one.
    """

    __slots__ = ("campaign", "seq", "head", "fingerprint", "plan_source", "plan_seq", "opened_ref", "last_at",
                 "_records", "_keys", "renamed", "deputies")

    def __init__(self, campaign: str) -> None:
        self.campaign = campaign
        #: Sequence number of the last event applied (0: empty log).
        self.seq = 0
        #: Hash of the last event applied.
        self.head = GENESIS
        #: Fingerprint of the plan the campaign was last (re)opened with.
        self.fingerprint: str | None = None
        #: The plan's file, as recorded when the campaign was last (re)opened.
        self.plan_source: str | None = None
        #: Sequence number of the event that recorded the current plan (opened, replanned or amended).
        self.plan_seq = 0
        #: The ``ref`` of the campaign's ``opened`` event (what it was opened with; None before it).
        self.opened_ref: str | None = None
        #: Task ids an amendment renamed: old id -> the id it was given.
        self.renamed: dict[str, str] = {}
        #: 代理: unit -> ``(stand-in unit, until)`` appointments, in order (time-boxed).
        self.deputies: dict[str, tuple[tuple[str, datetime], ...]] = {}
        #: Time of the last event applied: no later event is stamped earlier.
        self.last_at: datetime | None = None
        self._records: dict[str, TaskRecord] = {}
        self._keys: dict[str, int] = {}

    def record(self, task_id: str) -> TaskRecord:
        """The record of ``task_id`` (a fresh one if the log has nothing on it)."""
        return self._records.get(task_id, _NEW)

    @property
    def records(self) -> Mapping[str, TaskRecord]:
        """Records of the tasks that have events, read-only."""
        return MappingProxyType(self._records)

    @property
    def keys(self) -> Mapping[str, int]:
        """Idempotency key -> sequence number of the event it produced."""
        return MappingProxyType(self._keys)

    def copy(self) -> State:
        new = State(self.campaign)
        new.seq, new.head, new.fingerprint, new.plan_source = self.seq, self.head, self.fingerprint, self.plan_source
        new.last_at, new.plan_seq, new.renamed = self.last_at, self.plan_seq, dict(self.renamed)
        new.opened_ref = self.opened_ref
        new.deputies = dict(self.deputies)
        new._records = dict(self._records)
        new._keys = dict(self._keys)
        return new

    def _apply(self, event: Event) -> None:
        # The one place events change state; ``apply`` and the engine both come here (a
        # replay's ``_Fold`` shares ``_advance`` and keeps the task's record open instead).
        self._advance(event)
        if event.task is not None:
            old = self._records.get(event.task, _NEW)
            new = next_record(old, event)
            if new is not old:
                self._records[event.task] = new

    def _advance(self, event: Event) -> None:
        # What every event changes but the task's record: the position, the times, the plan,
        # stand-ins and idempotency keys.
        if event.seq != self.seq + 1:
            msg = f"event {event.seq} cannot follow event {self.seq} of campaign {self.campaign!r}"
            raise ValueError(msg)
        self.seq = event.seq
        self.head = event.hash
        if self.last_at is None or event.at > self.last_at:
            self.last_at = event.at
        if event.kind in (EventKind.OPENED, EventKind.REPLANNED, EventKind.AMENDED):
            self._plan_event(event)
        elif event.kind is EventKind.DEPUTY_APPOINTED and event.unit and event.target and event.ref:
            self.deputies[event.unit] = (*self.deputies.get(event.unit, ()),
                                         (event.target, datetime.fromisoformat(event.ref)))
        if event.key is not None:
            self._keys[event.key] = event.seq

    def _plan_event(self, event: Event) -> None:
        # The ref is the fingerprint, then (amended) a line of JSON with the renames: a renamed
        # task's record follows it to its new id, so its history and started work stay with it.
        lines = (event.ref or "").split("\n")
        self.fingerprint, self.plan_source, self.plan_seq = lines[0], event.target, event.seq
        if event.kind is EventKind.OPENED:
            self.opened_ref = event.ref
        if event.kind is EventKind.AMENDED and len(lines) > 1:
            import json

            for old, new in json.loads(lines[1]).get("renamed", {}).items():
                self.renamed[old] = new
                if old in self._records:
                    self._records[new] = self._records.pop(old)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return (self.campaign, self.seq, self.head, self.fingerprint, self.plan_source, self._records,
                self._keys, self.renamed, self.deputies) == (
                    other.campaign, other.seq, other.head, other.fingerprint, other.plan_source, other._records,
                    other._keys, other.renamed, other.deputies)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<State {self.campaign!r} seq={self.seq} tasks={len(self._records)}>"


def apply(state: State, event: Event) -> State:
    """The state after ``event``: a new ``State``; ``state`` is left as it was."""
    new = state.copy()
    new._apply(event)
    return new


def replay(campaign: str, events: Iterable[Event], *, into: State | None = None) -> State:
    """Fold ``events`` into a state, starting empty (or from ``into``, which is updated in place)."""
    state = State(campaign) if into is None else into
    with _Fold(state) as fold:
        for event in events:
            fold.apply(event)
    return state
