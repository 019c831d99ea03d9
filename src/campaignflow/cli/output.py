"""Rendering helpers shared by commands: exit codes, language, JSON, TTY detection."""

from __future__ import annotations

import enum
import json
import locale
import os
import sys
from typing import Any

import click

__all__ = ["ExitCode", "detect_lang", "echo_json", "is_tty", "err", "t"]


class ExitCode(enum.IntEnum):
    """Exit codes of every command."""

    #: Nothing at error level.
    OK = 0
    #: Findings at error level, or missed deadlines.
    FINDINGS = 1
    #: Bad input or usage (click's usage errors are 2 as well).
    INPUT_ERROR = 2
    #: A bug in campaignflow or a plugin; please report it.
    INTERNAL = 3


def detect_lang(environ: dict[str, str] | None = None) -> str:
    """``zh`` when the locale is Chinese (LC_ALL, LC_MESSAGES, LANG), else ``en``."""
    env = os.environ if environ is None else environ
    for var in ("CAMPAIGNFLOW_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "zh" if loc.lower().startswith("zh") else "en"


def t(lang: str, en: str, zh: str) -> str:
    """Pick the English or Chinese form of a CLI message."""
    return zh if lang == "zh" else en


def is_tty(stream: Any = None) -> bool:
    stream = sys.stdout if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def echo_json(obj: Any) -> None:
    """Print one JSON document to stdout (UTF-8, not ASCII-escaped, stable key order)."""
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def err(message: str) -> None:
    """A message for people, on stderr."""
    click.echo(message, err=True)
