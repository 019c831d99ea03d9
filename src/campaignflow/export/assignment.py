"""Built-in plugin: the 任务分工表 (task assignment table) and the per-unit 台账, as xlsx and docx.

The 任务分工表 is the attachment every 工作方案 carries: 序号, 工作任务 (with the
plan's section numbering), 牵头单位, 责任单位, 完成时限 and 备注, grouped by section,
with unit *names* and deadlines written the way the document writes them
("10月22日前", "三季度", "全年"). The rows are computed once (:func:`assignment_table`)
and written by two exporters, so the workbook and the Word table always agree.

Task ids stay for programs and for tracing a row back to the plan: in the workbook a last,
hidden column ``编号 id``; in the Word table hidden text after each row's 序号 (see
:func:`docx_task_ids`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from ..model import Campaign, Moment, Task
from ..plugins import hookimpl
from . import FORMULA_STARTS, ExportContext, Exporter, ExportError, printable

__all__ = [
    "AssignmentRow",
    "AssignmentSection",
    "assignment_table",
    "unit_ledger",
    "deadline_text",
    "section_key",
    "AssignmentXlsxExporter",
    "AssignmentDocxExporter",
    "print_layout",
    "guard_formulas",
    "docx_task_ids",
    "office_text",
    "office_append",
]

_QUARTERS_ZH = ("一季度", "二季度", "三季度", "四季度")
_NUMERAL_HEAD = re.compile(r"^[一二三四五六七八九十百]+")


@attrs.frozen
class AssignmentRow:
    """One row of the 任务分工表: one task, with names and a deadline as the document writes them."""

    number: int
    task_id: str
    section: str | None
    title: str
    lead: str
    partners: str
    deadline: str
    note: str = ""

    @property
    def work(self) -> str:
        """The 工作任务 cell: the section numbering, then the title."""
        return f"{self.section} {self.title}" if self.section else self.title


@attrs.frozen
class AssignmentSection:
    """A part of the plan (``三`` of ``三(二)1``) and its rows, in plan order."""

    heading: str
    rows: tuple[AssignmentRow, ...]


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _numeral(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20; Arabic digits as they are."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return _DIGITS.get(text, 0)


def section_key(section: str | None) -> tuple[int, ...]:
    """Sort key of a section number: 三(二)1 → (3, 2, 1); no section sorts last."""
    if not section:
        return (10**6,)
    parts = re.findall(r"[0-9]+|[零一二三四五六七八九十]+", section)
    return tuple(_numeral(p) for p in parts) or (10**6 - 1,)


def _head(section: str | None) -> str:
    if not section:
        return ""
    m = _NUMERAL_HEAD.match(section)
    return m.group(0) if m else section.split("(")[0].split("(")[0]


def _unit_text(campaign: Campaign, refs: Iterable[str], lang: str) -> str:
    # A group with a name is written as the document writes it ("各县区"), not as its members.
    names: list[str] = []
    for ref in refs:
        unit = campaign.units.get(ref)
        group = campaign.groups.get(ref)
        if unit is not None:
            names.append(unit.name_en if lang == "en" and unit.name_en else unit.name)
        elif group is not None and group.name:
            names.append(group.name)
        elif group is not None:
            names.extend(_unit_text(campaign, (u,), lang) for u in group.units)
        else:
            names.append(ref)
    seen = dict.fromkeys(n for n in names if n)
    return _SEP[lang].join(seen)


_SEP = {"zh": "、", "en": ", "}


def _day(moment: Moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _md(moment: Moment, campaign: Campaign, lang: str) -> str:
    d = _day(moment)
    same_year = d.year == _day(campaign.start).year
    if lang == "en":
        text = d.strftime("%b %d").replace(" 0", " ") + ("" if same_year else f", {d.year}")
    else:
        text = ("" if same_year else f"{d.year}年") + f"{d.month}月{d.day}日"
    if isinstance(moment, datetime) and (moment.hour, moment.minute) != (0, 0):
        text += f" {moment:%H:%M}" if lang == "en" else f"{moment.hour}:{moment.minute:02d}"
    return text


def _quarter(start: date, due: date) -> int | None:
    q = (start.month - 1) // 3
    first = date(start.year, 3 * q + 1, 1)
    last = date(start.year + (q == 3), (3 * q + 3) % 12 + 1, 1) - timedelta(days=1)
    return q if (start, due) == (first, last) else None


def deadline_text(task: Task, campaign: Campaign, lang: str = "zh") -> str:
    """The 完成时限 of ``task`` as a document writes it.

    ``on`` → "10月17日"; a due date → "10月22日前" (a due moment keeps its time,
    "9月30日12:00前"); a window of a whole quarter → "三季度"; of the whole
    year → "全年"; no deadline → "全年" for a campaign of a year, else "活动期间".
    A deadline is shown as the day written in the plan, not the instant after it.
    """
    en = lang == "en"
    w = task.window
    if w.on is not None:
        return _md(w.on, campaign, lang)
    if w.due is None:
        span = _day(campaign.end) - _day(campaign.start)
        if span.days >= 360:
            return "all year" if en else "全年"
        return "during the campaign" if en else "活动期间"
    due = _day(w.due)
    start = _day(w.start) if w.start is not None else _day(campaign.start)
    if not isinstance(w.due, datetime):
        if (start.month, start.day, due.month, due.day) == (1, 1, 12, 31) and start.year == due.year:
            return "all year" if en else "全年"
        q = _quarter(start, due)
        if q is not None:
            return f"Q{q + 1}" if en else _QUARTERS_ZH[q]
    text = _md(w.due, campaign, lang)
    return f"by {text}" if en else f"{text}前"


def _title(task: Task, lang: str) -> str:
    return task.title_en if lang == "en" and task.title_en else task.title


def _row(number: int, task: Task, campaign: Campaign, lang: str) -> AssignmentRow:
    note = ""
    if task.approvals:
        by = "; ".join(_unit_text(campaign, a.by, lang) for a in task.approvals)
        note = f"approved by {by}" if lang == "en" else f"报{by}审核"
    return AssignmentRow(
        number=number,
        task_id=task.id,
        section=task.section,
        title=_title(task, lang),
        lead=_unit_text(campaign, (task.lead,), lang),
        partners=_unit_text(campaign, task.partners, lang),
        deadline=deadline_text(task, campaign, lang),
        note=note,
    )


def assignment_table(campaign: Campaign, lang: str = "zh") -> tuple[AssignmentSection, ...]:
    """The 任务分工表 of ``campaign``: one row per task, grouped by the plan's parts, in document order.

    Parts and tasks are in the order of their section numbers (三 before 四, 三(二) before
    三(五)1), tasks of one section in plan order; tasks without a section form a last part
    headed "其他" ("other"). Rows are numbered 1, 2, … across the whole table.
    """
    groups: dict[str, list[Task]] = {}
    # sorted() is stable: tasks of one section keep their plan order.
    for task in sorted(campaign.tasks.values(), key=lambda t: section_key(t.section)):
        groups.setdefault(_head(task.section), []).append(task)
    sections: list[AssignmentSection] = []
    n = 0
    for head, tasks in groups.items():
        rows = []
        for task in tasks:
            n += 1
            rows.append(_row(n, task, campaign, lang))
        heading = head or ("other" if lang == "en" else "其他")
        sections.append(AssignmentSection(heading=heading, rows=tuple(rows)))
    return tuple(sections)


def unit_ledger(campaign: Campaign, unit: str, lang: str = "zh") -> tuple[AssignmentRow, ...]:
    """The 台账 of one unit: every task it leads or takes part in (groups expanded), in plan order."""
    rows: list[AssignmentRow] = []
    for task in campaign.tasks.values():
        if task.lead == unit or unit in campaign.expand(task.partners):
            rows.append(_row(len(rows) + 1, task, campaign, lang))
    return tuple(rows)


def office_text(text: str) -> str:
    """``text`` as an office file can hold it: no control characters, line breaks as LF.

    XML cannot carry NUL or ESC, and an XML reader turns a CR into an LF anyway: writing LF
    means a cell reads back as what was written.
    """
    return printable(text).replace("\r\n", "\n").replace("\r", "\n")


def office_append(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append(values)``, with every text passed through :func:`office_text`."""
    ws.append(tuple(office_text(v) if isinstance(v, str) else v for v in values))


