"""The campaign builder behind ``campaigns()``: valid plans by construction.

A ``Draft`` is a mutable plan under construction plus what the construction
knows about time. Tasks are added in dependency order (a task may only wait
for tasks already added), so there is never a cycle, and each task's
deadlines are placed after a *horizon*: the latest its prerequisites may
finish if every one of them used all the time its own deadline allows,
plus its pessimistic duration and its approval steps. A deadline placed
like that can always be met, and it never comes before a prerequisite's.
The conflict planters in ``_conflicts`` break exactly one of these
guarantees on a finished draft.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta

import attrs

from ..calendar import AllDays, Calendar, Weekdays, WorkAxis
from ..model import (
    Approval, Campaign, ChecksConfig, Dependency, Duration, Group, Pairing, Repeat, Task, Unit, Window,
    end_instant,
)

#: Working days an approval step takes without ``within`` (cpm's default).
APPROVAL_DAYS = 2.0
#: Slack the builder leaves wherever rounding or a check's reading could differ.
MARGIN = 1.0


def calendar_named(name: str) -> Calendar:
    """The calendar a plan names: built-ins directly, others from the default plugins."""
    if name == Weekdays.name:
        return Weekdays()
    if name == AllDays.name:
        return AllDays()
    if name == "cn-workdays":
        from ..calendars.cn import CnWorkdays

        return CnWorkdays()
    from ..plugins.manager import default_plugins

    return default_plugins().calendar(name)


def calendar_periods(every: str, first: date, count: int) -> list[tuple[date, date]]:
    """The first ``count`` calendar periods (ISO weeks, months, quarters) from ``first``, the first clipped.

    Each is ``(first_day, last_day)``, inclusive; a ``repeat`` puts one occurrence in each.
    """
    out: list[tuple[date, date]] = []
    cur = first
    while len(out) < count:
        if every == "week":
            last = cur + timedelta(days=6 - cur.weekday())
        else:
            months = 1 if every == "month" else 3
            m0 = (cur.month - 1) // months * months + months
            last = date(cur.year + m0 // 12, m0 % 12 + 1, 1) - timedelta(days=1)
        out.append((cur, last))
        cur = last + timedelta(days=1)
    return out


def ancestors(units: Mapping[str, Unit], uid: str) -> list[str]:
    """The unit's parent, its parent's parent, ...; stops at a hierarchy cycle or an unknown unit."""
    out, seen = [], {uid}
    parent = units[uid].parent
    while parent is not None and parent in units and parent not in seen:
        out.append(parent)
        seen.add(parent)
        parent = units[parent].parent
    return out


def resolve_group(units: Mapping[str, Unit], group: Group) -> tuple[str, ...]:
    """A group's members as the loader resolves them, in plan order of the units.

    A unit belongs when it is listed in ``members``, or has the group's
    ``kind`` and (when ``under`` is given) lies below ``under``; ``except``
    removes units either way.
    """
    out = []
    for uid, unit in units.items():
        if uid in group.exclude:
            continue
        by_kind = group.kind is not None and unit.kind == group.kind and (
            group.under is None or group.under in ancestors(units, uid))
        if uid in group.members or by_kind:
            out.append(uid)
    return tuple(out)


@attrs.define
class Draft:
    """A plan under construction, with the working-time bookkeeping of the builder.

    Attributes:
        horizon: per task id, the working time by which the task is surely
            finished, approvals included: its deadline's position when it has
            one, else its pessimistic finish after its prerequisites' horizons.
        work_end: per task id, the same for its work alone (before approvals).
    """

    id: str
    name: str
    calendar: str
    start: date
    axis: WorkAxis
    units: dict[str, Unit] = attrs.field(factory=dict)
    groups: dict[str, Group] = attrs.field(factory=dict)
    pairings: list[Pairing] = attrs.field(factory=list)
    tasks: dict[str, Task] = attrs.field(factory=dict)
    dates: dict[str, date | datetime] = attrs.field(factory=dict)
    checks: ChecksConfig = attrs.field(factory=ChecksConfig)
    issuer: str | None = None
    name_en: str | None = None
    end: date | None = None
    #: The campaign may not end before this day (a ``repeat`` needs its periods in the window).
    min_end: date | None = None
    horizon: dict[str, float] = attrs.field(factory=dict)
    work_end: dict[str, float] = attrs.field(factory=dict)

    # -- references ----------------------------------------------------------------------

    def ancestors(self, uid: str) -> list[str]:
        """The unit's parent, its parent's parent, ...; stops at a hierarchy cycle."""
        return ancestors(self.units, uid)

    def below(self, uid: str, top: str) -> bool:
        """Whether ``uid`` lies strictly below ``top`` in the unit hierarchy."""
        return top in self.ancestors(uid)

    def members(self, ref: str) -> tuple[str, ...]:
        """The units a unit or group reference stands for."""
        group = self.groups.get(ref)
        return resolve_group(self.units, group) if group is not None else (ref,)

    def fresh_id(self, base: str, *, tasks: bool = False) -> str:
        """``base``, or ``base2``, ``base3``...: an id not taken by a unit or group (or a task)."""
        taken = set(self.tasks) | {t.series for t in self.tasks.values()} if tasks else {*self.units, *self.groups}
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}{n}"
        return name

    # -- time -------------------------------------------------------------------------

    def ready(self, after: Sequence[Dependency]) -> float:
        """When a task waiting for ``after`` may surely start: 0 or its prerequisites' horizon plus lags."""
        best = 0.0
        for dep in after:
            h = self.horizon[dep.task]
            t = h + dep.lag.days if dep.lag.working else self.axis.add_calendar_days(h, dep.lag.days)
            best = max(best, t)
        return best

    def deadline_after(self, work: float) -> date:
        """A working day whose end lies at or after working time ``work``.

        A deadline on a working day keeps clear of the holiday checks.
        """
        return self.axis.nth_working_day(max(math.ceil(work) - 1, 0))

    def deadline_moment_after(self, work: float) -> date | datetime:
        """A deadline at a whole hour of a working day, at or after working time ``work``."""
        day = self.deadline_after(work)
        hour = math.ceil(max(work - self.axis.day_start(day), 0.0) * 24)
        if hour >= 24:
            return day
        return datetime.combine(day, time(max(hour, 1)))

    def working_day_from(self, work: float) -> date:
        """The first working day whose 00:00 lies at or after working time ``work``."""
        day = self.axis.instant(work).date()
        while self.axis.day_start(day) < work or not self.axis.is_working(day):
            day += timedelta(days=1)
        return day

    def pos_end(self, moment: date | datetime) -> float:
        """Working time of ``moment`` used as a deadline."""
        return self.axis.pos(end_instant(moment))

    def place(self, task: Task) -> None:
        """Add ``task`` (its prerequisites must be in the draft) and record its horizons."""
        ready = self.ready(task.after)
        window = task.window
        if window.on is not None:
            start = self.axis.pos(window.earliest())  # type: ignore[arg-type]
        else:
            first = window.earliest()
            start = max(ready, self.axis.pos(first)) if first is not None else ready
        work = start + task.duration.high
        end = work
        for step in task.approvals:
            end += step.within.high if step.within is not None else APPROVAL_DAYS
            if step.due is not None:
                end = max(end, self.pos_end(step.due))
        deadline = window.deadline()
        if deadline is not None:
            end = max(end, self.axis.pos(deadline))
        self.tasks[task.id] = task
        self.work_end[task.id] = work
        self.horizon[task.id] = end

    def finish(self) -> Campaign:
        """The campaign, ending after every horizon (plus the margin) unless ``end`` is set."""
        last = max(self.horizon.values(), default=0.0)
        end = self.end or max(self.deadline_after(last + MARGIN), self.min_end or self.start)
        groups = {gid: attrs.evolve(g, units=resolve_group(self.units, g)) for gid, g in self.groups.items()}
        return Campaign(
            id=self.id, name=self.name, name_en=self.name_en, issuer=self.issuer, start=self.start, end=end,
            calendar=self.calendar, dates=self.dates, units=self.units, groups=groups,
            pairings=tuple(self.pairings), tasks=self.tasks, checks=self.checks,
        )


