"""Loading plans: TOML files (with includes, templates, repeats and date expressions) -> ``Campaign``.

Every problem of every file is collected in one pass and raised once as a
``PlanError``; a half-loaded plan is never returned. See docs/plan-format.md
for how the engine reads the format.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..calendar import DEFAULT_OFFICE_HOURS
from ..findings import Text
from ..model import Campaign, ChecksConfig, Task
from .calendar_overrides import read_calendar, read_office_hours
from .supervision import read_supervision
from .expand import expand_repeats, occurrence_ids, read_groups
from .include import PlanLocator, merge, read_files
from .locate import gc_paused, key_path, split_key_path
from .problems import ProblemLog
from .references import References, fold_instances, fold_references
from .structure import child, read_campaign, read_checks, read_pairings, read_units
from .tasks import TaskReader
from .templates import expand_templates
from .toml import DEFAULT_MAX_BYTES

#: Most tasks a plan may expand to by default (``load_plan(max_tasks=...)``).
DEFAULT_MAX_TASKS = 1_000_000

if TYPE_CHECKING:
    from ..plugins.manager import Plugins

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_TASKS", "PlanLocator", "key_path", "load_plan", "loads", "split_key_path"]


def load_plan(source: str | os.PathLike[str], *, plugins: Plugins | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES, include_roots: Sequence[str | os.PathLike[str]] = (),
              max_tasks: int = DEFAULT_MAX_TASKS) -> Campaign:
    """Load a plan from a file, or from TOML text.

    Args:
        source: a path to the main plan file; a ``str`` that contains a newline
            or ``=`` is taken as TOML text instead (see ``loads``).
        plugins: the plugin manager that provides calendars and plan loaders
            (``campaignflow_load_plan`` is asked first, for files); the process
            default when ``None``.
        max_bytes: largest file read (each included file too).
        include_roots: folders besides the main file's own that includes may come from
            (an include anywhere else is a problem, and is never read).
        max_tasks: most tasks the plan may expand to (templates times units times
            ``repeat.times``); more is a ``too-many-tasks`` problem at the largest producer,
            found before repeats are expanded.

    Returns:
        The campaign, with ``source`` and a ``locator`` for key paths.

    Raises:
        PlanError: with every problem found, located; nothing is half-loaded.
    """
    if isinstance(source, str) and ("\n" in source or "=" in source):
        return loads(source, plugins=plugins, max_bytes=max_bytes, include_roots=include_roots,
                     max_tasks=max_tasks)
    path = Path(os.fspath(source)).expanduser()
    plugins = _plugins(plugins)
    result = plugins.pm.hook.campaignflow_load_plan(path=path)
    if result is not None:
        return result
    return _load(plugins, main=path, text=None, filename=str(path), max_bytes=max_bytes,
                 include_roots=include_roots, max_tasks=max_tasks)


def loads(text: str, *, filename: str = "<string>", plugins: Plugins | None = None,
          max_bytes: int = DEFAULT_MAX_BYTES, include_roots: Sequence[str | os.PathLike[str]] = (),
              max_tasks: int = DEFAULT_MAX_TASKS) -> Campaign:
    """Load a plan from TOML ``text``; ``filename`` names it in locations.

    Relative includes start from ``filename``'s directory when it names a
    file, else from the current directory.
    """
    return _load(_plugins(plugins), main=None, text=text, filename=filename, max_bytes=max_bytes,
                 include_roots=include_roots, max_tasks=max_tasks)


def _plugins(plugins: Plugins | None) -> Plugins:
    if plugins is not None:
        return plugins
    from ..plugins.manager import default_plugins

    return default_plugins()


def _load(plugins: Plugins, *, main: Path | None, text: str | None, filename: str, max_bytes: int,
          include_roots: Sequence[str | os.PathLike[str]] = (), max_tasks: int = DEFAULT_MAX_TASKS) -> Campaign:
    # Loading allocates millions of objects that all live on.
    with gc_paused():
        return _load_files(plugins, main=main, text=text, filename=filename, max_bytes=max_bytes,
                           include_roots=include_roots, max_tasks=max_tasks)


def _load_files(plugins: Plugins, *, main: Path | None, text: str | None, filename: str,
                max_bytes: int, include_roots: Sequence[str | os.PathLike[str]] = (),
                max_tasks: int = DEFAULT_MAX_TASKS) -> Campaign:
    log = ProblemLog()
    fs = read_files(log, main=main, text=text, filename=filename, max_bytes=max_bytes,
                    include_roots=[Path(os.fspath(r)) for r in include_roots])
    campaign = None
    locator = PlanLocator(fs)
    if fs.files:
        merged = merge(log, fs)
        locator.templates = frozenset(merged["templates"])
        campaign = _build(log, merged, plugins, source=fs.files[0].name, locator=locator, max_tasks=max_tasks)
        del merged
    for f in fs.files:
        # The locator keeps each file's text (positions are found lazily), not its parsed data.
        f.data = {}
    if log or campaign is None:
        fold_instances(log, locator.templates)
        raise log.error(locator.at, fs.position)
    return campaign


def _fixed_uses(head: Any, instances: Mapping[str, list[str]]) -> dict[str, dict[str, str]]:
    """Task id -> {field: expression} for every use of a fixed date (``[campaign] fixed_dates``)."""
    out: dict[str, dict[str, str]] = {}
    uses = head.dates.uses if head.dates is not None else {}
    for path, text in uses.items():
        parts = split_key_path(path)
        if len(parts) < 3:
            continue
        if parts[0] == "tasks":
            owners, rest = [str(parts[1])], parts[2:]
        elif parts[0] == "templates" and len(parts) > 3 and parts[2] == "task":
            owners, rest = instances.get(str(parts[1]), []), parts[3:]
        else:
            continue
        if rest and rest[-1] == "date":  # around = { date = ... }
            rest = rest[:-1]
        field = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(rest))
        field = field.replace("approvals.due", "approvals[0].due").replace("reports_to.due", "reports_to[0].due")
        for owner in owners:
            out.setdefault(owner, {})[field] = text
    return out


def _build(log: ProblemLog, merged: dict[str, Any], plugins: Plugins, *, source: str,
           locator: PlanLocator, max_tasks: int = DEFAULT_MAX_TASKS) -> Campaign | None:
    present = merged["_present"]
    if "campaign" not in present:
        log.add("missing-campaign", "missing the [campaign] table", "缺少 [campaign] 表", "", file=0,
                hint=_campaign_hint())
    overrides = read_calendar(log, merged["calendar"]) if "calendar" in present else {}
    office = read_office_hours(log, merged["calendar"]) if "calendar" in present else DEFAULT_OFFICE_HOURS
    head = read_campaign(log, merged["campaign"], plugins, overrides) if "campaign" in present else None
    units = read_units(log, merged["units"])
    groups = read_groups(log, merged["groups"], units)
    pairings = read_pairings(log, merged["pairings"])
    checks = (read_checks(log, merged["checks"], {code: cls.options for code, cls in plugins.checks().items()})
              if "checks" in present else ChecksConfig())
    supervision = read_supervision(log, merged["supervision"], units) if "supervision" in present else None

    reader = TaskReader(log, head.dates if head is not None else None, hours_per_day=office.hours)
    base: dict[str, Task] = {}
    declared: set[str] = set()
    for tid, raw in merged["tasks"].items():
        path = key_path("tasks", tid)
        if not isinstance(raw, dict):
            log.wrong_type(path, "a table (a task)", "表(任务)", raw)
            continue
        written = _EXPANDED_ID.fullmatch(tid)
        if written is None:
            log.add("invalid-id", f"'{tid}' is not a valid task id", f"'{tid}' 不是有效的任务标识", path,
                    hint=_id_hint())
            continue
        declared.add(tid)
        task = reader.read(tid, raw, path, **_origin(written))
        if task is not None:
            base[tid] = task
    instances: dict[str, list[str]] = {}
    expand_templates(log, merged["templates"], groups=groups, units=units, reader=reader, out=base,
                     declared=declared, instances=instances)
    if not _within_bound(log, base, merged["templates"], max_tasks):
        return None

    refs = References(log, units=units, groups=groups, tasks=base, declared=declared,
                      occurrences=occurrence_ids(base), instances=instances)
    refs.check_units()
    refs.check_pairings(pairings)
    if head is not None and head.issuer is not None:
        refs.unit(head.issuer, child("campaign", "issuer"))
    checked = {tid: refs.check_task(task) for tid, task in base.items()}
    if log:
        fold_instances(log, locator.templates)
        fold_references(log, units=units, groups=groups, tasks=base, declared=declared, templates=instances,
                        pairings=pairings, issuer=head.issuer if head is not None else None)
    if log or head is None or head.start is None or head.end is None or head.id is None or head.name is None:
        return None
    try:
        return Campaign(
            id=head.id, name=head.name, name_en=head.name_en, issuer=head.issuer, start=head.start, end=head.end,
            timezone=head.timezone, calendar=head.calendar_name,
            dates=head.dates.named if head.dates is not None else {},
            units=units, groups=groups, pairings=pairings, tasks=expand_repeats(checked, head.start, head.end, head.calendar),
            checks=checks, allow_self_approval=head.allow_self_approval, calendar_overrides=overrides,
            office_hours=office,
            fixed_dates=head.fixed_dates, fixed_uses=_fixed_uses(head, instances),
            supervision=supervision,
            doc=head.doc, source=source,
            locator=locator,
        )
    except (TypeError, ValueError) as exc:  # a guard: the readers should have caught it
        log.add("bad-value", f"the plan is inconsistent: {exc}", f"方案内容不一致:{exc}", "campaign")
        return None


def _within_bound(log: ProblemLog, base: dict[str, Task], templates: dict[str, Any], max_tasks: int) -> bool:
    # Counted before repeats are expanded (and before occurrence ids are made), so an
    # expansion bomb costs one pass over the tasks, not the millions it would produce.
    made: dict[str, int] = {}
    total = 0
    for task in base.values():
        n = task.repeat.times if task.repeat is not None else 1
        total += n
        origin = task.template if task.template is not None else task.id
        made[origin] = made.get(origin, 0) + n
    if total <= max_tasks:
        return True
    origin, count = max(made.items(), key=lambda item: item[1])
    where = key_path("templates", origin) if origin in templates else key_path("tasks", origin)
    log.add("too-many-tasks",
            f"the plan would expand to {total} tasks, more than the limit of {max_tasks}; '{origin}' alone makes "
            f"{count}", f"方案将展开为 {total} 项任务,超过上限 {max_tasks};其中 '{origin}' 生成 {count} 项", where,
            hint=Text("use fewer units or repetitions, or raise the limit (load_plan(max_tasks=...))",
                      "减少单位或重复次数,或提高上限(load_plan(max_tasks=...))"))
    return False


# A task id as written; `@` and `#` name a task written out already expanded
# (as `campaignflow.writer` writes them): it is read as it stands.
_EXPANDED_ID = re.compile(r"([\w][\w.\-]*)(?:@([\w][\w.\-]*))?(?:#([1-9][0-9]*))?")


def _origin(m: re.Match[str]) -> dict[str, Any]:
    origin: dict[str, Any] = {}
    if m.group(2) is not None:
        origin.update(template=m.group(1), template_unit=m.group(2))
    if m.group(3) is not None:
        origin["occurrence"] = int(m.group(3))
    return origin


def _campaign_hint() -> Any:
    from ..findings import Text

    return Text('add [campaign] with id, name, start and end', "请添加含 id、name、start、end 的 [campaign] 表")


def _id_hint() -> Any:
    from ..findings import Text

    return Text("ids use letters, digits, '_', '-' and '.'; '@' and '#' are kept for template instances and "
                "repeat occurrences", "标识由字母、数字、'_'、'-' 和 '.' 组成;'@' 和 '#' 保留给模板实例和重复任务")
