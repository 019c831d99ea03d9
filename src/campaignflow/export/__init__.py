"""Exporters: the ``Exporter`` base class and the context each export gets.

Built-in exporters (json, mermaid, dot, ics, xlsx) are plugins registered
through ``campaignflow_register_exporters`` like any third-party one.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

import attrs

if TYPE_CHECKING:
    from ..model import Campaign
    from ..plugins.manager import Plugins
    from ..simulate import Schedule

__all__ = ["Exporter", "ExportContext", "ExportError", "FORMULA_STARTS", "csv_cell", "printable"]

#: What a spreadsheet reads as the start of a formula when it opens a CSV file or re-reads an
#: edited cell (CSV/formula injection; OWASP lists the tab and carriage return too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """An export could not be made (a missing optional dependency, say); the message says why."""


@attrs.define
class ExportContext:
    """What an exporter gets: the campaign, the plugins, the language, and its schedule."""

    campaign: Campaign
    plugins: Plugins
    lang: str = "en"
    #: The language a document's reader asked for (``--lang`` given); ``None`` when ``lang``
    #: only follows the locale. Documents for an office (the 任务分工表) are Chinese unless
    #: English is asked for.
    document_lang: str | None = None
    #: Export only what concerns this unit (its lead, co-lead or partner tasks), for the
    #: exporters that can (``Exporter.per_unit``); ``None``: the whole plan.
    unit: str | None = None

    @functools.cached_property
    def schedule(self) -> Schedule:
        """The deterministic schedule (computed once, on first use)."""
        from ..simulate import schedule

        return schedule(self.campaign, plugins=self.plugins)


class Exporter:
    """Base of exporters. Subclass, set ``name``/``suffix``, implement ``export``."""

    #: The name used with ``campaignflow export --format``.
    name: ClassVar[str] = ""
    #: File suffix, with the dot.
    suffix: ClassVar[str] = ""
    #: One line for ``campaignflow plugins``.
    description: ClassVar[str] = ""
    #: True when ``export`` returns bytes.
    binary: ClassVar[bool] = False
    #: True when the exporter honours ``ExportContext.unit`` (``export --unit``).
    per_unit: ClassVar[bool] = False

    def export(self, ctx: ExportContext) -> str | bytes:
        raise NotImplementedError


def csv_cell(value: object) -> object:
    """``value`` made safe as a CSV cell: text a spreadsheet would run as a formula gets a ``'``.

    A plan's text (a title, a reason, a unit name) that begins with one of
    :data:`FORMULA_STARTS` is written with a leading apostrophe, OWASP's remedy, which an
    office shows as the text itself. Numbers, and text that is a plain number ("-1.5", a
    negative slack), are left as they are: a spreadsheet reads them as the number they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    import math

    try:
        return math.isfinite(float(text)) and text == text.strip()
    except ValueError:
        return False


# C0 controls but tab, LF and CR, DEL, and lone surrogates: XML, iCalendar and an office file
# cannot carry them. A plan loaded from TOML can still hold them ("\u0000" is valid TOML).
_UNPRINTABLE = {c: "\ufffd" for c in (*range(0x20), 0x7F, *range(0xD800, 0xE000)) if c not in (9, 10, 13)}


def printable(text: str) -> str:
    """``text`` with the characters no document format can carry (NUL, ESC, …) as U+FFFD.

    Tab, line feed and carriage return are kept: each format escapes those its own way.
    """
    return text.translate(_UNPRINTABLE)
