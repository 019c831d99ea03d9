"""Reading a plan's files (the main one and its ``include``s) and merging them into one document.

Includes are followed depth-first; a file reached twice by different paths is
read once, and a cycle is a problem naming the chain. Merging puts the
content of included files before the content of the file that includes
them (as if it were written at the top), tables are merged key by key, and a
key defined in two files is a problem naming both.

Includes stay inside the main plan's folder (after symlinks are resolved), or
inside a folder the caller allows (``include_roots``): ``..``, absolute paths
and symlinks that lead elsewhere are problems, and the file is never read, so
no message can show what it holds. ``~`` is not expanded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import Problem
from ..findings import Applicability, Edit, Fix, Location, Text
from .locate import TomlIndex, split_key_path
from .problems import ProblemLog
from .roster import is_roster, read_roster
from .structure import TOP_KEYS, child
from .toml import SourceText, decode, parse_toml, read_source

__all__ = ["FileSet", "PlanFile", "merge", "read_files"]

_ID_SECTIONS = ("units", "groups", "tasks", "templates")


@attrs.define
class PlanFile:
    """One file of a plan: its name (for locations), text and parsed document."""

    name: str
    text: str
    data: dict[str, Any]
    _index: TomlIndex | None = None

    @property
    def index(self) -> TomlIndex:
        if self._index is None:
            self._index = TomlIndex(self.text)
        return self._index

    def locate(self, key_path: str) -> Location:
        """Where ``key_path`` (or its nearest located parent) stands in this file."""
        found = self.index.find(split_key_path(key_path)) if key_path else None
        if found is None:
            return Location(self.name, None, None, key_path)
        line, column = self.index.line_col(found[1])
        return Location(self.name, line, column, key_path)


@attrs.define
class FileSet:
    """The files of one plan: ``files[0]`` is the main file; ``order`` is the merge order."""

    files: list[PlanFile] = attrs.field(factory=list)
    order: list[int] = attrs.field(factory=list)
    #: For each merged ``[[pairings]]`` entry: (file index, index within that file).
    pairing_origin: list[tuple[int, int]] = attrs.field(factory=list)

    def position(self, name: str | None) -> int:
        for i, f in enumerate(self.files):
            if f.name == name:
                return i
        return len(self.files)


def read_files(log: ProblemLog, *, main: Path | None, text: str | None, filename: str,
               max_bytes: int, include_roots: Sequence[Path] = ()) -> FileSet:
    """Read the main file (or ``text``) and every file it includes, recording problems.

    Includes must lie in the main file's folder (for ``text``: the folder includes
    start from) or in one of ``include_roots``.
    """
    fs = FileSet()
    seen: dict[str, int] = {}
    if main is not None:
        home = main.parent
    else:
        home = Path(filename).parent if filename and not filename.startswith("<") else Path.cwd()
    roots = [Path(_canonical(r)) for r in (home, *include_roots)]

    def visit(source: SourceText | Problem, key: str | None, chain: list[str]) -> None:
        if isinstance(source, Problem):
            log.add_problem(source)
            return
        data = parse_toml(source)
        if isinstance(data, Problem):
            log.add_problem(data)
            return
        index = len(fs.files)
        fs.files.append(PlanFile(source.name, source.text, data))
        if key is not None:
            seen[key] = index
        for where, path in _includes(log, data, index, source.base):
            target = _canonical(path)
            if not any(Path(target).is_relative_to(root) for root in roots):
                shown = _short(str(path))
                log.add("include-outside", f"include '{shown}' lies outside the plan's folder {roots[0]}; "
                        "includes must stay inside it (or a folder the caller allows)",
                        f"包含文件 '{shown}' 不在方案所在目录 {roots[0]} 内;包含文件须在该目录(或调用方允许的目录)内",
                        where, file=index)
                continue
            if target in chain:
                loop = " -> ".join([*(_short(c) for c in chain[chain.index(target):]), _short(target)])
                log.add("include-cycle", f"include cycle: {loop}", f"循环包含:{loop}", where, file=index)
                continue
            if target in seen:
                continue  # reached twice (a diamond): read once
            loc = fs.files[index].locate(where)
            if is_roster(path):  # a CSV or xlsx roster of units (issue 19)
                roster = read_roster(log, path, max_bytes=max_bytes, where=loc)
                if roster is not None:
                    seen[target] = len(fs.files)
                    fs.files.append(PlanFile(roster[0], "", roster[1], roster[2]))  # type: ignore[arg-type]
                    fs.order.append(seen[target])
                continue
            visit(read_source(path, max_bytes=max_bytes, where=loc), target, [*chain, target])
        fs.order.append(index)

    if main is not None:
        key = _canonical(main)
        visit(read_source(main, max_bytes=max_bytes), key, [key])
    else:
        base = Path(filename).parent if filename and not filename.startswith("<") else Path.cwd()
        data = (text or "").encode("utf-8", errors="surrogatepass")
        if len(data) > max_bytes:
            log.add_problem(Problem("file-too-large", Text(f"the plan text is larger than {max_bytes} bytes",
                                                           f"方案文本超过 {max_bytes} 字节"), Location(filename)))
            return fs
        decoded = decode(data, filename)
        visit(decoded if isinstance(decoded, Problem) else SourceText(filename, decoded, base), None, [])
    return fs


def _canonical(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(path)


def _short(path: str) -> str:
    return os.path.basename(path) or path


def _includes(log: ProblemLog, data: dict[str, Any], index: int, base: Path) -> Iterator[tuple[str, Path]]:
    campaign = data.get("campaign")
    if not isinstance(campaign, dict) or "include" not in campaign:
        return
    value = campaign["include"]
    path = "campaign.include"
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        log.wrong_type(path, "an array of file names", "文件名数组", value, file=index)
        return
    for i, item in enumerate(items):
        where = child(path, i) if items is value else path
        if not isinstance(item, str) or not item.strip() or "\0" in item:
            log.wrong_type(where, "a file name", "文件名", item, file=index)
            continue
        yield where, base / item  # no ~ expansion: an include names a file of the plan


def merge(log: ProblemLog, fs: FileSet) -> dict[str, Any]:
    """One document from every file, in merge order; conflicts become problems."""
    merged: dict[str, Any] = {"campaign": {}, "units": {}, "groups": {}, "tasks": {}, "templates": {},
                              "pairings": [], "checks": {}, "calendar": {},
                              "supervision": {}}
    dates: dict[str, Any] = {}
    present: set[str] = set()
    for i in fs.order:
        data = fs.files[i].data
        _check_top(log, fs, i, data)
        for section, value in data.items():
            if section not in TOP_KEYS or section == "format":
                continue
            present.add(section)
            if section == "pairings":
                if isinstance(value, list):
                    fs.pairing_origin.extend((i, j) for j in range(len(value)))
                    merged["pairings"].extend(value)
                else:
                    log.wrong_type("pairings", "an array of tables ([[pairings]])", "表数组([[pairings]])", value,
                                   file=i)
                continue
            if not isinstance(value, dict):
                log.wrong_type(section, "a table", "表", value, file=i)
                continue
            target = merged[section]
            for key, item in value.items():
                if section == "campaign" and key == "include":
                    continue
                if section == "campaign" and key == "dates" and isinstance(item, dict):
                    for name, moment in item.items():
                        if name in dates:
                            _duplicate(log, fs, i, ("campaign", "dates", name))
                        else:
                            dates[name] = moment
                    continue
                if section == "checks" and key in ("severity", "options") and isinstance(item, dict):
                    sub = target.setdefault(key, {})
                    if isinstance(sub, dict):
                        for code, v in item.items():
                            if code in sub:
                                _duplicate(log, fs, i, ("checks", key, code))
                            else:
                                sub[code] = v
                        continue
                if key in target:
                    _duplicate(log, fs, i, (section, key))
                else:
                    target[key] = item
    if dates:
        merged["campaign"]["dates"] = dates
    merged["_present"] = present
    return merged


def _check_top(log: ProblemLog, fs: FileSet, i: int, data: dict[str, Any]) -> None:
    is_main = i == 0
    if "plugin" in data and "campaign" not in data:
        log.add("not-a-plan", "this is a plugin manifest (plugin.toml), not a plan",
                "这是插件清单(plugin.toml),不是方案", "plugin", file=i,
                hint=Text("load the plans it lists under `plans`, or use `campaignflow plans`",
                          "请加载其 `plans` 中列出的方案,或使用 `campaignflow plans`"))
        return
    fmt = data.get("format")
    if fmt is None:
        if is_main:
            log.add("missing-format", "missing `format = 1` at the top of the plan",
                    "方案开头缺少 `format = 1`", "", file=i,
                    hint=Text("add `format = 1` as the first line", "请在第一行加上 `format = 1`"),
                    fixes=(Fix(Text("add `format = 1`", "添加 `format = 1`"), Applicability.SAFE,
                               [Edit("insert", "format", new=1)]),))
    elif type(fmt) is not int or fmt != 1:
        log.add("unsupported-format", f"unsupported format {fmt!r}; this version reads format 1",
                f"不支持的格式版本 {fmt!r};本版本读取格式 1", "format", file=i)
    for key in data.keys() - TOP_KEYS:
        log.unknown_key(child("", key), key, TOP_KEYS, file=i)


def _duplicate(log: ProblemLog, fs: FileSet, i: int, parts: tuple[str, ...]) -> None:
    first = _first_definer(fs, i, parts)
    where = child(child(parts[0], parts[1]), parts[2]) if len(parts) == 3 else child(parts[0], parts[1])
    other = fs.files[first].locate(where) if first is not None else None
    place = str(other) if other is not None else "another file"
    log.add("duplicate-key", f"'{parts[-1]}' is defined twice: here and in {place}",
            f"'{parts[-1]}' 重复定义:此处以及 {place}", where, file=i)


def _first_definer(fs: FileSet, upto: int, parts: tuple[str, ...]) -> int | None:
    for j in fs.order:
        if j == upto:
            break
        node: Any = fs.files[j].data
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if node is not None:
            return j
    return None


_OCCURRENCE_SUFFIX = re.compile(r"#[0-9]+\Z")
_ID_SECTIONS_SET = frozenset(_ID_SECTIONS)


class PlanLocator:
    """``key_path -> Location`` over all files of a plan; the ``Campaign.locator``.

    Expanded tasks are placed at their source: ``tasks.X@U.due`` at
    ``templates.X.task.due``, ``tasks.ID#2.due`` at ``tasks.ID.due``. A key
    that is not in any file is placed at its nearest located parent.
    """

    def __init__(self, files: FileSet, templates: frozenset[str] = frozenset()) -> None:
        self.files = files
        self.templates = templates

    def __call__(self, key_path: str) -> Location:
        return self.at(key_path)

    def at(self, key_path: str, file: int | None = None) -> Location:
        """Locate ``key_path``, in file number ``file`` only when it is given."""
        fs = self.files.files
        if not fs:
            return Location(None, None, None, key_path)
        if not key_path:
            return Location(fs[file or 0].name, 1, 1, key_path)
        parts = split_key_path(key_path)
        order: list[int] = [file] if file is not None else list(range(len(fs)))
        if (len(parts) >= 2 and parts[0] == "pairings" and isinstance(parts[1], int) and file is None
                and parts[1] < len(self.files.pairing_origin)):
            # Pairings of all files are one array; each entry is located in its own file.
            origin, local = self.files.pairing_origin[parts[1]]
            order, parts = [origin], ("pairings", local, *parts[2:])
        best: tuple[int, int, int] | None = None  # depth, file, offset
        variants = list(self._variants(parts))
        # File by file, so that a key found in the main file never makes a big
        # included file be scanned.
        for i in order:
            for variant in variants:
                found = fs[i].index.find(variant)
                if found is None:
                    continue
                if found[0] == len(variant):
                    return self._location(i, found[1], key_path)
                if best is None or found[0] > best[0]:
                    best = (found[0], i, found[1])
        if best is None:
            return Location(fs[order[0]].name, None, None, key_path)
        return self._location(best[1], best[2], key_path)

    def _location(self, i: int, offset: int, key_path: str) -> Location:
        f = self.files.files[i]
        line, column = f.index.line_col(offset)
        return Location(f.name, line, column, key_path)

    def _variants(self, parts: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        yield parts  # a task written out already expanded stands under its own id
        yield self._map(parts)
        # An id with dots may have been written unquoted: try joining it back.
        if len(parts) > 2 and parts[0] in _ID_SECTIONS_SET:
            for j in range(2, min(len(parts), 6)):
                if all(isinstance(p, str) for p in parts[1:j + 1]):
                    yield self._map((parts[0], ".".join(parts[1:j + 1]), *parts[j + 1:]))

    def _map(self, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(parts) < 2 or parts[0] != "tasks" or not isinstance(parts[1], str):
            return parts
        tid = _OCCURRENCE_SUFFIX.sub("", parts[1])
        if "@" in tid:
            template = tid.split("@", 1)[0]
            if template in self.templates:
                return ("templates", template, "task", *parts[2:])
        return ("tasks", tid, *parts[2:])
