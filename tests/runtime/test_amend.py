"""Amending a running campaign: a changed plan is refused on open; ``amend`` reports, then applies."""

from __future__ import annotations

import json
from datetime import date, datetime

import attrs
import pytest
from click.testing import CliRunner
from runtime_support import FPB, HF, PROV, WH, small_campaign

from campaignflow.cli.main import cli
from campaignflow.errors import AmendmentRefused, PlanChangedError
from campaignflow.model import Dependency, Task, Window
from campaignflow.runtime import EventKind, MemoryStore, SQLiteStore, TaskState, replay


def _with_tasks(base, *, drop=(), add=(), change=None):
    tasks = {tid: t for tid, t in base.tasks.items() if tid not in drop}
    for tid, fn in (change or {}).items():
        tasks[tid] = fn(tasks[tid])
    for t in add:
        tasks[t.id] = t
    return attrs.evolve(base, tasks=tasks)


NEW = Task("press", "新闻发布", lead="ah-fpb", window=Window(due=date(2020, 10, 10)))


def test_opening_with_a_changed_plan_is_refused_and_nothing_is_written(make_engine):
    store = MemoryStore()
    first = make_engine(store=store)
    first.start("city-plan@hf", HF)
    changed = _with_tasks(small_campaign(), add=[NEW])
    with pytest.raises(PlanChangedError) as info:
        make_engine(changed, store=store)
    assert "campaignflow run amend" in info.value.text.en and "修订" in info.value.text.zh
    assert info.value.running == first.state.fingerprint != info.value.given
    assert [e.kind for e in store.read("ah-test")] == [EventKind.OPENED, EventKind.STARTED]
    # The same plan (from anywhere) opens as before, without an event.
    assert make_engine(store=store).seq == 2


def test_amend_reports_without_changing_then_applies_one_event(make_engine, clock):
    store = MemoryStore()
    engine = make_engine(store=store)
    engine.start("city-plan@hf", HF)
    renamed = attrs.evolve(small_campaign().tasks["report"], id="final-report", renamed_from="report",
                           window=Window(due=date(2020, 10, 30)))
    new = _with_tasks(small_campaign(), drop=("report",), add=[NEW, renamed],
                      change={"city-plan@hf": lambda t: attrs.evolve(t, window=Window(due=date(2020, 8, 7)),
                                                                      after=(Dependency("budget"),))})
    report = engine.amend(new)
    assert report.ok and report.applied is None
    assert report.added == ("press",) and report.removed == () and report.renamed == (("report", "final-report"),)
    assert {m.task: (m.before, m.after) for m in report.deadlines} == {
        "city-plan@hf": (datetime(2020, 8, 1), datetime(2020, 8, 8)),
        "final-report": (datetime(2020, 10, 23), datetime(2020, 10, 31))}
    assert [(p.task, p.before, p.after) for p in report.prerequisites] == [("city-plan@hf", (), ("budget",))]
    assert engine.seq == 2 and engine.task("city-plan@hf").due == datetime(2020, 8, 1)  # nothing changed
    done = engine.amend(new, apply=True, actor=PROV, reason="增加新闻发布")
    assert done.applied == 3
    event = engine.history()[-1]
    assert (event.kind, event.from_state, event.to_state, event.actor) == (
        EventKind.AMENDED, report.running, report.new, PROV.person)
    # Started work is kept; the new plan's deadlines and tasks are live; the engine decides under it.
    assert engine.task("city-plan@hf").state is TaskState.ACTIVE
    assert engine.task("city-plan@hf").due == datetime(2020, 8, 8)
    assert engine.task("press").state is TaskState.READY
    engine.submit("city-plan@hf", HF)
    assert replay("ah-test", store.read("ah-test")) == engine.state
    # Any engine opens on the new plan; the old one is refused now.
    assert make_engine(new, store=store).seq == engine.seq
    with pytest.raises(PlanChangedError):
        make_engine(store=store)


