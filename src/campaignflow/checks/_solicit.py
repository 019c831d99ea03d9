"""Solicitations (募捐, 认捐) at the level of references, shared by CF401 and CF402.

A task with ``solicits`` is a *drive*: its lead asks the units a reference
stands for (a unit, or a group's members) for money or goods. Everything
here is kept per reference, never per (lead, member) pair: a template whose
40,000 instances each solicit a group of 40,000 units is 40,000 edges, not
1.6e9 pairs. Member sets are built once per solicited group.
"""

from __future__ import annotations

import attrs

from ..model import Campaign, Task

__all__ = ["Drive", "Solicitations", "Pairings"]


@attrs.frozen
class Drive:
    """One entry of a task's ``solicits``: the task, the position, the reference.

    ``by`` is the unit that asks: the task's lead, or one of its co-leads (a
    co-lead soliciting from a unit is a solicitation too; #18). ``by_ref``
    keeps one drive per task and reference (the lead's); ``edge`` has one per
    soliciting unit.
    """

    task: Task
    index: int
    ref: str
    by: str | None = None

    @property
    def lead(self) -> str:
        """The unit that solicits."""
        return self.by if self.by is not None else self.task.lead


class Solicitations:
    """Who solicits what, indexed by lead and by reference."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        #: Every drive, by reference, in plan order (one per task and reference).
        self.by_ref: dict[str, list[Drive]] = {}
        #: The first drive of each (lead, reference) edge.
        self.edge: dict[tuple[str, str], Drive] = {}
        #: Units each lead solicits directly; groups each lead solicits.
        self.units_of: dict[str, list[str]] = {}
        self.groups_of: dict[str, list[str]] = {}
        units, groups = campaign.units, campaign.groups
        for task in campaign.tasks.values():
            seen: set[str] = set()
            for i, ref in enumerate(task.solicits):
                if ref in seen or (ref not in units and ref not in groups):
                    continue
                seen.add(ref)
                drive = Drive(task, i, ref)
                self.by_ref.setdefault(ref, []).append(drive)
                for lead in task.leads if task.co_leads else (task.lead,):
                    if (lead, ref) not in self.edge:
                        self.edge[lead, ref] = drive if lead == task.lead else Drive(task, i, ref, lead)
                        target = self.groups_of if ref in groups else self.units_of
                        target.setdefault(lead, []).append(ref)
        self._sets: dict[str, frozenset[str]] = {}
        self._member_of: dict[str, list[str]] | None = None

    def members(self, ref: str) -> frozenset[str]:
        """The units a reference stands for, as a set (built once)."""
        got = self._sets.get(ref)
        if got is None:
            got = self._sets[ref] = frozenset(self.campaign.members(ref))
        return got

    def member_of(self) -> dict[str, list[str]]:
        """For each unit, the solicited groups it belongs to (linear in their sizes)."""
        if self._member_of is None:
            out: dict[str, list[str]] = {}
            for ref in self.by_ref:
                if ref in self.campaign.groups:
                    for uid in self.campaign.members(ref):
                        out.setdefault(uid, []).append(ref)
            self._member_of = out
        return self._member_of


class Pairings:
    """Which pairs of units a pairing links; a pairing of groups links every member pair."""

    def __init__(self, campaign: Campaign) -> None:
        self._sides: dict[str, list[frozenset[str]]] = {}
        for pairing in campaign.pairings:
            a, b = frozenset(campaign.members(pairing.a)), frozenset(campaign.members(pairing.b))
            for uid in a:
                self._sides.setdefault(uid, []).append(b)
            for uid in b:
                self._sides.setdefault(uid, []).append(a)

    def linked(self, a: str, b: str) -> bool:
        """Whether a pairing links ``a`` and ``b``."""
        return any(b in other for other in self._sides.get(a, ()))

    def signature(self, a: str) -> tuple[int, ...]:
        """Identifies the partners of ``a``: units with equal signatures have the same partners."""
        return tuple(id(s) for s in self._sides.get(a, ()))

    def partners_among(self, a: str, units: frozenset[str]) -> frozenset[str]:
        """The ``units`` a pairing links with ``a`` (``a`` itself included if it is paired with itself)."""
        sides = self._sides.get(a, ())
        if len(sides) == 1:  # the usual case; set intersection walks the smaller set
            return sides[0] & units
        return frozenset().union(*(other & units for other in sides))
