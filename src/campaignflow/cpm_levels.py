"""The critical path passes with numpy, a level of the graph at a time (the ``fast`` extra).

Split from ``cpm`` so that the scalar passes read on their own; ``cpm`` calls in
here only when numpy is installed and the graph is shallow enough to pay.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cpm import CompiledPlan

_INF = math.inf

# -- numpy: the same passes, a level of the graph at a time -------------------------------------
#
# Every node of level k > 0 has a predecessor in level k - 1 and none at or
# after level k, so a level's times depend only on the levels before it.
# The arithmetic is the scalar passes' own (IEEE +, -, max, min; calendar
# lags through the same scalar functions), so both give identical results.


def _numpy() -> Any:
    """numpy, or ``None`` without the ``fast`` extra."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return numpy


def _max_levels(n: int, m: int) -> int:
    # A level costs tens of microseconds of numpy calls, a node or edge about
    # half a microsecond of Python: past this depth, one node at a time wins.
    return 64 + (n + m) // 64


def _view(np: Any, buf: Any) -> Any:
    if isinstance(buf, (bytearray, bytes)):
        return np.frombuffer(buf, dtype=np.uint8).astype(bool)
    kind = "f" if buf.typecode == "d" else "i"
    return np.frombuffer(buf, dtype=f"{kind}{buf.itemsize}") if len(buf) else np.zeros(0, dtype=f"{kind}8")


def _to_array(typecode: str, values: Any) -> array[Any]:
    out = array(typecode)
    out.frombytes(values.astype("f8" if typecode == "d" else f"i{out.itemsize}").tobytes())
    return out


def _ranges(np: Any, ptr: Any, nodes: Any) -> tuple[Any, Any]:
    """Edge indices ``ptr[v]:ptr[v + 1]`` of every node in ``nodes``, concatenated, and their counts."""
    starts = ptr[nodes]
    counts = ptr[nodes + 1] - starts
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(int(counts.sum())), counts


def _successors_np(np: Any, n: int, pred_ptr: array[int], pred_idx: array[int]
                   ) -> tuple[array[int], array[int], array[int]]:
    pp, pi = _view(np, pred_ptr), _view(np, pred_idx)
    target = np.repeat(np.arange(n), np.diff(pp))
    succ_edge = np.argsort(pi, kind="stable")  # by source, then edge: the scalar fill order
    succ_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pi, minlength=n), out=succ_ptr[1:])
    return _to_array("l", succ_ptr), _to_array("l", target[succ_edge]), _to_array("l", succ_edge)


def _levels_np(np: Any, n: int, pred_ptr: array[int], succ_ptr: array[int], succ_idx: array[int]
               ) -> tuple[array[int], list[int], array[int]] | None:
    sp, si = _view(np, succ_ptr), _view(np, succ_idx)
    indeg = np.diff(_view(np, pred_ptr))
    frontier = np.flatnonzero(indeg == 0)
    levels: list[Any] = []
    cap = _max_levels(n, len(succ_idx))
    while frontier.size:
        if len(levels) == cap:
            return None
        levels.append(frontier)
        idx, _ = _ranges(np, sp, frontier)
        released, count = np.unique(si[idx], return_counts=True)
        indeg[released] -= count
        frontier = released[indeg[released] == 0]
    level_ptr = np.zeros(len(levels) + 1, dtype=np.int64)
    np.cumsum([lv.size for lv in levels], out=level_ptr[1:])
    order = np.concatenate(levels) if levels else np.zeros(0, dtype=np.int64)
    return _to_array("l", order), indeg.tolist(), _to_array("l", level_ptr)


def _shift_many(np: Any, plan: CompiledPlan, work: Any, edges: Any, *, forward: bool) -> Any:
    """``after_lag`` (or ``before_lag``) for many edges, calling the scalar once per distinct value."""
    shift = plan.after_lag if forward else plan.before_lag
    out = np.empty(work.size)
    lags = _view(np, plan.pred_lag)[edges]
    for lag in np.unique(lags).tolist():
        pick = np.flatnonzero(lags == lag)
        values, inverse = np.unique(work[pick], return_inverse=True)
        e = int(edges[pick[0]])
        out[pick] = np.asarray([shift(w, e) for w in values.tolist()])[inverse]
    return out


def _forward_np(np: Any, plan: CompiledPlan, duration: Sequence[float] | None
                ) -> tuple[array[float], array[float], array[float], array[int]]:
    n = len(plan.ids)
    dur = _view(np, plan.duration) if duration is None else np.asarray(duration, dtype=np.float64)
    pp, pi, lag = _view(np, plan.pred_ptr), _view(np, plan.pred_idx), _view(np, plan.pred_lag)
    calendar_lag = ~_view(np, plan.pred_lag_working)
    earliest, fixed, order = _view(np, plan.earliest), _view(np, plan.fixed), _view(np, plan.order)
    es, ef = np.zeros(n), np.zeros(n)
    ready = np.full(n, -_INF)
    driver = np.full(n, -1, dtype=np.int64)
    lp = plan.level_ptr.tolist()  # type: ignore[union-attr]
    for k in range(len(lp) - 1):
        nodes = order[lp[k]:lp[k + 1]]
        if k:
            idx, counts = _ranges(np, pp, nodes)
            src = pi[idx]
            val = ef[src] + lag[idx]
            cal = np.flatnonzero(calendar_lag[idx])
            if cal.size:
                val[cal] = _shift_many(np, plan, ef[src[cal]], idx[cal], forward=True)
            segment = np.repeat(np.arange(nodes.size), counts)
            best = np.maximum.reduceat(val, np.cumsum(counts) - counts)
            hit = np.flatnonzero(val == best[segment])  # the first one per node, as the scalar pass
            first = hit[np.r_[True, segment[hit][1:] != segment[hit][:-1]]]
            ready[nodes] = best
            driver[nodes] = src[first]
        start = earliest[nodes]
        rd = ready[nodes]
        start = np.where(rd > start, rd, start)
        start = np.where(start == -_INF, 0.0, start)
        start = np.where(fixed[nodes], earliest[nodes], start)
        es[nodes] = start
        ef[nodes] = start + dur[nodes]
    return _to_array("d", es), _to_array("d", ef), _to_array("d", ready), _to_array("l", driver)


def _backward_np(np: Any, plan: CompiledPlan, duration: Sequence[float] | None
                 ) -> tuple[array[float], array[float]]:
    n = len(plan.ids)
    dur = _view(np, plan.duration) if duration is None else np.asarray(duration, dtype=np.float64)
    pp, pi, lag = _view(np, plan.pred_ptr), _view(np, plan.pred_idx), _view(np, plan.pred_lag)
    calendar_lag = ~_view(np, plan.pred_lag_working)
    order = _view(np, plan.order)
    lf = np.minimum(_view(np, plan.deadline), plan.end)
    ls = np.zeros(n)
    lp = plan.level_ptr.tolist()  # type: ignore[union-attr]
    for k in range(len(lp) - 2, -1, -1):
        nodes = order[lp[k]:lp[k + 1]]
        start = lf[nodes] - dur[nodes]
        ls[nodes] = start
        if k:
            idx, counts = _ranges(np, pp, nodes)
            late = np.repeat(start, counts)
            cand = late - lag[idx]
            cal = np.flatnonzero(calendar_lag[idx])
            if cal.size:
                cand[cal] = _shift_many(np, plan, late[cal], idx[cal], forward=False)
            np.minimum.at(lf, pi[idx], cand)
    return _to_array("d", ls), _to_array("d", lf)
