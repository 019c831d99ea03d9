"""``Engine.tick`` on a campaign of many tasks: its cost follows the timers due, not the tasks.

    python benchmarks/bench_tick.py [--tasks 100000] [--due 10]

A campaign of N tasks whose deadlines are spread one per minute from 2020-07-02, with a
reminder and a three-level ladder (``[supervision]``). After the first tick (which builds the
timer heap once, O(N)), each tick moves the clock on by a few minutes, so that ``--due``
deadlines (and their reminders and levels) fall due: the median time of those ticks is
printed beside the time of a reference scan of every task (``due_timers``) at the same moment,
and beside the same tick at 1k and 10k tasks (the figure must not grow with N).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, datetime, timedelta

from campaignflow.model import AlertLevel, Campaign, Lag, Reminder, Supervision, Task, Unit, Window
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, ManualClock, MemoryStore
from campaignflow.runtime.timers import due_timers

START = datetime(2020, 7, 2)
LADDER = Supervision(reminders=(Reminder(Lag(1)),),
                     levels=(AlertLevel("blue", Lag(0), "lead"), AlertLevel("orange", Lag(1), "parent"),
                             AlertLevel("red", Lag(2), "issuer")))


def _campaign(n: int) -> Campaign:
    units = {"office": Unit("office", "办公室"), "county": Unit("county", "县政府")}
    units["office"] = Unit("office", "办公室", parent="county")
    tasks = {f"t{i:06d}": Task(f"t{i:06d}", f"任务{i}", lead="office",
                               window=Window(due=START + timedelta(minutes=i))) for i in range(n)}
    return Campaign(id="bench", name="基准", start=date(2020, 7, 1), end=date(2021, 12, 31), units=units,
                    tasks=tasks, issuer="county", supervision=LADDER)


def bench(n: int, due: int, ticks: int = 30) -> dict[str, float]:
    campaign = _campaign(n)
    clock = ManualClock(START + timedelta(days=1))  # reminders of the first day's deadlines are due
    engine = Engine.open(campaign, MemoryStore(), plugins=create_plugin_manager(entry_points=False, use_env=False),
                         clock=clock)
    t0 = time.perf_counter()
    engine.tick()  # builds the heap: the one O(N) tick
    first = time.perf_counter() - t0
    times, scans, fired = [], [], 0
    moment = clock.now()
    for _ in range(ticks):
        moment += timedelta(minutes=due)
        t0 = time.perf_counter()
        fired += len(engine.tick(moment))
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    due_timers(engine.plan, engine.state, moment, engine.axis, engine.supervision)
    scans.append(time.perf_counter() - t0)
    return {"tasks": n, "first_tick_s": first, "tick_ms": statistics.median(times) * 1000,
            "events_per_tick": fired / ticks, "scan_ms": statistics.median(scans) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10, help="minutes of deadlines each tick passes")
    args = parser.parse_args()
    for n in sorted({1000, 10_000, args.tasks}):
        r = bench(n, args.due)
        print(f"{r['tasks']:>7} tasks: first tick (heap built) {r['first_tick_s']:.2f} s; then a tick firing "
              f"{r['events_per_tick']:.0f} events takes {r['tick_ms']:.2f} ms (median); "
              f"a scan of every task at the same moment {r['scan_ms']:.0f} ms")


if __name__ == "__main__":
    main()