def guard_formulas(ws: Any) -> int:
    """Keep every text cell of ``ws`` that begins with ``=``, ``+``, ``-``, ``@``, a tab or a CR a text.

    openpyxl stores a string beginning with ``=`` as a formula, and an office re-reads an
    edited cell beginning with any of the four as one; the cell is typed as a string and
    given the quote prefix an office itself uses (what typing ``'=1+1`` does). Returns
    how many cells were guarded.
    """
    n = 0
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True
                n += 1
    return n


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = f"this export needs the optional package {module!r}: pip install 'campaignflow[export]'"
        raise ExportError(msg) from exc


def print_layout(ws: Any, widths: Iterable[float], *, header_row: int, wrap_from: int = 1) -> None:
    """Make a worksheet print on A4 landscape, one page wide, its header repeated on every page.

    ``widths`` are the columns' widths in characters (a CJK character counts as two);
    every cell from row ``wrap_from`` wraps, so a long title grows its row rather than
    being cut, and no date column prints ``###``.
    """
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    widths = tuple(widths)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    merged = {r.min_row for r in ws.merged_cells.ranges}
    for row in ws.iter_rows(min_row=wrap_from):
        lines = 1
        for cell in row:
            old = cell.alignment
            cell.alignment = Alignment(wrap_text=True, vertical="center",
                                       horizontal=old.horizontal if old is not None else None)
            if cell.value is not None and cell.column <= len(widths) and cell.row not in merged:
                lines = max(lines, _lines(str(cell.value), widths[cell.column - 1]))
        # An office does not grow a row for wrapped text on opening a file; give it the height.
        ws.row_dimensions[row[0].row].height = 15 * lines + 3
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5


