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
from datetime import date, datetime, timedelta
from itertools import islice
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from ..calendar import WorkAxis
from ..errors import (AmendmentRefused, ConcurrencyConflict, InvalidTransition, NotAuthorized, PlanChangedError,
                      StoreError, SupervisionChangedError, TamperedLogError, TransitionError,
                      UnknownTaskError)
from .._display import deadline as deadline_text
from ..findings import Text
from ..model import Campaign, Lag, Supervision, start_instant
from .clock import Clock, SystemClock, to_local
from .amend import Migration, PlanSummary, plan_migration, plan_ref, split_ref
from . import personal
from .events import ChainReport, Draft, Event, EventKind, verify_chain
from .plan import PlanIndex, TaskInfo, fingerprint, supervision_fingerprint
from .states import TERMINAL, TRANSITIONS, Action, State, TaskState, _Fold, replay
from .store import Store
from .timers import TimerIndex, due_timer, due_timers, shift, step_deadline, step_timer, upcoming_timers
from .views import Actor, ReportStatus, TaskView

if TYPE_CHECKING:
    from ..plugins.manager import Plugins

__all__ = ["Engine", "recorded_plan"]

_log = logging.getLogger("campaignflow.runtime")

#: The part of the opened event's ``ref`` that records the host's ladder (``supervision_fingerprint``).
_LADDER = "host-ladder "
#: A look-ahead longer than this (a century) reaches every timer: the calendar is not walked that far.
_FOREVER_DAYS = 36_500

