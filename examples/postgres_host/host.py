"""A multi-process host on PostgreSQL: several worker processes serve one campaign, nothing lost.

    python examples/postgres_host/host.py postgresql://app@db.internal/campaigns [--workers 4] [--notify]

Each worker process is what one web worker of a platform is (gunicorn -w 4, on one host or
several): its own store connection and its own engine, on the same database. The requests
(start and complete every task that is ready, by its lead's clerk) are shared out among the
workers, and every request is sent twice, as a browser retrying after a timeout does: the
idempotency key makes the second one hand back the first one's event. A follower process
(a dashboard, a notifier) keeps its engine up to date with ``wait_for_events``, which polls the
head (or wakes on NOTIFY with ``--notify``). At the end the log is verified and counted.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

from campaignflow import load_plan
from campaignflow.errors import ConcurrencyConflict, StoreError
from campaignflow.runtime import Actor, Engine, Event, PostgresStore, wait_for_events

PLAN = Path(__file__).resolve().parents[2] / "plugins" / "anhui_2020" / "plan.toml"


def open_engine(url: str, schema: str, notify: bool) -> Engine:
    """One store and one engine per process; every process on the same database."""
    store = PostgresStore(url, schema=schema, notify=notify)
    return Engine.open(load_plan(PLAN), store)


def handle(engine: Engine, action: str, task_id: str, actor: Actor, request_id: str) -> Event:
    """Serve one request as a web worker does: act with the request's key, retry what may be retried."""
    for _ in range(50):
        try:
            engine.refresh()  # see what the other workers committed (cheap when nothing changed)
            return getattr(engine, action)(task_id, actor, key=request_id)  # the key makes a retry safe
        except ConcurrencyConflict:
            continue  # lost a race even after the engine's own retries: decide again
        except StoreError:
            time.sleep(0.5)  # the server is restarting or failing over: retry with the same key
    raise RuntimeError(f"the store did not answer request {request_id}")
    # (TransitionError, a refusal, goes back to the user as it is.)


def worker(url: str, schema: str, notify: bool, requests: list[tuple[str, str, str, str]], out: mp.Queue) -> None:
    engine = open_engine(url, schema, notify)
    seqs = []
    for action, task_id, unit, request_id in requests:
        event = handle(engine, action, task_id, Actor(f"clerk.{unit}", {unit}), request_id)
        seqs.append(event.seq)
    engine.store.close()
    out.put(("worker", seqs))


def follower(url: str, schema: str, notify: bool, until: int, out: mp.Queue) -> None:
    engine = open_engine(url, schema, notify)
    wakes = 0
    deadline = time.monotonic() + 120
    while engine.seq < until and time.monotonic() < deadline:
        if wait_for_events(engine.store, engine.campaign.id, after=engine.seq, timeout=5, interval=0.2):
            wakes += 1
            engine.refresh()
    engine.store.close()
    out.put(("follower", (engine.seq, wakes)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("url", help="the PostgreSQL server, postgresql://user@host/db")
    ap.add_argument("--schema", default="campaignflow", help="the PostgreSQL schema of the log")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--notify", action="store_true", help="LISTEN/NOTIFY for the follower (else it polls)")
    args = ap.parse_args(argv)

    engine = open_engine(args.url, args.schema, args.notify)  # creates the tables and the campaign
    before = engine.seq
    ready = engine.tasks(state="ready")
    shares: list[list[tuple[str, str, str, str]]] = [[] for _ in range(args.workers)]
    for i, view in enumerate(ready):
        for action in ("start", "complete"):
            request = (action, view.id, view.lead, f"{action}-{view.id}")
            shares[i % args.workers] += [request, request]  # sent twice: a retry
    new_events = 2 * len(ready)

    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=follower, args=(args.url, args.schema, args.notify, before + new_events, out))]
    procs += [ctx.Process(target=worker, args=(args.url, args.schema, args.notify, share, out)) for share in shares]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(60)
    elapsed = time.monotonic() - t0

    acked = [seq for kind, seqs in results if kind == "worker" for seq in seqs]
    (followed, wakes), = [r for kind, r in results if kind == "follower"]
    engine.refresh()
    report = engine.verify()
    keys = [e.key for e in engine.history() if e.key is not None]
    ok = (report.head_seq == before + new_events and len(keys) == len(set(keys)) == new_events
          and set(acked) == set(range(before + 1, before + new_events + 1)) and followed == report.head_seq
          and all(p.exitcode == 0 for p in procs))
    print(f"{args.workers} workers, {len(acked)} requests ({len(acked) // 2} retried) in {elapsed:.1f} s: "
          f"{new_events} new events, each key once, chain verified to event {report.head_seq}; "
          f"the follower ({'notify' if args.notify else 'polling'}) woke {wakes} times and reached event {followed}"
          f" - {'ok' if ok else 'MISMATCH'}")
    engine.store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
