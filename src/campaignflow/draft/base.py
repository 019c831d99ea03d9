"""What recognisers see and return: work items, fields with their source, the draft context."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

import attrs

__all__ = ["DraftContext", "Field", "Item", "Recogniser"]


@attrs.frozen
class Item:
    """One work item: the words that become one task.

    Attributes:
        text: the item's words, as the document has them.
        start: the offset of ``text`` in the document.
        section: the outline label (``"三(一)1"``), or ``""`` for the preamble.
        node_text: all the words of the item's outline node (owner lines included).
        node_start: the offset of ``node_text``.
        heading: the node's title.
        cells: for a row of a task table, its cells (the item's text is the task cell).
    """

    text: str
    start: int
    section: str
    node_text: str
    node_start: int
    heading: str = ""
    #: A 任务分工表 row's other cells (``table.Cell``: role, words, offset); empty for running text.
    cells: tuple[Any, ...] = ()


@attrs.frozen
class Field:
    """A value a recogniser read from the document, traced to its words.

    Attributes:
        name: what it is: ``owners`` (value ``(lead_name | None, (partner names...))``),
            ``due``, ``start``, ``on`` (a ``date`` or ``datetime``), ``repeat``
            (``{"every": ..., "times": n}``), ``duration`` (``"5d"``), ``approvals``
            (a list of ``(unit name, kind)``), ``solicits`` (unit names),
            ``kind`` (a task kind), ``note`` (a remark for the review list only).
        value: the value, as above.
        quote: the exact words it was read from.
        start: the offset of ``quote`` in the document.
        confidence: 0..1; below 0.8 the field goes on the review list.
        review: why a person should look at it (English, Chinese), or ``None``.
    """

    name: str
    value: Any
    quote: str
    start: int
    confidence: float = 1.0
    review: tuple[str, str] | None = None


@attrs.define
class DraftContext:
    """What a recogniser knows of the whole document.

    Attributes:
        text: the whole document.
        year: the campaign's year as the document gives it, or ``None``.
        year_assumed: true when ``year`` was not in the document (given or defaulted).
        named_days: named days of the year, ``{"扶贫日": (10, 17)}``; recognisers may add to it.
        window: the activity period the document states (活动时间), if any.
    """

    text: str
    year: int | None
    year_assumed: bool = False
    named_days: dict[str, tuple[int, int]] = attrs.field(factory=dict)
    window: tuple[date, date] | None = None


class Recogniser:
    """Base of recognisers: read fields from one work item.

    Subclasses set ``name`` (unique, e.g. ``"builtin.dates"``) and ``order``
    (lower runs first; the first field of a name wins, so a province's house
    style can run before the built-ins with ``order < 100``), and implement
    ``recognise``. Register them from a plugin::

        @hookimpl
        def campaignflow_register_recognisers():
            return [MyRecogniser]
    """

    name: ClassVar[str] = ""
    order: ClassVar[int] = 100
    #: Named days this recogniser knows, merged into ``DraftContext.named_days``.
    named_days: ClassVar[dict[str, tuple[int, int]]] = {}
    #: Heading words that carry no work (指导思想 ...), merged into the drafter's list.
    non_work_headings: ClassVar[tuple[str, ...]] = ()

    def recognise(self, item: Item, ctx: DraftContext) -> Iterable[Field]:
        """The fields this recogniser reads in ``item``; called once per work item."""
        return ()
