"""The Lanshan district platform: one store, the plans of several bureaus, the district office's desk.

    python examples/lanshan_district/host.py [--db FILE]

The district poverty alleviation office (区扶贫办) runs the bureaus' Poverty
Alleviation Day plans on one platform and one SQLite store: the statistics
bureau's (plugins/lanshan_stats_bureau/plan.toml) and the education and health
bureaus' (plans/ beside this file). Each bureau's plan must reach the office
by 9月30日12:00 and, on this platform, be approved (the statistics bureau's
document only sends it: ``with_sign_off`` adds the platform's step); the health bureau's comes after the National
Day holidays, so the 12:00 timer escalates it to the district. In the
statistics bureau's campaign, households in special poverty are recommended
through the consent chain: the household consents, the village and the
township recommend -- the township first sends it back for more detail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

import attrs

import campaignflow as cf
from campaignflow.errors import NotAuthorized
from campaignflow.plugins.manager import Plugins, create_plugin_manager
from campaignflow.runtime import Actor, Engine, Event, EventKind, ManualClock, SQLiteStore, Store, TaskState

HERE = Path(__file__).resolve().parent
PLANS = (HERE.parents[1] / "plugins" / "lanshan_stats_bureau" / "plan.toml",
         HERE / "plans" / "education-bureau.toml", HERE / "plans" / "health-bureau.toml")
PLAN_DUE = datetime(2016, 9, 30, 12, 0)
LATE = "lanshan-health-bureau"
CHAIN = ("lanshan-stats-bureau", "recommend-households")


@attrs.frozen
class Outcome:
    """What the district platform ended with."""

    #: campaign id -> {state: count}
    states: dict[str, dict[str, int]]
    #: (campaign, task, state) of each bureau plan at 9月30日12:00
    at_plan_due: list[tuple[str, str, bool]]
    escalations: list[tuple[str, str, str]]
    #: the recommendation chain, in order: (kind, unit, step)
    chain: list[tuple[str, str | None, int | None]]
    refused: list[str]
    verified: dict[str, int]


def _clerk(unit: str) -> Actor:
    return Actor(f"clerk.{unit}", {unit})


def _work(engine: Engine, now: datetime, hold: Callable[[str, str], bool], on_chain: Callable[..., None]) -> None:
    """Each unit's clerk does what is due today; approvers act on what waits for them."""
    cid = engine.campaign.id
    for view in engine.tasks():
        tid = view.id
        if hold(cid, tid):
            continue
        if view.state in (TaskState.READY, TaskState.REJECTED) and (view.opens is None or view.opens <= now):
            engine.start(tid, _clerk(view.lead), key=f"{tid}:start:{view.rejections}")
        elif view.state is TaskState.ACTIVE and view.started_at is not None and now - view.started_at >= \
                timedelta(hours=7):
            if view.steps:
                engine.submit(tid, _clerk(view.lead), key=f"{tid}:submit:{view.rejections}")
            else:
                engine.complete(tid, _clerk(view.lead), key=f"{tid}:complete")
        elif view.state is TaskState.SUBMITTED and view.approvers:
            on_chain(engine, view) if (cid, tid) == CHAIN else engine.approve(tid, _clerk(view.approvers[0]))


def _recommend(engine: Engine, view: cf.runtime.TaskView) -> None:
    # The household's consent, then the village and the township; the township sends
    # the first round back, and the chain starts again from the household.
    unit = view.approvers[0]
    person = {"household": Actor("户主.王", {"household"}), "village": Actor("村支书.李", {"village"}),
              "township": Actor("镇扶贫站.赵", {"township"})}[unit]
    if unit == "township" and view.rejections == 0:
        engine.reject(view.id, person, reason="请补充家庭困难情况说明")
    else:
        engine.approve(view.id, person)


def with_sign_off(campaign: cf.Campaign) -> cf.Campaign:
    """The plan with this platform's sign-off of the bureau plan.

    The statistics bureau's document only sends (报) its plan to the district
    office, which receives it (``reports_to``); this platform has the office
    also approve every bureau plan within 3 working days, as the education and
    health plans beside this file say themselves. The host's practice, not the
    document's: the plugin's plan stays faithful.
    """
    plan = campaign.tasks.get("bureau-plan")
    if plan is None or plan.approvals:
        return campaign
    step = cf.Approval(by="district-fpb", within=cf.Duration(3))
    return attrs.evolve(campaign, tasks={**campaign.tasks, "bureau-plan": attrs.evolve(plan, approvals=(step,))})


