"""What ``schedule`` and ``simulate`` return: typed, immutable values a host can render.

Times are given twice: as timezone-aware datetimes in the campaign's timezone
(what people read) and as *working time* (``*_pos``: working days since the
campaign's start on its calendar, what programs compare). A finish on a day
boundary is the end of the last working day: ``2020-09-30T24:00`` is shown as
``datetime(2020, 10, 1, 0, 0)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from types import MappingProxyType

import attrs

from ..cpm import gate_id
from .scenario import Scenario

__all__ = ["StepTiming", "TaskTiming", "Deadline", "Overbooking", "Schedule", "TaskRisk", "DeadlineRisk", "SimulationResult"]


@attrs.frozen
class StepTiming:
    """One approval step of a task in a schedule.

    Attributes:
        index: 0-based position of the step among the task's approvals.
        by: the unit or group ids the step names.
        start: when the approver receives it (the previous step or the work is done).
        finish: when it is given.
        due: the step's own deadline, if it has one.
        met: whether ``finish <= due``; ``None`` without a due.
        slack: working days the step may slip without missing any deadline
            or moving the campaign's last finish (negative: late).
    """

    index: int
    by: tuple[str, ...]
    start: datetime
    finish: datetime
    start_pos: float
    finish_pos: float
    due: datetime | None = None
    met: bool | None = None
    slack: float = 0.0


@attrs.frozen
class TaskTiming:
    """One task in a schedule: its work, then its approval steps in order.

    Attributes:
        id: the task id (``ID#N`` for occurrences, ``TEMPLATE@UNIT`` for template instances).
        lead: the accountable unit.
        start: when the work starts.
        work_finish: when the work is done (before approvals).
        finish: when the task is finished: work done and every step given.
        slack: working days the task may slip without missing a deadline or
            moving the campaign's last finish; negative when it is late.
        due: the task's deadline (a fixed event's is the end of its day).
        met: whether ``finish <= due`` (a fixed event: whether its
            prerequisites are done before it starts); ``None`` without a due.
        fixed: a fixed-date (``on``) event, placed on its date whatever comes before it.
        late_prerequisites: a fixed event whose prerequisites finish after it starts.
        approvals: the steps, in order.
    """

    id: str
    title: str
    lead: str
    start: datetime
    work_finish: datetime
    finish: datetime
    start_pos: float
    work_finish_pos: float
    finish_pos: float
    slack: float
    due: datetime | None = None
    met: bool | None = None
    fixed: bool = False
    late_prerequisites: bool = False
    approvals: tuple[StepTiming, ...] = ()


@attrs.frozen
class Deadline:
    """A deadline of the plan and whether the schedule meets it.

    ``step`` is ``None`` for a task's own ``due`` (or a fixed event's day) and
    the step's index for an approval step's ``due``. ``finish`` is what the
    deadline applies to: the task's work (its approval steps have deadlines of
    their own), or the step.
    """

    task: str
    step: int | None
    due: datetime
    finish: datetime
    met: bool

    @property
    def label(self) -> str:
        """``task`` or ``task/approval[i]``, as the CLI prints it."""
        return _label(self.task, self.step)


def _label(task: str, step: int | None) -> str:
    # The node id of the step's gate, as in the compiled plan.
    return task if step is None else gate_id(task, step)


@attrs.frozen
class Overbooking:
    """A day on which a unit leads more tasks than its ``capacity`` (as check CF301 counts them).

    The scheduler gives fixed events (``on``) no capacity slot: they stay on
    their date, and the unit's other work goes on around them. So a day with
    events can hold more of the unit's tasks than its capacity: every event of
    the day counts for the whole day, like every work task running that day.

    Attributes:
        unit: the lead unit.
        day: the day (an event's ``on`` date; it may be a day off).
        capacity: the unit's capacity (after the scenario's changes).
        events: the unit's fixed events on that day, in plan order.
        work: the unit's other tasks whose work runs that day, in plan order.
    """

    unit: str
    day: date
    capacity: int
    events: tuple[str, ...]
    work: tuple[str, ...] = ()

    @property
    def load(self) -> int:
        """How many of the unit's tasks the day holds: ``len(events) + len(work)``."""
        return len(self.events) + len(self.work)

    @property
    def tasks(self) -> tuple[str, ...]:
        """The events, then the work."""
        return self.events + self.work


