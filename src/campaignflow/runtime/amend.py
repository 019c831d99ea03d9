"""Amending a running campaign: the migration from the running plan to an edited one.

A running campaign never changes its plan silently. ``Engine.open`` with an edited
plan is refused (``PlanChangedError``); ``Engine.amend(new_plan)`` first reports what
the edit changes (``Migration``: tasks added, removed, renamed through their
``renamed_from`` key, deadlines moved, running tasks whose prerequisites changed) and
changes nothing; with ``apply=True`` it appends one ``amended`` event recording both
plan fingerprints. History, task ids, started work, approvals and extensions are kept;
a renamed task's record follows it to its new id.

What the migration compares the new plan with is the running plan's *summary*, kept on
the log (the ``ref`` of the ``opened`` and ``amended`` events: the fingerprint, then one
line of JSON per part), so that a plan file edited in place can still be amended: the
old file is gone, its tasks' ids, deadlines and prerequisites are on the log.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._display import deadline as deadline_text
from ..findings import Text
from ..model import Campaign
from .plan import PlanIndex
from .states import State, TaskState

__all__ = ["Migration", "DeadlineMove", "PrerequisiteChange", "PlanSummary", "plan_migration", "plan_ref",
           "split_ref"]

#: States in which a task's work has started and is not finished or called off.
RUNNING = frozenset({TaskState.ACTIVE, TaskState.COMPLETED, TaskState.SUBMITTED, TaskState.REJECTED})


@attrs.frozen
class PlanSummary:
    """What an amendment compares: each task's deadline and prerequisites, in plan order."""

    #: task id -> (deadline, prerequisite task ids)
    tasks: Mapping[str, tuple[datetime | None, tuple[str, ...]]]

    @classmethod
    def of(cls, plan: PlanIndex) -> PlanSummary:
        """The summary of an indexed plan."""
        return cls({tid: (info.deadline, tuple(d.task for d in info.prereqs)) for tid, info in plan.tasks.items()})

    def to_json(self) -> str:
        return json.dumps({tid: [d.isoformat() if d is not None else None, list(pre)]
                           for tid, (d, pre) in self.tasks.items()}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PlanSummary:
        raw = json.loads(text)
        return cls({tid: (datetime.fromisoformat(d) if d else None, tuple(pre)) for tid, (d, pre) in raw.items()})


def plan_ref(fingerprint: str, *parts: str) -> str:
    """The ``ref`` of a plan event: the fingerprint, then each part on its own line."""
    return "\n".join((fingerprint, *parts))


def split_ref(ref: str | None) -> list[str]:
    """``[fingerprint, part, ...]`` of a plan event's ``ref`` (an old log's ref is the fingerprint alone)."""
    return (ref or "").split("\n")


@attrs.frozen
class DeadlineMove:
    """A task whose deadline the amendment moves."""

    task: str
    before: datetime | None
    after: datetime | None


@attrs.frozen
class PrerequisiteChange:
    """A running task whose prerequisites the amendment changes (its started work is kept)."""

    task: str
    state: TaskState
    before: tuple[str, ...]
    after: tuple[str, ...]


@attrs.frozen
class Migration:
    """What amending a running campaign to a new plan changes; see ``Engine.amend``.

    Attributes:
        campaign: the campaign id.
        running: fingerprint of the running plan.
        new: fingerprint of the new plan.
        source: the new plan's file.
        added: tasks only in the new plan.
        removed: tasks of the running plan the new one drops (their history stays on the log).
        renamed: ``(old id, new id)`` for each task whose ``renamed_from`` names a running task.
        deadlines: tasks whose deadline moves.
        prerequisites: running (started, unfinished) tasks whose prerequisites change.
        refusals: why the amendment cannot be applied (empty: it can).
        notes: what is worth knowing but does not stop it.
        applied: the sequence number of the ``amended`` event, once applied.
    """

    campaign: str
    running: str
    new: str
    source: str | None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    deadlines: tuple[DeadlineMove, ...] = ()
    prerequisites: tuple[PrerequisiteChange, ...] = ()
    refusals: tuple[Text, ...] = ()
    notes: tuple[Text, ...] = ()
    applied: int | None = None

    @property
    def ok(self) -> bool:
        """Whether it can be applied."""
        return not self.refusals

    @property
    def changes(self) -> bool:
        """Whether the new plan differs from the running one at all."""
        return self.running != self.new

    def payload(self) -> str:
        """What replaying the ``amended`` event needs: the renames (a record follows its task's new id)."""
        return json.dumps({"renamed": dict(self.renamed), "removed": list(self.removed)}, ensure_ascii=False,
                          separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        def day(d: datetime | None) -> str | None:
            return d.isoformat() if d is not None else None

        return {
            "campaign": self.campaign, "running": self.running, "new": self.new, "source": self.source,
            "added": list(self.added), "removed": list(self.removed),
            "renamed": [{"from": a, "to": b} for a, b in self.renamed],
            "deadlines": [{"task": m.task, "before": day(m.before), "after": day(m.after)} for m in self.deadlines],
            "prerequisites": [{"task": p.task, "state": str(p.state), "before": list(p.before),
                               "after": list(p.after)} for p in self.prerequisites],
            "refusals": [r.en for r in self.refusals], "notes": [n.en for n in self.notes],
            "ok": self.ok, "applied": self.applied,
        }

    def lines(self, lang: str = "en") -> list[str]:
        """The report as a person reads it."""
        zh = lang.startswith("zh")
        out = [(f"修订活动 {self.campaign}:方案 {self.running[:12]} → {self.new[:12]}" if zh else
                f"amending campaign {self.campaign}: plan {self.running[:12]} -> {self.new[:12]}")]
        if not self.changes:
            out.append("  方案未变" if zh else "  the plan is unchanged")
        for tid in self.added:
            out.append(f"  {'新增' if zh else 'added':<10}{tid}")
        for tid in self.removed:
            out.append(f"  {'删除' if zh else 'removed':<10}{tid}")
        for old, new in self.renamed:
            out.append(f"  {'改名' if zh else 'renamed':<10}{old} -> {new}")
        for m in self.deadlines:
            out.append(f"  {'期限' if zh else 'deadline':<10}{m.task}: {deadline_text(m.before, lang)} -> "
                       f"{deadline_text(m.after, lang)}")
        for p in self.prerequisites:
            before, after = ", ".join(p.before) or "-", ", ".join(p.after) or "-"
            out.append(f"  {'前置变化' if zh else 'after':<10}{p.task} ({p.state}): {before} -> {after}")
        for n in self.notes:
            out.append(f"  {'注意' if zh else 'note'}: {n.get(lang)}")
        for r in self.refusals:
            out.append(f"  {'不能修订' if zh else 'REFUSED'}: {r.get(lang)}")
        return out


def plan_migration(campaign_id: str, running: str, old: PlanSummary, new: Campaign, new_fingerprint: str,
                   state: State) -> Migration:
    """The migration of ``state`` (on a plan summarised by ``old``) to plan ``new``; pure."""
    index = PlanIndex(new)
    refusals: list[Text] = []
    notes: list[Text] = []
    renamed: dict[str, str] = {}  # old -> new
    for tid, info in index.tasks.items():
        source = info.task.renamed_from
        if source is None or tid in old.tasks:
            continue  # not a rename, or one applied by an earlier amendment
        where = new.locate(f"tasks.{tid}.renamed_from")
        if source in index.tasks:
            refusals.append(Text(f"{where}: task {tid!r} is renamed from {source!r}, which is still in the plan",
                                 f"{where}:任务 {tid!r} 由 {source!r} 改名而来,但 {source!r} 仍在方案中"))
        elif source in old.tasks:
            if source in renamed:
                refusals.append(Text(f"{where}: {renamed[source]!r} and {tid!r} are both renamed from {source!r}",
                                     f"{where}:{renamed[source]!r} 与 {tid!r} 都由 {source!r} 改名而来"))
            else:
                renamed[source] = tid
        else:
            close = difflib.get_close_matches(source, [t for t in old.tasks if t not in index.tasks], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            hint_zh = f";是否应为 {close[0]!r}?" if close else ""
            refusals.append(Text(f"{where}: renamed_from {source!r} names no task of the running plan{hint}",
                                 f"{where}:renamed_from {source!r} 不是运行中方案的任务{hint_zh}"))
    new_of = {old_id: renamed.get(old_id, old_id) for old_id in old.tasks}
    added = tuple(t for t in index.tasks if t not in old.tasks and t not in renamed.values())
    removed = tuple(t for t in old.tasks if t not in index.tasks and t not in renamed)
    for tid in removed:
        phase = state.record(tid).phase
        if phase in RUNNING:
            refusals.append(Text(f"task {tid!r} is {phase}: cancel it before the amendment removes it",
                                 f"任务 {tid!r} 正在办理({phase}):须先撤销,才能从方案中删除"))
        elif phase is TaskState.DONE:
            refusals.append(Text(f"task {tid!r} is done: a finished task stays in the plan as the record of its work",
                                 f"任务 {tid!r} 已办结:已办结的任务须保留在方案中"))
    for old_id, tid in renamed.items():
        if tid in state.records:
            refusals.append(Text(f"task {old_id!r} cannot be renamed to {tid!r}: the log already has a task "
                                 f"{tid!r}", f"任务 {old_id!r} 不能改名为 {tid!r}:日志中已有任务 {tid!r}"))
    for tid in added:
        if tid in state.records:
            notes.append(Text(f"task {tid!r} comes back with its history ({state.record(tid).phase})",
                              f"任务 {tid!r} 恢复,沿用其记录({state.record(tid).phase})"))
    deadlines: list[DeadlineMove] = []
    prerequisites: list[PrerequisiteChange] = []
    for old_id, (before_due, before_pre) in old.tasks.items():
        tid = new_of[old_id]
        info = index.tasks.get(tid)
        if info is None:
            continue
        if info.deadline != before_due:
            deadlines.append(DeadlineMove(tid, before_due, info.deadline))
        record = state.record(old_id)
        mapped = tuple(new_of.get(p, p) for p in before_pre)
        after = tuple(d.task for d in info.prereqs)
        if record.phase in RUNNING and set(mapped) != set(after):
            prerequisites.append(PrerequisiteChange(tid, record.phase, mapped, after))
        if record.phase is TaskState.SUBMITTED and record.step >= len(info.steps):
            refusals.append(Text(f"task {tid!r} waits for approval step {record.step + 1}, which the new plan "
                                 f"does not have ({len(info.steps)} steps): let it be decided first",
                                 f"任务 {tid!r} 正待第 {record.step + 1} 步审批,新方案只有 {len(info.steps)} 步:"
                                 "请先完成审批"))
    return Migration(campaign=campaign_id, running=running, new=new_fingerprint, source=new.source, added=added,
                     removed=removed, renamed=tuple(renamed.items()), deadlines=tuple(deadlines),
                     prerequisites=tuple(prerequisites), refusals=tuple(refusals), notes=tuple(notes))
