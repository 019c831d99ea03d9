"""Proven-optimal schedules with OR-Tools CP-SAT (extra ``optimize``).

``optimize(problem)`` models the ``SchedulingProblem`` as interval variables, one
cumulative constraint per resource and the precedences with their lags, and
minimises the makespan (or the total lateness past the deadlines, then the
makespan). The heuristic's schedule is the solver's hint and upper bound, so
the result is never worse than the heuristic; the solver's proven bound is
reported, so a ``SchedulingSolution`` says "optimal" or how far from it it may be.

Lags ruled by a calendar (``SchedulingProblem.ruled``) enter the model as their
constant lower bound: the model is then a relaxation (its bound stays valid),
and its schedule is decoded by the serial SGS in the solver's start order; the
result's ``method`` says so.
"""

from __future__ import annotations

import time

from .rcpsp import ProblemError, SchedulingProblem, SchedulingSolution, _Compiled, _score, decode, heuristic, lower_bound

__all__ = ["OptimizerUnavailable", "available", "optimize"]


class OptimizerUnavailable(ProblemError):
    """OR-Tools is not installed: ``pip install 'campaignflow[optimize]'``."""


def available() -> bool:
    """Whether OR-Tools CP-SAT can be imported."""
    try:
        from ortools.sat.python import cp_model  # noqa: F401
    except ImportError:
        return False
    return True


def optimize(problem: SchedulingProblem, *, time_limit: float = 10.0, objective: str = "makespan",
             start: SchedulingSolution | None = None, workers: int = 1, seed: int = 0) -> SchedulingSolution:
    """The minimum-makespan (or minimum-lateness) schedule, within ``time_limit`` seconds.

    Args:
        problem: the scheduling problem.
        time_limit: seconds the solver may use; the result says whether it proved optimality.
        objective: ``makespan``, or ``lateness`` (total lateness past the deadlines, then makespan).
        start: a heuristic solution to start from (default: ``heuristic(problem)``).
        workers: solver threads (1 keeps the search deterministic).
        seed: the solver's random seed.

    Raises:
        OptimizerUnavailable: OR-Tools is not installed.
        ProblemError: an unknown objective.
    """
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        raise OptimizerUnavailable("OR-Tools is not installed: pip install 'campaignflow[optimize]' / "
                                   "未安装 OR-Tools：请安装 campaignflow[optimize]") from None
    if objective not in ("makespan", "lateness"):
        raise ProblemError(f"unknown objective {objective!r}; known: makespan, lateness")
    t0 = time.perf_counter()
    p = problem
    if start is None:
        start = heuristic(p, schedules=500)
    ub = start.makespan
    lb = lower_bound(p)
    horizon = max(ub, max((s + d for s, d in zip(start.starts, p.durations)), default=0))
    if objective == "lateness":
        # Meeting more deadlines may need a longer schedule: leave room.
        horizon = max(horizon, sum(p.durations) + max(p.release, default=0)
                      + sum(lag for s in p.successors for _, lag in s))
    m = cp_model.CpModel()
    s_vars, e_vars, intervals = [], [], []
    for j in range(p.n):
        d = p.durations[j]
        if p.fixed[j] is not None:
            s = m.new_constant(p.fixed[j])
        else:
            s = m.new_int_var(p.release[j], horizon - d, f"s{j}")
        e = s + d
        s_vars.append(s)
        e_vars.append(e)
        intervals.append(m.new_fixed_size_interval_var(s, d, f"i{j}"))
    for j, succ in enumerate(p.successors):
        for k, lag in succ:
            if p.fixed[k] is None:
                m.add(s_vars[k] >= s_vars[j] + p.durations[j] + lag)
    for r, cap in enumerate(p.capacities):
        items = [(intervals[j], p.demands[j][r]) for j in range(p.n) if p.demands[j][r] > 0 and p.durations[j] > 0]
        if items:
            m.add_cumulative([iv for iv, _ in items], [q for _, q in items], cap)
    ms = m.new_int_var(lb, horizon, "makespan")
    m.add_max_equality(ms, e_vars)
    late_terms = []
    if objective == "lateness":
        for j, dl in enumerate(p.deadlines):
            if dl is not None:
                t = m.new_int_var(0, horizon, f"late{j}")
                m.add(t >= e_vars[j] - dl)
                late_terms.append(t)
        # Lexicographic: lateness first, makespan breaks ties.
        m.minimize(sum(late_terms) * (horizon + 1) + ms)
    else:
        m.minimize(ms)
    for j in range(p.n):
        if p.fixed[j] is None:
            m.add_hint(s_vars[j], start.starts[j])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    status = solver.solve(m)
    spent = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No better schedule found in time: the heuristic's stands, with the solver's bound if any.
        return SchedulingSolution(start.starts, start.makespan, lb, optimal=start.makespan <= lb, scheduler="cpsat",
                        method=f"cpsat/{objective} (no solution in time)", schedules=start.schedules, seconds=spent)
    starts = tuple(int(solver.value(v)) for v in s_vars)
    found = int(solver.value(ms))
    # The model has the constant lags only: with calendar-ruled lags it is a
    # relaxation, whose order the serial SGS makes feasible.
    relaxed = bool(p.ruled)
    if relaxed:
        fixed = decode(p, starts)
        starts, found = fixed.starts, fixed.makespan
    if objective == "makespan":
        bound = max(lb, int(-(-solver.best_objective_bound // 1)))
        optimal = status == cp_model.OPTIMAL and not relaxed
    else:
        bound = lb
        optimal = False
    c = _Compiled(p)
    if _score(c, starts) > _score(c, start.starts):
        # The hint bounds the objective, but a decoded relaxation may come out worse: keep the promise.
        starts, found = start.starts, start.makespan
    method = f"cpsat/{objective}" + (" (calendar lags relaxed, decoded by serial SGS)" if relaxed else "")
    return SchedulingSolution(starts, found, bound, optimal=optimal or found <= bound, scheduler="cpsat",
                    method=method, schedules=start.schedules, seconds=spent)
