"""docs/plan-format.md's key reference lists every key the loader accepts, and the docs stand on their own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from campaignflow.load.expand import GROUP_KEYS
from campaignflow.load.structure import CAMPAIGN_KEYS, CHECKS_KEYS, DOC_KEYS, PAIRING_KEYS, TOP_KEYS, UNIT_KEYS
from campaignflow.load.tasks import AFTER_KEYS, APPROVAL_KEYS, DURATION_KEYS, NEAR_KEYS, REPEAT_KEYS, TASK_KEYS
from campaignflow.load.supervision import LEVEL_KEYS, REMINDER_KEYS, SUPERVISION_KEYS
from campaignflow.load.templates import TEMPLATE_KEYS

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "plan-format.md").read_text(encoding="utf-8")

SECTIONS = {
    "Top level": TOP_KEYS, "`[campaign]`": CAMPAIGN_KEYS, "`[units.ID]`": UNIT_KEYS, "`[groups.ID]`": GROUP_KEYS,
    "`[[pairings]]`": PAIRING_KEYS, "`[tasks.ID]`": TASK_KEYS, "Approval steps": APPROVAL_KEYS,
    "Dependency entries": AFTER_KEYS, "`duration = { … }`": DURATION_KEYS, "`repeat = { … }`": REPEAT_KEYS,
    "`around = { … }`, `eve = { … }`": NEAR_KEYS,
    "`[templates.ID]`": TEMPLATE_KEYS, "`[checks]`": CHECKS_KEYS, "`doc` (annotations)": DOC_KEYS,
    "`[supervision]`": SUPERVISION_KEYS, "Reminders": REMINDER_KEYS, "Levels": LEVEL_KEYS,
}


def _table(heading: str) -> dict[str, list[str]]:
    reference = DOC[DOC.index("## Key reference"):]
    start = reference.index(f"### {heading}")
    end = reference.find("\n### ", start + 1)
    rows: dict[str, list[str]] = {}
    for line in reference[start:end if end > 0 else None].splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        for key in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[key] = cells
    return rows


@pytest.mark.parametrize("heading", list(SECTIONS))
def test_every_key_is_listed_with_a_type_and_a_default(heading):
    rows = _table(heading)
    assert set(rows) == set(SECTIONS[heading]), heading
    for key, cells in rows.items():
        assert len(cells) == 4 and cells[1] and cells[2], (heading, key)


def test_docs_do_not_point_outside_the_repository():
    for path in [REPO / "README.md", *(REPO / "docs").rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert "PLAN_FORMAT" not in text and "shared/DESIGN" not in text and "DESIGN.md" not in text, path
