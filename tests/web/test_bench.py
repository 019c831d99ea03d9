"""The serve benchmark runs end to end: every page answers, and both cold starts are measured.

The aims (inbox under 200 ms, cold start under 2 s) are held in benchmarks/bench_serve.py, which
prints each figure with "met" or "MISSED"; a unit test does not time anything (it would fail on a
loaded machine and pass on a fast one whatever the code did).
"""

from __future__ import annotations

import sys

from web_support import ROOT


def test_the_serve_benchmark_measures_pages_and_both_cold_starts():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_serve
    finally:
        sys.path.pop(0)
    result = bench_serve.measure(500, runs=1)
    assert result["tasks"] >= 500
    for page in bench_serve.PAGES:
        fastest, median = result[page]
        assert 0 < fastest <= median
    for key in ("serve_lanshan", "serve_big"):
        wall, cpu = result[key]
        assert wall > 0
        assert cpu is None or 0 < cpu <= wall * 2  # two cores at most