def test_a_renamed_task_keeps_its_history_and_state(make_engine):
    engine = make_engine()
    engine.start("city-plan@wh", WH)
    moved = attrs.evolve(small_campaign().tasks["city-plan@wh"], id="wuhu-plan", renamed_from="city-plan@wh")
    meeting = attrs.evolve(small_campaign().tasks["exchange-meeting"],
                           after=(Dependency("city-plan@hf"), Dependency("wuhu-plan")))
    new = _with_tasks(small_campaign(), drop=("city-plan@wh",), add=[moved],
                      change={"exchange-meeting": lambda t: meeting})
    report = engine.amend(new, apply=True)
    assert report.renamed == (("city-plan@wh", "wuhu-plan"),) and report.prerequisites == ()
    view = engine.task("wuhu-plan")
    assert view.state is TaskState.ACTIVE and view.started_at is not None
    engine.submit("wuhu-plan", WH)
    assert engine.task("wuhu-plan").state is TaskState.SUBMITTED


def test_removing_a_started_task_is_refused_until_it_is_cancelled(make_engine):
    engine = make_engine()
    engine.start("city-plan@hf", HF)
    new = _with_tasks(small_campaign(), drop=("city-plan@hf",),
                      change={"exchange-meeting": lambda t: attrs.evolve(t, after=(Dependency("city-plan@wh"),))})
    report = engine.amend(new)
    assert not report.ok and "cancel it" in report.refusals[0].en and "撤销" in report.refusals[0].zh
    with pytest.raises(AmendmentRefused):
        engine.amend(new, apply=True)
    assert engine.history()[-1].kind is EventKind.STARTED  # nothing written
    engine.cancel("city-plan@hf", PROV, reason="合并")
    applied = engine.amend(new, apply=True)
    assert applied.removed == ("city-plan@hf",) and applied.applied is not None
    assert [e.kind for e in engine.history(task="city-plan@hf")] == [EventKind.STARTED, EventKind.CANCELLED]


def test_a_renamed_from_that_names_no_running_task_is_refused_with_a_suggestion(make_engine):
    engine = make_engine()
    typo = attrs.evolve(small_campaign().tasks["report"], id="final-report", renamed_from="reprot")
    report = engine.amend(_with_tasks(small_campaign(), drop=("report",), add=[typo]))
    assert not report.ok and any("did you mean 'report'" in r.en for r in report.refusals)


def test_reverting_is_an_amendment_like_any_other(make_engine):
    engine = make_engine()
    old = engine.campaign
    engine.amend(_with_tasks(old, add=[NEW]), apply=True)
    back = engine.amend(old, apply=True)
    assert back.removed == ("press",) and back.applied == 3
    assert engine.state.fingerprint == back.new == engine.history()[1].from_state


def _stale_plan_refused(store_factory, make_engine):
    # Two workers on one store: one amends; the other, still on the old plan, must not decide.
    old_worker = make_engine(store=store_factory())
    old_worker.start("city-plan@hf", HF)
    old_worker.submit("city-plan@hf", HF)
    amender = make_engine(store=store_factory())
    new = _with_tasks(small_campaign(), change={"city-plan@hf": lambda t: attrs.evolve(t, approvals=(
        attrs.evolve(t.approvals[0], by=("ah",)),))})
    amender.amend(new, apply=True)
    before = amender.store.head("ah-test").seq
    with pytest.raises(PlanChangedError) as info:
        old_worker.approve("city-plan@hf", FPB)  # the old approver: no longer one
    assert "reopen" in info.value.text.en
    assert old_worker.store.head("ah-test").seq == before  # nothing written, not even a refusal
    with pytest.raises(PlanChangedError):
        old_worker.tick(datetime(2020, 9, 1))
    fresh = make_engine(new, store=store_factory())
    assert fresh.task("city-plan@hf").approvers == ("ah",)


