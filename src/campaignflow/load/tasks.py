"""Reading one task table (or a template's task table) into a ``Task``.

Each key has a converter that returns the model value or ``BAD`` after
recording a problem. Converters cache by text (a million template instances
share a handful of distinct durations, lags and date expressions), and a
template converts its placeholder-free keys once for all its instances.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from ..findings import Text
from ..model import (DEFAULT_NEAR_WIDTH, NON_WORKING_POLICIES, Approval, Dependency, Duration, Lag, Near, Repeat,
                     Submission, Task, Window, parse_days, HOURS_PER_DAY)
from .dates import DateResolver
from .problems import ProblemLog, show
from .structure import check_keys, child, get_str, read_doc

__all__ = ["BAD", "TASK_KEYS", "TaskReader"]

#: A converter's answer when the value was wrong (the problem is already recorded).
BAD: Any = object()

TASK_KEYS = frozenset({"title", "title_en", "section", "kind", "lead", "partners", "after", "start", "due", "on",
                       "duration", "repeat", "solicits", "tags", "approvals", "reports_to", "co_leads", "doc",
                       "around", "eve", "venue", "renamed_from"})
APPROVAL_KEYS = frozenset({"by", "mode", "within", "due", "kind", "doc"})
SUBMISSION_KEYS = frozenset({"to", "due", "doc"})
AFTER_KEYS = frozenset({"task", "lag", "doc"})
REPEAT_KEYS = frozenset({"every", "times", "at_least", "day", "if_not_working"})
NEAR_KEYS = frozenset({"date", "width", "doc"})
DURATION_KEYS = frozenset({"optimistic", "likely", "pessimistic"})
_STR_KEYS = ("title", "title_en", "section", "kind", "lead", "venue", "renamed_from")
_LIST_KEYS = ("partners", "solicits", "tags", "co_leads")

_DURATION_EN = 'a duration like "3d", "4h", "1w" or { optimistic, likely, pessimistic }'
_DURATION_ZH = '形如 "3d"、"4h"、"1w" 或 { optimistic, likely, pessimistic } 的工期'
_LAG_EN = 'a lag like "2d" (calendar days), "3wd" (working days) or "4h"'
_LAG_ZH = '形如 "2d"(日历天)、"3wd"(工作日)或 "4h" 的间隔'
#: Longest duration or lag, in days: beyond it no calendar date can be reached (as for "@name + Nwd").
MAX_DAYS = 10000


class TaskReader:
    """Converts task keys to model values, recording problems in ``log``."""

    def __init__(self, log: ProblemLog, dates: DateResolver | None, *, hours_per_day: float = HOURS_PER_DAY) -> None:
        self.log = log
        self.dates = dates
        #: The length of the plan's office hours: what "7h" of work makes a day of.
        self.hours_per_day = hours_per_day
        self._durations: dict[str, Duration | None] = {}
        self._lags: dict[str, Lag | None] = {}
        self._converters: dict[str, Callable[[Any, str], Any]] = {
            "after": self.after, "start": self.moment, "due": self.moment, "on": self.moment,
            "duration": self.duration, "repeat": self.repeat, "approvals": self.approvals, "doc": self.doc,
            "reports_to": self.reports_to, "around": self.around, "eve": self.eve,
            **{k: self.text for k in _STR_KEYS}, **{k: self.texts for k in _LIST_KEYS},
        }

    # -- whole tasks ---------------------------------------------------------------

    def convert(self, key: str, value: Any, path: str) -> Any:
        """The model value of task key ``key`` (``path`` is the key's own path)."""
        return self._converters[key](value, path)

    def read(self, tid: str, raw: Mapping[str, Any], path: str, **origin: Any) -> Task | None:
        """An explicit ``[tasks.ID]`` table; ``origin`` for a task written already expanded."""
        if not raw.keys() <= TASK_KEYS:
            check_keys(self.log, raw, TASK_KEYS, path)
        values = {key: self.convert(key, value, child(path, key)) for key, value in raw.items() if key in TASK_KEYS}
        return self.build(tid, values, path, **origin)

    def build(self, tid: str, values: Mapping[str, Any], path: str, **origin: Any) -> Task | None:
        """A ``Task`` from converted ``values``; ``None`` if a required key is missing or wrong."""
        title = values.get("title")
        lead = values.get("lead")
        for key, value in (("title", title), ("lead", lead)):
            if value is None:
                self.log.missing_key(path, key)
        if lead is None or lead is BAD:
            return None
        # From here on a problem is logged but the task is still built (without the
        # offending part), so that its references are checked in the same pass: the
        # logged problem alone keeps the plan from loading.
        if title is None or title is BAD:
            title = ""
        on = _ok(values.get("on"))
        start = _ok(values.get("start"))
        due = _ok(values.get("due"))
        if on is not None and (start is not None or due is not None):
            self.log.add("conflicting-keys", "`on` fixes the task's date and excludes `start` and `due`",
                         "`on` 固定了任务日期,不能与 `start`、`due` 同时使用", child(path, "on"))
            start = due = None
        if on is not None and _ok(values.get("repeat")) is not None and "occurrence" not in origin:
            self.log.add("conflicting-keys", "`on` fixes one date; a repeated task needs `start`/`due` or none",
                         "`on` 只固定一个日期,重复任务应使用 `start`/`due` 或不设日期", child(path, "on"))
            on = None
        window = Window(start=start, due=due, on=on)
        near = None
        given = [key for key in ("around", "eve") if key in values]
        if given:
            near = _ok(values[given[0]])
            clash = [key for key in ("start", "due", "on", "repeat", *given[1:]) if key in values]
            if clash:
                self.log.add("conflicting-keys",
                             f"`{given[0]}` gives the task's window and excludes {', '.join(f'`{k}`' for k in clash)}",
                             f"`{given[0]}` 已给出任务的时间窗口,不能与 {'、'.join(f'`{k}`' for k in clash)} 同时使用",
                             child(path, given[0]))
                near = None
            elif near is not None and "occurrence" not in origin:
                window = near.window()
        kwargs = {key: value for key, value in values.items()
                  if key not in ("start", "due", "on", "title", "lead", "around", "eve")
                  and value is not BAD and value is not None}
        try:
            return Task(id=tid, title=title, lead=lead, window=window, near=near, **kwargs, **origin)
        except (TypeError, ValueError) as exc:  # a guard: converters should have caught it
            self.log.add("bad-value", f"invalid task: {exc}", f"无效的任务:{exc}", path)
            return None

    # -- converters ------------------------------------------------------------------

    def text(self, value: Any, path: str) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, list) and path.endswith(".lead"):
            # Documents name 牵头单位 in twos; the format has one accountable lead and `co_leads`.
            rest = show(value[1:]) if len(value) > 1 else "[...]"
            self.log.add("wrong-type", f"a task has one accountable lead unit, got {len(value)}: {show(value)}",
                         f"一项任务只有一个主责牵头单位,此处有 {len(value)} 个:{show(value)}", path,
                         hint=Text(f'write lead = {show(value[0]) if value else "ID"} and co_leads = {rest} '
                                   "(further 牵头单位); co-operating units go in `partners`",
                                   f'请写 lead = {show(value[0]) if value else "ID"},co_leads = {rest}(其他牵头单位);'
                                   "配合单位放入 `partners`"))
            return BAD
        self.log.wrong_type(path, "a string", "字符串", value)
        return BAD

    def texts(self, value: Any, path: str) -> Any:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    self.log.wrong_type(child(path, i), "a string", "字符串", item)
        else:
            self.log.wrong_type(path, "a string or an array of strings", "字符串或字符串数组", value)
        return BAD

    def moment(self, value: Any, path: str) -> Any:
        if self.dates is None:
            return BAD  # the campaign itself is broken; that is reported already
        result = self.dates.resolve(value, path)
        return BAD if result is None else result

    def doc(self, value: Any, path: str) -> Any:
        return read_doc(self.log, value, path)

    def duration(self, value: Any, path: str) -> Any:
        if isinstance(value, str):
            if value not in self._durations:
                try:
                    self._durations[value] = Duration.parse(value, hours_per_day=self.hours_per_day)
                except ValueError:
                    self._durations[value] = None
            parsed = self._durations[value]
            if parsed is None:
                self.log.wrong_type(path, _DURATION_EN, _DURATION_ZH, value)
                return BAD
            if parsed.likely > MAX_DAYS:
                self._too_long(value, path)
                return BAD
            return parsed
        if isinstance(value, dict):
            check_keys(self.log, value, DURATION_KEYS, path)
            days: dict[str, float] = {}
            for key in ("optimistic", "likely", "pessimistic"):
                if key not in value:
                    continue
                part = value[key]
                try:
                    if not isinstance(part, str):
                        raise ValueError(part)
                    days[key] = parse_days(part, hours_per_day=self.hours_per_day)
                except ValueError:
                    self.log.wrong_type(child(path, key), 'a duration like "3d" or "4h"', '形如 "3d" 或 "4h" 的工期',
                                        part)
                    return BAD
                if days[key] > MAX_DAYS:
                    self._too_long(part, child(path, key))
                    return BAD
            if "likely" not in days:
                self.log.missing_key(path, "likely")
                return BAD
            try:
                return Duration(**days)
            except ValueError:
                self.log.add("bad-value", "expected optimistic <= likely <= pessimistic",
                             "应满足 optimistic <= likely <= pessimistic", path)
                return BAD
        self.log.wrong_type(path, _DURATION_EN, _DURATION_ZH, value)
        return BAD

    def lag(self, value: Any, path: str) -> Lag | None:
        if isinstance(value, str):
            if value not in self._lags:
                try:
                    self._lags[value] = Lag.parse(value, hours_per_day=self.hours_per_day)
                except ValueError:
                    self._lags[value] = None
            parsed = self._lags[value]
            if parsed is not None and abs(parsed.days) > MAX_DAYS:
                self._too_long(value, path)
                return None
            if parsed is not None:
                return parsed
        self.log.wrong_type(path, _LAG_EN, _LAG_ZH, value)
        return None

    def _too_long(self, text: str, path: str) -> None:
        self.log.add("bad-value", f"{show(text)} is out of range: at most {MAX_DAYS} days",
                     f"{show(text)} 超出范围:最多 {MAX_DAYS} 天", path)

    def after(self, value: Any, path: str) -> Any:
        items = [value] if isinstance(value, (str, dict)) else value
        if not isinstance(items, list):
            self.log.wrong_type(path, 'an array of task ids or { task = "...", lag = "2d" }',
                                '任务标识或 { task = "...", lag = "2d" } 的数组', value)
            return BAD
        # Entries that are fine are kept even when others are wrong, so that
        # their references are checked too (the plan fails either way).
        deps: list[Dependency] = []
        for i, item in enumerate(items):
            at = child(path, i) if items is value else path
            if isinstance(item, str):
                deps.append(Dependency(task=item))
            elif isinstance(item, dict):
                check_keys(self.log, item, AFTER_KEYS, at)
                task = get_str(self.log, item, "task", at, required=True)
                lag = self.lag(item["lag"], child(at, "lag")) if "lag" in item else Lag()
                read_doc(self.log, item.get("doc"), child(at, "doc"))
                if task is None or lag is None:
                    continue
                deps.append(Dependency(task=task, lag=lag))
            else:
                self.log.wrong_type(at, 'a task id or { task = "...", lag = "2d" }',
                                    '任务标识或 { task = "...", lag = "2d" }',
                                    item)
        return tuple(deps)

    def repeat(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            self.log.wrong_type(path, 'a table like { every = "month", times = 3 }',
                                '形如 { every = "month", times = 3 } 的表',
                                value)
            return BAD
        check_keys(self.log, value, REPEAT_KEYS, path)
        every = value.get("every")
        at_least = value.get("at_least")
        # 全年至少4次: without `times`, the document's minimum is what is planned.
        times = value.get("times", at_least)
        ok = True
        if every is None or times is None:
            for key in ("every", "times"):
                if key not in value and not (key == "times" and at_least is not None):
                    self.log.missing_key(path, key)
            ok = False
        if every is not None and every not in ("week", "month", "quarter"):
            self.log.add("bad-value", f'expected "week", "month" or "quarter", got {show(every)}',
                         f'应为 "week"、"month" 或 "quarter",实际为 {show(every)}', child(path, "every"),
                         hint=self.log.hint_for(str(every), ("week", "month", "quarter")),
                         fixes=self.log.replace_fix(child(path, "every"), every, ("week", "month", "quarter"))
                         if isinstance(every, str) else ())
            ok = False
        for key, number in (("times", value.get("times")), ("at_least", at_least)):
            if number is not None and (type(number) is not int or not 1 <= number <= 1000):
                self.log.wrong_type(child(path, key), "a whole number from 1 to 1000", "1 到 1000 之间的整数", number)
                ok = False
        if ok and at_least is not None and type(times) is int and type(at_least) is int and times < at_least:
            self.log.add("bad-value", f"`times` ({times}) is fewer than `at_least` ({at_least})",
                         f"`times`({times})少于 `at_least`({at_least})", child(path, "times"))
            ok = False
        day = value.get("day")
        if day is not None and not (day == "end" or (type(day) is int and 1 <= day <= 92)):
            self.log.add("bad-value", f'expected "end" or a day of the period from 1 to 92, got {show(day)}',
                         f'应为 "end" 或周期内第 1 至 92 天,实际为 {show(day)}', child(path, "day"),
                         hint=self.log.hint_for(str(day), ("end",)) if isinstance(day, str) else None)
            ok = False
        policy = value.get("if_not_working", "previous")
        if policy not in NON_WORKING_POLICIES:
            self.log.add("bad-value", f'expected "previous", "next" or "keep", got {show(policy)}',
                         f'应为 "previous"、"next" 或 "keep",实际为 {show(policy)}', child(path, "if_not_working"),
                         hint=self.log.hint_for(str(policy), NON_WORKING_POLICIES))
            ok = False
        elif "if_not_working" in value and day is None:
            self.log.add("conflicting-keys", "`if_not_working` applies to a ledger: give `day` too",
                         "`if_not_working` 仅用于台账式重复:请同时给出 `day`", child(path, "if_not_working"))
            ok = False
        if not ok:
            return BAD
        return Repeat(every=every, times=times, at_least=at_least, day=day,  # type: ignore[arg-type]
                      if_not_working=policy)

    def around(self, value: Any, path: str) -> Any:
        """``around`` (前后): a date, or ``{ date, width, doc }``."""
        return self._near(value, path, "around")

    def eve(self, value: Any, path: str) -> Any:
        """``eve`` (前夕): a date, or ``{ date, width, doc }``; the days strictly before it."""
        return self._near(value, path, "eve")

    def _near(self, value: Any, path: str, relation: str) -> Any:
        width: Any = DEFAULT_NEAR_WIDTH
        at = path
        if isinstance(value, dict):
            check_keys(self.log, value, NEAR_KEYS, path)
            read_doc(self.log, value.get("doc"), child(path, "doc"))
            if "date" not in value:
                self.log.missing_key(path, "date")
                return BAD
            at = child(path, "date")
            if "width" in value:
                width = _width(value["width"])
                least = 1 if relation == "eve" else 0
                if width is None or not least <= width <= 31:
                    self.log.wrong_type(child(path, "width"), f'calendar days like "3d", from {least}d to 31d',
                                        f'形如 "3d" 的日历天数,{least}d 至 31d', value["width"])
                    return BAD
            value = value["date"]
        moment = self.moment(value, at)
        if moment is BAD:
            return BAD
        day = moment.date() if isinstance(moment, datetime) else moment
        assert isinstance(day, date)
        return Near(day=day, relation=relation, width=width)  # type: ignore[arg-type]

    def _entries(self, value: Any, path: str, single: tuple[type, ...], read: Callable[[Any, str], Any],
                 expected_en: str, expected_zh: str) -> Any:
        """One entry (of a ``single`` type) or an array of them, each read by ``read``.

        Every wrong entry is reported; the result is ``BAD`` if any was.
        """
        items = [value] if isinstance(value, single) else value
        if not isinstance(items, list):
            self.log.wrong_type(path, expected_en, expected_zh, value)
            return BAD
        out = []
        ok = True
        for i, item in enumerate(items):
            got = read(item, child(path, i) if items is value else path)
            if got is None:
                ok = False
            else:
                out.append(got)
        return tuple(out) if ok else BAD

    def approvals(self, value: Any, path: str) -> Any:
        return self._entries(value, path, (dict,), self._approval, 'an array of approval steps like { by = "unit" }',
                             '形如 { by = "单位" } 的审批步骤数组')

    def _approval(self, item: Any, path: str) -> Approval | None:
        log = self.log
        if not isinstance(item, dict):
            log.wrong_type(path, 'an approval step like { by = "unit" }', '形如 { by = "单位" } 的审批步骤', item)
            return None
        check_keys(log, item, APPROVAL_KEYS, path)
        by = item.get("by")
        if by is None:
            log.missing_key(path, "by")
            return None
        by_units = self.texts(by, child(path, "by"))
        if by_units is BAD:
            return None
        if not by_units:
            log.add("bad-value", "`by` names no unit", "`by` 未指定任何单位", child(path, "by"))
            return None
        mode = item.get("mode", "all")
        if mode not in ("all", "any"):
            log.add("bad-value", f'expected "all" or "any", got {show(mode)}',
                    f'应为 "all" 或 "any",实际为 {show(mode)}',
                    child(path, "mode"))
            return None
        within = self.duration(item["within"], child(path, "within")) if "within" in item else None
        due = self.moment(item["due"], child(path, "due")) if "due" in item else None
        kind = get_str(log, item, "kind", path) or "approve"
        doc = read_doc(log, item.get("doc"), child(path, "doc"))
        if within is BAD or due is BAD or ("kind" in item and not isinstance(item["kind"], str)):
            return None
        return Approval(by=by_units, mode=mode, within=within, due=due, kind=kind, doc=doc)

    def reports_to(self, value: Any, path: str) -> Any:
        """``reports_to``: a unit id, ``{ to, due, doc }``, or an array of either (one submission each)."""
        return self._entries(value, path, (str, dict), self._submission,
                             'a unit id, { to = "unit", due = ... } or an array of them',
                             '单位标识、{ to = "单位", due = ... } 或其数组')

    def _submission(self, item: Any, path: str) -> Submission | None:
        log = self.log
        if isinstance(item, str):
            return Submission(to=(item,))
        if not isinstance(item, dict):
            log.wrong_type(path, 'a unit id or { to = "unit" }', '单位标识或 { to = "单位" }', item)
            return None
        check_keys(log, item, SUBMISSION_KEYS, path)
        if "to" not in item:
            log.missing_key(path, "to")
            return None
        to = self.texts(item["to"], child(path, "to"))
        if to is BAD:
            return None
        if not to:
            log.add("bad-value", "`to` names no unit", "`to` 未指定任何单位", child(path, "to"))
            return None
        due = self.moment(item["due"], child(path, "due")) if "due" in item else None
        doc = read_doc(log, item.get("doc"), child(path, "doc"))
        if due is BAD:
            return None
        return Submission(to=to, due=due, doc=doc)


def _width(value: Any) -> int | None:
    """``"3d"`` / ``"3天"`` -> 3; ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    for unit in ("d", "天", "日"):
        if text.endswith(unit) and text[: -len(unit)].strip().isdigit():
            return int(text[: -len(unit)])
    return None


def _ok(value: Any) -> Any:
    return None if value is BAD else value