def _text_width(text: str) -> int:
    """Width of ``text`` in character cells: a CJK (wide) character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(1.0, width - 1.5)  # cell padding
    return sum(max(1, -(-_text_width(part) // int(usable))) for part in text.split("\n"))


_HEAD = {
    "zh": ("序号", "工作任务", "牵头单位", "责任单位", "完成时限", "备注", "编号 id"),
    "en": ("No.", "Task", "Lead unit", "Partner units", "Deadline", "Remarks", "id"),
}
_WIDTHS = (6, 52, 22, 34, 16, 18, 14)
_LEDGER_HEAD = {
    "zh": ("序号", "单位", "职责", "工作任务", "完成时限", "备注", "编号 id"),
    "en": ("No.", "Unit", "Role", "Task", "Deadline", "Remarks", "id"),
}


def _lang(ctx: ExportContext) -> str:
    return "en" if ctx.document_lang == "en" else "zh"


def _title_text(campaign: Campaign, lang: str, what: str) -> str:
    name = campaign.name_en if lang == "en" and campaign.name_en else campaign.name
    if lang == "en":
        return f"{name}: {'task assignment table' if what == 'table' else 'ledger by unit'}"
    return f"{name}任务分工表" if what == "table" else f"{name}任务台账(按单位)"


class AssignmentXlsxExporter(Exporter):
    """The 任务分工表 as an Excel workbook (sheet 任务分工表), with the 台账 by unit (sheet 台账).

    A title row with the campaign name, a frozen header repeated on every printed page,
    one merged row per part of the plan, wrapped text, A4 landscape one page wide.
    """

    name = "assignment-xlsx"
    suffix = ".xlsx"
    description = "任务分工表 and per-unit 台账 as an Excel workbook (needs the 'export' extra)"
    binary = True

    def export(self, ctx: ExportContext) -> bytes:
        openpyxl = _require("openpyxl")
        from openpyxl.styles import Alignment, Border, Font, Side

        lang = _lang(ctx)
        c = ctx.campaign
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Assignments" if lang == "en" else "任务分工表"
        thin = Side(style="thin")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        head = _HEAD[lang]

        def title(sheet: Any, text: str) -> None:
            office_append(sheet, (text,))
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head) - 1)
            sheet["A1"].font = Font(size=16, bold=True)
            sheet["A1"].alignment = Alignment(horizontal="center")
            sheet.row_dimensions[1].height = 30

        def header(sheet: Any, cells: tuple[str, ...]) -> None:
            office_append(sheet, cells)
            for cell in sheet[2]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center")

        title(ws, _title_text(c, lang, "table"))
        header(ws, head)
        for section in assignment_table(c, lang):
            office_append(ws, (section.heading,))
            r = ws.max_row
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(head) - 1)
            ws.cell(row=r, column=1).font = Font(bold=True)
            for row in section.rows:
                office_append(ws, (row.number, row.work, row.lead, row.partners, row.deadline, row.note, row.task_id))
        print_layout(ws, _WIDTHS, header_row=2, wrap_from=2)
        ws.column_dimensions["G"].hidden = True  # ids are for programs, not for the printed page
        for row in ws.iter_rows(min_row=2, max_col=len(head) - 1):
            for cell in row:
                cell.border = border
        for cell in ws["A"][2:]:
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

        ledger = wb.create_sheet("Ledger" if lang == "en" else "台账")
        title(ledger, _title_text(c, lang, "ledger"))
        header(ledger, _LEDGER_HEAD[lang])
        roles = {"zh": ("牵头", "参与"), "en": ("lead", "partner")}[lang]
        for uid, unit in c.units.items():
            rows = unit_ledger(c, uid, lang)
            if not rows:
                continue
            uname = unit.name_en if lang == "en" and unit.name_en else unit.name
            for row in rows:
                role = roles[0] if c.tasks[row.task_id].lead == uid else roles[1]
                office_append(ledger, (row.number, uname, role, row.work, row.deadline, row.note, row.task_id))
        print_layout(ledger, (6, 22, 8, 56, 16, 18, 14), header_row=2, wrap_from=2)
        ledger.column_dimensions["G"].hidden = True
        for sheet in (ws, ledger):
            guard_formulas(sheet)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()


def _cell_shading(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _run_font(run: Any, east_asia: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def _hidden_id(cell: Any, task_id: str) -> None:
    """The task's id as hidden text after the 序号, so a row can be traced back to the plan.

    Hidden text (``w:vanish``) is neither shown nor printed unless the reader turns on
    "show hidden text", and it stays with the row when a clerk copies, sorts or pastes it.
    """
    run = cell.paragraphs[0].add_run(f" {task_id}")
    run.font.hidden = True
    run.font.size = cell.paragraphs[0].runs[0].font.size


class AssignmentDocxExporter(Exporter):
    """The 任务分工表 as a Word document: a bordered table in the usual official-document style.

    A4 landscape; the title in 方正小标宋 (黑体 where that is missing), the table in 仿宋;
    the header row repeats on every page; each part of the plan is a merged, shaded row.
    """

    name = "assignment-docx"
    suffix = ".docx"
    description = "任务分工表 as a Word document (needs the 'export' extra)"
    binary = True

    def export(self, ctx: ExportContext) -> bytes:
        docx = _require("docx")
        from docx.enum.section import WD_ORIENT
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm

        lang = _lang(ctx)
        c = ctx.campaign
        doc = docx.Document()
        sec = doc.sections[0]
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
        for side in ("left_margin", "right_margin"):
            setattr(sec, side, Cm(2.0))
        sec.top_margin = sec.bottom_margin = Cm(2.0)

        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run_font(p.add_run(office_text(_title_text(c, lang, "table"))), "方正小标宋简体", 18)

        head = _HEAD[lang][:6]
        widths = (Cm(1.4), Cm(9.5), Cm(4.0), Cm(5.6), Cm(2.8), Cm(2.4))
        table = doc.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        hdr = table.rows[0]
        # Word repeats a row marked tblHeader at the top of every page the table runs onto.
        tr_pr = hdr._tr.get_or_add_trPr()
        mark = OxmlElement("w:tblHeader")
        mark.set(qn("w:val"), "true")
        tr_pr.append(mark)
        for cell, text in zip(hdr.cells, head, strict=True):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run_font(cell.paragraphs[0].add_run(office_text(text)), "黑体", 12, bold=True)
            _cell_shading(cell, "D9D9D9")
        for section in assignment_table(c, lang):
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1])
            _run_font(merged.paragraphs[0].add_run(office_text(section.heading)), "黑体", 12, bold=True)
            _cell_shading(merged, "F2F2F2")
            for r in section.rows:
                cells = table.add_row().cells
                values = (str(r.number), r.work, r.lead, r.partners, r.deadline, r.note)
                for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
                    if i in (0, 4):
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                    _run_font(cell.paragraphs[0].add_run(office_text(text)), "仿宋_GB2312", 11)
                _hidden_id(cells[0], r.task_id)
        # Word reads the cells' widths, LibreOffice the table grid: set both.
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for row in table.rows:
            for tc, width in zip(row._tr.tc_lst, widths, strict=False):
                tc.width = width
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()


def docx_task_ids(data: bytes) -> list[str | None]:
    """The task id of each row of the 任务分工表 in a docx made by ``assignment-docx``.

    One entry per table row after the header, ``None`` for a part's heading row; the ids
    are read from the hidden text after each 序号.
    """
    docx = _require("docx")
    table = docx.Document(io.BytesIO(data)).tables[0]
    ids: list[str | None] = []
    for row in table.rows[1:]:
        hidden = [run.text for run in row.cells[0].paragraphs[0].runs if run.font.hidden]
        ids.append("".join(hidden).strip() or None)
    return ids


@hookimpl
def campaignflow_register_exporters() -> list[type[Exporter]]:
    return [AssignmentXlsxExporter, AssignmentDocxExporter]
