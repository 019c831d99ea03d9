"""Schedule and simulate generated resource plans; time side by side with TaskJuggler (``tj3``).

For each size, ``gen.resource_plan`` writes a flat plan of tasks led by units of
capacity 1-3 (with approval steps and a few deadlines), and this script writes
the same project as a TaskJuggler file (each unit of capacity c becomes c
interchangeable resources; an approval step, a task of its ``within`` length;
deadlines are left out so that tj3 does not stop at a missed one). Every step
runs in a fresh subprocess so that its peak memory is its own. Ratios use CPU
time (user + system), which other work on a shared machine disturbs less than
wall time; both are printed.

- ``campaignflow simulate`` (CLI): the whole command, from Python's start to
  the JSON document (loading the plan included);
- ``schedule()``: the deterministic schedule of the loaded plan (library call);
- ``simulate(runs=R)``: the Monte-Carlo runs, numpy engine, and the pure-Python
  engine with fewer runs (its time scales linearly with runs);
- ``tj3``: ``tj3 --silent --no-reports`` on the .tjp file (scheduling only).

If ``tj3`` is missing, the script runs ``apt-get update`` and
``apt-get install -y tj3`` and says so; if that fails, it says that too and
prints our figures alone.

Usage: ``python benchmarks/bench_simulate.py [--sizes 1000,10000] [--runs 10000] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen  # noqa: E402

DEFAULT_SIZES = (1_000, 10_000)
SEED = 0


def _units_for(n_tasks: int) -> int:
    # About twenty tasks per unit: capacity matters, as in a county's bureaus.
    return max(5, n_tasks // 20)


# -- the TaskJuggler file -------------------------------------------------------------------


def _tj_id(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


def write_tjp(campaign: Any, path: Path, years: int = 3) -> None:
    """The campaign as a TaskJuggler 3 project: same tasks, dependencies, capacities, approvals.

    ``years`` is the project's span: tj3 gives up on work that does not fit in it.
    """
    lines = [f'project {_tj_id(campaign.id)} "{campaign.id}" {campaign.start.isoformat()} +{years}y {{',
             '  timezone "Asia/Shanghai"', "}", ""]
    pool: dict[str, list[str]] = {}
    for uid, unit in campaign.units.items():
        members = [f"{_tj_id(uid)}_{k}" for k in range(unit.capacity or 1)]
        pool[uid] = members
        for m in members:
            lines.append(f'resource {m} "{uid}"')
    lines.append("")
    last: dict[str, str] = {}
    for tid, task in campaign.tasks.items():
        ident = _tj_id(tid)
        last[tid] = ident if not task.approvals else f"{ident}_a{len(task.approvals) - 1}"
    for tid, task in campaign.tasks.items():
        ident = _tj_id(tid)
        body = [f"  effort {task.duration.likely:g}d"]
        members = pool.get(task.lead, [])
        if members and campaign.units[task.lead].capacity:
            alt = f" {{ alternative {', '.join(members[1:])} }}" if len(members) > 1 else ""
            body.append(f"  allocate {members[0]}{alt}")
        else:
            body = [f"  length {task.duration.likely:g}d"]
        if task.after:
            body.append("  depends " + ", ".join(last[d.task] for d in task.after))
        lines += [f'task {ident} "{tid}" {{', *body, "}"]
        prev = ident
        for i, step in enumerate(task.approvals):
            within = step.within.likely if step.within is not None else 2.0
            gate = f"{ident}_a{i}"
            lines += [f'task {gate} "{tid} approval {i}" {{', f"  length {within:g}d", f"  depends {prev}", "}"]
            prev = gate
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ensure_tj3() -> str | None:
    """The path of tj3, installing Debian's package if needed; None if it cannot be had."""
    found = shutil.which("tj3")
    if found:
        return found
    print("tj3 not found: running `apt-get update` and `apt-get install -y tj3` ...", flush=True)
    try:
        subprocess.run(["apt-get", "update"], check=True, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "tj3"], check=True, capture_output=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"could not install tj3 ({exc}); printing campaignflow's figures only", flush=True)
        return None
    found = shutil.which("tj3")
    print("tj3 installed" if found else "tj3 still not found; printing campaignflow's figures only", flush=True)
    return found


# -- steps (each in a child process) -----------------------------------------------------------

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {here!r})
step, plan_file, size, runs = {step!r}, {plan!r}, {size}, {runs}
try:
    from campaignflow.load import load_plan
    campaign = load_plan(plan_file)
