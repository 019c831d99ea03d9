"""The speed work of issue 19 changes no result: generated plans against the straightforward implementation.

The reference implementations are kept here, as they were before the speed
work: a template instance built by ``Task(**kwargs)``, the critical path
passes without numpy, and every task holding its own copy of its values (the
checks and ``compile_plan`` otherwise look at each combination that template
instances share once). Each generated plan is loaded and analysed both ways and
must give equal tasks, findings, critical path and schedule.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow import cpm
from campaignflow.checks import validate
from campaignflow.graph import critical_path
from campaignflow.load import load_plan
from campaignflow.load import templates as tpl
from campaignflow.load.locate import key_path
from campaignflow.load.tasks import BAD
from campaignflow.model import Campaign, Task, Unit
from campaignflow.simulate import schedule

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
try:
    import gen
finally:
    sys.path.pop(0)


def reference_instance(log: Any, template: Any, unit: Unit, iid: str, reader: Any) -> Task | None:
    """``templates._instance`` before issue 19: one ``Task(**kwargs)`` per unit."""
    parent, kind = unit.parent, unit.kind
    if (parent is None and "parent" in template.uses) or (kind is None and "kind" in template.uses):
        attr = "parent" if parent is None and "parent" in template.uses else "kind"
        log.add("missing-placeholder-value", f"unit '{unit.id}' has no {attr} for {{unit.{attr}}}",
                f"单位 '{unit.id}' 没有 {attr},无法填充 {{unit.{attr}}}", key_path("tasks", iid))
        return None
    fill = {"id": unit.id, "name": unit.name, "parent": parent or "", "kind": kind or ""}
    if template.window is None:
        values = dict(template.constants)
        path = key_path("tasks", iid)
        for key, (produce, _) in template.producers.items():
            values[key] = produce(fill, f"{path}.{key}")
        return reader.build(iid, values, path, template=template.id, template_unit=unit.id)
    kwargs = template.kwargs.copy()
    tpath = key_path("tasks", iid)
    for key, (produce, needs_path) in template.producers.items():
        value = produce(fill, f"{tpath}.{key}" if needs_path else "")
        if value is BAD:
            return None
        kwargs[key] = value
    return Task(id=iid, window=template.window, template=template.id, template_unit=unit.id, **kwargs)


def _analyse(campaign: Campaign) -> tuple[Any, ...]:
    findings = tuple(validate(campaign))  # Finding is a value: code, severity, message, location, tasks, ...
    cp = critical_path(campaign)
    times = tuple(tuple(getattr(cp.times, name)) for name in ("es", "ef", "ls", "lf", "ready", "driver"))
    sched = schedule(campaign)
    starts = (sched.start, sched.finish, tuple(sched.tasks.values()) if isinstance(sched.tasks, Mapping)
              else tuple(sched.tasks))
    return findings, cp.critical, times, starts


def _unshared(campaign: Campaign) -> Campaign:
    """``campaign`` with no value object shared between two tasks.

    Template instances share their window, duration, approvals and the like;
    the checks and ``compile_plan`` look at each shared combination once. A copy
    of each task on its own makes them look at every task, the straightforward way.
    """
    tasks = {tid: copy.deepcopy(task) for tid, task in campaign.tasks.items()}
    for tid, task in tasks.items():
        other = campaign.tasks[tid]
        for name in ("window", "duration"):
            assert getattr(task, name) is not getattr(other, name), (tid, name)
    return attrs.evolve(campaign, tasks=tasks)


def _both(path: Path | str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Campaign, tuple[Any, ...]]]:
    fast = load_plan(path)
    yield fast, _analyse(fast)
    with monkeypatch.context() as m:
        m.setattr(tpl, "_instance", reference_instance)
        m.setattr(cpm, "_numpy", lambda: None)  # the scalar passes, one node at a time
        slow = _unshared(load_plan(path))
        yield slow, _analyse(slow)


def _compare(path: Path | str, monkeypatch: pytest.MonkeyPatch) -> None:
    (fast, a), (slow, b) = _both(path, monkeypatch)
    assert list(fast.tasks) == list(slow.tasks)
    for tid, task in fast.tasks.items():
        other = slow.tasks[tid]
        assert task == other, tid
        for name in ("after", "approvals", "partners", "reports_to", "co_leads", "tags", "solicits"):
            assert type(getattr(task, name)) is type(getattr(other, name)), (tid, name)
    assert hash(fast.tasks[tid]) == hash(slow.tasks[tid])
    assert fast == slow
    assert a[0] == b[0], "findings"
    assert a[1] == b[1], "critical path"
    assert a[2] == b[2], "CPM times"
    assert a[3] == b[3], "schedule"


def test_roster_cascade_is_the_same_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = gen.write_roster_plan(str(tmp_path), 3000, seed=3)
    _compare(path, monkeypatch)


def test_toml_cascade_is_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    _compare(gen.cascade_plan(2500, seed=5), monkeypatch)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(min_value=5, max_value=400), seed=st.integers(min_value=0, max_value=10_000))
def test_any_generated_cascade_is_the_same_both_ways(n: int, seed: int) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _compare(gen.cascade_plan(n, seed=seed), monkeypatch)


def test_a_template_with_every_kind_of_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text("""\
format = 1
[campaign]
id = "keys"
name = "键"
start = 2020-07-01
end = 2020-12-31
[campaign.dates]
day = 2020-10-17
[units.gov]
name = "政府"
[units.a]
name = "甲"
kind = "town"
parent = "gov"
[units.b]
name = "乙"
kind = "town"
parent = "gov"
[groups.towns]
kind = "town"
[tasks.start]
title = "开始"
lead = "gov"
[templates.t]
for_each = "towns"
[templates.t.task]
title = "{unit.name}活动"
title_en = "Event"
section = "三"
kind = "event"
lead = "{unit}"
partners = ["{unit.parent}"]
tags = ["t-{unit.kind}"]
after = ["start", { task = "start", lag = "2d" }]
approvals = [{ by = "{unit.parent}", within = "1d" }]
reports_to = "{unit.parent}"
due = "@day + 3d"
duration = { optimistic = "1d", likely = "2d", pessimistic = "4d" }
[templates.r]
for_each = "towns"
repeat = { every = "month", times = 2 }
[templates.r.task]
title = "{unit.name}月报"
lead = "{unit}"
""", encoding="utf-8")
    _compare(plan, monkeypatch)


def test_instances_that_differ_only_in_approvals_and_submissions(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Instances sharing a window but not their approval steps or submission dues (the look-once keys)."""
    plan = tmp_path / "plan.toml"
    plan.write_text("""\
format = 1
[campaign]
id = "steps"
name = "步骤"
start = 2020-07-01
end = 2020-12-31
[campaign.dates]
d_a = 2020-10-10
d_b = 2020-10-12
d_c = 2021-03-01
[units.gov]
name = "政府"
[units.c1]
name = "一市"
kind = "city"
parent = "gov"
capacity = 1
[units.c2]
name = "二市"
kind = "city"
parent = "gov"
[units.a]
name = "甲"
kind = "town"
parent = "c1"
[units.b]
name = "乙"
kind = "town"
parent = "c2"
[units.c]
name = "丙"
kind = "town"
parent = "c1"
[groups.towns]
kind = "town"
[tasks.start]
title = "开始"
lead = "gov"
[templates.t]
for_each = "towns"
[templates.t.task]
title = "{unit.name}活动"
lead = "{unit}"
after = ["start"]
due = 2020-10-20
approvals = [{ by = "{unit.parent}", within = "1d", due = "@d_{unit}" }]
[templates.s]
for_each = "towns"
[templates.s.task]
title = "{unit.name}报送"
lead = "{unit}"
due = 2020-10-20
reports_to = { to = "{unit.parent}", due = "@d_{unit}" }
""", encoding="utf-8")
    fast = load_plan(plan)
    codes = {f.code for f in validate(fast)}
    assert {"CF201", "CF203"} <= codes  # the plan does reach the keyed paths
    _compare(plan, monkeypatch)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(min_value=5, max_value=300), seed=st.integers(min_value=0, max_value=10_000))
def test_topology_gathered_with_numpy_is_the_loops(n: int, seed: int) -> None:
    """``cpm.topology``'s numpy placement of edges (approval gates among them) equals the node-at-a-time loop."""
    campaign = load_plan(gen.cascade_plan(n, seed=seed))
    assert any(t.approvals for t in campaign.tasks.values())
    fast = cpm.topology(campaign)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(cpm, "_numpy", lambda: None)
        slow = cpm.topology(campaign)
    for name in ("ids", "index", "is_gate", "task_of", "pred_ptr", "pred_idx", "pred_lag", "pred_lag_working",
                 "pred_dep", "dangling"):
        a, b = getattr(fast, name), getattr(slow, name)
        assert type(a) is type(b) and a == b, name
