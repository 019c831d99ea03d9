"""Issue 20: households' names never appear in an export unless asked for; --no-households leaves them out."""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli
from campaignflow.plugins.manager import create_plugin_manager

PLAN = Path(__file__).parent / "runtime" / "data" / "village_households.toml"
NAMES = ("张三家", "李四家", "Zhang San")


def _plan(tmp_path: Path) -> Path:
    # The CLI test's plan, with the household's name also written into a title and a quote.
    text = PLAN.read_text(encoding="utf-8").replace('title = "征求本户同意"\nlead = "hh-zhang"',
                                          'title = "征求张三家同意"\nlead = "hh-zhang"\ndoc = { quote = "张三家同意推介" }')
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _text(data: bytes) -> str:
    """Every text in an export: an office file's XML members, or the file itself (iCalendar lines unfolded)."""
    if data[:2] == b"PK":  # openpyxl writes non-ASCII text as character references: decode them
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return html.unescape("\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()))
    return data.decode("utf-8").replace("\r\n ", "").replace("\n ", "")


EXPORTERS = sorted(create_plugin_manager(entry_points=False, use_env=False).exporters())


def _export(tmp_path: Path, fmt: str, *flags: str) -> str:
    out = tmp_path / f"out-{fmt}-{len(flags)}"
    result = CliRunner().invoke(cli, ["--lang", "zh", "export", str(_plan(tmp_path)), "--format", fmt, "-o", str(out),
                                      *flags], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert all(name not in result.output for name in NAMES)
    return _text(out.read_bytes())


@pytest.mark.parametrize("fmt", EXPORTERS)
def test_no_exporter_shows_a_households_name_unless_asked(tmp_path, fmt):
    hidden = _export(tmp_path, fmt)
    for name in NAMES:
        assert name not in hidden, (fmt, name)
    assert "住户 1" in hidden or "household 1" in hidden or fmt in ("ics",), fmt
    left_out = _export(tmp_path, fmt, "--no-households")
    for text in (*NAMES, "consent-zhang", "consent-li", "住户 1"):
        assert text not in left_out, (fmt, text)
    assert "推介特殊贫困户" in left_out  # the village's own task stays


@pytest.mark.parametrize("fmt", ["json", "xlsx", "mermaid"])
def test_the_names_are_there_when_asked_for(tmp_path, fmt):
    assert "张三家" in _export(tmp_path, fmt, "--household-names")


def test_leaving_households_out_drops_references_to_them():
    from campaignflow import load_plan
    from campaignflow.export.households import without_households

    plan = load_plan(Path(__file__).parents[1] / "plugins" / "lanshan_stats_bureau" / "plan.toml")
    homes = {u for u, unit in plan.units.items() if unit.household}
    assert homes
    out = without_households(plan)
    assert not homes & set(out.units)
    for task in out.tasks.values():
        refs = {task.lead, *task.partners, *task.co_leads, *task.solicits}
        refs |= {u for a in task.approvals for u in a.by} | {u for s in task.reports_to for u in s.to}
        assert not refs & homes, task.id
        assert all(d.task in out.tasks for d in task.after), task.id
    # Lanshan's household gives its consent as an approval step: that step is dropped, the task stays.
    steps = sum(len(t.approvals) for t in plan.tasks.values())
    assert sum(len(t.approvals) for t in out.tasks.values()) < steps and out.tasks.keys() == plan.tasks.keys()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("mistake", ['lead = "张三"', 'lead = "张三户"', 'partners = ["李四"]', 'approvals = [{ by = "hh-zhang" }]',
                                     'lead = "hh-zhang"\nafter = ["nope"]'])
def test_validate_never_names_a_household(tmp_path, lang, mistake):
    text = PLAN.read_text(encoding="utf-8").replace(
        "[tasks.publish]", f'[tasks.extra]\ntitle = "x"\n{mistake}\n' + ('lead = "cun"\n' if "lead" not in mistake else "")
        + "\n[tasks.publish]")
    plan = tmp_path / "plan.toml"
    plan.write_text(text, encoding="utf-8")
    for fmt in ("text", "json", "github"):
        result = CliRunner().invoke(cli, ["--lang", lang, "validate", str(plan), "--format", fmt], catch_exceptions=False)
        assert result.exit_code in (0, 1, 2), result.output
        assert "hh-zhang" in text and "张三家" not in result.output and "李四家" not in result.output, result.output


def test_an_offices_name_is_still_suggested(tmp_path):
    text = PLAN.read_text(encoding="utf-8").replace('lead = "cun"', 'lead = "某村委会"')
    plan = tmp_path / "plan.toml"
    plan.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--lang", "en", "validate", str(plan)], catch_exceptions=False)
    assert "did you mean 'cun'" in result.output