def feasible_window(draft: Draft, *, after: Sequence[Dependency], duration: Duration,
                    approvals: Sequence[Approval], step_slack: Sequence[float | None] = (),
                    start_offset: int | None = None, slack: float | None = None, moment: bool = False,
                    fixed: bool = False) -> tuple[Window, tuple[Approval, ...]]:
    """A window, and approval steps with deadlines, that a task so placed surely meets.

    Args:
        draft: the draft the task joins.
        after: its dependencies (already in the draft).
        duration: its duration.
        approvals: its approval steps.
        step_slack: per step, working days of slack before a step deadline, or None for none.
        start_offset: calendar days from the campaign start for an earliest start, or None.
        slack: working days of slack before the task's deadline, or None for no deadline.
        moment: a deadline with a time of day rather than a whole day.
        fixed: a one-day event (``on``) instead; its duration must be at most one day.
    """
    ready = draft.ready(after)
    if fixed:
        return Window(on=draft.working_day_from(ready + MARGIN)), tuple(approvals)
    start = None
    if start_offset is not None:
        start = draft.start + timedelta(days=start_offset)
        ready = max(ready, draft.axis.pos(start))
    end = ready + duration.high
    work_end = end
    steps = []
    for i, step in enumerate(approvals):
        end += step.within.high if step.within is not None else APPROVAL_DAYS
        extra = step_slack[i] if i < len(step_slack) else None
        if extra is not None:
            step = attrs.evolve(step, due=draft.deadline_after(end + MARGIN + extra))
        steps.append(step)
    due: date | datetime | None = None
    if slack is not None:
        # The task's own deadline bounds its work (cpm); placing it after the
        # approvals too keeps it clear of any reading that includes them.
        target = max(end, work_end) + MARGIN + slack
        due = draft.deadline_moment_after(target) if moment else draft.deadline_after(target)
    return Window(start=start, due=due), tuple(steps)


