"""Overload checking for one unit's tasks: a sound, O(n log n) demand test (CF301).

A unit of capacity ``c`` leads tasks, each with a window ``[es, lf]`` from the
critical path method and an amount of work ``d``. If, for some interval
``[a, b]``, the tasks whose windows lie inside it need more than ``c · (b - a)``
working days, no schedule meets every deadline — even one that may split
tasks. That is the test here (it never accuses a plan that could work; it may
miss an overbooking that only non-preemptive scheduling reveals).

Trying every interval is quadratic. Vilím's Θ-tree does it in O(n log n):
tasks are inserted in order of ``lf``; the tree, with leaves ordered by
``es``, keeps ``env = max over a of (c · a + work of inserted tasks with
es ≥ a)``, and an overload exists at ``b = lf`` exactly when
``env > c · b``. The witness interval comes out of the tree by descent. After
reporting one, its tasks are taken out and the sweep goes on, so the
overloads found are disjoint and each task costs O(log n) in all.

P. Vilím, "Max energy filtering algorithm for discrete cumulative
constraint", CPAIOR 2009 (overload checking, section 3).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = ["Overload", "overloads"]

_EPS = 1e-6
_NEG = float("-inf")


@attrs.frozen
class Overload:
    """Tasks that need more work inside ``[start, end]`` than the capacity allows.

    Attributes:
        start: the interval's start (working time): the earliest ``es`` among ``members``.
        end: the interval's end: the latest ``lf`` among ``members``.
        need: the work the members need, in working days.
        members: indices (into the input) of the tasks whose windows lie inside.
    """

    start: float
    end: float
    need: float
    members: tuple[int, ...]


def overloads(windows: Sequence[tuple[float, float, float]], capacity: int) -> list[Overload]:
    """Disjoint overloads among ``windows`` = ``(es, lf, work)`` for a unit of ``capacity``.

    Windows that cannot hold their own work (``es + work > lf``) are a
    deadline problem (CF202), not an overload, and should be left out by the
    caller; zero work is ignored.
    """
    n = len(windows)
    if n == 0:
        return []
    c = float(capacity)
    by_es = sorted(range(n), key=lambda i: windows[i][0])
    leaf_of = [0] * n
    for pos, i in enumerate(by_es):
        leaf_of[i] = pos
    size = 1
    while size < n:
        size *= 2
    work = [0.0] * (2 * size)
    env = [_NEG] * (2 * size)

    def update(leaf: int, w: float, e: float) -> None:
        k = size + leaf
        work[k], env[k] = w, e
        k //= 2
        while k:
            left, right = 2 * k, 2 * k + 1
            work[k] = work[left] + work[right]
            env[k] = max(env[right], env[left] + work[right])
            k //= 2

    found: list[Overload] = []
    for i in sorted(range(n), key=lambda i: windows[i][1]):
        es, lf, d = windows[i]
        if d <= 0:
            continue
        update(leaf_of[i], d, c * es + d)
        if env[1] <= c * lf + _EPS:
            continue
        # Descend to the leaf whose es is the interval's start.
        k = 1
        while k < size:
            left, right = 2 * k, 2 * k + 1
            k = right if env[right] >= env[left] + work[right] else left
        first = k - size
        members = _inserted_from(work, size, first)
        need = sum(windows[by_es[p]][2] for p in members)
        found.append(Overload(start=windows[by_es[first]][0], end=lf, need=need,
                              members=tuple(by_es[p] for p in members)))
        for p in members:
            update(p, 0.0, _NEG)
    return found


def _inserted_from(work: list[float], size: int, first: int) -> list[int]:
    """Leaves at position ``first`` or later that hold work, in order (pruned descent)."""
    out: list[int] = []
    stack = [(1, 0, size)]
    while stack:
        k, lo, hi = stack.pop()
        if hi <= first or work[k] <= 0:
            continue
        if k >= size:
            out.append(k - size)
            continue
        mid = (lo + hi) // 2
        stack.append((2 * k + 1, mid, hi))
        stack.append((2 * k, lo, mid))
    return out
