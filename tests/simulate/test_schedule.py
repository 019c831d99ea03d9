"""The deterministic schedule: hand-computed plans across the 2020 National Day holiday, and what-ifs."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from campaignflow.errors import CycleError, ScenarioError
from campaignflow.model import Approval, Campaign, Dependency, Duration, Lag, Task, Unit, Window
from campaignflow.simulate import Scenario, parse_capacity, parse_delay, schedule

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def national_day_plan(**overrides: object) -> Campaign:
    """A county plan across the 2020 National Day holiday, on cn-workdays.

    In 2020 Oct 1-8 are off; Sunday Sep 27 and Saturday Oct 10 are worked.
    """
    units = {
        "city": Unit("city", "市扶贫办"),
        "office": Unit("office", "县扶贫办", parent="city", capacity=1),
        "county": Unit("county", "县政府", parent="city"),
    }
    tasks = {
        # Two tasks for an office that does one thing at a time; `plan` has the least slack.
        "survey": Task("survey", "摸底调查", "office", duration=Duration(3)),
        "plan": Task("plan", "制定方案", "office", duration=Duration(2), window=Window(due=date(2020, 9, 25))),
        "draft": Task("draft", "起草通知", "county", duration=Duration(2),
                      after=[Dependency("survey", Lag(2))],
                      approvals=[Approval(("city",), within=Duration(2))]),
        "ceremony": Task("ceremony", "扶贫日仪式", "county", window=Window(on=date(2020, 10, 17)),
                         after=[Dependency("draft")]),
        "report": Task("report", "总结报告", "county", duration=Duration(1),
                       after=[Dependency("ceremony", Lag(1, working=True))], window=Window(due=date(2020, 10, 20))),
    }
    fields: dict[str, object] = dict(id="national-day", name="扶贫日", start=date(2020, 9, 21),
                                     end=date(2020, 10, 31), calendar="cn-workdays", units=units, tasks=tasks)
    fields.update(overrides)
    return Campaign(**fields)  # type: ignore[arg-type]


def test_hand_computed_schedule_across_national_day() -> None:
    s = schedule(national_day_plan())

    plan = s.task("plan")  # least slack: first on the office's one slot
    assert (plan.start, plan.finish) == (at(2020, 9, 21), at(2020, 9, 23))  # Mon-Tue
    assert plan.met is True and plan.due == at(2020, 9, 26)

    survey = s.task("survey")  # waits for the slot: Wed, Thu, Fri
    assert (survey.start, survey.finish) == (at(2020, 9, 23), at(2020, 9, 26))

    draft = s.task("draft")  # Fri 24:00 + 2 calendar days = Mon Sep 28 (the worked Sunday is skipped by the lag)
    assert (draft.start, draft.work_finish) == (at(2020, 9, 28), at(2020, 9, 30))
    step = draft.approvals[0]  # Sep 30, then the holiday, then Fri Oct 9
    assert (step.start, step.finish) == (at(2020, 9, 30), at(2020, 10, 10))
    assert draft.finish == step.finish

    ceremony = s.task("ceremony")  # a Saturday, not a working day: fixed events sit on their date anyway
    assert (ceremony.start, ceremony.finish) == (at(2020, 10, 17), at(2020, 10, 18))
    assert ceremony.fixed and ceremony.met is True and not ceremony.late_prerequisites

    report = s.task("report")  # one working day after the weekend event: Tue Oct 20, due that day
    assert (report.start, report.finish) == (at(2020, 10, 20), at(2020, 10, 21))
    assert report.met is True

    assert s.finish == at(2020, 10, 21)
    assert not s.missed
    assert [d.label for d in s.deadlines] == ["plan", "ceremony", "report"]


def test_a_tasks_deadline_reports_its_work_finish_not_its_approvals() -> None:
    # `draft` due Wed Sep 30 12:00. The due puts `survey` first on the office's slot (Sep 21-23),
    # so `draft` works on the worked Sunday Sep 27 and Sep 28: in time. Its approval step,
    # which its due does not apply to, takes Sep 29-30.
    base = national_day_plan()
    draft = base.tasks["draft"]
    tasks = dict(base.tasks, draft=attrs.evolve(draft, window=Window(due=datetime(2020, 9, 30, 12))))
    s = schedule(national_day_plan(tasks=tasks))
    deadline = next(d for d in s.deadlines if d.label == "draft")
    assert deadline.met is True
    assert deadline.finish == s.task("draft").work_finish == at(2020, 9, 29)
    assert s.task("draft").finish == at(2020, 10, 1)


def test_worked_sunday_is_used_when_capacity_allows() -> None:
    s = schedule(national_day_plan(), scenario=Scenario(capacities={"office": 2}))
    survey = s.task("survey")
    assert (survey.start, survey.finish) == (at(2020, 9, 21), at(2020, 9, 24))
    draft = s.task("draft")  # Wed 24:00 + 2 days = Sat 00:00, off; next working day is Sunday Sep 27
    assert (draft.start, draft.work_finish) == (at(2020, 9, 27), at(2020, 9, 29))
    assert draft.approvals[0].finish == at(2020, 10, 1)  # Sep 29, 30


def test_delay_misses_a_deadline_and_slack_goes_negative() -> None:
    s = schedule(national_day_plan(), scenario=Scenario(delays={"plan": 4}))
    plan = s.task("plan")
    assert plan.finish == at(2020, 9, 28)  # six working days: Sep 21-25 and the worked Sunday
    assert plan.met is False and plan.slack == pytest.approx(-1.0)
    assert [d.label for d in s.missed] == ["plan"]


def test_start_shifts_every_date_by_the_same_days() -> None:
    s = schedule(national_day_plan(), scenario=Scenario(start=date(2020, 9, 28)))
    assert s.origin == date(2020, 9, 28)
    ceremony = s.task("ceremony")
    assert ceremony.start == at(2020, 10, 24)
    assert s.task("plan").due == at(2020, 10, 3)  # Oct 2, end of day
    # Now the plan's two days fall on Sep 28-29 and its due in the holiday: met.
    assert s.task("plan").finish == at(2020, 9, 30)


def test_approval_days_default_applies_to_steps_without_within() -> None:
    base = national_day_plan()
    draft = base.tasks["draft"]
    tasks = dict(base.tasks, draft=Task("draft", draft.title, draft.lead, duration=draft.duration,
                                         after=draft.after, approvals=[Approval(("city",))]))
    plan = national_day_plan(tasks=tasks)
    assert schedule(plan).task("draft").approvals[0].finish == at(2020, 10, 10)  # default 2 days
    quick = schedule(plan, scenario=Scenario(approval_days=1)).task("draft").approvals[0]
    assert quick.finish == at(2020, 10, 1)


def test_negative_approval_days_is_a_value_error() -> None:
    # As --approval-days refuses it: steps would otherwise finish before they start.
    with pytest.raises(ValueError):
        Scenario(approval_days=-1)


def test_fixed_event_with_late_prerequisites_is_reported() -> None:
    s = schedule(national_day_plan(), scenario=Scenario(delays={"draft": 10}))
    ceremony = s.task("ceremony")
    assert ceremony.start == at(2020, 10, 17)  # still on its date
    assert ceremony.late_prerequisites and ceremony.met is False
    assert "ceremony" in [d.label for d in s.missed]


def test_same_plan_same_schedule() -> None:
    assert schedule(national_day_plan()) == schedule(national_day_plan())


def test_unknown_names_in_a_scenario_are_one_error_with_suggestions() -> None:
    with pytest.raises(ScenarioError) as info:
        schedule(national_day_plan(), scenario=Scenario(delays={"surve": 1}, capacities={"ofice": 1}))
    texts = [p.en for p in info.value.problems]
    assert texts == ["unknown task 'surve'; did you mean 'survey'?", "unknown unit 'ofice'; did you mean 'office'?"]
    assert info.value.problems[0].zh is not None


def test_cycle_raises_cycle_error() -> None:
    base = national_day_plan()
    survey = base.tasks["survey"]
    tasks = dict(base.tasks, survey=Task("survey", survey.title, survey.lead, after=[Dependency("report")]))
    with pytest.raises(CycleError):
        schedule(national_day_plan(tasks=tasks))


@pytest.mark.parametrize(("text", "expected"), [("a=3d", ("a", 3.0)), ("b = 3.5h", ("b", 0.5)), ("c=1w", ("c", 5.0))])
def test_parse_delay(text: str, expected: tuple[str, float]) -> None:
    assert parse_delay(text) == expected


@pytest.mark.parametrize("text", ["a", "=3d", "a=x", "a=-1d"])
def test_parse_delay_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_delay(text)


def test_parse_capacity() -> None:
    assert parse_capacity("office=2") == ("office", 2)
    assert parse_capacity("office=none") == ("office", None)
    for bad in ("office=0", "office", "office=two"):
        with pytest.raises(ValueError):
            parse_capacity(bad)


# The example of docs/checks/CF301.md: two events of a capacity-1 bureau on Monday Oct 17, 2016.
CF301_PLAN = """\
format = 1