def test_two_engines_on_one_sqlite_store_the_stale_one_refuses(make_engine, tmp_path):
    path = tmp_path / "office.db"
    _stale_plan_refused(lambda: SQLiteStore(path), make_engine)


def test_two_engines_on_one_postgres_store_the_stale_one_refuses(make_engine, pg_url, pg_schema):
    from campaignflow.runtime import PostgresStore

    _stale_plan_refused(lambda: PostgresStore(pg_url, schema=pg_schema), make_engine)


PLAN = __import__("pathlib").Path(__file__).with_name("data") / "office.toml"


def _run(*args, lang="en"):
    return CliRunner().invoke(cli, ["--lang", lang, "run", *args], catch_exceptions=False)


def test_cli_edit_in_place_is_refused_then_amended(tmp_path):
    plan = tmp_path / "office.toml"
    plan.write_text(PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    db = str(tmp_path / "office.db")
    assert _run("init", str(plan), "--db", db, "--now", "2020-07-01T09:00").exit_code == 0
    assert _run("start", "city-plan@hf", "--as", "hf", "--db", db, "--now", "2020-07-02T09:00").exit_code == 0
    # Edit the running plan in a text editor: a new task, a renamed one, a deadline moved.
    text = plan.read_text(encoding="utf-8").replace("[tasks.report]", '[tasks.final-report]\nrenamed_from = "report"')
    text = text.replace("due = 2020-10-16", "due = 2020-10-20")
    text += '\n[tasks.press]\ntitle = "新闻发布"\nlead = "ah-fpb"\ndue = 2020-10-10\n'
    plan.write_text(text, encoding="utf-8")
    refused = _run("tasks", "--db", db)
    assert refused.exit_code == 2 and "run amend" in refused.output and "press" not in refused.output
    zh = _run("status", "--db", db, lang="zh")
    assert zh.exit_code == 2 and "修订" in zh.output
    review = _run("amend", str(plan), "--db", db, "--now", "2020-07-03T09:00")
    assert review.exit_code == 0, review.output
    assert "added     press" in review.output and "renamed   report -> final-report" in review.output
    assert "deadline  exchange-meeting: 2020-10-16 -> 2020-10-20" in review.output and "--apply" in review.output
    assert json.loads(_run("log", "--db", db, "--format", "json").output)["events"][-1]["kind"] == "started"
    as_json = json.loads(_run("amend", str(plan), "--db", db, "--format", "json").output)["migration"]
    assert as_json["added"] == ["press"] and as_json["applied"] is None
    applied = _run("amend", str(plan), "--db", db, "--apply", "--as", "ah-fpb", "--reason", "增加新闻发布",
                   "--now", "2020-07-03T09:00")
    assert applied.exit_code == 0 and "amended: event #3" in applied.output
    tasks = _run("tasks", "--db", db)
    assert tasks.exit_code == 0 and "press" in tasks.output and "final-report" in tasks.output
    line = _run("log", "--db", db).output.strip().splitlines()[-1]
    assert "amended" in line and "plan " in line and "增加新闻发布" in line


def test_cli_refused_amendment_exits_1_and_2_with_apply(tmp_path):
    plan = tmp_path / "office.toml"
    plan.write_text(PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    db = str(tmp_path / "office.db")
    _run("init", str(plan), "--db", db, "--now", "2020-07-01T09:00")
    _run("start", "budget", "--as", "ah-fpb", "--db", db, "--now", "2020-07-02T09:00")
    text = plan.read_text(encoding="utf-8")
    cut = text.index("[tasks.budget]")
    plan.write_text(text[:cut] + text[text.index("[tasks.exchange-meeting]"):], encoding="utf-8")
    review = _run("amend", str(plan), "--db", db)
    assert review.exit_code == 1 and "REFUSED" in review.output and "budget" in review.output
    applied = _run("amend", str(plan), "--db", db, "--apply", lang="zh")
    assert applied.exit_code == 2 and "须先撤销" in applied.output
