"""Every check has a page; every page's example triggers exactly its check, and its fix does not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from checks_support import builtin_plugins

import campaignflow as cf
from campaignflow.findings import Severity

DOCS = Path(__file__).resolve().parents[2] / "docs" / "checks"
_TOML_BLOCK = re.compile(r"^```toml\n(.*?)^```", re.S | re.M)


def _builtin_codes() -> list[str]:
    return sorted(code for code in builtin_plugins().checks() if code.startswith("CF"))


def _examples(code: str) -> tuple[str, str]:
    blocks = _TOML_BLOCK.findall((DOCS / f"{code}.md").read_text(encoding="utf-8"))
    assert len(blocks) == 2, f"{code}.md must have a triggering example and its fix (two toml blocks)"
    return blocks[0], blocks[1]


def _validate(tmp_path: Path, text: str, name: str) -> list[cf.Finding]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    campaign = cf.load_plan(path)
    return cf.validate(campaign, plugins=builtin_plugins())


def test_every_check_has_a_page_and_every_page_a_check():
    pages = sorted(p.stem for p in DOCS.glob("CF*.md"))
    assert pages == _builtin_codes()


def test_index_lists_every_check_with_name_severity_and_both_summaries():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    checks = builtin_plugins().checks()
    rows = re.findall(r"^\| \[(CF\d+)\]\(CF\d+\.md\) \| `([^`]+)` \| (\w+) \| (.+?) \| (.+?) \|$", index, re.M)
    assert [r[0] for r in rows] == _builtin_codes()
    for code, name, severity, en, zh in rows:
        cls = checks[code]
        assert (name, severity, en, zh) == (cls.name, str(cls.default_severity), cls.summary.en, cls.summary.zh)


@pytest.mark.parametrize("code", _builtin_codes())
def test_page_example_triggers_exactly_its_check(code, tmp_path):
    trigger, fixed = _examples(code)
    findings = _validate(tmp_path, trigger, "trigger.toml")
    assert code in {f.code for f in findings}
    others = {f.code for f in findings if f.severity == Severity.ERROR and f.code != code}
    assert others == set(), [str(f.message) for f in findings if f.code in others]
    # The page shows the message; it must be what the check says (line breaks aside).
    page = " ".join((DOCS / f"{code}.md").read_text(encoding="utf-8").split())
    first = next(f for f in findings if f.code == code)
    assert first.location.line is not None, "the example's finding should be located in the file"
    assert f"`{first.location.key_path}`" in page
    assert " ".join(first.message.en.split(":")[0].split()) in page


@pytest.mark.parametrize("code", _builtin_codes())
def test_page_fix_clears_its_check_and_every_error(code, tmp_path):
    _, fixed = _examples(code)
    findings = _validate(tmp_path, fixed, "fixed.toml")
    assert {f.code for f in findings} & {code} == set()
    assert [f.code for f in findings if f.severity == Severity.ERROR] == []
