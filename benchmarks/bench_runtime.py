"""Durable transitions per second: the engine on SQLite, raw SQLite, and SpiffWorkflow, in one run.

    python benchmarks/bench_runtime.py [--transitions 2000] [--dir DIR]

Lines printed, side by side:

* ``raw sqlite``: the limit of the medium, one INSERT (an event row of the
  engine's size) and one UPDATE (the campaign head) per transaction, WAL,
  ``synchronous=FULL`` -- what one durable transition costs at the least.
* ``campaignflow sqlite``: ``Engine.start``/``complete`` on ``SQLiteStore``
  (same settings): authorisation, decision, hash chain, append, apply.
  Aim: at least half of the raw figure.
* ``campaignflow memory``: the same on ``MemoryStore``, i.e. the engine's own cost.
* ``spiffworkflow``: SpiffWorkflow completing the same number of BPMN user
  tasks (workflows of 50 user tasks in sequence), in memory, and again with a
  durable checkpoint after each task (``serialize_json`` written to SQLite with
  the same settings), which is what a host needs to lose nothing.
  SpiffWorkflow is pip-installed if missing; if that fails, the line says so.
* ``raw postgresql`` and ``campaignflow postgresql`` (with ``--postgres URL`` or
  ``CAMPAIGNFLOW_DATABASE_URL``; issue 11): the same pair on a PostgreSQL server,
  ``synchronous_commit=on``, each in a fresh schema dropped afterwards.
* Per store, the median latency of one transition beside its raw floor, and
  ``Engine.open`` (replay and chain check) and one transition's latency with
  1k, 10k and 100k events already in the log (``--sizes``): the cost of a
  transition must not grow with the log.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from campaignflow.model import Campaign, Task, Unit
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Actor, Engine, ManualClock, MemoryStore, SQLiteStore

SPIFF_CHAIN = 50


def _campaign(tasks: int) -> Campaign:
    units = {"office": Unit("office", "办公室")}
    ts = [Task(f"t{i:06d}", f"任务{i}", lead="office") for i in range(tasks)]
    return Campaign(id="bench", name="基准", start=date(2020, 7, 1), end=date(2020, 12, 31), units=units,
                    tasks={t.id: t for t in ts})


def bench_engine(n: int, store_factory: Callable[[], object]) -> float:
    """Transitions per second: n/2 tasks started and completed, each call one durable event."""
    campaign = _campaign(n // 2)
    store = store_factory()
    engine = Engine.open(campaign, store, plugins=create_plugin_manager(entry_points=False, use_env=False),
                         clock=ManualClock(datetime(2020, 7, 1, 9)))
    actor = Actor("worker", {"office"})
    ids = list(campaign.tasks)
    t0 = time.perf_counter()
    for tid in ids:
        engine.start(tid, actor)
        engine.complete(tid, actor)
    elapsed = time.perf_counter() - t0
    assert engine.seq == 2 * len(ids) + 1
    store.close()
    return 2 * len(ids) / elapsed


def bench_raw_sqlite(n: int, path: Path) -> float:
    """One INSERT + one UPDATE per transaction, WAL, synchronous=FULL."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE heads (id TEXT PRIMARY KEY, seq INTEGER, hash TEXT)")
    db.execute("CREATE TABLE events (campaign TEXT, seq INTEGER, body TEXT, hash TEXT, PRIMARY KEY (campaign, seq))"
               " WITHOUT ROWID")
    db.execute("INSERT INTO heads VALUES ('bench', 0, '')")
    body = json.dumps({"seq": 0, "campaign": "bench", "kind": "started", "at": "2020-07-01T09:00:00.000000",
                       "task": "t000001", "actor": "worker", "unit": "office", "from_state": "ready",
                       "to_state": "active", "step": None, "target": None, "reason": None, "ref": None,
                       "key": None, "prev": "0" * 64})
    digest = "f" * 64
    t0 = time.perf_counter()
    for seq in range(1, n + 1):
        db.execute("BEGIN")
        db.execute("INSERT INTO events VALUES ('bench', ?, ?, ?)", (seq, body, digest))
        db.execute("UPDATE heads SET seq = ?, hash = ? WHERE id = 'bench'", (seq, digest))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    db.close()
    return n / elapsed


