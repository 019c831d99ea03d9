"""What-if scenarios: move the campaign, delay a task, change a unit's capacity.

A ``Scenario`` is applied to the *model* before scheduling, so that every part
of the engine (the critical path, the checks, the schedule) sees the same
changed plan, and a host can inspect it with ``Scenario.apply``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from ..errors import ScenarioError
from ..findings import Text
from ..model import Campaign, Duration, Moment, Task, Window, parse_days

__all__ = ["Scenario", "parse_delay", "parse_capacity"]

_M = TypeVar("_M", date, datetime)


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class Scenario:
    """Changes to a plan for one simulation; the empty scenario changes nothing.

    Attributes:
        start: move the campaign so that it starts on this date; every absolute
            date of the plan (window, named dates, windows, deadlines) moves by
            the same number of calendar days, except the named dates the plan
            lists in ``[campaign] fixed_dates`` and every date it wrote from
            them (``"@poverty_day - 1d"``). The calendar does not move, so
            holidays may now fall elsewhere in the plan.
        delays: extra working days per task id. A repeated task's series id
            (``report`` for ``report#1`` .. ``report#4``) delays every occurrence.
        capacities: a unit's capacity (most tasks it leads at once); ``None``
            removes the limit.
        approval_days: approvers' latency in working days for steps that do
            not say ``within`` (default 2).
    """

    start: date | None = None
    delays: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen)
    capacities: Mapping[str, int | None] = attrs.field(factory=dict, converter=_frozen)
    approval_days: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(0)))

    @property
    def is_empty(self) -> bool:
        """True when applying it changes nothing but the approval default."""
        return self.start is None and not self.delays and not self.capacities

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by ``simulate --format json``)."""
        return {
            "start": self.start.isoformat() if self.start else None,
            "delays": dict(self.delays),
            "capacities": dict(self.capacities),
            "approval_days": self.approval_days,
        }

    def apply(self, campaign: Campaign) -> Campaign:
        """The campaign as this scenario changes it; raises ``ScenarioError`` for unknown names."""
        problems: list[Text] = []
        tasks = dict(campaign.tasks)
        units = dict(campaign.units)
        for ref, days in self.delays.items():
            ids = [ref] if ref in tasks else [t.id for t in tasks.values() if t.series == ref]
            if not ids:
                problems.append(_unknown("task", ref, tasks))
                continue
            if days < 0:
                problems.append(Text(f"--delay {ref}: a delay must not be negative, got {days:g}",
                                     f"--delay {ref}:延误天数不能为负数(得到 {days:g})"))
                continue
            for tid in ids:
                tasks[tid] = _delayed(tasks[tid], days)
        for ref, capacity in self.capacities.items():
            if ref not in units:
                problems.append(_unknown("unit", ref, units))
                continue
            units[ref] = attrs.evolve(units[ref], capacity=capacity)
        if problems:
            raise ScenarioError(problems)
        changed = attrs.evolve(campaign, tasks=tasks, units=units)
        if self.start is None:
            return changed
        return _shift(changed, (self.start - _day(campaign.start)).days)


def _unknown(kind: str, ref: str, known: Mapping[str, Any]) -> Text:
    close = difflib.get_close_matches(ref, list(known), n=1)
    hint_en = f"; did you mean {close[0]!r}?" if close else ""
    hint_zh = f";是否指 {close[0]!r}?" if close else ""
    zh_kind = "任务" if kind == "task" else "单位"
    return Text(f"unknown {kind} {ref!r}{hint_en}", f"未知{zh_kind} {ref!r}{hint_zh}")


def _delayed(task: Task, days: float) -> Task:
    d = task.duration
    lo = None if d.optimistic is None else d.optimistic + days
    hi = None if d.pessimistic is None else d.pessimistic + days
    return attrs.evolve(task, duration=Duration(d.likely + days, lo, hi))


def _day(moment: Moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _move(moment: _M | None, delta: timedelta) -> _M | None:
    return None if moment is None else moment + delta


def _shift(campaign: Campaign, days: int) -> Campaign:
    if days == 0:
        return campaign
    delta = timedelta(days=days)
    fixed = set(campaign.fixed_dates)
    tasks: dict[str, Task] = {}
    for tid, task in campaign.tasks.items():
        # A date the plan wrote from a fixed named date (扶贫日) stays; everything else moves.
        kept = campaign.fixed_uses.get(tid, {})

        def move(field: str, moment: Any, kept: Mapping[str, str] = kept) -> Any:
            return moment if field in kept else _move(moment, delta)

        w = task.window
        window = Window(start=move("start", w.start), due=move("due", w.due), on=move("on", w.on))
        near = task.near
        if near is not None and near.window() == w:
            if near.relation not in kept:
                near = attrs.evolve(near, day=near.day + delta)
            window = near.window()
        approvals = tuple(a if a.due is None else attrs.evolve(a, due=move(f"approvals[{i}].due", a.due))
                          for i, a in enumerate(task.approvals))
        reports = tuple(r if r.due is None else attrs.evolve(r, due=move(f"reports_to[{i}].due", r.due))
                        for i, r in enumerate(task.reports_to))
        tasks[tid] = attrs.evolve(task, window=window, approvals=approvals, reports_to=reports, near=near)
    return attrs.evolve(
        campaign,
        start=campaign.start + delta,
        end=campaign.end + delta,
        dates={k: v if k in fixed else v + delta for k, v in campaign.dates.items()},
        tasks=tasks,
    )


def parse_delay(text: str) -> tuple[str, float]:
    """``"TASK=3d"`` -> ``("TASK", 3.0)``: working days (``"4h"``, ``"1w"`` work too)."""
    name, sep, amount = text.partition("=")
    if not sep or not name.strip():
        msg = f"expected TASK=DURATION like 'city-plans=3d', got {text!r}"
        raise ValueError(msg)
    return name.strip(), parse_days(amount.strip())


def parse_capacity(text: str) -> tuple[str, int | None]:
    """``"UNIT=1"`` -> ``("UNIT", 1)``; ``"UNIT=none"`` removes the limit."""
    name, sep, amount = text.partition("=")
    amount = amount.strip().lower()
    if not sep or not name.strip():
        msg = f"expected UNIT=N like 'ah-fpb=2', got {text!r}"
        raise ValueError(msg)
    if amount in ("none", "inf", "unlimited"):
        return name.strip(), None
    if not amount.isdigit() or int(amount) < 1:
        msg = f"a capacity is a whole number of at least 1 (or 'none'), got {amount!r}"
        raise ValueError(msg)
    return name.strip(), int(amount)

