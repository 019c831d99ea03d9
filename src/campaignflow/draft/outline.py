"""The outline of a plan document: 一、 (一) 1. 1、 （1） ① 一是, nested by order of appearance.

Numbering styles nest as the document introduces them: the first style met is
the top level, a new style opens a level below the current one, and a style
already open closes every level below it. A marker counts only if its number
continues its level (or starts a new level at 1), so "一、二季度" in running text
is not read as a heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from .numerals import CN_NUMERAL, cn_to_int

__all__ = ["Node", "parse_outline", "line_of"]

_CN = CN_NUMERAL
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# (style, regex); the regex's group "n" is the number. Order matters: longer forms first.
_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cn-paren", re.compile(rf"[(（]\s*(?P<n>{_CN}{{1,3}})\s*[)）]")),
    ("num-paren", re.compile(r"[(（]\s*(?P<n>[0-9０-９]{1,2})\s*[)）]")),
    ("cn-comma", re.compile(rf"(?P<n>{_CN}{{1,3}})\s*[、，,]")),
    ("num-dot", re.compile(r"(?P<n>[0-9０-９]{1,2})\s*[.．](?![0-9０-９])")),
    ("num-comma", re.compile(r"(?P<n>[0-9０-９]{1,2})\s*[、](?![0-9０-９])")),
    ("circled", re.compile(rf"(?P<n>[{_CIRCLED}])")),
    ("cn-shi", re.compile(rf"(?P<n>{_CN}{{1,2}})是(?=[^，,、。]{{2}})")),
)
# A marker starts a line, or follows whitespace or the end of a sentence.
_BEFORE = set(" \t\n\u3000\u00a0。；;！!？?:：")
_TITLE_END = re.compile(r"[。．:：!！]|\.(?=\s)|\n|[ \u3000]{1,}(?=\S)")


@attrs.frozen
class Node:
    """One numbered part of the document.

    Attributes:
        label: the section as plans write it: ``"三(一)2"``.
        style: the numbering style (``cn-comma`` for 一、, ``cn-paren`` for (一) ...).
        number: its number within its level.
        depth: 1 for the top level.
        title: the heading's words (up to the first 。, colon, line end or gap).
        start, end: offsets of the node's own text (its marker to the next marker).
        title_end: offset where the title ends and the body begins.
        parent: the label of the enclosing node, or ``None``.
    """

    label: str
    style: str
    number: int
    depth: int
    title: str
    start: int
    end: int
    title_end: int
    parent: str | None
    ancestors: tuple[str, ...] = ()  #: the titles of the enclosing nodes, outermost first
    marker_end: int = 0  #: offset just after the marker (一、 (一) 1.)
    path: tuple[int, ...] = ()  #: the numbers of this node and its ancestors, outermost first


def _number(style: str, raw: str) -> int:
    if style == "circled":
        return _CIRCLED.index(raw) + 1
    return cn_to_int(raw)


def _candidates(text: str) -> Iterator[tuple[int, int, str, int]]:
    """(start, end, style, number) of every marker-shaped thing at a plausible position."""
    for i, ch in enumerate(text):
        if i and text[i - 1] not in _BEFORE:
            continue
        if ch in _BEFORE:
            continue
        for style, rx in _STYLES:
            m = rx.match(text, i)
            if m:
                try:
                    number = _number(style, m.group("n"))
                except ValueError:
                    continue
                # 1. and 1、 are one level: documents mix them.
                yield i, m.end(), "num" if style in ("num-dot", "num-comma") else style, number
                break


def _label(path: list[tuple[str, int]]) -> str:
    out = []
    for style, n in path:
        if style.startswith("cn-paren"):
            out.append(f"({_cn(n)})")
        elif style == "cn-comma":
            out.append(_cn(n))
        elif style == "num-paren":
            out.append(f"({n})")
        else:
            out.append(str(n))
    # Plans write 三(一)1, 三(五)2: no separator between levels.
    return "".join(out)


_CN_DIGITS = "〇一二三四五六七八九"


def _cn(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n - 10] if n > 10 else "")
    return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")


def parse_outline(text: str) -> list[Node]:
    """Every numbered node of ``text``, in document order.

    Text before the first marker belongs to no node (the preamble).
    """
    stack: list[tuple[str, int]] = []  # (style, number) of the open levels
    found: list[tuple[int, int, list[tuple[str, int]]]] = []
    for start, mend, style, number in _candidates(text):
        styles = [s for s, _ in stack]
        if style in styles:
            level = styles.index(style)
            if number != stack[level][1] + 1:
                continue  # does not continue its level: running text, not a heading
            stack[level + 1:] = []
            stack[level] = (style, number)
        else:
            if number != 1:
                continue
            stack.append((style, number))
        found.append((start, mend, list(stack)))
    nodes: list[Node] = []
    titles: dict[str, str] = {}
    for k, (start, mend, path) in enumerate(found):
        end = found[k + 1][0] if k + 1 < len(found) else len(text)
        m = _TITLE_END.search(text, mend, end)
        title_end = m.start() if m and m.start() - mend <= 40 else min(end, mend + 40)
        title = text[mend:title_end].strip()
        label = _label(path)
        parent = _label(path[:-1]) if len(path) > 1 else None
        ancestors = tuple(titles.get(_label(path[:i]), "") for i in range(1, len(path)))
        titles[label] = title
        nodes.append(Node(label=label, style=path[-1][0], number=path[-1][1], depth=len(path), title=title,
                          start=start, end=end, title_end=title_end, parent=parent, ancestors=ancestors,
                          marker_end=mend, path=tuple(n for _, n in path)))
    return nodes


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1
