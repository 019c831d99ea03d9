"""Built-in checks CF2xx: time, on the campaign calendar, with the critical path method.

Windows, deadlines and earliest finishes are compared in working time
(``WorkAxis``). Checks that need the critical path skip quietly when the
dependencies form a cycle: CF101 reports it, and there is no schedule to talk
about. Everything here is linear in tasks and dependencies; the instances of
a template share a key path and are reported once, with a count.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from .. import cpm
from ..calendar import WorkAxis
from ..findings import Applicability, Edit, Finding, Fix, Severity, Text
from ..model import Campaign, Moment, Repeat, Task, end_instant, start_instant
from ..plugins import hookimpl
from . import Check, CheckContext
from ._fmt import chain, day, finish, moment, start, working_days
from ._keys import Shared, per_key, task_key, window_key

__all__ = ["OutsideCampaign", "DeadlineUnmeetable", "NonWorkingDay", "EmptyWindow", "RepeatDoesNotFit",
           "CalendarNotCovered", "NoTimeLimit"]


def _day_of(m: Moment) -> date:
    return m.date() if isinstance(m, datetime) else m


class OutsideCampaign(Check):
    """A task's window lies (partly) outside the campaign window.

    Its ``start``, ``due`` or ``on`` (or an approval step's or a submission's ``due``) falls
    before the campaign's ``start`` or after its ``end``. Occurrences of a
    ``repeat`` are windowed by the loader and checked by CF205 instead.
    """

    code = "CF201"
    name = "time.outside-campaign"
    default_severity = Severity.ERROR
    summary = Text("a task's window lies (partly) outside the campaign window", "任务时间窗超出活动起止时间")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        side = _Sides(*campaign.window_instants())
        found: list[tuple[str, Task, Text]] = []
        def hits_of(task: Task) -> list[tuple[str, Text]]:
            w = task.window
            dated = [("on", w.on, "on"), ("start", w.start, "start"), ("due", w.due, "due")]
            dated += [(f"approvals[{i}].due", st.due, "step") for i, st in enumerate(task.approvals)]
            # A submission due with its task (报送 by the task's own deadline) is one date, reported once.
            dated += [(f"reports_to[{i}].due", sub.due, "step") for i, sub in enumerate(task.reports_to)
                      if sub.due != w.due]
            return [(field, _outside_text(field, m, side(m, role))) for field, m, role in dated
                    if m is not None and side(m, role)]

        # Depends only on the task's (frozen) window, approvals and submissions' dues, which template
        # instances share: each distinct combination is looked at once, keyed by identity.
        # A submission is keyed by its due alone (its units vary per instance, its due rarely).
        seen: dict[tuple[int, int, tuple[Moment | None, ...]], list[tuple[str, Text]]] = {}
        for task in campaign.tasks.values():
            if task.occurrence is not None:
                continue
            rt = task.reports_to
            key = (id(task.window), id(task.approvals), tuple([r.due for r in rt]) if rt else ())
            hits = seen.get(key)
            if hits is None:
                hits = seen[key] = hits_of(task)
            for field, text in hits:
                found.append((task_key(task, field), task, text))
        span = Text(f"{moment(campaign.start)} .. {moment(campaign.end)}", f"{moment(campaign.start)}至{moment(campaign.end)}")
        for hit in per_key(found):
            task, problem, more = hit.task, hit.item, hit.more
            yield ctx.finding(
                Text(f"task '{task.id}' {problem.en}, outside the campaign window {span.en}{more.en}",
                     f"任务“{task.id}”{problem.zh},超出活动时间 {span.zh}{more.zh}"),
                key_path=hit.key,
                tasks=hit.tasks,
                hint=Text("move the date into the campaign window, or widen the campaign's start/end",
                          "将该日期调整到活动时间之内,或调整活动的起止日期"),
                related=["campaign.start" if "before" in problem.en else "campaign.end"],
            )


def _step_number(field: str) -> int:
    """``approvals[0].due`` (or ``reports_to[0].due``) -> 1: the step as a plan author counts it."""
    return int(field[field.index("[") + 1:field.index("]")]) + 1


class _Sides:
    """Which side of the campaign window a date falls on (-1 before, 1 after, 0 inside), memoised.

    Templates repeat the same few dates thousands of times.
    """

    def __init__(self, first: datetime, last: datetime) -> None:
        self._first, self._last = first, last
        self._seen: dict[tuple[Moment, str], int] = {}

    def __call__(self, m: Moment, role: str) -> int:
        got = self._seen.get((m, role))
        if got is None:
            first, last = self._first, self._last
            s, e = start_instant(m), end_instant(m)
            if role == "start":
                got = -1 if s < first else 1 if s >= last else 0
            elif role == "on":
                got = -1 if s < first else 1 if e > last else 0
            else:  # a deadline
                got = -1 if e <= first else 1 if e > last else 0
            self._seen[m, role] = got
        return got


def _outside_text(field: str, m: Moment, side: int) -> Text:
    when = Text("before the campaign starts", "早于活动开始") if side < 0 else Text(
        "after the campaign ends", "晚于活动结束")
    shown = moment(m)
    if field == "on":
        return Text(f"takes place on {shown}, {when.en}", f"定于{shown}举行,{when.zh}")
    if field == "start":
        return Text(f"may start {'only ' if side > 0 else ''}on {shown}, {when.en}", f"开始时间{shown}{when.zh}")
    if field == "due":
        return Text(f"is due by {shown}, {when.en}", f"截止时间{shown}{when.zh}")
    step = _step_number(field)
    if field.startswith("reports_to"):
        return Text(f"has submission {step} due by {shown}, {when.en}", f"第{step}项报送截止于{shown},{when.zh}")
    return Text(f"has approval step {step} due by {shown}, {when.en}", f"第{step}步审批截止于{shown},{when.zh}")


# Float noise from converting whole-second instants to working time.
_EPS = 1e-6
#: How many tasks of a long chain are given as related locations (the nearest ones).
_RELATED = 8


class DeadlineUnmeetable(Check):
    """A deadline cannot be met: the earliest finish is after ``due``.

    The earliest finish comes from the critical path method on the campaign
    calendar: prerequisites, lags, durations (``likely``), approvals' ``within``
    (2 working days when not given) and earliest starts. An approval step's
    ``due`` is checked the same way, and a fixed event (``on``) whose
    prerequisites cannot be done before its date is reported too. The message
    says by how much, and along which chain of prerequisites.
    Deadlines before the campaign starts (CF201) and empty windows (CF204,
    CF205) are reported by those checks instead.
    """

    code = "CF202"
    name = "time.deadline-unmeetable"
    default_severity = Severity.ERROR
    summary = Text("a deadline cannot be met: the earliest finish is after it", "截止时间无法满足:最早完成时间晚于截止时间")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        cp = ctx.analysis.cpm
        if cp is None:
            return
        plan, t = cp.plan, cp.times
        tasks = ctx.campaign.tasks
        opening = ctx.campaign.window_instants()[0]
        found: list[tuple[str, Task, tuple[float, int]]] = []
        for v in range(len(plan.ids)):
            deadline = plan.deadline[v]
            if deadline == float("inf"):
                continue
            owner = plan.task_of[v]
            fixed = plan.fixed[v]
            if not fixed and plan.earliest[owner] >= deadline - _EPS:
                continue  # an empty window: CF204, or CF205 for an occurrence
            late = t.ready[v] - t.es[v] if fixed else t.ef[v] - deadline
            if late <= _EPS:
                continue
            task = tasks[plan.ids[owner]]
            step = v - owner - 1
            if v == owner:
                if task.window.deadline() <= opening:  # type: ignore[operator]
                    continue  # due before the campaign starts: CF201
                key = window_key(task, "on" if fixed else "due")
            else:
                if end_instant(task.approvals[step].due) <= opening:  # type: ignore[arg-type]
                    continue
                key = task_key(task, f"approvals[{step}].due")
            found.append((key, task, (late, v)))
        for hit in per_key(found, pick=lambda hits: max(hits, key=lambda h: h[1])):
            yield self._finding(ctx, cp, hit)

    def _finding(self, ctx: CheckContext, cp: Any, hit: Shared[tuple[float, int]]) -> Finding:
        plan = cp.plan
        (late, v), task, more = hit.item, hit.task, hit.more
        node = plan.ids[v]
        owner = task.id
        path = cp.chain_to(node)
        hops = Text(chain([_node_label(n, short=True).en for n in path]),
                    chain([_node_label(n, short=True).zh for n in path]))
        by = working_days(late)
        if plan.fixed[v]:
            ready = finish(plan.axis.instant(cp.times.ready[v], finish=True))
            when = task.window.on
            on = day(_day_of(when))
            if isinstance(when, datetime):  # an event at a moment: say which
                on = Text(f"{on.en} {when:%H:%M}", f"{on.zh}{when:%H:%M}")
            msg = Text(f"event '{owner}' on {on.en} cannot take place as planned: its prerequisites are done only "
                       f"by {ready.en}, {by.en} too late, along {hops.en}{more.en}",
                       f"活动“{owner}”定于{on.zh}举行,但其前置任务最早于{ready.zh}才能完成,晚了{by.zh},"
                       f"路径:{hops.zh}{more.zh}")
        else:
            what = _node_label(node)
            ef = finish(cp.earliest_finish(node))
            due = finish(plan.axis.instant(plan.deadline[v], finish=True))
            msg = Text(f"{what.en} cannot be finished before {ef.en}, {by.en} after its deadline ({due.en}), "
                       f"along {hops.en}{more.en}",
                       f"{what.zh}最早于{ef.zh}完成,比截止时间({due.zh})晚{by.zh},路径:{hops.zh}{more.zh}")
        firsts = [plan.ids[plan.task_of[plan.index[n]]] for n in path]
        return ctx.finding(
            msg,
            key_path=hit.key,
            tasks=list(dict.fromkeys([*firsts, *hit.tasks])),
            hint=Text("move the deadline later, start the chain earlier, shorten a task on it or drop a "
                      "dependency", "推迟截止时间、提前开始该路径上的任务、缩短其工期或取消某个依赖"),
            related=[task_key(ctx.campaign.tasks[f])
                     for f in list(dict.fromkeys(firsts))[-_RELATED - 1:] if f != owner],
        )


def _node_label(node: str, *, short: bool = False) -> Text:
    """``task 'x'`` / ``approval step 2 of task 'x'`` (short: ``x`` / ``x [approval 2]``) for a node id."""
    if cpm.GATE_SEP in node:
        tid, rest = node.split(cpm.GATE_SEP, 1)
        step = int(rest.rstrip("]")) + 1
        if short:
            return Text(f"{tid} [approval {step}]", f"{tid}[第{step}步审批]")
        return Text(f"approval step {step} of task '{tid}'", f"任务“{tid}”的第{step}步审批")
    return Text(node, node) if short else Text(f"task '{node}'", f"任务“{node}”")


class NonWorkingDay(Check):
    """A fixed date (``on``) or a deadline falls on a non-working day of the campaign calendar.

    A Saturday on the ``weekdays`` calendar, or a day of an official holiday
    (named) on ``cn-workdays``. Generated windows of ``repeat`` occurrences
    are not reported: the author did not write those dates. Nor is the end of
    a window given as 前后 / 前夕 (``around`` / ``eve``): the document names a
    day, and the window's edges are the format's documented width.
    """

    code = "CF203"
    name = "time.non-working-day"
    default_severity = Severity.WARNING
    summary = Text("a fixed date or a deadline falls on a non-working day", "固定日期或截止日期为非工作日")
    #: ``deadlines = "previous-working-day"``: the plan's policy is that a deadline on a day off means
    #: the working day before, so ``validate --fix`` moves such deadlines (else only ``--unsafe-fixes``).
    options = {"deadlines": "keep"}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        axis = ctx.analysis.axis
        off_days: dict[Moment, bool] = {}

        def off(m: Moment) -> bool:
            # Templates repeat the same few dates thousands of times.
            got = off_days.get(m)
            if got is None:
                got = off_days[m] = not axis.is_working(_day_of(m))
            return got

        def hits_of(task: Task) -> list[tuple[str, date]]:
            w = task.window
            own = [] if task.near is not None else [("on", w.on), ("due", w.due)]
            dated = own + [(f"approvals[{i}].due", s.due) for i, s in enumerate(task.approvals)]
            # A submission due with its task is one date of the document: reported once, at `due`.
            dated += [(f"reports_to[{i}].due", s.due) for i, s in enumerate(task.reports_to)
                      if s.due != w.due or task.near is not None]
            return [(field, _day_of(m)) for field, m in dated if m is not None and off(m)]

        # What a task reports depends only on its (frozen) window, approvals, submissions' dues and
        # whether it is `near`: template instances share those objects, so each distinct
        # combination is looked at once, keyed by identity (all stay alive in the campaign).
        # A submission is keyed by its due alone (its units vary per instance, its due rarely).
        seen: dict[tuple[int, int, tuple[Moment | None, ...], bool], list[tuple[str, date]]] = {}
        found: list[tuple[str, Task, tuple[str, date]]] = []
        for task in ctx.campaign.tasks.values():
            if task.occurrence is not None:
                continue
            rt = task.reports_to
            key = (id(task.window), id(task.approvals), tuple([r.due for r in rt]) if rt else (), task.near is None)
            hits = seen.get(key)
            if hits is None:
                hits = seen[key] = hits_of(task)
            for field, d in hits:
                found.append((task_key(task, field), task, (field, d)))
        for hit in per_key(found):
            yield self._finding(ctx, axis, hit)

    def _finding(self, ctx: CheckContext, axis: WorkAxis, hit: Shared[tuple[str, date]]) -> Finding:
        calendar = ctx.calendar
        task, (field, d), more = hit.task, hit.item, hit.more
        holiday = calendar.holiday_name(d)
        if holiday is not None:
            zh_name = getattr(calendar, "holiday_name_zh", lambda n: n)(holiday)
            why = Text(f"a day of the {holiday} holiday", f"{zh_name}假期")
        else:
            why = Text("not a working day", "非工作日")
        if field in ("on", "due"):
            what = Text("takes place on", "举行日期为") if field == "on" else Text("is due on", "截止日期为")
        elif field.startswith("reports_to"):
            what = Text(f"has submission {_step_number(field)} due on", f"第{_step_number(field)}项报送截止日期为")
        else:
            what = Text(f"has approval step {_step_number(field)} due on", f"第{_step_number(field)}步审批截止日期为")
        when = day(d)
        before = axis.nth_working_day(int(axis.day_start(d)) - 1)
        if field == "on":
            hint = Text(f"if the event really takes place that day, ignore CF203 for this plan; otherwise move "
                        f"it to a working day such as {day(before).en}",
                        f"如活动确定在当天举行,可在本方案中忽略 CF203;否则请改到工作日,例如{day(before).zh}")
        else:
            hint = Text(f"say the last working day before it instead: {day(before).en}",
                        f"请改为此前的最后一个工作日:{day(before).zh}")
        fixes = []
        if field != "on":
            # A deadline moved changes what the plan says, unless the plan declares that policy.
            policy = ctx.options.get("deadlines") == "previous-working-day"
            fixes.append(Fix(Text(f"move the deadline to {day(before).en}", f"将截止日期提前到{day(before).zh}"),
                             Applicability.SAFE if policy else Applicability.UNSAFE,
                             [Edit("replace", hit.key, new=before, old=d)]))
        return ctx.finding(
            Text(f"task '{task.id}' {what.en} {when.en}, {why.en} on the '{calendar.name}' calendar{more.en}",
                 f"任务“{task.id}”{what.zh}{when.zh},在“{calendar.name}”日历中为{why.zh}{more.zh}"),
            key_path=hit.key,
            tasks=hit.tasks,
            hint=hint,
            fixes=fixes,
        )


class EmptyWindow(Check):
    """An empty window: a task's own earliest start is at or after its deadline.

    ``start`` is not before ``due`` in working time (so no working day lies
    between them), or an approval step is due before its task may start.
    Occurrences of a ``repeat`` are CF205's.
    """

    code = "CF204"
    name = "time.empty-window"
    default_severity = Severity.ERROR
    summary = Text("a task's earliest start is after its deadline", "任务最早开始时间晚于截止时间")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        axis = ctx.analysis.axis
        found: list[tuple[str, Task, tuple[str, Moment]]] = []
        for task in ctx.campaign.tasks.values():
            opens = task.window.earliest()
            if task.occurrence is not None or opens is None:
                continue
            s = axis.pos(opens)
            deadlines = [] if task.window.fixed else [("due", task.window.due)]
            deadlines += [(f"approvals[{i}].due", st.due) for i, st in enumerate(task.approvals)]
            for field, due in deadlines:
                if due is not None and axis.pos(end_instant(due)) <= s:
                    found.append((task_key(task, field), task, (field, due)))
        for hit in per_key(found):
            task, (field, due), more = hit.task, hit.item, hit.more
            ws = task.window.earliest()
            assert ws is not None  # noqa: S101 - only tasks with an earliest start are collected
            step = "" if field == "due" else f" (approval step {_step_number(field)})"
            step_zh = "" if field == "due" else f"(第{_step_number(field)}步审批)"
            gap = (ws.date() - _day_of(due)).days
            how = Text(f"it starts {gap} day{'' if gap == 1 else 's'} after the deadline",
                       f"开始时间比截止日期晚{gap}天") if gap > 0 else Text(
                "no working time lies between them", "两者之间没有工作时间")
            yield ctx.finding(
                Text(f"task '{task.id}' may start on {start(ws)} but is due by {finish(end_instant(due)).en}"
                     f"{step}: its window is empty ({how.en}){more.en}",
                     f"任务“{task.id}”最早{start(ws)}开始,却须在{finish(end_instant(due)).zh}前完成{step_zh}:"
                     f"时间窗为空({how.zh}){more.zh}"),
                key_path=hit.key,
                tasks=hit.tasks,
                hint=Text("move the start earlier or the deadline later", "提前开始时间或推迟截止时间"),
                related=[task_key(task, "on" if task.window.fixed else "start")],
            )


class RepeatDoesNotFit(Check):
    """A ``repeat`` does not fit in the campaign window.

    The campaign window meets fewer calendar periods (ISO weeks, months,
    quarters, as the loader counts them) with a working day than ``times``, fewer occurrences were expanded than asked for, or an
    occurrence's window lies outside the campaign or holds no working time.
    """

    code = "CF205"
    name = "time.repeat-does-not-fit"
    default_severity = Severity.ERROR
    summary = Text("a repeated task has more occurrences than its window has periods",
                   "重复任务的次数超过时间窗内的周期数")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        axis = ctx.analysis.axis
        series: dict[str, list[Task]] = {}
        for task in campaign.tasks.values():
            if task.repeat is not None:
                series.setdefault(task.series, []).append(task)
        found: list[tuple[str, Task, tuple[Repeat, Text]]] = []
        periods: dict[str, int] = {}
        for occurrences in series.values():
            first = occurrences[0]
            rep = first.repeat
            assert rep is not None  # noqa: S101 - grouped on it above
            if rep.every not in periods:
                periods[rep.every] = _working_periods(campaign, axis, rep.every)
            problem = _misfit(campaign, axis, occurrences, rep.times, periods[rep.every])
            if problem is not None:
                found.append((task_key(first, "repeat"), first, (rep, problem)))
        for hit in per_key(found):
            task, (rep, problem), more = hit.task, hit.item, hit.more
            yield ctx.finding(
                Text(f"task '{task.series}' repeats every {rep.every}, {rep.times} times, but {problem.en}{more.en}",
                     f"任务“{task.series}”每{_EVERY_ZH[rep.every]}一次,共{rep.times}次,但{problem.zh}{more.zh}"),
                key_path=hit.key,
                tasks=hit.tasks,
                hint=Text("lower `times`, choose a shorter period, or widen the campaign window",
                          "减少重复次数(times)、缩短周期,或延长活动时间"),
            )


_EVERY_ZH = {"week": "周", "month": "月", "quarter": "季"}


def _working_periods(campaign: Campaign, axis: WorkAxis, every: str) -> int:
    """Periods the loader would window occurrences in that meet the campaign and hold a working day."""
    from ..load.expand import period_window  # the loader's own periods, so that both agree

    opens, closes = campaign.window_instants()
    first, last = opens.date(), (closes - timedelta(microseconds=1)).date()
    count, k = 0, 0
    while True:
        a, b = period_window(every, first, k)
        if a > last:
            return count
        count += axis.working_days_between(max(a, first), min(b, last)) > 0
        k += 1


def _misfit(campaign: Campaign, axis: WorkAxis, occurrences: list[Task], times: int, periods: int) -> Text | None:
    if periods < times:
        return Text(f"the campaign window has only {periods} such period{'' if periods == 1 else 's'} "
                    f"with a working day", f"活动时间内只有{periods}个含工作日的周期")
    expanded = [t for t in occurrences if t.occurrence is not None]
    if expanded and len(expanded) < times:
        return Text(f"only {len(expanded)} occurrence(s) fit", f"只能安排{len(expanded)}次")
    lo, hi = campaign.window_instants()
    for task in expanded:
        s, d = task.window.earliest(), task.window.deadline()
        if (s is not None and s < lo) or (d is not None and d > hi):
            return Text(f"occurrence '{task.id}' falls outside the campaign window", f"第{task.occurrence}次超出活动时间")
        if s is not None and d is not None and axis.pos(d) <= axis.pos(s):
            return Text(f"occurrence '{task.id}' has no working time in its window ({start(s)} .. {finish(d).en})",
                        f"第{task.occurrence}次的时间窗({start(s)}至{finish(d).zh})内没有工作时间")
    return None


class CalendarNotCovered(Check):
    """A date of the plan lies in a year the campaign calendar does not know.

    ``cn-workdays`` knows the years of the installed ``chinesecalendar``
    release; for any other year it could only guess (Monday to Friday), and
    then a deadline on National Day passes without a word. One finding per
    such year, at the first date of the plan in it, with how many dates the
    year holds and which data lacks it. The fix is the year's notice itself,
    ``[calendar.overrides.YEAR]``, or a newer package.
    """

    code = "CF206"
    name = "time.calendar-not-covered"
    default_severity = Severity.WARNING
    summary = Text("a date lies in a year the official calendar does not cover", "日期所在年份不在官方日历数据范围内")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        calendar, campaign = ctx.calendar, ctx.campaign
        known: dict[int, bool] = {}
        hits: dict[int, list[tuple[str, date, str | None]]] = {}

        def note(key: str, m: Moment | None, task: str | None = None) -> None:
            if m is None:
                return
            d = _day_of(m)
            if d.year not in known:
                known[d.year] = calendar.covers(d)
            if not known[d.year]:
                hits.setdefault(d.year, []).append((key, d, task))

        note("campaign.start", campaign.start)
        note("campaign.end", campaign.end)
        for name, m in campaign.dates.items():
            note(f"campaign.dates.{name}", m)
        def uncovered(m: Moment | None) -> bool:
            if m is None:
                return False
            year = _day_of(m).year
            if year not in known:
                known[year] = calendar.covers(_day_of(m))
            return not known[year]

        def dates_of(task: Task) -> list[tuple[bool, str, Moment]]:
            # (whether a window field, field, date) of each uncovered date, in the order noted.
            w = task.window
            out = [(True, field, m) for field, m in (("on", w.on), ("start", w.start), ("due", w.due))
                   if uncovered(m)]
            out += [(False, f"approvals[{i}].due", step.due) for i, step in enumerate(task.approvals)
                    if uncovered(step.due)]
            out += [(False, f"reports_to[{i}].due", sub.due) for i, sub in enumerate(task.reports_to)
                    if uncovered(sub.due)]
            return out

        # The uncovered dates of a task depend only on its (frozen) window, approvals and
        # submissions' dues, which template instances share: looked at once per combination.
        seen: dict[tuple[int, int, tuple[Moment | None, ...]], list[tuple[bool, str, Moment]]] = {}
        for task in campaign.tasks.values():
            # The key paths are built only for the dates that are reported (``note``
            # keeps the order): a million tasks' windows are otherwise all covered.
            rt = task.reports_to
            key = (id(task.window), id(task.approvals), tuple([r.due for r in rt]) if rt else ())
            dates = seen.get(key)
            if dates is None:
                dates = seen[key] = dates_of(task)
            for is_window, field, m in dates:
                note(window_key(task, field) if is_window else task_key(task, field), m, task.id)
        source = calendar.data_source
        data = Text(f" (the data of {source} lacks it)", f"({source} 的数据不含该年)") if source else Text("", "")
        for year, found in sorted(hits.items()):
            key, first, _ = found[0]
            tasks = list(dict.fromkeys(t for _, _, t in found if t is not None))
            n = len(found)
            yield ctx.finding(
                Text(f"{n} date{'' if n == 1 else 's'} of the plan fall{'s' if n == 1 else ''} in {year} "
                     f"(first: {day(first).en}), a year the '{calendar.name}' calendar does not cover{data.en}: "
                     f"its holidays and adjusted working days are unknown, and Monday to Friday is only a guess",
                     f"方案中有{n}个日期在{year}年(最早为{day(first).zh}),“{calendar.name}”日历不含该年{data.zh}:"
                     f"该年的节假日和调休未知,按周一至周五计算只是推测"),
                key_path=key,
                tasks=tasks,
                hint=Text(f"declare the State Council's notice for {year} under [calendar.overrides.{year}] "
                          f"(holidays, workdays), or install a calendar package that knows {year}",
                          f"请在 [calendar.overrides.{year}] 中写明国务院办公厅{year}年节假日安排(holidays、workdays),"
                          f"或安装包含{year}年数据的日历包"),
            )


class NoTimeLimit(Check):
    """A task has no time limit: no ``due`` and no ``on`` (the 明确时限 rule).

    Many documents demand one ("要明确时限", "明确任务完成时限"); without it a
    task may take until the campaign ends and no check can hold it to
    anything. Opt-in: it runs on plans that configure it
    (``[checks.options.CF207]``, an empty table will do). Options
    ``except_kinds``: task kinds that need none (a standing duty);
    ``kinds``: if given, only tasks of these kinds need one. A
    template's instances, and a repeated task's occurrences, are reported once.
    """

    code = "CF207"
    opt_in = True
    name = "time.no-time-limit"
    default_severity = Severity.WARNING
    summary = Text("a task has no time limit (no due, no on)", "任务未明确完成时限(没有 due 或 on)")
    # `kinds` has no default (None: every kind); declared so that the loader knows the key.
    options = {"except_kinds": [], "kinds": None}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        exempt = {str(k) for k in ctx.options.get("except_kinds", [])}
        only = ctx.options.get("kinds")
        kinds = None if only is None else {str(k) for k in only}
        found = [(task_key(task), task, None) for task in ctx.campaign.tasks.values()
                 if task.window.deadline() is None and task.kind not in exempt
                 and (kinds is None or task.kind in kinds)]
        for hit in per_key(found):
            task = hit.task
            yield ctx.finding(
                Text(f"task '{task.id}' has no time limit (no due or on){hit.more.en}",
                     f"任务“{task.id}”未明确完成时限(没有 due 或 on){hit.more.zh}"),
                key_path=hit.key,
                tasks=hit.tasks,
                units=[task.lead],
                hint=Text('give it a deadline, e.g. due = "@poverty_day", or ask the issuer for one',
                          '请添加截止日期,例如 due = "@poverty_day",或请发文单位明确'),
            )


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    return [OutsideCampaign, DeadlineUnmeetable, NonWorkingDay, EmptyWindow, RepeatDoesNotFit, CalendarNotCovered,
            NoTimeLimit]