def open_all(store: Store, plugins: Plugins, clock: ManualClock) -> dict[str, Engine]:
    """One engine per bureau plan, all on the same store."""
    engines = {}
    for path in PLANS:
        campaign = with_sign_off(cf.load_plan(path, plugins=plugins))
        engines[campaign.id] = Engine.open(campaign, store, plugins=plugins, clock=clock)
    return engines


def run(db: Path, *, out: Callable[[str], None] = print) -> Outcome:
    """Run every bureau's campaign on one store; print the district office's screens."""
    plugins = create_plugin_manager(plugin_dirs=[PLANS[0].parent])
    clock = ManualClock(datetime(2016, 9, 1, 9, 0))
    store = SQLiteStore(db)
    engines = open_all(store, plugins, clock)
    escalations: list[tuple[str, str, str]] = []
    chain: list[tuple[str, str | None, int | None]] = []

    def feed(event: Event) -> None:
        if event.kind is EventKind.ESCALATED:
            escalations.append((event.campaign, event.task or "", event.target or ""))
            out(f"  [督办] {event.at:%m-%d %H:%M} {event.campaign}/{event.task} 逾期,提请 {event.target} 督办")
        if (event.campaign, event.task) == CHAIN and event.kind in (EventKind.SUBMITTED, EventKind.APPROVED,
                                                                    EventKind.REJECTED):
            chain.append((str(event.kind), event.unit, event.step))
            out(f"  [推介] {event.at:%m-%d} {event.unit} {event.kind} 第{(event.step or 0) + 1}步"
                + (f":{event.reason}" if event.reason else ""))

    for engine in engines.values():
        engine.subscribe(feed)
    out(f"岚山区扶贫日平台 — {len(engines)} 个单位方案, 存储 {db}: "
        + ", ".join(c.campaign for c in store.campaigns()))

    # A bureau clerk tries to approve its own plan for the district office: refused and logged.
    refused = []
    stats = engines["lanshan-stats-bureau"]
    try:
        stats.approve("bureau-plan", _clerk("stats-bureau"), unit="district-fpb")
    except NotAuthorized as exc:
        refused.append(str(exc))
        out(f"  [拒绝] {exc}")

    def hold(cid: str, tid: str) -> bool:
        # The health bureau only gets to its plan after the National Day holidays.
        return cid == LATE and tid == "bureau-plan" and clock.now() < datetime(2016, 10, 8)

    at_plan_due: list[tuple[str, str, bool]] = []
    day = clock.now().date()
    while day <= datetime(2016, 10, 26).date():
        for moment in (time(9), time(12), time(17)):
            clock.set(datetime.combine(day, moment))
            for engine in engines.values():
                engine.tick()
                _work(engine, clock.now(), hold, _recommend)
            if clock.now() == PLAN_DUE:
                at_plan_due = _plan_desk(engines, out)
            if clock.now() == datetime(2016, 10, 8, 17):
                desk = [f"{cid}/{v.id}" for cid, e in engines.items() for v in e.agenda("district-fpb")]
                out(f"  [区扶贫办] 10-08 17:00 本周待办: {', '.join(desk) or '无'}")
        day += timedelta(days=1)

    states = {cid: _count(e) for cid, e in engines.items()}
    verified = {cid: e.verify().events for cid, e in engines.items()}
    for cid, counts in states.items():
        out(f"{cid}: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())) + f"; 日志 {verified[cid]} 条, 校验通过")
    store.close()
    return Outcome(states=states, at_plan_due=at_plan_due, escalations=escalations, chain=chain, refused=refused,
                   verified=verified)


def _plan_desk(engines: dict[str, Engine], out: Callable[[str], None]) -> list[tuple[str, str, bool]]:
    # The office's desk at the deadline: which bureau plans are approved, which are not.
    out(f"  [区扶贫办] {PLAN_DUE:%m-%d %H:%M} 各单位活动方案:")
    rows = []
    for cid, engine in engines.items():
        view = engine.task("bureau-plan")
        approved = view.state is TaskState.DONE
        rows.append((cid, str(view.state), approved))
        out(f"    {engine.campaign.name:<24} {'已批准' if approved else '未批准'} ({view.state})")
    return rows


def _count(engine: Engine) -> dict[str, int]:
    counts: dict[str, int] = {}
    for view in engine.tasks():
        counts[str(view.state)] = counts.get(str(view.state), 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, default=None, help="SQLite store (default: a temporary file)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run(args.db or Path(tmp) / "lanshan.db")
    return 0 if all(set(s) == {"done"} for s in outcome.states.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
