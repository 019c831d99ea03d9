"""Schedule quality on PSPLIB J30: deviation from the optimum, per scheduler setting.

Reads every ``.sm`` instance of ``--dir`` (default ``../shared/psplib/j30.sm``
beside the repository, or ``$PSPLIB_DIR``) through ``campaignflow.simulate.psplib``
into the scheduling core, runs each setting and prints, side by side with the
reference figures of the set's README: mean and maximum deviation of the
makespan from the known optimum (``optimum/optimum.csv``), the optima hit,
and the time per instance (one process, one core; CP-SAT with one worker).
Every schedule is verified by the independent checker ``check_schedule``.

Usage: ``python benchmarks/bench_schedule.py [--dir D] [--limit N] [--skip-cpsat] [--time-limit 2]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from campaignflow.simulate.psplib import read_sm
from campaignflow.simulate.rcpsp import SchedulingProblem, SchedulingSolution, check_schedule, heuristic, sgs

REFERENCE = {
    "serial SGS, LFT, one pass": "5.58%",
    "parallel SGS, LFT, one pass": "4.39%",
    "sampling, 1,000 schedules": "0.82%",
    "sampling + FBI, 1,000 schedules (default)": "0.52%",
    "sampling + FBI, 5,000 schedules": "0.27%",
    "OR-Tools CP-SAT, 2 s limit": "0.024% (474/480)",
}


def _default_dir() -> Path:
    env = os.environ.get("PSPLIB_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "psplib" / "j30.sm"


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=_default_dir())
    ap.add_argument("--limit", type=int, default=0, help="only the first N instances")
    ap.add_argument("--skip-cpsat", action="store_true")
    ap.add_argument("--time-limit", type=float, default=2.0)
    args = ap.parse_args()
    optimum = {r["problem"]: int(r["optimum"]) for r in csv.DictReader((args.dir / "optimum" / "optimum.csv").open())}
    names = sorted(optimum, key=lambda s: [int(x) for x in s[3:-3].split("_")])
    if args.limit:
        names = names[: args.limit]
    problems = {nm: read_sm(args.dir / nm) for nm in names}
    settings: dict[str, Callable[[SchedulingProblem], SchedulingSolution]] = {
        "serial SGS, LFT, one pass": lambda p: sgs(p, "LFT", scheme="serial"),
        "parallel SGS, LFT, one pass": lambda p: sgs(p, "LFT", scheme="parallel"),
        "sampling, 1,000 schedules": lambda p: heuristic(p, schedules=1000, improve=False),
        "sampling + FBI, 1,000 schedules (default)": lambda p: heuristic(p, schedules=1000),
        "sampling + FBI, 5,000 schedules": lambda p: heuristic(p, schedules=5000),
    }
    if not args.skip_cpsat:
        from campaignflow.simulate.optimize import available, optimize
        if available():
            settings["OR-Tools CP-SAT, 2 s limit"] = lambda p: optimize(p, time_limit=args.time_limit)
        else:
            print("OR-Tools is not installed: CP-SAT row skipped (pip install 'campaignflow[optimize]')")
    print(f"PSPLIB {args.dir.name}: {len(names)} instances\n")
    head = f"| {'scheduler':<42} | {'mean dev':>8} | {'max dev':>7} | {'optima hit':>10} | {'proven':>6} | {'mean gap to LB':>14} | {'s/instance':>10} | {'reference':>16} |"
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for label, run in settings.items():
        devs, gaps, proven, hit, secs = [], [], 0, 0, []
        for nm in names:
            p = problems[nm]
            t0 = time.process_time()
            s = run(p)
            secs.append(time.process_time() - t0)
            errors = check_schedule(p, s.starts)
            if errors:
                raise SystemExit(f"{label} / {nm}: infeasible schedule: {errors[:3]}")
            opt = optimum[nm]
            if not s.lower_bound <= opt <= s.makespan:
                raise SystemExit(f"{label} / {nm}: makespan {s.makespan}, bound {s.lower_bound}, optimum {opt}")
            devs.append(100.0 * (s.makespan - opt) / opt)
            gaps.append(100.0 * s.gap)
            hit += s.makespan == opt
            proven += s.optimal
        print(f"| {label:<42} | {statistics.mean(devs):>7.3f}% | {max(devs):>6.1f}% | {hit:>4}/{len(names):<5} | "
              f"{proven:>6} | {statistics.mean(gaps):>13.2f}% | {statistics.mean(secs):>10.4f} | {REFERENCE.get(label, ''):>16} |",
              flush=True)
    print("\nmean gap to LB: how far above its own lower bound each schedule is (what a user is told);"
          " times are CPU seconds.")


if __name__ == "__main__":
    main()
