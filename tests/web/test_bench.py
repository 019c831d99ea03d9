"""The benchmark: the inbox of a unit of a 10,000-task campaign on SQLite under 200 ms; cold start under 2 s."""

from __future__ import annotations

import sys

from web_support import ROOT


def test_inbox_of_a_10000_task_campaign_and_cold_start():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_serve
    finally:
        sys.path.pop(0)
    result = bench_serve.measure(10_000, runs=5)
    assert result["tasks"] >= 10_000
    # CPU time, the fastest of five: the server's own work, without the waiting for other
    # processes that wall time includes on a shared machine (the benchmark prints both).
    assert result["inbox_cpu"][0] < 0.200, result
    # The agenda reads only the unit's tasks (PlanIndex.involving), so the wall time is far under
    # the aim even on a loaded machine (about 20 ms at load 8, against 215 ms when it built every view).
    assert result["inbox"][0] < 0.200, result
    assert result["cold_cpu"] < 2.0, result
