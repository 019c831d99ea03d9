"""CF201-CF205: windows, deadlines, non-working days, empty windows, repeats."""

from __future__ import annotations

from datetime import date, datetime

from checks_support import END, START, codes, dep, errors, only, plan, run, step, task, unit

from campaignflow.model import Repeat, Window

# -- CF201 ----------------------------------------------------------------------------


def test_cf201_due_after_the_campaign_ends():
    findings = run(plan(tasks=[task("report", due=date(2020, 11, 3))]))
    assert errors(findings) == ["CF201"]
    (f,) = only(findings, "CF201")
    assert f.location.key_path == "tasks.report.due"
    assert "2020-11-03" in f.message.en and "after the campaign ends" in f.message.en
    assert "晚于活动结束" in f.message.zh


def test_cf201_nearest_due_on_the_last_day_is_fine():
    assert codes(run(plan(tasks=[task("report", due=END)]))) == []


def test_cf201_start_before_on_outside_and_approval_due():
    campaign = plan(units=[unit("boss")], tasks=[
        task("early", start=date(2020, 8, 20), due=date(2020, 9, 10)),
        task("party", on=date(2020, 11, 2)),
        task("plan", due=date(2020, 9, 30), approvals=[step("boss", due=date(2020, 11, 4))]),
    ])
    found = only(run(campaign), "CF201")
    assert sorted(f.location.key_path for f in found) == [
        "tasks.early.start", "tasks.party.on", "tasks.plan.approvals[0].due"]
    late_step = next(f for f in found if "approvals" in f.location.key_path)
    assert "has approval step 1 due by 2020-11-04, after the campaign ends" in late_step.message.en


def test_cf201_one_finding_for_every_instance_of_a_template():
    instances = [task(f"drive@t{i}", due=date(2020, 11, 5), template="drive", template_unit=f"t{i}")
                 for i in range(4)]
    (f,) = only(run(plan(tasks=instances)), "CF201")
    assert f.location.key_path == "templates.drive.task.due"
    assert f.tasks == ("drive@t0", "drive@t1", "drive@t2", "drive@t3")
    assert "3 more instances of template 'drive'" in f.message.en


# -- CF202 ----------------------------------------------------------------------------


def test_cf202_says_by_how_much_and_along_which_chain():
    campaign = plan(tasks=[
        task("survey", start=date(2020, 9, 7), days=3),          # Mon..Wed
        task("report", after=["survey"], days=2, due=date(2020, 9, 10)),  # needs Thu+Fri
    ])
    findings = run(campaign)
    assert errors(findings) == ["CF202"]
    (f,) = only(findings, "CF202")
    assert f.location.key_path == "tasks.report.due"
    assert "1 working day after its deadline" in f.message.en
    assert "survey → report" in f.message.en
    assert "the end of 2020-09-11" in f.message.en  # earliest finish: Friday
    assert "晚1个工作日" in f.message.zh
    assert f.tasks[:2] == ("survey", "report")


def test_cf202_nearest_plan_meets_its_deadline():
    campaign = plan(tasks=[
        task("survey", start=date(2020, 9, 7), days=3),
        task("report", after=["survey"], days=2, due=date(2020, 9, 11)),
    ])
    assert errors(run(campaign)) == []


def test_cf202_weekend_and_calendar_day_lags():
    # Friday's work, then a 3-calendar-day lag: Monday 24:00 is the earliest the next can start.
    campaign = plan(tasks=[
        task("notice", start=date(2020, 9, 11)),
        task("meeting", after=[dep("notice", "3d")], due=date(2020, 9, 14)),
    ])
    (f,) = only(run(campaign), "CF202")
    assert "the end of 2020-09-15" in f.message.en


def test_cf202_approval_within_and_step_due():
    campaign = plan(units=[unit("boss")], tasks=[
        task("plan", start=date(2020, 9, 7), due=date(2020, 9, 7),
             approvals=[step("boss", within=3, due=date(2020, 9, 9))]),
    ])
    (f,) = only(run(campaign), "CF202")
    assert f.location.key_path == "tasks.plan.approvals[0].due"
    assert "approval step 1 of task 'plan'" in f.message.en
    assert "plan → plan [approval 1]" in f.message.en
    # Enough time for the approver: clean.
    ok = plan(units=[unit("boss")], tasks=[
        task("plan", start=date(2020, 9, 7), due=date(2020, 9, 7),
             approvals=[step("boss", within=3, due=date(2020, 9, 10))]),
    ])
    assert errors(run(ok)) == []


