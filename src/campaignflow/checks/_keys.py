"""Key paths of the plan text that a finding points at.

A finding must point at what the author has to change. For a task written in
``[tasks.X]`` that is ``tasks.X.<field>``; for an instance ``T@unit`` of a
template it is the template's task table (``templates.T.task.<field>``), which
is where the instance's fields were written; for an occurrence ``X#2`` of a
``repeat`` it is the series ``tasks.X.<field>``, and for its generated window,
the ``repeat`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from ..model import Task

__all__ = ["task_key", "window_key", "by_key"]

_T = TypeVar("_T")


def task_key(task: Task, path: str = "") -> str:
    """The key path of ``path`` (``due``, ``after[1]``, ``approvals[0].by``) in ``task``'s source."""
    if task.template is not None:
        base = f"templates.{task.template}.task"
    else:
        base = f"tasks.{task.series}"
    return f"{base}.{path}" if path else base


def window_key(task: Task, field: str) -> str:
    """Like ``task_key`` for a window field (``start``, ``due``, ``on``) that a ``repeat`` may generate."""
    if task.occurrence is not None and task.repeat is not None:
        return task_key(task, "repeat")
    return task_key(task, field)


def by_key(items: Iterable[tuple[str, _T]]) -> dict[str, list[_T]]:
    """Items grouped by key path, in first-seen order.

    The instances of a template share their key paths, so a check reports a
    problem of the template once, naming the first instance and counting the rest.
    """
    out: dict[str, list[_T]] = {}
    for key, item in items:
        out.setdefault(key, []).append(item)
    return out
