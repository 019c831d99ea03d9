"""Every exporter given hostile plan text: never a formula, a broken line, an unescaped tag or a crash.

The plans go through the loader (TOML text), so the texts are those a plan file can really
hold, control characters included ("\\u0000" is valid TOML). Each output is read back by a
parser of its own format, and what it says is compared with the plan.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import campaignflow as cf
from campaignflow.export import FORMULA_STARTS, ExportContext, csv_cell, printable

openpyxl = pytest.importorskip("openpyxl")
docx = pytest.importorskip("docx")
icalendar = pytest.importorskip("icalendar")

_NASTY = ["click t_s href \"javascript:alert(1)\"", "%% comment", "section x", "=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>",
          "a\nb", "a\r\nb", "x\rATTACH:http://evil", "; , \\ :", "#", "\"quoted\"", "\\N \\G \\n", "]]>",
          "\x00", "\x1b[31m", "\x7f", "a" * 90, "长" * 40, "&amp; &lt;", "}", "{{unit}}"]

hostile = st.one_of(
    st.sampled_from(_NASTY),
    st.lists(st.sampled_from(_NASTY), min_size=1, max_size=3).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
).filter(lambda s: s.strip() != "")


def _toml(text: str) -> str:
    """A TOML basic string holding ``text`` exactly."""
    return '"' + "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\U{ord(ch):08X}" for ch in text) + '"'


def _plan(title: str, unit: str, name: str) -> cf.Campaign:
    text = f"""
