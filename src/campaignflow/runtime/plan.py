"""What the engine needs to know of a plan, indexed once: leads, partners, prerequisites, approval steps."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime

import attrs

from ..calendar import DEFAULT_OFFICE_HOURS, WorkAxis
from ..model import Campaign, Dependency, Supervision, Task, end_instant, start_instant
from ..model import task_deadline as _task_deadline
from .states import TERMINAL, State, TaskState

__all__ = ["Step", "SubmissionInfo", "TaskInfo", "PlanIndex", "fingerprint", "supervision_fingerprint"]


@attrs.frozen
class Step:
    """One approval step with its groups expanded to units."""

    index: int
    #: The units that may give this step, in plan order.
    units: tuple[str, ...]
    #: ``all`` (会签: every unit must approve) or ``any`` (或签: the first approval decides).
    mode: str
    #: Working days the approvers are expected to take, counted from when the step became pending.
    within: float | None
    #: Absolute deadline of the step.
    due: datetime | None
    kind: str = "approve"


@attrs.frozen
class SubmissionInfo:
    """A report the task delivers (``reports_to``): to whom, by when."""

    index: int
    #: The recipients as the plan names them (a unit, or a group: any of its units signs for it).
    to: tuple[str, ...]
    #: When it must be delivered: its own ``due``, else the task's deadline.
    due: datetime | None


@attrs.frozen
class TaskInfo:
    """A task of the plan as the engine sees it."""

    task: Task
    #: Partner units, groups expanded.
    partners: tuple[str, ...]
    #: Prerequisites that exist in the plan (a reference to an unknown task is a plan problem, not ours).
    prereqs: tuple[Dependency, ...]
    steps: tuple[Step, ...]
    earliest: datetime | None
    deadline: datetime | None
    submissions: tuple[SubmissionInfo, ...] = ()
    #: Further lead units (共同牵头, the plan's ``co_leads``), after the accountable lead.
    co_leads: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.task.id


def _axis(campaign: Campaign) -> WorkAxis:
    from ..calendar import campaign_calendar

    return WorkAxis(campaign_calendar(campaign), start_instant(campaign.start).date())


class PlanIndex:
    """The campaign's tasks indexed for the engine; built once per engine."""

    def __init__(self, campaign: Campaign, axis: Callable[[], WorkAxis] | None = None) -> None:
        self.campaign = campaign
        tasks: dict[str, TaskInfo] = {}
        axes: list[WorkAxis] = []

        def task_deadline(task: Task) -> datetime | None:
            # An event at a moment ends after its hours in office hours: that needs the campaign's
            # calendar, built only if the plan has such an event.
            if not isinstance(task.window.on, datetime):
                return _task_deadline(task)
            if not axes:
                axes.append(axis() if axis is not None else _axis(campaign))
            return _task_deadline(task, axes[0])

        for task in campaign.tasks.values():
            steps = tuple(
                Step(index=i, units=_expand(campaign, a.by), mode=a.mode,
                     within=a.within.likely if a.within is not None else None,
                     due=end_instant(a.due) if a.due is not None else None, kind=a.kind)
                for i, a in enumerate(task.approvals)
            )
            tasks[task.id] = TaskInfo(
                task=task, partners=_expand(campaign, task.partners),
                prereqs=tuple(d for d in task.after if d.task in campaign.tasks),
                steps=steps, earliest=task.window.earliest(), deadline=task_deadline(task),
                submissions=tuple(SubmissionInfo(i, s.to, end_instant(s.due) if s.due is not None
                                                 else task_deadline(task)) for i, s in enumerate(task.reports_to)),
                co_leads=task.leads[1:],
            )
        self.tasks: Mapping[str, TaskInfo] = tasks
        self._position = {tid: pos for pos, tid in enumerate(tasks)}
        self._by_unit: dict[str, list[int]] | None = None
        self._order: list[TaskInfo] = []

    def state_of(self, task_id: str, state: State) -> TaskState:
        """The task's current state: the stored one, or waiting/ready from its prerequisites."""
        phase = state.record(task_id).phase
        if phase is not TaskState.WAITING:
            return phase
        for dep in self.tasks[task_id].prereqs:
            if state.record(dep.task).phase not in TERMINAL:
                return TaskState.WAITING
        return TaskState.READY

    def lead_of(self, task_id: str, state: State) -> str:
        """The task's lead unit, after any reassignment."""
        return state.record(task_id).lead or self.tasks[task_id].task.lead

    def leads_of(self, task_id: str, state: State) -> tuple[str, ...]:
        """Every lead unit of the task now: the accountable lead (after any reassignment) first,
        then the plan's co-leads (共同牵头) other than it."""
        lead = self.lead_of(task_id, state)
        return (lead, *(u for u in self.tasks[task_id].co_leads if u != lead))

    def involving(self, units: set[str], state: State) -> list[TaskInfo]:
        """Tasks, in plan order, that ``units`` may have a part in: a superset of those they lead
        (after reassignment), partner in, or approve at some step. Cost: those tasks, not the plan."""
        if self._by_unit is None:
            # Built on first use: the plan does not change under an index.
            by_unit: dict[str, list[int]] = {}
            for pos, info in enumerate(self.tasks.values()):
                for uid in {info.task.lead, *info.co_leads, *info.partners, *(u for s in info.steps for u in s.units)}:
                    by_unit.setdefault(uid, []).append(pos)
            self._by_unit, self._order = by_unit, list(self.tasks.values())
        positions = {p for uid in units for p in self._by_unit.get(uid, ())}
        # A reassignment moves the lead at run time: the state knows those (few) tasks.
        positions.update(self._position[tid] for tid, r in state.records.items()
                         if r.lead is not None and r.lead in units and tid in self._position)
        return [self._order[p] for p in sorted(positions)]

    def superiors(self, unit: str) -> tuple[str, ...]:
        """Who may reassign or cancel a task led by ``unit``: its ancestors and the issuer."""
        out = dict.fromkeys(self.campaign.ancestors(unit))
        if self.campaign.issuer is not None:
            out.setdefault(self.campaign.issuer, None)
        return tuple(out)


def _expand(campaign: Campaign, refs: tuple[str, ...]) -> tuple[str, ...]:
    # Like Campaign.expand, but an id the plan does not know stays itself: the
    # unit may still act for it, and the loader's checks report it.
    out: dict[str, None] = {}
    for ref in refs:
        for uid in campaign.members(ref) or (ref,):
            out.setdefault(uid, None)
    return tuple(out)


def supervision_fingerprint(supervision: Supervision | None) -> str:
    """A sha256 over a host-given ladder's content (its notes left out); ``"none"`` without one."""
    if supervision is None:
        return "none"
    text = repr(attrs.evolve(supervision, doc=None))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(campaign: Campaign) -> str:
    """A sha256 over the plan's content (not where it was read from): tells a changed plan."""
    text = repr(attrs.evolve(campaign, source=None, locator=None))
    # Unit.household and the office hours are not in the repr: added only when set, so that
    # plans without them keep the fingerprint their stores hold.
    households = [uid for uid, unit in campaign.units.items() if unit.household]
    if households:
        text += f"\nhouseholds={households!r}"
    if campaign.office_hours != DEFAULT_OFFICE_HOURS:
        text += f"\noffice_hours={campaign.office_hours}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
