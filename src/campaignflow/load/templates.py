"""Templates: ``[templates.X] for_each = "group"`` gives one task ``X@U`` per unit of the group.

A template is compiled once: keys without placeholders are converted once and
shared by every instance (the same ``Window``, ``Duration`` and ``Approval``
objects); keys with placeholders get a producer that fills them per unit
with a prepared format string. Strings, lists of unit ids and dependencies
are filled directly; anything else (a date with ``{unit}`` in it, say) is
substituted and converted like a plain task key, cached by its filled text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..model import Dependency, Group, Lag, Task, Unit, Window
from .locate import key_path
from .problems import ProblemLog
from .structure import check_keys, child, entry_path, get_str, read_doc
from .tasks import BAD, TASK_KEYS, TaskReader

__all__ = ["PLACEHOLDERS", "TEMPLATE_KEYS", "expand_templates"]

TEMPLATE_KEYS = frozenset({"for_each", "task", "repeat", "doc"})
#: The placeholders a template may use, and the unit attribute each one stands for.
PLACEHOLDERS = {"{unit}": "id", "{unit.name}": "name", "{unit.parent}": "parent", "{unit.kind}": "kind"}
_PLACEHOLDER = re.compile(r"\{unit(?:\.([^{}]*))?\}")
_ATTRS = frozenset({"", "name", "parent", "kind"})
_STRING_KEYS = frozenset({"title", "title_en", "section", "kind", "lead"})
_LIST_KEYS = frozenset({"partners", "solicits", "tags", "co_leads"})
_WINDOW_KEYS = ("start", "due", "on")
_CACHE_LIMIT = 50_000

#: fill (unit attributes), key path of the instance's key (or ``(task id, key)`` to build it
#: from, when needed) -> the converted value, or BAD.
Producer = Callable[[Mapping[str, str], Any], Any]


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return "{unit" in value
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    return False


def _strings(value: Any) -> list[str]:
    """Every string in ``value``, depth first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def _format(text: str) -> str:
    """``"{unit.name}仪式"`` -> ``"{name}仪式"`` for ``str.format_map``; other braces stay literal."""
    out: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        out.append(text[pos:m.start()].replace("{", "{{").replace("}", "}}"))
        out.append("{" + (m.group(1) or "id") + "}")
        pos = m.end()
    out.append(text[pos:].replace("{", "{{").replace("}", "}}"))
    return "".join(out)


