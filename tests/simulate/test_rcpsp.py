"""The RCPSP core: every heuristic schedule is feasible (independent checker), improvement never hurts,
CP-SAT is never above the heuristic nor below its bound, and the PSPLIB reader."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needs import unavailable

from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.simulate.optimize import available, optimize
from campaignflow.simulate.psplib import read_sm
from campaignflow.simulate.rcpsp import (
    PRIORITY_RULES,
    SchedulingProblem,
    ProblemError,
    check_schedule,
    decode,
    heuristic,
    lower_bound,
    priority_values,
    sgs,
)


@st.composite
def problems(draw: st.DrawFn, fixed: bool = True) -> SchedulingProblem:
    """Small random instances: a DAG (edges only forward in index order), lags, releases, fixed starts."""
    n = draw(st.integers(1, 9))
    m = draw(st.integers(1, 3))
    caps = draw(st.lists(st.integers(1, 4), min_size=m, max_size=m))
    dur = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    dem = [[draw(st.integers(0, c)) for c in caps] for _ in range(n)]
    succ: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for j in range(n):
        for k in range(j + 1, n):
            if draw(st.integers(0, 3)) == 0:
                succ[j].append((k, draw(st.sampled_from([0, 0, 1, 3]))))
    release = draw(st.lists(st.sampled_from([0, 0, 0, 2, 6]), min_size=n, max_size=n))
    fix: list[int | None] = [None] * n
    if fixed and n > 1 and draw(st.booleans()):
        # A fixed activity without predecessors and using nothing, so every instance stays feasible.
        j = draw(st.integers(0, n - 1))
        if not any(k == j for s in succ for k, _ in s):
            fix[j] = draw(st.integers(0, 8))
            dem[j] = [0] * m
    return SchedulingProblem(dur, caps, dem, succ, release=release, fixed=fix)


_FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(problems(), st.sampled_from(PRIORITY_RULES), st.sampled_from(["serial", "parallel"]))
def test_every_pass_is_feasible(p: SchedulingProblem, rule: str, scheme: str) -> None:
    s = sgs(p, rule, scheme=scheme)
    assert check_schedule(p, s.starts) == []
    assert s.makespan >= s.lower_bound


@_FAST
@given(problems(), st.integers(0, 3))
def test_improved_schedule_is_feasible_and_never_longer_than_the_first_pass(p: SchedulingProblem, seed: int) -> None:
    first = sgs(p, "LFT", scheme="serial")
    best = heuristic(p, schedules=40, seed=seed)
    assert check_schedule(p, best.starts) == []
    assert lower_bound(p) <= best.makespan <= first.makespan
    assert best.gap >= 0
    # Same seed, same schedule.
    assert heuristic(p, schedules=40, seed=seed).starts == best.starts


def test_checker_finds_each_kind_of_violation() -> None:
    p = SchedulingProblem([2, 2, 1], [1], [[1], [1], [0]], [[(1, 1)], [], []], release=[0, 0, 4], fixed=[None, None, None])
    assert check_schedule(p, [0, 3, 4]) == []
    assert any("before 0 finishes" in e for e in check_schedule(p, [0, 2, 4]))  # lag 1 broken
    assert any("resource 0" in e for e in check_schedule(p, [0, 1, 4]))
    assert any("release" in e for e in check_schedule(p, [0, 3, 3]))
    q = SchedulingProblem([1], [1], [[0]], [[]], fixed=[5])
    assert check_schedule(q, [5]) == []
    assert any("fixed" in e for e in check_schedule(q, [0]))


def _brute_optimum(p: SchedulingProblem) -> int:
    """The best serial-SGS decoding of every precedence-feasible list: the optimum (active schedules)."""
    from itertools import permutations

    from campaignflow.simulate.rcpsp import _Compiled, _serial
    c = _Compiled(p)
    pos = {}
    best = None
    for perm in permutations(range(p.n)):
        pos = {j: i for i, j in enumerate(perm)}
        if any(pos[k] < pos[j] for j in range(p.n) for k, _ in p.successors[j]):
            continue
        st_ = _serial(c, perm)
        ms = max(st_[j] + p.durations[j] for j in range(p.n))
        best = ms if best is None else min(best, ms)
    assert best is not None
    return best


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(fixed=False).filter(lambda p: p.n <= 6))
def test_sampling_finds_the_optimum_of_small_instances(p: SchedulingProblem) -> None:
    best = heuristic(p, schedules=400)
    optimum = _brute_optimum(p)
    assert best.makespan == optimum
    assert lower_bound(p) <= optimum


def test_gap_and_optimal_flag() -> None:
    # Three 2-period activities on a resource of 2: energy bound 3, optimum 4.
    p = SchedulingProblem([2, 2, 2], [2], [[1], [1], [1]], [[], [], []])
    best = heuristic(p, schedules=50)
    assert (best.makespan, best.lower_bound, best.optimal) == (4, 3, False)
    assert best.gap == pytest.approx(1 / 3)
    # Two chains competing for two resources: the disjunctive bound with heads and tails proves 9.
    q = SchedulingProblem([3, 3, 3, 3], [1, 1], [[1, 0], [0, 1], [1, 0], [0, 1]], [[(1, 0)], [], [(3, 0)], []])
    assert (lower_bound(q), heuristic(q).makespan) == (9, 9)
    easy = heuristic(SchedulingProblem([2, 2], [2], [[1], [1]], [[], []]))
    assert easy.optimal and easy.gap == 0.0 and easy.makespan == 2


@pytest.mark.parametrize(("kw", "msg"), [
    ({"durations": [-1]}, "negative duration"),
    ({"demands": [[5]]}, "exceeds its capacity"),
    ({"successors": [[(0, 0)]]}, "bad successor"),
])
def test_bad_problems_raise_a_typed_error(kw: dict[str, object], msg: str) -> None:
    args: dict[str, object] = {"durations": [1], "capacities": [1], "demands": [[1]], "successors": [[]]}
    args.update(kw)
    with pytest.raises(ProblemError, match=msg):
        SchedulingProblem(**args)  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match="cycle"):
        SchedulingProblem([1, 1], [1], [[0], [0]], [[(1, 0)], [(0, 0)]])


def _need_ortools() -> None:
    if not available():
        unavailable("OR-Tools is not installed (pip install 'campaignflow[optimize]')", "the test extra installs it")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_cpsat_is_never_above_the_heuristic_nor_below_its_bound(p: SchedulingProblem) -> None:
    _need_ortools()
    first = heuristic(p, schedules=20)
    best = optimize(p, time_limit=2.0, start=first)
    assert check_schedule(p, best.starts) == []
    assert best.lower_bound <= best.makespan <= first.makespan
    if best.optimal:
        assert best.gap == 0.0


def test_cpsat_lateness_objective_meets_a_deadline_the_makespan_order_misses() -> None:
    _need_ortools()
    # One resource; activity 1 is short but due early.
    p = SchedulingProblem([4, 1], [1], [[1], [1]], [[], []], deadlines=[None, 1])
    s = optimize(p, time_limit=2.0, objective="lateness")
    assert s.lateness(p) == 0
    assert check_schedule(p, s.starts) == []


SM = """************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           4
   4        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       1
  3      1     2       1
  4      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    1
