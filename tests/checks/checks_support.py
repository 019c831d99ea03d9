"""Builders for small campaigns and helpers to run the built-in checks on them."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import campaignflow as cf
from campaignflow.findings import Finding, Severity
from campaignflow.model import (
    Approval, Campaign, ChecksConfig, Dependency, Duration, Group, Lag, Pairing, Task, Unit, Window,
)

START = date(2020, 9, 1)  # a Tuesday
END = date(2020, 10, 30)  # a Friday


@functools.lru_cache(maxsize=1)
def builtin_plugins() -> cf.Plugins:
    """Only campaignflow's own plugins: installed third-party checks must not leak in."""
    return cf.create_plugin_manager(entry_points=False, use_env=False)


def unit(uid: str, parent: str | None = None, *, kind: str | None = None, capacity: int | None = None) -> Unit:
    return Unit(id=uid, name=uid, parent=parent, kind=kind, capacity=capacity)


def group(gid: str, *members: str) -> Group:
    return Group(id=gid, members=members, units=members)


def dep(task: str, lag: str | None = None) -> Dependency:
    return Dependency(task=task, lag=Lag.parse(lag) if lag else Lag())


def step(*by: str, within: float | None = None, due: date | None = None, kind: str = "approve",
         mode: str = "all") -> Approval:
    return Approval(by=by, within=None if within is None else Duration(within), due=due, kind=kind,
                    mode=mode)  # type: ignore[arg-type]


def task(tid: str, lead: str = "office", *, after: Sequence[str | Dependency] = (), start: Any = None,
         due: Any = None, on: Any = None, days: float = 1.0, approvals: Sequence[Approval] = (),
         solicits: Sequence[str] = (), **extra: Any) -> Task:
    return Task(
        id=tid, title=tid, lead=lead,
        after=tuple(dep(a) if isinstance(a, str) else a for a in after),
        window=Window(start=start, due=due, on=on), duration=Duration(days),
        approvals=tuple(approvals), solicits=tuple(solicits), **extra,
    )


def plan(*, units: Iterable[Unit] = (), tasks: Iterable[Task] = (), groups: Iterable[Group] = (),
         pairings: Iterable[tuple[str, str]] = (), start: date = START, end: date = END,
         calendar: str = "weekdays", checks: ChecksConfig | None = None, with_office: bool = True,
         **extra: Any) -> Campaign:
    """A campaign; unit ``office`` (the default lead and issuer) is added unless told otherwise."""
    all_units = ([unit("office")] if with_office else []) + list(units)
    return Campaign(
        id="test", name="test", start=start, end=end, calendar=calendar,
        issuer="office" if with_office else None,
        units={u.id: u for u in all_units}, groups={g.id: g for g in groups},
        pairings=tuple(Pairing(a=a, b=b) for a, b in pairings),
        tasks={t.id: t for t in tasks}, checks=checks or ChecksConfig(), **extra,
    )


def run(campaign: Campaign, **kwargs: Any) -> list[Finding]:
    return cf.validate(campaign, plugins=builtin_plugins(), **kwargs)


def codes(findings: Iterable[Finding], *, at_least: Severity = Severity.INFO) -> list[str]:
    return sorted(f.code for f in findings if f.severity >= at_least)


def errors(findings: Iterable[Finding]) -> list[str]:
    return codes(findings, at_least=Severity.ERROR)


def only(findings: Iterable[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


__all__ = ["START", "END", "builtin_plugins", "unit", "group", "dep", "step", "task", "plan", "run", "codes",
           "errors", "only"]
