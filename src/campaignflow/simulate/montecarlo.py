"""Monte-Carlo deadline risk: many re-timings of the schedule with random durations.

Each run draws, from an explicit, seeded generator:

- every task's duration from its three-point estimate (``optimistic``,
  ``likely``, ``pessimistic``): PERT-beta (``a + (b - a) * Beta(1 + 4(m - a)/(b - a),
  1 + 4(b - m)/(b - a))``, the default) or triangular;
- every approval step's latency around its ``within`` w: from the step's own
  three-point ``within`` if it has one, else from ``(lo * w, w, hi * w)`` with
  ``approval_spread = (lo, hi)``, by default ``(0.5, 2.0)``: approvers are late
  more often than early;
- with ``reject_rate`` p, whether a step is rejected once: the lead then reworks
  (a fresh draw of the task's duration times ``rework``, by default half the
  work again) and the approver decides a second time (a fresh latency draw),
  all within the step's time, not the lead's capacity.

A run keeps the deterministic schedule's sequencing decisions: each unit
works through its tasks in the planned order, on the same slot, and everything
is re-timed (a task starts when its prerequisites, plus lags, and its slot
predecessor allow). With no spread at all, every run *is* the deterministic
schedule, to the bit.

The numpy engine (extra ``fast``) vectorises over runs; the pure-Python engine
gives the same figures up to sampling: it draws from Python's ``random`` with
the same seed, so its numbers differ from numpy's (each is reproducible).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .results import DeadlineRisk, SimulationResult, TaskRisk
from .schedule import _build_schedule, _Clock, _Net, _prepare, _run, _Timing

if TYPE_CHECKING:
    from ..calendar import Calendar
    from ..model import Campaign
    from ..plugins.manager import Plugins
    from .scenario import Scenario

__all__ = ["simulate", "DISTRIBUTIONS", "ENGINES"]

#: Duration distributions over a three-point estimate.
DISTRIBUTIONS = ("pert", "triangular")
#: Implementations: ``auto`` is numpy when it is installed.
ENGINES = ("auto", "numpy", "python")

_INF = math.inf
_EPS = 1e-9
# Finishes kept for quantiles are float64 up to this many values, float32 beyond.
_KEEP_F64 = 50_000_000
# Values per numpy work array (nodes x runs in a chunk): bounds memory, not results.
_CHUNK_CELLS = 2_000_000
# Fewest runs per chunk: below this, Python's per-node overhead dominates on large plans.
_CHUNK_MIN_RUNS = 512
# Most values per work array however few runs that leaves in a chunk (128 MB of float64):
# without it, 512 runs of a million-node plan were 4 GB per array. It changes the
# chunking, and so the draws for a seed, only for plans above 31,250 nodes.
_CHUNK_MAX_CELLS = 16_000_000
# Kept finishes above this many bytes go to a temporary file (``_spill``), read back a
# band of rows at a time: memory then stays flat however many runs x tasks (issue 19).
_KEEP_BYTES = 256 * 1024 * 1024

Progress = Callable[[int], None]


@attrs.frozen
class _Spec:
    """What to draw: per node three points; nodes with spread; gates and their tasks."""

    lo: list[float]
    mode: list[float]
    hi: list[float]
    varying: list[int]  # nodes with hi > lo, ascending
    gates: list[int]
    gate_task: list[int]
    distribution: str
    reject_rate: float
    rework: float


def _spec(net: _Net, distribution: str, reject_rate: float, rework: float,
          approval_spread: tuple[float, float]) -> _Spec:
    plan = net.plan
    low, high = plan.low.tolist(), plan.high.tolist()
    lo, mode, hi = [], [], []
    a_lo, a_hi = approval_spread
    for v, d in enumerate(net.dur):
        if net.fixed[v]:
            points = (d, d, d)
        elif net.is_gate[v] and not low[v] < high[v]:
            points = (a_lo * d, d, a_hi * d)
        else:
            points = (low[v], d, high[v])
        lo.append(points[0])
        mode.append(points[1])
        hi.append(points[2])
    varying = [v for v in range(net.n) if hi[v] > lo[v]]
    gates = [v for v in range(net.n) if net.is_gate[v]]
    return _Spec(lo, mode, hi, varying, gates, [net.task_of[g] for g in gates], distribution, reject_rate,
                 rework)


@attrs.define
class _Tally:
    """What the runs add up: kept finishes, deadline hits, critical counts, makespans."""

    keep: list[int]  # node rows whose finishes are kept (task ends, deadline nodes)
    deadline_nodes: list[int]
    hits: list[int]
    critical: list[int]  # per task (index into campaign tasks)
    finishes: Any = None  # (len(keep), runs), numpy or list of lists
    makespan: Any = None


def _end_candidates(net: _Net) -> list[int]:
    """Nodes a critical path may end at: all but fixed events without prerequisites.

    Nothing can delay such an event, so a chain ending there says nothing (a
    plan's closing ceremony with no preparation listed would otherwise be the
    only critical task in every run).
    """
    pp = net.pred_ptr
    out = [v for v in range(net.n) if not (net.fixed[v] and pp[v] == pp[v + 1])]
    return out or list(range(net.n))


# -- the pure-Python engine ------------------------------------------------------------


def _py_draw(rng: random.Random, spec: _Spec, v: int) -> float:
    a, m, b = spec.lo[v], spec.mode[v], spec.hi[v]
    if not b > a:
        return m
    if spec.distribution == "triangular":
        return rng.triangular(a, b, m)
    return a + (b - a) * rng.betavariate(1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a))


def _py_durations(rng: random.Random, net: _Net, spec: _Spec) -> list[float]:
    dur = list(net.dur)
    for v in spec.varying:
        dur[v] = _py_draw(rng, spec, v)
    if spec.reject_rate > 0:
        for g, t in zip(spec.gates, spec.gate_task):
            if rng.random() < spec.reject_rate:
                dur[g] += spec.rework * _py_draw(rng, spec, t) + _py_draw(rng, spec, g)
    return dur


def _py_retime(net: _Net, timing: _Timing, dur: Sequence[float]) -> tuple[list[float], list[int], list[float]]:
    """One run: (finish, driver, ready) per node; ``ready`` only for fixed events."""
    n = net.n
    finish = [0.0] * n
    driver = [-1] * n
    ready = [-_INF] * n
    pp, pi, lb, lagged = net.pred_ptr, net.pred_idx, net.lb, net.lagged
    fixed = [v for v in range(n) if net.fixed[v]]
    for v in fixed:
        finish[v] = timing.start[v] + dur[v]
    for v in timing.seq:
        cur, drv = lb[v], -1
        for e in range(pp[v], pp[v + 1]):
            x = lagged(finish[pi[e]], e)
            if x > cur:
                cur, drv = x, pi[e]
        p = timing.slot_prev[v]
        if p >= 0 and finish[p] > cur:
            cur, drv = finish[p], p
        finish[v] = cur + dur[v]
        driver[v] = drv
    for v in fixed:
        # A fixed event's driver is its latest prerequisite: the work leading up to it.
        for e in range(pp[v], pp[v + 1]):
            x = lagged(finish[pi[e]], e)
            if x > ready[v]:
                ready[v], driver[v] = x, pi[e]
    return finish, driver, ready


def _python_runs(net: _Net, timing: _Timing, spec: _Spec, tally: _Tally, task_nodes: list[range], runs: int,
                 seed: int, progress: Progress | None) -> None:
    rng = random.Random(seed)
    keep = tally.keep
    ends = _end_candidates(net)
    rows: list[list[float]] = [[] for _ in keep]
    makespan: list[float] = []
    step = max(1, runs // 100)
    for r in range(runs):
        finish, driver, ready = _py_retime(net, timing, _py_durations(rng, net, spec))
        for row, v in zip(rows, keep):
            row.append(finish[v])
        for i, v in enumerate(tally.deadline_nodes):
            if net.fixed[v]:
                tally.hits[i] += ready[v] <= timing.start[v] + _EPS
            else:
                tally.hits[i] += finish[v] <= net.deadline[v] + _EPS
        makespan.append(max(finish))
        end = max(ends, key=finish.__getitem__)
        crit = bytearray(net.n)
        v = end
        while v >= 0 and not crit[v]:
            crit[v] = 1
            v = driver[v]
        for i, nodes in enumerate(task_nodes):
            if any(crit[v] for v in nodes):
                tally.critical[i] += 1
        if progress is not None and ((r + 1) % step == 0 or r + 1 == runs):
            progress(r + 1)
    tally.finishes = rows
    tally.makespan = makespan


def _py_quantiles(values: Sequence[float], qs: Sequence[float]) -> list[float]:
    # Linear interpolation between order statistics, as numpy's default.
    xs = sorted(values)
    out = []
    for q in qs:
        h = (len(xs) - 1) * q
        lo = math.floor(h)
        hi = min(lo + 1, len(xs) - 1)
        out.append(xs[lo] + (h - lo) * (xs[hi] - xs[lo]))
    return out


# -- the numpy engine --------------------------------------------------------------------


def _np_draw(np: Any, rng: Any, spec: _Spec, nodes: list[int], size: int) -> Any:
    """Draws for ``nodes`` (rows) over ``size`` runs; rows without spread are constant."""
    a = np.asarray([spec.lo[v] for v in nodes])
    m = np.asarray([spec.mode[v] for v in nodes])
    b = np.asarray([spec.hi[v] for v in nodes])
    out = np.repeat(m[:, None], size, axis=1)
    var = b > a
    if var.any():
        a, m, b = a[var, None], m[var, None], b[var, None]
        shape = (int(var.sum()), size)
        if spec.distribution == "triangular":
            out[var] = rng.triangular(a, m, b, size=shape)
        else:
            width = b - a
            out[var] = a + width * rng.beta(1 + 4 * (m - a) / width, 1 + 4 * (b - m) / width, size=shape)
    return out


def _np_durations(np: Any, rng: Any, net: _Net, spec: _Spec, size: int) -> Any:
    dur = np.repeat(np.asarray(net.dur)[:, None], size, axis=1)
    if spec.varying:
        dur[spec.varying] = _np_draw(np, rng, spec, spec.varying, size)
    if spec.reject_rate > 0 and spec.gates:
        rejected = rng.random((len(spec.gates), size)) < spec.reject_rate
        rework = spec.rework * _np_draw(np, rng, spec, spec.gate_task, size)
        again = _np_draw(np, rng, spec, spec.gates, size)
        dur[spec.gates] += np.where(rejected, rework + again, 0.0)
    return dur


def _np_retime(np: Any, net: _Net, timing: _Timing, dur: Any) -> tuple[Any, Any, Any]:
    n, size = dur.shape
    finish = np.empty((n, size))
    driver = np.full((n, size), -1, dtype=np.int32)
    pp, pi, lb = net.pred_ptr, net.pred_idx, net.lb
    lag, working, table = net.pred_lag, net.pred_working, net.table

    def lagged(e: int) -> Any:
        f = finish[pi[e]]
        if lag[e] == 0.0:
            return f
        if working[e]:
            return f + lag[e]
        return table.after_vec(f, lag[e])

    fixed = [v for v in range(n) if net.fixed[v]]
    for v in fixed:
        finish[v] = timing.start[v] + dur[v]
    for v in timing.seq:
        cur = np.full(size, lb[v])
        drv = driver[v]
        for e in range(pp[v], pp[v + 1]):
            x = lagged(e)
            later = x > cur
            drv[later] = pi[e]
            cur = np.where(later, x, cur)
        p = timing.slot_prev[v]
        if p >= 0:
            later = finish[p] > cur
            drv[later] = p
            cur = np.where(later, finish[p], cur)
        finish[v] = cur + dur[v]
    ready = {}
    for v in fixed:
        # A fixed event's driver is its latest prerequisite: the work leading up to it.
        rd, drv = np.full(size, -_INF), driver[v]
        for e in range(pp[v], pp[v + 1]):
            x = lagged(e)
            later = x > rd
            drv[later] = pi[e]
            rd = np.where(later, x, rd)
        ready[v] = rd
    return finish, driver, ready


def _numpy_runs(net: _Net, timing: _Timing, spec: _Spec, tally: _Tally, task_nodes: list[range], runs: int,
                seed: int, progress: Progress | None) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    n = net.n
    chunk = max(1, min(runs, max(_CHUNK_CELLS // max(n, 1), min(_CHUNK_MIN_RUNS, _CHUNK_MAX_CELLS // max(n, 1)))))
    dtype = np.float64 if len(tally.keep) * runs <= _KEEP_F64 else np.float32
    spill = len(tally.keep) * runs * np.dtype(dtype).itemsize > _KEEP_BYTES
    if spill:
        from ._spill import SpilledFinishes

        kept: Any = SpilledFinishes(np, len(tally.keep), runs, dtype, band_bytes=_KEEP_BYTES // 4)
    else:
        kept = np.empty((len(tally.keep), runs), dtype=dtype)
    makespan = np.empty(runs)
    hits = np.zeros(len(tally.deadline_nodes), dtype=np.int64)
    critical = np.zeros(len(task_nodes), dtype=np.int64)
    task_starts = np.asarray([r.start for r in task_nodes], dtype=np.intp)
    deadline = np.asarray([net.deadline[v] for v in tally.deadline_nodes])
    ends = np.asarray(_end_candidates(net), dtype=np.intp)
    done = 0
    while done < runs:
        size = min(chunk, runs - done)
        finish, driver, ready = _np_retime(np, net, timing, _np_durations(np, rng, net, spec, size))
        if spill:
            kept.append(finish[tally.keep])
        else:
            kept[:, done:done + size] = finish[tally.keep]
        for i, v in enumerate(tally.deadline_nodes):
            if net.fixed[v]:
                hits[i] += int((ready[v] <= timing.start[v] + _EPS).sum())
            else:
                hits[i] += int((finish[v] <= deadline[i] + _EPS).sum())
        makespan[done:done + size] = finish.max(axis=0)
        end = ends[finish[ends].argmax(axis=0)]
        crit = _np_critical(np, driver, end)
        if len(task_starts):
            critical += np.logical_or.reduceat(crit, task_starts, axis=0).sum(axis=1)
        done += size
        if progress is not None:
            progress(done)
    tally.hits = hits.tolist()
    tally.critical = critical.tolist()
    tally.finishes = kept
    tally.makespan = makespan


def _np_critical(np: Any, driver: Any, end: Any) -> Any:
    """Per node and run: on the chain of drivers back from the run's last finish.

    The chains are followed for all runs at once, one link per step; a run
    stops at a node without a driver (or one already on its chain).
    """
    n, size = driver.shape
    crit = np.zeros((n, size), dtype=bool)
    runs = np.arange(size)
    cur = end.astype(np.intp)
    while runs.size:
        seen = crit[cur, runs]
        crit[cur, runs] = True
        nxt = driver[cur, runs]
        go = (nxt >= 0) & ~seen
        runs, cur = runs[go], nxt[go].astype(np.intp)
    return crit


# -- the public function -------------------------------------------------------------------


def _engine(name: str) -> str:
    if name not in ENGINES:
        msg = f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}"
        raise ValueError(msg)
    if name != "auto":
        return name
    try:
        import numpy  # noqa: F401
    except ImportError:
        return "python"
    return "numpy"


def _check_args(runs: int, distribution: str, reject_rate: float, rework: float,
                approval_spread: tuple[float, float]) -> None:
    problems = []
    if runs < 0:
        problems.append(f"runs must not be negative, got {runs}")
    if distribution not in DISTRIBUTIONS:
        problems.append(f"unknown distribution {distribution!r}; expected one of {', '.join(DISTRIBUTIONS)}")
    if not 0.0 <= reject_rate <= 1.0:
        problems.append(f"reject_rate is a probability in [0, 1], got {reject_rate}")
    if rework < 0:
        problems.append(f"rework must not be negative, got {rework}")
    lo, hi = approval_spread
    if not 0.0 <= lo <= 1.0 <= hi:
        problems.append(f"approval_spread must satisfy 0 <= lo <= 1 <= hi, got {approval_spread}")
    if problems:
        raise ValueError("; ".join(problems))


def simulate(
    campaign: Campaign,
    *,
    runs: int = 1000,
    seed: int | None = None,
    scenario: Scenario | None = None,
    distribution: str = "pert",
    reject_rate: float = 0.0,
    rework: float = 0.5,
    approval_spread: tuple[float, float] = (0.5, 2.0),
    calendar: Calendar | None = None,
    plugins: Plugins | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
    effort: int = 1,
    optimize: bool = False,
    time_limit: float | None = None,
    scheduler: str | None = None,
) -> SimulationResult:
    """The deterministic schedule and, over ``runs`` Monte-Carlo runs, the risk to every deadline.

    Args:
        campaign: the campaign.
        runs: Monte-Carlo runs; 0 gives the deterministic schedule only.
        seed: seeds the generator; the same seed gives the same numbers. ``None``
            draws one, recorded in the result.
        scenario: what-if changes (see ``Scenario``).
        distribution: ``"pert"`` (PERT-beta) or ``"triangular"`` over three-point estimates.
        reject_rate: probability that an approval step is rejected once (rework, then a second decision).
        rework: share of the task's duration the lead spends on rework after a rejection.
        approval_spread: ``(lo, hi)`` multipliers of ``within`` for approvers' latency.
        calendar: the calendar to use; by default the campaign's, found through ``plugins``.
        plugins: where to find calendars (default: the process default).
        engine: ``"auto"``, ``"numpy"`` or ``"python"``.
        progress: called now and then with the number of runs done.
        effort, optimize, time_limit, scheduler: how the baseline schedule is found (see ``schedule``);
            sampled schedules use ``seed`` (0 when it is ``None``).

    Raises:
        CycleError: the dependencies form a cycle.
        ScenarioError: the scenario names an unknown task or unit.
        ValueError: an argument is out of range.
    """
    _check_args(runs, distribution, reject_rate, rework, approval_spread)
    chosen = _engine(engine)
    prep = _prepare(campaign, scenario, calendar, plugins)
    found = _run(prep, effort=effort, seed=seed or 0, optimize=optimize, time_limit=time_limit, plugins=plugins,
                 scheduler=scheduler)
    timing = found.timing
    baseline = _build_schedule(prep, found)
    if runs == 0:
        return SimulationResult(schedule=baseline, runs=0, seed=seed, distribution=distribution,
                                reject_rate=reject_rate, engine="none")
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    net = prep.net
    spec = _spec(net, distribution, reject_rate, rework, approval_spread)
    task_nodes = [range(v, v + 1 + len(t.approvals)) for v, t in zip(_task_heads(prep.campaign), baseline.tasks)]
    deadline_nodes = _deadline_nodes(net, task_nodes)
    keep = sorted({r[-1] for r in task_nodes} | set(deadline_nodes))
    tally = _Tally(keep=keep, deadline_nodes=deadline_nodes, hits=[0] * len(deadline_nodes),
                   critical=[0] * len(task_nodes))
    run_engine = _numpy_runs if chosen == "numpy" else _python_runs
    run_engine(net, timing, spec, tally, task_nodes, runs, seed, progress)
    try:
        return _result(prep, baseline, tally, task_nodes, runs, seed, distribution, reject_rate, chosen)
    finally:
        close = getattr(tally.finishes, "close", None)
        if close is not None:  # finishes spilled to a temporary file
            close()


def _task_heads(campaign: Campaign) -> list[int]:
    heads, v = [], 0
    for task in campaign.tasks.values():
        heads.append(v)
        v += 1 + len(task.approvals)
    return heads


def _deadline_nodes(net: _Net, task_nodes: list[range]) -> list[int]:
    """Nodes with a deadline, in the order of ``Schedule.deadlines``."""
    out = []
    for nodes in task_nodes:
        head = nodes[0]
        if net.fixed[head] or net.deadline[head] < _INF:
            out.append(head)
        out.extend(g for g in nodes[1:] if net.deadline[g] < _INF)
    return out


def _quantiles(tally: _Tally) -> tuple[list[tuple[float, float, float]], tuple[float, float]]:
    """(p50, p90, mean) per kept row, and the makespan's (p50, p90)."""
    if isinstance(tally.finishes, list):
        rows = [(*_py_quantiles(r, (0.5, 0.9)), math.fsum(r) / len(r)) for r in tally.finishes]
        ms = _py_quantiles(tally.makespan, (0.5, 0.9))
        return rows, (ms[0], ms[1])
    import numpy as np

    kept = tally.finishes
    if not isinstance(kept, np.ndarray):  # spilled to disk: a band of rows at a time, the same numbers
        parts = [(np.quantile(band, [0.5, 0.9], axis=1), band.mean(axis=1, dtype=np.float64))
                 for _, band in kept.bands()]
        q = np.concatenate([p[0] for p in parts], axis=1) if parts else np.empty((2, 0))
        mean = np.concatenate([p[1] for p in parts]) if parts else np.empty(0)
    else:
        q = np.quantile(kept, [0.5, 0.9], axis=1) if kept.size else np.empty((2, 0))
        mean = kept.mean(axis=1, dtype=np.float64) if kept.size else np.empty(0)
    rows = [(float(a), float(b), float(c)) for a, b, c in zip(q[0], q[1], mean)]
    ms = np.quantile(tally.makespan, [0.5, 0.9])
    return rows, (float(ms[0]), float(ms[1]))


