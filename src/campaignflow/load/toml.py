"""Reading plan files: bytes, size limit, decoding and TOML parsing, as problems.

Nothing here raises on bad input: every failure becomes a ``Problem`` placed
where the parser says (tomllib reports line and column; a decoding error is
placed at the offending byte's line and column).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import attrs

from ..errors import Problem
from ..findings import Location, Text

try:  # The compiled tomli wheel parses about twice as fast as the stdlib's pure-Python tomllib.
    import tomli as _toml
except ImportError:  # pragma: no cover - depends on the environment
    import tomllib as _toml

__all__ = ["DEFAULT_MAX_BYTES", "SourceText", "decode", "parse_toml", "read_source"]

#: Largest plan file read by default (64 MiB); ``load_plan(max_bytes=...)`` changes it.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_BOM = "\ufeff"
_AT = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


@attrs.frozen
class SourceText:
    """One plan file's decoded text, with the name used in locations."""

    name: str
    text: str
    #: Directory that relative ``include`` paths start from.
    base: Path


def _problem(code: str, en: str, zh: str, file: str, line: int | None = None, column: int | None = None,
             hint: Text | None = None, key_path: str = "") -> Problem:
    return Problem(code=code, message=Text(en, zh), location=Location(file, line, column, key_path), hint=hint)