def test_cf202_default_approval_time_delays_dependents():
    campaign = plan(units=[unit("boss")], tasks=[
        task("plan", start=date(2020, 9, 7), approvals=[step("boss")]),   # Mon, then 2 days' approval
        task("act", after=["plan"], due=date(2020, 9, 9)),               # earliest Thu
    ])
    (f,) = only(run(campaign), "CF202")
    assert "plan [approval 1] → act" in f.message.en


def test_cf202_fixed_event_with_late_prerequisites():
    campaign = plan(tasks=[
        task("prepare", start=date(2020, 10, 12), days=5),
        task("ceremony", after=["prepare"], on=date(2020, 10, 15)),
    ])
    findings = run(campaign)
    assert errors(findings) == ["CF202"]
    (f,) = only(findings, "CF202")
    assert f.location.key_path == "tasks.ceremony.on"
    assert "cannot take place as planned" in f.message.en


def test_cf202_event_at_a_moment_says_the_moment():
    campaign = plan(tasks=[
        task("prepare", start=date(2020, 10, 12), days=4),
        task("ceremony", after=["prepare"], on=datetime(2020, 10, 15, 9, 0)),
    ])
    (f,) = only(run(campaign), "CF202")
    # Thursday 09:00 is half an office hour (1/14 of the day) in; the preparation ends with Thursday.
    assert "event 'ceremony' on 2020-10-15 (Thu) 09:00 cannot take place" in f.message.en
    assert "0.93 working days too late" in f.message.en
    assert "2020-10-15(星期四)09:00" in f.message.zh


def test_cf202_holidays_of_the_cn_calendar_take_no_working_time():
    # 2020-09-30 (Wed) + 2 working days under cn-workdays: Oct 1-8 are the National Day holiday.
    campaign = plan(calendar="cn-workdays", tasks=[
        task("draft", start=date(2020, 9, 30), days=2, due=date(2020, 10, 9)),
    ])
    assert errors(run(campaign)) == []
    late = plan(calendar="cn-workdays", tasks=[
        task("draft", start=date(2020, 9, 30), days=3, due=date(2020, 10, 9)),
    ])
    (f,) = only(run(late), "CF202")
    assert "the end of 2020-10-10" in f.message.en  # Saturday Oct 10 is an adjusted working day


# -- CF203 ----------------------------------------------------------------------------


def test_cf203_deadline_on_a_saturday_warns_and_suggests_friday():
    findings = run(plan(tasks=[task("report", due=date(2020, 9, 12))]))
    assert codes(findings) == ["CF203"]
    (f,) = findings
    assert f.location.key_path == "tasks.report.due"
    assert "2020-09-12 (Sat)" in f.message.en and "星期六" in f.message.zh
    assert "2020-09-11 (Fri)" in f.hint.en


def test_cf203_nearest_friday_is_fine_and_adjusted_workday_too():
    assert codes(run(plan(tasks=[task("report", due=date(2020, 9, 11))]))) == []
    # Saturday 2020-10-10 is a working day under cn-workdays (调休).
    assert codes(run(plan(calendar="cn-workdays", tasks=[task("report", due=date(2020, 10, 10))]))) == []


def test_cf203_names_the_holiday_in_both_languages():
    (f,) = run(plan(calendar="cn-workdays", tasks=[task("ceremony", on=date(2020, 10, 1))]))
    assert f.code == "CF203"
    assert "National Day" in f.message.en and "国庆节" in f.message.zh
    assert "ignore CF203" in f.hint.en


