"""The 任务分工表 and 台账 (xlsx, docx), and the xlsx print layout, read back and opened in LibreOffice."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import campaignflow as cf
from campaignflow.export import ExportContext
from campaignflow.export.assignment import (
    assignment_table, deadline_text, docx_task_ids, section_key, unit_ledger,
)
from campaignflow.model import Campaign, Task, Unit, Window
from needs import unavailable

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted(p.parent.name for p in (ROOT / "plugins").glob("*/plan.toml"))
#: Where the rendered first pages are kept for a person to look at.
PICTURES = Path(os.environ.get("CAMPAIGNFLOW_PICTURES", ROOT / "build" / "office-pictures"))

openpyxl = pytest.importorskip("openpyxl")
docx = pytest.importorskip("docx")


@pytest.fixture(scope="module")
def plugins():
    return cf.create_plugin_manager()


@pytest.fixture(scope="module")
def contexts(plugins):
    return {
        seed: ExportContext(campaign=cf.load_plan(ROOT / "plugins" / seed / "plan.toml", plugins=plugins),
                            plugins=plugins)
        for seed in SEEDS
    }


def _export(ctx, name, lang=None):
    ctx = ExportContext(campaign=ctx.campaign, plugins=ctx.plugins, lang=ctx.lang, document_lang=lang)
    return ctx.plugins.exporters()[name]().export(ctx)


def _xlsx_rows(data: bytes, sheet: int = 0):
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[sheet]
    return list(ws.iter_rows(min_row=3, values_only=True))


@pytest.mark.parametrize("seed", SEEDS)
def test_xlsx_has_one_row_per_task_in_section_order_with_names(contexts, seed):
    c = contexts[seed].campaign
    rows = _xlsx_rows(_export(contexts[seed], "assignment-xlsx"))
    task_rows = [r for r in rows if r[6] is not None]
    heads = [r[0] for r in rows if r[6] is None]
    assert sorted(r[6] for r in task_rows) == sorted(c.tasks)  # one row per task, ids kept
    assert [r[0] for r in task_rows] == list(range(1, len(c.tasks) + 1))
    keys = [section_key(c.tasks[r[6]].section) for r in task_rows]
    assert keys == sorted(keys)  # sections in document order
    assert len(heads) == len(set(heads))  # each part once
    ids = set(c.units) - {u.name for u in c.units.values()}
    for r in task_rows:
        task = c.tasks[r[6]]
        assert r[2] == c.units[task.lead].name
        assert not set(str(r[3] or "").split("、")) & ids
        assert task.title in r[1]
        if task.section:
            assert r[1].startswith(task.section)


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_table_matches_the_xlsx(contexts, seed):
    ctx = contexts[seed]
    xrows = _xlsx_rows(_export(ctx, "assignment-xlsx"))
    data = _export(ctx, "assignment-docx")
    table = docx.Document(io.BytesIO(data)).tables[0]
    drows = [[_visible(cell) for cell in row.cells] for row in table.rows[1:]]
    assert len(drows) == len(xrows)
    for d, x in zip(drows, xrows, strict=True):
        if x[6] is None:  # a part's merged row
            assert set(d) == {x[0]}
        else:
            assert d == [str(x[0]), x[1], x[2], x[3] or "", x[4], x[5] or ""]
    # each row carries its task's id, hidden, so it can be traced back to the plan
    assert docx_task_ids(data) == [x[6] for x in xrows]


def _visible(cell) -> str:
    return "\n".join("".join(r.text for r in p.runs if not r.font.hidden) for p in cell.paragraphs)


def test_english_where_the_plan_gives_it(contexts):
    c = contexts["lanshan_stats_bureau"].campaign
    rows = [r for r in _xlsx_rows(_export(contexts["lanshan_stats_bureau"], "assignment-xlsx", "en")) if r[6]]
    for r in rows:
        task = c.tasks[r[6]]
        assert (task.title_en or task.title) in r[1]
        assert r[2] == (c.units[task.lead].name_en or c.units[task.lead].name)


def test_ledger_sheet_lists_every_task_of_each_unit(contexts):
    ctx = contexts["anhui_2020"]
    c = ctx.campaign
    rows = _xlsx_rows(_export(ctx, "assignment-xlsx"), sheet=1)
    for uid, unit in c.units.items():
        mine = [r[6] for r in rows if r[1] == unit.name]
        expected = [t.id for t in c.tasks.values() if t.lead == uid or uid in c.expand(t.partners)]
        assert mine == expected == [r.task_id for r in unit_ledger(c, uid)]


def _campaign(*tasks: Task, start=date(2016, 1, 1), end=date(2016, 12, 31)) -> Campaign:
    return Campaign(id="c", name="测试", start=start, end=end,
                    units={"u": Unit(id="u", name="县扶贫办")}, tasks={t.id: t for t in tasks})


@pytest.mark.parametrize(("window", "zh", "en"), [
    (Window(on=date(2016, 10, 17)), "10月17日", "Oct 17"),
    (Window(due=date(2016, 10, 22)), "10月22日前", "by Oct 22"),
    (Window(due=datetime(2016, 9, 30, 12)), "9月30日12:00前", "by Sep 30 12:00"),
    (Window(start=date(2016, 7, 1), due=date(2016, 9, 30)), "三季度", "Q3"),
    (Window(start=date(2016, 10, 1), due=date(2016, 12, 31)), "四季度", "Q4"),
    (Window(start=date(2016, 1, 1), due=date(2016, 12, 31)), "全年", "all year"),
    (Window(), "全年", "all year"),
    (Window(due=date(2017, 1, 10)), "2017年1月10日前", "by Jan 10, 2017"),
])
def test_deadline_as_the_document_writes_it(window, zh, en):
    task = Task(id="t", title="t", lead="u", window=window)
    c = _campaign(task)
    assert deadline_text(task, c) == zh
    assert deadline_text(task, c, "en") == en


def test_no_deadline_in_a_short_campaign_is_during_the_campaign():
    task = Task(id="t", title="t", lead="u")
    assert deadline_text(task, _campaign(task, end=date(2016, 3, 1))) == "活动期间"


_printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(title=st.one_of(_printable, st.sampled_from("=+-@").flatmap(lambda p: _printable.map(lambda s: p + s))))
def test_every_title_is_written_as_text_never_a_formula(title):
    c = _campaign(Task(id="t", title=title, lead="u"))
    plugins = cf.create_plugin_manager(entry_points=False, use_env=False)
    ctx = ExportContext(campaign=c, plugins=plugins)
    for name, col in (("assignment-xlsx", 2), ("xlsx", 3)):
        ws = openpyxl.load_workbook(io.BytesIO(_export(ctx, name))).worksheets[0]
        cells = [cell for row in ws.iter_rows() for cell in row if cell.column == col and cell.value is not None]
        cell = cells[-1]
        assert cell.data_type == "s"
        assert cell.value.endswith(title)
    table = docx.Document(io.BytesIO(_export(ctx, "assignment-docx"))).tables[0]
    assert _visible(table.rows[-1].cells[1]) == title


def test_sections_group_in_document_order():
    tasks = [Task(id=f"t{i}", title=str(i), lead="u", section=s)
             for i, s in enumerate(["四(一)", "三(五)1", None, "三(二)", "十二", "三(十)"])]
    sections = assignment_table(_campaign(*tasks))
    assert [s.heading for s in sections] == ["三", "四", "十二", "其他"]
    assert [r.section for r in sections[0].rows] == ["三(二)", "三(五)1", "三(十)"]


# -- a real office suite ---------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (Debian: libreoffice-calc libreoffice-writer poppler-utils)")
    return path


@pytest.fixture(scope="module")
def office_pdfs(contexts, tmp_path_factory):
    """Every seed's 任务分工表 (xlsx, docx) and plain xlsx, converted to PDF in one LibreOffice run."""
    soffice = _tool("soffice")
    _tool("pdftotext")
    _tool("pdftoppm")
    out = tmp_path_factory.mktemp("office")
    files = []
    for seed, ctx in contexts.items():
        for name, suffix in (("assignment-xlsx", "xlsx"), ("assignment-docx", "docx"), ("xlsx", "xlsx")):
            path = out / f"{seed}-{name}.{suffix}"
            path.write_bytes(_export(ctx, name))
            files.append(path)
    profile = out / "profile"  # a private profile: no clash with a running office
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=240)
    return {f.stem: f.with_suffix(".pdf") for f in files}


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _ink(pdf: Path, keep: Path) -> float:
    """Share of non-white pixels on the first page; keeps a PNG of that page at ``keep``."""
    keep.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(keep.with_suffix(""))], check=True)
    pgm = subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", "-singlefile", str(pdf)],
                         check=True, capture_output=True).stdout
    # Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
    header = pgm.split(maxsplit=4)
    pixels = header[4]
    return sum(1 for b in pixels if b < 200) / len(pixels)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fmt", ["assignment-xlsx", "assignment-docx"])
