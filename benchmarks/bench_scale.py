"""National scale (issue 19): each figure beside its floor, measured in the same run.

    python benchmarks/bench_scale.py                    # 10k and 100k tasks, Monte Carlo 10k x 10k
    python benchmarks/bench_scale.py --sizes 10000,100000,1000000
    python benchmarks/bench_scale.py --json out.json    # also write the raw figures

For each size, two plans: the **roster cascade** (`gen.roster_plan`: a short TOML
file of templates per level and a CSV roster of units) and the **explicit TOML
cascade** (`gen.cascade_plan`, every unit written in TOML). Each case runs in a
fresh interpreter (so peak memory, ``ru_maxrss``, is its own) and reports:

- the floor: reading the files, parsing them with each TOML parser that is
  installed (``tomllib``, ``tomli``, ``rtoml``: ``pip install rtoml`` to see it)
  plus ``csv`` for the roster, and a numpy cycle check + critical path over the
  compiled plan's graph (Kahn by levels, then both passes, a level at a time);
- the path: load (with its phases), all built-in checks (with the compile and
  the critical path they share), the deterministic schedule (up to 100k tasks);
- the ratios the issue aims at: roster load + checks over (parse + numpy), the
  explicit plan's load + checks over its parse, and an exponent fitted over the
  sizes (time ~ tasks^k) for load + checks.

Times are CPU seconds of the process (``time.process_time``): the machine is
shared, and wall time there measures the neighbours. Wall time is printed too.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen  # noqa: E402


class Clock:
    """Accumulates CPU and wall time per label; ``wrap`` times a function wherever it is called."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}

    def add(self, label: str, cpu: float, wall: float) -> None:
        self.cpu[label] = self.cpu.get(label, 0.0) + cpu
        self.wall[label] = self.wall.get(label, 0.0) + wall

    def run(self, label: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        c, w = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kw)
        finally:
            self.add(label, time.process_time() - c, time.perf_counter() - w)

    def wrap(self, owner: Any, name: str, label: str) -> None:
        fn = getattr(owner, name)

        def timed(*args: Any, **kw: Any) -> Any:
            return self.run(label, fn, *args, **kw)

        setattr(owner, name, timed)


