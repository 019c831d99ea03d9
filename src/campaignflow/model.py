"""The campaign model: immutable attrs values, validated on construction, no I/O.

Cross-references (an unknown unit, a cycle) are not checked here: they are
loader problems or check findings, which can say where the plan went wrong.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, Literal, Union

import attrs
from attrs import validators as v

from .calendar import DEFAULT_OFFICE_HOURS, OfficeHours, Weekdays, WorkAxis
from .findings import Location, Severity

__all__ = [
    "Reminder",
    "AlertLevel",
    "Supervision",
    "Moment",
    "start_instant",
    "end_instant",
    "Annotation",
    "Duration",
    "Lag",
    "Dependency",
    "Window",
    "Repeat",
    "Near",
    "Approval",
    "Submission",
    "Unit",
    "Group",
    "Pairing",
    "Task",
    "ChecksConfig",
    "Holiday",
    "CalendarOverride",
    "Campaign",
    "HOURS_PER_DAY",
]

#: A local date (a whole day) or a local datetime (a moment), in the campaign timezone.
Moment = Union[date, datetime]

#: Working hours in a working day on the default office hours (08:30–12:00, 14:00–17:30):
#: ``"7h"`` is one working day. A plan with its own ``[calendar] office_hours`` has its own.
HOURS_PER_DAY = DEFAULT_OFFICE_HOURS.hours

_SLUG = r"[a-z0-9][a-z0-9-]*"
_UNIT_ID = r"[\w][\w.\-]*"
# Expanded tasks carry their origin in the id: TEMPLATE@UNIT, TASK#N.
_TASK_ID = r"[\w][\w.\-]*(@[\w][\w.\-]*)?(#[0-9]+)?"


def start_instant(moment: Moment) -> datetime:
    """A moment used as a start: a date means 00:00 of that day."""
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, time())


def end_instant(moment: Moment) -> datetime:
    """A moment used as a deadline: a date means the end of that day (next 00:00)."""
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment + timedelta(days=1), time())


def _freeze_map(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value or {}))


def _tuple_of_str(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


_is_moment = v.optional(v.instance_of((date, datetime)))
_opt_str = v.optional(v.instance_of(str))


@attrs.frozen
class Annotation:
    """``doc = { quote = "...", note = "..." }``: the document's words and the author's remark."""

    quote: str | None = attrs.field(default=None, validator=_opt_str)
    note: str | None = attrs.field(default=None, validator=_opt_str)


def _non_negative(_inst: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value < 0:
        msg = f"{attribute.name} must not be negative, got {value}"
        raise ValueError(msg)


@functools.lru_cache(maxsize=1024)
def _parse_amount(text: str) -> tuple[float, str]:
    m = re.fullmatch(r"\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(wd|d|h|w)\s*", text)
    if m is None:
        msg = f'expected an amount like "3d", "2wd" or "4h", got {text!r}'
        raise ValueError(msg)
    return float(m.group(1)), m.group(2)


@attrs.frozen
class Duration:
    """Working time a task takes, in working days (``"7h"`` = one day of the default office hours).

    A three-point estimate sets ``optimistic`` and ``pessimistic`` around
    ``likely``; the deterministic schedule uses ``likely``.
    """

    likely: float = attrs.field(default=1.0, converter=float, validator=_non_negative)
    optimistic: float | None = attrs.field(default=None, validator=_non_negative)
    pessimistic: float | None = attrs.field(default=None, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        lo = self.likely if self.optimistic is None else self.optimistic
        hi = self.likely if self.pessimistic is None else self.pessimistic
        if not lo <= self.likely <= hi:
            msg = f"expected optimistic <= likely <= pessimistic, got {lo} / {self.likely} / {hi}"
            raise ValueError(msg)

    @property
    def is_estimate(self) -> bool:
        """True for a three-point estimate with some spread."""
        return (self.optimistic, self.pessimistic) != (None, None) and (
            self.optimistic != self.likely or self.pessimistic != self.likely
        )

    @property
    def low(self) -> float:
        return self.likely if self.optimistic is None else self.optimistic

    @property
    def high(self) -> float:
        return self.likely if self.pessimistic is None else self.pessimistic

    @classmethod
    def parse(cls, text: str, *, hours_per_day: float = HOURS_PER_DAY) -> Duration:
        """``"3d"`` (working days), ``"1w"`` (5 working days) or ``"4h"`` (working hours).

        ``hours_per_day`` is the length of the plan's office hours (7 by default).
        """
        return cls(likely=parse_days(text, hours_per_day=hours_per_day))

    @staticmethod
    def format(days: float, *, hours_per_day: float = HOURS_PER_DAY) -> str:
        """The shortest text that parses back to ``days``."""
        if float(days).is_integer():
            return f"{int(days)}d"
        hours = round(days * hours_per_day, 9)
        if float(hours).is_integer() and parse_days(f"{int(hours)}h", hours_per_day=hours_per_day) == days:
            return f"{int(hours)}h"
        return f"{days}d"


def parse_days(text: str, *, hours_per_day: float = HOURS_PER_DAY) -> float:
    """Working days in a duration text; raises ``ValueError`` with the expected form."""
    amount, unit = _parse_amount(text)
    if amount < 0:
        msg = f"a duration must not be negative, got {text!r}"
        raise ValueError(msg)
    if unit == "h":
        return amount / hours_per_day
    if unit == "w":
        return amount * 5
    return amount


@attrs.frozen
class Lag:
    """Time to wait after a prerequisite finishes: calendar days, or working days."""

    days: float = attrs.field(default=0.0, converter=float)
    #: True for working days of the campaign calendar (``"2wd"``), False for calendar days (``"2d"``).
    working: bool = attrs.field(default=False, validator=v.instance_of(bool))

    @classmethod
    def parse(cls, text: str, *, hours_per_day: float = HOURS_PER_DAY) -> Lag:
        amount, unit = _parse_amount(text)
        if unit == "h":
            return cls(amount / hours_per_day, working=True)
        if unit == "w":
            return cls(amount * 7, working=False)
        return cls(amount, working=(unit == "wd"))

    def __str__(self) -> str:
        n = int(self.days) if float(self.days).is_integer() else self.days
        return f"{n}{'wd' if self.working else 'd'}"


@attrs.frozen
class Dependency:
    """Finish-to-start: this task may start ``lag`` after ``task`` is finished (and approved)."""

    task: str = attrs.field(validator=v.instance_of(str))
    lag: Lag = attrs.field(factory=Lag)


@attrs.frozen
class Window:
    """When a task may run: an earliest start, a deadline, or one fixed day (``on``)."""

    start: Moment | None = attrs.field(default=None, validator=_is_moment)
    due: Moment | None = attrs.field(default=None, validator=_is_moment)
    on: Moment | None = attrs.field(default=None, validator=_is_moment)

    def __attrs_post_init__(self) -> None:
        if self.on is not None and (self.start is not None or self.due is not None):
            msg = "`on` fixes the task's date and excludes `start` and `due`"
            raise ValueError(msg)

    @property
    def fixed(self) -> bool:
        return self.on is not None

    def earliest(self) -> datetime | None:
        """The earliest instant the task may start."""
        m = self.on if self.on is not None else self.start
        return None if m is None else start_instant(m)

    def deadline(self) -> datetime | None:
        """The instant by which it must be finished."""
        m = self.on if self.on is not None else self.due
        return None if m is None else end_instant(m)


#: What a ledger occurrence on a non-working day does (``repeat.if_not_working``).
NON_WORKING_POLICIES = ("previous", "next", "keep")


def _ledger_day(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None or value == "end" or (type(value) is int and 1 <= value <= 92):
        return
    msg = f'{attribute.name} must be "end" or a day of the period from 1 to 92, got {value!r}'
    raise ValueError(msg)


@attrs.frozen
class Repeat:
    """``repeat = { every = "quarter", times = 4 }``: one occurrence per period.

    ``at_least`` is the document's minimum (全年至少4次): ``times`` occurrences are
    planned, never fewer than ``at_least``. ``day`` makes a ledger (按月): each
    occurrence is due on that day of its period (``"end"``, or the N-th day,
    the period's last day when it is shorter); one that falls on a non-working
    day moves to the previous working day (``if_not_working = "previous"``), the
    next one (``"next"``), or stays (``"keep"``, the plan's explicit choice).
    """

    every: Literal["week", "month", "quarter"] = attrs.field(validator=v.in_(("week", "month", "quarter")))
    times: int = attrs.field(validator=[v.instance_of(int), v.ge(1)])
    at_least: int | None = attrs.field(default=None, validator=v.optional([v.instance_of(int), v.ge(1)]))
    day: int | Literal["end"] | None = attrs.field(default=None, validator=_ledger_day)
    if_not_working: Literal["previous", "next", "keep"] = attrs.field(
        default="previous", validator=v.in_(NON_WORKING_POLICIES))

    def __attrs_post_init__(self) -> None:
        if self.at_least is not None and self.times < self.at_least:
            msg = f"times ({self.times}) is fewer than at_least ({self.at_least})"
            raise ValueError(msg)


#: Calendar days on each side of 前后 (around) and before 前夕 (the eve), unless the plan says.
DEFAULT_NEAR_WIDTH = 3


@attrs.frozen
class Near:
    """``around`` (前后) or ``eve`` (前夕): a window the document gives relative to one day.

    ``around``: ``width`` calendar days before ``day`` to ``width`` days after it.
    ``eve``: the ``width`` days strictly before ``day`` (the day itself excluded).
    """

    day: date = attrs.field(validator=v.instance_of(date))
    relation: Literal["around", "eve"] = attrs.field(validator=v.in_(("around", "eve")))
    width: int = attrs.field(default=DEFAULT_NEAR_WIDTH, validator=[v.instance_of(int), v.ge(0), v.le(31)])

    def __attrs_post_init__(self) -> None:
        if isinstance(self.day, datetime):
            msg = f"expected a date, got a datetime {self.day}"
            raise ValueError(msg)
        if self.relation == "eve" and self.width < 1:
            msg = "the eve (前夕) needs at least one day before the date"
            raise ValueError(msg)

    def window(self) -> Window:
        """The task's window: ``start`` and ``due`` as whole days."""
        if self.relation == "around":
            return Window(start=self.day - timedelta(days=self.width), due=self.day + timedelta(days=self.width))
        return Window(start=self.day - timedelta(days=self.width), due=self.day - timedelta(days=1))


@attrs.frozen
class Approval:
    """One approval step. Steps of a task are given in order, after its work.

    ``by`` lists unit or group ids as written; ``Campaign.members`` expands groups.
    """

    by: tuple[str, ...] = attrs.field(converter=_tuple_of_str, validator=v.min_len(1))
    mode: Literal["all", "any"] = attrs.field(default="all", validator=v.in_(("all", "any")))
    within: Duration | None = attrs.field(default=None, validator=v.optional(v.instance_of(Duration)))
    due: Moment | None = attrs.field(default=None, validator=_is_moment)
    #: ``approve`` (default), or ``consent`` / ``recommend``, which need not come from a superior.
    kind: str = attrs.field(default="approve", validator=v.instance_of(str))
    doc: Annotation | None = None


@attrs.frozen
class Submission:
    """``reports_to``: a report, plan or summary the task delivers to a unit (报送 / 函送).

    A submission is received (签收), not approved: unlike an approval step it
    does not hold back the task's dependents. ``to`` lists unit or group ids as
    written; ``due`` is the document's deadline for delivering it, if it has one.
    """

    to: tuple[str, ...] = attrs.field(converter=_tuple_of_str, validator=v.min_len(1))
    due: Moment | None = attrs.field(default=None, validator=_is_moment)
    doc: Annotation | None = None


@attrs.frozen
class Unit:
    """An organisation taking part: an office, a bureau, a township, a school, a household."""

    id: str = attrs.field(validator=v.matches_re(_UNIT_ID))
    name: str = attrs.field(validator=v.instance_of(str))
    kind: str | None = attrs.field(default=None, validator=_opt_str)
    parent: str | None = attrs.field(default=None, validator=_opt_str)
    #: Most tasks it leads at the same time; ``None`` is no limit.
    capacity: int | None = attrs.field(default=None, validator=v.optional([v.instance_of(int), v.ge(1)]))
    name_en: str | None = attrs.field(default=None, validator=_opt_str)
    doc: Annotation | None = None
    #: A household (住户), not an office: its id, name and what is said by or about it are personal
    #: data, kept out of the hash-chained log (``campaignflow.runtime.personal``) and out of exports
    #: that leave households out. Not in ``repr`` (the plan fingerprint adds it only when set, so
    #: plans without households keep their fingerprint).
    household: bool = attrs.field(default=False, validator=v.instance_of(bool), repr=False, kw_only=True)


@attrs.frozen
class Group:
    """A named set of units. ``units`` is the resolved membership, in plan order."""

    id: str = attrs.field(validator=v.matches_re(_UNIT_ID))
    name: str | None = attrs.field(default=None, validator=_opt_str)
    kind: str | None = attrs.field(default=None, validator=_opt_str)
    under: str | None = attrs.field(default=None, validator=_opt_str)
    members: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    exclude: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    units: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    doc: Annotation | None = None


@attrs.frozen
class Pairing:
    """对口帮扶 / 定点帮扶: a support relation between two units or groups."""

    a: str = attrs.field(validator=v.instance_of(str))
    b: str = attrs.field(validator=v.instance_of(str))
    kind: str | None = attrs.field(default=None, validator=_opt_str)
    doc: Annotation | None = None


@attrs.frozen
class Task:
    """One thing to be done, by one accountable lead unit.

    ``co_leads`` are further 牵头单位 the document names beside ``lead``, which
    stays the first and accountable one; ``leads`` gives them all.

    Expanded tasks remember where they came from: ``template`` and
    ``template_unit`` for ``TEMPLATE@UNIT``, ``repeat`` and ``occurrence`` for ``ID#N``.
    """

    id: str = attrs.field(validator=v.matches_re(_TASK_ID))
    title: str = attrs.field(validator=v.instance_of(str))
    lead: str = attrs.field(validator=v.instance_of(str))
    title_en: str | None = None
    section: str | None = None
    kind: str | None = None
    partners: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    after: tuple[Dependency, ...] = attrs.field(default=(), converter=tuple)
    window: Window = attrs.field(factory=Window)
    duration: Duration = attrs.field(factory=Duration)
    approvals: tuple[Approval, ...] = attrs.field(default=(), converter=tuple)
    solicits: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    tags: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    #: Reports the task delivers (报送): received by their units, never gating dependents.
    reports_to: tuple[Submission, ...] = attrs.field(default=(), converter=tuple)
    #: Further lead units (共同牵头), after the accountable ``lead``.
    co_leads: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    repeat: Repeat | None = None
    #: The id this task had in the running plan it amends (``campaignflow run amend``): its history follows it.
    renamed_from: str | None = attrs.field(default=None, validator=_opt_str)
    occurrence: int | None = None
    #: 前后 / 前夕: the window was given relative to a day (``window`` is its result).
    near: Near | None = None
    #: 地点: where the task takes place, as the document names it.
    venue: str | None = None
    template: str | None = None
    template_unit: str | None = None
    doc: Annotation | None = None

    @property
    def is_solicitation(self) -> bool:
        return bool(self.solicits)

    @property
    def leads(self) -> tuple[str, ...]:
        """Every lead unit: the accountable ``lead`` first, then ``co_leads``."""
        if not self.co_leads:
            return (self.lead,)
        return (self.lead, *(u for u in dict.fromkeys(self.co_leads) if u != self.lead))

    @property
    def series(self) -> str:
        """The id before ``#N``: what a repeated task was called in the plan."""
        return self.id.split("#", 1)[0]


@attrs.frozen
class ChecksConfig:
    """``[checks]`` of a plan: which checks run, at what severity, with what options."""

    select: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    ignore: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    severity: Mapping[str, Severity] = attrs.field(factory=dict, converter=_freeze_map)
    options: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict, converter=_freeze_map)

    def options_for(self, code: str) -> Mapping[str, Any]:
        return self.options.get(code, {})


@attrs.frozen
class Holiday:
    """Official holiday days ``start`` .. ``end`` (inclusive), as a State Council notice lists them."""

    start: date = attrs.field(validator=v.instance_of(date))
    end: date = attrs.field(validator=v.instance_of(date))
    name: str | None = attrs.field(default=None, validator=_opt_str)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.start, datetime) or isinstance(self.end, datetime) or self.end < self.start:
            msg = f"expected two dates, the first not after the second, got {self.start} .. {self.end}"
            raise ValueError(msg)

    def days(self) -> Iterator[date]:
        """Every day of the holiday, in order."""
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