def test_libreoffice_renders_the_assignment_table(office_pdfs, contexts, seed, fmt):
    c = contexts[seed].campaign
    pdf = office_pdfs[f"{seed}-{fmt}"]
    text = "".join(_text(pdf).split())  # wrapped cells break words across lines
    assert "任务分工表" in text and "牵头单位" in text and "完成时限" in text
    for task in c.tasks.values():
        assert "".join(c.units[task.lead].name.split()) in text
        assert "".join(task.title.split())[:6] in text
    if fmt == "assignment-docx":  # the ids are hidden text: on no printed page
        assert not [t for t in c.tasks if len(t) > 6 and t in text]
    assert _ink(pdf, PICTURES / f"{seed}-{fmt}.png") > 0.002


@pytest.mark.parametrize("seed", SEEDS)
def test_libreoffice_prints_whole_dates_in_the_plain_xlsx(office_pdfs, contexts, seed):
    text = _text(office_pdfs[f"{seed}-xlsx"])
    assert "###" not in text
    first = contexts[seed].schedule.tasks[0] if hasattr(contexts[seed].schedule, "tasks") else next(
        iter(contexts[seed].schedule))
    assert first.start.strftime("%Y-%m-%d") in text
    assert _ink(office_pdfs[f"{seed}-xlsx"], PICTURES / f"{seed}-xlsx.png") > 0.002
