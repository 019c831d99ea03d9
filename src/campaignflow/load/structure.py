"""From parsed TOML to model values: campaign, units, groups, pairings, checks, annotations.

Every reader takes the raw table and its key path, records problems in the
``ProblemLog`` and returns what it could build (``None`` when it could not).
Tasks and approvals are read in ``tasks.py``; includes, groups, templates and
repeats are resolved in ``expand.py``.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

import attrs

from ..calendar import AllDays, Calendar, Weekdays
from ..findings import Severity, Text
from ..model import Annotation, ChecksConfig, Moment, Pairing, Unit, end_instant, start_instant
from .dates import DateResolver
from .locate import join_key
from .problems import ProblemLog

if TYPE_CHECKING:
    from ..plugins.manager import Plugins

__all__ = [
    "ID_RE",
    "SLUG_RE",
    "TOP_KEYS",
    "CampaignHead",
    "check_keys",
    "child",
    "get_str",
    "get_strs",
    "read_campaign",
    "read_checks",
    "read_doc",
    "read_pairings",
    "read_units",
]

#: Unit, group, task and template ids as written in a plan (no ``@`` or ``#``: those mark expansions).
ID_RE = re.compile(r"[\w][\w.\-]*")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")

TOP_KEYS = frozenset({"format", "campaign", "units", "groups", "pairings", "tasks", "templates", "checks",
                      "calendar", "supervision"})
CAMPAIGN_KEYS = frozenset({"id", "name", "name_en", "issuer", "start", "end", "timezone", "calendar", "include",
                           "dates", "doc", "allow_self_approval", "fixed_dates"})
UNIT_KEYS = frozenset({"name", "kind", "parent", "capacity", "name_en", "doc", "household"})
PAIRING_KEYS = frozenset({"a", "b", "kind", "doc"})
CHECKS_KEYS = frozenset({"select", "ignore", "severity", "options", "doc"})
DOC_KEYS = frozenset({"quote", "note"})
_CODE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")


def child(path: str, key: str | int) -> str:
    """The key path of ``key`` inside the table at ``path``."""
    return join_key(path, key)


# -- generic readers --------------------------------------------------------------------


def check_keys(log: ProblemLog, table: Mapping[str, Any], allowed: frozenset[str], path: str,
               file: int | None = None) -> None:
    """Report every key of ``table`` not in ``allowed``, with a suggestion."""
    for key in table.keys() - allowed:
        log.unknown_key(child(path, key), key, allowed, file=file)


def get_str(log: ProblemLog, table: Mapping[str, Any], key: str, path: str, *, required: bool = False,
            file: int | None = None) -> str | None:
    """``table[key]`` if it is a string; a problem if it is something else (or missing and required)."""
    value = table.get(key)
    if value is None:
        if required:
            log.missing_key(path, key, file=file)
        return None
    if not isinstance(value, str):
        log.wrong_type(child(path, key), "a string", "字符串", value, file=file)
        return None
    return value


def get_strs(log: ProblemLog, table: Mapping[str, Any], key: str, path: str,
             file: int | None = None) -> tuple[str, ...]:
    """A string or an array of strings, as a tuple (empty when absent or wrong)."""
    value = table.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                log.wrong_type(child(child(path, key), i), "a string", "字符串", item, file=file)
        return tuple(out)
    log.wrong_type(child(path, key), "a string or an array of strings", "字符串或字符串数组", value, file=file)
    return ()


def read_doc(log: ProblemLog, value: Any, path: str, file: int | None = None) -> Annotation | None:
    """``doc = { quote = "...", note = "..." }``."""
    if value is None:
        return None
    if not isinstance(value, dict):
        log.wrong_type(path, 'a table like { quote = "...", note = "..." }',
                       '形如 { quote = "...", note = "..." } 的表',
                       value, file=file)
        return None
    check_keys(log, value, DOC_KEYS, path, file)
    quote = get_str(log, value, "quote", path, file=file)
    note = get_str(log, value, "note", path, file=file)
    return Annotation(quote=quote, note=note)


def _bool(log: ProblemLog, table: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        log.wrong_type(child(path, key), "true or false", "true 或 false", value)
        return default
    return value


def _check_id(log: ProblemLog, ident: str, path: str, what_en: str, what_zh: str) -> bool:
    if ID_RE.fullmatch(ident):
        return True
    log.add("invalid-id", f"'{ident}' is not a valid {what_en} id", f"'{ident}' 不是有效的{what_zh}标识", path,
            hint=Text("ids use letters, digits, '_', '-' and '.', and start with a letter or digit",
                      "标识由字母、数字、'_'、'-' 和 '.' 组成,并以字母或数字开头"))
    return False


def entry_path(log: ProblemLog, section: str, ident: str, table: Any, what_en: str, what_zh: str) -> str | None:
    """The key path of ``[section.ident]`` if it is a table with a valid id; else log why and ``None``."""
    path = child(section, ident)
    if not isinstance(table, dict):
        log.wrong_type(path, f"a table (a {what_en})", f"表({what_zh})", table)
        return None
    return path if _check_id(log, ident, path, what_en, what_zh) else None


# -- campaign --------------------------------------------------------------------------


@attrs.define
class CampaignHead:
    """What ``[campaign]`` says, read and checked."""

    id: str | None = None
    name: str | None = None
    name_en: str | None = None
    issuer: str | None = None
    start: Moment | None = None
    end: Moment | None = None
    timezone: str = "Asia/Shanghai"
    calendar_name: str = "weekdays"
    calendar: Calendar | None = None
    allow_self_approval: bool = False
    doc: Annotation | None = None
    dates: DateResolver | None = None
    #: ``fixed_dates``: named dates that stay put when a scenario moves the campaign's start.
    fixed_dates: tuple[str, ...] = ()

    def window(self) -> tuple[datetime, datetime] | None:
        if self.start is None or self.end is None:
            return None
        return start_instant(self.start), end_instant(self.end)


def _fixed_dates(log: ProblemLog, raw: Mapping[str, Any], path: str, resolver: DateResolver) -> tuple[str, ...]:
    """``fixed_dates = ["poverty_day"]``: names of ``[campaign.dates]``; the resolver records their uses."""
    names = get_strs(log, raw, "fixed_dates", path)
    out: list[str] = []
    for i, name in enumerate(names):
        at = child(child(path, "fixed_dates"), i)
        if name in resolver.named:
            out.append(name)
        elif name not in resolver.failed_names:
            log.add("unknown-date", f"unknown date '{name}': fixed_dates names dates of [campaign.dates]",
                    f"未知的日期 '{name}':fixed_dates 应列出 [campaign.dates] 中的日期", at,
                    hint=log.hint_for(name, resolver.named))
    resolver.fixed = frozenset(out)
    return tuple(dict.fromkeys(out))


def _zone(log: ProblemLog, name: str, path: str) -> tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        zones = sorted(zoneinfo.available_timezones())
        log.add("unknown-timezone", f"unknown timezone '{name}'", f"未知的时区 '{name}'", path,
                hint=log.hint_for(name, zones), fixes=log.replace_fix(path, name, zones))
        return None


def _calendar(log: ProblemLog, name: str, path: str, plugins: Plugins) -> Calendar | None:
    known = plugins.calendars()
    if name not in known:
        builtin = {c.name: c for c in (AllDays, Weekdays)}
        if name in builtin:  # built-ins blocked or not registered: they still exist
            return builtin[name]()
        hint = log.hint_for(name, known) or Text(f"known calendars: {', '.join(sorted(known))}",
                                                 f"可用的日历:{', '.join(sorted(known))}")
        log.add("unknown-calendar", f"unknown calendar '{name}'", f"未知的日历 '{name}'", path, hint=hint,
                fixes=log.replace_fix(path, name, known))
        return None
    try:
        return plugins.calendar(name)
    except Exception as exc:
        log.add("calendar-failed", f"calendar '{name}' could not be created: {type(exc).__name__}: {exc}",
                f"日历 '{name}' 无法创建:{type(exc).__name__}: {exc}", path)
        return None


def read_campaign(log: ProblemLog, raw: Mapping[str, Any], plugins: Plugins,
                  overrides: Mapping[int, Any] | None = None) -> CampaignHead:
    """``[campaign]`` (includes merged): identity, window, timezone, calendar, named dates."""
    path = "campaign"
    head = CampaignHead()
    check_keys(log, raw, CAMPAIGN_KEYS, path)
    head.id = get_str(log, raw, "id", path, required=True)
    if head.id is not None and not SLUG_RE.fullmatch(head.id):
        log.add("invalid-id", f"campaign id '{head.id}' is not a slug", f"方案标识 '{head.id}' 格式不正确",
                child(path, "id"), hint=Text("use lowercase letters, digits and '-', e.g. 'anhui-2020'",
                                             "请使用小写字母、数字和 '-',例如 'anhui-2020'"))
        head.id = None
    head.name = get_str(log, raw, "name", path, required=True)
    head.name_en = get_str(log, raw, "name_en", path)
    head.issuer = get_str(log, raw, "issuer", path)
    head.allow_self_approval = _bool(log, raw, "allow_self_approval", path, False)
    head.doc = read_doc(log, raw.get("doc"), child(path, "doc"))
    tz: tzinfo | None = None
    timezone = get_str(log, raw, "timezone", path)
    if timezone is not None:
        head.timezone = timezone
    tz = _zone(log, head.timezone, child(path, "timezone"))
    calendar = get_str(log, raw, "calendar", path)
    if calendar is not None:
        head.calendar_name = calendar
    head.calendar = _calendar(log, head.calendar_name, child(path, "calendar"), plugins)
    if head.calendar is not None and overrides:
        # Working-day date arithmetic uses the years the plan declares, as everything after it does.
        from ..calendar import OverriddenCalendar

        head.calendar = OverriddenCalendar(head.calendar, overrides)

    # Literal start and end first: the working-day axis is anchored at the start.
    literal_start = raw.get("start") if isinstance(raw.get("start"), date) else None
    origin = literal_start.date() if isinstance(literal_start, datetime) else literal_start
    resolver = head.dates = DateResolver(log, tz=tz, calendar=head.calendar, origin=origin)
    # A window written as dates is known before the named dates: they may use "@campaign.end" too.
    literal_end = raw.get("end") if isinstance(raw.get("end"), date) else None
    if literal_start is not None and literal_end is not None:
        resolver.campaign_window(resolver.resolve(literal_start, ""), resolver.resolve(literal_end, ""))
    dates = raw.get("dates")
    if dates is not None:
        if isinstance(dates, dict):
            named = {k: v for k, v in dates.items() if not (k == "doc" and isinstance(v, dict))}
            for name in named:
                if not ID_RE.fullmatch(name):
                    _check_id(log, name, child(child(path, "dates"), name), "date", "日期")
            resolver.define(named, lambda n: child(child(path, "dates"), n))
        else:
            log.wrong_type(child(path, "dates"), "a table of named dates", "命名日期表", dates)
    head.fixed_dates = _fixed_dates(log, raw, path, resolver)
    for key in ("start", "end"):
        if raw.get(key) is None:
            log.missing_key(path, key)
            continue
        moment = resolver.resolve(raw[key], child(path, key))
        setattr(head, key, moment)
    resolver.campaign_window(head.start, head.end)
    window = head.window()
    if window is not None and window[0] >= window[1]:
        log.add("bad-window", f"the campaign ends ({head.end}) before it starts ({head.start})",
                f"方案的结束时间({head.end})早于开始时间({head.start})", child(path, "end"))
    return head


# -- units and pairings -----------------------------------------------------------------------


def read_units(log: ProblemLog, raw: Mapping[str, Any]) -> dict[str, Unit]:
    """``[units.ID]`` tables, in plan order. References (``parent``) are checked later."""
    units: dict[str, Unit] = {}
    for uid, table in raw.items():
        # The common case is checked inline: this loop runs once per unit of a
        # national cascade (half a million), and key paths are built only for problems.
        if type(table) is dict and table.keys() <= UNIT_KEYS:
            name = table.get("name")
            kind = table.get("kind")
            parent = table.get("parent")
            name_en = table.get("name_en")
            capacity = table.get("capacity")
            if (type(name) is str and type(kind) in _OPT_STR and type(parent) in _OPT_STR
                    and type(name_en) in _OPT_STR and (capacity is None or (type(capacity) is int and 1 <= capacity <= MAX_CAPACITY))
                    and "doc" not in table and ID_RE.fullmatch(uid) and type(table.get("household", False)) is bool):
                units[uid] = Unit(id=uid, name=name, kind=kind, parent=parent, capacity=capacity, name_en=name_en,
                                  household=table.get("household", False))
                continue
        unit = _read_unit(log, uid, table)
        if unit is not None:
            units[uid] = unit
    return units


_OPT_STR = (str, type(None))
#: Largest `capacity`: far above any office's load, and small enough for the schedulers' integer arrays.
MAX_CAPACITY = 1_000_000


def _read_unit(log: ProblemLog, uid: str, table: Any) -> Unit | None:
    path = entry_path(log, "units", uid, table, "unit", "单位")
    if path is None:
        return None
    check_keys(log, table, UNIT_KEYS, path)
    name = get_str(log, table, "name", path, required=True)
    kind = get_str(log, table, "kind", path)
    parent = get_str(log, table, "parent", path)
    name_en = get_str(log, table, "name_en", path)
    capacity = table.get("capacity")
    if capacity is not None and (type(capacity) is not int or not 1 <= capacity <= MAX_CAPACITY):
        log.wrong_type(child(path, "capacity"), f"a whole number from 1 to {MAX_CAPACITY}",
                       f"1 到 {MAX_CAPACITY} 之间的整数", capacity)
        capacity = None
    doc = read_doc(log, table.get("doc"), child(path, "doc"))
    household = table.get("household", False)
    if type(household) is not bool:
        log.wrong_type(child(path, "household"), "true or false", "true 或 false", household)
        household = False
    # A unit with a wrong key is still built (without the offending part), so that
    # references to it are not reported as unknown: the logged problem alone keeps
    # the plan from loading.
    return Unit(id=uid, name=name or "", kind=kind, parent=parent, capacity=capacity, name_en=name_en, doc=doc,
                household=household)


def read_pairings(log: ProblemLog, raw: Any) -> list[Pairing]:
    """``[[pairings]]``: support relations between units or groups (references checked later)."""
    if not isinstance(raw, list):
        log.wrong_type("pairings", "an array of tables ([[pairings]])", "表数组([[pairings]])", raw)
        return []
    out: list[Pairing] = []
    for i, table in enumerate(raw):
        path = child("pairings", i)
        if not isinstance(table, dict):
            log.wrong_type(path, "a table with a and b", "含 a 和 b 的表", table)
            continue
        check_keys(log, table, PAIRING_KEYS, path)
        a = get_str(log, table, "a", path, required=True)
        b = get_str(log, table, "b", path, required=True)
        kind = get_str(log, table, "kind", path)
        doc = read_doc(log, table.get("doc"), child(path, "doc"))
        if a is not None and a == b:
            # A unit paired with itself supports no one; it also exempts its own requests from CF401.
            log.add("self-reference", f"'{a}' is paired with itself: a pairing joins two different units or groups",
                    f"'{a}' 与自身结对:结对须是两个不同的单位或组", child(path, "b"))
        elif a is not None and b is not None:
            out.append(Pairing(a=a, b=b, kind=kind, doc=doc))
    return out


# -- checks ----------------------------------------------------------------------------------


def read_checks(log: ProblemLog, raw: Any, declared: Mapping[str, Mapping[str, Any]] | None = None) -> ChecksConfig:
    """``[checks]``: select, ignore, severity and options per check code.

    ``declared`` maps check codes to their options' defaults (``Check.options``); an option
    of one of them whose value is not of its default's type is a located problem, so
    ``exempt_pairings = "false"`` (a string, which counts as true) cannot hide a finding,
    and a key a declared check does not have is an ``unknown-key`` problem with a
    did-you-mean. Options of a code no installed check has are kept unread (a plan may
    configure a plugin's check that is not installed here).
    """
    path = "checks"
    if not isinstance(raw, dict):
        log.wrong_type(path, "a table", "表", raw)
        return ChecksConfig()
    check_keys(log, raw, CHECKS_KEYS, path)
    read_doc(log, raw.get("doc"), child(path, "doc"))
    select = get_strs(log, raw, "select", path)
    ignore = get_strs(log, raw, "ignore", path)
    for key, codes in (("select", select), ("ignore", ignore)):
        for i, code in enumerate(codes):
            if not _CODE_RE.fullmatch(code):
                log.add("bad-value", f"'{code}' is not a check code or prefix", f"'{code}' 不是检查代码或前缀",
                        child(child(path, key), i))
    severity: dict[str, Severity] = {}
    sev = raw.get("severity", {})
    if not isinstance(sev, dict):
        log.wrong_type(child(path, "severity"), "a table like { CF204 = \"error\" }", "形如 { CF204 = \"error\" } 的表",
                       sev)
        sev = {}
    for code, level in sev.items():
        try:
            severity[code] = Severity.parse(level) if isinstance(level, str) else Severity.parse("?")
        except ValueError:
            log.add("bad-value", f"expected \"error\", \"warning\" or \"info\", got {level!r}",
                    f"应为 \"error\"、\"warning\" 或 \"info\",实际为 {level!r}", child(child(path, "severity"), code))
    options: dict[str, Mapping[str, Any]] = {}
    opts = raw.get("options", {})
    if not isinstance(opts, dict):
        log.wrong_type(child(path, "options"), "a table of tables ([checks.options.CODE])",
                       "表的表([checks.options.CODE])", opts)
        opts = {}
    for code, table in opts.items():
        if not isinstance(table, dict):
            log.wrong_type(child(child(path, "options"), code), "a table of options", "选项表", table)
            continue
        known = (declared or {}).get(code)
        if known is not None:
            # A check's options are the keys of its `options`: any other key is a misspelling
            # (or an option of another check) that would be ignored without a word.
            for key in table:
                if key not in known:
                    where = (f" among the options of {code} ({', '.join(sorted(known))})", f"({code} 的选项为 "
                             f"{'、'.join(sorted(known))})") if known else (f": check {code} takes no options",
                                                                           f":检查 {code} 没有选项")
                    log.unknown_key(child(child(child(path, "options"), code), key), key, known,
                                    where_en=where[0], where_zh=where[1])
        for key, default in (known or {}).items():
            if key in table and not _same_kind(table[key], default):
                expected_en, expected_zh = _kind_names(default)
                log.wrong_type(child(child(child(path, "options"), code), key), expected_en, expected_zh, table[key])
        options[code] = table
    return ChecksConfig(select=select, ignore=ignore, severity=severity, options=options)


def _same_kind(value: Any, default: Any) -> bool:
    """Whether an option's ``value`` has the type of its ``default`` (arrays: of its items' type)."""
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, (list, tuple)):
        kinds = {type(item) for item in default} or {str}
        return isinstance(value, list) and all(type(item) in kinds for item in value)
    return True


def _kind_names(default: Any) -> tuple[str, str]:
    if isinstance(default, bool):
        return "true or false", "true 或 false"
    if isinstance(default, (int, float)):
        return "a number", "数字"
    if isinstance(default, str):
        return "a string", "字符串"
    return "an array of strings", "字符串数组"
