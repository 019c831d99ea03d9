"""References to plans that plugins contribute."""

from __future__ import annotations

import sys
from pathlib import Path

import attrs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["PlanRef"]


@attrs.frozen
class PlanRef:
    """A plan a plugin contributes: its id, title and file.

    ``id`` and ``name`` are read from the file's ``[campaign]`` table without
    loading the whole plan, so listing plans stays cheap.
    """

    id: str
    path: Path
    plugin: str
    name: str = ""

    @classmethod
    def from_file(cls, path: Path, *, plugin: str) -> PlanRef:
        """Read the campaign id and name from ``path``; raises ``ValueError`` if it has none."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            msg = f"{path}: cannot read plan: {exc}"
            raise ValueError(msg) from exc
        campaign = data.get("campaign")
        if not isinstance(campaign, dict) or not isinstance(campaign.get("id"), str):
            msg = f"{path}: no [campaign] id"
            raise ValueError(msg)
        return cls(id=campaign["id"], path=Path(path), plugin=plugin, name=str(campaign.get("name", "")))
