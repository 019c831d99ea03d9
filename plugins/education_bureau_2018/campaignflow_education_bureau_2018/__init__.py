"""campaignflow plugin: the rule of the education bureau's 2018 Poverty Alleviation Day plan.

三(四) 留存资料,及时上报: "各单位开展“扶贫日”活动有关图文资料,要及时归入单位扶贫工作档案,
并及时向活动牵头部门报送活动有关情况" — every unit that carries out activities
files its records and reports them. ED001 checks that in the plans that
configure it (``[checks.options.ED001]``), which tag their activities
``扶贫日活动`` and their reports ``及时上报``; every other plan is left alone.
The plan itself ships as the TOML plugin ``education-bureau-2018`` in the same directory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from campaignflow.checks import Check, CheckContext
from campaignflow.findings import Finding, Severity, Text
from campaignflow.model import Task
from campaignflow.plugins import hookimpl

__all__ = ["ACTIVITY_TAG", "REPORT_TAG", "ActivitiesReported", "predecessors",
           "campaignflow_register_checks"]

#: Tag of a task that is one of the Day's activities (二、活动内容).
ACTIVITY_TAG = "扶贫日活动"
#: Tag of a task that files and reports a unit's activities (三(四)).
REPORT_TAG = "及时上报"



def predecessors(tasks: Mapping[str, Task], task_id: str) -> set[str]:
    """Every task that ``task_id`` waits for, directly or through others (``after``, transitively)."""
    seen: set[str] = set()
    stack = [d.task for d in tasks[task_id].after]
    while stack:
        tid = stack.pop()
        if tid in seen or tid not in tasks:
            continue
        seen.add(tid)
        stack.extend(d.task for d in tasks[tid].after)
    return seen


def _key(task: Task, field: str = "") -> str:
    # Where the author wrote the field: the template's task table, or the series' table.
    base = f"templates.{task.template}.task" if task.template is not None else f"tasks.{task.series}"
    return f"{base}.{field}" if field else base


def _more(count: int) -> Text:
    if count <= 0:
        return Text("", "")
    return Text(f" (and the same for {count} more unit{'s' if count > 1 else ''} of the template)",
                f"(该模板的另外{count}个单位同样如此)")


class ActivitiesReported(Check):
    """A unit carries out the Day's activities but does not report them afterwards (三(四)).

    Every unit that leads a task tagged ``扶贫日活动`` (option ``activity_tag``)
    must lead a task tagged ``及时上报`` (option ``report_tag``: file the records,
    report to the activity's lead department) that comes after each of those
    activities through ``after``. Runs on the plans that configure it::

        [checks.options.ED001]
        activity_tag = "扶贫日活动"
        report_tag = "及时上报"

    Triggers on::

        [templates.school-summary.task]
        lead = "{unit}"
        after = ["publicity@{unit}"]          # the class meeting is not reported
        tags = ["及时上报"]

    and on a unit with activities and no ``及时上报`` task at all.

    Fix: add the missing activities to the report's ``after``, or give the unit a report task.
    """

    code = "ED001"
    opt_in = True
    name = "education-2018.activities-reported"
    default_severity = Severity.WARNING
    summary = Text("a unit's Poverty Alleviation Day activities are not reported afterwards",
                   "单位开展的扶贫日活动未在其后报送")
    options = {"activity_tag": ACTIVITY_TAG, "report_tag": REPORT_TAG}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        activity_tag = str(ctx.options.get("activity_tag", ACTIVITY_TAG))
        report_tag = str(ctx.options.get("report_tag", REPORT_TAG))
        tasks = ctx.campaign.tasks
        activities: dict[str, list[Task]] = {}
        reports: dict[str, list[Task]] = {}
        for task in tasks.values():
            if activity_tag in task.tags:
                activities.setdefault(task.lead, []).append(task)
            if report_tag in task.tags:
                reports.setdefault(task.lead, []).append(task)
        unreported: dict[str, list[tuple[Task, list[Task]]]] = {}
        unfollowed: dict[str, list[tuple[Task, list[Task]]]] = {}
        for unit, done in activities.items():
            if unit not in reports:
                unreported.setdefault(_key(done[0]), []).append((done[0], done))
                continue
            covered: set[str] = set()
            for report in reports[unit]:
                covered |= predecessors(tasks, report.id)
            missing = [t for t in done if t.id not in covered]
            if missing:
                report = reports[unit][0]
                unfollowed.setdefault(_key(report, "after"), []).append((report, missing))
        for key, hits in unreported.items():
            first, done = hits[0]
            yield ctx.finding(
                Text(f"unit '{first.lead}' carries out {len(done)} of the Day's activities ('{first.id}', ...) "
                     f"but has no report task (tag '{report_tag}'){_more(len(hits) - 1).en}",
                     f"单位“{first.lead}”开展了{len(done)}项扶贫日活动(“{first.id}”等),但没有报送任务"
                     f"(标签“{report_tag}”){_more(len(hits) - 1).zh}"),
                key_path=key,
                tasks=[t.id for _, ts in hits for t in ts],
                units=[h[0].lead for h in hits],
                hint=Text(f"add a task led by '{first.lead}', tagged '{report_tag}', after its activities",
                          f"请为“{first.lead}”添加标签为“{report_tag}”、排在其活动之后的报送任务"),
            )
        for key, hits in unfollowed.items():
            report, missing = hits[0]
            names = ", ".join(f"'{t.id}'" for t in missing)
            yield ctx.finding(
                Text(f"report '{report.id}' does not come after {names}, which '{report.lead}' carries out"
                     f"{_more(len(hits) - 1).en}",
                     f"报送任务“{report.id}”未排在“{report.lead}”开展的 {names} 之后{_more(len(hits) - 1).zh}"),
                key_path=key,
                tasks=[tid for r, ms in hits for tid in (r.id, *(t.id for t in ms))],
                units=[r.lead for r, _ in hits],
                hint=Text("add those activities to the report's `after`", "请将这些活动加入报送任务的 after"),
            )


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    """The education bureau plan's check, ED001."""
    return [ActivitiesReported]