def _median_ms(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2] * 1000


def bench_engine_latency(n: int, store_factory: Callable[[], object]) -> tuple[float, float]:
    """(transitions per second, median ms of one transition) of the engine on a store."""
    campaign = _campaign(n // 2)
    store = store_factory()
    engine = Engine.open(campaign, store, plugins=create_plugin_manager(entry_points=False, use_env=False),
                         clock=ManualClock(datetime(2020, 7, 1, 9)))
    actor = Actor("worker", {"office"})
    samples = []
    t0 = time.perf_counter()
    for tid in campaign.tasks:
        for call in (engine.start, engine.complete):
            t = time.perf_counter()
            call(tid, actor)
            samples.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - t0
    store.close()  # type: ignore[attr-defined]
    return len(samples) / elapsed, _median_ms(samples)


def bench_raw_postgres(n: int, url: str, schema: str) -> tuple[float, float]:
    """(per second, median ms): one INSERT + one UPDATE per committed transaction, synchronous_commit=on."""
    import psycopg

    body = "x" * 420  # an event row of the engine's size
    digest = "f" * 64
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SET synchronous_commit = on")
        db.execute(f"CREATE SCHEMA {schema}")
        db.execute(f"CREATE TABLE {schema}.heads (id TEXT PRIMARY KEY, seq BIGINT, hash TEXT)")
        db.execute(f"CREATE TABLE {schema}.events (campaign TEXT, seq BIGINT, body TEXT, hash TEXT, "
                   "PRIMARY KEY (campaign, seq))")
        db.execute(f"INSERT INTO {schema}.heads VALUES ('bench', 0, '')")
        samples = []
        t0 = time.perf_counter()
        for seq in range(1, n + 1):
            t = time.perf_counter()
            with db.transaction():
                db.execute(f"INSERT INTO {schema}.events VALUES ('bench', %s, %s, %s)", (seq, body, digest))
                db.execute(f"UPDATE {schema}.heads SET seq = %s, hash = %s WHERE id = 'bench'", (seq, digest))
            samples.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - t0
        db.execute(f"DROP SCHEMA {schema} CASCADE")
    return n / elapsed, _median_ms(samples)


def bench_raw_sqlite_latency(n: int, path: Path) -> float:
    """Median ms of one raw SQLite transaction (as ``bench_raw_sqlite``)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE events (campaign TEXT, seq INTEGER, body TEXT, PRIMARY KEY (campaign, seq))")
    samples = []
    for seq in range(1, n + 1):
        t = time.perf_counter()
        db.execute("BEGIN")
        db.execute("INSERT INTO events VALUES ('bench', ?, ?)", (seq, "x" * 420))
        db.execute("COMMIT")
        samples.append(time.perf_counter() - t)
    db.close()
    return _median_ms(samples)


def bench_log_size(size: int, store_factory: Callable[[], object],
                   probes: int = 100) -> tuple[float, float, float, float, float]:
    """Figures with ``size`` events already in the log, as a tuple.

    (replay seconds, its CPU seconds, ``Engine.open`` seconds, its CPU seconds, median ms of one
    transition). The replay is ``refresh()`` on a new engine: every event read, checked against
    the chain and applied; ``Engine.open`` adds indexing and fingerprinting the plan, which grow
    with the plan (here one task per two events), not with the log. The CPU seconds are this
    process's alone: on a machine shared with other work the wall-clock figure also counts the
    time spent waiting for a core.
    """
    campaign = _campaign(size // 2 + probes)
    plugins = create_plugin_manager(entry_points=False, use_env=False)
    actor = Actor("worker", {"office"})
    # The log is built in memory and stored in one batch: filling 100k durable transitions one by one
    # would measure the filling, not the open.
    scratch = Engine.open(campaign, MemoryStore(), plugins=plugins, clock=ManualClock(datetime(2020, 7, 1, 9)))
    ids = list(campaign.tasks)
    for tid in ids[: (size - 1) // 2]:
        scratch.start(tid, actor)
        scratch.complete(tid, actor)
    events = list(scratch.store.read("bench"))
    store = store_factory()
    store.append("bench", events, expected_seq=0)  # type: ignore[attr-defined]
    clock = ManualClock(datetime(2020, 7, 1, 9))
    fresh = Engine(campaign, store, plugins=plugins, clock=clock)  # type: ignore[arg-type]
    t0, c0 = time.perf_counter(), time.process_time()
    fresh.refresh()
    replayed, replay_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert fresh.seq == len(events)
    t0, c0 = time.perf_counter(), time.process_time()
    engine = Engine.open(campaign, store, plugins=plugins, clock=ManualClock(datetime(2020, 7, 1, 9)))  # type: ignore[arg-type]
    opened, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert engine.seq == len(events)
    samples = []
    for tid in ids[-probes:]:
        t = time.perf_counter()
        engine.start(tid, actor)
        samples.append(time.perf_counter() - t)
    store.close()  # type: ignore[attr-defined]
    return replayed, replay_cpu, opened, cpu, _median_ms(samples)


def _pg_schema() -> str:
    import uuid

    return f"bench_{uuid.uuid4().hex[:10]}"


def _drop(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def bench_stores(n: int, out: Path, url: str | None, sizes: list[int]) -> None:
    """The PostgreSQL-beside-raw and log-size figures (issue 11), printed as two tables."""
    from campaignflow.runtime import PostgresStore

    rows = []
    raw_lat = bench_raw_sqlite_latency(n, out / "raw-lat.db")
    raw_tps = bench_raw_sqlite(n, out / "raw2.db")
    tps, lat = bench_engine_latency(n, lambda: SQLiteStore(out / "lat.db"))
    rows.append(("sqlite", raw_tps, raw_lat, tps, lat))
    factories: dict[str, Callable[[int], object]] = {
        "sqlite": lambda size: SQLiteStore(out / f"size{size}.db")}
    if url:
        schema = _pg_schema()
        raw_tps, raw_lat = bench_raw_postgres(n, url, schema)
        schema = _pg_schema()
        try:
            tps, lat = bench_engine_latency(n, lambda: PostgresStore(url, schema=schema))
        finally:
            _drop(url, schema)
        rows.append(("postgresql", raw_tps, raw_lat, tps, lat))
        factories["postgresql"] = lambda size: PostgresStore(url, schema=f"bench_size{size}")
    print(f"\none durable transition, {n} each: campaignflow beside the raw floor on the same medium")
    print(f"{'store':12} {'raw /s':>9} {'raw ms':>8} {'engine /s':>10} {'engine ms':>10} {'ratio':>6}  aim >= 0.5")
    for name, raw_tps, raw_lat, tps, lat in rows:
        verdict = "meets" if tps >= raw_tps / 2 else "MISSES"
        print(f"{name:12} {raw_tps:9.0f} {raw_lat:8.2f} {tps:10.0f} {lat:10.2f} {tps / raw_tps:6.2f}  {verdict}")
    if not url:
        print("postgresql: not run (give --postgres URL or set CAMPAIGNFLOW_DATABASE_URL)")
    print("\nthe log's size: Engine.open (replay + chain check) and one transition's median latency")
    print("(replay: read, chain-check and apply every event; open: Engine.open, i.e. the replay plus indexing")
    print(" the plan's tasks; cpu: this process's CPU seconds, wall-clock also counts waiting for a core)")
    print(f"{'store':12} {'events':>8} {'replay s':>9} {'cpu s':>6} {'open s':>7} {'cpu s':>6} "
          f"{'transition ms':>14}")
    for name, factory in factories.items():
        for size in sizes:
            try:
                replayed, replay_cpu, opened, cpu, lat = bench_log_size(size, lambda f=factory, s=size: f(s))
            finally:
                if name == "postgresql" and url:
                    _drop(url, f"bench_size{size}")
            aim = f"  replay aim < 2 s: {'meets' if replayed < 2 else 'MISSES'}" if size >= 100_000 else ""
            print(f"{name:12} {size:8} {replayed:9.2f} {replay_cpu:6.2f} {opened:7.2f} {cpu:6.2f} {lat:14.2f}{aim}")


def _spiff() -> object | None:
    try:
        return importlib.import_module("SpiffWorkflow")
    except ImportError:
        print("SpiffWorkflow is not installed: installing it with pip ...", file=sys.stderr)
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "SpiffWorkflow"], check=False)
        if done.returncode != 0:
            return None
        importlib.invalidate_caches()
        try:
            return importlib.import_module("SpiffWorkflow")
        except ImportError:
            return None


def _bpmn(k: int) -> bytes:
    tasks = "".join(f'<bpmn:userTask id="t{i}" name="Task {i}"/>' for i in range(k))
    ids = ["start", *(f"t{i}" for i in range(k)), "end"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(ids, ids[1:])))
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            f'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="bench">'
            f'<bpmn:process id="proc" isExecutable="true"><bpmn:startEvent id="start"/>{tasks}'
            f'<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>').encode()


def bench_spiff(n: int, path: Path | None) -> float:
    """User tasks completed per second (with a durable checkpoint after each when ``path`` is given)."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_str(_bpmn(SPIFF_CHAIN))
    spec = parser.get_spec("proc")
    serializer = BpmnWorkflowSerializer()
    db = None
    if path is not None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT)")
    done = 0
    t0 = time.perf_counter()
    instance = 0
    while done < n:
        instance += 1
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        while not workflow.is_completed() and done < n:
            for task in workflow.get_tasks(state=TaskState.READY, manual=True):
                task.run()
                done += 1
            workflow.do_engine_steps()
            if db is not None:
                db.execute("INSERT OR REPLACE INTO workflows VALUES (?, ?)",
                           (instance, serializer.serialize_json(workflow)))
    elapsed = time.perf_counter() - t0
    if db is not None:
        db.close()
    return done / elapsed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--transitions", type=int, default=2000, help="transitions (user tasks) per line")
    ap.add_argument("--dir", type=Path, default=None, help="where the database files go (default: a temp dir)")
    ap.add_argument("--postgres", default=None, metavar="URL",
                    help="a PostgreSQL server to measure too (default: $CAMPAIGNFLOW_DATABASE_URL)")
    ap.add_argument("--sizes", default="1000,10000,100000", help="log sizes for the open/latency table")
    ap.add_argument("--no-spiff", action="store_true", help="skip the SpiffWorkflow lines")
    args = ap.parse_args(argv)
    n = args.transitions
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        out = Path(tmp)
        raw = bench_raw_sqlite(n, out / "raw.db")
        durable = bench_engine(n, lambda: SQLiteStore(out / "engine.db"))
        memory = bench_engine(n, MemoryStore)
        rows = [("raw sqlite (1 insert + 1 update / txn, WAL, FULL)", f"{raw:10.0f}", "1.00"),
                ("campaignflow sqlite (Engine on SQLiteStore)", f"{durable:10.0f}", f"{durable / raw:.2f}"),
                ("campaignflow memory (Engine on MemoryStore)", f"{memory:10.0f}", f"{memory / raw:.2f}")]
        if args.no_spiff:
            pass
        elif _spiff() is None:
            rows.append(("spiffworkflow", "   not run", "SpiffWorkflow could not be installed"))
        else:
            spiff_mem = bench_spiff(n, None)
            spiff_dur = bench_spiff(n, out / "spiff.db")
            rows.append((f"spiffworkflow in memory ({SPIFF_CHAIN}-task BPMN chains)", f"{spiff_mem:10.0f}",
                         f"{spiff_mem / raw:.2f}"))
            rows.append(("spiffworkflow + durable checkpoint per task", f"{spiff_dur:10.0f}",
                         f"{spiff_dur / raw:.2f}"))
    print(f"durable transitions per second, {n} each (python {sys.version.split()[0]}, sqlite "
          f"{sqlite3.sqlite_version})")
    print(f"{'':52} {'per second':>10}  vs raw")
    for name, value, ratio in rows:
        print(f"{name:52} {value}  {ratio}")
    verdict = "meets" if durable >= raw / 2 else "MISSES"
    print(f"aim: campaignflow sqlite >= half of raw sqlite: {verdict} ({durable / raw:.2f})")
    import os

    url = args.postgres or os.environ.get("CAMPAIGNFLOW_DATABASE_URL")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        bench_stores(n, Path(tmp), url, [int(x) for x in args.sizes.split(",") if x])


if __name__ == "__main__":
    main()