def expand_repeat(draft: Draft, base: Task, repeat: Repeat, *, slack: float) -> list[Task]:
    """Occurrences ``ID#1..N`` of ``base``, one per calendar period from the campaign start.

    Each occurrence may start with its period and is due at the period's end,
    or later when its work (after its prerequisites) needs more room.
    """
    _need_periods(draft, repeat)
    out = []
    steps = sum(s.within.high if s.within is not None else APPROVAL_DAYS for s in base.approvals)
    for k, (begin, stop) in enumerate(calendar_periods(repeat.every, draft.start, repeat.times)):
        ready = max(draft.ready(base.after), draft.axis.pos(begin))
        end = ready + base.duration.high + steps
        due = max(stop, draft.deadline_after(end + MARGIN + slack))
        task = attrs.evolve(base, id=f"{base.id}#{k + 1}", repeat=repeat, occurrence=k + 1,
                            window=Window(start=begin, due=due))
        draft.place(task)
        out.append(task)
    return out


def _need_periods(draft: Draft, repeat: Repeat) -> None:
    # CF205 counts the calendar periods of the campaign window that hold a
    # working day: keep the window open until the ``times``-th such period has one.
    seen = 0
    for begin, stop in calendar_periods(repeat.every, draft.start, 10 * repeat.times + 60):
        day = begin
        while day <= stop and not draft.axis.is_working(day):
            day += timedelta(days=1)
        if day <= stop:
            seen += 1
            if seen == repeat.times:
                draft.min_end = max(draft.min_end or day, day)
                return
