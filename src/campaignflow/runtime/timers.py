"""Timers: deadlines and approval ``within`` times that pass, and the escalation rule.

The rule: when a task's deadline passes before it is done, the task is
*overdue* for its lead unit and is escalated to the lead's parent unit. When
an approval step's time passes (``within`` working days after the step
became pending, or its ``due``, whichever is earlier), the step is overdue
for the units still to approve it, and is escalated to each one's parent.
A unit without a parent escalates to the campaign's issuer; the issuer
itself escalates to no one (the overdue event is still recorded). Each timer
fires once: a task's deadline once, an approval step once per submission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from .._display import deadline as deadline_text
from ..calendar import WorkAxis
from ..model import Campaign
from .events import Draft, EventKind
from .plan import PlanIndex, Step
from .states import TERMINAL, State, TaskRecord, TaskState

__all__ = ["escalation_targets", "step_deadline", "due_timers"]


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


def step_deadline(step: Step, since: datetime | None, axis: Callable[[], WorkAxis]) -> datetime | None:
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


def due_timers(plan: PlanIndex, state: State, now: datetime, axis: Callable[[], WorkAxis]) -> list[Draft]:
    """Overdue and escalation events for every timer that has passed at ``now`` and not fired yet."""
    campaign = plan.campaign
    drafts: list[Draft] = []
    for tid, info in plan.tasks.items():
        record = state.record(tid)
        current = plan.state_of(tid, state)
        if current in TERMINAL:
            continue
        if info.deadline is not None and now >= info.deadline and "due" not in record.fired:
            lead = plan.lead_of(tid, state)
            reason = f"deadline {deadline_text(info.deadline)} passed in state {current}"
            drafts += _overdue(campaign.id, tid, now, current, "due", [lead], reason, campaign)
        if current is TaskState.SUBMITTED and record.step < len(info.steps):
            step = info.steps[record.step]
            timer = step_timer(record)
            deadline = step_deadline(step, record.since, axis)
            if deadline is not None and now >= deadline and timer not in record.fired:
                pending = [u for u in step.units if u not in record.approved]
                reason = f"approval step {step.index + 1} was due {deadline_text(deadline)}"
                drafts += _overdue(campaign.id, tid, now, current, timer, pending, reason, campaign,
                                   step=step.index)
    return drafts


def _overdue(campaign_id: str, task: str, now: datetime, current: TaskState, timer: str, units: list[str],
             reason: str, campaign: Campaign, step: int | None = None) -> list[Draft]:
    state = str(current)
    out = [Draft(campaign=campaign_id, kind=EventKind.OVERDUE, at=now, task=task, unit=units[0] if units else None,
                 from_state=state, to_state=state, step=step, reason=reason, ref=timer)]
    for target in escalation_targets(campaign, units):
        out.append(Draft(campaign=campaign_id, kind=EventKind.ESCALATED, at=now, task=task,
                         unit=units[0] if units else None, from_state=state, to_state=state, step=step,
                         target=target, reason=reason, ref=timer))
    return out
