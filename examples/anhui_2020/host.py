"""A provincial platform embedding campaignflow to run the Anhui 2020 plan on a simulated clock.

    python examples/anhui_2020/host.py [--db FILE] [--quiet]

The platform loads the Anhui plugin's plan (plugins/anhui_2020/plan.toml),
opens it on a SQLite store and drives the whole campaign, day by day from
1 July to 24 October 2020: the sixteen cities submit their activity plans,
the provincial office (省扶贫办) signs them off (the platform's practice: the
document only sends them to the office) -- and rejects Huaibei's first
one --, the activities run, the reports come in. Lu'an (六安) submits its plan
late: the nightly timer records it overdue and escalates it to the province.
What it prints is what the platform's screens and notifications would show.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

import attrs

import campaignflow as cf
from campaignflow.errors import NotAuthorized
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Actor, ChainReport, Engine, Event, EventKind, ManualClock, SQLiteStore, TaskState

PLAN = Path(__file__).resolve().parents[2] / "plugins" / "anhui_2020" / "plan.toml"
LATE_CITY = "luan"  # 六安市: its activity plan comes in after the end of July
REJECTED = "city-plan@huaibei"  # 淮北市: the first version lacks a budget


@attrs.frozen
class Outcome:
    """What the run ended with, for the example's test and for the last screen."""

    states: dict[str, int]
    rejections: list[tuple[str, str]]
    escalations: list[tuple[str, str]]
    refused: list[str]
    events: int
    verified: ChainReport
    late_city_history: list[str]


def load_campaign(plugins: cf.Plugins) -> cf.Campaign:
    """The plugin's plan, with the platform's own sign-off of the city plans.

    The document only sends (函送) the city plans to the provincial office, which
    receives them (``reports_to``); this platform's office also signs them off
    within 5 working days before a city's activities begin. That is the host's
    practice, added here, not the document's: the plugin's plan stays faithful.
    """
    campaign = cf.load_plan(PLAN, plugins=plugins)
    step = cf.Approval(by="ah-fpb", within=cf.Duration(5))
    tasks = {tid: attrs.evolve(t, approvals=(step,)) if t.template == "city-plan" else t
             for tid, t in campaign.tasks.items()}
    return attrs.evolve(campaign, tasks=tasks)


def people(campaign: cf.Campaign) -> dict[str, Actor]:
    """One clerk per unit, as the platform's single sign-on would tell the engine."""
    return {uid: Actor(f"clerk.{uid}", {uid}) for uid in campaign.units}


def _work_done(engine: Engine, view: cf.runtime.TaskView, now: datetime) -> bool:
    # A task's work takes its planned duration in working days of the plan's calendar.
    if view.started_at is None:
        return False
    task = engine.campaign.tasks[view.id]
    if task.window.on is not None:  # a one-day event is over by the evening
        return now - view.started_at >= timedelta(hours=8)
    axis = engine.axis()
    return axis.pos(now) >= axis.pos(view.started_at) + max(task.duration.likely, 1.0) - 1e-9


def work_one_day(engine: Engine, now: datetime, staff: dict[str, Actor],
                 holds: Callable[[str, datetime], bool] = lambda tid, now: False) -> None:
    """Everyone does today's work: start what opened, finish, submit, approve what waits."""
    for view in engine.tasks():
        tid, lead = view.id, view.lead
        if holds(tid, now):
            continue
        if view.state in (TaskState.READY, TaskState.REJECTED) and (view.opens is None or view.opens <= now):
            engine.start(tid, staff[lead], key=f"{tid}:start:{view.rejections}")
        elif view.state is TaskState.ACTIVE and _work_done(engine, view, now):
            if view.steps:
                engine.submit(tid, staff[lead], key=f"{tid}:submit:{view.rejections}")
            else:
                engine.complete(tid, staff[lead], key=f"{tid}:complete")
        elif view.state is TaskState.COMPLETED:
            engine.submit(tid, staff[lead])
        elif view.state is TaskState.SUBMITTED and view.approvers:
            approver = view.approvers[0]
            if tid == REJECTED and view.rejections == 0:
                engine.reject(tid, staff[approver], reason="方案未列明活动经费安排,请补充后重报")
            else:
                engine.approve(tid, staff[approver])


