"""The networkx graph, cycles, and the critical path method against a networkx reference."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import attrs
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow import build_graph, critical_path, find_cycle
from campaignflow.calendar import AllDays, Calendar, Weekdays, WorkAxis
from campaignflow.calendars.cn import CnWorkdays
from campaignflow.cpm import compile_plan, passes
from campaignflow.graph import CriticalPath, hierarchy_cycle
from campaignflow.model import (
    Approval, Campaign, Dependency, Duration, Lag, Task, Unit, Window, end_instant, start_instant,
)

START = date(2020, 9, 21)
END = date(2022, 12, 30)
UNITS = {"office": Unit(id="office", name="办公室"), "town": Unit(id="town", name="镇", parent="office")}


def task(tid: str, *after: str, **kw: object) -> Task:
    return Task(id=tid, title=tid, lead="town", after=tuple(Dependency(a) for a in after), **kw)  # type: ignore[arg-type]


def campaign(tasks: list[Task], units: dict[str, Unit] | None = None) -> Campaign:
    return Campaign(id="c", name="c", start=START, end=END, units=UNITS if units is None else units,
                    tasks={t.id: t for t in tasks})


# -- the networkx graph -------------------------------------------------------------


def test_build_graph_has_tasks_gates_and_lags() -> None:
    lag = Lag.parse("2wd")
    c = campaign([
        task("a", approvals=(Approval(by="office"), Approval(by=("office", "town"), mode="any"))),
        Task(id="b", title="b", lead="town", after=(Dependency("a", lag), Dependency("ghost"))),
    ])
    g = build_graph(c)
    assert list(g.nodes) == ["a", "a/approval[0]", "a/approval[1]", "b"]
    assert g.nodes["a"]["kind"] == "task" and g.nodes["a"]["task"] is c.tasks["a"]
    assert g.nodes["a"]["lead"] == "town" and g.nodes["a"]["duration"] == 1.0
    gate = g.nodes["a/approval[1]"]
    assert (gate["kind"], gate["task"], gate["step"], gate["by"]) == ("approval", "a", 1, ("office", "town"))
    assert set(g.edges) == {("a", "a/approval[0]"), ("a/approval[0]", "a/approval[1]"), ("a/approval[1]", "b")}
    assert g.edges["a/approval[1]", "b"]["lag"] == lag
    assert g.edges["a", "a/approval[0]"]["lag"] == Lag()


# -- cycles -------------------------------------------------------------------------


def test_no_cycle_in_a_dag() -> None:
    assert find_cycle(campaign([task("a"), task("b", "a"), task("c", "a", "b")])) is None
    assert find_cycle(campaign([])) is None


def test_cycle_through_approvals_and_templates_in_order() -> None:
    c = campaign([
        task("kickoff"),
        task("ceremony@t2", "kickoff", "report"),
        task("plan@t1", "kickoff"),
        task("report", "plan@t1", "summary", approvals=(Approval(by="office"), Approval(by="town"))),
        task("summary", "ceremony@t2"),
        task("after-all", "summary"),  # downstream of the cycle, not on it
    ])
    assert find_cycle(c) == ("ceremony@t2", "summary", "report")


def test_cycle_of_one() -> None:
    assert find_cycle(campaign([task("a"), task("self", "a", "self")])) == ("self",)


def test_hierarchy_cycles() -> None:
    def units(**parents: str | None) -> dict[str, Unit]:
        return {u: Unit(id=u, name=u, parent=p) for u, p in parents.items()}

    tree = campaign([], units(root=None, a="root", b="a", c="a"))
    assert hierarchy_cycle(tree) is None
    assert hierarchy_cycle(campaign([], units(x="root", root="c", a="root", b="a", c="b"))) == ("root", "c", "b",
                                                                                               "a")
    assert hierarchy_cycle(campaign([], units(a="a"))) == ("a",)
    assert hierarchy_cycle(campaign([], units(a="unknown", b="a"))) is None


# -- random plans ---------------------------------------------------------------------

_LAGS = st.builds(Lag, days=st.integers(-1, 6), working=st.booleans())
_WORKING_LAGS = st.builds(Lag, days=st.integers(0, 4), working=st.just(True))
_DURATIONS = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25])
_CALENDARS = st.sampled_from([Weekdays(), AllDays(), CnWorkdays()])


@st.composite
def plans(draw: st.DrawFn, *, max_tasks: int = 9, windows: bool = True, lags: st.SearchStrategy[Lag] = _LAGS,
          acyclic: bool = True) -> Campaign:
    """Random plans; dependencies go from lower to higher task numbers unless ``acyclic=False``."""
    n = draw(st.integers(1, max_tasks))
    tasks = []
    for i in range(n):
        pool = range(n) if not acyclic else range(i)
        deps = draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)) if pool else []
        window = Window()
        if windows:
            day = START + timedelta(days=draw(st.integers(0, 40)))
            window = draw(st.sampled_from([Window(), Window(start=day), Window(due=day), Window(on=day),
                                           Window(start=datetime.combine(day, datetime.min.time()).replace(hour=9))]))
        gates = draw(st.lists(st.builds(Approval, by=st.just("office"), within=st.none() | st.builds(Duration, _DURATIONS),
                                        due=st.none() | st.just(START + timedelta(days=30)) if windows else st.none()),
                              max_size=2))
        tasks.append(Task(id=f"t{i}", title="t", lead="town", duration=Duration(draw(_DURATIONS)),
                          after=tuple(Dependency(f"t{j}", draw(lags)) for j in deps), window=window,
                          approvals=tuple(gates)))
    return campaign(draw(st.permutations(tasks)))


def _reference(c: Campaign, axis: WorkAxis, approval_days: float = 2.0) -> dict[str, tuple[float, ...]]:
    """Earliest and latest times computed directly on the networkx graph."""
    g = build_graph(c)
    end = axis.pos(end_instant(c.end))
    inf = math.inf

    def props(node: str) -> tuple[float, float, float, bool]:  # duration, earliest, deadline, fixed
        data = g.nodes[node]
        if data["kind"] == "approval":
            step: Approval = data["approval"]
            dur = approval_days if step.within is None else step.within.likely
            return dur, -inf, inf if step.due is None else axis.pos(end_instant(step.due)), False
        t: Task = data["task"]
        first = -inf if t.window.earliest() is None else axis.pos(t.window.earliest())
        due = inf if t.window.deadline() is None else axis.pos(t.window.deadline())
        dur = t.duration.likely
        if t.window.on is not None:
            if isinstance(t.window.on, datetime):
                due = first + dur
            else:
                dur = min(dur, due - first)
        return dur, first, due, t.window.on is not None

    def forward(work: float, lag: Lag) -> float:
        if lag.working or lag.days == 0:
            return work + lag.days
        return axis.pos(axis.instant(work, finish=True) + timedelta(days=lag.days))

    def backward(work: float, lag: Lag) -> float:
        if lag.working or lag.days == 0:
            return work - lag.days
        return axis.pos(axis.instant(work) - timedelta(days=lag.days))

    order = list(nx.topological_sort(g))
    es: dict[str, float] = {}
    ef: dict[str, float] = {}
    for v in order:
        dur, first, _, fixed = props(v)
        ready = max((forward(ef[p], g.edges[p, v]["lag"]) for p in g.predecessors(v)), default=-inf)
        es[v] = first if fixed else max(first, ready) if max(first, ready) > -inf else 0.0
        ef[v] = es[v] + dur
    ls: dict[str, float] = {}
    lf: dict[str, float] = {}
    for v in reversed(order):
        dur, _, due, _ = props(v)
        lf[v] = min([due, end, *(backward(ls[s], g.edges[v, s]["lag"]) for s in g.successors(v))])
        ls[v] = lf[v] - dur
    return {v: (es[v], ef[v], ls[v], lf[v]) for v in g}


def _axis(c: Campaign, calendar: Calendar) -> WorkAxis:
    return WorkAxis(calendar, start_instant(c.start).date())


@settings(max_examples=60)
@given(c=plans(), calendar=_CALENDARS)
def test_cpm_equals_networkx_reference(c: Campaign, calendar: Calendar) -> None:
    axis = _axis(c, calendar)
    cp = critical_path(c, axis=axis)
    ref = _reference(c, axis)
    assert set(cp) == set(ref)
    for node, (es, ef, ls, lf) in ref.items():
        t = cp[node]
        assert (t.es, t.ef, t.ls, t.lf) == pytest.approx((es, ef, ls, lf), abs=1e-9), node


@given(c=plans(), calendar=_CALENDARS)
def test_every_start_waits_for_its_prerequisites(c: Campaign, calendar: Calendar) -> None:
    cp = critical_path(c, calendar=calendar)
    plan, t = cp.plan, cp.times
    late = set(cp.late_events())
    for v in range(len(plan)):
        for p, e in plan.preds(v):
            allowed = plan.after_lag(t.ef[p], e)
            if plan.fixed[v]:
                assert t.es[v] >= allowed - 1e-9 or plan.ids[v] in late
            else:
                assert t.es[v] >= allowed - 1e-9
        assert t.ef[v] == t.es[v] + plan.duration[v]


@given(c=plans(), calendar=_CALENDARS)
def test_numpy_and_scalar_passes_agree_exactly(c: Campaign, calendar: Calendar) -> None:
    pytest.importorskip("numpy")
    plan = compile_plan(c, calendar=calendar)
    assert plan.level_ptr is not None
    scalar = attrs.evolve(plan, level_ptr=None)
    for name, fast, slow in zip(("es", "ef", "ls", "lf", "ready", "driver"),
                                attrs.astuple(passes(plan), recurse=False),
                                attrs.astuple(passes(scalar), recurse=False)):
        assert fast == slow, name


@given(c=plans(windows=False), calendar=_CALENDARS)
def test_no_negative_slack_without_deadlines(c: Campaign, calendar: Calendar) -> None:
    cp = critical_path(c, calendar=calendar)
    assert all(cp.slack(node) >= -1e-9 for node in cp)


@given(c=plans(windows=False, lags=_WORKING_LAGS), calendar=_CALENDARS)
def test_critical_chain_has_the_least_slack(c: Campaign, calendar: Calendar) -> None:
    cp = critical_path(c, calendar=calendar)
    least = min(cp.slack(node) for node in cp)
    assert cp.critical
    assert cp[cp.critical[-1]].ef == cp.finish
    assert cp.critical[0] in {n for n in cp if not cp.plan.pred_ptr[cp.plan.index[n] + 1] -
                              cp.plan.pred_ptr[cp.plan.index[n]]}
    for node in cp.critical:
        assert cp.slack(node) == pytest.approx(least, abs=1e-9)
    g = build_graph(c)
    assert all(g.has_edge(a, b) for a, b in zip(cp.critical, cp.critical[1:]))


@settings(max_examples=80)
@given(c=plans(windows=False, acyclic=False, max_tasks=7))
def test_find_cycle_agrees_with_networkx(c: Campaign) -> None:
    g = build_graph(c)
    cycle = find_cycle(c)
    assert (cycle is None) == nx.is_directed_acyclic_graph(g)
    if cycle is not None:
        assert len(set(cycle)) == len(cycle)
        for i, tid in enumerate(cycle):
            assert cycle[i - 1] in {d.task for d in c.tasks[tid].after}


def test_critical_path_accepts_a_compiled_plan() -> None:
    c = campaign([task("a"), task("b", "a")])
    plan = compile_plan(c, calendar=Weekdays())
    cp = CriticalPath.of(plan)
    assert cp.plan is plan and cp.critical == ("a", "b")
    assert "a" in cp and "zzz" not in cp and list(cp) == ["a", "b"]


def test_generated_cascade_plan_loads_and_has_no_cycle() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import gen
    finally:
        sys.path.pop(0)
    load_plan = pytest.importorskip("campaignflow.load").load_plan
    c = load_plan(gen.cascade_plan(400, seed=1))
    assert c == gen.cascade_campaign(400, seed=1)  # the two generators agree
    assert find_cycle(c) is None and hierarchy_cycle(c) is None
    cp = critical_path(c, calendar=Weekdays())
    # Down the cascade, each plan waits for its parent's plan and that plan's approval ...
    assert cp.chain_to("county-plan@k0/approval[0]") == (
        "national-plan", "province-plan@p0", "province-plan@p0/approval[0]", "city-plan@c0",
        "city-plan@c0/approval[0]", "county-plan@k0", "county-plan@k0/approval[0]")
    # ... until the township ceremonies, which wait for their own date (a week before the day).
    assert cp.chain_to("village-survey@v0") == ("township-ceremony@t0", "village-survey@v0")
    assert cp.earliest_start("township-ceremony@t0") == datetime(2020, 10, 12)  # Oct 10 is a Saturday
