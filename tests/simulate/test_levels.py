"""Monte-Carlo retiming a level at a time equals the node-at-a-time pass, bit for bit (issue 19)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.simulate import montecarlo, simulate

np = pytest.importorskip("numpy")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
try:
    import gen
finally:
    sys.path.pop(0)


def _both(campaign, **kw):
    levels = simulate(campaign, engine="numpy", **kw)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(montecarlo, "_BY_LEVEL", False)
        nodes = simulate(campaign, engine="numpy", **kw)
    return levels, nodes


@pytest.mark.parametrize("make", [
    lambda: gen.cascade_campaign(600, seed=3),  # calendar-day and working-day lags, fixed events, approvals
    lambda: gen.resource_campaign(400, 8, seed=4),  # capacities: slot predecessors
])
@pytest.mark.parametrize("reject_rate", [0.0, 0.3])
def test_levels_and_nodes_agree(make, reject_rate: float) -> None:
    a, b = _both(make(), runs=300, seed=9, reject_rate=reject_rate)
    assert a.tasks == b.tasks and a.deadlines == b.deadlines and a == b


def test_the_retimes_agree_on_the_raw_arrays() -> None:
    from campaignflow.simulate.schedule import _prepare, _run

    campaign = gen.cascade_campaign(800, seed=6)
    prep = _prepare(campaign, None, None, None)
    timing = _run(prep, effort=1, seed=0, optimize=False, time_limit=None).timing
    net = prep.net
    levels = montecarlo._levels(np, net, timing)
    assert levels is not None and len(levels.levels) < len(timing.seq)
    spec = montecarlo._spec(net, "pert", 0.2, 0.5, (0.5, 2.0))
    dur = montecarlo._np_durations(np, np.random.default_rng(1), net, spec, 64)
    f1, d1, r1 = montecarlo._np_retime(np, net, timing, dur)
    f2, d2, r2 = montecarlo._np_retime_levels(np, net, timing, dur, levels)
    assert np.array_equal(f1, f2) and np.array_equal(d1, d2)
    assert r1.keys() == r2.keys() and all(np.array_equal(r1[k], r2[k]) for k in r1)


@settings(max_examples=12, deadline=None)
@given(n=st.integers(3, 150), units=st.integers(1, 6), seed=st.integers(0, 2**16), runs=st.integers(1, 80))
def test_any_resource_plan_agrees(n: int, units: int, seed: int, runs: int) -> None:
    a, b = _both(gen.resource_campaign(n, units, seed=seed), runs=runs, seed=seed)
    assert a == b


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=1, max_size=300),
       f32=st.booleans())
def test_the_numpy_spread_equals_the_scalar_one(values: list[float], f32: bool) -> None:
    row = np.asarray(values, dtype=np.float32 if f32 else np.float64)
    assert montecarlo._np_spread(row, 20) == montecarlo._spread([float(x) for x in row], 20)


def test_the_spread_of_equal_values_is_one_bin() -> None:
    row = np.full(50, 3.25)
    assert montecarlo._np_spread(row, 20) == montecarlo._spread(row.tolist(), 20) == (3.25, 3.25, [(3.25, 3.25, 50)])