@attrs.frozen
class CalendarOverride:
    """``[calendar.overrides.YEAR]``: a year's official arrangement, declared by the plan.

    For an office planning a year before the calendar package knows it: every
    day of ``holidays`` is off, every day of ``workdays`` (调休) is on, the
    rest follows Monday to Friday.
    """

    year: int = attrs.field(validator=[v.instance_of(int), v.ge(1), v.le(9999)])
    holidays: tuple[Holiday, ...] = attrs.field(default=(), converter=tuple)
    workdays: tuple[date, ...] = attrs.field(default=(), converter=tuple)
    doc: Annotation | None = None

    def holiday_days(self) -> Iterator[tuple[date, str]]:
        """``(day, name)`` for every holiday day (name ``""`` when the plan gives none)."""
        for holiday in self.holidays:
            for day in holiday.days():
                yield day, holiday.name or ""


@attrs.frozen
class Reminder:
    """催办: a reminder ``before`` a task's deadline (``"2wd"`` working days, ``"1d"``), sent to ``to``.

    ``to`` is ``"lead"`` (the task's lead now), ``"parent"`` (the lead's parent unit, else the
    issuer), ``"issuer"``, or a unit id (a 督查室).
    """

    before: Lag
    to: str = attrs.field(default="lead", validator=v.instance_of(str))


