"""Applying the fixes that findings and load problems offer (``validate --fix``), keeping the files' layout.

Edits are made with tomlkit, which keeps comments, key order, quoting and
blank lines: only the renamed key or the replaced value changes. Every edit
states what it expects to find (the old key, the old value); one whose
expectation no longer holds is skipped, so fixing twice is fixing once.

A fix can uncover the next problem (a misspelt key keeps the plan from
loading, so no check ran yet): :func:`fix_plan` loads, fixes and loads
again, a few rounds, until nothing changes.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .errors import PlanError
from .findings import Applicability, Edit, Finding, Fix

if TYPE_CHECKING:
    from .plugins.manager import Plugins

__all__ = ["FixResult", "apply_edits", "applicable", "fix_plan", "unified_diff"]

#: Most load-fix rounds: each round can only uncover what the previous one hid.
MAX_ROUNDS = 5


def applicable(fixes: Iterable[Fix], *, unsafe: bool = False) -> list[Fix]:
    """The fixes a command applies: safe ones, and unsafe ones when asked; never display-only ones."""
    allowed = {Applicability.SAFE, Applicability.UNSAFE} if unsafe else {Applicability.SAFE}
    return [f for f in fixes if f.applicability in allowed]


def apply_edits(text: str, edits: Sequence[Edit]) -> tuple[str, tuple[Edit, ...]]:
    """``text`` with ``edits`` applied, and the edits that applied (the others' expectations failed).

    The text is returned unchanged, byte for byte, when no edit applied.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(text)
    except TOMLKitError:
        return text, ()
    done: list[Edit] = []
    inserts: list[Edit] = []
    touched: set[str] = set()
    for edit in edits:
        # Two fixes of one key (a rename and a replace) would fight: the first wins this round.
        if edit.key_path in touched:
            continue
        if edit.kind == "insert":
            if edit.key_path not in doc and all(e.key_path != edit.key_path for e in inserts):
                inserts.append(edit)
                touched.add(edit.key_path)
            continue
        try:
            ok = _rename(doc, edit) if edit.kind == "rename" else _replace(doc, edit)
        except (TOMLKitError, KeyError, IndexError, TypeError, ValueError, AttributeError):
            # tomlkit refuses some shapes (a table split over the file); the edit is left to the author.
            ok = False
        if ok:
            done.append(edit)
            touched.add(edit.key_path)
    if not done and not inserts:
        return text, ()
    out = tomlkit.dumps(doc) if done else text
    for edit in inserts:
        out = _insert_top(out, edit.key_path, tomlkit.item(edit.new).as_string())
    return out, (*done, *inserts)


def _split(key_path: str) -> tuple[str | int, ...]:
    from .load.locate import split_key_path

    return split_key_path(key_path)


def _parent(doc: Any, segments: Sequence[str | int]) -> Any:
    node = doc
    for seg in segments:
        node = node[seg]
    return node


def _rename(doc: Any, edit: Edit) -> bool:
    import tomlkit.container

    *head, key = _split(edit.key_path)
    if not isinstance(key, str) or key != edit.old or not isinstance(edit.new, str):
        return False
    parent = _parent(doc, head)
    if key not in parent or edit.new in parent:
        # Renaming onto an existing key would write a duplicate: the author must merge them.
        return False
    container = parent if isinstance(parent, tomlkit.container.Container) else parent.value
    if not isinstance(container, tomlkit.container.Container):
        return False
    # tomlkit has no public rename; _replace keeps the key's place, value and comment.
    container._replace(key, edit.new, container.item(key))  # noqa: SLF001
    return True


_EXPR = re.compile(r"\s*@([\w][\w.\-]*?)\s*(?:([+-])\s*([0-9]+)\s*d)?\s*")


def _replace(doc: Any, edit: Edit) -> bool:
    *head, key = _split(edit.key_path)
    parent = _parent(doc, head)
    if isinstance(parent, str) and key == 0 and head:
        # One-or-many keys (`by = "x"` for `by = ["x"]`) are located as `by[0]` either way.
        *head, key = head
        parent = _parent(doc, head)
    current = parent[key]
    value = current.unwrap() if hasattr(current, "unwrap") else current
    if isinstance(edit.old, _dt.date) and not isinstance(edit.old, _dt.datetime):
        return _move_date(parent, key, value, edit.old, edit.new)
    if isinstance(value, str) and value == edit.old:
        parent[key] = edit.new
        return True
    if isinstance(value, dict) and value.get("task") == edit.old:
        # A dependency entry { task = "x", lag = "2d" } is located at the entry.
        current["task"] = edit.new
        return True
    if isinstance(value, dict) and value.get("to") == edit.old:
        current["to"] = edit.new
        return True
    return False


def _move_date(parent: Any, key: str | int, value: Any, old: _dt.date, new: _dt.date) -> bool:
    if type(value) is _dt.date:
        if value != old:
            return False
        parent[key] = new
        return True
    if isinstance(value, str):
        # "@poverty_day" -> "@poverty_day - 1d": the reference to the named date stays.
        m = _EXPR.fullmatch(value)
        if m is None:
            return False
        offset = (int(m.group(3)) * (-1 if m.group(2) == "-" else 1)) if m.group(3) else 0
        offset += (new - old).days
        parent[key] = f"@{m.group(1)}" + (f" {'-' if offset < 0 else '+'} {abs(offset)}d" if offset else "")
        return True
    return False


def _insert_top(text: str, key: str, value: str) -> str:
    # After the leading comments (the `#:schema` line, the plan's title), before the first key.
    lines = text.splitlines(keepends=True)
    at = 0
    while at < len(lines) and lines[at].lstrip().startswith("#"):
        at += 1
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    return "".join([*lines[:at], f"{key} = {value}{newline}", *lines[at:]])


@attrs.frozen
class FixResult:
    """What :func:`fix_plan` changed.

    Attributes:
        before: each changed file's text before, by path.
        after: each changed file's text after, by path.
        applied: the fixes that applied, in order.
        rounds: load-and-fix rounds run.
    """

    before: dict[str, str] = attrs.field(factory=dict)
    after: dict[str, str] = attrs.field(factory=dict)
    applied: tuple[Fix, ...] = ()
    rounds: int = 0

    @property
    def changed(self) -> bool:
        return any(self.before[f] != self.after[f] for f in self.after)

    def diff(self) -> str:
        """A unified diff of every changed file (``--- a/path`` / ``+++ b/path``, paths from the current folder)."""
        return "".join(unified_diff(self.before[f], self.after[f], _shown(f)) for f in sorted(self.after)
                       if self.before[f] != self.after[f])


def _shown(name: str) -> str:
    try:
        return Path(name).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(name).as_posix().lstrip("/")


def unified_diff(before: str, after: str, name: str) -> str:
    """The unified diff of one file, as ``git diff`` labels it."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))


def _fixes_of(findings: Iterable[Finding]) -> list[Fix]:
    return [fix for f in findings for fix in f.fixes]


def _round_fixes(main: Path, plugins: Plugins, select: Sequence[str], ignore: Sequence[str]) -> list[Fix]:
    from .checks import run_checks
    from .load import load_plan

    try:
        campaign = load_plan(main, plugins=plugins)
    except PlanError as exc:
        return [fix for p in exc.problems for fix in p.fixes]
    return _fixes_of(run_checks(campaign, plugins=plugins, select=select, ignore=ignore))


def _plan_files(main: Path) -> list[Path]:
    """The files the plan reads, the main one first: its includes (rosters too), as the loader finds them.

    Only these are copied: walking the plan's folder for ``*.toml`` read a whole home or /tmp,
    and a named pipe there stopped ``--fix``; the loader already refuses such files with a problem.
    """
    from .load.include import read_files
    from .load.problems import ProblemLog
    from .load.toml import DEFAULT_MAX_BYTES

    fs = read_files(ProblemLog(), main=main, text=None, filename=str(main), max_bytes=DEFAULT_MAX_BYTES)
    return [main, *(Path(f.name).resolve() for f in fs.files[1:])]


def fix_plan(path: str | os.PathLike[str], *, unsafe: bool = False, write: bool = True,
             plugins: Plugins | None = None, select: Sequence[str] = (), ignore: Sequence[str] = (),
             max_rounds: int = MAX_ROUNDS) -> FixResult:
    """Apply every safe fix (and unsafe ones with ``unsafe``) to the plan at ``path`` and its includes.

    The work is done on a copy of the plan's files (the main one and what it includes), so
    that with ``write=False`` (``--diff``) nothing of the author's is touched;
    with ``write=True`` the changed files are written back at the end.

    Returns:
        the files' texts before and after, and the fixes applied.
    """
    from .plugins.manager import default_plugins

    plugins = plugins if plugins is not None else default_plugins()
    main = Path(os.fspath(path)).resolve()
    root = main.parent
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    applied: list[Fix] = []
    rounds = 0
    with tempfile.TemporaryDirectory(prefix="campaignflow-fix-") as tmp:
        work = Path(tmp)
        # Includes outside the plan's folder (include roots) are not copied: their fixes are left alone.
        for src in (p for p in _plan_files(main) if p.is_relative_to(root)):
            target = work / src.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
        work_main = work / main.name
        for rounds in range(1, max_rounds + 1):  # noqa: B007 - the count is reported
            fixes = applicable(_round_fixes(work_main, plugins, select, ignore), unsafe=unsafe)
            by_file: dict[Path, list[Edit]] = {}
            owner: dict[int, Fix] = {}
            for fix in fixes:
                for edit in fix.edits:
                    file = Path(edit.file).resolve() if edit.file else work_main
                    if work not in file.parents:
                        continue  # outside the copied folder: an include root; left alone
                    by_file.setdefault(file, []).append(edit)
                    owner[id(edit)] = fix
            changed = False
            for file, edits in by_file.items():
                text = file.read_text(encoding="utf-8")
                new, done = apply_edits(text, edits)
                if new == text:
                    continue
                name = str(root / file.relative_to(work))
                before.setdefault(name, text)
                after[name] = new
                file.write_text(new, encoding="utf-8")
                changed = True
                for edit in done:
                    fix = owner[id(edit)]
                    if fix not in applied:
                        applied.append(fix)
            if not changed:
                break
    if write:
        for name, text in after.items():
            if before[name] != text:
                Path(name).write_text(text, encoding="utf-8")
    return FixResult(before=before, after=after, applied=tuple(applied), rounds=rounds)
