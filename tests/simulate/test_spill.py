"""Monte-Carlo finishes spilled to disk give the very same results as kept in memory (issue 19)."""

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


def _both(campaign, monkeypatch, **kw):
    in_memory = simulate(campaign, engine="numpy", **kw)
    with monkeypatch.context() as m:
        m.setattr(montecarlo, "_KEEP_BYTES", 1)  # every run's finishes go to the file
        spilled = simulate(campaign, engine="numpy", **kw)
    return in_memory, spilled


def test_spilled_finishes_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    campaign = gen.resource_campaign(300, 20, seed=2)
    a, b = _both(campaign, monkeypatch, runs=700, seed=11)  # two chunks of runs (512 + 188)
    assert a.tasks == b.tasks
    assert a.deadlines == b.deadlines
    assert (a.makespan_p50, a.makespan_p90) == (b.makespan_p50, b.makespan_p90)
    assert a == b


@settings(max_examples=10, deadline=None)
@given(n=st.integers(5, 120), runs=st.integers(1, 1100), seed=st.integers(0, 2**16))
def test_any_spill_is_exact(n: int, runs: int, seed: int) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        a, b = _both(gen.resource_campaign(n, 5, seed=seed), monkeypatch, runs=runs, seed=seed)
        assert a == b


def test_bands_and_rows_read_back_what_was_written() -> None:
    from campaignflow.simulate._spill import SpilledFinishes

    rng = np.random.default_rng(0)
    full = rng.random((37, 1000))
    spill = SpilledFinishes(np, 37, 1000, np.float32, band_bytes=5 * 1000 * 4)
    for start in range(0, 1000, 300):
        spill.append(full[:, start:start + 300])
    assert spill.band == 5 and spill.shape == (37, 1000)
    back = np.concatenate([band for _, band in spill.bands()])
    assert back.flags.c_contiguous and np.array_equal(back, full.astype(np.float32))
    assert np.array_equal(spill[36], full[36].astype(np.float32))
    spill.close()