except ImportError:
    import gen
    campaign = gen.resource_campaign(size, {units}, {seed})
from campaignflow.simulate import schedule, simulate
t0, c0 = time.perf_counter(), time.process_time()
if step == "schedule":
    result = schedule(campaign)
    extra = {{"missed": len(result.missed), "finish": result.finish.isoformat()}}
else:
    engine = "numpy" if step == "montecarlo" else "python"
    result = simulate(campaign, runs=runs, seed=1, engine=engine)
    extra = {{"p90": result.makespan_p90.isoformat()}}
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "cpu": cpu, "peak_mb": peak, **extra}}))
"""


def _child(step: str, plan: Path, size: int, runs: int) -> dict[str, Any]:
    code = _CHILD.format(here=str(HERE), step=step, plan=str(plan), size=size, runs=runs, units=_units_for(size),
                         seed=SEED)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _wall(cmd: list[str], **kw: Any) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall time and CPU time (user + system) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc


def _fmt(seconds: float | None) -> str:
    return "       -" if seconds is None else f"{seconds:8.3f}"


Row = tuple[str, float | None, float | None, str]  # name, wall s, CPU s, note


def bench(size: int, runs: int, py_runs: int, tj3: str | None, workdir: Path) -> list[Row]:
    n_units = _units_for(size)
    plan = workdir / f"resources-{size}.toml"
    plan.write_text(gen.resource_plan(size, n_units, SEED), encoding="utf-8")
    tjp = workdir / f"resources-{size}.tjp"
    campaign = gen.resource_campaign(size, n_units, SEED)
    # Long chains of tasks on busy units can run for years: give tj3 room for our whole schedule
    # and a year more (a longer span only costs tj3 time, so it is kept as short as that).
    from campaignflow.simulate import schedule

    finish = schedule(campaign).finish.date()
    write_tjp(campaign, tjp, years=(finish - campaign.start).days // 365 + 2)
    rows: list[Row] = []

    exe = shutil.which("campaignflow")
    cmd = [exe] if exe else [sys.executable, "-m", "campaignflow.cli.main"]
    wall, cpu, proc = _wall([*cmd, "simulate", str(plan), "--format", "json"])
    note = f"exit {proc.returncode}" + (f": {proc.stderr.strip().splitlines()[-1]}" if proc.returncode > 1 else "")
    rows.append(("campaignflow simulate (CLI, deterministic)", wall, cpu, note + " (1: deadlines missed)"))

    for step, label, n in (("schedule", "schedule() (library, plan loaded)", 0),
                           ("montecarlo", f"simulate(runs={runs:,}), numpy", runs),
                           ("montecarlo-python", f"simulate(runs={py_runs:,}), pure Python", py_runs)):
        r = _child(step, plan, size, n)
        rows.append((label, r["seconds"], r["cpu"], f"peak {r['peak_mb']:.0f} MB"))

    if tj3 is not None:
        wall, cpu, proc = _wall([tj3, "--silent", "--no-reports", "--no-color", str(tjp)], cwd=workdir)
        status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr.strip()[:120]}"
        rows.append(("tj3 --no-reports", wall, cpu, status))
    else:
        rows.append(("tj3 --no-reports", None, None, "not available"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--runs", type=int, default=10_000, help="Monte-Carlo runs (numpy engine)")
    parser.add_argument("--python-runs", type=int, default=200, help="Monte-Carlo runs of the pure-Python engine")
    parser.add_argument("--quick", action="store_true", help="sizes 200,1000 and 1,000 runs")
    args = parser.parse_args(argv)
    sizes = [200, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    runs = 1000 if args.quick else args.runs
    tj3 = ensure_tj3()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s); tj3: {tj3 or 'not available'}")
    with tempfile.TemporaryDirectory(prefix="cf-bench-sim-") as tmp:
        for size in sizes:
            print(f"\n== {size:,} tasks, {_units_for(size)} units (capacity 1-3), weekdays calendar ==", flush=True)
            rows = bench(size, runs, args.python_runs, tj3, Path(tmp))
            tj_cpu = rows[-1][2]
            print(f"  {'step':<46} {'wall s':>8} {'CPU s':>8}  {'tj3 CPU / this':<15} note")
            for name, wall, cpu, note in rows:
                ratio = f"{tj_cpu / cpu:8.1f}x" if tj_cpu and cpu and not name.startswith("tj3") else ""
                print(f"  {name:<46} {_fmt(wall)} {_fmt(cpu)}  {ratio:<15} {note}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
