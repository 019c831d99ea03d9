"""Unit rosters: ``include = ["units.csv"]`` reads the units of a plan from a CSV or xlsx file.

Offices keep their units (省、市、县、乡镇、村) in spreadsheets; a national plan
is a short TOML file of templates plus a roster of half a million rows. A
roster's first row names its columns: ``id`` and ``name`` are required;
``kind``, ``parent``, ``capacity`` and ``name_en`` are optional (Chinese headers
``编号``、``名称``、``类别``、``上级``、``容量``、``英文名称`` are accepted too). Each
further row is one unit, as if written ``[units.ID]`` in TOML; an empty cell is
an absent key, and rows that are entirely empty are skipped.

The roster becomes one more file of the plan: its units are checked by the
same reader as ``[units.ID]`` tables, and every problem, the roster's own
(an unknown column, a row without an id, an id given twice, a capacity that
is not a number) and the reader's (a bad id, an unknown parent), is located
at the row (as the line) and the column (the cell's position, 1 for the first
column) of the roster. All problems are reported together.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..findings import Location, Text
from .problems import ProblemLog, did_you_mean, show
from .toml import decode

__all__ = ["ROSTER_COLUMNS", "ROSTER_SUFFIXES", "RosterIndex", "is_roster", "read_roster"]

#: File name endings read as rosters rather than TOML.
ROSTER_SUFFIXES = (".csv", ".xlsx")
#: The columns a roster may have: header (English or Chinese) -> unit key.
ROSTER_COLUMNS: dict[str, str] = {
    "id": "id", "name": "name", "kind": "kind", "parent": "parent", "capacity": "capacity", "name_en": "name_en",
    "编号": "id", "名称": "name", "类别": "kind", "上级": "parent", "容量": "capacity", "英文名称": "name_en",
}
_REQUIRED = ("id", "name")
# Encodes (row, column) in one int offset for ``RosterIndex.line_col``.
_SHIFT = 16


def is_roster(path: Path | str) -> bool:
    """Whether an ``include`` entry names a roster (by its ending, case-insensitively)."""
    return str(path).lower().endswith(ROSTER_SUFFIXES)


class RosterIndex:
    """Where the units of a roster stand: the ``TomlIndex`` interface, over rows and columns.

    ``find(("units", ID, KEY))`` gives the cell of ``KEY`` in ``ID``'s row (the row
    itself for a key without a column); ``line_col`` turns it into (row, column).
    """

    def __init__(self, rows: dict[str, int], columns: dict[str, int]) -> None:
        self.rows = rows
        self.columns = columns
        #: Always False: a roster has no text the scanner could fail on (TomlIndex's interface).
        self.broken = False

    def find(self, path: tuple[Any, ...]) -> tuple[int, int] | None:
        """``(depth, offset)`` of the deepest located prefix of ``path``, or ``None``."""
        if not path or path[0] != "units":
            return None
        if len(path) == 1:
            return 1, _at(1, 1)
        row = self.rows.get(path[1]) if isinstance(path[1], str) else None
        if row is None:
            return 1, _at(1, 1)
        if len(path) >= 3 and path[2] in self.columns:
            return 3, _at(row, self.columns[path[2]])
        return 2, _at(row, self.columns.get("id", 1))

    def line_col(self, offset: int) -> tuple[int, int]:
        """The row (1 = the header) and column (1 = the first) of ``offset``."""
        return offset >> _SHIFT, offset & ((1 << _SHIFT) - 1)

    def keys(self) -> set[tuple[Any, ...]]:
        """Every located key path (for tests and tools)."""
        out: set[tuple[Any, ...]] = {("units",)}
        for uid in self.rows:
            out.add(("units", uid))
            out.update(("units", uid, key) for key in self.columns if key != "id")
        return out


def _at(row: int, column: int) -> int:
    return (row << _SHIFT) | min(column, (1 << _SHIFT) - 1)


def read_roster(log: ProblemLog, path: Path, *, max_bytes: int, where: Location) -> tuple[str, dict[str, Any],
                                                                                             RosterIndex] | None:
    """Read the roster at ``path``: ``(name, {"units": {...}}, index)``, or ``None`` if it cannot be read.

    Problems of the file as a whole (missing, too large, not a spreadsheet) are
    placed at ``where`` (the include entry); problems of its rows at their cells.
    """
    name = str(path)

    def fail(code: str, en: str, zh: str, hint: Text | None = None) -> None:
        log.add_problem(Problem(code=code, message=Text(en, zh), location=where, hint=hint))

    data = _read_bytes(path, max_bytes, fail)
    if data is None:
        return None
    if name.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data, name, fail)
    else:
        text = decode(data, name)
        if isinstance(text, Problem):
            log.add_problem(text)
            return None
        rows = _csv_rows(text)
    if rows is None:
        return None
    return _build(log, name, rows)


def _read_bytes(path: Path, max_bytes: int, fail: Any) -> bytes | None:
    name = str(path)
    try:
        if path.is_dir():
            fail("not-a-file", f"'{name}' is a directory, not a roster", f"'{name}' 是目录,不是单位名册")
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                fail("not-a-file", f"'{name}' is not a regular file (a pipe, device or socket), not a roster",
                     f"'{name}' 不是普通文件(管道、设备或套接字),不是单位名册")
                return None
            data = fh.read(max_bytes + 1)
    except ValueError:
        fail("unreadable-file", f"cannot read '{name!r}': the name contains a NUL byte",
             f"无法读取 '{name!r}':文件名含 NUL 字节")
        return None
    except FileNotFoundError:
        fail("file-not-found", f"file '{name}' does not exist", f"文件 '{name}' 不存在")
        return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        fail("unreadable-file", f"cannot read '{name}': {reason}", f"无法读取 '{name}':{reason}")
        return None
    if len(data) > max_bytes:
        mib = f"{max_bytes / (1024 * 1024):.1f} MiB"
        fail("file-too-large", f"'{name}' is larger than the limit of {mib}", f"'{name}' 超过大小上限 {mib}",
             Text("raise the limit (load_plan(max_bytes=...))", "请提高上限(load_plan(max_bytes=...))"))
        return None
    return data


def _csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, cells)``; a quoted cell may span lines, the row is where its record starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _xlsx_rows(data: bytes, name: str, fail: Any) -> Iterable[tuple[int, list[Any]]] | None:
    try:
        import openpyxl
    except ImportError:
        fail("missing-dependency", f"reading the xlsx roster '{name}' needs openpyxl",
             f"读取 xlsx 单位名册 '{name}' 需要 openpyxl",
             Text("pip install 'campaignflow[roster]', or save the roster as CSV (UTF-8)",
                  "请执行 pip install 'campaignflow[roster]',或将名册另存为 CSV(UTF-8)"))
        return None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [(i, list(cells)) for i, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
        book.close()
    except Exception as exc:  # noqa: BLE001 - zipfile, XML and openpyxl errors all mean "not a workbook"
        fail("not-a-roster", f"'{name}' is not a readable xlsx workbook: {type(exc).__name__}",
             f"'{name}' 不是可读取的 xlsx 工作簿:{type(exc).__name__}",
             Text("save it from the spreadsheet program as .xlsx, or as CSV (UTF-8)",
                  "请在电子表格软件中另存为 .xlsx 或 CSV(UTF-8)"))
        return None
    return rows


def _cell(value: Any) -> Any:
    """A cell as the TOML value it stands for: text stripped, whole numbers as text for ids."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _build(log: ProblemLog, name: str, rows: Iterable[tuple[int, list[Any]]]) -> tuple[str, dict[str, Any],
                                                                                      RosterIndex] | None:
    def problem(code: str, en: str, zh: str, row: int, column: int, key: str, hint: Text | None = None) -> None:
        log.add_problem(Problem(code=code, message=Text(en, zh), location=Location(name, row, column, key), hint=hint))

    it = iter(rows)
    header: list[Any] | None = None
    header_row = 1
    for header_row, cells in it:
        if any(_cell(c) is not None for c in cells):
            header = cells
            break
    if header is None:
        problem("empty-roster", "the roster has no header row (id, name, kind, parent, capacity)",
                "单位名册没有表头行(id、name、kind、parent、capacity)", 1, 1, "units")
        return None
    columns: dict[str, int] = {}  # unit key -> 1-based column
    keep: list[tuple[int, str]] = []  # (0-based cell position, unit key)
    ok = True
    for j, raw in enumerate(header):
        title = _cell(raw)
        if title is None:
            continue
        label = str(title)
        key = ROSTER_COLUMNS.get(label.lower()) or ROSTER_COLUMNS.get(label)
        if key is None:
            problem("unknown-key", f"unknown roster column '{label}'", f"未知的名册列 '{label}'", header_row, j + 1,
                    "units", did_you_mean(label, list(ROSTER_COLUMNS)))
            ok = False
            continue
        if key in columns:
            problem("duplicate-key", f"column '{label}' is given twice (also column {columns[key]})",
                    f"列 '{label}' 重复(另见第 {columns[key]} 列)", header_row, j + 1, "units")
            ok = False
            continue
        columns[key] = j + 1
        keep.append((j, key))
    for key in _REQUIRED:
        if key not in columns:
            problem("missing-key", f"the roster has no '{key}' column", f"单位名册缺少 '{key}' 列", header_row, 1,
                    "units", Text("the first row names the columns: id, name, kind, parent, capacity",
                                  "第一行为列名:id、name、kind、parent、capacity"))
            ok = False
    if not ok:
        return None
    id_pos = columns["id"] - 1
    units: dict[str, dict[str, Any]] = {}
    where: dict[str, int] = {}
    for row, cells in it:
        table: dict[str, Any] = {}
        for j, key in keep:
            value = _cell(cells[j]) if j < len(cells) else None
            if value is not None:
                table[key] = value
        extra = [c for c in cells[len(header):] if _cell(c) is not None]
        if not table and not extra:
            continue  # an empty row
        if extra:
            problem("unknown-key", f"row {row} has more cells than the header has columns",
                    f"第 {row} 行的单元格多于表头的列数", row, len(header) + 1, "units")
        uid = table.pop("id", None)
        if uid is None:
            problem("missing-key", f"row {row} has no id", f"第 {row} 行缺少 id", row, id_pos + 1, "units")
            continue
        if not isinstance(uid, str):
            uid = str(uid)  # an administrative code typed as a number
        if uid in where:
            problem("duplicate-key", f"unit '{uid}' is given twice: here and in row {where[uid]}",
                    f"单位 '{uid}' 重复:此处以及第 {where[uid]} 行", row, id_pos + 1, f"units.{uid}")
            continue
        for key in ("name", "name_en", "kind", "parent"):
            value = table.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                table[key] = str(value)  # a numeric code; a date stays one, for the unit reader to report
        capacity = table.get("capacity")
        if isinstance(capacity, str):
            number = _int(capacity)
            if number is None:
                problem("wrong-type", f"expected a whole number from 1 up, got {show(capacity)}",
                        f"应为从 1 起的整数,实际为 {show(capacity)}", row, columns["capacity"], f"units.{uid}.capacity")
                del table["capacity"]
            else:
                table["capacity"] = number
        where[uid] = row
        units[uid] = table
    return name, {"units": units}, RosterIndex(where, columns)


def _int(text: str) -> int | None:
    try:
        return int(text.replace(",", "").replace("_", ""))
    except ValueError:
        return None
