"""Households in exports: their names replaced by neutral labels, or households left out altogether.

A unit marked ``household = true`` is a household (住户); its name is personal data. Exports go to
people who need the plan, not the households' names, so ``campaignflow export`` labels them
(``住户 1`` / ``household 1``, in plan order) unless given ``--household-names``, and
``--no-households`` leaves household units, the tasks they lead and every reference to them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from ..model import Annotation, Campaign

__all__ = ["label_households", "without_households"]


def _homes(campaign: Campaign) -> list[str]:
    return [uid for uid, unit in campaign.units.items() if unit.household]


def label_households(campaign: Campaign) -> Campaign:
    """``campaign`` with each household's name (and English name) replaced by ``住户 N`` / ``household N``.

    The name is replaced wherever the plan's text repeats it too (task titles, venues): a template
    over households writes the household's name into each task's title.
    """
    homes = _homes(campaign)
    if not homes:
        return campaign
    names: dict[str, str] = {}
    units = dict(campaign.units)
    for n, uid in enumerate(homes, start=1):
        unit = units[uid]
        for name, label in ((unit.name, f"住户 {n}"), (unit.name_en, f"household {n}")):
            if name:
                names[name] = label
        units[uid] = attrs.evolve(unit, name=f"住户 {n}", name_en=f"household {n}", doc=None)
    # Longest first, so that a name containing another one is replaced whole.
    order = sorted(names, key=len, reverse=True)

    def scrub(text: str | None) -> str | None:
        if text is None:
            return None
        for name in order:
            text = text.replace(name, names[name])
        return text

    def scrub_doc(doc: Annotation | None) -> Annotation | None:
        return None if doc is None else attrs.evolve(doc, quote=scrub(doc.quote), note=scrub(doc.note))

    tasks = {tid: attrs.evolve(task, title=scrub(task.title) or "", title_en=scrub(task.title_en),
                               venue=scrub(task.venue), doc=scrub_doc(task.doc))
             for tid, task in campaign.tasks.items()}
    return attrs.evolve(campaign, units=units, tasks=tasks)


def without_households(campaign: Campaign) -> Campaign:
    """``campaign`` without household units, the tasks a household leads, and every reference to either.

    Other tasks lose the households among their partners, approvers and recipients (a step or a
    submission left with nobody is dropped) and their dependencies on the tasks left out.
    """
    homes = frozenset(_homes(campaign))
    if not homes:
        return campaign
    gone = {tid for tid, task in campaign.tasks.items() if set(task.leads) & homes}

    def keep(refs: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(r for r in refs if r not in homes)

    tasks = {}
    for tid, task in campaign.tasks.items():
        if tid in gone:
            continue
        approvals = tuple(attrs.evolve(a, by=keep(a.by)) for a in task.approvals if keep(a.by))
        reports = tuple(attrs.evolve(s, to=keep(s.to)) for s in task.reports_to if keep(s.to))
        tasks[tid] = attrs.evolve(task, partners=keep(task.partners), co_leads=keep(task.co_leads),
                                  solicits=keep(task.solicits), approvals=approvals, reports_to=reports,
                                  after=tuple(d for d in task.after if d.task not in gone))
    units = {uid: (attrs.evolve(unit, parent=None) if unit.parent in homes else unit)
             for uid, unit in campaign.units.items() if uid not in homes}
    groups = {gid: attrs.evolve(g, members=keep(g.members), exclude=keep(g.exclude), units=keep(g.units))
              for gid, g in campaign.groups.items()}
    pairings = tuple(p for p in campaign.pairings if p.a not in homes and p.b not in homes)
    return attrs.evolve(campaign, units=units, groups=groups, pairings=pairings, tasks=tasks)
