"""Key paths of the plan text that a finding points at.

A finding must point at what the author has to change. For a task written in
``[tasks.X]`` that is ``tasks.X.<field>``; for an instance ``T@unit`` of a
template it is the template's task table (``templates.T.task.<field>``), which
is where the instance's fields were written; for an occurrence ``X#2`` of a
``repeat`` it is the series ``tasks.X.<field>``, and for its generated window,
the ``repeat`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

import attrs

from ..findings import Text
from ..model import Task
from ._fmt import instances

__all__ = ["task_key", "window_key", "Shared", "per_key"]

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


@attrs.frozen
class Shared(Generic[_T]):
    """One problem at one key path, shared by the tasks found there.

    The instances of a template share their key paths, so a check reports a
    problem of the template once, naming one instance and counting the rest.

    Attributes:
        key: the key path.
        task: the task named in the message.
        item: what the check recorded for that task.
        tasks: every task found at ``key``, the named one first.
        more: `` (and the same in N more instances of template 'T')``, or empty.
    """

    key: str
    task: Task
    item: _T
    tasks: tuple[str, ...]
    more: Text


def per_key(found: Iterable[tuple[str, Task, _T]],
            pick: Callable[[list[tuple[Task, _T]]], tuple[Task, _T]] | None = None) -> Iterator[Shared[_T]]:
    """Group ``(key path, task, item)`` by key path, in first-seen order.

    ``pick`` chooses the task to name among those at one key (default: the first).
    """
    grouped: dict[str, list[tuple[Task, _T]]] = {}
    for key, task, item in found:
        grouped.setdefault(key, []).append((task, item))
    for key, hits in grouped.items():
        task, item = hits[0] if pick is None else pick(hits)
        ids = [task.id, *(t.id for t, _ in hits if t is not task)]
        yield Shared(key=key, task=task, item=item, tasks=tuple(ids), more=instances(len(hits) - 1, task.template))
