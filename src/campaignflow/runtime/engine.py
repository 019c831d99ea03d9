"""The workflow engine: authorised transitions appended to a durable, hash-chained event log.

Each call decides against the current state, appends one event (or a batch,
for ``tick``) to the store with the expected sequence number, and only then
applies it in memory and tells listeners. When another process appended
first, the engine reads what it missed and decides again (``retries`` times),
so a decision is never taken on stale state.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from itertools import islice
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from ..calendar import WorkAxis
from ..errors import (ConcurrencyConflict, InvalidTransition, NotAuthorized, TamperedLogError, TransitionError,
                      UnknownTaskError)
from ..findings import Text
from ..model import Campaign, start_instant
from .clock import Clock, SystemClock, to_local
from .events import ChainReport, Draft, Event, EventKind, verify_chain
from .plan import PlanIndex, TaskInfo, fingerprint
from .states import TERMINAL, TRANSITIONS, Action, State, TaskState, replay
from .store import Store
from .timers import due_timers, step_deadline, step_timer
from .views import Actor, TaskView

if TYPE_CHECKING:
    from ..plugins.manager import Plugins

__all__ = ["Engine", "recorded_plan"]

_log = logging.getLogger("campaignflow.runtime")

_KIND = {
    Action.START: EventKind.STARTED, Action.COMPLETE: EventKind.COMPLETED, Action.SUBMIT: EventKind.SUBMITTED,
    Action.APPROVE: EventKind.APPROVED, Action.REJECT: EventKind.REJECTED, Action.REASSIGN: EventKind.REASSIGNED,
    Action.CANCEL: EventKind.CANCELLED,
}
_WORKING = frozenset({TaskState.READY, TaskState.ACTIVE, TaskState.COMPLETED, TaskState.REJECTED})


@attrs.frozen
class _Request:
    action: Action
    task: str
    actor: Actor
    unit: str | None = None
    reason: str | None = None
    target: str | None = None
    key: str | None = None


def _refusal(cls: type[TransitionError], req: _Request, state: TaskState | None, en: str,
             zh: str) -> TransitionError:
    error = cls(en, task_id=req.task, state=str(state) if state is not None else None, actor=req.actor.person)
    error.text = Text(en, zh)  # type: ignore[attr-defined] - read by the CLI for --lang zh
    return error


def recorded_plan(store: Store, campaign_id: str) -> str | None:
    """The plan file ``campaign_id`` was last opened with, as its log records it (``None`` if unknown)."""
    source = None
    # Up to the head only: a row written past it must not choose which file is loaded.
    for event in islice(store.read(campaign_id), store.head(campaign_id).seq):
        if event.kind in (EventKind.OPENED, EventKind.REPLANNED):
            source = event.target
    return source


class Engine:
    """A campaign running on a store. Create one with ``Engine.open``.

    Times are naive local datetimes in the campaign's timezone; aware
    datetimes are converted. Every transition names an ``Actor`` and returns
    the committed ``Event``; a refused one raises ``NotAuthorized`` or
    ``InvalidTransition``, changes no task, and is recorded as a ``refused`` event.
    """

    #: A refusal identical to the log's last event (same task, person, unit, action and reason) within
    #: this many seconds is counted (``coalesced_refusals``), not logged again, so that a double-click
    #: does not flood the audit log; every distinct refusal is logged. ``0`` (default) logs every one;
    #: the web app sets 60.
    coalesce_seconds: float = 0.0

    def __init__(self, campaign: Campaign, store: Store, *, plugins: Plugins | None = None,
                 clock: Clock | None = None, retries: int = 3, audit_refusals: bool = True) -> None:
        self.campaign = campaign
        self.store = store
        self.clock: Clock = clock if clock is not None else SystemClock(campaign.timezone)
        #: How many times a transition is decided again after another writer got in first.
        self.retries = retries
        #: Whether refused transitions are written to the log.
        self.audit_refusals = audit_refusals
        self.plan = PlanIndex(campaign)
        self._plugins = plugins
        self._state = State(campaign.id)
        self._axis: WorkAxis | None = None
        self._subscribers: list[Callable[[Event], object]] = []
        # One decision and append at a time per engine: hosts serve requests from threads.
        self._lock = threading.RLock()
        # Whether refresh() checks what it reads (Engine.open(verify=False) turns it off).
        self._verify = True
        # Refused event seq -> identical refusals counted but not logged again (see coalesce_seconds).
        self._coalesced: dict[int, int] = {}

    @classmethod
    def open(cls, campaign: Campaign, store: Store, *, plugins: Plugins | None = None, clock: Clock | None = None,
             retries: int = 3, audit_refusals: bool = True, actor: Actor | None = None,
             verify: bool = True, reason: str | None = None) -> Engine:
        """Open ``campaign`` on ``store``: replay its log, or start one with an ``opened`` event.

        A campaign already in the store that is opened with a changed plan gets a
        ``replanned`` event; its history stays as it was. The log's hash chain is
        checked while it is replayed (``TamperedLogError``), unless ``verify=False``.

        Args:
            campaign: the loaded plan.
            store: where the log is kept (``SQLiteStore``, ``MemoryStore`` or your own).
            plugins: for the calendar and the event hooks; ``None`` uses the process default.
            clock: where "now" comes from; default the system clock in the campaign's timezone.
            retries: decisions taken again after a concurrent write before ``ConcurrencyConflict``.
            audit_refusals: record refused transitions in the log.
            actor: who opens it (recorded on the ``opened`` event).
            verify: check the hash chain and the store's head while replaying, as ``verify()`` does
                (in the same pass over the log), and refuse a row stored past the head; ``False``
                skips it (to read a damaged log) but still replays nothing past the head.
            reason: recorded on the ``opened`` or ``replanned`` event, if one is written (e.g. why a
                plan with error-level findings was opened anyway).
        """
        engine = cls(campaign, store, plugins=plugins, clock=clock, retries=retries, audit_refusals=audit_refusals)
        engine._verify = verify
        engine.refresh()  # replays the log up to the head, verified as it goes
        fp = fingerprint(campaign)
        for _ in range(retries + 1):
            moved = campaign.source is not None and engine._state.plan_source != campaign.source
            if engine._state.fingerprint == fp and not moved:
                break
            kind = EventKind.OPENED if engine._state.seq == 0 else EventKind.REPLANNED
            draft = Draft(campaign=campaign.id, kind=kind, at=engine._now(), actor=actor.person if actor else None,
                          target=campaign.source, ref=fp, reason=reason)
            try:
                engine._append([draft])
                break
            except ConcurrencyConflict:
                engine.refresh()
        return engine

    # -- state ------------------------------------------------------------------------

    @property
    def state(self) -> State:
        """A snapshot of the derived state (a copy: later events do not change it)."""
        return self._state.copy()

    @property
    def seq(self) -> int:
        """Sequence number of the last event this engine has seen."""
        return self._state.seq

    def refresh(self) -> int:
        """Read events other processes appended; returns how many there were.

        Only events up to the store's head are applied, each checked against its hash and
        to chain to the one before it; the head must match the last of them. A row stored past the head, a head that
        went back from what this engine had seen, or a broken link raise ``TamperedLogError``
        and nothing of the bad part is applied. An engine opened with ``verify=False`` only
        stops at the head and at gaps.
        """
        with self._lock:
            before = self._state.seq
            while self._read_to_head():
                pass  # another process appended meanwhile: read that too
            return self._state.seq - before

    def _read_to_head(self) -> bool:
        """Apply the stored events up to the head; ``True`` if the head has moved on since."""
        cid = self.campaign.id
        before = self._state.seq
        head = self.store.head(cid)
        if head.seq < before:
            msg = (f"the stored log of campaign {cid!r} ends at event {head.seq}, but event {before} "
                   "was already committed: events were lost or removed")
            raise TamperedLogError(msg, sequence=head.seq + 1)
        new = islice(self.store.read(cid, after=before), head.seq - before)
        if not self._verify:  # opened with verify=False: read a damaged log as it is, up to the head
            try:
                replay(cid, new, into=self._state)
            except ValueError as exc:  # the reducer's "event N cannot follow event M": a gap
                msg = f"the stored log of campaign {cid!r} has a gap: {exc}"
                raise TamperedLogError(msg, sequence=self._state.seq + 1) from None
            return False

        def checked_then_applied(events: Iterable[Event]) -> Iterator[Event]:
            for event in events:
                yield event  # verify_chain checks it before it asks for the next one
                self._state._apply(event)

        verify_chain(cid, checked_then_applied(new), head=(head.seq, head.hash), after=(before, self._state.head))
        return self._refuse_rows_past(head.seq)

    def _refuse_rows_past(self, seq: int) -> bool:
        # A row past the head is either another process's append that committed after the head
        # was read (the head moved on with it: both are written in one transaction) or a row
        # written behind the engine's back. Only the second is refused.
        cid = self.campaign.id
        extra = next(iter(self.store.read(cid, after=seq)), None)
        if extra is not None and self.store.head(cid).seq < extra.seq:
            msg = (f"the stored log of campaign {cid!r} has event {extra.seq} past its head (event {seq}): "
                   "it was written outside the engine")
            raise TamperedLogError(msg, sequence=extra.seq)
        return extra is not None

    @property
    def plugins(self) -> Plugins:
        if self._plugins is None:
            from ..plugins.manager import default_plugins

            self._plugins = default_plugins()
        return self._plugins

    def axis(self) -> WorkAxis:
        """Working time on the campaign's calendar (for ``within`` and working-day lags)."""
        if self._axis is None:
            from ..calendar import campaign_calendar

            from ..calendar import uncovered_years

            calendar = campaign_calendar(self.campaign, self.plugins)  # with the plan's [calendar.overrides]
            missing = uncovered_years(self.campaign, calendar)
            if missing:  # said once per engine: the axis is built once
                _log.warning("campaign %s: calendar %r does not cover %s (%s); working days there are a guess "
                             "(Monday to Friday); declare [calendar.overrides] (CF206)", self.campaign.id,
                             calendar.name, ", ".join(map(str, missing)), calendar.data_source or "no data")
            self._axis = WorkAxis(calendar, start_instant(self.campaign.start).date())
        return self._axis

    # -- queries ----------------------------------------------------------------------

    def task(self, task_id: str) -> TaskView:
        """The task as it stands. Raises ``UnknownTaskError``."""
        return self._view(self._info(task_id))

    def tasks(self, *, state: TaskState | str | Iterable[TaskState | str] | None = None, unit: str | None = None,
              due_before: datetime | None = None, due_after: datetime | None = None,
              overdue: bool | None = None) -> list[TaskView]:
        """Tasks in plan order, filtered.

        Args:
            state: one state or several (``TaskState`` or its value; another name raises ``UnknownTaskError``).
            unit: tasks this unit (or group) leads, partners in, or must approve now.
            due_before: tasks whose nearest deadline is before this moment.
            due_after: tasks whose nearest deadline is at or after this moment.
            overdue: only overdue tasks (``True``) or only the others (``False``).
        """
        states = None if state is None else {self._state_named(s) for s in ([state] if isinstance(state, str)
                                                                             else state)}
        units = set(self._members(unit)) if unit is not None else None
        out = []
        # With a unit, only its tasks are looked at (the agenda of one unit of a large plan).
        infos = self.plan.tasks.values() if units is None else self.plan.involving(units, self._state)
        for info in infos:
            if states is not None and self.plan.state_of(info.id, self._state) not in states:
                continue
            view = self._view(info)
            if units is not None and not units & {view.lead, *view.partners, *view.approvers}:
                continue
            nd = view.next_due
            if due_before is not None and (nd is None or nd >= to_local(due_before, self.campaign.timezone)):
                continue
            if due_after is not None and (nd is None or nd < to_local(due_after, self.campaign.timezone)):
                continue
            if overdue is not None and view.overdue != overdue:
                continue
            out.append(view)
        return out

    def agenda(self, unit: str, *, now: datetime | None = None, days: float = 7) -> list[TaskView]:
        """What ``unit`` must do: tasks it may start, finish or submit now, or must approve, and what opens soon.

        Work the unit can do now is on the agenda whatever its deadline. A ready
        task whose window has not opened yet is on it when it opens or is due
        before ``now + days``. Ordered by deadline. A group stands for its units:
        the agenda of any of them.
        """
        units = set(self._members(unit))
        moment = self._now(now)
        try:
            horizon = moment + timedelta(days=days)
        except OverflowError:  # a horizon past the calendar's end: everything is within it
            horizon = datetime.max
        out = []
        for view in self.tasks(unit=unit):
            mine = (view.state in _WORKING and not units.isdisjoint((view.lead, *view.partners))) or (
                view.state is TaskState.SUBMITTED and not units.isdisjoint(view.approvers))
            later = view.opens is not None and view.opens > moment  # ready, but its window is still shut
            if mine and (not later or view.opens < horizon or (view.next_due is not None and view.next_due < horizon)):
                out.append(view)
        return sorted(out, key=lambda v: (v.next_due or datetime.max, v.id))

    def history(self, *, task: str | None = None, unit: str | None = None) -> list[Event]:
        """Events of one task, or those a unit made or was the target of (an export of its history)."""
        if task is not None:
            self._info(task)
        return list(self.store.read(self.campaign.id, task=task, unit=unit))

    def verify(self) -> ChainReport:
        """Check the stored log's hash chain and its head. Raises ``TamperedLogError``."""
        cid = self.campaign.id
        head = self.store.head(cid)
        return verify_chain(cid, self.store.read(cid), head=(head.seq, head.hash))

    # -- transitions ------------------------------------------------------------------

    def start(self, task: str, actor: Actor, *, unit: str | None = None, key: str | None = None) -> Event:
        """ready/rejected -> active, by the lead or a partner, not before the task opens."""
        return self._transition(_Request(Action.START, task, actor, unit=unit, key=key))

    def complete(self, task: str, actor: Actor, *, unit: str | None = None, key: str | None = None) -> Event:
        """active -> done (no approval steps) or completed (to be submitted)."""
        return self._transition(_Request(Action.COMPLETE, task, actor, unit=unit, key=key))

    def submit(self, task: str, actor: Actor, *, unit: str | None = None, key: str | None = None) -> Event:
        """active/completed -> submitted: the first approval step is pending."""
        return self._transition(_Request(Action.SUBMIT, task, actor, unit=unit, key=key))

    def approve(self, task: str, actor: Actor, *, unit: str | None = None, reason: str | None = None,
                key: str | None = None) -> Event:
        """Give the pending approval step for ``unit`` (default: the first of it the actor acts for)."""
        return self._transition(_Request(Action.APPROVE, task, actor, unit=unit, reason=reason, key=key))

    def reject(self, task: str, actor: Actor, *, reason: str, unit: str | None = None,
               key: str | None = None) -> Event:
        """submitted -> rejected, with a reason; the lead starts it again and resubmits from step 1."""
        return self._transition(_Request(Action.REJECT, task, actor, unit=unit, reason=reason, key=key))

    def reassign(self, task: str, actor: Actor, *, to: str, reason: str | None = None, unit: str | None = None,
                 key: str | None = None) -> Event:
        """Give the task to another lead unit; by a superior of the current lead or the issuer."""
        return self._transition(_Request(Action.REASSIGN, task, actor, unit=unit, reason=reason, target=to,
                                         key=key))

    def cancel(self, task: str, actor: Actor, *, reason: str | None = None, unit: str | None = None,
               key: str | None = None) -> Event:
        """Call the task off; by a superior of its lead or the issuer."""
        return self._transition(_Request(Action.CANCEL, task, actor, unit=unit, reason=reason, key=key))

    def tick(self, now: datetime | None = None) -> list[Event]:
        """Fire every timer that has passed: overdue and escalation events, committed as one batch."""
        moment = self._now(now)
        with self._lock:
            for attempt in range(self.retries + 1):
                drafts = due_timers(self.plan, self._state, moment, self.axis)
                try:
                    return self._append(drafts)
                except ConcurrencyConflict:
                    self.refresh()
                    if attempt == self.retries:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- listeners --------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Event], object]) -> Callable[[], None]:
        """Call ``callback(event)`` after every event this engine commits; returns an unsubscribe function.

        A callback that raises is logged and skipped; the event stays committed.
        """
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    # -- internals --------------------------------------------------------------------

    def _now(self, moment: datetime | None = None) -> datetime:
        return to_local(moment if moment is not None else self.clock.now(), self.campaign.timezone)

    def _info(self, task_id: str) -> TaskInfo:
        info = self.plan.tasks.get(task_id)
        if info is None:
            msg = f"campaign {self.campaign.id!r} has no task {task_id!r}"
            raise UnknownTaskError(msg)
        return info

    @staticmethod
    def _state_named(name: TaskState | str) -> TaskState:
        try:
            return TaskState(name)
        except ValueError:
            msg = f"no task state {name!r}; expected one of {', '.join(TaskState)}"
            raise UnknownTaskError(msg) from None

    def _members(self, unit: str) -> tuple[str, ...]:
        # A unit, or a group's units; a typo must not read as "nothing to do".
        if unit not in self.campaign.units and unit not in self.campaign.groups:
            msg = f"campaign {self.campaign.id!r} has no unit or group {unit!r}"
            raise UnknownTaskError(msg)
        return self.campaign.members(unit) or (unit,)

    def _transition(self, req: _Request) -> Event:
        info = self._info(req.task)
        with self._lock:
            return self._transition_locked(req, info)

    def _transition_locked(self, req: _Request, info: TaskInfo) -> Event:
        for attempt in range(self.retries + 1):
            now = self._now()
            error: TransitionError | None = None
            try:
                if req.key is not None and req.key in self._state.keys:
                    return self._replayed(req)  # or refused, audited as any refusal, when it was another request
                draft = self._decide(req, info, now)
            except TransitionError as exc:
                if not self.audit_refusals:
                    raise
                error = exc
                current = self.plan.state_of(req.task, self._state)
                draft = Draft(campaign=self.campaign.id, kind=EventKind.REFUSED, at=now, task=req.task,
                              actor=req.actor.person, unit=req.unit, from_state=str(current),
                              to_state=str(current), target=req.target, reason=str(exc), ref=str(req.action))
            if error is not None and self.coalesce_seconds > 0 and self._coalesce(draft):
                raise error
            try:
                (event,) = self._append([draft])
            except ConcurrencyConflict:
                self.refresh()  # so that the host's own retry decides on fresh state
                if attempt == self.retries:
                    raise
                continue
            if error is not None:
                raise error
            return event
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def coalesced_refusals(self) -> Mapping[int, int]:
        """Refused event seq -> how many identical refusals right after it this engine did not log."""
        return MappingProxyType(self._coalesced)

    def _coalesce(self, draft: Draft) -> bool:
        # The log's last event is the same refusal, recent: count this one instead of logging it.
        seq = self._state.seq
        last = next(islice(self.store.read(self.campaign.id, after=seq - 1), 1), None) if seq else None
        same = last is not None and last.kind is EventKind.REFUSED and (
            last.task, last.actor, last.unit, last.ref, last.reason, last.target) == (
            draft.task, draft.actor, draft.unit, draft.ref, draft.reason, draft.target)
        if not same or last.seq != seq or (  # type: ignore[union-attr]
                draft.at - last.at).total_seconds() > self.coalesce_seconds:  # type: ignore[union-attr]
            return False
        self._coalesced[last.seq] = self._coalesced.get(last.seq, 0) + 1  # type: ignore[union-attr]
        return True

    def _replayed(self, req: _Request) -> Event:
        # The host retried a request that was already carried out: hand back what it did.
        # Same request: same action on the same task by the same person, with the same
        # target and reason, and for the same unit when the request names one.
        event = self.store.event_for_key(self.campaign.id, req.key or "")
        if event is None or (event.kind, event.task, event.actor, event.target, event.reason) != (
                _KIND[req.action], req.task, req.actor.person, req.target, req.reason) or (
                req.unit is not None and event.unit != req.unit):
            raise _refusal(InvalidTransition, req, None,
                           f"idempotency key {req.key!r} was already used for another request",
                           f"幂等键 {req.key!r} 已用于另一请求")
        return event

    def _append(self, drafts: list[Draft]) -> list[Event]:
        state = self._state
        events, seq, prev = [], state.seq, state.head
        floor = state.last_at
        for draft in drafts:
            if floor is not None and draft.at < floor:
                # Event times never go backwards in a log: a process whose clock is
                # behind the one that wrote last stamps its event with that time.
                _log.warning("clock skew: event at %s stamped %s, the log's latest time", draft.at, floor)
                draft = attrs.evolve(draft, at=floor)
            floor = draft.at
            seq += 1
            event = draft.seal(seq, prev)
            events.append(event)
            prev = event.hash
        if not events:
            return events
        self.store.append(self.campaign.id, events, expected_seq=state.seq)
        for event in events:
            state._apply(event)
        self._notify(events)
        return events

    def _notify(self, events: list[Event]) -> None:
        for event in events:
            for callback in tuple(self._subscribers):
                try:
                    callback(event)
                except Exception:  # noqa: BLE001 - a listener must not undo a committed event
                    _log.exception("event listener %r failed on event %s", callback, event.seq)
            hook = self.plugins.pm.hook
            for impl in hook.campaignflow_after_event.get_hookimpls():
                try:
                    impl.function(**{name: {"event": event, "campaign": self.campaign}[name]
                                     for name in impl.argnames})
                except Exception as exc:  # noqa: BLE001
                    _log.exception("plugin %r failed on event %s", impl.plugin_name, event.seq)
                    self._report_hook_error(event, impl.plugin_name, exc)

    def _report_hook_error(self, event: Event, plugin: str, error: BaseException) -> None:
        for impl in self.plugins.pm.hook.campaignflow_on_event_error.get_hookimpls():
            args = {"event": event, "plugin": plugin, "error": error}
            try:
                impl.function(**{name: args[name] for name in impl.argnames})
            except Exception:  # noqa: BLE001 - an error handler failing is only logged
                _log.exception("plugin %r failed in campaignflow_on_event_error", impl.plugin_name)

    # -- decisions --------------------------------------------------------------------

    def _decide(self, req: _Request, info: TaskInfo, now: datetime) -> Draft:
        current = self.plan.state_of(req.task, self._state)
        record = self._state.record(req.task)
        lead = self.plan.lead_of(req.task, self._state)
        action = req.action
        step: int | None = None
        ref: str | None = None
        target: str | None = None

        if action in (Action.START, Action.COMPLETE, Action.SUBMIT):
            unit = self._acting_unit(req, (lead, *info.partners), current, "the lead or a partner", "牵头或责任单位")
        elif action in (Action.REASSIGN, Action.CANCEL):
            unit = self._acting_unit(req, self.plan.superiors(lead), current,
                                     f"a superior of {lead} or the issuer", f"{lead} 的上级单位或发文单位")
        else:
            if not info.steps:
                raise _refusal(InvalidTransition, req, current, f"task {req.task!r} has no approval steps",
                               f"任务 {req.task!r} 无审批步骤")
            # Someone who approves no step of this task learns nothing of its state.
            every = tuple(dict.fromkeys(u for st in info.steps for u in st.units))
            unit = self._acting_unit(req, every, current, "an approver of this task", "此任务的审批单位")
        self._check_legal(req, current)

        if action is Action.START:
            to = TaskState.ACTIVE
            opens = self._opens(info) if current is TaskState.READY else None
            if opens is not None and now < opens:
                raise _refusal(InvalidTransition, req, current, f"task {req.task!r} may not start before {opens}",
                               f"任务 {req.task!r} 不得早于 {opens} 开始")
        elif action is Action.COMPLETE:
            to = TaskState.COMPLETED if info.steps else TaskState.DONE
        elif action is Action.SUBMIT:
            if not info.steps:
                raise _refusal(InvalidTransition, req, current,
                               f"task {req.task!r} has no approval steps: complete it instead",
                               f"任务 {req.task!r} 无需审批,请直接办结")
            to, step = TaskState.SUBMITTED, 0
        elif action in (Action.APPROVE, Action.REJECT):
            step = record.step
            pending = tuple(u for u in info.steps[step].units if u not in record.approved)
            unit = self._acting_unit(req, pending, current, f"an approver of step {step + 1} ({', '.join(pending)})",
                                     f"第 {step + 1} 步的审批单位({', '.join(pending)})")
            self._check_not_self(req, record, lead, current)
            if action is Action.REJECT:
                if not (req.reason or "").strip():
                    raise _refusal(InvalidTransition, req, current, "a rejection needs a reason",
                                   "退回须说明理由")
                to = TaskState.REJECTED
            elif info.steps[step].mode == "all" and len(pending) > 1:
                to, ref = TaskState.SUBMITTED, "partial"
            else:
                to = TaskState.DONE if step + 1 == len(info.steps) else TaskState.SUBMITTED
        elif action is Action.REASSIGN:
            target = req.target or ""
            if target not in self.campaign.units:
                msg = f"campaign {self.campaign.id!r} has no unit {target!r} to reassign {req.task!r} to"
                raise UnknownTaskError(msg)
            if target == lead:
                raise _refusal(InvalidTransition, req, current, f"{target} already leads {req.task!r}",
                               f"{target} 已是任务 {req.task!r} 的牵头单位")
            to = current
        else:
            to = TaskState.CANCELLED
        return Draft(campaign=self.campaign.id, kind=_KIND[action], at=now, task=req.task, actor=req.actor.person,
                     unit=unit, from_state=str(current), to_state=str(to), step=step, target=target,
                     reason=req.reason, ref=ref, key=req.key)

    def _acting_unit(self, req: _Request, allowed: tuple[str, ...], current: TaskState, who_en: str,
                     who_zh: str) -> str:
        if req.unit is not None:
            if req.actor.acts_for(req.unit) and req.unit in allowed:
                return req.unit
            candidates: tuple[str, ...] = ()
        else:
            candidates = tuple(u for u in allowed if req.actor.acts_for(u))
        if candidates:
            return candidates[0]
        as_unit = f" as {req.unit}" if req.unit is not None else ""
        raise _refusal(NotAuthorized, req, current,
                       f"{req.actor.person}{as_unit} may not {req.action} task {req.task!r}: only {who_en} may",
                       f"{req.actor.person} 无权对任务 {req.task!r} 执行 {req.action}:仅限{who_zh}")

    def _check_legal(self, req: _Request, current: TaskState) -> None:
        if (current, req.action) not in TRANSITIONS:
            raise _refusal(InvalidTransition, req, current,
                           f"cannot {req.action} task {req.task!r}: it is {current}",
                           f"无法对任务 {req.task!r} 执行 {req.action}:当前状态为 {current}")

    def _check_not_self(self, req: _Request, record: Any, lead: str, current: TaskState) -> None:
        # Self-approval follows the person and the work, not who leads the task now: whoever did
        # any of the work, or acts for the current lead or a unit the work was done for (a partner
        # that started, completed or submitted it included), may not approve it. A partner that
        # did none of the work may: it can be the office that reviews the others' part. A 会签 step needs signatures
        # of different persons: one person acting for two of its units signs once.
        if req.actor.person in record.signers:
            raise _refusal(NotAuthorized, req, current,
                           f"{req.actor.person} has already signed step {record.step + 1} of task {req.task!r}: "
                           "a joint (会签) step needs the signatures of different persons",
                           f"{req.actor.person} 已在任务 {req.task!r} 第 {record.step + 1} 步会签,"
                           "会签须由不同人员签署")
        if self.campaign.allow_self_approval:
            return
        own = {lead, *record.work_units}
        mine = sorted(u for u in own if req.actor.acts_for(u))
        if mine or req.actor.person == record.submitted_by or req.actor.person in record.workers:
            why = (f"they act for {', '.join(mine)}, which leads it or did the work" if mine
                   else "they did or submitted the work")
            raise _refusal(NotAuthorized, req, current,
                           f"{req.actor.person} may not {req.action} task {req.task!r}: self-approval is not "
                           f"allowed ({why})",
                           f"{req.actor.person} 不得审批本单位办理或本人办理、提交的任务 {req.task!r}")

    def _opens(self, info: TaskInfo) -> datetime | None:
        """The earliest moment ``info``'s task may start: its window, and each prerequisite's finish plus lag."""
        moments = [info.earliest] if info.earliest is not None else []
        for dep in info.prereqs:
            record = self._state.record(dep.task)
            if record.phase is not TaskState.DONE or record.finished_at is None or not dep.lag.days:
                continue
            if dep.lag.working:
                axis = self.axis()
                moments.append(axis.instant(axis.pos(record.finished_at) + dep.lag.days))
            else:
                moments.append(record.finished_at + timedelta(days=dep.lag.days))
        return max(moments, default=None)

    def _view(self, info: TaskInfo) -> TaskView:
        tid = info.id
        record = self._state.record(tid)
        current = self.plan.state_of(tid, self._state)
        submitted = current is TaskState.SUBMITTED and record.step < len(info.steps)
        step = info.steps[record.step] if submitted else None
        overdue = current not in TERMINAL and ("due" in record.fired or (submitted and step_timer(record)
                                                                          in record.fired))
        return TaskView(
            id=tid, title=info.task.title, lead=self.plan.lead_of(tid, self._state), partners=info.partners,
            state=current, step=record.step if submitted else None, steps=len(info.steps),
            approvers=tuple(u for u in step.units if u not in record.approved) if step is not None else (),
            due=info.deadline, step_due=step_deadline(step, record.since, self.axis) if step is not None else None,
            opens=self._opens(info) if current in (TaskState.WAITING, TaskState.READY) else None,
            overdue=overdue, escalated_to=record.escalated_to, rejections=record.rejections,
            reason=record.reason, started_at=record.started_at, finished_at=record.finished_at,
        )