def test_cf203_approval_due_and_datetime_deadline():
    campaign = plan(units=[unit("boss")], tasks=[
        task("plan", due=datetime(2020, 9, 13, 12, 0), approvals=[step("boss", due=date(2020, 9, 19))]),
    ])
    found = sorted(only(run(campaign), "CF203"), key=lambda f: f.location.key_path)
    assert [f.location.key_path for f in found] == ["tasks.plan.approvals[0].due", "tasks.plan.due"]
    assert "has approval step 1 due on 2020-09-19 (Sat)" in found[0].message.en
    assert "第1步审批" in found[0].message.zh


# -- CF204 ----------------------------------------------------------------------------


def test_cf204_start_after_due_is_an_empty_window_not_a_late_deadline():
    findings = run(plan(tasks=[task("x", start=date(2020, 9, 20), due=date(2020, 9, 15))]))
    assert errors(findings) == ["CF204"]
    (f,) = only(findings, "CF204")
    assert "starts 5 days after the deadline" in f.message.en
    assert {loc.key_path for loc in f.related} == {"tasks.x.start"}


def test_cf204_nearest_start_on_the_due_day_is_fine():
    assert errors(run(plan(tasks=[task("x", start=date(2020, 9, 15), due=date(2020, 9, 15))]))) == []


def test_cf204_window_with_no_working_time_and_approval_due_before_start():
    # Saturday to Sunday on weekdays: no working time at all.
    findings = run(plan(tasks=[task("x", start=date(2020, 9, 12), due=date(2020, 9, 13))]))
    assert errors(findings) == ["CF204"]
    assert "no working time" in only(findings, "CF204")[0].message.en
    campaign = plan(units=[unit("boss")], tasks=[
        task("x", start=date(2020, 9, 15), approvals=[step("boss", due=date(2020, 9, 14))])])
    assert [f.location.key_path for f in only(run(campaign), "CF204")] == ["tasks.x.approvals[0].due"]
    assert "(approval step 1)" in only(run(campaign), "CF204")[0].message.en
    assert errors(run(campaign)) == ["CF204"]


# -- CF205 ----------------------------------------------------------------------------


def test_cf205_counts_periods_as_the_loader_does():
    # Sep 1 - Oct 30 meets two months, nine ISO weeks (Sep 1 is a Tuesday) and two quarters (Q3, Q4).
    for every, fits in (("month", 2), ("week", 9), ("quarter", 2)):
        assert errors(run(plan(tasks=[task("r", repeat=Repeat(every, fits))]))) == []
        assert errors(run(plan(tasks=[task("r", repeat=Repeat(every, fits + 1))]))) == ["CF205"]


def test_cf205_more_times_than_periods():
    findings = run(plan(tasks=[task("review", repeat=Repeat("month", 3))]))
    assert errors(findings) == ["CF205"]
    (f,) = only(findings, "CF205")
    assert f.location.key_path == "tasks.review.repeat"
    assert "only 2 such periods" in f.message.en


def test_cf205_nearest_fits():
    assert errors(run(plan(tasks=[task("review", repeat=Repeat("month", 2))]))) == []


def test_cf205_expanded_occurrence_without_working_time():
    rep = Repeat("week", 2)
    occurrences = [
        task("tidy#1", repeat=rep, occurrence=1, start=date(2020, 9, 7), due=date(2020, 9, 11)),
        # Generated in a week whose remaining days are Saturday and Sunday.
        task("tidy#2", repeat=rep, occurrence=2, start=date(2020, 9, 12), due=date(2020, 9, 13)),
    ]
    findings = run(plan(tasks=occurrences))
    assert errors(findings) == ["CF205"]
    assert "'tidy#2' has no working time" in only(findings, "CF205")[0].message.en
    # Occurrences' generated dates are not CF203's business.
    assert only(findings, "CF203") == []


def test_cf205_fewer_occurrences_expanded_than_asked():
    rep = Repeat("week", 3)
    occurrences = [task("tidy#1", repeat=rep, occurrence=1, start=date(2020, 9, 7), due=date(2020, 9, 11))]
    (f,) = only(run(plan(tasks=occurrences)), "CF205")
    assert "only 1 occurrence(s) fit" in f.message.en


def test_window_model_still_excludes_on_with_dates():
    # The checks rely on it: a fixed event has no separate start or due.
    import pytest

    with pytest.raises(ValueError, match="excludes"):
        Window(on=START, due=END)
