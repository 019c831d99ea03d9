"""The general resource-constrained project scheduling (RCPSP) core.

A ``SchedulingProblem`` is activities with integer durations, renewable resources with
capacities and per-activity demands, finish-to-start precedences with
non-negative lags, release dates, fixed starts and (soft) deadlines. The core
builds schedules with the classic heuristics of the literature:

- **serial** and **parallel** schedule generation schemes (SGS);
- priority rules (``LFT``, ``LST``, ``MTS``, ``GRPW``, ``SPT``, ``MSLK``), each
  one deterministic pass;
- **regret-based biased random sampling** of activity lists (Kolisch 1996);
- **forward-backward improvement** (justification, Tormos & Lova 2001; Valls
  et al. 2005) of every sampled schedule;

within an *effort*: a number of generated schedules (each SGS pass counts, as
in Kolisch & Hartmann's benchmark protocol) and optionally seconds. Sampling
uses ``random.Random(seed)``: without a time limit, the same problem and seed
give the same schedule. ``lower_bound`` gives the critical-path and resource
energy bounds, so every ``SchedulingSolution`` says how far it may be from optimal.

Time is integer, as in PSPLIB; the campaign scheduler scales working days to it.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from itertools import accumulate
import math
import random
import time
from collections.abc import Callable, Sequence

import attrs

from ..errors import CampaignflowError

__all__ = [
    "PRIORITY_RULES",
    "SchedulingProblem",
    "ProblemError",
    "SchedulingSolution",
    "check_schedule",
    "heuristic",
    "lower_bound",
    "priority_values",
    "decode",
    "sgs",
]

#: Rules ``priority_values`` knows; lower value = scheduled first.
PRIORITY_RULES = ("LFT", "LST", "MSLK", "MTS", "GRPW", "SPT")


class ProblemError(CampaignflowError, ValueError):
    """A scheduling problem that is malformed (bad index, negative duration, cycle, …)."""


def _tuple(xs: Sequence[int]) -> tuple[int, ...]:
    return tuple(int(x) for x in xs)


@attrs.frozen
class SchedulingProblem:
    """A single-mode RCPSP instance with lags, release dates, fixed starts and deadlines.

    Attributes:
        durations: each activity's duration (>= 0).
        capacities: each renewable resource's capacity per period.
        demands: ``demands[j][r]``, what activity ``j`` needs of resource ``r`` while it runs.
        successors: ``successors[j]`` = ``((k, lag), ...)``: ``k`` starts at least
            ``lag`` after ``j`` finishes (``lag >= 0``).
        release: earliest start of each activity (default 0).
        fixed: a fixed start per activity, or ``None``; fixed activities ignore
            their predecessors (a late predecessor is reported, not obeyed) and
            occupy their resources at that time.
        deadlines: a soft due finish per activity, or ``None``.
        names: labels for messages.
        ruled: the edges ``(j, k)`` whose lag follows a calendar rather than a
            constant (a campaign's calendar-day lags): ``k`` starts at least
            ``lag_rule(j, k, finish_of_j)``. Their constant ``lag`` in
            ``successors`` must be a lower bound of the rule's lag, so bounds
            and the CP-SAT model (which use the constant) stay valid relaxations.
        lag_rule: the rule of the ``ruled`` edges, monotone in the finish.
    """

    durations: tuple[int, ...] = attrs.field(converter=_tuple)
    capacities: tuple[int, ...] = attrs.field(converter=_tuple)
    demands: tuple[tuple[int, ...], ...] = attrs.field(converter=lambda d: tuple(_tuple(x) for x in d))
    successors: tuple[tuple[tuple[int, int], ...], ...] = attrs.field(
        converter=lambda s: tuple(tuple((int(k), int(lag)) for k, lag in x) for x in s))
    release: tuple[int, ...] = attrs.field(default=None, converter=attrs.converters.optional(_tuple))
    fixed: tuple[int | None, ...] = attrs.field(default=None)
    deadlines: tuple[int | None, ...] = attrs.field(default=None)
    names: tuple[str, ...] = attrs.field(default=None)
    ruled: frozenset[tuple[int, int]] = attrs.field(default=frozenset(), converter=frozenset)
    lag_rule: Callable[[int, int, int], int] | None = attrs.field(default=None, eq=False)
    _order: tuple[int, ...] = attrs.field(init=False, default=(), eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        n = len(self.durations)
        if self.release is None:
            object.__setattr__(self, "release", (0,) * n)
        if self.fixed is None:
            object.__setattr__(self, "fixed", (None,) * n)
        if self.deadlines is None:
            object.__setattr__(self, "deadlines", (None,) * n)
        if self.names is None:
            object.__setattr__(self, "names", tuple(str(j) for j in range(n)))
        for what in ("fixed", "deadlines", "names"):
            object.__setattr__(self, what, tuple(getattr(self, what)))
        m = len(self.capacities)
        for what, seq in (("demands", self.demands), ("successors", self.successors), ("release", self.release),
                          ("fixed", self.fixed), ("deadlines", self.deadlines), ("names", self.names)):
            if len(seq) != n:
                raise ProblemError(f"{what} has {len(seq)} entries for {n} activities")
        if any(c < 0 for c in self.capacities):
            raise ProblemError("a resource capacity is negative")
        for j in range(n):
            if self.durations[j] < 0:
                raise ProblemError(f"activity {self.names[j]}: negative duration")
            if len(self.demands[j]) != m:
                raise ProblemError(f"activity {self.names[j]}: {len(self.demands[j])} demands for {m} resources")
            for r, q in enumerate(self.demands[j]):
                if q < 0 or (q > self.capacities[r] and self.durations[j] > 0):
                    raise ProblemError(f"activity {self.names[j]}: demand {q} of resource {r} "
                                       f"exceeds its capacity {self.capacities[r]}")
            for k, lag in self.successors[j]:
                if not 0 <= k < n or k == j:
                    raise ProblemError(f"activity {self.names[j]}: bad successor {k}")
                if lag < 0:
                    raise ProblemError(f"activity {self.names[j]}: negative lag to {self.names[k]}")
        if self.ruled and self.lag_rule is None:
            raise ProblemError("ruled edges without a lag_rule")
        object.__setattr__(self, "_order", self._topological())

    def earliest_after(self, j: int, k: int, lag: int, finish: int) -> int:
        """When ``k`` may start if its predecessor ``j`` finishes at ``finish`` (constant or ruled lag)."""
        if self.ruled and (j, k) in self.ruled:
            return max(finish + lag, self.lag_rule(j, k, finish))  # type: ignore[misc]
        return finish + lag

    @property
    def n(self) -> int:
        """The number of activities."""
        return len(self.durations)

    def _topological(self) -> tuple[int, ...]:
        indeg = [0] * self.n
        for succ in self.successors:
            for k, _ in succ:
                indeg[k] += 1
        stack = [j for j in range(self.n - 1, -1, -1) if indeg[j] == 0]
        out: list[int] = []
        while stack:
            j = stack.pop()
            out.append(j)
            for k, _ in reversed(self.successors[j]):
                indeg[k] -= 1
                if indeg[k] == 0:
                    stack.append(k)
        if len(out) != self.n:
            raise ProblemError("the precedences form a cycle")
        return tuple(out)

    @property
    def order(self) -> tuple[int, ...]:
        """A topological order of the activities."""
        return self._order

    def predecessors(self) -> list[list[tuple[int, int]]]:
        """``predecessors()[k]`` = ``[(j, lag), ...]``, the reverse of ``successors``."""
        pred: list[list[tuple[int, int]]] = [[] for _ in range(self.n)]
        for j, succ in enumerate(self.successors):
            for k, lag in succ:
                pred[k].append((j, lag))
        return pred

    def reversed(self) -> SchedulingProblem:
        """The same network with every precedence turned round (for backward passes).

        Release dates and fixed starts are dropped: the backward pass only
        proposes an order, which the forward pass makes feasible again.
        """
        return SchedulingProblem(self.durations, self.capacities, self.demands,
                       [[(j, lag) for j, lag in p] for p in self.predecessors()], names=self.names)


@attrs.frozen
class SchedulingSolution:
    """A schedule of a ``SchedulingProblem``, how it was found and how near optimal it is.

    Attributes:
        starts: each activity's start.
        makespan: the latest finish.
        lower_bound: no schedule is shorter than this (critical path, resource
            energy, or a solver's proven bound).
        optimal: the makespan is proven minimal.
        scheduler: which scheduler produced it (``heuristic``, ``cpsat``).
        method: the setting, e.g. ``"serial/LFT"`` or ``"sampling+FBI"``.
        schedules: how many schedules were generated.
        seconds: wall time spent.
    """

    starts: tuple[int, ...]
    makespan: int
    lower_bound: int
    optimal: bool = False
    scheduler: str = "heuristic"
    method: str = ""
    schedules: int = 1
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        """``(makespan - lower_bound) / lower_bound``: at most this far above optimal (0 when optimal)."""
        if self.optimal or self.makespan <= self.lower_bound:
            return 0.0
        return (self.makespan - self.lower_bound) / self.lower_bound if self.lower_bound > 0 else math.inf

    def lateness(self, problem: SchedulingProblem) -> int:
        """Total time by which activities finish after their deadlines."""
        return sum(max(0, s + d - dl) for s, d, dl in zip(self.starts, problem.durations, problem.deadlines)
                   if dl is not None)


# -- bounds and priorities ---------------------------------------------------------------


def _forward(p: SchedulingProblem) -> list[int]:
    """Earliest starts ignoring resources (release dates, lags, fixed starts)."""
    es = list(p.release)
    for j in p.order:
        if p.fixed[j] is not None:
            es[j] = p.fixed[j]  # type: ignore[call-overload]
        f = es[j] + p.durations[j]
        for k, lag in p.successors[j]:
            if f + lag > es[k]:
                es[k] = f + lag
    return es


def _backward(p: SchedulingProblem, horizon: int) -> list[int]:
    """Latest finishes for the project to end by ``horizon``, ignoring resources."""
    lf = [horizon] * p.n
    for j in reversed(p.order):
        for k, lag in p.successors[j]:
            if p.fixed[k] is not None:
                continue  # a fixed activity does not wait, so it does not push its predecessors earlier
            t = lf[k] - p.durations[k] - lag
            if t < lf[j]:
                lf[j] = t
    return lf


def lower_bound(p: SchedulingProblem) -> int:
    """A makespan no schedule can beat: the critical path, and per resource an energy and a disjunctive bound.

    For resource ``r`` with the activities ``S`` that use it: every one starts
    no earlier than its *head* (earliest start) and is followed by its *tail*
    (the longest path after it), so the makespan is at least
    ``min head + ceil(sum d_j * q_jr / R_r) + min tail`` over ``S``; and the
    activities needing more than half of ``R_r`` run one at a time, so also
    ``min head + sum d_j + min tail`` over them.
    """
    es = _forward(p)
    cp = max((es[j] + p.durations[j] for j in range(p.n)), default=0)
    lf = _backward(p, cp)
    tail = [cp - lf[j] for j in range(p.n)]
    best = cp
    for r, cap in enumerate(p.capacities):
        if cap <= 0:
            continue
        users = [j for j in range(p.n) if p.demands[j][r] > 0 and p.durations[j] > 0 and p.fixed[j] is None]
        if users:
            work = sum(p.durations[j] * p.demands[j][r] for j in users)
            best = max(best, min(es[j] for j in users) + -(-work // cap) + min(tail[j] for j in users))
        big = [j for j in users if 2 * p.demands[j][r] > cap]
        if len(big) > 1:
            best = max(best, min(es[j] for j in big) + sum(p.durations[j] for j in big) + min(tail[j] for j in big))
    return best


def priority_values(p: SchedulingProblem, rule: str) -> list[float]:
    """The value of ``rule`` for every activity; lower goes first (ties: lower index)."""
    es = _forward(p)
    cp = max((es[j] + p.durations[j] for j in range(p.n)), default=0)
    lf = _backward(p, cp)
    if rule == "LFT":
        return [float(x) for x in lf]
    if rule == "LST":
        return [float(lf[j] - p.durations[j]) for j in range(p.n)]
    if rule == "MSLK":
        return [float(lf[j] - p.durations[j] - es[j]) for j in range(p.n)]
    if rule == "SPT":
        return [float(d) for d in p.durations]
    if rule == "MTS":
        reach: list[set[int]] = [set() for _ in range(p.n)]
        for j in reversed(p.order):
            for k, _ in p.successors[j]:
                reach[j].add(k)
                reach[j] |= reach[k]
        return [-float(len(x)) for x in reach]
    if rule == "GRPW":
        return [-float(p.durations[j] + sum(p.durations[k] for k, _ in p.successors[j])) for j in range(p.n)]
    raise ProblemError(f"unknown priority rule {rule!r}; known: {', '.join(PRIORITY_RULES)}")


# -- schedule generation -------------------------------------------------------------------


class _Profile:
    """Free capacity per resource and period, grown on demand."""

    __slots__ = ("free", "caps", "size")

    def __init__(self, caps: Sequence[int], size: int) -> None:
        self.caps = list(caps)
        self.size = size
        self.free = [[c] * size for c in caps]

    def grow(self, t: int) -> None:
        if t > self.size:
            extra = max(t - self.size, self.size)
            for r, c in enumerate(self.caps):
                self.free[r].extend([c] * extra)
            self.size += extra

    def earliest(self, t: int, d: int, need: list[tuple[int, int]]) -> int:
        """The first ``s >= t`` at which every ``(r, q)`` of ``need`` fits for ``d`` periods."""
        if d == 0 or not need:
            return t
        free = self.free
        while True:
            self.grow(t + d)
            ok = True
            for r, q in need:
                row = free[r]
                for u in range(t + d - 1, t - 1, -1):
                    if row[u] < q:
                        t = u + 1  # no start before u + 1 can use period u
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                return t

    def fits(self, t: int, d: int, need: list[tuple[int, int]]) -> bool:
        self.grow(t + d)
        for r, q in need:
            row = self.free[r]
            for u in range(t, t + d):
                if row[u] < q:
                    return False
        return True

    def take(self, t: int, d: int, need: list[tuple[int, int]]) -> None:
        self.grow(t + d)
        for r, q in need:
            row = self.free[r]
            for u in range(t, t + d):
                row[u] -= q


class _Compiled:
    """A ``SchedulingProblem`` as plain lists for the inner loops."""

    def __init__(self, p: SchedulingProblem) -> None:
        self.p = p
        self.n = p.n
        self.dur = list(p.durations)
        self.need = [[(r, q) for r, q in enumerate(dem) if q > 0] for dem in p.demands]
        self.succ = [list(s) for s in p.successors]
        self.pred = p.predecessors()
        self.release = list(p.release)
        self.fixed = list(p.fixed)
        self.ruled = p.ruled
        self.at = p.earliest_after
        self.deadlines = list(p.deadlines)
        self.size = sum(self.dur) + max(self.release, default=0) + sum(lag for s in self.succ for _, lag in s) + 1
        for j, f in enumerate(self.fixed):
            if f is not None:
                self.size = max(self.size, f + self.dur[j] + 1)

    def profile(self) -> _Profile:
        prof = _Profile(self.p.capacities, self.size)
        for j, f in enumerate(self.fixed):
            if f is not None:
                prof.take(f, self.dur[j], self.need[j])
        return prof


def _serial(c: _Compiled, alist: Sequence[int]) -> list[int]:
    """Serial SGS: each activity of the precedence-feasible list at its earliest feasible start."""
    prof = c.profile()
    start = [0] * c.n
    fixed, pred, dur, need, rel = c.fixed, c.pred, c.dur, c.need, c.release
    for j in alist:
        f = fixed[j]
        if f is not None:
            start[j] = f
            continue
        t = rel[j]
        for i, lag in pred[j]:
            x = start[i] + dur[i] + lag
            if c.ruled and (i, j) in c.ruled:
                x = c.at(i, j, lag, start[i] + dur[i])
            if x > t:
                t = x
        t = prof.earliest(t, dur[j], need[j])
        start[j] = t
        prof.take(t, dur[j], need[j])
    return start


def _parallel(c: _Compiled, prio: Sequence[float]) -> list[int]:
    """Parallel SGS: at each decision time, start the eligible activities that fit, best priority first."""
    n = c.n
    prof = c.profile()
    start = [0] * n
    ready = list(c.release)
    left = [len(c.pred[j]) for j in range(n)]
    pending: list[int] = []  # precedence-eligible, not started
    running: list[tuple[int, int]] = []  # (finish, activity)
    fixed, dur, need, succ = c.fixed, c.dur, c.need, c.succ
    todo = 0

    def complete(j: int, f: int) -> None:
        for k, lag in succ[j]:
            x = c.at(j, k, lag, f) if c.ruled else f + lag
            if x > ready[k]:
                ready[k] = x
            left[k] -= 1
            if left[k] == 0 and fixed[k] is None:
                pending.append(k)

    # Fixed activities are in place from the start; their successors wait for them.
    for j in range(n):
        if fixed[j] is not None:
            start[j] = fixed[j]  # type: ignore[assignment]
            running.append((start[j] + dur[j], j))
        else:
            todo += 1
            if left[j] == 0:
                pending.append(j)
    heapq.heapify(running)
    t = 0
    while todo or running:
        while running and running[0][0] <= t:
            f, j = heapq.heappop(running)
            complete(j, f)
        again = True
        while again:
            again = False
            # What needs no resource starts as soon as it is ready, and zero-length
            # activities complete at once, before the contested ones are dispatched:
            # what they release competes at ``t`` too.
            loose = True
            while loose:
                loose = False
                for j in sorted((j for j in pending if ready[j] <= t and not need[j]), key=lambda j: (prio[j], j)):
                    start[j] = t
                    pending.remove(j)
                    todo -= 1
                    if dur[j] == 0:
                        complete(j, t)
                        loose = True
                    else:
                        heapq.heappush(running, (t + dur[j], j))
            for j in sorted((j for j in pending if ready[j] <= t), key=lambda j: (prio[j], j)):
                if prof.fits(t, dur[j], need[j]):
                    start[j] = t
                    prof.take(t, dur[j], need[j])
                    pending.remove(j)
                    todo -= 1
                    if dur[j] == 0:
                        complete(j, t)
                        again = True
                    else:
                        heapq.heappush(running, (t + dur[j], j))
        nxt = [running[0][0]] if running else []
        nxt += [ready[j] for j in pending if ready[j] > t]
        # Only a future fixed activity's reservation blocks what is left: try the next period.
        t = min(nxt) if nxt else t + 1
    return start


def _list_from_prio(c: _Compiled, prio: Sequence[float]) -> list[int]:
    """The precedence-feasible activity list that always takes the best eligible activity."""
    left = [len(c.pred[j]) for j in range(c.n)]
    heap = [(prio[j], j) for j in range(c.n) if left[j] == 0]
    heapq.heapify(heap)
    out: list[int] = []
    while heap:
        _, j = heapq.heappop(heap)
        out.append(j)
        for k, _ in c.succ[j]:
            left[k] -= 1
            if left[k] == 0:
                heapq.heappush(heap, (prio[k], k))
    return out


def _sample_list(c: _Compiled, prio: Sequence[float], rng: random.Random, alpha: float) -> list[int]:
    """Regret-based biased random sampling: ``P(j) ∝ (max prio - prio_j + 1) ** alpha`` among the eligible."""
    left = [len(c.pred[j]) for j in range(c.n)]
    elig = [j for j in range(c.n) if left[j] == 0]
    eprio = [prio[j] for j in elig]
    out: list[int] = []
    rand = rng.random
    while elig:
        # Cumulative weights and a bisection: the same pick as a linear scan, in C loops
        # (a flat plan has hundreds of eligible activities at once).
        worst = max(eprio)
        if alpha == 1.0:
            acc = list(accumulate([worst - x + 1.0 for x in eprio]))
        else:
            acc = list(accumulate([(worst - x + 1.0) ** alpha for x in eprio]))
        i = min(bisect_right(acc, rand() * acc[-1]), len(acc) - 1)
        j = elig.pop(i)
        eprio.pop(i)
        out.append(j)
        for k, _ in c.succ[j]:
            left[k] -= 1
            if left[k] == 0:
                elig.append(k)
                eprio.append(prio[k])
    return out


def _makespan(c: _Compiled, start: Sequence[int]) -> int:
    return max((start[j] + c.dur[j] for j in range(c.n)), default=0)


def _fbi(c: _Compiled, rc: _Compiled, start: list[int], budget: int) -> tuple[list[int], int]:
    """Forward-backward improvement: right-justify, then left-justify, while it helps.

    Returns the best schedule and the number of SGS passes used (<= ``budget``).
    """
    best = start
    best_ms = _makespan(c, start)
    used = 0
    while used + 2 <= budget:
        ms = _makespan(c, best)
        # Backward: latest finishes first, on the reversed network.
        # (Keys become priorities of a precedence-feasible list: ties of zero-length
        # activities could otherwise put a successor first.)
        back = _serial(rc, _list_from_prio(rc, [-(best[j] + c.dur[j]) for j in range(c.n)]))
        bms = _makespan(rc, back)
        # Reversed time -> forward order: earliest (reversed) finishes go first.
        new = _serial(c, _list_from_prio(c, [bms - back[j] - c.dur[j] for j in range(c.n)]))
        used += 2
        nms = _makespan(c, new)
        if nms < best_ms:
            best, best_ms = new, nms
        if nms >= ms:
            break
    return best, used


def decode(problem: SchedulingProblem, starts: Sequence[int]) -> SchedulingSolution:
    """The serial SGS of the activities in the order of ``starts`` (ties: topological order).

    Each activity goes at its earliest feasible start, so the result is
    feasible and, when ``starts`` was feasible, starts nothing later (a
    left shift). Used to make a relaxation's schedule (CP-SAT on the
    constant lags) feasible for the ``ruled`` lags.
    """
    c = _Compiled(problem)
    rank = {j: i for i, j in enumerate(problem.order)}
    alist = sorted(range(problem.n), key=lambda j: (starts[j], rank[j]))
    start = _serial(c, alist)
    return SchedulingSolution(tuple(start), _makespan(c, start), lower_bound(problem), method="decoded")


def sgs(problem: SchedulingProblem, rule: str = "LFT", *, scheme: str = "serial") -> SchedulingSolution:
    """One deterministic pass: ``scheme`` (``serial`` or ``parallel``) with priority ``rule``."""
    t0 = time.perf_counter()
    c = _Compiled(problem)
    prio = priority_values(problem, rule)
    if scheme == "serial":
        start = _serial(c, _list_from_prio(c, prio))
    elif scheme == "parallel":
        start = _parallel(c, prio)
    else:
        raise ProblemError(f"unknown schedule generation scheme {scheme!r}; known: serial, parallel")
    return SchedulingSolution(tuple(start), _makespan(c, start), lower_bound(problem), method=f"{scheme}/{rule}",
                    seconds=time.perf_counter() - t0)


def _score(c: _Compiled, start: Sequence[int]) -> tuple[int, int, int]:
    """Better schedules first: fewer missed deadlines, less total lateness, then a shorter makespan.

    A fixed activity cannot move, so it misses (and is late by) what its
    predecessors make it wait past its start — how a plan counts a fixed event
    whose prerequisites finish late. Without deadlines or fixed activities
    this is the makespan alone.
    """
    missed = late = 0
    for j, dl in enumerate(c.deadlines):
        f = c.fixed[j]
        if f is not None:
            ready = max((c.at(i, j, lag, start[i] + c.dur[i]) for i, lag in c.pred[j]), default=f)
            if ready > f:
                missed += 1
                late += ready - f
        elif dl is not None and start[j] + c.dur[j] > dl:
            missed += 1
            late += start[j] + c.dur[j] - dl
    return missed, late, _makespan(c, start)


def heuristic(problem: SchedulingProblem, *, schedules: int = 1000, seconds: float | None = None, seed: int = 0,
              improve: bool = True, rules: Sequence[str] = ("LFT", "LST", "MTS", "GRPW"),
              alpha: float = 1.0, priorities: Sequence[float] | None = None) -> SchedulingSolution:
    """The best schedule of a sampling search within an effort budget.

    The first pass is the parallel SGS with ``priorities`` (default: rule
    LFT, serial SGS); then one serial and one parallel pass of each of
    ``rules``, then activity lists sampled by regret-based biased random
    sampling around ``priorities`` (default LFT) for the serial SGS,
    every pass improved by forward-backward improvement when ``improve``.
    Every SGS pass counts against ``schedules``; ``seconds`` (optional)
    stops earlier — then the result depends on the machine's speed, so
    leave it out for reproducible schedules. It stops at once when a
    schedule meets every deadline and reaches the lower bound.

    "Best" is fewest missed deadlines, then least total lateness, then the
    shortest makespan (without deadlines: the shortest makespan).

    Returns:
        The best schedule found (ties: the first), never worse than the
        first pass: so, without deadlines, never longer.
    """
    t0 = time.perf_counter()
    deadline = None if seconds is None else t0 + seconds
    c = _Compiled(problem)
    rc = _Compiled(problem.reversed())
    lb = lower_bound(problem)
    rng = random.Random(seed)
    best: list[int] | None = None
    best_key: tuple[int, int, int] = (0, 0, 0)
    used = 0
    budget = max(schedules, 1)

    def offer(start: list[int]) -> None:
        nonlocal best, best_key
        key = _score(c, start)
        if best is None or key < best_key:
            best, best_key = start, key

    def done() -> bool:
        return used >= budget or (best is not None and best_key[0] == 0 and best_key[2] <= lb) or (
            deadline is not None and time.perf_counter() > deadline)

    # Fixed activities that hold resources are dropped by the backward pass, so
    # justification rarely helps there; those that hold none change nothing.
    fbi_ok = improve and not any(f is not None and c.need[j] for j, f in enumerate(c.fixed))

    def improved(start: list[int], most: int) -> list[int]:
        nonlocal used
        if not fbi_ok or used >= budget:
            return start
        start2, k = _fbi(c, rc, start, min(most, budget - used))
        used += k
        offer(start)
        return start2

    prios = {rule: priority_values(problem, rule) for rule in rules or ("LFT",)}
    base = list(priorities) if priorities is not None else prios.get("LFT") or priority_values(problem, "LFT")
    if priorities is not None:
        offer(_parallel(c, base))
        used += 1
        firsts = [("serial", base)]
    else:
        firsts = []
    firsts += [(scheme, prio) for prio in prios.values() for scheme in ("serial", "parallel")]
    for scheme, prio in firsts:
        if done():
            break
        start = _serial(c, _list_from_prio(c, prio)) if scheme == "serial" else _parallel(c, prio)
        used += 1
        offer(improved(start, 2))
    while not done():
        start = _serial(c, _sample_list(c, base, rng, alpha))
        used += 1
        offer(improved(start, 6))
    assert best is not None
    best_ms = best_key[2]
    method = "sampling+FBI" if improve else "sampling"
    return SchedulingSolution(tuple(best), int(best_ms), lb, optimal=best_ms <= lb, method=method, schedules=used,
                    seconds=time.perf_counter() - t0)


# -- the independent checker ---------------------------------------------------------------


def check_schedule(problem: SchedulingProblem, starts: Sequence[int]) -> list[str]:
    """Every way ``starts`` breaks ``problem``: precedences and lags, release dates, fixed starts, capacities.

    Written without the scheduler's data structures (a plain sweep over
    periods), so it can check the scheduler. Returns an empty list for a
    feasible schedule.
    """
    p = problem
    errors: list[str] = []
    if len(starts) != p.n:
        return [f"{len(starts)} starts for {p.n} activities"]
    for j in range(p.n):
        s = starts[j]
        if p.fixed[j] is not None:
            if s != p.fixed[j]:
                errors.append(f"{p.names[j]} starts at {s}, not its fixed {p.fixed[j]}")
            continue
        if s < p.release[j]:
            errors.append(f"{p.names[j]} starts at {s} before its release {p.release[j]}")
    for j in range(p.n):
        for k, lag in p.successors[j]:
            if p.fixed[k] is not None:
                continue
            due = starts[j] + p.durations[j] + lag
            if (j, k) in p.ruled:
                due = max(due, p.lag_rule(j, k, starts[j] + p.durations[j]))  # type: ignore[misc]
            if starts[k] < due:
                errors.append(f"{p.names[k]} starts at {starts[k]}, before {p.names[j]} finishes "
                              f"at {starts[j] + p.durations[j]} plus its lag (at {due})")
    end = max((starts[j] + p.durations[j] for j in range(p.n)), default=0)
    for t in range(min(starts, default=0), end):
        for r, cap in enumerate(p.capacities):
            use = sum(p.demands[j][r] for j in range(p.n) if starts[j] <= t < starts[j] + p.durations[j])
            if use > cap:
                errors.append(f"resource {r} at {t}: {use} used of {cap}")
    return errors
