"""Timers: reminders before deadlines (催办), deadlines that pass, the escalation ladder, approval times.

The default rule: when a task's deadline passes before it is done, the task is
*overdue* for its lead unit and is escalated to the lead's parent unit. When
an approval step's time passes (``within`` working days after the step
became pending, or its ``due``, whichever is earlier), the step is overdue
for the units still to approve it, and is escalated to each one's parent.
A unit without a parent escalates to the campaign's issuer; the issuer
itself escalates to no one (the overdue event is still recorded).

A plan's ``[supervision]`` (or the host's, ``Engine.open(supervision=...)``) adds
reminders before each deadline (``reminded`` events) and replaces the one-level
escalation by its ladder: each level (blue, orange, red ...) fires ``after`` the
deadline as an ``alerted`` event to its target (the lead, its parent, the issuer
or a named unit). Working days are on the campaign calendar, 调休 included.

Each timer fires once. A task's timers are named after the deadline they count
from (``due@2020-07-31T24:00`` written ``due@2020-08-01T00:00``, ``remind:0@…``,
``level:orange@…``), so a deadline moved by an extension or an amendment arms
a fresh set; an approval step's is ``step:N:R`` (step N of submission R), and its
reminders and levels (the same ladder, counted from the step's time, to the units still
to approve it) are ``remind:I@step:N:R`` and ``level:NAME@step:N:R``.

``TimerIndex`` keeps each task's next timer in a heap, so that ``tick`` costs
time in proportion to the timers due (and the tasks changed since), not to the
tasks of the campaign.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from .._display import deadline as deadline_text
from ..calendar import WorkAxis
from ..model import Campaign, Lag, Supervision
from .events import Draft, EventKind
from .plan import PlanIndex, Step
from .states import TERMINAL, State, TaskRecord, TaskState

__all__ = ["escalation_targets", "step_deadline", "due_timers", "upcoming_timers", "shift", "task_deadline_now",
           "TimerIndex"]

Axis = Callable[[], WorkAxis]


def escalation_targets(campaign: Campaign, units: Iterable[str]) -> tuple[str, ...]:
    """Where an overdue item of ``units`` goes: each unit's parent, or the issuer; no duplicates."""
    out: dict[str, None] = {}
    for uid in units:
        unit = campaign.units.get(uid)
        parent = unit.parent if unit is not None else None
        target = parent if parent is not None else campaign.issuer
        if target is not None and target != uid:
            out.setdefault(target, None)
    return tuple(out)


def step_deadline(step: Step, since: datetime | None, axis: Axis) -> datetime | None:
    """When ``step`` is overdue: ``within`` working days after ``since``, or its ``due``, the earlier."""
    candidates = []
    if step.due is not None:
        candidates.append(step.due)
    if step.within is not None and since is not None:
        ax = axis()
        candidates.append(ax.instant(ax.pos(since) + step.within, finish=True))
    return min(candidates, default=None)


def step_timer(record: TaskRecord) -> str:
    """The id of the timer of the pending step: ``step:N:R`` (step N of submission R)."""
    return f"step:{record.step}:{record.rounds}"


def task_deadline_now(plan: PlanIndex, state: State, task: str) -> datetime | None:
    """The task's deadline as it stands: a granted extension's, else the plan's."""
    record = state.record(task)
    return record.due if record.due is not None else plan.tasks[task].deadline


def due_timer(deadline: datetime) -> str:
    """The id of the overdue timer of a task with this deadline."""
    return f"due@{deadline:%Y-%m-%dT%H:%M}"


