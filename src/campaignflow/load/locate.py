"""Key paths and where they stand in TOML source: ``tasks.x.after[1].task`` -> line 12, column 31.

tomllib gives values, not positions, so this module scans the source itself.
It only ever reads text that tomllib has already accepted, and it is lazy: a
file is scanned the first time a position in it is asked for (a problem or a
finding), never on the path of a plan that loads cleanly.

The scan has two levels so that a file of half a million units stays cheap:
one line-oriented pass records every table header (``[units.ah]``,
``[[pairings]]``) and the extent of its body; the body of a header is
tokenised in full (keys, dotted keys, inline tables, array elements) only
when a key inside it is looked up, and the result is cached.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import re
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["KeyPath", "Segment", "TomlIndex", "gc_paused", "join_key", "key_path", "split_key_path"]

#: One step of a key path: a key, or an array index.
Segment = str | int
#: A parsed key path.
KeyPath = tuple[Segment, ...]

@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many long-lived objects.

    Every object made here lives on (the index, the campaign); the collector
    would only rescan them, and everything already loaded, again and again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_PLAIN_SEGMENT = re.compile(r"[^.\[\]\"\s]+")


def key_path(*parts: Segment | Iterable[Segment]) -> str:
    """The canonical text of a key path: ``key_path("tasks", "x", "after", 1)`` -> ``tasks.x.after[1]``.

    Keys with dots, brackets, quotes or spaces are quoted (``units."a b"``).
    Nested iterables of parts are flattened, so a parsed path can be extended.
    """
    out: list[str] = []
    for part in parts:
        items = part if isinstance(part, (tuple, list)) else (part,)
        for item in items:
            if isinstance(item, int):
                out.append(f"[{item}]")
                continue
            text = item if _PLAIN_SEGMENT.fullmatch(item) else _quote(item)
            out.append(f".{text}" if out else text)
    return "".join(out)


def join_key(path: str, key: Segment) -> str:
    """The key path of ``key`` inside the table (or array) at ``path``: ``join_key("tasks.x", "after")``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    segment = key if _PLAIN_SEGMENT.fullmatch(key) else _quote(key)
    return f"{path}.{segment}" if path else segment


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_SPLIT = re.compile(r'\.?(?:"((?:[^"\\]|\\.)*)"|\[(\d+)\]|([^.\["]+))')


def split_key_path(path: str) -> KeyPath:
    """Parse a key path: ``tasks."a b".after[1]`` -> ``("tasks", "a b", "after", 1)``.

    Lenient: text it cannot read is kept as a plain key.
    """
    out: list[Segment] = []
    pos = 0
    while pos < len(path):
        m = _SPLIT.match(path, pos)
        if m is None or m.end() == pos:
            out.append(path[pos:])
            break
        quoted, index, plain = m.groups()
        if index is not None:
            out.append(int(index))
        elif quoted is not None:
            out.append(re.sub(r"\\(.)", r"\1", quoted))
        else:
            out.append(plain)
        pos = m.end()
    return tuple(out)


# -- tokens ------------------------------------------------------------------------