def _parsers() -> dict[str, Callable[[str], Any]]:
    out: dict[str, Callable[[str], Any]] = {}
    import tomllib

    out["tomllib"] = tomllib.loads
    for name in ("tomli", "rtoml"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        out[name] = module.loads
    return out


def numpy_floor(plan: Any) -> bool:
    """A cycle check and both critical path passes over ``plan``'s graph, in numpy; whether it has a cycle."""
    import numpy as np

    n = len(plan.ids)
    ptr = np.frombuffer(plan.pred_ptr, dtype=np.int64)
    src = np.frombuffer(plan.pred_idx, dtype=np.int64) if len(plan.pred_idx) else np.zeros(0, np.int64)
    lag = np.frombuffer(plan.pred_lag, dtype=np.float64) if len(plan.pred_lag) else np.zeros(0)
    dur = np.frombuffer(plan.duration, dtype=np.float64)
    counts = np.diff(ptr)
    dst = np.repeat(np.arange(n), counts)
    perm = np.argsort(src, kind="stable")
    succ = dst[perm]
    sptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n))))
    indeg = counts.copy()
    frontier = np.flatnonzero(indeg == 0)
    levels = []
    while frontier.size:
        levels.append(frontier)
        starts, k = sptr[frontier], sptr[frontier + 1] - sptr[frontier]
        idx = np.repeat(starts - (np.cumsum(k) - k), k) + np.arange(int(k.sum()))
        tgt = succ[idx]
        indeg -= np.bincount(tgt, minlength=n)
        cand = np.unique(tgt)
        frontier = cand[indeg[cand] == 0]
    if sum(len(lv) for lv in levels) < n:
        return True
    es = np.zeros(n)
    for lv in levels[1:]:
        s, k = ptr[lv], counts[lv]
        idx = np.repeat(s - (np.cumsum(k) - k), k) + np.arange(int(k.sum()))
        vals = es[src[idx]] + dur[src[idx]] + lag[idx]
        es[lv] = np.maximum.reduceat(vals, np.cumsum(k) - k)
    ef = es + dur
    lf = np.full(n, ef.max() if n else 0.0)
    for lv in reversed(levels[1:]):
        s, k = ptr[lv], counts[lv]
        idx = np.repeat(s - (np.cumsum(k) - k), k) + np.arange(int(k.sum()))
        np.minimum.at(lf, src[idx], np.repeat(lf[lv] - dur[lv], k) - lag[idx])
    return False


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case_plan(kind: str, n: int, folder: str) -> dict[str, Any]:
    """One plan of one size: floors and path, in this interpreter."""
    import campaignflow.load as load_mod
    from campaignflow.checks import validate
    from campaignflow.graph import critical_path
    from campaignflow.load import references

    # Warm up on a small plan of the same kind: imports, plugin discovery and the
    # calendar's first years are not part of any figure.
    warm = Path(folder) / "warm"
    warm.mkdir()
    small = Path(gen.write_roster_plan(str(warm), 300)) if kind == "roster" else warm / "plan.toml"
    if kind != "roster":
        small.write_text(gen.cascade_plan(300), encoding="utf-8")
    small_campaign = load_mod.load_plan(str(small))
    validate(small_campaign)
    numpy_floor(critical_path(small_campaign).plan)
    if n <= 150_000:
        from campaignflow.simulate import schedule

        schedule(small_campaign)
    if kind == "roster":
        plan_path = Path(gen.write_roster_plan(folder, n))
        files = [plan_path, plan_path.parent / "units.csv"]
    else:
        plan_path = Path(folder) / "plan.toml"
        plan_path.write_text(gen.cascade_plan(n), encoding="utf-8")
        files = [plan_path]
    clock = Clock()
    texts = clock.run("read", lambda: [f.read_text(encoding="utf-8") for f in files])
    parse: dict[str, float] = {}
    for name, loads in _parsers().items():
        c = time.process_time()
        loads(texts[0])
        parse[name] = time.process_time() - c
    if kind == "roster":
        clock.run("csv", lambda: list(csv.reader(io.StringIO(texts[1], newline=""))))
    del texts
    # The loader's phases, timed where the loader calls them.
    for name, label in (("read_files", "load: read + parse files"), ("merge", "load: merge"),
                        ("read_units", "load: units"), ("read_groups", "load: groups"),
                        ("expand_templates", "load: template expansion"), ("expand_repeats", "load: repeats")):
        clock.wrap(load_mod, name, label)
    clock.wrap(references.References, "check_task", "load: reference checks")
    # gen.cascade_plan(1_000_000) makes a few tasks more than the loader's default bound.
    campaign = clock.run("load", load_mod.load_plan, str(plan_path), max_tasks=2 * n + 1000)
    import campaignflow.graph as graph_mod

    clock.wrap(graph_mod, "compile_plan", "checks: compile plan")
    findings = clock.run("checks", validate, campaign)
    cp = critical_path(campaign)
    plan = cp.plan
    clock.run("floor: numpy cycle + CPM", numpy_floor, plan)
    tasks, edges = len(campaign.tasks), len(plan.pred_idx)
    if tasks <= 150_000:
        from campaignflow.simulate import schedule

        clock.run("schedule (deterministic)", schedule, campaign)
    return {"kind": kind, "n": n, "tasks": tasks, "nodes": len(plan.ids), "edges": edges,
            "findings": len(findings), "parse": parse, "cpu": clock.cpu, "wall": clock.wall,
            "peak_mb": _peak_mb()}


