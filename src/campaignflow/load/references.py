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

from ..findings import Applicability, Edit, Fix, Text
from ..model import Dependency, Group, Pairing, Task, Unit
from .locate import key_path, split_key_path
from .problems import Candidates, Pending, ProblemLog, suggest

__all__ = ["References", "fold_instances", "fold_references"]

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
        if (task.partners or task.co_leads) and task.lead in (*task.partners, *task.co_leads) or (
                task.co_leads and task.partners and not set(task.co_leads).isdisjoint(task.partners)):
            task = self._self_reference(task)
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

    def _self_reference(self, task: Task) -> Task:
        """A lead named again among its own co-leads or partners: a problem (#20), or dropped in an instance.

        ``lead = "a"`` with ``partners = ["a"]`` says nothing a plan can use (a unit is
        not its own partner) and is almost always a slip; it is a located
        ``self-reference`` problem. A template instance whose own unit (``{unit}``)
        is also among the partners the template names for every instance (the
        county office leading its own instance of a drive the office partners in
        the others) is fine: that instance simply does not list it as its partner.
        """
        leads = task.leads
        for key in ("co_leads", "partners"):
            kept: list[str] = []
            for i, ref in enumerate(getattr(task, key)):
                dup = ref == task.lead if key == "co_leads" else ref in leads
                if not dup:
                    kept.append(ref)
                elif task.template is not None and ref == task.template_unit:
                    continue  # the instance's own unit: dropped without a word (docs/plan-format.md)
                else:
                    kept.append(ref)
                    role = ("lead", "牵头单位") if ref == task.lead else ("co-lead", "共同牵头单位")
                    where = ("its co-leads", "共同牵头单位") if key == "co_leads" else ("its partners", "配合单位")
                    self.log.add("self-reference",
                                 f"'{ref}' is the task's {role[0]} and is named again among {where[0]}",
                                 f"'{ref}' 是本任务的{role[1]},又被列为{where[1]}", key_path("tasks", task.id, key, i),
                                 hint=Text(f"remove '{ref}' from `{key}`: a lead is not its own "
                                           f"{'co-lead' if key == 'co_leads' else 'partner'}",
                                           f"请从 `{key}` 中删除 '{ref}':牵头单位不必再列为"
                                           f"{'共同牵头单位' if key == 'co_leads' else '配合单位'}"))
            if len(kept) != len(getattr(task, key)):
                task = attrs.evolve(task, **{key: tuple(kept)})
        return task

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


#: Problem codes of unknown references, by the namespace the name is looked up in.
_NAMESPACE = {"unknown-unit": "unit", "unknown-unit-or-group": "unit", "unknown-group": "unit",
              "unknown-task": "task", "unknown-template": "template", "unknown-date": "date"}
_WHAT = {"unit": ("unit", "单位"), "group": ("group", "分组"), "task": ("task", "任务"), "template": ("template", "模板"),
         "date": ("date", "日期")}