************************************************************************
"""


def test_psplib_reader(tmp_path: Path) -> None:
    f = tmp_path / "x.sm"
    f.write_text(SM)
    p = read_sm(f)
    assert p.durations == (0, 3, 2, 0) and p.capacities == (1,)
    assert [k for k, _ in p.successors[0]] == [1, 2]
    assert heuristic(p).makespan == 5
    f.write_text(SM.replace("   2        1          1           4", "   2        1          x"))
    with pytest.raises(ProblemError, match=r"x\.sm:\d+"):
        read_sm(f)


def test_schedulers_are_plugins() -> None:
    pm = create_plugin_manager(entry_points=False, use_env=False)
    known = pm.schedulers()
    assert {"heuristic", "cpsat"} <= set(known)
    p = SchedulingProblem([2, 2], [1], [[1], [1]], [[], []])
    assert known["heuristic"]().solve(p, effort=10).makespan == 4


def _weekly(j: int, k: int, finish: int) -> int:
    """A calendar-like lag: the successor waits for the next "Monday" (a multiple of 5) after the finish."""
    return -(-finish // 5) * 5 + (j + k) % 2


@st.composite
def ruled_problems(draw: st.DrawFn) -> SchedulingProblem:
    """``problems()`` with some edges' lags ruled by a calendar-like rule and some soft deadlines."""
    p = draw(problems())
    edges = [(j, k) for j in range(p.n) for k, _ in p.successors[j]]
    ruled = {e for e in edges if draw(st.booleans())}
    deadlines = [draw(st.sampled_from([None, None, 3, 8])) for _ in range(p.n)]
    return attrs.evolve(p, ruled=ruled, lag_rule=_weekly, deadlines=deadlines)


