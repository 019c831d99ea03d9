"""Cross-references: leads, partners, approvers, dependencies, parents, pairings.

Unknown ids are problems with a suggestion. Dependencies are expanded here:
``"tpl@*"`` stands for every instance of a template, and the id of a
repeated task for every one of its occurrences. Cycles are not problems of
loading: checks report them with the whole cycle located.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..findings import Text
from ..model import Dependency, Group, Pairing, Task, Unit
from .locate import key_path, split_key_path
from .problems import Candidates, ProblemLog, suggest

__all__ = ["References"]

_OCCURRENCE = re.compile(r"(.+)#([0-9]+)")


class References:
    """Checks references of a loaded plan and expands dependencies."""

    def __init__(self, log: ProblemLog, *, units: Mapping[str, Unit], groups: Mapping[str, Group],
                 tasks: Mapping[str, Task], declared: set[str], occurrences: Mapping[str, tuple[str, ...]],
                 instances: Mapping[str, list[str]]) -> None:
        self.log = log
        self.units = units
        self.groups = groups
        self.tasks = tasks
        self.declared = declared
        self.occurrences = occurrences
        self.instances = instances
        self._all_instances: dict[str, tuple[str, ...]] = {}
        self._unit_names: Candidates | None = None
        self._task_names: Candidates | None = None
        self._names: dict[str, str] | None = None

    # -- units ---------------------------------------------------------------------------

    def _unit_candidates(self) -> Candidates:
        if self._unit_names is None:
            self._unit_names = Candidates([*self.units, *self.groups])
        return self._unit_names

    def unit(self, ref: str, path: str, *, allow_group: bool = False) -> bool:
        """Whether ``ref`` names a unit (or a group, when allowed); a problem if not."""
        if ref in self.units or (allow_group and ref in self.groups):
            return True
        if ref in self.groups:
            self.log.add("lead-is-group", f"'{ref}' is a group; this needs one unit",
                         f"'{ref}' 是分组;此处需要单个单位", path,
                         hint=Text("name one accountable unit; put the group in `partners`",
                                   "请指定一个负责单位;分组可放在 `partners` 中"))
            return False
        what = ("unit or group", "单位或分组") if allow_group else ("unit", "单位")
        self.log.unknown_ref(path, what[0], what[1], ref, self._unit_candidates(), hint=self._by_name(ref))
        return False

    def _by_name(self, ref: str) -> Text | None:
        # Authors copy the document's 县扶贫和移民局 where the plan wants the unit's id:
        # suggest the id whose name it is (or nearly is) when no id is close.
        if self._names is None:
            self._names = {}
            for uid, unit in self.units.items():
                if not unit.household:  # a household's name is personal data: never offered in a message
                    self._names.setdefault(unit.name, uid)
            for gid, group in self.groups.items():
                if group.name:
                    self._names.setdefault(group.name, gid)
        uid = self._names.get(ref)
        if uid is None:
            if len(self.log) > self.log.SUGGESTION_BUDGET:
                return None  # thousands of problems: no scans of every name
            if suggest(ref, self._unit_candidates()) is not None:
                return None  # a mistyped id: the usual did-you-mean
            name = suggest(ref, list(self._names))
            if name is None:
                return None
            uid, ref = self._names[name], name
        return Text(f"did you mean '{uid}' ({ref})? a reference names a unit by its id, not its name",
                    f"是否应为 '{uid}'({ref})?引用单位须写其标识,而非名称")

    def check_units(self) -> None:
        units = self.units
        for unit in units.values():
            if unit.parent is not None and unit.parent not in units:
                self.unit(unit.parent, key_path("units", unit.id, "parent"))

    def check_pairings(self, pairings: Iterable[Pairing]) -> None:
        for i, pairing in enumerate(pairings):
            self.unit(pairing.a, key_path("pairings", i, "a"), allow_group=True)
            self.unit(pairing.b, key_path("pairings", i, "b"), allow_group=True)

    # -- tasks -----------------------------------------------------------------------------

    def check_task(self, task: Task) -> Task:
        """Check ``task``'s references; the task with its dependencies expanded.

        Runs once per task (a million for a national cascade): the common case
        is set look-ups only, and key paths are built only for problems.
        """
        units, groups = self.units, self.groups
        if task.lead not in units:
            self.unit(task.lead, key_path("tasks", task.id, "lead"))
        for key in ("partners", "solicits"):
            for i, ref in enumerate(getattr(task, key)):
                if ref not in units and ref not in groups:
                    self.unit(ref, key_path("tasks", task.id, key, i), allow_group=True)
        for i, step in enumerate(task.approvals):
            for j, ref in enumerate(step.by):
                if ref not in units and ref not in groups:
                    self.unit(ref, key_path("tasks", task.id, "approvals", i, "by", j), allow_group=True)
        for i, ref in enumerate(task.co_leads):
            if ref not in units:
                self.unit(ref, key_path("tasks", task.id, "co_leads", i))
        for i, sub in enumerate(task.reports_to):
            for j, ref in enumerate(sub.to):
                if ref not in units and ref not in groups:
                    self.unit(ref, key_path("tasks", task.id, "reports_to", i, "to", j), allow_group=True)
        if not task.after:
            return task
        tasks, occurrences = self.tasks, self.occurrences
        if all(dep.task in tasks and dep.task not in occurrences for dep in task.after) and (
                len(task.after) == 1 or len({dep.task for dep in task.after}) == len(task.after)):
            return task
        expanded: dict[str, Dependency] = {}
        for i, dep in enumerate(task.after):
            ids = self.dependency(dep.task, key_path("tasks", task.id, "after", i))
            for tid in ids or ():
                if tid not in expanded:
                    expanded[tid] = dep if tid == dep.task else Dependency(task=tid, lag=dep.lag)
        return attrs.evolve(task, after=tuple(expanded.values()))

    def dependency(self, ref: str, path: str) -> tuple[str, ...] | None:
        """The task ids ``ref`` stands for; ``None`` (and a problem) if none."""
        occ = self.occurrences.get(ref)
        if occ is not None:
            return occ
        if ref in self.tasks:
            return (ref,)
        if ref.endswith("@*") and ref[:-2] in self.instances:
            return self._every_instance(ref[:-2])
        m = _OCCURRENCE.fullmatch(ref)
        if m is not None and ref in self.occurrences.get(m.group(1), ()):
            return (ref,)
        if ref in self.declared:
            return ()  # declared but broken: its own problem is reported
        hint = None
        if ref in self.instances:
            hint = Text(f"'{ref}' is a template; use '{ref}@*' for every instance of it",
                        f"'{ref}' 是模板;如需依赖其全部实例,请写作 '{ref}@*'")
        elif ref.endswith("@*"):
            self.log.unknown_ref(path, "template", "模板", ref[:-2], self.instances)
            return None
        if self._task_names is None:
            self._task_names = Candidates([*self.tasks, *self.declared] if self.declared else list(self.tasks))
        self.log.unknown_ref(path, "task", "任务", ref, self._task_names, hint=hint)
        return None

    def _every_instance(self, template: str) -> tuple[str, ...]:
        ids = self._all_instances.get(template)
        if ids is None:
            out: list[str] = []
            for iid in self.instances[template]:
                out.extend(self.occurrences.get(iid, (iid,) if iid in self.tasks else ()))
            ids = self._all_instances[template] = tuple(out)
        return ids


def fold_instances(log: ProblemLog, templates: Iterable[str]) -> None:
    """Report a problem repeated across a template's instances once, with a count."""
    names = set(templates)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for n, p in enumerate(log.pending):
        if not p.key_path.startswith("tasks."):
            continue
        parts = split_key_path(p.key_path)
        if len(parts) < 2 or not isinstance(parts[1], str) or "@" not in parts[1]:
            continue
        template = parts[1].split("@", 1)[0]
        if template in names:
            groups.setdefault((p.code, template, parts[2:]), []).append(n)
    drop: set[int] = set()
    for (_, template, _rest), members in groups.items():
        if len(members) < 2:
            continue
        first = log.pending[members[0]]
        more = len(members) - 1
        first.message = Text(f"{first.message.en} (and {more} more instance(s) of template '{template}')",
                             f"{first.message.zh or first.message.en}(模板 '{template}' 另有 {more} 个实例同样如此)")
        drop.update(members[1:])
    if drop:
        log.pending = [p for n, p in enumerate(log.pending) if n not in drop]