def fold_references(log: ProblemLog, *, units: Mapping[str, Unit], groups: Mapping[str, Group],
                    tasks: Mapping[str, Task], declared: set[str], templates: Iterable[str],
                    pairings: Iterable[Pairing] = (), issuer: str | None = None) -> None:
    """One problem, one message: several references to one unknown name are one problem.

    ``[units.xianfpb]`` declared while three tasks say ``xianfpbb`` is one cause
    (one of the two spellings is wrong), not three. The references are folded
    into one problem with each of them as a related location and one fix that
    replaces them all. When the close declared name is referenced nowhere, the
    declaration is the likelier misspelling: the problem is located there, and
    renaming it is offered too (display-only: which spelling is right is the
    author's call, and replacing the references is what the single-reference
    fix did before). Runs after ``fold_instances`` (a template's instances
    count as the one reference the template writes).
    """
    groups_of: dict[tuple[str, str], list[int]] = {}
    for n, p in enumerate(log.pending):
        space = _NAMESPACE.get(p.code)
        if space is not None and p.ref is not None:
            groups_of.setdefault((space, p.ref), []).append(n)
    folded = {key: members for key, members in groups_of.items() if len(members) > 1}
    if not folded:
        return
    template_names = set(templates)
    used_units: set[str] | None = None
    used_tasks: set[str] | None = None
    replace: dict[int, Pending] = {}
    drop: set[int] = set()
    for (space, ref), members in folded.items():
        first = log.pending[members[0]]
        edits = [e for m in members for f in log.pending[m].fixes[:1] for e in f.edits]
        target = str(edits[0].new) if edits else None
        declaration: str | None = None
        what = _WHAT[space]
        if target is not None:
            if space == "unit" and target in units:
                declaration, what = key_path("units", target), _WHAT["unit"]
            elif space == "unit" and target in groups:
                declaration, what = key_path("groups", target), _WHAT["group"]
            elif space == "task" and target in declared:
                declaration = key_path("tasks", target)
            elif space == "template" and target in template_names:
                declaration = key_path("templates", target)
        unused = False
        if declaration is not None:
            if space == "unit":
                if used_units is None:
                    used_units = _used_units(units, groups, tasks, pairings, issuer)
                unused = target not in used_units
            else:
                if used_tasks is None:
                    used_tasks = {dep.task for t in tasks.values() for dep in t.after}
                unused = (target not in used_tasks if space == "task"
                          else f"{target}@*" not in used_tasks)
        n = len(members)
        paths = [log.pending[m].key_path for m in members]
        fixes: list[Fix] = []
        if edits and len(edits) == n:
            fixes.append(Fix(Text(f"replace '{ref}' with '{target}' in all {n} references",
                                  f"将全部 {n} 处引用中的 '{ref}' 替换为 '{target}'"),
                             first.fixes[0].applicability, edits))
        if unused and declaration is not None and target is not None:
            rename = Fix(Text(f"rename the {what[0]} '{target}' to '{ref}'", f"将{what[1]} '{target}' 改名为 '{ref}'"),
                         Applicability.DISPLAY, [Edit("rename", declaration, new=ref, old=target)])
            fixes.insert(0, rename) if not fixes else fixes.append(rename)
            message = Text(f"'{ref}' is named by {n} references but declared nowhere, and the {what[0]} declared "
                           f"here as '{target}' is referenced nowhere: one of the two spellings is wrong",
                           f"'{ref}' 被 {n} 处引用却未声明,而此处声明的{what[1]} '{target}' 无任何引用:"
                           f"两种写法必有一处有误")
            hint = Text(f"rename the {what[0]} to '{ref}', or write '{target}' in the references",
                        f"请将该{what[1]}改名为 '{ref}',或在各引用处改写为 '{target}'")
            replace[members[0]] = attrs.evolve(first, key_path=declaration, message=message, hint=hint,
                                               fixes=tuple(fixes), related=tuple(paths), file=None)
        else:
            message = Text(f"{first.message.en} (named by {n} references)",
                           f"{first.message.zh or first.message.en}(共 {n} 处引用)")
            related = (*paths[1:], *((declaration,) if declaration is not None else ()))
            replace[members[0]] = attrs.evolve(first, message=message, fixes=tuple(fixes), related=related)
        drop.update(members[1:])
    log.pending = [replace.get(n, p) for n, p in enumerate(log.pending) if n not in drop]


def _used_units(units: Mapping[str, Unit], groups: Mapping[str, Group], tasks: Mapping[str, Task],
                pairings: Iterable[Pairing], issuer: str | None) -> set[str]:
    """Every unit or group id some part of the plan refers to."""
    used: set[str] = {u.parent for u in units.values() if u.parent is not None}
    for g in groups.values():
        used.update(g.members)
        used.update(g.exclude)
        if g.under is not None:
            used.add(g.under)
    for p in pairings:
        used.update((p.a, p.b))
    if issuer is not None:
        used.add(issuer)
    for t in tasks.values():
        used.add(t.lead)
        used.update(t.co_leads)
        used.update(t.partners)
        used.update(t.solicits)
        for step in t.approvals:
            used.update(step.by)
        for sub in t.reports_to:
            used.update(sub.to)
    return used