def _subst(value: Any, fill: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _format(value).format_map(fill) if "{unit" in value else value
    if isinstance(value, list):
        return [_subst(v, fill) for v in value]
    if isinstance(value, dict):
        return {k: _subst(v, fill) for k, v in value.items()}
    return value


_TASK_ATTRS = {a.name: a for a in attrs.fields(Task)}
#: Slot descriptors of ``Task``: setting through them skips the frozen ``__setattr__``.
_TASK_SLOTS = tuple((name, Task.__dict__[name].__set__) for name in _TASK_ATTRS)


class _FastTasks:
    """Builds a template's instances without running ``Task.__init__`` for each.

    A prototype ``Task`` is built once with the template's constants, through
    the normal constructor (so they are converted and validated once); each
    instance copies it and sets only what varies (id, unit and the filled
    keys), each varying value through its field's own converter and validator.
    The result is equal, field by field, to ``Task(**kwargs)`` (tests/load/
    test_template_speed.py checks it against the plain constructor): this is
    the half a million villages' hot path, where ``__init__`` cost a third.
    """

    def __init__(self, template_id: str, window: Window, kwargs: Mapping[str, Any], varying: frozenset[str]) -> None:
        base = {k: v for k, v in kwargs.items() if k not in varying}
        # Placeholders for required keys that vary: replaced in every instance.
        base.setdefault("title", "")
        base.setdefault("lead", "")
        proto = Task(id=template_id, window=window, template=template_id, template_unit=None, **base)
        self.values = {name: getattr(proto, name) for name in _TASK_ATTRS}
        self.checks = {}
        for name in (*varying, "id", "template_unit"):
            a = _TASK_ATTRS.get(name)
            if a is not None:
                self.checks[name] = (a.converter, a.validator)

    def build(self, values: dict[str, Any]) -> Task:
        """The task with the prototype's values, overridden by ``values`` (converted and validated)."""
        out = self.values.copy()
        checks = self.checks
        for name, value in values.items():
            converter, validator = checks[name]
            if converter is not None:
                value = converter(value)
            if validator is not None:
                validator(None, _TASK_ATTRS[name], value)
            out[name] = value
        task = Task.__new__(Task)
        for name, setter in _TASK_SLOTS:
            setter(task, out[name])
        return task


@attrs.define
class _Template:
    id: str
    path: str
    constants: dict[str, Any]
    #: key -> (producer, whether it needs the key path: only converters that may report do)
    producers: dict[str, tuple[Producer, bool]]
    window: Window | None
    uses: frozenset[str]
    #: The constants as ``Task`` arguments (no window keys, nothing missing).
    kwargs: dict[str, Any] = attrs.field(factory=dict)
    #: The instance builder, made on first use (only templates with a constant window have one).
    fast: _FastTasks | None = None


def expand_templates(log: ProblemLog, raw: Mapping[str, Any], *, groups: Mapping[str, Group],
                     units: Mapping[str, Unit], reader: TaskReader, out: dict[str, Task],
                     declared: set[str], instances: dict[str, list[str]]) -> None:
    """Add every template's instances to ``out`` (``X@U``); ``instances[X]`` lists their ids."""
    for tid, table in raw.items():
        path = entry_path(log, "templates", tid, table, "template", "模板")
        if path is None:
            continue
        check_keys(log, table, TEMPLATE_KEYS, path)
        read_doc(log, table.get("doc"), child(path, "doc"))
        members = _members(log, table, path, groups, units)
        ids = instances[tid] = [f"{tid}@{uid}" for uid in members or ()]
        declared.update(ids)
        task = table.get("task")
        if task is None:
            log.missing_key(path, "task")
            continue
        if not isinstance(task, dict):
            log.wrong_type(child(path, "task"), "a table ([templates.X.task])", "表([templates.X.task])", task)
            continue
        compiled = _compile(log, tid, table, task, child(path, "task"), reader)
        if compiled is None or members is None:
            continue
        for uid, iid in zip(members, ids, strict=True):
            if iid in out:
                log.add("duplicate-key", f"task '{iid}' is written in [tasks] and made by template '{tid}'",
                        f"任务 '{iid}' 既写在 [tasks] 中,又由模板 '{tid}' 生成", key_path("tasks", iid))
                continue
            built = _instance(log, compiled, units[uid], iid, reader)
            if built is not None:
                out[iid] = built


def _members(log: ProblemLog, table: Mapping[str, Any], path: str, groups: Mapping[str, Group],
             units: Mapping[str, Unit]) -> tuple[str, ...] | None:
    gid = get_str(log, table, "for_each", path, required=True)
    if gid is None:
        return None
    if gid in groups:
        return groups[gid].units
    if gid in units:
        log.add("bad-reference", f"`for_each` must name a group; '{gid}' is a unit",
                f"`for_each` 应为分组;'{gid}' 是单位", child(path, "for_each"))
    else:
        log.unknown_ref(child(path, "for_each"), "group", "分组", gid, groups)
    return None


def _compile(log: ProblemLog, tid: str, table: Mapping[str, Any], task: Mapping[str, Any], path: str,
             reader: TaskReader) -> _Template | None:
    check_keys(log, task, TASK_KEYS, path)
    ok = True
    for key in ("title", "lead"):
        if key not in task:
            log.missing_key(path, key)
            ok = False
    entries = [(k, v, child(path, k)) for k, v in task.items() if k in TASK_KEYS]
    if "repeat" in table:
        if "repeat" in task:
            log.add("conflicting-keys", "`repeat` is given both for the template and for its task",
                    "模板和其任务同时给出了 `repeat`", child(path, "repeat"))
            ok = False
        entries.append(("repeat", table["repeat"], child(child("templates", tid), "repeat")))
    constants: dict[str, Any] = {}
    producers: dict[str, tuple[Producer, bool]] = {}
    used: set[str] = set()
    for key, value, at in entries:
        if not _has_placeholder(value):
            constants[key] = reader.convert(key, value, at)
            ok = ok and constants[key] is not BAD
            continue
        found = {m.group(1) or "" for s in _strings(value) for m in _PLACEHOLDER.finditer(s)}
        bad = sorted(found - _ATTRS)
        if bad:
            log.add("unknown-placeholder", f"unknown placeholder '{{unit.{bad[0]}}}'",
                    f"未知的占位符 '{{unit.{bad[0]}}}'", at,
                    hint=log.hint_for(f"{{unit.{bad[0]}}}", list(PLACEHOLDERS)))
            ok = False
            continue
        used |= found
        producers[key] = _producer(key, value, reader)
    window = None
    # A window given as 前后 / 前夕 (`around`, `eve`) is built per instance by the task reader.
    if not any(k in producers for k in _WINDOW_KEYS) and not task.keys() & {"around", "eve"}:
        start, due, on = (None if constants.get(k) is BAD else constants.get(k) for k in _WINDOW_KEYS)
        if on is not None and (start is not None or due is not None):
            log.add("conflicting-keys", "`on` fixes the task's date and excludes `start` and `due`",
                    "`on` 固定了任务日期,不能与 `start`、`due` 同时使用", child(path, "on"))
            return None
        if on is not None and constants.get("repeat") not in (None, BAD):
            log.add("conflicting-keys", "`on` fixes one date; a repeated task needs `start`/`due` or none",
                    "`on` 只固定一个日期,重复任务应使用 `start`/`due` 或不设日期", child(path, "on"))
            return None
        window = Window(start=start, due=due, on=on)
    if not ok:
        return None
    kwargs = {k: v for k, v in constants.items() if k not in _WINDOW_KEYS and v is not None}
    return _Template(tid, path, constants, producers, window, frozenset(used), kwargs)


def _producer(key: str, value: Any, reader: TaskReader) -> tuple[Producer, bool]:
    if key in _STRING_KEYS and isinstance(value, str):
        fmt = _format(value)
        return (lambda fill, _at: fmt.format_map(fill)), False
    if key in _LIST_KEYS and isinstance(value, list) and all(isinstance(v, str) for v in value):
        fmts = [_format(v) for v in value]
        return (lambda fill, _at: tuple(f.format_map(fill) for f in fmts)), False
    if key == "after":
        fast = _after_producer(value, reader.hours_per_day)
        if fast is not None:
            return fast, False
    return _generic_producer(key, value, reader), True


def _after_producer(value: Any, hours_per_day: float) -> Producer | None:
    """Dependencies whose only placeholders are in task ids, with valid constant lags."""
    items = [value] if isinstance(value, (str, dict)) else value
    if not isinstance(items, list):
        return None
    parts: list[tuple[str, Lag]] = []
    for item in items:
        if isinstance(item, str):
            parts.append((_format(item), Lag()))
            continue
        if not (isinstance(item, dict) and item.keys() <= {"task", "lag"} and isinstance(item.get("task"), str)):
            return None
        lag_text = item.get("lag", "0d")
        if not isinstance(lag_text, str) or "{" in lag_text:
            return None
        try:
            lag = Lag.parse(lag_text, hours_per_day=hours_per_day)
        except ValueError:
            return None
        parts.append((_format(item["task"]), lag))
    return lambda fill, _at: tuple(_dependency(f.format_map(fill), lag) for f, lag in parts)


_DEP_TASK = Dependency.__dict__["task"].__set__
_DEP_LAG = Dependency.__dict__["lag"].__set__


def _dependency(task: str, lag: Lag) -> Dependency:
    """``Dependency(task=task, lag=lag)`` for a filled-in id (always a ``str``) and a checked lag.

    Skips ``__init__``'s validator, which a ``str`` always passes: one
    dependency per village is made here.
    """
    dep = Dependency.__new__(Dependency)
    _DEP_TASK(dep, task)
    _DEP_LAG(dep, lag)
    return dep


def _generic_producer(key: str, value: Any, reader: TaskReader) -> Producer:
    fmts = [_format(s) for s in _strings(value) if "{unit" in s]
    cache: dict[tuple[str, ...], Any] = {}

    def produce(fill: Mapping[str, str], at: str | tuple[str, str]) -> Any:
        filled = tuple(f.format_map(fill) for f in fmts)
        hit = cache.get(filled)
        if hit is None:
            if not isinstance(at, str):  # (task id, key): the key path is built only when converting
                at = f"{key_path('tasks', at[0])}.{at[1]}"
            hit = reader.convert(key, _subst(value, fill), at)
            if hit is BAD:
                return BAD  # not cached: each instance reports (the reports are folded)
            if len(cache) < _CACHE_LIMIT:
                cache[filled] = hit
        return hit

    return produce


def _instance(log: ProblemLog, template: _Template, unit: Unit, iid: str, reader: TaskReader) -> Task | None:
    # Runs once per member of the group: half a million times for villages.
    parent, kind = unit.parent, unit.kind
    if (parent is None and "parent" in template.uses) or (kind is None and "kind" in template.uses):
        attr = "parent" if parent is None and "parent" in template.uses else "kind"
        log.add("missing-placeholder-value", f"unit '{unit.id}' has no {attr} for {{unit.{attr}}}",
                f"单位 '{unit.id}' 没有 {attr},无法填充 {{unit.{attr}}}", key_path("tasks", iid))
        return None
    fill = {"id": unit.id, "name": unit.name, "parent": parent or "", "kind": kind or ""}
    if template.window is None:
        values = dict(template.constants)
        path = key_path("tasks", iid)
        for key, (produce, _) in template.producers.items():
            values[key] = produce(fill, f"{path}.{key}")
        return reader.build(iid, values, path, template=template.id, template_unit=unit.id)
    fast = template.fast
    if fast is None:
        fast = template.fast = _FastTasks(template.id, template.window, template.kwargs,
                                          frozenset(template.producers))
    values: dict[str, Any] = {"id": iid, "template_unit": unit.id}
    for key, (produce, needs_path) in template.producers.items():
        # Converters that may report get (id, key), and build the key path only then.
        value = produce(fill, (iid, key) if needs_path else "")
        if value is BAD:
            return None
        values[key] = value
    return fast.build(values)