def _shift(moment: datetime, lag: Lag, sign: int, axis: Axis) -> datetime:
    if not lag.days:
        return moment
    if not lag.working:
        return moment + sign * timedelta(days=lag.days)
    ax = axis()
    work = ax.pos(moment) + sign * lag.days
    # Within a day, at the lunch break, "2wd before 12:00" is 12:00 (the break's closing side), not 14:00.
    return ax.instant(work, finish=sign > 0 or work != work // 1)


def _target(campaign: Campaign, to: str, lead: str) -> str | None:
    if to == "lead":
        return lead
    if to == "parent":
        targets = escalation_targets(campaign, [lead])
        return targets[0] if targets else None
    if to == "issuer":
        return campaign.issuer
    return to


def _targets(campaign: Campaign, to: str, units: Iterable[str]) -> list[tuple[str, str | None]]:
    """``(unit, target)`` for each of ``units`` the ladder's ``to`` reaches, one event per target."""
    out: dict[str | None, str] = {}
    for unit in units:
        out.setdefault(_target(campaign, to, unit), unit)
    return [(unit, target) for target, unit in out.items()]


Timer = tuple[datetime, str, Callable[[datetime], list[Draft]]]


def _ladder(campaign: Campaign, tid: str, current: TaskState, units: list[str], deadline: datetime, anchor: str,
            what: str, fired: frozenset[str], axis: Axis, supervision: Supervision | None,
            step: int | None = None) -> list[Timer]:
    """The reminders before ``deadline`` and the levels after it, not fired yet, for ``units``.

    ``units`` are who must act: the lead for a task's deadline, the units still to approve for
    an approval step (``to = "lead"`` reaches them, ``"parent"`` each one's parent); ``what``
    names the step in the reasons (``""``: the task's deadline). Timer ids
    are ``remind:I@ANCHOR`` and ``level:NAME@ANCHOR``: ``ANCHOR`` is the deadline's stamp
    (a task) or the step's timer ``step:N:R``, so each fires once per deadline or round.
    """
    if supervision is None:
        return []
    out: list[Timer] = []
    for i, reminder in enumerate(supervision.reminders):
        timer = f"remind:{i}@{anchor}"
        if timer in fired:
            continue
        reason = f"reminder: {what}due {deadline_text(deadline)} ({reminder.before} before)"

        def remind(now: datetime, timer: str = timer, to: str = reminder.to, reason: str = reason) -> list[Draft]:
            if now >= deadline:  # too late to remind: the deadline's own timers speak now
                return []
            return [Draft(campaign=campaign.id, kind=EventKind.REMINDED, at=now, task=tid, unit=unit,
                          from_state=str(current), to_state=str(current), target=target, step=step, reason=reason,
                          ref=timer) for unit, target in _targets(campaign, to, units)]
        out.append((_shift(deadline, reminder.before, -1, axis), timer, remind))
    for level in supervision.levels:
        timer = f"level:{level.name}@{anchor}"
        if timer in fired:
            continue
        reason = f"level {level.name}: {what or 'deadline '}{deadline_text(deadline)} passed ({level.after} after)"

        def alert(now: datetime, timer: str = timer, to: str = level.to, reason: str = reason) -> list[Draft]:
            return [Draft(campaign=campaign.id, kind=EventKind.ALERTED, at=now, task=tid, unit=unit,
                          from_state=str(current), to_state=str(current), target=target, step=step, reason=reason,
                          ref=timer) for unit, target in _targets(campaign, to, units)]
        out.append((_shift(deadline, level.after, 1, axis), timer, alert))
    return out


def _task_timers(plan: PlanIndex, state: State, tid: str, axis: Axis,
                 supervision: Supervision | None) -> list[Timer]:
    """``(when, timer id, make drafts)`` for every timer of ``tid`` not fired yet, in time order."""
    campaign = plan.campaign
    info = plan.tasks[tid]
    record = state.record(tid)
    current = plan.state_of(tid, state)
    if current in TERMINAL:
        return []
    out: list[Timer] = []
    lead = plan.lead_of(tid, state)
    deadline = record.due if record.due is not None else info.deadline
    fired = record.fired
    ladder = supervision.levels if supervision is not None else ()
    if deadline is not None:
        stamp = f"{deadline:%Y-%m-%dT%H:%M}"
        timer = due_timer(deadline)
        # A log written before timer ids carried the deadline says "due": the plan's deadline fired.
        legacy = "due" in fired and record.due is None
        if timer not in fired and not legacy:
            reason = f"deadline {deadline_text(deadline)} passed in state {current}"

            def overdue(now: datetime, timer: str = timer, reason: str = reason) -> list[Draft]:
                return _overdue(campaign, tid, now, current, timer, [lead], reason, escalate=not ladder)
            out.append((deadline, timer, overdue))
        out += _ladder(campaign, tid, current, [lead], deadline, stamp, "", fired, axis, supervision)
    if current is TaskState.SUBMITTED and record.step < len(info.steps):
        step = info.steps[record.step]
        timer = step_timer(record)
        when = step_deadline(step, record.since, axis)
        pending = [u for u in step.units if u not in record.approved]
        if when is not None and timer not in fired:
            reason = f"approval step {step.index + 1} was due {deadline_text(when)}"

            def step_overdue(now: datetime, timer: str = timer, pending: list[str] = pending,
                             reason: str = reason) -> list[Draft]:
                return _overdue(campaign, tid, now, current, timer, pending, reason, step=step.index,
                                escalate=not ladder)
            out.append((when, timer, step_overdue))
        if when is not None and pending:
            out += _ladder(campaign, tid, current, pending, when, timer, f"approval step {step.index + 1}, ", fired,
                           axis, supervision, step=step.index)
    out.sort(key=lambda item: item[0])
    return out


def task_due(plan: PlanIndex, state: State, tid: str, now: datetime, axis: Axis,
             supervision: Supervision | None) -> tuple[list[Draft], datetime | None]:
    """The drafts of ``tid``'s timers due at ``now``, and when its next timer falls due (``None``: none)."""
    drafts: list[Draft] = []
    later = None
    for when, _timer, make in _task_timers(plan, state, tid, axis, supervision):
        if when <= now:
            drafts += make(now)
        elif later is None:
            later = when
    return drafts, later


def due_timers(plan: PlanIndex, state: State, now: datetime, axis: Axis,
               supervision: Supervision | None = None) -> list[Draft]:
    """Every timer that has passed at ``now`` and not fired yet, task by task (a scan of the whole plan).

    ``Engine.tick`` gives the same events through a ``TimerIndex``; this is its reference.
    """
    drafts: list[Draft] = []
    for tid in plan.tasks:
        drafts += task_due(plan, state, tid, now, axis, supervision)[0]
    return drafts


def upcoming_timers(plan: PlanIndex, state: State, now: datetime, until: datetime, axis: Axis,
                    supervision: Supervision | None = None) -> list[Draft]:
    """Every timer not fired yet that falls due by ``until``: those passed at ``now`` too.

    A look-ahead, not a promise: each draft's ``at`` is when it falls due (``now`` for those
    already due), and it is what ``tick`` would send then if nothing happens meanwhile (a task
    done, a step approved, a deadline extended would take it away). Ordered by time, then
    plan order. A scan of the plan.
    """
    out: list[tuple[datetime, int, Draft]] = []
    for pos, tid in enumerate(plan.tasks):
        for when, _timer, make in _task_timers(plan, state, tid, axis, supervision):
            if when > until:
                break  # in time order: the rest fall due later still
            moment = max(when, now)
            out += [(moment, pos, d) for d in make(moment)]
    out.sort(key=lambda item: (item[0], item[1]))
    return [d for _, _, d in out]


def shift(moment: datetime, lag: Lag, axis: Axis) -> datetime:
    """``moment`` plus ``lag``: working days and hours on the campaign calendar, or calendar days."""
    return _shift(moment, lag, 1, axis)


class TimerIndex:
    """Each task's next timer, in a heap: ``due(now)`` looks only at tasks with a timer due.

    Entries go stale when a task changes (a timer fires, it is submitted, its deadline
    moves); ``touch(task)`` pushes its new next time and a stale entry only costs a
    look at its task. Built lazily, once, from the whole plan.
    """

    def __init__(self, plan: PlanIndex) -> None:
        self._plan = plan
        self._order = {tid: i for i, tid in enumerate(plan.tasks)}
        self._heap: list[tuple[datetime, int, str]] = []
        self._dirty: set[str] = set()
        self.built = False

    def build(self, state: State, axis: Axis, supervision: Supervision | None) -> None:
        heap = []
        for tid in self._plan.tasks:
            timers = _task_timers(self._plan, state, tid, axis, supervision)
            if timers:
                heap.append((timers[0][0], self._order[tid], tid))
        heapq.heapify(heap)
        self._heap, self._dirty, self.built = heap, set(), True

    def touch(self, tasks: Iterable[str]) -> None:
        """These tasks changed: their next timer is looked up again at the next ``due``."""
        if self.built:
            self._dirty.update(t for t in tasks if t in self._order)

    def due(self, state: State, now: datetime, axis: Axis, supervision: Supervision | None) -> list[Draft]:
        """The drafts of every timer due at ``now`` (in plan order); the heap keeps the rest."""
        if not self.built:
            self.build(state, axis, supervision)
        candidates = set(self._dirty)
        self._dirty.clear()
        heap = self._heap
        while heap and heap[0][0] <= now:
            candidates.add(heapq.heappop(heap)[2])
        drafts: list[Draft] = []
        for tid in sorted(candidates, key=self._order.__getitem__):
            found, later = task_due(self._plan, state, tid, now, axis, supervision)
            drafts += found
            if found:
                self._dirty.add(tid)  # after they commit, its next timer is looked up again
            elif later is not None:
                heapq.heappush(heap, (later, self._order[tid], tid))
        return drafts

    def __len__(self) -> int:
        return len(self._heap)


def _overdue(campaign: Campaign, task: str, now: datetime, current: TaskState, timer: str, units: list[str],
             reason: str, step: int | None = None, *, escalate: bool = True) -> list[Draft]:
    state = str(current)
    out = [Draft(campaign=campaign.id, kind=EventKind.OVERDUE, at=now, task=task, unit=units[0] if units else None,
                 from_state=state, to_state=state, step=step, reason=reason, ref=timer)]
    for target in escalation_targets(campaign, units) if escalate else ():
        out.append(Draft(campaign=campaign.id, kind=EventKind.ESCALATED, at=now, task=task,
                         unit=units[0] if units else None, from_state=state, to_state=state, step=step,
                         target=target, reason=reason, ref=timer))
    return out