_KIND = {
    Action.START: EventKind.STARTED, Action.COMPLETE: EventKind.COMPLETED, Action.SUBMIT: EventKind.SUBMITTED,
    Action.APPROVE: EventKind.APPROVED, Action.REJECT: EventKind.REJECTED, Action.REASSIGN: EventKind.REASSIGNED,
    Action.CANCEL: EventKind.CANCELLED, Action.REQUEST_EXTENSION: EventKind.EXTENSION_REQUESTED,
    Action.GRANT_EXTENSION: EventKind.EXTENDED, Action.REFUSE_EXTENSION: EventKind.EXTENSION_REFUSED,
    Action.DELEGATE: EventKind.DELEGATED, Action.RECALL: EventKind.RECALLED, Action.RECEIVE: EventKind.RECEIVED,
}
_EXTENSIONS = frozenset({Action.REQUEST_EXTENSION, Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION})
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
    until: datetime | None = None
    index: int = 0


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
        if event.kind in (EventKind.OPENED, EventKind.REPLANNED, EventKind.AMENDED):
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
                 clock: Clock | None = None, retries: int = 3, audit_refusals: bool = True,
                 supervision: Supervision | None = None) -> None:
        self.campaign = campaign
        # The host's reminders and ladder, else the plan's [supervision] (None: the default rule).
        self._host_supervision = supervision
        self.store = store
        self.clock: Clock = clock if clock is not None else SystemClock(campaign.timezone)
        #: How many times a transition is decided again after another writer got in first.
        self.retries = retries
        #: Whether refused transitions are written to the log.
        self.audit_refusals = audit_refusals
        self._plugins, self._axis = plugins, None  # before the index: an event at a moment needs the axis
        self.plan = PlanIndex(campaign, self.axis)
        # The fingerprint of the plan this engine decides under: a decision is refused once the
        # log says the campaign runs another plan (amended by another process).
        self._fp = fingerprint(campaign)
        self._timers = TimerIndex(self.plan)
        self._deciding_at: datetime | None = None  # the moment of the decision being taken (stand-ins)
        self._plugins = plugins
        self._state = State(campaign.id)
        self._axis: WorkAxis | None = None
        self._subscribers: list[Callable[[Event], object]] = []
        self._personal_subscribers: list[Callable[[Event], object]] = []  # opted in to personal data
        # One decision and append at a time per engine: hosts serve requests from threads.
        self._lock = threading.RLock()
        # Whether refresh() checks what it reads (Engine.open(verify=False) turns it off).
        self._verify = True
        self._fresh_reads = False  # Engine.open sets the host's choice (default True)
        # Refused event seq -> identical refusals counted but not logged again (see coalesce_seconds).
        self._coalesced: dict[int, int] = {}
        # The plan's household units: their personal data stays out of the chain (personal.py).
        self._households = personal.households(campaign)

    @classmethod
    def open(cls, campaign: Campaign, store: Store, *, plugins: Plugins | None = None, clock: Clock | None = None,
             retries: int = 3, audit_refusals: bool = True, actor: Actor | None = None,
             verify: bool = True, reason: str | None = None, check_plan: bool = True,
             supervision: Supervision | None = None, fresh_reads: bool = True) -> Engine:
        """Open ``campaign`` on ``store``: replay its log, or start one with an ``opened`` event.

        A campaign already in the store that is opened with a changed plan is refused
        (``PlanChangedError``): a running campaign changes its plan only through ``amend``.
        The same plan read from another file opens it as it is. The log's hash chain is
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
            reason: recorded on the ``opened`` event, if one is written (e.g. why a
                plan with error-level findings was opened anyway).
            check_plan: refuse a changed plan (``PlanChangedError``). ``False`` opens the engine
                anyway, to call ``amend``: until then it reads, and refuses every decision.
            supervision: reminders and the escalation ladder, instead of the plan's ``[supervision]``
                (recorded on the ``opened`` event: an engine of the campaign given another one, or
                none where one was given, is refused with ``SupervisionChangedError``).
            fresh_reads: every query (``task``, ``tasks``, ``agenda``, ``reports``, ``deputies``,
                ``reminders``) first reads what other processes committed (``refresh``: one
                indexed query when nothing changed). ``False`` leaves that to the host, which
                then calls ``refresh()`` when it wants others' work (a batch of reads on one
                snapshot, say).
        """
        engine = cls(campaign, store, plugins=plugins, clock=clock, retries=retries, audit_refusals=audit_refusals,
                     supervision=supervision)
        engine._verify = verify
        engine._fresh_reads = fresh_reads
        engine.refresh()  # replays the log up to the head, verified as it goes
        fp = engine._fp
        # The host's ladder goes on the opened event: every engine of the campaign must be given it.
        ladder = supervision_fingerprint(supervision)
        for _ in range(retries + 1):
            if engine._state.seq > 0:
                break
            # The plan's summary goes on the log with it: an amendment compares with it even
            # when the plan file was edited in place.
            draft = Draft(campaign=campaign.id, kind=EventKind.OPENED, at=engine._now(),
                          actor=actor.person if actor else None, target=campaign.source,
                          ref=plan_ref(fp, "{}", PlanSummary.of(engine.plan).to_json(), _LADDER + ladder),
                          reason=reason)
            try:
                engine._append([draft])
                break
            except ConcurrencyConflict:
                engine.refresh()
        if check_plan and engine._state.fingerprint not in (None, fp):
            running = engine._state.fingerprint or ""
            where = campaign.source or campaign.id
            raise PlanChangedError(Text(
                f"campaign {campaign.id!r} runs plan {running[:12]}, and the plan given ({where}) differs from it "
                f"({fp[:12]}): an edited plan changes a running campaign only by an amendment; review the changes "
                "with `campaignflow run amend PLAN --db ...` (Engine.amend), then apply them with --apply",
                f"活动 {campaign.id!r} 正按方案 {running[:12]} 运行,所给方案({where})与之不同({fp[:12]}):"
                "运行中的活动只能通过修订改变方案;请先用 `campaignflow run amend PLAN --db ...`(Engine.amend)"
                "查看变化,再加 --apply 确认"), running=running, given=fp)
        recorded = engine._opened_ladder()
        if check_plan and recorded is not None and recorded != ladder:
            def shown(x: str) -> str:
                return "no host ladder (the plan's [supervision])" if x == "none" else f"host ladder {x[:12]}"

            def shown_zh(x: str) -> str:
                return "未指定(按方案的 [supervision])" if x == "none" else f"宿主督办规则 {x[:12]}"
            raise SupervisionChangedError(Text(
                f"campaign {campaign.id!r} was opened with {shown(recorded)}, and this engine is given "
                f"{shown(ladder)}: every engine of a campaign must be given the same Engine.open(supervision=...) "
                "(to change the ladder of a running campaign, put it in the plan's [supervision] and amend)",
                f"活动 {campaign.id!r} 开启时的督办规则为{shown_zh(recorded)},此引擎所给为{shown_zh(ladder)}:"
                "同一活动的各引擎须给出相同的 supervision;如需改变运行中活动的督办规则,请写入方案的 "
                "[supervision] 并修订"), running=recorded, given=ladder)
        return engine

    def _opened_ladder(self) -> str | None:
        """The host ladder's fingerprint recorded on the ``opened`` event (``None``: a log from before)."""
        # From the replayed state: reading the log's first event again fetched the whole log.
        if self._state.opened_ref is None:
            return None
        for part in split_ref(self._state.opened_ref)[3:]:
            if part.startswith(_LADDER):
                return part[len(_LADDER):]
        return None

    # -- amending ---------------------------------------------------------------------

    def amend(self, campaign: Campaign, *, apply: bool = False, actor: Actor | None = None,
              reason: str | None = None) -> Migration:
        """What amending the running campaign to plan ``campaign`` changes; with ``apply``, amend it.

        Without ``apply`` nothing is written: the ``Migration`` reports tasks added, removed,
        renamed (a task's ``renamed_from``), deadlines moved and running tasks whose
        prerequisites change, and why it cannot be applied (``refusals``). With ``apply`` one
        ``amended`` event is appended (both fingerprints, the renames, the new plan's summary)
        and this engine decides under the new plan from then on; a refused amendment raises
        ``AmendmentRefused`` and writes nothing. History, ids, started work, approvals and
        extensions are kept. Reverting to an earlier plan is an amendment like any other. Who
        may amend is the host's decision; ``actor`` is recorded.
        """
        new_fp = fingerprint(campaign)
        with self._lock:
            for attempt in range(self.retries + 1):
                self.refresh()
                running = self._state.fingerprint or ""
                migration = plan_migration(self.campaign.id, running, self._running_summary(), campaign, new_fp,
                                           self._state)
                if not apply:
                    return migration
                if not migration.ok:
                    first = migration.refusals[0]
                    more = len(migration.refusals) - 1
                    raise AmendmentRefused(Text(
                        f"the amendment cannot be applied: {first.en}" + (f" (and {more} more)" if more else ""),
                        f"无法修订:{first.get('zh')}" + (f"(另有 {more} 项)" if more else "")), migration)
                if not migration.changes and campaign.source == self._state.plan_source:
                    self._adopt(campaign, new_fp)
                    return migration
                draft = Draft(campaign=self.campaign.id, kind=EventKind.AMENDED, at=self._now(),
                              actor=actor.person if actor else None, from_state=running, to_state=new_fp,
                              target=campaign.source, reason=reason,
                              ref=plan_ref(new_fp, migration.payload(), PlanSummary.of(PlanIndex(campaign)).to_json()))
                try:
                    (event,) = self._append([draft])
                except ConcurrencyConflict:
                    if attempt == self.retries:
                        raise
                    continue
                self._adopt(campaign, new_fp)
                return attrs.evolve(migration, applied=event.seq)
        raise AssertionError("unreachable")  # pragma: no cover

    def _running_summary(self) -> PlanSummary:
        # The summary recorded with the running plan; a log from before summaries has none,
        # and then only an engine on the running plan itself knows its tasks.
        seq = self._state.plan_seq
        event = next(iter(self.store.read(self.campaign.id, after=seq - 1)), None) if seq else None
        parts = split_ref(event.ref if event is not None else None)
        if len(parts) >= 3:
            return PlanSummary.from_json(parts[2])
        if self._state.fingerprint in (None, self._fp):
            return PlanSummary.of(self.plan)
        raise PlanChangedError(Text(
            f"the log of campaign {self.campaign.id!r} does not record the running plan's tasks: open the engine on "
            "the running plan to amend it", f"活动 {self.campaign.id!r} 的日志未记录运行中方案的任务:"
                                            "请以运行中的方案打开后再修订"))

    def _adopt(self, campaign: Campaign, fp: str) -> None:
        self.campaign, self.plan, self._fp, self._axis = campaign, PlanIndex(campaign, self.axis), fp, None
        self._timers = TimerIndex(self.plan)
        self._households = personal.households(campaign)

    @property
    def supervision(self) -> Supervision | None:
        """The reminders and escalation ladder in force: the host's, else the plan's ``[supervision]``."""
        return self._host_supervision if self._host_supervision is not None else self.campaign.supervision

    def _check_current(self) -> None:
        """Refuse to decide under a plan the campaign no longer runs."""
        running = self._state.fingerprint
        if running is not None and running != self._fp:
            raise PlanChangedError(Text(
                f"campaign {self.campaign.id!r} was amended to plan {running[:12]} (event {self._state.plan_seq}); "
                f"this engine decides under plan {self._fp[:12]}: reopen it on the current plan",
                f"活动 {self.campaign.id!r} 已修订为方案 {running[:12]}(事件 {self._state.plan_seq});"
                f"本引擎仍按方案 {self._fp[:12]} 决定:请以当前方案重新打开"), running=running, given=self._fp)

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

    def _fresh(self) -> None:
        # Queries see what other processes committed (#17): a host reading without refreshing
        # first showed a unit work another worker had already done.
        if self._fresh_reads:
            self.refresh()

    def _read_to_head(self) -> bool:
        """Apply the stored events up to the head; ``True`` if the head has moved on since."""
        cid = self.campaign.id
        before = self._state.seq
        head = self.store.head(cid)
        if head.seq < before:
            msg = (f"the stored log of campaign {cid!r} ends at event {head.seq}, but event {before} "
                   "was already committed: events were lost or removed")
            raise TamperedLogError(msg, sequence=head.seq + 1)
        if head.seq == before and head.hash == self._state.head:
            # Nothing new (every query refreshes first): only a row written past the head is left to refuse.
            return self._refuse_rows_past(head.seq) if self._verify else False
        # A SQL store reads a replay's rows faster (replay_events); any store's read gives the same.
        read = getattr(self.store, "read_for_replay", self.store.read)
        new = islice(read(cid, after=before), head.seq - before)
        if not self._verify:  # opened with verify=False: read a damaged log as it is, up to the head
            try:
                replay(cid, self._touching(new), into=self._state)
            except ValueError as exc:  # the reducer's "event N cannot follow event M": a gap
                msg = f"the stored log of campaign {cid!r} has a gap: {exc}"
                raise TamperedLogError(msg, sequence=self._state.seq + 1) from None
            return False

        def checked_then_applied(events: Iterable[Event], fold: _Fold) -> Iterator[Event]:
            for event in events:
                yield event  # verify_chain checks it before it asks for the next one
                fold.apply(event)

        with _Fold(self._state) as fold:  # the state's _apply, each task's record built once
            verify_chain(cid, checked_then_applied(self._touching(new), fold), head=(head.seq, head.hash),
                         after=(before, self._state.head))
        return self._refuse_rows_past(head.seq)

    def _touching(self, events: Iterable[Event]) -> Iterator[Event]:
        # The timer index looks again at the tasks other processes changed.
        for event in events:
            if event.task is not None:
                self._timers.touch((event.task,))
            yield event

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
        self._fresh()
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
        self._fresh()
        return self._tasks(state=state, unit=unit, due_before=due_before, due_after=due_after, overdue=overdue)

    def _tasks(self, *, state: TaskState | str | Iterable[TaskState | str] | None = None, unit: str | None = None,
               due_before: datetime | None = None, due_after: datetime | None = None,
               overdue: bool | None = None) -> list[TaskView]:
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
            if units is not None and not units & {view.lead, *view.co_leads, *view.partners, *view.approvers}:
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
        self._fresh()
        units = set(self._members(unit))
        moment = self._now(now)
        try:
            horizon = moment + timedelta(days=days)
        except OverflowError:  # a horizon past the calendar's end: everything is within it
            horizon = datetime.max
        out = []
        for view in self._tasks(unit=unit):
            mine = (view.state in _WORKING and not units.isdisjoint((view.lead, *view.co_leads, *view.partners))) or (
                view.state is TaskState.SUBMITTED and not units.isdisjoint(view.approvers))
            later = view.opens is not None and view.opens > moment  # ready, but its window is still shut
            if mine and (not later or view.opens < horizon or (view.next_due is not None and view.next_due < horizon)):
                out.append(view)
        return sorted(out, key=lambda v: (v.next_due or datetime.max, v.id))

    def history(self, *, task: str | None = None, unit: str | None = None) -> list[Event]:
        """Events of one task, or those a unit made or was the target of (an export of its history).

        A task removed by an amendment keeps its history; a renamed one's includes the
        events recorded under its earlier ids.
        """
        if task is None:
            return list(self.store.read(self.campaign.id, unit=unit))
        if task not in self._state.records and task not in self._state.renamed.values():
            self._info(task)
        names = {task}
        while True:  # every earlier id of the task, through a chain of renames
            more = {old for old, new in self._state.renamed.items() if new in names} - names
            if not more:
                break
            names |= more
        events = [e for name in names for e in self.store.read(self.campaign.id, task=name, unit=unit)]
        return sorted(events, key=lambda e: e.seq)

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

    # -- extensions (延期) --------------------------------------------------------------

    def request_extension(self, task: str, actor: Actor, *, until: datetime | date, reason: str,
                          unit: str | None = None, key: str | None = None) -> Event:
        """The lead asks for a later deadline (a date means the end of that day), with a reason.

        One request at a time; a superior of the lead (or the issuer) grants or refuses it.
        """
        return self._transition(_Request(Action.REQUEST_EXTENSION, task, actor, unit=unit, reason=reason, key=key,
                                         until=self._until(until)))

    def grant_extension(self, task: str, actor: Actor, *, until: datetime | date | None = None,
                        reason: str | None = None, unit: str | None = None, key: str | None = None) -> Event:
        """Grant the pending request (its date, or ``until``); the task's reminders and ladder follow it."""
        return self._transition(_Request(Action.GRANT_EXTENSION, task, actor, unit=unit, reason=reason, key=key,
                                         until=self._until(until) if until is not None else None))

    def refuse_extension(self, task: str, actor: Actor, *, reason: str, unit: str | None = None,
                         key: str | None = None) -> Event:
        """Refuse the pending request, with a reason; the deadline stays."""
        return self._transition(_Request(Action.REFUSE_EXTENSION, task, actor, unit=unit, reason=reason, key=key))

    # -- delegation (委派, 转办, 代理) ------------------------------------------------------

    def delegate(self, task: str, actor: Actor, *, to: str, reason: str | None = None, unit: str | None = None,
                 key: str | None = None) -> Event:
        """委派: the lead has unit ``to`` do the work; the lead keeps the task.

        The delegate may start and complete it; its completed work returns to the lead as
        ``completed`` (the lead then completes or submits it). The delegate does not submit,
        and may not approve work it did. 转办 (the lead changes) is ``reassign``.
        """
        return self._transition(_Request(Action.DELEGATE, task, actor, unit=unit, reason=reason, target=to, key=key))

    def recall(self, task: str, actor: Actor, *, reason: str | None = None, unit: str | None = None,
               key: str | None = None) -> Event:
        """The lead takes a delegated task back."""
        return self._transition(_Request(Action.RECALL, task, actor, unit=unit, reason=reason, key=key))

    # -- receipts (签收) and reports ---------------------------------------------------------

    def receive(self, task: str, actor: Actor, *, submission: int = 0, recipient: str | None = None,
                unit: str | None = None, key: str | None = None) -> Event:
        """签收: a recipient of ``task``'s report number ``submission`` (``reports_to``) confirms receipt.

        The report exists once the work is finished (completed, submitted or done). A group
        recipient is received when one of its units signs; ``recipient`` chooses among several.
        """
        return self._transition(_Request(Action.RECEIVE, task, actor, unit=unit, target=recipient, key=key,
                                         index=submission))

    def reports(self, now: datetime | None = None) -> list[ReportStatus]:
        """Every report (``reports_to``) and every occurrence of a repeated task, as it stands at ``now``.

        ``not_reported`` / ``not_received`` tell who has not reported, or not signed for a report.
        """
        self._fresh()
        moment = self._now(now)
        out: list[ReportStatus] = []
        for tid, info in self.plan.tasks.items():
            state = self.plan.state_of(tid, self._state)
            record = self._state.record(tid)
            delivered = state in (TaskState.COMPLETED, TaskState.SUBMITTED, TaskState.DONE)
            lead = self.plan.lead_of(tid, self._state)
            deadline = record.due if record.due is not None else info.deadline
            if info.task.occurrence is not None and not info.submissions:
                out.append(ReportStatus(task=tid, lead=lead, recipient=None, due=deadline, delivered=delivered,
                                        received=False, late=state is not TaskState.CANCELLED and not delivered
                                        and deadline is not None and moment >= deadline))
            for sub in info.submissions:
                for recipient in sub.to:
                    got = f"{sub.index}:{recipient}" in record.received
                    late = (state is not TaskState.CANCELLED and sub.due is not None and moment >= sub.due
                            and not delivered)
                    out.append(ReportStatus(task=tid, lead=lead, recipient=recipient, due=sub.due, delivered=delivered,
                                            received=got, late=late, submission=sub.index))
        return out

    def appoint_deputy(self, unit: str, actor: Actor, *, deputy: str, until: datetime | date,
                       reason: str | None = None) -> Event:
        """代理: ``deputy`` stands in for ``unit`` until ``until`` (a date: the end of that day).

        Appointed by someone acting for ``unit`` itself or for a superior of it (not through
        another stand-in). While it lasts, whoever acts for ``deputy`` may do what ``unit``
        may; the event records the unit acted for and the person.
        """
        moment = self._until(until)
        with self._lock:
            for attempt in range(self.retries + 1):
                self._check_current()
                now = self._now()
                allowed = (unit, *self.plan.superiors(unit))
                why: Text | None = None
                if unit not in self.campaign.units or deputy not in self.campaign.units:
                    msg = f"campaign {self.campaign.id!r} has no unit {unit if unit not in self.campaign.units else deputy!r}"
                    raise UnknownTaskError(msg)
                if not any(actor.acts_for(u) for u in allowed):
                    why = Text(f"{actor.person} may not appoint a stand-in for {unit}: only {unit} or its superiors may",
                               f"{actor.person} 无权为 {unit} 指定代理:仅限本单位或其上级")
                elif deputy == unit or moment <= now:
                    why = Text(f"a stand-in for {unit} must be another unit, until a later time",
                               f"{unit} 的代理须为其他单位,且期限晚于现在")
                kind = EventKind.DEPUTY_APPOINTED if why is None else EventKind.REFUSED
                acting = next((u for u in allowed if actor.acts_for(u)), None)
                draft = Draft(campaign=self.campaign.id, kind=kind, at=now, actor=actor.person, unit=unit,
                              target=deputy, ref=moment.isoformat(timespec="minutes") if why is None else "deputy",
                              reason=reason if why is None else why.en, from_state=acting if why is None else None)
                if why is not None and not self.audit_refusals:
                    draft = None
                try:
                    events = self._append([draft]) if draft is not None else []
                except ConcurrencyConflict:
                    self.refresh()
                    if attempt == self.retries:
                        raise
                    continue
                if why is not None:
                    cls = NotAuthorized if why.en.startswith(actor.person) else InvalidTransition
                    error = cls(why.en, actor=actor.person)
                    error.text = why  # type: ignore[attr-defined]
                    raise error
                return events[0]
        raise AssertionError("unreachable")  # pragma: no cover

    def deputies(self, now: datetime | None = None) -> dict[str, tuple[str, ...]]:
        """The stand-ins in force at ``now``: unit -> the units standing in for it."""
        self._fresh()
        moment = self._now(now)
        out = {u: tuple(d for d, until in appointed if moment < until)
               for u, appointed in self._state.deputies.items()}
        return {u: ds for u, ds in out.items() if ds}

    def _acts(self, actor: Actor, unit: str) -> bool:
        """Whether ``actor`` acts for ``unit`` now: directly, or standing in for it (代理)."""
        if actor.acts_for(unit):
            return True
        moment = self._deciding_at
        return moment is not None and any(actor.acts_for(d) and moment < until
                                          for d, until in self._state.deputies.get(unit, ()))

    def _until(self, moment: datetime | date) -> datetime:
        from ..model import end_instant

        if isinstance(moment, datetime):
            return to_local(moment, self.campaign.timezone).replace(second=0, microsecond=0)
        return end_instant(moment)

    def tick(self, now: datetime | None = None) -> list[Event]:
        """Fire every timer that has passed: reminders, overdue, escalation and ladder events, as one batch.

        Each timer fires once, whichever process ticks (a tick that lost the race decides again
        on the log as it is). The cost is in proportion to the timers due and the tasks changed
        since the last tick, not to the tasks of the campaign (``TimerIndex``).
        """
        moment = self._now(now)
        with self._lock:
            for attempt in range(self.retries + 1):
                self._check_current()
                drafts = self._timers.due(self._state, moment, self.axis, self.supervision)
                try:
                    return self._append(drafts)
                except ConcurrencyConflict:
                    self.refresh()
                    if attempt == self.retries:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    def reminders(self, now: datetime | None = None, *, within: timedelta | Lag | None = None) -> list[Draft]:
        """What ``tick`` would send at ``now`` (default: the clock), without sending it: reminders,
        overdue and ladder events not fired yet, in plan order (a scan of the plan).

        With ``within`` (a ``timedelta``, or a ``Lag`` such as ``Lag(3, working=True)`` on the
        campaign calendar), a look-ahead: also what falls due up to ``now + within``, each
        draft's ``at`` the moment it falls due, in time order; it assumes nothing else happens
        meanwhile (a task done or a deadline extended takes its timers away). Nothing is fired.
        """
        self._fresh()
        moment = self._now(now)
        if within is None:
            return due_timers(self.plan, self._state, moment, self.axis, self.supervision)
        days = within.total_seconds() / 86400 if isinstance(within, timedelta) else within.days
        if days < 0 or days != days:
            msg = f"a look-ahead must not be negative or NaN, got {within}"
            raise ValueError(msg)
        try:
            if days > _FOREVER_DAYS:  # beyond any campaign: everything is within it (and no calendar walk)
                until = datetime.max
            else:
                until = moment + within if isinstance(within, timedelta) else shift(moment, within, self.axis)
        except OverflowError:  # a window past the calendar's end: everything is within it
            until = datetime.max
        return upcoming_timers(self.plan, self._state, moment, until, self.axis, self.supervision)

    # -- listeners --------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Event], object], *, personal: bool = False) -> Callable[[], None]:
        """Call ``callback(event)`` after every event this engine commits; returns an unsubscribe function.

        A callback that raises is logged and skipped; the event stays committed. It gets events
        about households as the chain records them (pseudonyms, see ``runtime.personal``) unless
        ``personal=True`` (or the callback is marked with ``personal_data_listener``).
        """
        self._subscribers.append(callback)
        if personal:
            self._personal_subscribers.append(callback)

        def unsubscribe() -> None:
            for listeners in (self._subscribers, self._personal_subscribers):
                if callback in listeners:
                    listeners.remove(callback)
        return unsubscribe

    # -- personal data (households, runtime/personal.py) ------------------------------

    def erase_personal(self, household: str | None = None) -> int:
        """Erase the personal data kept about ``household`` (``None``: every household); how many values.

        The chained log keeps its pseudonyms and tokens, so ``verify`` still passes; reads (and the
        state replayed from them, which this engine re-reads) show ``[erased]`` in their place.

        Raises:
            UnknownTaskError: ``household`` is not a household unit of the plan.
            StoreError: the store keeps no personal table, or could not be written.
        """
        if household is not None and household not in self._households:
            msg = f"campaign {self.campaign.id!r} has no household unit {household!r}"
            raise UnknownTaskError(msg)
        if not isinstance(self.store, personal.PersonalVault):
            msg = f"the store {self.store!r} keeps no personal data apart from the log: nothing can be erased"
            raise StoreError(msg)
        with self._lock:
            count = personal.erase(self.store, self.campaign, household)
            # Replay again, so that this engine's state holds no erased value either.
            self._state = State(self.campaign.id)
            self._timers = TimerIndex(self.plan)
            self.refresh()
            return count

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
            self._check_current()
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
        # Households' personal data goes to the store's personal table, the chain gets pseudonyms.
        concealing = self._households and isinstance(self.store, personal.PersonalVault)
        known = personal.pseudonyms(self.store.personal_values(self.campaign.id)) if concealing else {}
        rows: list[personal.PersonalValue] = []
        chained = []
        for draft in drafts:
            if floor is not None and draft.at < floor:
                # Event times never go backwards in a log: a process whose clock is
                # behind the one that wrote last stamps its event with that time.
                _log.warning("clock skew: event at %s stamped %s, the log's latest time", draft.at, floor)
                draft = attrs.evolve(draft, at=floor)
            floor = draft.at
            seq += 1
            sealed = draft
            if concealing:
                lead = self.plan.lead_of(draft.task, state) if draft.task in self.plan.tasks else None
                sealed, made = personal.conceal(draft, self._households, known, lead)
                rows += made
            event = sealed.seal(seq, prev)
            chained.append(event)
            events.append(personal.shown(event, draft) if sealed is not draft else event)
            prev = event.hash
        if not events:
            return events
        if rows:
            self.store.put_personal(self.campaign.id, rows)  # type: ignore[attr-defined]
        try:
            self.store.append(self.campaign.id, chained, expected_seq=state.seq)
        except BaseException:
            if rows:  # nothing refers to them: do not keep personal data for an event never written
                self.store.drop_personal(self.campaign.id, [r.token for r in rows])  # type: ignore[attr-defined]
            raise
        for event in events:
            state._apply(event)
        self._timers.touch(e.task for e in events if e.task is not None)
        self._notify(events)
        return events

    def _notify(self, events: list[Event]) -> None:
        for real in events:
            # Listeners get the chained (pseudonymised) event unless they opted in (personal.py).
            masked = personal.redacted(real) if self._households and personal.is_concealed(real) else real
            for callback in tuple(self._subscribers):
                clear = callback in self._personal_subscribers or personal.wants_personal_data(callback)
                event = real if clear else masked
                try:
                    callback(event)
                except Exception:  # noqa: BLE001 - a listener must not undo a committed event
                    _log.exception("event listener %r failed on event %s", callback, event.seq)
            hook = self.plugins.pm.hook
            for impl in hook.campaignflow_after_event.get_hookimpls():
                event = real if personal.wants_personal_data(impl.function, impl.plugin) else masked
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
        self._deciding_at = now
        current = self.plan.state_of(req.task, self._state)
        record = self._state.record(req.task)
        lead = self.plan.lead_of(req.task, self._state)
        # Co-leads (共同牵头) share the lead's work: start, complete, submit, ask for an extension.
        # Handing the task on (委派, recall) stays with the accountable lead, and superiors are the lead's.
        leads = self.plan.leads_of(req.task, self._state)
        action = req.action
        step: int | None = None
        ref: str | None = None
        target: str | None = None

        if action in (Action.START, Action.COMPLETE) and record.delegate is not None:
            unit = self._acting_unit(req, (*leads, *info.partners, record.delegate), current,
                                     "a lead, a partner or the delegate", "牵头、责任单位或受委派单位")
        elif action in (Action.START, Action.COMPLETE, Action.SUBMIT):
            unit = self._acting_unit(req, (*leads, *info.partners), current, "a lead or a partner", "牵头或责任单位")
        elif action is Action.REQUEST_EXTENSION:
            unit = self._acting_unit(req, leads, current, "a lead", "牵头单位")
        elif action in (Action.DELEGATE, Action.RECALL):
            unit = self._acting_unit(req, (lead,), current, "the lead", "牵头单位")
        elif action is Action.RECEIVE:
            target, ref, unit = self._receipt(req, info, record, current)
        elif action in (Action.REASSIGN, Action.CANCEL, Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION):
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
            if current is TaskState.COMPLETED and info.steps:
                raise _refusal(InvalidTransition, req, current,
                               f"task {req.task!r} is completed: submit it for approval",
                               f"任务 {req.task!r} 已完成,请报送审批")
            delegated = record.delegate is not None and unit == record.delegate
            to = TaskState.COMPLETED if info.steps or delegated else TaskState.DONE
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
            self._check_not_self(req, record, leads, current)
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
        elif action is Action.RECEIVE:
            to = current
        elif action is Action.DELEGATE:
            target = req.target or ""
            if target not in self.campaign.units:
                msg = f"campaign {self.campaign.id!r} has no unit {target!r} to delegate {req.task!r} to"
                raise UnknownTaskError(msg)
            if target in leads or record.delegate is not None:
                raise _refusal(InvalidTransition, req, current,
                               f"task {req.task!r} cannot be delegated to {target}: "
                               + ("it leads it" if target in leads else f"it is delegated to {record.delegate}"),
                               f"任务 {req.task!r} 不能委派给 {target}")
            to = current
        elif action is Action.RECALL:
            if record.delegate is None:
                raise _refusal(InvalidTransition, req, current, f"task {req.task!r} is not delegated",
                               f"任务 {req.task!r} 未委派")
            to, target = current, record.delegate
        elif action in _EXTENSIONS:
            to = current
            ref = self._decide_extension(req, info, record, current)
        else:
            to = TaskState.CANCELLED
        return Draft(campaign=self.campaign.id, kind=_KIND[action], at=now, task=req.task, actor=req.actor.person,
                     unit=unit, from_state=str(current), to_state=str(to), step=step, target=target,
                     reason=req.reason, ref=ref, key=req.key)

    def _receipt(self, req: _Request, info: TaskInfo, record: Any, current: TaskState) -> tuple[None, str, str]:
        """Who signs for which recipient of which report: ``(None, "N:RECIPIENT", unit)``."""
        if not 0 <= req.index < len(info.submissions):
            raise _refusal(InvalidTransition, req, current,
                           f"task {req.task!r} has no report {req.index} to receive (it has {len(info.submissions)})",
                           f"任务 {req.task!r} 没有第 {req.index} 份报送材料")
        sub = info.submissions[req.index]
        recipients = [r for r in sub.to if req.target in (None, r)]
        open_ = [r for r in recipients if f"{sub.index}:{r}" not in record.received]
        for recipient in open_ + [r for r in recipients if r not in open_]:
            members = tuple(self.campaign.members(recipient) or (recipient,))
            if any(self._acts(req.actor, u) for u in members) and (req.unit is None or req.unit in members):
                unit = self._acting_unit(req, members, current, f"a unit of {recipient}", f"{recipient} 的单位")
                self._check_legal(req, current)
                if recipient not in open_:
                    raise _refusal(InvalidTransition, req, current,
                                   f"{recipient} has already received the report of {req.task!r}",
                                   f"{recipient} 已签收任务 {req.task!r} 的报送材料")
                return None, f"{sub.index}:{recipient}", unit
        every = tuple(u for r in sub.to for u in (self.campaign.members(r) or (r,)))
        unit = self._acting_unit(req, every, current, f"a recipient of the report ({', '.join(sub.to)})",
                                 f"报送对象({', '.join(sub.to)})")
        raise AssertionError("unreachable")  # pragma: no cover - _acting_unit refused

    def _decide_extension(self, req: _Request, info: TaskInfo, record: Any, current: TaskState) -> str | None:
        """The checks of a request, grant or refusal of an extension; the deadline (ISO) the event records."""
        deadline = record.due if record.due is not None else info.deadline
        if req.action is not Action.GRANT_EXTENSION and not (req.reason or "").strip():
            raise _refusal(InvalidTransition, req, current, "an extension request or refusal needs a reason",
                           "延期申请或不予延期须说明理由")
        if req.action is Action.REQUEST_EXTENSION:
            if record.requested is not None:
                raise _refusal(InvalidTransition, req, current,
                               f"task {req.task!r} already has an extension request awaiting a decision",
                               f"任务 {req.task!r} 已有待审批的延期申请")
            until = req.until
        elif record.requested is None:
            raise _refusal(InvalidTransition, req, current, f"task {req.task!r} has no extension request",
                           f"任务 {req.task!r} 无延期申请")
        elif req.actor.person == record.requested_by:
            raise _refusal(NotAuthorized, req, current,
                           f"{req.actor.person} asked for the extension of {req.task!r} and may not decide it",
                           f"{req.actor.person} 申请了任务 {req.task!r} 的延期,不得自行审批")
        elif req.action is Action.REFUSE_EXTENSION:
            return None
        else:
            until = req.until if req.until is not None else record.requested
        if until is None or (deadline is not None and until <= deadline):
            shown = deadline_text(deadline) if deadline is not None else "-"
            raise _refusal(InvalidTransition, req, current,
                           f"an extension of {req.task!r} must be later than its deadline ({shown})",
                           f"任务 {req.task!r} 的延期须晚于现期限({shown})")
        return until.isoformat(timespec="minutes")

    def _acting_unit(self, req: _Request, allowed: tuple[str, ...], current: TaskState, who_en: str,
                     who_zh: str) -> str:
        if req.unit is not None:
            if self._acts(req.actor, req.unit) and req.unit in allowed:
                return req.unit
            # Acting as a unit that stands in (代理) for an allowed one: for that one.
            moment = self._deciding_at
            candidates: tuple[str, ...] = tuple(
                u for u in allowed if req.actor.acts_for(req.unit) and moment is not None and any(
                    d == req.unit and moment < until for d, until in self._state.deputies.get(u, ())))
        else:
            candidates = tuple(u for u in allowed if self._acts(req.actor, u))
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

    def _check_not_self(self, req: _Request, record: Any, leads: tuple[str, ...], current: TaskState) -> None:
        # Self-approval follows the person and the work, not who leads the task now: whoever did
        # any of the work, or acts for the current lead, a co-lead or a unit the work was done for (a partner
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
        own = {*leads, *record.work_units}  # a co-lead leads it too, whether or not it did any work
        mine = sorted(u for u in own if self._acts(req.actor, u))
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
        deadline = record.due if record.due is not None else info.deadline
        fired_due = deadline is not None and (due_timer(deadline) in record.fired or (
            "due" in record.fired and record.due is None))  # "due": a log from before deadline-stamped ids
        overdue = current not in TERMINAL and (fired_due or (
            submitted and step_timer(record) in record.fired))
        return TaskView(
            id=tid, title=info.task.title, lead=self.plan.lead_of(tid, self._state), partners=info.partners,
            state=current, step=record.step if submitted else None, steps=len(info.steps),
            approvers=tuple(u for u in step.units if u not in record.approved) if step is not None else (),
            due=deadline, step_due=step_deadline(step, record.since, self.axis) if step is not None else None,
            opens=self._opens(info) if current in (TaskState.WAITING, TaskState.READY) else None,
            overdue=overdue, escalated_to=record.escalated_to, rejections=record.rejections,
            reason=record.reason, started_at=record.started_at, finished_at=record.finished_at,
            level=record.level, requested_due=record.requested, delegate=record.delegate,
            co_leads=self.plan.leads_of(tid, self._state)[1:],
        )
