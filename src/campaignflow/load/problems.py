"""Collecting load problems: messages in English and Chinese, suggestions, locations.

Problems are gathered with their key path only; lines and columns are
looked up once, at the end, and only when there is something to report.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime, time
from typing import Any

import attrs

from ..errors import PlanError, Problem
from ..findings import Applicability, Edit, Fix, Location, Text

__all__ = ["Candidates", "Pending", "ProblemLog", "did_you_mean", "show", "suggest", "type_name"]

_TYPE_NAMES: tuple[tuple[type, str, str], ...] = (
    (bool, "boolean", "布尔值"),
    (int, "integer", "整数"),
    (float, "float", "浮点数"),
    (str, "string", "字符串"),
    (list, "array", "数组"),
    (dict, "table", "表"),
    (datetime, "datetime", "日期时间"),
    (date, "date", "日期"),
    (time, "time", "时间"),
)


def type_name(value: Any, lang: str = "en") -> str:
    """The TOML name of ``value``'s type (``integer``, ``table`` ...)."""
    for cls, en, zh in _TYPE_NAMES:
        if isinstance(value, cls):
            return zh if lang == "zh" else en
    return type(value).__name__


def show(value: Any, limit: int = 40) -> str:
    """A short TOML-like rendering of ``value`` for a message."""
    if isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, dict)):
        text = "[...]" if isinstance(value, list) else "{...}"
        if len(repr(value)) <= limit:
            text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: How alike (difflib's ratio) a name must be to a mistyped one to be suggested.
SIMILARITY_CUTOFF = 0.7


class Candidates:
    """Names to suggest from; large sets are narrowed by length before difflib runs."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = names if isinstance(names, (list, tuple, dict, set, frozenset)) else list(names)
        self._by_len: dict[int, list[str]] | None = None

    def near(self, word: str) -> Collection[str]:
        if len(self._names) <= 2000:
            return list(self._names)
        if self._by_len is None:
            self._by_len = {}
            for name in self._names:
                self._by_len.setdefault(len(name), []).append(name)
        out: list[str] = []
        for n in range(max(0, len(word) - 2), len(word) + 3):
            out.extend(self._by_len.get(n, ()))
        if len(out) > 2000:
            # Still too many for difflib: keep those sharing the first or last characters.
            out = [c for c in out if c[:2] == word[:2] or c[-2:] == word[-2:]][:2000]
        return out


def suggest(word: str, names: Iterable[str] | Candidates) -> str | None:
    """The closest name to ``word``, if any is close enough."""
    pool = names if isinstance(names, Candidates) else Candidates(names)
    # 0.7, not difflib's 0.6: at 0.6 a venue key `location` was offered `section`, a
    # key of another meaning that merely shares letters; real typos score higher
    # (`titel`/`title` 0.8, `parnters`/`partners` 0.88).
    matches = difflib.get_close_matches(word, pool.near(word), n=1, cutoff=SIMILARITY_CUTOFF)
    return matches[0] if matches else None


def did_you_mean(word: str, names: Iterable[str] | Candidates) -> Text | None:
    """``did you mean 'x'?`` in both languages, or ``None``."""
    best = suggest(word, names)
    if best is None:
        return None
    return Text(f"did you mean '{best}'?", f"是否应为 '{best}'?")


@attrs.define
class Pending:
    """A problem before it is located: a key path, and the file when it is known."""

    code: str
    message: Text
    key_path: str
    hint: Text | None = None
    #: Index of the file (``None``: let the plan's locator decide).
    file: int | None = None
    #: Fixes, their edits not yet given a file (it is known once the problem is located).
    fixes: tuple[Fix, ...] = ()
    #: The key a missing-key problem misses (to fold it into the misspelling that caused it).
    subject: str | None = None
    #: Key paths of further locations of the same problem.
    related: tuple[str, ...] = ()
    #: The unknown name an unknown-reference problem is about (to fold several references to it into one).
    ref: str | None = None


class ProblemLog:
    """Every problem found while loading, located at the end."""

    #: Above this many problems, no more suggestions are computed (each one scans names).
    SUGGESTION_BUDGET = 500

    def __init__(self) -> None:
        self.pending: list[Pending] = []
        self.ready: list[Problem] = []
        self._suggestions = 0

    def __bool__(self) -> bool:
        return bool(self.pending or self.ready)

    def __len__(self) -> int:
        return len(self.pending) + len(self.ready)

    def add(self, code: str, en: str, zh: str, key_path: str, *, hint: Text | None = None,
            file: int | None = None, fixes: tuple[Fix, ...] = ()) -> None:
        """Record a problem at ``key_path``; ``fixes`` are offered to ``validate --fix``."""
        self.pending.append(Pending(code, Text(en, zh), key_path, hint, file, fixes))

    def add_problem(self, problem: Problem) -> None:
        """Record a problem that is already located (a file that cannot be read)."""
        self.ready.append(problem)

    def hint_for(self, word: str, names: Iterable[str] | Candidates) -> Text | None:
        """A did-you-mean hint, while the suggestion budget lasts."""
        if self._suggestions >= self.SUGGESTION_BUDGET:
            return None
        self._suggestions += 1
        return did_you_mean(word, names)

    def replace_fix(self, key_path: str, word: str, names: Iterable[str] | Candidates) -> tuple[Fix, ...]:
        """The fix that replaces the misspelt value ``word`` at ``key_path`` by its closest name, if any."""
        return _fix("replace", key_path, word, names)

    # -- common messages ----------------------------------------------------------

    def wrong_type(self, key_path: str, expected_en: str, expected_zh: str, value: Any,
                   file: int | None = None, hint: Text | None = None) -> None:
        self.add("wrong-type",
                 f"expected {expected_en}, got {show(value)} ({type_name(value)})",
                 f"应为{' ' if expected_zh[:1].isascii() else ''}{expected_zh},实际为 {show(value)}"
                 f"({type_name(value, 'zh')})",
                 key_path, file=file, hint=hint)

    def unknown_key(self, key_path: str, key: str, allowed: Iterable[str], file: int | None = None,
                    where_en: str = "", where_zh: str = "") -> None:
        hint = self.hint_for(key, allowed)
        fixes = _fix("rename", key_path, key, allowed) if hint is not None else ()
        self.add("unknown-key", f"unknown key '{key}'{where_en}", f"未知的键 '{key}'{where_zh}", key_path,
                 hint=hint, file=file, fixes=fixes)

    def missing_key(self, key_path: str, key: str, file: int | None = None) -> None:
        self.add("missing-key", f"missing required key '{key}'", f"缺少必填的键 '{key}'", key_path, file=file)
        self.pending[-1].subject = key

    def unknown_ref(self, key_path: str, what_en: str, what_zh: str, ref: str,
                    names: Iterable[str] | Candidates, *, hint: Text | None = None) -> None:
        suggested = hint is None and (hint := self.hint_for(ref, names)) is not None
        fixes = _fix("replace", key_path, ref, names) if suggested else ()
        self.add(f"unknown-{what_en.replace(' ', '-')}", f"unknown {what_en} '{ref}'", f"未知的{what_zh} '{ref}'",
                 key_path, hint=hint, fixes=fixes)
        self.pending[-1].ref = ref

    # -- the end ------------------------------------------------------------------

    def error(self, locate: Callable[[str, int | None], Location], order: Callable[[str | None], int]) -> PlanError:
        """One ``PlanError`` with every problem located and sorted by file, line and column."""
        problems = list(self.ready)
        for p in fold_consequences(self.pending):
            location = locate(p.key_path, p.file)
            # A folded problem's edits are at its other locations (each reference), maybe in other files.
            fixes = tuple(attrs.evolve(f, edits=[attrs.evolve(e, file=location.file if e.key_path == p.key_path
                                                              else locate(e.key_path, None).file)
                                                 for e in f.edits]) for f in p.fixes)
            problems.append(Problem(code=p.code, message=p.message, location=location, hint=p.hint, fixes=fixes,
                                    related=tuple(locate(k, p.file) for k in p.related)))
        problems.sort(key=lambda p: (order(p.location.file), p.location.line or 0, p.location.column or 0,
                                     p.location.key_path))
        return PlanError(problems)


def fold_consequences(pending: list[Pending]) -> list[Pending]:
    """One problem, one message: a misspelt required key is reported once, not also as missing.

    ``laed = "u"`` in a task is an unknown key whose closest name is ``lead``, and
    the task then misses ``lead``; the missing-key problem is dropped and the
    unknown key's message says what it costs, with the table as a related location.
    (``[campaing]`` and the missing ``[campaign]`` table fold the same way.)
    """
    missing: dict[tuple[str, str], int] = {}
    for i, p in enumerate(pending):
        if p.code == "missing-key" and p.subject is not None:
            missing[(p.key_path, p.subject)] = i
        elif p.code == "missing-campaign":
            missing[("", "campaign")] = i
    if not missing:
        return pending
    dropped: set[int] = set()
    out: dict[int, Pending] = {}
    for i, p in enumerate(pending):
        if p.code != "unknown-key" or not p.fixes:
            continue
        edit = p.fixes[0].edits[0]
        parent = p.key_path[: -len(str(edit.old))].rstrip(".") if p.key_path.endswith(str(edit.old)) else None
        j = missing.get((parent, str(edit.new))) if parent is not None else None
        if j is None or j in dropped:
            continue
        dropped.add(j)
        message = Text(f"{p.message.en}, so the required key '{edit.new}' is missing",
                       f"{p.message.zh},因此缺少必填的键 '{edit.new}'")
        out[i] = attrs.evolve(p, message=message, related=(*p.related, pending[j].key_path))
    return [out.get(i, p) for i, p in enumerate(pending) if i not in dropped]


def _fix(kind: str, key_path: str, word: str, names: Iterable[str] | Candidates) -> tuple[Fix, ...]:
    """A rename (of a key) or replace (of a reference) to the closest name: safe when it is the only close one."""
    pool = names if isinstance(names, Candidates) else Candidates(names)
    matches = difflib.get_close_matches(word, pool.near(word), n=2, cutoff=SIMILARITY_CUTOFF)
    if not matches:
        return ()
    best = matches[0]
    # Two close names (`lead` and `leads`, say): which was meant is the author's call.
    applicability = Applicability.SAFE if len(matches) == 1 else Applicability.DISPLAY
    title = (Text(f"rename '{word}' to '{best}'", f"将 '{word}' 改为 '{best}'") if kind == "rename"
             else Text(f"replace '{word}' with '{best}'", f"将 '{word}' 替换为 '{best}'"))
    return (Fix(title, applicability, [Edit(kind, key_path, new=best, old=word)]),)
