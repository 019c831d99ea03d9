"""Monte-Carlo deadline spreads in numpy equal the scalar ones, bit for bit (issue 19)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.simulate import montecarlo

np = pytest.importorskip("numpy")


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=1, max_size=300),
       f32=st.booleans())
def test_the_numpy_spread_equals_the_scalar_one(values: list[float], f32: bool) -> None:
    row = np.asarray(values, dtype=np.float32 if f32 else np.float64)
    assert montecarlo._np_spread(row, 20) == montecarlo._spread([float(x) for x in row], 20)


def test_the_spread_of_equal_values_is_one_bin() -> None:
    row = np.full(50, 3.25)
    assert montecarlo._np_spread(row, 20) == montecarlo._spread(row.tolist(), 20) == (3.25, 3.25, [(3.25, 3.25, 50)])