def read_source(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                where: Location | None = None) -> SourceText | Problem:
    """Read and decode ``path``; a problem placed at ``where`` (an include entry) or the file."""
    name = str(path)
    loc = where or Location(name)

    def fail(code: str, en: str, zh: str, hint: Text | None = None) -> Problem:
        return Problem(code=code, message=Text(en, zh), location=loc, hint=hint)

    try:
        if path.is_dir():
            return fail("not-a-file", f"'{name}' is a directory, not a plan file", f"'{name}' 是目录,不是方案文件")
        size = path.stat().st_size
        if size > max_bytes:
            return fail("file-too-large",
                        f"'{name}' is {_mib(size)}, larger than the limit of {_mib(max_bytes)}",
                        f"'{name}' 大小为 {_mib(size)},超过上限 {_mib(max_bytes)}",
                        Text("split the plan with `include`, or raise the limit (load_plan(max_bytes=...))",
                             "可用 `include` 拆分方案,或提高上限(load_plan(max_bytes=...))"))
        # Opened without blocking and checked on the open descriptor: a FIFO, a device or
        # /dev/stdin would hang the loader or read what is not a plan.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return fail("not-a-file", f"'{name}' is not a regular file (a pipe, device or socket), not a plan "
                            "file", f"'{name}' 不是普通文件(管道、设备或套接字),不是方案文件")
            # The size may change between stat and read; never read more than the limit.
            data = fh.read(max_bytes + 1)
    except ValueError:  # a NUL byte in the path
        return fail("unreadable-file", f"cannot read '{name!r}': the name contains a NUL byte",
                    f"无法读取 '{name!r}':文件名含 NUL 字节")
    except FileNotFoundError:
        return fail("file-not-found", f"file '{name}' does not exist", f"文件 '{name}' 不存在")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return fail("unreadable-file", f"cannot read '{name}': {reason}", f"无法读取 '{name}':{reason}")
    if len(data) > max_bytes:
        return fail("file-too-large", f"'{name}' is larger than the limit of {_mib(max_bytes)}",
                    f"'{name}' 超过大小上限 {_mib(max_bytes)}")
    decoded = decode(data, name)
    if isinstance(decoded, Problem):
        return decoded
    return SourceText(name=name, text=decoded, base=path.parent)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def decode(data: bytes, name: str) -> str | Problem:
    """UTF-8 text of ``data`` (a BOM is dropped); a problem at the first bad byte or NUL."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_col_bytes(data, exc.start)
        return _problem("not-utf8", f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
                        f"不是 UTF-8 文本:字节 0x{data[exc.start]:02x} 无法解码", name, line, column,
                        Text("save the plan as UTF-8", "请以 UTF-8 编码保存方案"))
    if text.startswith(_BOM):
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _line_col(text, nul)
        return _problem("binary-file", "not a text file: it contains a NUL character",
                        "不是文本文件:含有 NUL 字符", name, line, column)
    return text


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _line_col_bytes(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    # Columns count characters: decode what precedes the bad byte on its line.
    return line, len(data[start:offset].decode("utf-8", errors="replace")) + 1


def parse_toml(source: SourceText) -> dict[str, Any] | Problem:
    """The TOML document of ``source``, or a problem where the parser stopped."""
    text = source.text
    for _ in range(_MAX_TIME_PATCHES):
        try:
            return _toml.loads(text)
        except _toml.TOMLDecodeError as exc:
            patched = _patch_short_time(text, exc)
            if patched is None:
                return _syntax_problem(source, exc)
            text = patched
        except RecursionError:
            return _problem("too-deep", "the document nests arrays or tables too deeply to read",
                            "文档中数组或表的嵌套层数过多,无法读取", source.name,
                            hint=Text("a plan needs only a few levels of nesting", "方案只需要少数几层嵌套"))
        except (ValueError, OverflowError) as exc:
            # The parser can let a ValueError through for values it accepts
            # lexically (a datetime out of range); it is still the file's fault.
            return _problem("toml-syntax", f"not valid TOML: {exc}", f"不是有效的 TOML:{exc}", source.name)
    return _problem("toml-syntax", "not valid TOML: too many datetimes without seconds",
                    "不是有效的 TOML:过多不带秒的日期时间", source.name,
                    hint=Text("write times as HH:MM:SS", "时间请写作 HH:MM:SS"))


# TOML 1.0 (tomllib of Python 3.11-3.13) needs seconds in a datetime; TOML 1.1
# and the plan format's own examples (`due = 2016-09-30T12:00`) do not. When
# the parser stops right after such a value, add ":00" there and parse again.
_MAX_TIME_PATCHES = 64
_SHORT_TIME = re.compile(r"[Tt ]?\d{2}:\d{2}(?![:\d])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2} ?\Z")


def _patch_short_time(text: str, exc: Exception) -> str | None:
    line, column = _error_position(exc)
    if line is None or column is None:
        return None
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    offset = start + column - 1
    # The parser read the date and stopped at the time that follows it.
    m = _SHORT_TIME.match(text, offset)
    if m is None or not _DATE.search(text, max(0, offset - 11), offset):
        return None
    return text[:m.end()] + ":00" + text[m.end():]


def _error_position(exc: Exception) -> tuple[int | None, int | None]:
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "colno", None)
    if line is None:
        m = _AT.search(str(exc))
        if m is not None and m.group(1):
            line, column = int(m.group(1)), int(m.group(2))
    return line, column


def _syntax_problem(source: SourceText, exc: Exception) -> Problem:
    msg = str(exc)
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "colno", None)
    m = _AT.search(msg)
    if m is not None:
        if m.group(1):
            line, column = int(m.group(1)), int(m.group(2))
        else:
            lines = source.text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
        msg = (msg[:m.start()] + msg[m.end():]).strip()
    msg = getattr(exc, "msg", None) or msg
    hint = None
    if line is not None and line == 1 and not _looks_like_toml(source.text):
        hint = Text("a plan is a TOML file starting with `format = 1`", "方案应为以 `format = 1` 开头的 TOML 文件")
    explained = _explain(source.text, msg, line, column)
    if explained is not None:
        en, zh, hint = explained
        return _problem("toml-syntax", f"not valid TOML: {en}", f"不是有效的 TOML:{zh}", source.name, line, column,
                        hint)
    return _problem("toml-syntax", f"not valid TOML: {msg}", f"不是有效的 TOML:{_syntax_zh(msg)}", source.name, line,
                    column, hint)


# Quotes a Chinese input method types in place of ASCII ones.
_WIDE_QUOTES = {"“": '"', "”": '"', "‘": "'", "’": "'", "＂": '"', "＇": "'",
                "「": '"', "」": '"', "『": '"', "』": '"'}
_KEY_END = re.compile(r"[.\]=\s\[]")


def _explain(text: str, msg: str, line: int | None, column: int | None) -> tuple[str, str, Text] | None:
    """What a plan author typed wrong where the parser stopped, when it is a known slip, with the fix.

    The parser's own words ("Invalid value") name no character; a full-width
    quote or a Chinese bare key is what a Chinese input method produces.
    """
    if line is None or column is None:
        return None
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    row = lines[line - 1].rstrip("\r")
    char = row[column - 1] if 0 < column <= len(row) else ""
    if char in _WIDE_QUOTES:
        fixed = "".join(_WIDE_QUOTES.get(c, c) for c in row).strip()
        code = f"U+{ord(char):04X}"
        return (f"full-width quote '{char}' ({code}); TOML strings use the ASCII quote {_WIDE_QUOTES[char]}",
                f"全角引号 '{char}'({code});TOML 字符串须用半角引号 {_WIDE_QUOTES[char]}",
                Text(f"switch the input method to half-width and write: {fixed}", f"请切换为半角输入,写作:{fixed}"))
    if msg.startswith("Invalid initial character for a key") and char and not char.isascii():
        m = _KEY_END.search(row, column - 1)
        end = m.start() if m is not None else len(row)
        key = row[column - 1:end]
        fixed = (row[:column - 1] + f'"{key}"' + row[end:]).strip()
        return (f"the key '{key}' is not ASCII; non-ASCII keys must be quoted",
                f"键 '{key}' 含非 ASCII 字符;此类键须加引号",
                Text(f"write: {fixed}", f"请写作:{fixed}"))
    return None


# The TOML parser's messages (tomli and tomllib share them), for `--lang zh`.
# Patterns, not strings, because some carry the offending key or character.
_SYNTAX_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(en), zh) for en, zh in (
    (r"Cannot declare (.+) twice", r"不能重复声明 \1"),
    (r"Cannot mutate immutable namespace (.+)", r"不能修改已定义完毕的表 \1"),
    (r"Cannot overwrite a value", "不能覆盖已有的值"),
    (r"Cannot redefine namespace (.+)", r"不能重新定义表 \1"),
    (r"Duplicate inline table key (.+)", r"内联表中的键 \1 重复"),
    (r"Escaped character is not a Unicode scalar value", "转义字符不是有效的 Unicode 字符"),
    (r"Expected '=' after a key in a key/value pair", "键之后应为 '='"),
    (r"Expected ']' at the end of a table declaration", "表头应以 ']' 结尾"),
    (r"Expected ']]' at the end of an array declaration", "表数组的表头应以 ']]' 结尾"),
    (r"Expected newline or end of document after a statement", "语句之后应换行或结束文档"),
    (r"Found invalid character (.+)", r"发现无效字符 \1"),
    (r"Illegal character (.+)", r"非法字符 \1"),
    (r"Invalid date or datetime", "日期或日期时间无效"),
    (r"Invalid hex value", "十六进制值无效"),
    (r"Invalid initial character for a key part", "键的首字符无效"),
    (r"Invalid statement", "无效的语句"),
    (r"Invalid value", "无效的值"),
    (r"Unclosed array", "数组未闭合"),
    (r"Unclosed inline table", "内联表未闭合"),
    (r"Unescaped '\\' in a string", "字符串中有未转义的 '\\'"),
    (r"Unterminated string", "字符串未结束"),
))


def _syntax_zh(msg: str) -> str:
    """The parser's English message in Chinese, when it is one we know."""
    for pattern, zh in _SYNTAX_ZH:
        m = pattern.fullmatch(msg)
        if m is not None:
            return m.expand(zh)
    return msg


def _looks_like_toml(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith(("#", "[", "format")) or "=" in head.split("\n", 1)[0]