_WS = re.compile(r"[ \t]*")
# Whitespace, newlines and comments, as they may appear inside arrays.
_WSNL = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_BASIC = re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*""""{0,2}')
_ML_LITERAL = re.compile(r"'''(?:[^']|'(?!''))*''''{0,2}")
_SCALAR = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?"
    r"|[A-Za-z0-9_+\-.:]+"
)
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)")


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return _ESCAPE.sub(one, body)


class _ScanError(Exception):
    """The scanner met text it does not understand (it never reaches the user)."""


class _Scanner:
    """Tokenises TOML that tomllib has accepted; positions are string offsets."""

    def __init__(self, text: str) -> None:
        self.text = text

    def ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def wsnl(self, pos: int) -> int:
        return _WSNL.match(self.text, pos).end()  # type: ignore[union-attr]

    def key(self, pos: int) -> tuple[list[tuple[str, int]], int]:
        """A dotted key at ``pos``: its parts with their offsets, and the offset after it."""
        parts: list[tuple[str, int]] = []
        text = self.text
        while True:
            pos = self.ws(pos)
            c = text[pos:pos + 1]
            if c == '"':
                m = _BASIC.match(text, pos)
                if m is None:
                    raise _ScanError(pos)
                parts.append((_unescape(m.group()[1:-1]), pos))
            elif c == "'":
                m = _LITERAL.match(text, pos)
                if m is None:
                    raise _ScanError(pos)
                parts.append((m.group()[1:-1], pos))
            else:
                m = _BARE_KEY.match(text, pos)
                if m is None:
                    raise _ScanError(pos)
                parts.append((m.group(), pos))
            pos = self.ws(m.end())
            if text[pos:pos + 1] != ".":
                return parts, pos
            pos += 1

    def string_or_scalar(self, pos: int) -> int:
        text = self.text
        c = text[pos:pos + 1]
        if c == '"':
            m = _ML_BASIC.match(text, pos) if text.startswith('"""', pos) else _BASIC.match(text, pos)
        elif c == "'":
            m = _ML_LITERAL.match(text, pos) if text.startswith("'''", pos) else _LITERAL.match(text, pos)
        else:
            m = _SCALAR.match(text, pos)
        if m is None:
            raise _ScanError(pos)
        return m.end()

    def value(self, pos: int, path: KeyPath, record: dict[KeyPath, int] | None) -> int:
        """Skip the value at ``pos`` (recording positions under ``path``); the offset after it.

        Iterative, so that deeply nested arrays cannot exhaust the stack.
        """
        text = self.text
        # Frames: [is_array, path of the container, next index]
        stack: list[list[Any]] = []
        cur = path
        while True:
            c = text[pos:pos + 1]
            if c == "[":
                pos = self.wsnl(pos + 1)
                if text[pos:pos + 1] == "]":
                    pos += 1
                else:
                    stack.append([True, cur, 0])
                    cur = (*cur, 0)
                    if record is not None:
                        record.setdefault(cur, pos)
                    continue
            elif c == "{":
                pos = self.wsnl(pos + 1)
                if text[pos:pos + 1] == "}":
                    pos += 1
                else:
                    stack.append([False, cur, 0])
                    pos, cur = self._inline_key(pos, cur, record)
                    continue
            else:
                pos = self.string_or_scalar(pos)
            # After a value: close containers, or move to the next element / key.
            while True:
                if not stack:
                    return pos
                frame = stack[-1]
                pos = self.wsnl(pos)
                c = text[pos:pos + 1]
                if c == ",":
                    pos = self.wsnl(pos + 1)
                    c = text[pos:pos + 1]
                    if c not in ("]", "}"):
                        if frame[0]:
                            frame[2] += 1
                            cur = (*frame[1], frame[2])
                            if record is not None:
                                record.setdefault(cur, pos)
                        else:
                            pos, cur = self._inline_key(pos, frame[1], record)
                        break
                if c in ("]", "}"):
                    stack.pop()
                    pos += 1
                    continue
                raise _ScanError(pos)

    def _inline_key(self, pos: int, table: KeyPath, record: dict[KeyPath, int] | None) -> tuple[int, KeyPath]:
        parts, pos = self.key(pos)
        cur = table
        for name, at in parts:
            cur = (*cur, name)
            if record is not None:
                record.setdefault(cur, at)
        if self.text[pos:pos + 1] != "=":
            raise _ScanError(pos)
        return self.wsnl(pos + 1), cur

    def statement(self, pos: int, record: dict[KeyPath, int] | None) -> int:
        """A ``key = value`` statement at ``pos``; the offset after its value."""
        parts, pos = self.key(pos)
        cur: KeyPath = ()
        for name, at in parts:
            cur = (*cur, name)
            if record is not None:
                record.setdefault(cur, at)
        if self.text[pos:pos + 1] != "=":
            raise _ScanError(pos)
        return self.value(self.ws(pos + 1), cur, record)


_FIRST_KEY = re.compile(r"""(?:([A-Za-z0-9_-]+)|"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)')""")
# Any header or statement line (group 1 is its first character).
_LINE = re.compile(r"^[ \t]*([\[A-Za-z0-9_\-\"'])[^\n]*", re.M)
# Headers, and statements whose value may continue on the next lines.
# Group 2 is a header's dotted bare key, when it is that simple.
_HEADER_OR_MULTI = re.compile(
    r"^[ \t]*(?:(\[\[?)(?:[ \t]*([A-Za-z0-9_\-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_\-]+)*)[ \t]*\])?"
    r"""|([A-Za-z0-9_\-"'])[^\n]*?(?:\"\"\"|'''|[\[{]))""",
    re.M,
)
_STRINGS = re.compile(r""""(?:[^"\\\n]|\\.)*"|'[^'\n]*'""")