@attrs.frozen
class AlertLevel:
    """One level of the escalation ladder (预警: blue, orange, red): ``after`` the deadline, to ``to``."""

    name: str = attrs.field(validator=v.instance_of(str))
    after: Lag
    to: str = attrs.field(default="parent", validator=v.instance_of(str))


@attrs.frozen
class Supervision:
    """``[supervision]`` of a plan: reminders before each task's deadline and the ladder after it.

    Without it (or without ``levels``) a missed deadline escalates to the lead's parent unit.
    """

    reminders: tuple[Reminder, ...] = attrs.field(default=(), converter=tuple)
    levels: tuple[AlertLevel, ...] = attrs.field(default=(), converter=tuple)
    doc: Annotation | None = None


Locator = Callable[[str], Location]


@attrs.frozen
class Campaign:
    """A whole plan, loaded: units, groups, pairings and (expanded) tasks.

    Mappings keep plan order and are read-only. ``source`` names the main
    file; ``locate(key_path)`` places any key of the plan in its file.
    """

    id: str = attrs.field(validator=v.matches_re(_SLUG))
    name: str = attrs.field(validator=v.instance_of(str))
    start: Moment = attrs.field(validator=v.instance_of((date, datetime)))
    end: Moment = attrs.field(validator=v.instance_of((date, datetime)))
    issuer: str | None = None
    name_en: str | None = None
    timezone: str = "Asia/Shanghai"
    calendar: str = "weekdays"
    dates: Mapping[str, Moment] = attrs.field(factory=dict, converter=_freeze_map)
    units: Mapping[str, Unit] = attrs.field(factory=dict, converter=_freeze_map)
    groups: Mapping[str, Group] = attrs.field(factory=dict, converter=_freeze_map)
    pairings: tuple[Pairing, ...] = attrs.field(default=(), converter=tuple)
    tasks: Mapping[str, Task] = attrs.field(factory=dict, converter=_freeze_map)
    checks: ChecksConfig = attrs.field(factory=ChecksConfig)
    #: Whether an approval step may be given by the task's own lead (run time).
    allow_self_approval: bool = False
    #: ``[calendar.overrides]``: years whose official arrangement the plan declares, by year.
    calendar_overrides: Mapping[int, CalendarOverride] = attrs.field(factory=dict, converter=_freeze_map)
    #: ``[supervision]``: reminders (催办) and the escalation ladder; ``None``: the default rule.
    supervision: Supervision | None = None
    doc: Annotation | None = None
    #: ``[calendar] office_hours``: when work is done on a working day (08:30–12:00, 14:00–17:30 by default).
    #: (Not in the repr, which plan fingerprints hash: a plan on the default hours keeps its fingerprint;
    #: ``runtime.plan.fingerprint`` adds hours of its own.)
    office_hours: OfficeHours = attrs.field(default=DEFAULT_OFFICE_HOURS, validator=v.instance_of(OfficeHours),
                                            repr=False)
    source: str | None = attrs.field(default=None, eq=False)
    locator: Locator | None = attrs.field(default=None, eq=False, repr=False)
    #: ``fixed_dates``: named dates a scenario's new start does not move (扶贫日 is 10月17日 for everyone).
    fixed_dates: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    #: Where the plan used a fixed date: task id -> {field: the expression}, e.g. ``{"due": "@poverty_day - 1d"}``;
    #: fields are ``start``, ``due``, ``on``, ``around``, ``eve``, ``approvals[0].due``, ``reports_to[0].due``.
    #: Provenance, not meaning: not compared, and not written back by ``to_toml``.
    fixed_uses: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict, converter=_freeze_map, eq=False,
                                                              repr=False)

    def __attrs_post_init__(self) -> None:
        if start_instant(self.start) >= end_instant(self.end):
            msg = f"the campaign ends ({self.end}) before it starts ({self.start})"
            raise ValueError(msg)

    # -- references ---------------------------------------------------------------

    def members(self, ref: str) -> tuple[str, ...]:
        """Unit ids a reference stands for: a unit itself, or a group's members."""
        group = self.groups.get(ref)
        if group is not None:
            return group.units
        return (ref,) if ref in self.units else ()

    def expand(self, refs: tuple[str, ...]) -> tuple[str, ...]:
        """Unit ids for several references, without duplicates, in order."""
        seen: dict[str, None] = {}
        for ref in refs:
            for uid in self.members(ref):
                seen.setdefault(uid, None)
        return tuple(seen)

    def ancestors(self, unit_id: str) -> Iterator[str]:
        """The unit's parent, its parent's parent, ...; stops at a hierarchy cycle."""
        seen = {unit_id}
        unit = self.units.get(unit_id)
        while unit is not None and unit.parent is not None and unit.parent not in seen:
            seen.add(unit.parent)
            yield unit.parent
            unit = self.units.get(unit.parent)

    def children(self) -> Mapping[str, tuple[str, ...]]:
        """Each unit's direct children, in plan order."""
        out: dict[str, list[str]] = {}
        for unit in self.units.values():
            if unit.parent is not None:
                out.setdefault(unit.parent, []).append(unit.id)
        return {k: tuple(vs) for k, vs in out.items()}

    def floating(self) -> tuple[str, ...]:
        """Tasks the plan leaves open: no date of their own, no prerequisite, not an occurrence.

        A schedule can only start them on the campaign's first day; that is the
        schedule's choice, not the document's (``simulate`` says so).
        """
        return tuple(t.id for t in self.tasks.values()
                     if not t.after and t.occurrence is None and t.near is None
                     and t.window.start is None and t.window.due is None and t.window.on is None)

    def window_instants(self) -> tuple[datetime, datetime]:
        """The campaign window as [start, end) instants."""
        return start_instant(self.start), end_instant(self.end)

    def locate(self, key_path: str) -> Location:
        """Where ``key_path`` stands in the plan's files (best effort, never raises)."""
        if self.locator is not None:
            try:
                return self.locator(key_path)
            except Exception:  # noqa: BLE001 - a locator bug must not hide a finding
                pass
        return Location(file=self.source, key_path=key_path)


def task_deadline(task: Task, axis: WorkAxis | None = None) -> datetime | None:
    """The instant by which ``task`` must be finished: one rule for simulation and the runtime.

    A ``due`` date is the end of that day, a ``due`` datetime that moment; an event
    fixed on a day (``on = 2020-10-17``) must be over by the end of that day; an
    event fixed at a moment (``on = 2020-10-16T09:00``) by the moment it ends, its
    duration of work after it in office hours (``WorkAxis.event_end``: a "2h"
    meeting at 09:00 ends at 11:00). ``axis`` is the campaign's working-time
    axis; without one, the default office hours on Monday-to-Friday are used.
    """
    on = task.window.on
    if isinstance(on, datetime):
        if axis is None:
            axis = WorkAxis(Weekdays(), on.date())
        return axis.event_end(on, task.duration.likely)
    return task.window.deadline()