def case_mc(n: int, runs: int) -> dict[str, Any]:
    """``runs`` Monte-Carlo runs of the ``n``-task resource plan."""
    from campaignflow.simulate import simulate

    campaign = gen.resource_campaign(n, max(10, n // 50), seed=1)
    clock = Clock()
    clock.run("monte carlo", simulate, campaign, runs=runs, seed=1, engine="numpy")
    return {"kind": "mc", "n": n, "runs": runs, "cpu": clock.cpu, "wall": clock.wall, "peak_mb": _peak_mb()}


def _sub(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--case", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:  # reported, and the other cases still run
        sys.stderr.write(done.stderr[-3000:])
        return {"kind": "failed", "case": list(args)}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fit(xs: list[float], ys: list[float]) -> float | None:
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else None


def report(results: list[dict[str, Any]]) -> str:
    """The table (Markdown) of ``results``."""
    lines = []
    plans = [r for r in results if r["kind"] in ("roster", "toml")]
    lines += [f"Case {' '.join(r['case'])} failed (see stderr)." for r in results if r["kind"] == "failed"]
    for kind, title in (("roster", "Roster cascade (TOML templates + CSV roster)"),
                        ("toml", "Explicit TOML cascade")):
        rows = [r for r in plans if r["kind"] == kind]
        if not rows:
            continue
        lines += [f"### {title}", "", "| figure (CPU s) | " + " | ".join(f"{r['tasks']:,} tasks" for r in rows) + " |",
                  "| --- | " + " | ".join("---:" for _ in rows) + " |"]
        labels: list[str] = []
        for r in rows:
            labels += [k for k in r["cpu"] if k not in labels]
        for name in sorted({p for r in rows for p in r["parse"]}):
            lines.append(f"| floor: parse with {name} | " + " | ".join(
                f"{r['parse'][name]:.2f}" if name in r["parse"] else "–" for r in rows) + " |")
        for label in labels:
            lines.append(f"| {label} | " + " | ".join(
                f"{r['cpu'][label]:.2f}" if label in r["cpu"] else "–" for r in rows) + " |")
        ratio_rows = []
        for r in rows:
            parse = min(r["parse"].values()) + r["cpu"].get("csv", 0.0)
            floor = parse + r["cpu"].get("floor: numpy cycle + CPM", 0.0)
            path = r["cpu"]["load"] + r["cpu"]["checks"]
            ratio_rows.append((path, floor, parse))
        lines.append("| **load + checks** | " + " | ".join(f"**{p:.2f}**" for p, _, _ in ratio_rows) + " |")
        lines.append("| **floor (best parse + numpy)** | " + " | ".join(f"**{f:.2f}**" for _, f, _ in ratio_rows)
                     + " |")
        lines.append("| load + checks / floor | " + " | ".join(f"{p / f:.1f}×" for p, f, _ in ratio_rows) + " |")
        lines.append("| load + checks / best parse | " + " | ".join(f"{p / s:.1f}×" for p, _, s in ratio_rows)
                     + " |")
        lines.append("| peak memory (MB) | " + " | ".join(f"{r['peak_mb']:.0f}" for r in rows) + " |")
        lines.append("| wall: load + checks | " + " | ".join(
            f"{r['wall']['load'] + r['wall']['checks']:.2f}" for r in rows) + " |")
        k = _fit([r["tasks"] + r["edges"] for r in rows], [p for p, _, _ in ratio_rows])
        k_checks = _fit([r["tasks"] + r["edges"] for r in rows], [r["cpu"]["checks"] for r in rows])
        lines += ["", f"Exponent fit, time ~ (tasks + dependencies)^k: load + checks k = "
                  f"{'–' if k is None else f'{k:.2f}'}, checks alone k = {'–' if k_checks is None else f'{k_checks:.2f}'}.",
                  ""]
    for r in results:
        if r["kind"] == "mc":
            lines.append(f"Monte Carlo: {r['runs']:,} runs of {r['n']:,} tasks: {r['cpu']['monte carlo']:.2f} s CPU "
                         f"({r['wall']['monte carlo']:.2f} s wall), peak {r['peak_mb']:.0f} MB.")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Run the cases (or one, with ``--case``) and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="task counts, comma-separated")
    ap.add_argument("--kinds", default="roster,toml")
    ap.add_argument("--mc", default="10000x10000", help="TASKSxRUNS of the Monte-Carlo case, or 'none'")
    ap.add_argument("--json", help="also write the raw figures here")
    ap.add_argument("--case", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        if args.case[0] == "mc":
            print(json.dumps(case_mc(int(args.case[1]), int(args.case[2]))))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                print(json.dumps(case_plan(args.case[0], int(args.case[1]), tmp)))
        return 0
    results = []
    for kind in args.kinds.split(","):
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"... {kind} {n:,}", file=sys.stderr, flush=True)
            results.append(_sub(kind, str(n)))
    if args.mc != "none":
        tasks, runs = args.mc.split("x")
        print(f"... monte carlo {args.mc}", file=sys.stderr, flush=True)
        results.append(_sub("mc", tasks, runs))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