def _result(prep: Any, baseline: Any, tally: _Tally, task_nodes: list[range], runs: int, seed: int,
            distribution: str, reject_rate: float, engine: str) -> SimulationResult:
    clock = _Clock(prep.plan)
    rows, (ms50, ms90) = _quantiles(tally)
    row_of = {v: i for i, v in enumerate(tally.keep)}
    hit_of = {v: h for v, h in zip(tally.deadline_nodes, tally.hits)}
    tasks = []
    for i, (nodes, timing) in enumerate(zip(task_nodes, baseline.tasks)):
        p50, p90, mean = rows[row_of[nodes[-1]]]
        hits = hit_of.get(nodes[0])
        if len(nodes) == 1 and prep.net.fixed[nodes[0]]:
            at50 = at90 = timing.finish  # an event's own day, even a holiday
        else:
            at50, at90 = clock.at(p50, finish=True), clock.at(p90, finish=True)
        tasks.append(TaskRisk(
            id=timing.id, lead=timing.lead, p50=at50, p90=at90,
            p50_pos=p50, p90_pos=p90, mean_pos=mean, criticality=tally.critical[i] / runs, due=timing.due,
            probability=None if hits is None else hits / runs,
        ))
    deadlines = []
    for d, v in zip(baseline.deadlines, tally.deadline_nodes):
        p50, p90, _ = rows[row_of[v]]
        p80, p95, bins = _spread(tally.finishes[row_of[v]])
        deadlines.append(DeadlineRisk(task=d.task, step=d.step, due=d.due, p50=clock.at(p50, finish=True),
                                      p90=clock.at(p90, finish=True), probability=hit_of[v] / runs,
                                      p80=clock.at(p80, finish=True), p95=clock.at(p95, finish=True),
                                      histogram=tuple((clock.at(a, finish=True), clock.at(b, finish=True), n)
                                                      for a, b, n in bins)))
    plan = prep.campaign
    estimates = sum(1 for t in plan.tasks.values() if t.duration.is_estimate)
    latencies = sum(1 for t in plan.tasks.values() for st in t.approvals if st.within is not None)
    return SimulationResult(
        schedule=baseline, runs=runs, seed=seed, distribution=distribution, reject_rate=reject_rate,
        engine=engine, tasks=tuple(tasks), deadlines=tuple(deadlines), estimates=estimates, latencies=latencies,
        makespan_p50=_makespan_at(clock, baseline, ms50), makespan_p90=_makespan_at(clock, baseline, ms90),
    )


