"""Generators of large plans for the benchmarks, as plan files (TOML) or as campaigns.

``cascade_plan(n)`` is a national campaign cascading province -> city ->
county -> township -> village, in the proportions of the real one (31, 330,
2,800, 38,000 and 500,000 units), scaled so that its templates expand to
about ``n`` tasks: a plan per level, each approved by the level above and
waiting for the parent's plan; a ceremony per township and a survey and
report per village; a few solicitations and pairings; one summary waiting
for every township.

``resource_plan(n, units)`` is a flat random DAG of tasks led by units of
capacity 1-3, for the scheduler.

Both exist twice: as TOML text for the loader, and (``cascade_campaign``,
``resource_campaign``) as model objects built directly, expanded exactly as
the loader would, so that analysis can be measured without loading. Run as a
script to write a plan: ``python benchmarks/gen.py cascade 100000 > plan.toml``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import attrs

# The generated plans are about ``n`` tasks; this many tasks per village.
_TASKS_PER_VILLAGE = 2 * (1 + 38_000 / 500_000) + 2_800 / 500_000 + 330 / 500_000 + 2 * 31 / 500_000
# Units per village at each level above it, from the national figures.
_PER_VILLAGE = {"province": 31 / 500_000, "city": 330 / 500_000, "county": 2_800 / 500_000,
                "township": 38_000 / 500_000}
_LEVELS = ("province", "city", "county", "township", "village")
_PREFIX = {"province": "p", "city": "c", "county": "k", "township": "t", "village": "v"}
_ZH = {"province": "省", "city": "市", "county": "县", "township": "乡镇", "village": "村"}

START = date(2020, 7, 1)
END = date(2020, 11, 30)
POVERTY_DAY = date(2020, 10, 17)


@attrs.frozen
class _Template:
    """One template of the cascade, rendered both to TOML and to expanded tasks.

    ``after`` and ``approvals`` hold placeholders (``{unit}``, ``{unit.parent}``)
    and ``@*`` is not used: every reference names one instance.
    """

    id: str
    for_each: str
    title: str
    duration: Any  # "3d", or a three-point dict
    after: tuple[tuple[str, str | None], ...] = ()  # (task reference, lag)
    approvals: tuple[tuple[str, str | None], ...] = ()  # (by, within)
    due: int | None = None  # days after (or before) the poverty day
    start: int | None = None  # likewise, the earliest start
    solicits: tuple[str, ...] = ()


_TEMPLATES = (
    _Template("province-plan", "provinces", "{unit.name}扶贫日活动方案", "3d", (("national-plan", None),),
              (("{unit.parent}", "2d"),)),
    _Template("province-drive", "provinces", "{unit.name}扶贫日募捐活动", "5d", (("province-plan@{unit}", None),),
              solicits=("enterprises",)),
    _Template("city-plan", "cities", "{unit.name}扶贫日活动方案", "3d", (("province-plan@{unit.parent}", None),),
              (("{unit.parent}", "2d"),)),
    _Template("county-plan", "counties", "{unit.name}扶贫日活动方案", "2d", (("city-plan@{unit.parent}", None),),
              (("{unit.parent}", "2d"),), due=-20),
    _Template("township-ceremony", "townships", "{unit.name}扶贫日纪念活动", "1d",
              (("county-plan@{unit.parent}", "2d"),), due=-1, start=-7),
    _Template("township-summary", "townships", "{unit.name}活动总结", "1d", (("township-ceremony@{unit}", "2wd"),)),
    _Template("village-survey", "villages", "{unit.name}贫困户走访",
              {"optimistic": "1d", "likely": "2d", "pessimistic": "5d"}, (("township-ceremony@{unit.parent}", None),)),
    _Template("village-report", "villages", "{unit.name}走访报告", "4h", (("village-survey@{unit}", "1d"),),
              (("{unit.parent}", "1d"),), due=5),
)

_GROUPS = {"provinces": "province", "cities": "city", "counties": "county", "townships": "township",
           "villages": "village"}


@attrs.frozen
class _UnitRow:
    id: str
    name: str
    kind: str
    parent: str | None
    capacity: int | None = None


def _hierarchy(n_tasks: int, rng: random.Random) -> list[_UnitRow]:
    villages = max(1, round(n_tasks / _TASKS_PER_VILLAGE))
    counts = {level: max(1, round(villages * share)) for level, share in _PER_VILLAGE.items()}
    counts["village"] = villages
    rows = [_UnitRow("gov", "国务院扶贫开发领导小组办公室", "department", None)]
    rows += [_UnitRow(f"ent{i}", f"企业{i}", "enterprise", "gov") for i in range(5)]
    parents = ["gov"]
    for level in _LEVELS:
        ids = [f"{_PREFIX[level]}{i}" for i in range(counts[level])]
        for i, uid in enumerate(ids):
            # Every parent gets a child first, then the rest at random.
            parent = parents[i] if i < len(parents) else rng.choice(parents)
            rows.append(_UnitRow(uid, f"{_ZH[level]}{i}", level, parent))
        parents = ids
    return rows


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_duration(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_str(v)}" for k, v in value.items()) + " }"
    return _toml_str(value)


def _toml_dep(ref: str, lag: str | None) -> str:
    return _toml_str(ref) if lag is None else f"{{ task = {_toml_str(ref)}, lag = {_toml_str(lag)} }}"


def _toml_approval(by: str, within: str | None) -> str:
    return f"{{ by = {_toml_str(by)} }}" if within is None else f"{{ by = {_toml_str(by)}, within = {_toml_str(within)} }}"


def _header(plan_id: str, name: str, calendar: str, issuer: str) -> list[str]:
    return [
        "format = 1", "", "[campaign]", f"id = {_toml_str(plan_id)}", f"name = {_toml_str(name)}",
        f"issuer = {_toml_str(issuer)}", f"start = {START.isoformat()}", f"end = {END.isoformat()}",
        f"calendar = {_toml_str(calendar)}", "", "[campaign.dates]", f"poverty_day = {POVERTY_DAY.isoformat()}", "",
    ]


def _units_toml(rows: list[_UnitRow]) -> Iterator[str]:
    yield "[units]"
    for u in rows:
        extra = "" if u.parent is None else f", parent = {_toml_str(u.parent)}"
        if u.capacity is not None:
            extra += f", capacity = {u.capacity}"
        yield f"{u.id} = {{ name = {_toml_str(u.name)}, kind = {_toml_str(u.kind)}{extra} }}"
    yield ""


def cascade_plan(n_tasks: int, seed: int = 0) -> str:
    """A cascading national plan of about ``n_tasks`` tasks after expansion, as TOML."""
    rows = _hierarchy(n_tasks, random.Random(seed))
    out = _header("cascade", "全国扶贫日活动方案(基准)", "cn-workdays", "gov")
    out += list(_units_toml(rows))
    for gid, kind in _GROUPS.items():
        out += [f"[groups.{gid}]", f"kind = {_toml_str(kind)}", ""]
    out += ["[groups.enterprises]", 'kind = "enterprise"', ""]
    for a, b in _pairings(rows):
        out += ["[[pairings]]", f"a = {_toml_str(a)}", f"b = {_toml_str(b)}", 'kind = "fixed-point"', ""]
    out += [
        "[tasks.national-plan]", 'title = "制定全国扶贫日活动方案"', 'lead = "gov"', 'duration = "5d"', "",
        "[tasks.national-ceremony]", 'title = "全国扶贫日纪念活动"', 'lead = "gov"', 'on = "@poverty_day"',
        'after = ["national-plan"]', "",
        "[tasks.national-summary]", 'title = "全国活动总结"', 'lead = "gov"', 'after = ["township-summary@*"]',
        'due = "@poverty_day + 14d"', "",
    ]
    for t in _TEMPLATES:
        out += [f"[templates.{t.id}]", f"for_each = {_toml_str(t.for_each)}", f"[templates.{t.id}.task]",
                f"title = {_toml_str(t.title)}", 'lead = "{unit}"', f"duration = {_toml_duration(t.duration)}",
                "after = [" + ", ".join(_toml_dep(r, lag) for r, lag in t.after) + "]"]
        if t.approvals:
            out.append("approvals = [" + ", ".join(_toml_approval(b, w) for b, w in t.approvals) + "]")
        for key, days in (("start", t.start), ("due", t.due)):
            if days is not None:
                out.append(f'{key} = "@poverty_day {"+" if days >= 0 else "-"} {abs(days)}d"')
        if t.solicits:
            out.append("solicits = [" + ", ".join(_toml_str(s) for s in t.solicits) + "]")
        out.append("")
    return "\n".join(out)


def _pairings(rows: list[_UnitRow]) -> list[tuple[str, str]]:
    cities = [u.id for u in rows if u.kind == "city"]
    counties = [u.id for u in rows if u.kind == "county"]
    return sorted({(cities[i % len(cities)], counties[-1 - i % len(counties)]) for i in range(3)})


def cascade_campaign(n_tasks: int, seed: int = 0) -> Any:
    """The campaign ``cascade_plan(n_tasks, seed)`` loads to, built directly from the model."""
    from campaignflow.model import (
        Approval, Campaign, Dependency, Duration, Group, Lag, Pairing, Task, Unit, Window,
    )

    rows = _hierarchy(n_tasks, random.Random(seed))
    units = {u.id: Unit(id=u.id, name=u.name, kind=u.kind, parent=u.parent) for u in rows}
    by_kind: dict[str, list[str]] = {}
    for u in rows:
        by_kind.setdefault(u.kind, []).append(u.id)
    groups = {gid: Group(id=gid, kind=kind, units=tuple(by_kind[kind])) for gid, kind in
              [*_GROUPS.items(), ("enterprises", "enterprise")]}
    lags = {None: Lag(), "1d": Lag.parse("1d"), "2d": Lag.parse("2d"), "2wd": Lag.parse("2wd")}
    withins = {None: None, "1d": Duration.parse("1d"), "2d": Duration.parse("2d")}
    tasks: dict[str, Task] = {
        "national-plan": Task(id="national-plan", title="制定全国扶贫日活动方案", lead="gov", duration=Duration(5)),
        "national-ceremony": Task(id="national-ceremony", title="全国扶贫日纪念活动", lead="gov",
                                  window=Window(on=POVERTY_DAY), after=(Dependency("national-plan"),)),
    }
    for t in _TEMPLATES:
        d = t.duration
        duration = (Duration.parse(d) if isinstance(d, str) else
                    Duration(likely=2.0, optimistic=1.0, pessimistic=5.0))
        window = Window(start=None if t.start is None else POVERTY_DAY + timedelta(days=t.start),
                        due=None if t.due is None else POVERTY_DAY + timedelta(days=t.due))
        for uid in groups[t.for_each].units:
            parent = units[uid].parent or ""
            fill = {"{unit}": uid, "{unit.parent}": parent}

            def sub(text: str, fill: dict[str, str] = fill) -> str:
                for k, val in fill.items():
                    text = text.replace(k, val)
                return text

            tid = f"{t.id}@{uid}"
            tasks[tid] = Task(
                id=tid, title=t.title.replace("{unit.name}", units[uid].name), lead=uid, duration=duration,
                window=window, after=tuple(Dependency(sub(r), lags[lag]) for r, lag in t.after),
                approvals=tuple(Approval(by=(sub(b),), within=withins[w]) for b, w in t.approvals),
                solicits=t.solicits, template=t.id, template_unit=uid)
    summaries = tuple(Dependency(f"township-summary@{u}") for u in groups["townships"].units)
    tasks["national-summary"] = Task(id="national-summary", title="全国活动总结", lead="gov", after=summaries,
                                     window=Window(due=POVERTY_DAY + timedelta(days=14)))
    return Campaign(id="cascade", name="全国扶贫日活动方案(基准)", issuer="gov", start=START, end=END,
                    calendar="cn-workdays", dates={"poverty_day": POVERTY_DAY}, units=units, groups=groups,
                    pairings=tuple(Pairing(a, b, kind="fixed-point") for a, b in _pairings(rows)), tasks=tasks)


@attrs.frozen
class _FlatTask:
    id: str
    lead: str
    duration: tuple[int, int, int]  # optimistic, likely, pessimistic (working days)
    after: tuple[str, ...]
    approval: tuple[str, int] | None  # (approver, within)
    due: date | None


def _flat(n_tasks: int, n_units: int, seed: int) -> tuple[list[_UnitRow], list[_FlatTask]]:
    rng = random.Random(seed)
    units = [_UnitRow("office", "办公室", "department", None)]
    units += [_UnitRow(f"u{i}", f"单位{i}", "bureau", "office", rng.randint(1, 3)) for i in range(n_units)]
    tasks = []
    for i in range(n_tasks):
        # Prerequisites among the recent tasks: long chains, as in a real plan, but not one chain.
        window = range(max(0, i - 50), i)
        deps = sorted(rng.sample(window, min(len(window), rng.randint(0, 3))))
        likely = rng.randint(1, 5)
        duration = (max(1, likely - rng.randint(0, 1)), likely, likely + rng.randint(0, 4))
        approval = (f"u{rng.randrange(n_units)}", rng.randint(1, 3)) if rng.random() < 0.2 else None
        due = START + timedelta(days=rng.randint(60, 150)) if rng.random() < 0.05 else None
        tasks.append(_FlatTask(f"t{i}", f"u{rng.randrange(n_units)}", duration, tuple(f"t{j}" for j in deps),
                               approval, due))
    return units, tasks


def resource_plan(n_tasks: int, n_units: int, seed: int = 0) -> str:
    """A flat random DAG of ``n_tasks`` tasks led by ``n_units`` units of capacity 1-3, as TOML."""
    units, tasks = _flat(n_tasks, n_units, seed)
    out = _header("resources", "资源约束基准", "weekdays", "office")
    out += list(_units_toml(units))
    for t in tasks:
        lo, likely, hi = t.duration
        out += [f"[tasks.{t.id}]", f'title = "任务{t.id[1:]}"', f"lead = {_toml_str(t.lead)}",
                f'duration = {{ optimistic = "{lo}d", likely = "{likely}d", pessimistic = "{hi}d" }}']
        if t.after:
            out.append("after = [" + ", ".join(_toml_str(a) for a in t.after) + "]")
        if t.approval is not None:
            out.append(f"approvals = [{_toml_approval(t.approval[0], f'{t.approval[1]}d')}]")
        if t.due is not None:
            out.append(f"due = {t.due.isoformat()}")
        out.append("")
    return "\n".join(out)


def resource_campaign(n_tasks: int, n_units: int, seed: int = 0) -> Any:
    """The campaign ``resource_plan(n_tasks, n_units, seed)`` loads to, built directly."""
    from campaignflow.model import Approval, Campaign, Dependency, Duration, Task, Unit, Window

    rows, flat = _flat(n_tasks, n_units, seed)
    units = {u.id: Unit(id=u.id, name=u.name, kind=u.kind, parent=u.parent, capacity=u.capacity) for u in rows}
    tasks = {}
    for t in flat:
        lo, likely, hi = t.duration
        tasks[t.id] = Task(
            id=t.id, title=f"任务{t.id[1:]}", lead=t.lead,
            duration=Duration(likely=float(likely), optimistic=float(lo), pessimistic=float(hi)),
            after=tuple(Dependency(a) for a in t.after), window=Window(due=t.due),
            approvals=() if t.approval is None else (Approval(by=(t.approval[0],),
                                                              within=Duration(float(t.approval[1]))),))
    return Campaign(id="resources", name="资源约束基准", issuer="office", start=START, end=END, units=units,
                    dates={"poverty_day": POVERTY_DAY},
                    tasks=tasks)


# -- the roster cascade: a short TOML plan of templates and a CSV roster of units (issue 19) --------------

#: Tasks per village in ``roster_plan``: two per village, three per township, two per unit above.
_ROSTER_TASKS_PER_VILLAGE = 2 + 3 * _PER_VILLAGE["township"] + 2 * (
    _PER_VILLAGE["county"] + _PER_VILLAGE["city"] + _PER_VILLAGE["province"])
#: Deadlines per level, in days from the poverty day: plans cascade down, reports roll up.
_PLAN_DUE = {"province": -40, "city": -33, "county": -26, "township": -19}
_REPORT_DUE = {"village": 7, "township": 10, "county": 13, "city": 16, "province": 19}


def roster_csv(rows: list[_UnitRow]) -> str:
    """The units as the CSV roster an office keeps: ``id,name,kind,parent,capacity``."""
    out = ["id,name,kind,parent,capacity"]
    out += [f"{u.id},{u.name},{u.kind},{u.parent or ''},{'' if u.capacity is None else u.capacity}" for u in rows]
    return "\n".join(out) + "\n"


def roster_plan(n_tasks: int, seed: int = 0, roster: str = "units.csv") -> tuple[str, str]:
    """``(plan TOML, CSV roster)`` of a national cascade of about ``n_tasks`` tasks after expansion.

    Every level from province to township makes its own plan once its parent's
    plan is out, approved by the parent (deadlines earlier the higher the
    level); each township holds its ceremony; each village visits its poor
    households and reports to its township; reports then roll up level by
    level to the province and the national summary, each level's due a few
    days after the one below.
    """
    # 0.2% under the target: the levels' rounding must not push 1,000,000 over the loader's bound.
    rows = _hierarchy(round(0.998 * n_tasks / _ROSTER_TASKS_PER_VILLAGE * _TASKS_PER_VILLAGE), random.Random(seed))
    out = _header("roster-cascade", "全国扶贫日活动方案(名册基准)", "cn-workdays", "gov")
    out.insert(out.index(f"calendar = {_toml_str('cn-workdays')}") + 1, f"include = [{_toml_str(roster)}]")
    for gid, kind in _GROUPS.items():
        out += [f"[groups.{gid}]", f"kind = {_toml_str(kind)}", ""]
    groups = {level: gid for gid, level in _GROUPS.items()}

    def day(days: int) -> str:
        return f'"@poverty_day {"+" if days >= 0 else "-"} {abs(days)}d"'

    def template(tid: str, level: str, title: str, after: list[str], *, due: int, duration: str = '"2d"',
                 approvals: str | None = None, reports: bool = False, start: int | None = None) -> None:
        nonlocal out
        out += [f"[templates.{tid}]", f"for_each = {_toml_str(groups[level])}", f"[templates.{tid}.task]",
                f"title = {_toml_str(title)}", 'lead = "{unit}"', f"duration = {duration}",
                "after = [" + ", ".join(after) + "]", f"due = {day(due)}"]
        if start is not None:
            out.append(f"start = {day(start)}")
        if approvals:
            out.append(f"approvals = [{approvals}]")
        if reports:
            out.append('reports_to = "{unit.parent}"')
        out.append("")

    out += ["[tasks.national-plan]", 'title = "制定全国扶贫日活动方案"', 'lead = "gov"', 'duration = "5d"',
            f"due = {day(-45)}", ""]
    above = {"province": '"national-plan"', "city": '"province-plan@{unit.parent}"',
             "county": '"city-plan@{unit.parent}"', "township": '"county-plan@{unit.parent}"'}
    for level, due in _PLAN_DUE.items():
        template(f"{level}-plan", level, f"{{unit.name}}扶贫日活动方案", [above[level]], due=due,
                 approvals='{ by = "{unit.parent}", within = "2d" }')
    template("township-ceremony", "township", "{unit.name}扶贫日纪念活动", ['"township-plan@{unit}"'],
             due=0, start=-3, duration='"1d"')
    template("village-visit", "village", "{unit.name}贫困户走访", ['"township-plan@{unit.parent}"'], due=5,
             duration='{ optimistic = "1d", likely = "2d", pessimistic = "5d" }')
    template("village-report", "village", "{unit.name}走访情况报告", ['{ task = "village-visit@{unit}", lag = "1d" }'],
             due=_REPORT_DUE["village"], duration='"4h"', reports=True)
    template("township-report", "township", "{unit.name}活动总结", ['"township-ceremony@{unit}"'],
             due=_REPORT_DUE["township"], duration='"1d"', reports=True)
    for level in ("county", "city", "province"):
        template(f"{level}-report", level, f"{{unit.name}}活动总结", [f'"{level}-plan@{{unit}}"'],
                 due=_REPORT_DUE[level], start=_REPORT_DUE[level] - 3, duration='"1d"', reports=True)
    out += ["[tasks.national-summary]", 'title = "全国活动总结"', 'lead = "gov"', 'after = ["province-report@*"]',
            f"due = {day(24)}", ""]
    return "\n".join(out), roster_csv([u for u in rows if u.kind != "enterprise"])


def write_roster_plan(folder: str, n_tasks: int, seed: int = 0) -> str:
    """Write ``plan.toml`` and ``units.csv`` of ``roster_plan`` into ``folder``; the plan's path."""
    from pathlib import Path

    plan, units = roster_plan(n_tasks, seed)
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    (root / "units.csv").write_text(units, encoding="utf-8")
    (root / "plan.toml").write_text(plan, encoding="utf-8")
    return str(root / "plan.toml")


def main(argv: list[str]) -> int:
    """``gen.py cascade N [SEED]`` or ``gen.py resources N UNITS [SEED]``: print a plan;
    ``gen.py roster N FOLDER [SEED]``: write FOLDER/plan.toml and FOLDER/units.csv."""
    if len(argv) >= 3 and argv[0] == "roster":
        sys.stdout.write(write_roster_plan(argv[2], int(argv[1]), int(argv[3]) if len(argv) > 3 else 0) + "\n")
        return 0
    if len(argv) >= 2 and argv[0] == "cascade":
        sys.stdout.write(cascade_plan(int(argv[1]), int(argv[2]) if len(argv) > 2 else 0))
        return 0
    if len(argv) >= 3 and argv[0] == "resources":
        sys.stdout.write(resource_plan(int(argv[1]), int(argv[2]), int(argv[3]) if len(argv) > 3 else 0))
        return 0
    sys.stderr.write(main.__doc__ + "\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
