"""Load and analyse large cascade plans; time and peak memory, side by side with baselines.

For each size (tasks after template expansion), every step runs in a fresh
subprocess so that its peak resident memory (``ru_maxrss``) is its own:

- ``load``: ``campaignflow.load_plan`` on the generated plan file (TOML).
- ``build``: the same campaign built directly from the model (``gen.cascade_campaign``),
  the input of the analysis steps when there is no loader yet.
- ``compile+cpm``: ``compile_plan`` (numbering, CSR, Kahn's cycle check) and both passes
  of the critical path method (``CriticalPath.of``).
- ``validate``: ``campaignflow.validate`` with every check on.
- ``networkx``: baseline; a ``DiGraph`` of the same nodes and edges, ``is_directed_acyclic_graph``
  and a topological forward and backward pass (working-day lags only: it skips the calendar).
- ``graphlib``: baseline; ``graphlib.TopologicalSorter`` (which checks for cycles) and the same passes
  over dicts.

Times exclude building the campaign, except for ``load`` and ``build`` themselves;
"peak MB" is the whole process, campaign included, and "+MB" the growth during the step.

Usage: ``python benchmarks/bench_load.py [--sizes 10000,100000,1000000] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen  # noqa: E402

STEPS = ("load", "build", "compile+cpm", "validate", "networkx", "graphlib")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- what each step does (run in the child) --------------------------------------------------


def _campaign(plan_file: str, size: int) -> Any:
    try:
        from campaignflow.load import load_plan
    except ImportError:
        return gen.cascade_campaign(size)
    return load_plan(plan_file)


def _step_load(plan_file: str, size: int) -> tuple[float, str]:
    from campaignflow.load import load_plan

    t = time.perf_counter()
    c = load_plan(plan_file)
    return time.perf_counter() - t, f"{len(c.tasks)} tasks, {len(c.units)} units"


def _step_build(plan_file: str, size: int) -> tuple[float, str]:
    t = time.perf_counter()
    c = gen.cascade_campaign(size)
    return time.perf_counter() - t, f"{len(c.tasks)} tasks, {len(c.units)} units"


def _step_cpm(campaign: Any) -> tuple[float, str]:
    from campaignflow.cpm import compile_plan
    from campaignflow.graph import CriticalPath
    from campaignflow.plugins.manager import default_plugins

    calendar = default_plugins().calendar(campaign.calendar)
    t = time.perf_counter()
    plan = compile_plan(campaign, calendar=calendar)
    t1 = time.perf_counter()
    cp = CriticalPath.of(plan)
    t2 = time.perf_counter()
    return t2 - t, f"compile {t1 - t:.2f}s + cpm {t2 - t1:.2f}s; {len(plan)} nodes, {len(plan.pred_idx)} edges, " \
                   f"finish {cp.earliest_finish(cp.critical[-1]):%Y-%m-%d}"


def _step_validate(campaign: Any) -> tuple[float, str]:
    import campaignflow

    plugins = campaignflow.create_plugin_manager()
    t = time.perf_counter()
    findings = campaignflow.validate(campaign, plugins=plugins)
    codes = sorted({f.code for f in findings})
    return time.perf_counter() - t, f"{len(plugins.checks())} checks, {len(findings)} findings {','.join(codes)}"


def _edges(campaign: Any) -> tuple[dict[str, float], list[tuple[str, str, float]]]:
    """Nodes with durations and edges with working-day lags, as the baselines take them."""
    dur: dict[str, float] = {}
    edges: list[tuple[str, str, float]] = []
    last: dict[str, str] = {}
    for tid, task in campaign.tasks.items():
        dur[tid] = task.duration.likely
        prev = tid
        for i, step in enumerate(task.approvals):
            gate = f"{tid}/approval[{i}]"
            dur[gate] = 2.0 if step.within is None else step.within.likely
            edges.append((prev, gate, 0.0))
            prev = gate
        last[tid] = prev
    for tid, task in campaign.tasks.items():
        for dep in task.after:
            edges.append((last[dep.task], tid, dep.lag.days))
    return dur, edges


def _passes(order: list[str], dur: dict[str, float], preds: dict[str, list[tuple[str, float]]],
            succs: dict[str, list[tuple[str, float]]]) -> float:
    ef: dict[str, float] = {}
    for v in order:
        ef[v] = max((ef[p] + lag for p, lag in preds.get(v, ())), default=0.0) + dur[v]
    end = max(ef.values())
    ls: dict[str, float] = {}
    for v in reversed(order):
        ls[v] = min((ls[s] - lag for s, lag in succs.get(v, ())), default=end) - dur[v]
    return end


def _step_networkx(campaign: Any) -> tuple[float, str]:
    import networkx as nx

    dur, edges = _edges(campaign)
    t = time.perf_counter()
    g = nx.DiGraph()
    g.add_nodes_from(dur)
    g.add_weighted_edges_from(edges, weight="lag")
    assert nx.is_directed_acyclic_graph(g)
    order = list(nx.topological_sort(g))
    ef: dict[str, float] = {}
    for v in order:
        ef[v] = max((ef[p] + d["lag"] for p, d in g.pred[v].items()), default=0.0) + dur[v]
    end = max(ef.values())
    ls: dict[str, float] = {}
    for v in reversed(order):
        ls[v] = min((ls[s] - d["lag"] for s, d in g.succ[v].items()), default=end) - dur[v]
    return time.perf_counter() - t, f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges"


def _step_graphlib(campaign: Any) -> tuple[float, str]:
    import graphlib

    dur, edges = _edges(campaign)
    t = time.perf_counter()
    preds: dict[str, list[tuple[str, float]]] = {}
    succs: dict[str, list[tuple[str, float]]] = {}
    for a, b, lag in edges:
        preds.setdefault(b, []).append((a, lag))
        succs.setdefault(a, []).append((b, lag))
    sorter = graphlib.TopologicalSorter({v: [p for p, _ in preds.get(v, ())] for v in dur})
    order = list(sorter.static_order())  # raises graphlib.CycleError on a cycle
    _passes(order, dur, preds, succs)
    return time.perf_counter() - t, f"{len(order)} nodes"


def child(step: str, plan_file: str, size: int) -> dict[str, Any]:
    """Run one step in this process and say how long it took and how much memory."""
    if step == "load":
        try:
            seconds, note = _step_load(plan_file, size)
        except ImportError:
            return {"skipped": "no loader (campaignflow.load.load_plan) yet"}
        return {"seconds": seconds, "peak_mb": _rss_mb(), "grew_mb": None, "note": note}
    if step == "build":
        seconds, note = _step_build(plan_file, size)
        return {"seconds": seconds, "peak_mb": _rss_mb(), "grew_mb": None, "note": note}
    campaign = _campaign(plan_file, size)
    before = _current_rss_mb()
    run = {"compile+cpm": _step_cpm, "validate": _step_validate, "networkx": _step_networkx,
           "graphlib": _step_graphlib}[step]
    try:
        seconds, note = run(campaign)
    except ImportError as exc:
        return {"skipped": f"{type(exc).__name__}: {exc}"}
    peak = _rss_mb()
    return {"seconds": seconds, "peak_mb": peak, "grew_mb": peak - before, "note": note}


# -- the driver -----------------------------------------------------------------------------


def _run_child(step: str, plan_file: str, size: int, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", step, plan_file, str(size)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"skipped": f"timed out after {timeout:.0f}s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"skipped": f"failed: {last[:120]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _row(size: int, step: str, r: dict[str, Any]) -> str:
    if "skipped" in r:
        return f"{size:>9,} {step:<12} {'-':>9} {'-':>9} {'-':>8}  {r['skipped']}"
    grew = "" if r.get("grew_mb") is None else f"{r['grew_mb']:.0f}"
    return f"{size:>9,} {step:<12} {r['seconds']:>9.2f} {r['peak_mb']:>9.0f} {grew:>8}  {r.get('note', '')}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated task counts (default: 10000,100000,1000000)")
    parser.add_argument("--quick", action="store_true", help="10,000 tasks only")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per step (default 900)")
    parser.add_argument("--child", nargs=3, metavar=("STEP", "FILE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        step, plan_file, size = args.child
        print(json.dumps(child(step, plan_file, int(size))))
        return 0
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    steps = [s for s in args.steps.split(",") if s]
    print(f"{'tasks':>9} {'step':<12} {'seconds':>9} {'peak MB':>9} {'+MB':>8}  notes")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            plan_file = os.path.join(tmp, f"cascade-{size}.toml")
            t = time.perf_counter()
            Path(plan_file).write_text(gen.cascade_plan(size), encoding="utf-8")
            mb = os.path.getsize(plan_file) / 2**20
            print(f"{size:>9,} {'(generate)':<12} {time.perf_counter() - t:>9.2f} {'':>9} {'':>8}  {mb:.1f} MB of TOML")
            for step in steps:
                print(_row(size, step, _run_child(step, plan_file, size, args.timeout)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
