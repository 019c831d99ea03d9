"""任务分工表: a task table's header and rows, read from the lines of a document.

A .docx table reaches the drafter as one line per row, its cells joined by a
full-width space (see ``reader.py``); pasted tables come with tabs, ``|`` or runs
of spaces between the cells. A table starts at a header row that names a task
column (工作任务, 任务内容 …) and at least one owner or time column (牵头单位,
责任单位, 完成时限 …); the rows below it with as many cells belong to it, up to the
first line that is not such a row.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["Cell", "Row", "table_rows"]

# Between cells: a tab, a full-width space, "|" / "｜", or two spaces or more.
_CELL_SEP = re.compile(r"\t+|\u3000+|\s*[|｜]\s*|[ \u00a0]{2,}")
#: Header words of each column role, the first role that matches a header cell wins.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"^(?:序号|编号|序)$")),
    ("lead", re.compile(r"牵头(?:单位|部门)|主责(?:单位|部门)|负责单位")),
    ("partners", re.compile(r"责任(?:单位|部门)|配合(?:单位|部门)|协办单位|参与单位")),
    ("time", re.compile(r"完成(?:时限|时间)|时间(?:节点|安排|要求)?|时限|进度安排|期限")),
    ("task", re.compile(r"任务|工作内容|主要内容|工作事项|重点工作|具体措施|工作措施|事项")),
)


@attrs.frozen
class Cell:
    """One cell of a row: its role (``task``, ``lead``, ``partners``, ``time``, ``number``, ``""``)."""

    role: str
    text: str
    start: int  #: offset of ``text`` in the document


@attrs.frozen
class Row:
    """One row of a task table (the header excluded), with its span in the document."""

    start: int
    end: int
    cells: tuple[Cell, ...]

    def cell(self, role: str) -> Cell | None:
        """The row's cell of ``role``, if the table has that column and the cell is not empty."""
        return next((c for c in self.cells if c.role == role and c.text), None)


def _cells(line: str, base: int) -> list[tuple[str, int]]:
    out, pos = [], 0
    for m in [*_CELL_SEP.finditer(line), None]:
        end = m.start() if m is not None else len(line)
        piece = line[pos:end]
        stripped = piece.strip()
        if stripped:
            out.append((stripped, base + pos + (len(piece) - len(piece.lstrip()))))
        if m is not None:
            pos = m.end()
    return out


def _roles(cells: list[tuple[str, int]]) -> list[str] | None:
    roles = []
    for text, _ in cells:
        # A header cell is a short label: "三、重点工作" or "牵头单位:县工商联" is running text.
        if len(text) > 8 or re.search(r"[:：、，,。；;0-9０-９]", text):
            return None
        roles.append(next((r for r, rx in _ROLES if rx.search(text)), ""))
    if "task" in roles and ({"lead", "partners", "time"} & set(roles)):
        return roles
    return None


def table_rows(text: str) -> tuple[list[Row], list[tuple[int, int]]]:
    """The task tables' rows of ``text``, and the spans of their header lines (neither is running text)."""
    rows: list[Row] = []
    headers: list[tuple[int, int]] = []
    roles: list[str] | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        cells = _cells(body, offset)
        if roles is not None and len(cells) == len(roles):
            rows.append(Row(offset, offset + len(body), tuple(Cell(r, t, s) for r, (t, s) in zip(roles, cells,
                                                                                              strict=True))))
        else:
            roles = _roles(cells) if len(cells) >= 2 else None
            if roles is not None:
                headers.append((offset, offset + len(body)))
        offset += len(line)
    return rows, headers
