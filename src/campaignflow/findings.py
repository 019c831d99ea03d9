"""Locations in plan files, and the findings that checks and the loader report."""

from __future__ import annotations

import enum
from typing import Any

import attrs

__all__ = ["Applicability", "Edit", "Finding", "Fix", "Location", "Severity", "Text"]


class Severity(enum.IntEnum):
    """How serious a finding is; ordered so that ``max()`` gives the worst."""

    #: Worth knowing; never fails a run.
    INFO = 1
    #: Probably a mistake; fails nothing, but is shown.
    WARNING = 2
    #: The plan cannot work as written; ``validate`` exits 1.
    ERROR = 3

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        """Read ``"error"``, ``"warning"`` or ``"info"`` (any case)."""
        if isinstance(value, Severity):
            return value
        try:
            return cls[str(value).upper()]
        except KeyError:
            msg = f"unknown severity {value!r}; expected one of error, warning, info"
            raise ValueError(msg) from None

    def __str__(self) -> str:
        return self.name.lower()


@attrs.frozen
class Location:
    """Where something stands in a plan file.

    ``line`` and ``column`` are 1-based; either may be ``None`` when the
    locator could not place the key (a key written by a template, say).
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    #: Canonical key path, e.g. ``tasks.exchange-meeting.after[1].task``.
    key_path: str = ""

    def __str__(self) -> str:
        parts = [self.file or "<plan>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "key_path": self.key_path}


@attrs.frozen
class Text:
    """A message in English with its Chinese translation."""

    en: str
    zh: str | None = None

    def get(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"en"`` or ``"zh"``), English when untranslated."""
        if lang.startswith("zh") and self.zh:
            return self.zh
        return self.en

    def __str__(self) -> str:
        return self.en


def _as_text(value: str | Text) -> Text:
    return value if isinstance(value, Text) else Text(str(value))


class Applicability(enum.Enum):
    """How far a fix may be trusted, as ruff grades them."""

    #: Keeps the plan's meaning (a misspelt key with one close match): ``validate --fix`` applies it.
    SAFE = "safe"
    #: Changes what the plan says (a deadline moved): only with ``--unsafe-fixes``.
    UNSAFE = "unsafe"
    #: A suggestion to show, never applied by a command.
    DISPLAY = "display-only"

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class Edit:
    """One change to a plan file, by key path (the file is found again when it is applied).

    ``kind`` is ``"rename"`` (the key at ``key_path`` becomes ``new``), ``"replace"``
    (its value, or the array element, becomes ``new``) or ``"insert"`` (``key_path``
    is added at the top of the file with the value ``new``). ``old`` is what the
    edit expects to find: a key's old name, a value's old value; an edit whose
    expectation fails (the file changed meanwhile) is not applied, so applying a
    fix twice is the same as applying it once.
    """

    kind: str = attrs.field(validator=attrs.validators.in_(("rename", "replace", "insert")))
    key_path: str
    new: Any
    old: Any = None
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key_path": self.key_path, "file": self.file,
                "old": _jsonable(self.old), "new": _jsonable(self.new)}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@attrs.frozen
class Fix:
    """A change that would resolve a finding: what it does, how safe it is, and its edits."""

    title: Text = attrs.field(converter=lambda t: t if isinstance(t, Text) else Text(str(t)))
    applicability: Applicability = attrs.field(converter=Applicability)
    edits: tuple[Edit, ...] = attrs.field(default=(), converter=tuple)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"title": self.title.get(lang), "applicability": str(self.applicability),
                "edits": [e.to_dict() for e in self.edits]}


@attrs.frozen
class Finding:
    """One thing a check (or the loader) found in a plan.

    Attributes:
        code: stable code such as ``CF202``; plugins use their own prefix.
        severity: how serious it is, after the plan's ``[checks]`` configuration.
        message: what is wrong, in English and Chinese.
        location: where to change the plan.
        tasks: ids of the tasks involved, in a meaningful order (a cycle's members, a chain).
        units: ids of the units involved.
        hint: what to do about it, in English and Chinese.
        related: further locations (the other end of a cycle, the second drive).
        fixes: changes that would resolve it, each with its applicability.
    """

    code: str = attrs.field(validator=attrs.validators.matches_re(r"[A-Z]{2,}[0-9]{3,}"))
    severity: Severity = attrs.field(converter=Severity.parse)
    message: Text = attrs.field(converter=_as_text)
    location: Location = attrs.field(factory=Location)
    tasks: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    units: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    hint: Text | None = attrs.field(default=None, converter=attrs.converters.optional(_as_text))
    related: tuple[Location, ...] = attrs.field(default=(), converter=tuple)
    fixes: tuple[Fix, ...] = attrs.field(default=(), converter=tuple)

    def key(self) -> tuple[Any, ...]:
        """Sort key: file, line, column, then code."""
        loc = self.location
        return (loc.file or "", loc.line or 0, loc.column or 0, self.code, self.tasks, self.units)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The stable JSON shape documented in docs/cli.md."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message.get(lang),
            "hint": self.hint.get(lang) if self.hint else None,
            "tasks": list(self.tasks),
            "units": list(self.units),
            "location": self.location.to_dict(),
            "related": [loc.to_dict() for loc in self.related],
            "fixes": [fix.to_dict(lang) for fix in self.fixes],
        }
