"""The calendar-lag table: the scalar and vectorised forms agree to the bit, and with WorkAxis."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignflow.calendar import WorkAxis
from campaignflow.plugins.manager import default_plugins
from campaignflow.simulate._table import _LagTable

np = pytest.importorskip("numpy")

works = st.one_of(st.integers(-40, 900).map(float), st.floats(-40, 900, allow_nan=False))
lags = st.one_of(st.integers(0, 30).map(float), st.floats(0, 30, allow_nan=False))


@given(st.sampled_from(["cn-workdays", "weekdays", "all-days"]), st.lists(works, min_size=1, max_size=8), lags)
def test_after_matches_the_axis_and_the_vector_form(calendar: str, work: list[float], days: float) -> None:
    cal = default_plugins().calendar(calendar)
    origin = date(2020, 9, 21)
    table, axis = _LagTable(cal, origin), WorkAxis(cal, origin)
    scalar = [table.after(w, days) for w in work]
    vector = table.after_vec(np.asarray(work), days).tolist()
    assert scalar == vector  # the same float operations, to the bit
    for w, got in zip(work, scalar):
        # The axis rounds to seconds: of a 7-hour office day, 1/25200 of a working day.
        assert got == pytest.approx(axis.add_calendar_days(w, days), abs=5e-5)
        assert got >= w


def test_two_calendar_days_after_friday_across_the_worked_sunday() -> None:
    cal = default_plugins().calendar("cn-workdays")
    table = _LagTable(cal, date(2020, 9, 21))
    # Fri Sep 25 24:00 (working time 5) + 2 days = Mon Sep 28 00:00, which is working time 6:
    # the worked Sunday Sep 27 lies between and counts.
    assert table.after(5.0, 2.0) == 6.0
    # Wed Sep 30 24:00 (working time 9) + 1 day = Oct 2, a holiday: the next working day, Oct 9.
    assert table.after(9.0, 1.0) == 9.0
    assert table.before(6.0, 2.0) == 5.0