[campaign]
id = "cf301"
name = "区统计局扶贫日活动"
issuer = "district-fpb"
start = 2016-10-15
end = 2016-10-19

[units.district-fpb]
name = "区扶贫办"

[units.stats-bureau]
name = "区统计局"
capacity = 1

[tasks.briefing]
title = "参加扶贫日通报会"
lead = "stats-bureau"
on = 2016-10-17

[tasks.street-campaign]
title = "上街集中宣传活动"
lead = "stats-bureau"
on = 2016-10-17
"""


def test_two_events_of_a_capacity_1_unit_on_one_day_are_overbooked() -> None:
    from campaignflow.load import loads
    from campaignflow.simulate import Overbooking

    s = schedule(loads(CF301_PLAN))
    # Events stay on their date (they cannot move); the day is reported, as CF301 reports it.
    assert s.task("briefing").start == s.task("street-campaign").start == at(2016, 10, 17)
    assert s.overbooked == (Overbooking(unit="stats-bureau", day=date(2016, 10, 17), capacity=1,
                                        events=("briefing", "street-campaign")),)
    assert s.overbooked[0].load == 2
    # Capacity 2 holds both; so does another lead for one of them (the doc's fix).
    assert schedule(loads(CF301_PLAN), scenario=Scenario(capacities={"stats-bureau": 2})).overbooked == ()
    fixed = CF301_PLAN.replace('title = "上街集中宣传活动"\nlead = "stats-bureau"', 'title = "x"\nlead = "district-fpb"')
    assert schedule(loads(fixed)).overbooked == ()


def test_an_event_on_a_day_the_units_work_runs_is_overbooked() -> None:
    # `survey` (office, capacity 1) runs Sep 21-23; an office event on Tue Sep 22 takes its day too.
    base = national_day_plan()
    tasks = dict(base.tasks, visit=Task("visit", "走访", "office", window=Window(on=date(2020, 9, 22))))
    s = schedule(national_day_plan(tasks=tasks), scenario=Scenario(capacities={"office": 2}))
    assert [(o.unit, o.day, o.capacity, o.events, o.work) for o in s.overbooked] == [
        ("office", date(2020, 9, 22), 2, ("visit",), ("survey", "plan"))]
    # Capacity 3 holds the event and both tasks; on Sep 24 only `survey` runs beside an event.
    assert schedule(national_day_plan(tasks=tasks), scenario=Scenario(capacities={"office": 3})).overbooked == ()
    tasks["visit"] = Task("visit", "走访", "office", window=Window(on=date(2020, 9, 24)))
    s = schedule(national_day_plan(tasks=tasks), scenario=Scenario(capacities={"office": 2}))
    assert s.overbooked == ()
    # The hand-computed plan has none: its ceremony's lead has no capacity.
    assert schedule(national_day_plan()).overbooked == ()
