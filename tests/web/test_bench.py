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
    # The fastest of five: server time without the noise of other processes on a shared machine.
    assert result["inbox"][0] < 0.200, result
    assert result["cold"] < 2.0, result