def run(db: Path, *, out: Callable[[str], None] = print) -> Outcome:
    """Drive the whole campaign on the store at ``db``; print what the platform shows."""
    plugins = create_plugin_manager(plugin_dirs=[PLAN.parent])
    campaign = load_campaign(plugins)
    names = {uid: u.name for uid, u in campaign.units.items()}
    clock = ManualClock(datetime(2020, 7, 1, 9, 0))
    store = SQLiteStore(db)
    engine = Engine.open(campaign, store, plugins=plugins, clock=clock)
    staff = people(campaign)
    rejections: list[tuple[str, str]] = []
    escalations: list[tuple[str, str]] = []

    def notify(event: Event) -> None:
        # The platform's notification centre: what people are told, as it happens.
        if event.kind is EventKind.REJECTED:
            rejections.append((event.task or "", event.reason or ""))
            out(f"  [通知] {event.at:%m-%d} {names[event.unit or '']} 退回 {event.task}:{event.reason}")
        elif event.kind is EventKind.ESCALATED:
            escalations.append((event.task or "", event.target or ""))
            out(f"  [督办] {event.at:%m-%d} {event.task} 逾期({event.reason}),已提请 {names[event.target or '']} 督办")
        elif event.kind is EventKind.APPROVED and event.task and event.task.startswith("city-plan@"):
            out(f"  [通知] {event.at:%m-%d} {names[event.unit or '']} 批准 {names[engine.task(event.task).lead]} 活动方案")

    engine.subscribe(notify)
    out(f"{campaign.name} — {len(campaign.tasks)} 项任务, {len(campaign.units)} 个单位, 存储 {db}")

    # Hefei submits on day one; a cadre seconded from Hefei to the provincial office
    # tries to approve it: self-approval, refused, and on the log.
    engine.start("city-plan@hefei", staff["hefei"])
    engine.submit("city-plan@hefei", staff["hefei"])
    seconded = Actor("zhang.seconded", {"hefei", "ah-fpb"})
    refused = []
    try:
        engine.approve("city-plan@hefei", seconded, unit="ah-fpb")
    except NotAuthorized as exc:
        refused.append(str(exc))
        out(f"  [拒绝] {exc}")

    def late(tid: str, now: datetime) -> bool:
        return tid == f"city-plan@{LATE_CITY}" and now < datetime(2020, 8, 4)

    day = clock.now().date()
    end = datetime.combine(campaign.end, time()) + timedelta(days=2)
    while clock.now() < end:
        for hour in (9, 17):  # morning and afternoon rounds of work
            clock.set(datetime.combine(day, time(hour, 0)))
            engine.tick()  # the platform's timer job
            work_one_day(engine, clock.now(), staff, holds=late)
        if day == datetime(2020, 7, 31).date():
            agenda = engine.agenda(LATE_CITY, days=3)
            out(f"  [待办] 07-31 {names[LATE_CITY]} 本周待办: {', '.join(v.id for v in agenda) or '无'}")
        day += timedelta(days=1)

    states = collections.Counter(str(v.state) for v in engine.tasks())
    report = engine.verify()
    history = [f"{e.at:%m-%d} {e.kind} {e.task}" for e in engine.history(unit=LATE_CITY)[:6]]
    out(f"结束 {clock.now():%Y-%m-%d}: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items())))
    out(f"日志 {report.events} 条事件, 哈希链校验通过 (末哈希 {report.head_hash[:16]})")
    out(f"{names[LATE_CITY]} 履历 (前 6 条): " + "; ".join(history))
    outcome = Outcome(states=dict(states), rejections=rejections, escalations=escalations, refused=refused,
                      events=report.events, verified=report, late_city_history=history)
    store.close()
    return outcome


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, default=None, help="SQLite store (default: a temporary file)")
    ap.add_argument("--quiet", action="store_true", help="only the last screen")
    args = ap.parse_args(argv)
    out = (lambda _line: None) if args.quiet else print
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run(args.db or Path(tmp) / "anhui-2020.db", out=out)
    if args.quiet:
        print(outcome.states)
    return 0 if set(outcome.states) == {"done"} else 1


if __name__ == "__main__":
    sys.exit(main())