def _by_id(tasks: tuple[TaskTiming, ...]) -> Mapping[str, TaskTiming]:
    return MappingProxyType({t.id: t for t in tasks})


@attrs.frozen
class Schedule:
    """A deterministic, resource-constrained schedule of a campaign.

    Attributes:
        campaign_id: the plan's id.
        calendar: the calendar's name.
        timezone: the campaign's timezone (every datetime here is in it).
        origin: working time 0 is 00:00 of this date (the campaign's start).
        start: the earliest start of any task.
        finish: the latest finish of any task (the campaign's makespan end).
        tasks: every task, in plan order.
        scenario: the what-if changes the schedule was made with.
        priority: the rule that ordered competing tasks (``"least-slack"``).
        overbooked: the days on which a unit leads more tasks than its capacity
            (fixed events take no slot, so only days with events can be
            overbooked), by unit in plan order, then by day.
        scheduler: which scheduler chose the schedule (``heuristic``, ``cpsat``).
        bound_pos: no schedule of the plan ends before this working time.
        optimal: the makespan is the bound (proven shortest).
        schedules: how many schedules were tried.
        bound_at: ``bound_pos`` as a moment: no schedule finishes before it.
        method: how the scheduling core found it, e.g. ``"sampling+FBI"``, or
            ``"cpsat/makespan (calendar lags relaxed, decoded by serial SGS)"``
            when CP-SAT solved a relaxation of the plan.
    """

    campaign_id: str
    calendar: str
    timezone: str
    origin: date
    start: datetime
    finish: datetime
    finish_pos: float
    tasks: tuple[TaskTiming, ...]
    scenario: Scenario = attrs.field(factory=Scenario)
    priority: str = "least-slack"
    overbooked: tuple[Overbooking, ...] = ()
    scheduler: str = "heuristic"
    bound_pos: float = 0.0
    optimal: bool = False
    schedules: int = 1
    bound_at: datetime | None = None
    method: str = ""
    _index: Mapping[str, TaskTiming] = attrs.field(init=False, eq=False, repr=False)

    @property
    def gap(self) -> float:
        """How far the makespan may be above optimal: ``(finish_pos - bound_pos) / bound_pos`` (0 if optimal)."""
        if self.optimal or self.finish_pos <= self.bound_pos:
            return 0.0
        return (self.finish_pos - self.bound_pos) / self.bound_pos if self.bound_pos > 0 else math.inf

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", _by_id(self.tasks))

    def task(self, task_id: str) -> TaskTiming:
        """The timing of ``task_id``; ``KeyError`` if the plan has no such task."""
        return self._index[task_id]

    def __iter__(self) -> Iterator[TaskTiming]:
        return iter(self.tasks)

    def __len__(self) -> int:
        return len(self.tasks)

    @property
    def deadlines(self) -> tuple[Deadline, ...]:
        """Every deadline: tasks' dues (and fixed events' days), then steps' dues, in plan order."""
        out: list[Deadline] = []
        for t in self.tasks:
            if t.due is not None and t.met is not None:
                out.append(Deadline(t.id, None, t.due, t.work_finish, t.met))
            for s in t.approvals:
                if s.due is not None and s.met is not None:
                    out.append(Deadline(t.id, s.index, s.due, s.finish, s.met))
        return tuple(out)

    @property
    def missed(self) -> tuple[Deadline, ...]:
        """The deadlines the schedule does not meet."""
        return tuple(d for d in self.deadlines if not d.met)


@attrs.frozen
class TaskRisk:
    """Monte-Carlo figures for one task (its finish includes its approvals).

    Attributes:
        p50: the median finish; ``p90``: finished by then in 90% of runs.
        mean_pos: the mean finish in working time.
        probability: the share of runs that meet ``due``; ``None`` without a due.
        criticality: the share of runs in which the task (its work or one of
            its approval steps) lies on the critical path to the campaign's
            last finish (the criticality index); a fixed event without
            prerequisites, which nothing can delay, does not end a critical path.
    """

    id: str
    lead: str
    p50: datetime
    p90: datetime
    p50_pos: float
    p90_pos: float
    mean_pos: float
    criticality: float
    due: datetime | None = None
    probability: float | None = None