def _spread(row: Any, bins: int = 20) -> tuple[float, float, list[tuple[float, float, int]]]:
    """P80, P95 and a histogram (``bins`` equal bins from the least to the most) of one row of finishes."""
    if not isinstance(row, list):
        return _np_spread(row, bins)
    values = [float(x) for x in row]
    p80, p95 = _py_quantiles(values, (0.8, 0.95))
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        return p80, p95, [(lo, hi, len(values))]
    width = (hi - lo) / bins
    counts = [0] * bins
    for x in values:
        counts[min(int((x - lo) / width), bins - 1)] += 1
    return p80, p95, [(lo + i * width, lo + (i + 1) * width, n) for i, n in enumerate(counts)]


def _np_spread(row: Any, bins: int) -> tuple[float, float, list[tuple[float, float, int]]]:
    """``_spread`` of a numpy row, with the same float arithmetic: the same numbers, bit for bit.

    The scalar version walked every run of every deadline in Python: at
    10,000 runs that was most of a Monte-Carlo simulation's time.
    """
    import numpy as np

    xs = np.sort(np.asarray(row, dtype=np.float64))
    n = len(xs)
    out = []
    for q in (0.8, 0.95):
        h = (n - 1) * q
        lo_i = math.floor(h)
        hi_i = min(lo_i + 1, n - 1)
        a, b = float(xs[lo_i]), float(xs[hi_i])
        out.append(a + (h - lo_i) * (b - a))
    lo, hi = float(xs[0]), float(xs[-1])
    if hi - lo < 1e-9:
        return out[0], out[1], [(lo, hi, n)]
    width = (hi - lo) / bins
    index = np.minimum(((xs - lo) / width).astype(np.int64), bins - 1)  # int() of a value >= 0: its floor
    counts = np.bincount(index, minlength=bins).tolist()
    return out[0], out[1], [(lo + i * width, lo + (i + 1) * width, c) for i, c in enumerate(counts)]


def _makespan_at(clock: _Clock, baseline: Any, work: float) -> Any:
    # The baseline's finish may be an event's own day (a holiday), which working time cannot show.
    return baseline.finish if work == baseline.finish_pos else clock.at(work, finish=True)