def _single_line(line: str) -> bool:
    """Whether a ``key = value`` line holds its whole value (the common, cheap case)."""
    if '"""' in line or "'''" in line:
        return False
    if "[" not in line and "{" not in line:
        return True
    bare = _STRINGS.sub("", line).split("#", 1)[0]
    return bare.count("[") + bare.count("{") == bare.count("]") + bare.count("}")


class _Body:
    """The statements under one header, tokenised one first key at a time."""

    __slots__ = ("detail", "done", "end", "start", "statements")

    def __init__(self, start: int) -> None:
        self.start = start
        self.end = start
        self.statements: dict[str, list[int]] | None = None
        self.detail: dict[KeyPath, int] = {}
        self.done: set[str] = set()


class TomlIndex:
    """Positions of keys in one TOML text, computed on first use.

    ``find(path)`` answers with the deepest located prefix of ``path``, so a
    key that is absent (a missing required key) is placed at its table.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._scanner = _Scanner(text)
        #: Header path -> offset of its ``[``; the root table is ``()`` at 0.
        self._headers: dict[KeyPath, int] | None = None
        self._bodies: dict[KeyPath, _Body] = {}
        #: Tables only implied by deeper headers (``[a.b]`` implies ``a``): the first such header.
        self._implicit: dict[KeyPath, int] = {}
        #: Offsets of every header, ascending (0 stands for the root table).
        self._starts: list[int] = [0]
        self._line_starts: list[int] | None = None
        #: True when the scanner met text it could not follow (positions may be missing).
        self.broken = False

    # -- public ---------------------------------------------------------------------

    def find(self, path: KeyPath) -> tuple[int, int] | None:
        """``(depth, offset)``: how many leading segments of ``path`` were located, and where."""
        headers = self._scan_headers()
        best: tuple[int, int] = (0, -1)
        # Deeper headers first; a shallower body may still hold the whole path
        # through dotted keys or inline tables, so keep looking for an exact hit.
        for k in range(len(path), -1, -1):
            prefix = path[:k]
            offset = headers.get(prefix)
            if offset is None:
                if k > best[0] and prefix in self._implicit:
                    best = (k, self._implicit[prefix])
                continue
            if k == len(path):
                return k, offset
            detail = self._detail(prefix, path[k])
            for j in range(len(path), k, -1):
                at = detail.get(path[k:j])
                if at is not None:
                    if j == len(path):
                        return j, at
                    if j > best[0]:
                        best = (j, at)
                    break
            if k > best[0]:
                best = (k, offset)
        return None if best[0] == 0 else best

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of ``offset``."""
        if self._line_starts is None:
            with gc_paused():
                self._line_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        i = bisect.bisect_right(self._line_starts, offset) - 1
        return i + 1, offset - self._line_starts[i] + 1

    def keys(self) -> set[KeyPath]:
        """Every located key path (tokenises the whole file: for tests and tools)."""
        headers = self._scan_headers()
        out: set[KeyPath] = set(headers) | set(self._implicit)
        for prefix in headers:
            body = self._body(prefix)
            for first in self._statements_of(body):
                out.update((*prefix, *rel) for rel in self._detail(prefix, first))
        out.discard(())
        return out

    # -- scanning -------------------------------------------------------------------

    def _skip_statement(self, at: int, line_end: int) -> int:
        """Where the statement at ``at`` ends: its line, or further for a multi-line value."""
        if _single_line(self.text[at:line_end]):
            return line_end
        return self._scanner.statement(at, None)

    def _lines(self, start: int, end: int) -> Iterator[tuple[int, bool]]:
        """``(offset, is_header)`` of each header and statement in ``[start, end)``."""
        skip_until = start
        for m in _LINE.finditer(self.text, start, end):
            at = m.start(1)
            if at < skip_until:
                continue  # inside a multi-line string or array
            is_header = m.group(1) == "["
            yield at, is_header
            if not is_header:
                skip_until = self._skip_statement(at, m.end())

    def _scan_headers(self) -> dict[KeyPath, int]:
        if self._headers is None:
            try:
                with gc_paused():
                    self._headers = self._headers_pass()
            except (_ScanError, IndexError, RecursionError):
                self.broken = True
                self._headers = {(): 0}
                self._starts = [0]
        return self._headers

    def _headers_pass(self) -> dict[KeyPath, int]:
        text = self.text
        headers: dict[KeyPath, int] = {(): 0}
        starts = self._starts = [0]
        aot_last: dict[KeyPath, int] = {}
        implicit = self._implicit
        skip_until = 0
        # Only headers and statements that may span lines are visited; plain
        # `key = "value"` lines are skipped by the regex engine.
        for m in _HEADER_OR_MULTI.finditer(text):
            brackets = m.group(1)
            at = m.start(1 if brackets is not None else 3)
            if at < skip_until:
                continue
            if brackets is None:
                eol = text.find("\n", at)
                skip_until = self._skip_statement(at, len(text) if eol < 0 else eol)
                continue
            simple = m.group(2)
            if simple is not None:
                names = [name.strip(" \t") for name in simple.split(".")]
                path = self._resolve(names, brackets == "[[", aot_last)
            else:
                path = self._header(at, aot_last)
            headers[path] = at
            starts.append(at)
            for k in range(1, len(path)):
                implicit.setdefault(path[:k], at)
        return headers

    def _header(self, at: int, aot_last: dict[KeyPath, int]) -> KeyPath:
        text = self.text
        is_array = text.startswith("[[", at)
        parts, pos = self._scanner.key(at + (2 if is_array else 1))
        if not text.startswith("]]" if is_array else "]", pos):
            raise _ScanError(pos)
        return self._resolve([name for name, _ in parts], is_array, aot_last)

    @staticmethod
    def _resolve(names: list[str], is_array: bool, aot_last: dict[KeyPath, int]) -> KeyPath:
        # `[a.b]` after `[[a]]` is a table of a's last element: a[N].b.
        resolved: KeyPath = ()
        last = len(names) - 1
        for j, name in enumerate(names):
            resolved = (*resolved, name)
            if j < last and resolved in aot_last:
                resolved = (*resolved, aot_last[resolved])
        if is_array:
            index = aot_last.get(resolved, -1) + 1
            aot_last[resolved] = index
            resolved = (*resolved, index)
        return resolved

    def _body(self, prefix: KeyPath) -> _Body:
        body = self._bodies.get(prefix)
        if body is None:
            text = self.text
            at = self._headers[prefix]  # type: ignore[index]
            if prefix:
                eol = text.find("\n", at)
                start = len(text) if eol < 0 else eol + 1
            else:
                start = 0
            # The body runs to the next header (or the end of the text).
            i = bisect.bisect_right(self._starts, at)
            body = self._bodies[prefix] = _Body(start)
            body.end = self._starts[i] if i < len(self._starts) else len(text)
        return body

    def _statements_of(self, body: _Body) -> dict[str, list[int]]:
        if body.statements is None:
            statements: dict[str, list[int]] = {}
            try:
                for at, _ in self._lines(body.start, body.end):
                    m = _FIRST_KEY.match(self.text, at)
                    if m is None:
                        raise _ScanError(at)
                    bare, basic, literal = m.groups()
                    first = bare if bare is not None else _unescape(basic) if basic is not None else literal
                    statements.setdefault(first, []).append(at)
            except (_ScanError, IndexError, RecursionError):
                self.broken = True
            body.statements = statements
        return body.statements

    def _detail(self, prefix: KeyPath, first: Segment) -> dict[KeyPath, int]:
        """Positions under the body of ``prefix``, tokenising the statements that start with ``first``."""
        body = self._body(prefix)
        if not isinstance(first, str) or first in body.done:
            return body.detail
        body.done.add(first)
        for at in self._statements_of(body).get(first, ()):
            try:
                self._scanner.statement(at, body.detail)
            except (_ScanError, IndexError, RecursionError):
                self.broken = True
        return body.detail
