"""Values the engine hands out: who acts (``Actor``) and what a task looks like now (``TaskView``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from .states import TaskState

__all__ = ["Actor", "TaskView", "ReportStatus"]


def _units(value: Iterable[str] | str) -> frozenset[str]:
    return frozenset((value,)) if isinstance(value, str) else frozenset(value)


@attrs.frozen
class Actor:
    """A person, as the host authenticated them, and the units they act for.

    The engine trusts the host for *who* the person is and checks *what* they
    may do: only what the units they act for may do.

    Example::

        Actor("wang.li", {"stats-bureau"})
    """

    person: str = attrs.field(validator=attrs.validators.min_len(1))
    units: frozenset[str] = attrs.field(converter=_units)

    def acts_for(self, unit: str) -> bool:
        return unit in self.units


@attrs.frozen
class TaskView:
    """A task of a running campaign as it stands: what a platform shows.

    Attributes:
        id: the task's id.
        title: its title (the plan's words).
        lead: the lead unit now (after any reassignment).
        partners: partner units, groups expanded.
        state: its state.
        step: the pending approval step (0-based) while submitted, else ``None``.
        steps: how many approval steps the task has.
        approvers: units that may still give the pending step.
        due: the task's deadline (end of the plan's ``due`` day).
        step_due: when the pending approval step is overdue.
        opens: the earliest moment it may be started (its window and its prerequisites' lags).
        overdue: whether a timer has fired for its deadline or its pending step.
        escalated_to: units it was escalated to.
        rejections: how many times it was rejected.
        reason: the last rejection's or cancellation's reason.
        started_at: when it was first started.
        finished_at: when it became done or cancelled.
        level: the last level of the escalation ladder that fired (``[supervision] levels``).
        requested_due: the deadline an extension request (延期申请) asks for, awaiting a decision.
        delegate: the unit the lead delegated the work to (委派), until its result returns.
        co_leads: further lead units (共同牵头, the plan's ``co_leads``) other than ``lead``: they may
            start, complete and submit the work and ask for an extension, and may not approve it.
    """

    id: str
    title: str
    lead: str
    partners: tuple[str, ...]
    state: TaskState
    step: int | None
    steps: int
    approvers: tuple[str, ...]
    due: datetime | None
    step_due: datetime | None
    opens: datetime | None
    overdue: bool
    escalated_to: tuple[str, ...]
    rejections: int
    reason: str | None
    started_at: datetime | None
    finished_at: datetime | None
    level: str | None = None
    requested_due: datetime | None = None
    delegate: str | None = None
    co_leads: tuple[str, ...] = ()

    @property
    def next_due(self) -> datetime | None:
        """The nearest deadline that concerns whoever must act next."""
        return min((d for d in (self.due, self.step_due) if d is not None), default=None)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (datetimes as ISO text)."""
        out = attrs.asdict(self, recurse=False)
        out["state"] = str(self.state)
        for name in ("due", "step_due", "opens", "started_at", "finished_at", "requested_due"):
            value = out[name]
            out[name] = value.isoformat() if value is not None else None
        out["partners"] = list(self.partners)
        out["co_leads"] = list(self.co_leads)
        out["approvers"] = list(self.approvers)
        out["escalated_to"] = list(self.escalated_to)
        return out


@attrs.frozen
class ReportStatus:
    """One report a task owes (``reports_to``), or one occurrence of a repeated reporting task.

    Attributes:
        task: the task (an occurrence ``ID#N`` of a repeated one).
        lead: who owes it.
        recipient: the unit or group it goes to (``None`` for an occurrence without ``reports_to``).
        due: when it must be delivered.
        delivered: the work is finished (completed, submitted or done).
        received: the recipient signed for it (签收).
        late: its time has passed and it is not delivered: not reported.
        submission: its index in the task's ``reports_to``.
    """

    task: str
    lead: str
    recipient: str | None
    due: datetime | None
    delivered: bool
    received: bool
    late: bool
    submission: int = 0

    @property
    def not_reported(self) -> bool:
        """Due, and not delivered."""
        return self.late

    @property
    def not_received(self) -> bool:
        """Delivered, and not signed for by its recipient."""
        return self.delivered and self.recipient is not None and not self.received

    def to_dict(self) -> dict[str, object]:
        out = attrs.asdict(self, recurse=False)
        out["due"] = self.due.isoformat() if self.due is not None else None
        return out