format = 1
[campaign]
id = "c"
name = {_toml(name)}
start = 2016-10-10
end = 2016-10-31
[units.u]
name = {_toml(unit)}
[units.v]
name = {_toml(unit + "2")}
[tasks.t]
title = {_toml(title)}
title_en = {_toml(title)}
section = {_toml("三(一)" + title[:5])}
lead = "u"
partners = ["v"]
due = 2016-10-21
approvals = [{{ by = "v" }}]
[tasks.s]
title = {_toml(title + "2")}
lead = "v"
after = ["t"]
on = 2016-10-25
"""
    return cf.loads(text, plugins=_PLUGINS)


_PLUGINS = cf.create_plugin_manager(entry_points=False, use_env=False)
_LINE_BREAKS = re.compile(r"[\r\n]")


def _check_xlsx(data: bytes, title: str) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_STARTS):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    # An XML reader turns CR into LF: the exporters write LF, so the cell reads back as written.
    assert any(printable(title).replace("\r\n", "\n").replace("\r", "\n") in t for t in texts)


def _check_docx(data: bytes, title: str) -> None:
    table = docx.Document(io.BytesIO(data)).tables[0]
    cells = [c.text for row in table.rows for c in row.cells]
    assert any(printable(title).replace("\r\n", "\n").replace("\r", "\n") in c for c in cells)


def _check_ics(data: bytes, title: str) -> None:
    assert data.endswith(b"\r\n")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line  # folded (RFC 5545 3.1)
        assert b"\n" not in line and b"\r" not in line
        assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", line), line
    cal = icalendar.Calendar.from_ical(data)
    summaries = {str(e["summary"]) for e in cal.walk("VEVENT")}
    # A line break in a title is a line break of the summary (CR LF and a lone CR read as LF);
    # icalendar also takes a backslash-N in a text for RFC 5545's escaped line break.
    expected = printable(title).replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")
    assert expected in summaries, summaries


def _check_html(text: str, title: str) -> None:
    assert "<script" not in text
    for svg in re.findall(r"<svg.*?</svg>", text, flags=re.S):
        ET.fromstring(svg)  # well-formed XML whatever the plan says
    assert re.search(r"(src|href)\s*=", text) is None


def _check_mermaid(text: str, campaign: cf.Campaign) -> None:
    lines = text.rstrip("\n").split("\n")
    # gantt, title, dateFormat, axisFormat, then one section per lead and one line per task
    assert len(lines) == 4 + len({t.lead for t in campaign.tasks.values()}) + len(campaign.tasks)
    for line in lines[1:]:
        assert line.startswith("    ") and not set(line) & set("<>&#;\r")
    for line in lines[4:]:
        if not line.startswith("    section "):
            assert line.count(":") == 1  # the task name ends at its only ':'
            # a name never reads as a directive or a comment (`click t_s href ...`, `%% ...`)
            assert not re.match(r"    (%%|(click|title|section|dateFormat|axisFormat|excludes|includes|todayMarker|"
                                r"tickInterval|weekday|accTitle|accDescr)\b)", line, flags=re.I), line


_DOT_STRING = re.compile(r'"((?:[^"\\\n\r]|\\.)*)"')


def _check_dot(text: str, campaign: cf.Campaign, title: str) -> None:
    lines = text.rstrip("\n").split("\n")
    assert lines[0].startswith("digraph ") and lines[-1] == "}"
    for line in lines[1:-1]:
        rest = _DOT_STRING.sub("S", line)  # every quoted string closes on its own line
        assert '"' not in rest and rest.strip().endswith(";"), line
    labels = [m.group(1) for m in _DOT_STRING.finditer(text)]
    unescaped = [re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), s) for s in labels]
    # The task's label is its id, a line break, its title (a break in the title is a break).
    expected = "t\n" + printable(title).replace("\r\n", "\n").replace("\r", "\n")
    assert expected in unescaped, (expected, unescaped)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile, unit=hostile, name=hostile)
def test_every_exporter_keeps_hostile_text_inert(title, unit, name):
    campaign = _plan(title, unit, name)
    assert campaign.tasks["t"].title == title  # the loader kept it as written
    for lang in (None, "en"):
        ctx = ExportContext(campaign=campaign, plugins=_PLUGINS, document_lang=lang)
        for fmt, exporter in sorted(_PLUGINS.exporters().items()):
            out = exporter().export(ctx)
            if fmt in ("xlsx", "assignment-xlsx"):
                _check_xlsx(out, title)
            elif fmt == "assignment-docx":
                _check_docx(out, title)
            elif fmt == "ics":
                _check_ics(out, title)
            elif fmt == "html":
                _check_html(out, title)
            elif fmt == "mermaid":
                _check_mermaid(out, campaign)
            elif fmt == "dot":
                _check_dot(out, campaign, title)
            elif fmt == "json":
                doc = json.loads(out)
                assert {t["title"] for t in doc["tasks"]} == {title, title + "2"}


@settings(max_examples=60, deadline=None)
@given(title=hostile, unit=hostile)
def test_simulate_csv_never_starts_a_cell_with_a_formula(title, unit):
    from campaignflow.simulate import simulate
    from campaignflow.simulate.render import to_csv

    campaign = _plan(title, unit, "c")
    rows = list(csv.reader(io.StringIO(to_csv(simulate(campaign, plugins=_PLUGINS)), newline="")))
    assert rows[0][0] == "task"
    for row in rows[1:]:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                float(cell)  # only a number (a negative slack) may start with '-'
        lf = title.replace("\r\n", "\n").replace("\r", "\n")  # a CR would end the row: it is an LF
        assert row[-1] in (csv_cell(lf), csv_cell(lf + "2"))


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "+1"), ("-1.5000", "-1.5000"), ("-1+A1", "'-1+A1"), ("@x", "'@x"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-inf", "'-inf"), ("a=b", "a=b"), (3, 3), (None, None),
])
def test_csv_cell(value, expected):
    assert csv_cell(value) == expected


@settings(max_examples=50, deadline=None)
@given(message=hostile, file=hostile)
def test_github_annotations_stay_one_command_each(message, file):
    from campaignflow.cli.report import render_github
    from campaignflow.findings import Finding, Location, Text

    findings = [Finding(code="CF201", severity="error", message=Text(message), location=Location(file, 3, 1))]
    out = render_github(findings, lang="en")
    assert "\n" not in out and "\r" not in out  # one finding, one line: nothing can start a second command
    head, sep, text = out.partition("::")[2].partition("::")
    assert sep and ":" not in head.split(" ", 1)[1].replace("file=", "").replace("line=", "")
    decoded = text.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert decoded == message