@_FAST
@given(ruled_problems(), st.sampled_from(["serial", "parallel"]), st.integers(0, 3))
def test_ruled_lags_and_deadlines_every_schedule_feasible_and_improvement_never_worse(
        p: SchedulingProblem, scheme: str, seed: int) -> None:
    from campaignflow.simulate.rcpsp import _Compiled, _score
    one = sgs(p, "LST", scheme=scheme)
    assert check_schedule(p, one.starts) == []
    prio = [float(j % 3) for j in range(p.n)]
    # The first pass with given priorities is the parallel SGS on them; effort never makes it worse.
    first = heuristic(p, schedules=1, priorities=prio)
    best = heuristic(p, schedules=30, seed=seed, priorities=prio)
    for s in (first, best):
        assert check_schedule(p, s.starts) == []
        assert s.lower_bound <= s.makespan
    c = _Compiled(p)
    assert _score(c, best.starts) <= _score(c, first.starts)
    if all(d is None for d in p.deadlines):
        assert best.makespan <= first.makespan


@_FAST
@given(problems())
def test_improvement_never_longer_than_its_first_pass_with_given_priorities(p: SchedulingProblem) -> None:
    prio = priority_values(p, "MSLK")
    first = heuristic(p, schedules=1, priorities=prio)
    best = heuristic(p, schedules=25, priorities=prio)
    assert check_schedule(p, best.starts) == []
    assert lower_bound(p) <= best.makespan <= first.makespan


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruled_problems())
def test_cpsat_on_ruled_lags_decodes_feasibly_never_above_the_heuristic_nor_below_its_bound(
        p: SchedulingProblem) -> None:
    _need_ortools()
    p = attrs.evolve(p, deadlines=None)
    first = heuristic(p, schedules=20)
    best = optimize(p, time_limit=2.0, start=first)
    assert check_schedule(p, best.starts) == []
    assert best.lower_bound <= best.makespan <= first.makespan
    if p.ruled and any(p.successors):
        assert "relaxed" in best.method


def test_checker_applies_the_lag_rule() -> None:
    p = SchedulingProblem([2, 1], [1], [[1], [1]], [[(1, 0)], []], ruled={(0, 1)}, lag_rule=_weekly)
    assert check_schedule(p, [0, 6]) == []  # the next multiple of 5 after 2, plus 1
    assert any("lag" in e for e in check_schedule(p, [0, 2]))
    assert decode(p, [0, 2]).starts == (0, 6)
    with pytest.raises(ProblemError, match="lag_rule"):
        SchedulingProblem([1, 1], [1], [[0], [0]], [[(1, 0)], []], ruled={(0, 1)})
