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

__all__ = ["Exporter", "ExportContext", "ExportError"]


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

    def export(self, ctx: ExportContext) -> str | bytes:
        raise NotImplementedError
