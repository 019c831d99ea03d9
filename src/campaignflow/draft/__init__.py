"""Draft a plan from a plan document (工作方案 / 活动方案), every field traced to its words.

``draft_plan(text_or_path)`` reads a ``.txt`` (UTF-8 or GB18030), a ``.docx``
or a text, finds the work items in its outline, runs the recognisers (plugins,
hook ``campaignflow_register_recognisers``) on each, and writes a plan in the
current format that always loads, plus a review list of what it is unsure of.
It is an assistant, not an oracle: offline, deterministic, rule-based.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ..errors import DraftError
from .base import DraftContext, Field, Item, Recogniser

if TYPE_CHECKING:
    from ..model import Campaign
    from ..plugins.manager import Plugins
    from .build import DraftTask, DraftUnit, ReviewItem, Trace
    from .reader import read_document
    from .recognisers import Phrase, PhraseRecogniser

# The drafting modules compile many patterns: imported on first use, not with the package.
_LAZY = {"DraftTask": "build", "DraftUnit": "build", "ReviewItem": "build", "Trace": "build",
         "read_document": "reader", "Phrase": "recognisers", "PhraseRecogniser": "recognisers"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)

__all__ = ["Draft", "DraftContext", "DraftTask", "DraftUnit", "Field", "Item", "Phrase", "PhraseRecogniser", "Recogniser",
           "ReviewItem", "Trace", "draft_plan", "read_document"]

#: Below this confidence a field goes on the review list.
REVIEW_BELOW = 0.8


@attrs.frozen
class Draft:
    """A drafted plan: its TOML text (which loads), the loaded campaign, tasks, units and review list."""

    toml: str  #: the plan file, with ``# review:`` comments beside uncertain fields
    campaign: Campaign  #: ``toml`` as loaded by the current loader
    tasks: tuple[DraftTask, ...]
    units: tuple[DraftUnit, ...]
    review: tuple[ReviewItem, ...]
    source: str  #: the document's path, or ``"<text>"``

    def review_text(self, lang: str = "en") -> str:
        """The review list, one numbered line each, for a person to work through."""
        out = []
        for k, r in enumerate(self.review, 1):
            where = f"{r.where}" + (f" (line {r.line})" if r.line else "")
            out.append(f"{k:3d}. {where}: {r.message_zh if lang == 'zh' else r.message}")
        return "\n".join(out)


def draft_plan(text_or_path: str | os.PathLike[str], *, year: int | None = None,
               plugins: Plugins | None = None) -> Draft:
    """Draft a plan from a document.

    Args:
        text_or_path: a path (``Path``, or a ``str`` naming an existing file) or the text itself.
        year: the campaign's year when the document does not say (``20xx年``).
        plugins: the plugin manager whose recognisers run (default: the process default).

    Raises:
        DraftError: the file is unreadable or not a document.
    """
    from .reader import read_document

    if isinstance(text_or_path, os.PathLike) or (isinstance(text_or_path, str) and "\n" not in text_or_path
                                                and len(text_or_path) < 4096 and _is_file(text_or_path)):
        source = str(text_or_path)
        text = read_document(text_or_path)
    elif isinstance(text_or_path, str):
        source, text = "<text>", text_or_path.replace("\r\n", "\n").replace("\r", "\n")
    else:
        raise DraftError(f"expected a path or a text, got {type(text_or_path).__name__}",
                         f"应为路径或文本,实为 {type(text_or_path).__name__}")
    if plugins is None:
        from ..plugins.manager import default_plugins
        plugins = default_plugins()
    recognisers = sorted((cls() for cls in plugins.recognisers().values()), key=lambda r: (r.order, r.name))
    from .assemble import assemble
    return assemble(text, source, recognisers, year=year, plugins=plugins)


def _is_file(s: str) -> bool:
    try:
        return Path(s).is_file()
    except (OSError, ValueError):
        return False