@attrs.frozen
class DeadlineRisk:
    """Monte-Carlo figures for one deadline (a task's due, a fixed day, or a step's due)."""

    task: str
    step: int | None
    due: datetime
    p50: datetime
    p90: datetime
    probability: float
    #: Further quantiles of the finish, for the report's histogram.
    p80: datetime | None = None
    p95: datetime | None = None
    #: The runs' finishes in bins: ``(from, to, runs)``, in order (the HTML report draws them).
    histogram: tuple[tuple[datetime, datetime, int], ...] = attrs.field(default=(), eq=False, repr=False)

    @property
    def label(self) -> str:
        """``task`` or ``task/approval[i]``."""
        return _label(self.task, self.step)


@attrs.frozen
class SimulationResult:
    """The deterministic schedule and, with ``runs > 0``, the Monte-Carlo risk figures.

    Attributes:
        schedule: the deterministic schedule (likely durations, ``within`` latencies).
        runs: Monte-Carlo runs made (0: deterministic only).
        seed: the seed the runs used (drawn and recorded when none was given).
        distribution: ``"pert"`` (PERT-beta) or ``"triangular"``.
        reject_rate: probability that an approval step is rejected once.
        engine: ``"numpy"`` or ``"python"``: which implementation ran.
        tasks: per-task figures, in plan order.
        deadlines: per-deadline figures, in the order of ``schedule.deadlines``.
        makespan_p50 / makespan_p90: the campaign's last finish.
        estimates: tasks with a three-point estimate (a spread of their duration).
        latencies: approval steps with a ``within``, whose latency the runs vary.
    """

    schedule: Schedule
    runs: int = 0
    seed: int | None = None
    distribution: str = "pert"
    reject_rate: float = 0.0
    engine: str = "none"
    tasks: tuple[TaskRisk, ...] = ()
    deadlines: tuple[DeadlineRisk, ...] = ()
    makespan_p50: datetime | None = None
    makespan_p90: datetime | None = None
    estimates: int = 0
    latencies: int = 0

    def spread_warning(self) -> tuple[str, str] | None:
        """(English, Chinese) words on what the runs vary, when no task estimate drives the spread.

        Without a three-point estimate every run has the same durations: only approval
        latency (and rejections) vary, and the probabilities say little about the work.
        """
        if not self.runs or self.estimates:
            return None
        varies_en = [f"the latency of {self.latencies} approval step(s)"] if self.latencies else []
        varies_zh = [f"{self.latencies} 个审批环节的办理时间"] if self.latencies else []
        if self.reject_rate:
            varies_en.append(f"rejections (rate {self.reject_rate:g})")
            varies_zh.append(f"退回(退回率 {self.reject_rate:g})")
        en = ("no task has a three-point estimate (duration = { optimistic, likely, pessimistic }): the runs vary "
              + (" and ".join(varies_en) if varies_en else "nothing") + " only, so the percentages say nothing "
              "about how long the work takes; give the uncertain tasks estimates")
        zh = ("没有任务给出三点估计(duration = { optimistic, likely, pessimistic }):各次模拟只改变"
              + ("和".join(varies_zh) if varies_zh else "(无)") + ",概率不反映工作耗时的不确定性;请为不确定的任务给出估计")
        return en, zh

    def critical(self, top: int = 10) -> tuple[TaskRisk, ...]:
        """The tasks most often on the critical path, most critical first (ties in plan order)."""
        ranked = sorted(self.tasks, key=lambda r: -r.criticality)
        return tuple(r for r in ranked[:top] if r.criticality > 0)

    def at_risk(self, threshold: float = 0.5) -> tuple[DeadlineRisk, ...]:
        """Deadlines met in fewer than ``threshold`` of the runs."""
        return tuple(d for d in self.deadlines if d.probability < threshold)
