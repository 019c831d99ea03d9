"""CF101 dependency cycles and CF102 hierarchy cycles."""

from __future__ import annotations

import networkx as nx
from checks_support import errors, only, plan, run, step, task, unit
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.checks.structure import dependency_knots
from campaignflow.model import Campaign, Dependency, Task


def test_cf101_names_every_task_of_the_cycle_in_order():
    campaign = plan(tasks=[task("a", after=["c"]), task("b", after=["a"]), task("c", after=["b"]), task("d")])
    findings = run(campaign)
    assert errors(findings) == ["CF101"]
    (f,) = only(findings, "CF101")
    assert f.tasks == ("a", "b", "c")
    assert "a → b → c → a" in f.message.en and "a → b → c → a" in f.message.zh
    # Located at the dependency that closes the cycle: a waits for c.
    assert f.location.key_path == "tasks.a.after[0]"
    assert {loc.key_path for loc in f.related} == {"tasks.b.after[0]", "tasks.c.after[0]"}


def test_cf101_nearest_plan_without_the_closing_edge_is_clean():
    campaign = plan(tasks=[task("a"), task("b", after=["a"]), task("c", after=["b"]), task("d")])
    assert errors(run(campaign)) == []


def test_cf101_reports_each_knot_once_and_a_self_dependency():
    campaign = plan(tasks=[
        task("a", after=["b"]), task("b", after=["a"]),
        task("x", after=["y", "a"]), task("y", after=["x"]),
        task("self", after=["self"]),
        task("free", after=["a"]),
    ])
    found = only(run(campaign), "CF101")
    assert sorted(f.tasks for f in found) == [("a", "b"), ("self",), ("x", "y")]
    assert all("free" not in f.tasks for f in found)


def test_cf101_cycle_through_approvals_says_so():
    campaign = plan(units=[unit("boss")], tasks=[
        task("a", after=["b"], approvals=[step("boss")]), task("b", after=["a"]),
    ])
    (f,) = only(run(campaign), "CF101")
    assert f.tasks == ("a", "b")
    assert "approvals of 'a'" in f.message.en


def test_cf101_cycle_through_template_instances_points_at_the_template():
    instances = [task(f"ceremony@t{i}", after=["kickoff"], template="ceremony", template_unit=f"t{i}")
                 for i in range(3)]
    campaign = plan(tasks=[task("kickoff", after=["ceremony@t2"]), *instances])
    (f,) = only(run(campaign), "CF101")
    assert f.tasks == ("kickoff", "ceremony@t2")
    assert f.location.key_path == "tasks.kickoff.after[0]"
    everyone = plan(tasks=[task("kickoff", after=[t.id for t in instances]), *instances])
    (f,) = only(run(everyone), "CF101")
    assert f.tasks == ("kickoff", "ceremony@t0", "ceremony@t1", "ceremony@t2")
    assert "2 more tasks caught in the same knot" in f.message.en
    assert [loc.key_path for loc in f.related] == ["templates.ceremony.task.after[0]"]


def test_time_checks_skip_quietly_on_a_cycle():
    # A deadline that could never be met is not judged while there is no schedule.
    campaign = plan(tasks=[task("a", after=["b"], due=plan().start), task("b", after=["a"], days=30)])
    assert errors(run(campaign)) == ["CF101"]


def test_cf102_hierarchy_cycle():
    campaign = plan(units=[unit("x", "y"), unit("y", "z"), unit("z", "x"), unit("w", "x")],
                    tasks=[task("t", lead="w")])
    findings = run(campaign)
    assert errors(findings) == ["CF102"]
    (f,) = only(findings, "CF102")
    assert f.units == ("x", "y", "z")
    assert f.location.key_path == "units.x.parent"
    assert "x → y → z → x" in f.message.en


def test_cf102_own_parent_and_nearest_clean_plan():
    assert only(run(plan(units=[unit("x", "x")], tasks=[task("t", lead="x")])), "CF102")[0].units == ("x",)
    assert only(run(plan(units=[unit("x", "y"), unit("y")], tasks=[task("t", lead="x")])), "CF102") == []


def _campaign(edges: list[tuple[int, int]], n: int) -> Campaign:
    after: dict[int, list[int]] = {i: [] for i in range(n)}
    for a, b in edges:
        after[b].append(a)
    return plan(tasks=[Task(id=f"t{i}", title="t", lead="office",
                            after=tuple(Dependency(f"t{a}") for a in dict.fromkeys(after[i])))
                       for i in range(n)])


@settings(max_examples=60)
@given(st.integers(1, 9).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20))))
def test_knots_are_exactly_the_cyclic_components(case):
    n, edges = case
    campaign = _campaign(edges, n)
    graph = nx.DiGraph()
    graph.add_nodes_from(f"t{i}" for i in range(n))
    graph.add_edges_from((f"t{a}", f"t{b}") for a, b in edges)
    cyclic = [c for c in nx.strongly_connected_components(graph)
              if len(c) > 1 or any(graph.has_edge(v, v) for v in c)]
    knots = dependency_knots(campaign)
    # One knot per cyclic component, lying inside it.
    homes = [next(i for i, c in enumerate(cyclic) if set(k.cycle) <= c) for k in knots]
    assert sorted(homes) == list(range(len(cyclic)))
    assert all(set(k.tasks) == cyclic[i] for k, i in zip(knots, homes))
    for knot in knots:  # each is a real cycle, in order
        cycle = list(knot.cycle)
        hops = list(zip(cycle, cycle[1:] + cycle[:1]))
        assert all(graph.has_edge(a, b) for a, b in hops)
