"""Checks for the rules of the county's 2020 social poverty-alleviation plan (CS001, CS002).

Its third rule, 四(三) "明确任务完成时限", is the built-in opt-in check CF207 (it was CS003).

The document schedules every work item by quarter (进度安排), collects progress
every month (四(二)) and asks for a time limit on every task (四(三)). A plan
states its schedule with tags ``"进度安排:<the document's words>"``. These are
the document's own rules, not general ones: each check runs on the plans that
configure it (``[checks.options.CS001]``, even empty) and leaves every other plan alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

import attrs

from campaignflow.checks import Check, CheckContext
from campaignflow.findings import Finding, Severity, Text
from campaignflow.model import Campaign, Moment, Task, end_instant, start_instant

__all__ = [
    "SCHEDULE_PREFIX",
    "Span",
    "schedule_span",
    "schedule_phrases",
    "missing_periods",
    "QuarterSchedule",
    "MonthlyProgressLedger",
]

#: Tags starting with this prefix carry a task's schedule in the document's words.
SCHEDULE_PREFIX = "进度安排:"

#: The phrase that asks for one occurrence in every quarter.
EVERY_QUARTER = "每季度"

_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}
_QUARTER_EN = {1: "Q1", 2: "Q2", 3: "Q3", 4: "Q4"}


@attrs.frozen
class Span:
    """The dates a schedule phrase allows, in the campaign's first year.

    The task may start on or after ``first`` (``None``: whenever it likes)
    and must be finished by the end of ``last``.
    """

    first: date | None
    last: date
    label: Text


def _quarter_bounds(year: int, q: int) -> tuple[date, date]:
    first = date(year, 3 * q - 2, 1)
    nxt = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, nxt - timedelta(days=1)


def schedule_span(phrase: str, year: int) -> Span | None:
    """The dates ``phrase`` allows in ``year``, or ``None`` for a phrase this plugin does not know.

    Known phrases: ``一季度`` .. ``四季度`` (that quarter), ``全年`` (the whole
    year), ``年终`` (the year's end: the fourth quarter) and ``二季度前`` ..
    ``四季度前`` (finished before that quarter begins). ``每季度`` is not a span;
    ``QuarterSchedule`` checks it as a repeat.
    """
    if phrase == "全年":
        return Span(date(year, 1, 1), date(year, 12, 31), Text(f"the whole of {year}", f"{year}年全年"))
    if phrase == "年终":
        first, last = _quarter_bounds(year, 4)
        return Span(first, last, Text(f"the end of {year} (Q4)", f"{year}年年终(四季度)"))
    if len(phrase) == 3 and phrase.endswith("季度") and phrase[0] in _QUARTERS:
        q = _QUARTERS[phrase[0]]
        first, last = _quarter_bounds(year, q)
        return Span(first, last, Text(f"{_QUARTER_EN[q]} {year}", f"{year}年{phrase}"))
    if len(phrase) == 4 and phrase.endswith("季度前") and phrase[0] in _QUARTERS and phrase[0] != "一":
        q = _QUARTERS[phrase[0]]
        last = _quarter_bounds(year, q)[0] - timedelta(days=1)
        return Span(None, last, Text(f"before {_QUARTER_EN[q]} {year}", f"{year}年{phrase}"))
    return None


def _union(spans: list[Span]) -> Span:
    firsts = [s.first for s in spans]
    first = None if None in firsts else min(f for f in firsts if f is not None)
    label = Text(" + ".join(s.label.en for s in spans), "、".join(s.label.zh or s.label.en for s in spans))
    return Span(first, max(s.last for s in spans), label)


def schedule_phrases(task: Task, prefix: str = SCHEDULE_PREFIX) -> list[str]:
    """The schedule phrases of a task's ``进度安排:`` tags (``prefix``), in tag order."""
    return [t[len(prefix):] for t in task.tags if t.startswith(prefix)]



def _key(task: Task, field: str = "") -> str:
    # Where the author wrote the field: the template's task table, or the series' table.
    base = f"templates.{task.template}.task" if task.template is not None else f"tasks.{task.series}"
    return f"{base}.{field}" if field else base


def _window_key(task: Task, field: str) -> str:
    # Occurrences of a repeat get their window from the repeat, not from a written date.
    return _key(task, "repeat") if task.occurrence is not None and task.repeat is not None else _key(task, field)


def _day(m: Moment) -> date:
    return m.date() if isinstance(m, datetime) else m


def _deadline_day(task: Task) -> date | None:
    deadline = task.window.deadline()
    return None if deadline is None else (deadline - timedelta(microseconds=1)).date()


def _period(d: date, every: str) -> tuple[int, int]:
    return (d.year, d.month) if every == "month" else (d.year, (d.month - 1) // 3 + 1)


def _period_label(p: tuple[int, int], every: str) -> str:
    return f"{p[0]}-{p[1]:02d}" if every == "month" else f"{p[0]}Q{p[1]}"


def missing_periods(campaign: Campaign, tasks: Iterable[Task], every: str) -> list[str]:
    """Months (``every="month"``) or quarters of the campaign window in which none of ``tasks`` is due.

    Labels read ``2020-02`` or ``2020Q3``, in calendar order.
    """
    covered = {_period(d, every) for d in map(_deadline_day, tasks) if d is not None}
    day, last = _day(campaign.start), _day(campaign.end)
    missing: list[str] = []
    while day <= last:
        p = _period(day, every)
        if p not in covered:
            missing.append(_period_label(p, every))
        # The first day of the next month; quarters are visited month by month and deduplicated.
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return list(dict.fromkeys(missing))


def _series(tasks: Iterable[Task]) -> dict[str, list[Task]]:
    out: dict[str, list[Task]] = {}
    for task in tasks:
        out.setdefault(_key(task), []).append(task)
    return out


def _short(labels: list[str], limit: int = 12) -> str:
    return ", ".join(labels) if len(labels) <= limit else ", ".join(labels[:limit]) + f" … ({len(labels)})"



class QuarterSchedule(Check):
    """A task's window does not keep the quarter its ``进度安排`` tag gives.

    The county plan says when each stage happens in the document's words:
    ``一季度`` (Q1) .. ``四季度``, ``一、二季度`` (written as two tags), ``全年``,
    ``年终`` (Q4), ``二季度前`` (before Q2) and ``每季度`` (every quarter).
    Quarters are those of the year the campaign starts in. Runs on plans that
    configure it; option ``prefix`` (default ``"进度安排:"``) is the tag prefix.

    Opt in::

        [checks.options.CS001]
        prefix = "进度安排:"

    Triggers on::

        [tasks.counterpart-midyear]
        start = 2020-04-01
        due = 2020-07-15              # after the end of Q2
        tags = ["进度安排:二季度"]

    also on a task tagged ``每季度`` that does not repeat in every quarter of the
    campaign, and on an unknown phrase (``进度安排:第二季度``).

    Fix: move the dates into the quarter the document gives, or correct the tag.
    """

    code = "CS001"
    opt_in = True
    name = "county-social.quarter-schedule"
    default_severity = Severity.WARNING
    summary = Text("a task's dates do not keep the quarter its 进度安排 tag gives", "任务时间与其“进度安排”所写季度不符")
    options = {"prefix": SCHEDULE_PREFIX}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        prefix = str(ctx.options.get("prefix", SCHEDULE_PREFIX))
        year = _day(campaign.start).year
        every_quarter: list[Task] = []
        seen: set[str] = set()
        for task in campaign.tasks.values():
            phrases = schedule_phrases(task, prefix)
            if not phrases:
                continue
            if EVERY_QUARTER in phrases:
                every_quarter.append(task)
            spans = []
            for phrase in phrases:
                span = schedule_span(phrase, year)
                if span is not None:
                    spans.append(span)
                elif phrase != EVERY_QUARTER and _key(task, "tags") not in seen:
                    seen.add(_key(task, "tags"))
                    yield self._unknown(ctx, task, prefix + phrase)
            if spans and task.occurrence is None:
                finding = self._outside(ctx, campaign, task, _union(spans), seen)
                if finding is not None:
                    yield finding
        for key, series in _series(every_quarter).items():
            yield from self._every_quarter(ctx, campaign, key, series)

    @staticmethod
    def _unknown(ctx: CheckContext, task: Task, tag: str) -> Finding:
        return ctx.finding(
            Text(f"task '{task.id}' has schedule tag '{tag}', a phrase CS001 does not know",
                 f"任务“{task.id}”的进度安排标签“{tag}”无法识别"),
            key_path=_key(task, "tags"),
            tasks=[task.id],
            hint=Text("write one of 一季度 二季度 三季度 四季度 全年 年终 二季度前 三季度前 四季度前 每季度",
                      "请使用:一季度、二季度、三季度、四季度、全年、年终、二季度前、三季度前、四季度前、每季度"),
        )

    @staticmethod
    def _outside(ctx: CheckContext, campaign: Campaign, task: Task, span: Span, seen: set[str]) -> Finding | None:
        window = task.window
        earliest = window.earliest() or start_instant(campaign.start)
        deadline = window.deadline()
        if deadline is None:  # no time limit at all: CF207's business
            return None
        early = span.first is not None and earliest < start_instant(span.first)
        late = deadline > end_instant(span.last)
        if not (early or late):
            return None
        if late:
            field = "on" if window.on is not None else "due"
            key = _window_key(task, field)
        else:
            field = "on" if window.on is not None else "start"
            key = _window_key(task, field) if window.earliest() is not None else _key(task)
        if key in seen:  # the other instances of a template
            return None
        seen.add(key)
        first = span.first.isoformat() if span.first is not None else "…"
        allowed = Text(f"{span.label.en} ({first} .. {span.last.isoformat()})",
                       f"{span.label.zh}({first}至{span.last.isoformat()})")
        start_s, due_s = earliest.date().isoformat(), (deadline - timedelta(microseconds=1)).date().isoformat()
        return ctx.finding(
            Text(f"task '{task.id}' runs {start_s} .. {due_s}, outside {allowed.en}, which its schedule gives",
                 f"任务“{task.id}”的时间为{start_s}至{due_s},超出其进度安排所定的{allowed.zh}"),
            key_path=key,
            tasks=[task.id],
            hint=Text("move the task's dates into that period, or correct its 进度安排 tag",
                      "请将任务时间调整到该期间内,或更正其“进度安排”标签"),
            related=[_key(task, "tags")],
        )

    @staticmethod
    def _every_quarter(ctx: CheckContext, campaign: Campaign, key: str, series: list[Task]) -> Iterator[Finding]:
        task = series[0]
        if task.repeat is None or task.repeat.every != "quarter":
            yield ctx.finding(
                Text(f"task '{task.series}' is to happen every quarter (每季度) but does not repeat quarterly",
                     f"任务“{task.series}”应每季度开展,但未按季度重复"),
                key_path=key,
                tasks=[t.id for t in series],
                hint=Text('add repeat = { every = "quarter", times = 4 }', '请添加 repeat = { every = "quarter", times = 4 }'),
            )
            return
        missing = missing_periods(campaign, series, "quarter")
        if missing:
            yield ctx.finding(
                Text(f"task '{task.series}' is to happen every quarter (每季度), but no occurrence is due in "
                     f"{_short(missing)}",
                     f"任务“{task.series}”应每季度开展,但{_short(missing)}没有安排"),
                key_path=_key(task, "repeat"),
                tasks=[t.id for t in series],
                hint=Text("repeat it once in every quarter of the campaign", "请在活动期内每个季度各安排一次"),
            )


class MonthlyProgressLedger(Check):
    """The plan does not collect its progress every month (四(二) 按月收集).

    "建立数据信息汇总制度,按月收集社会扶贫专项计划推进情况": a plan that
    configures this check needs a task of kind ``progress-ledger`` (the ``kind``
    option) due once in every month of the campaign window.

    Opt in::

        [checks.options.CS002]
        kind = "progress-ledger"

    Triggers on::

        [tasks.progress-ledger]
        kind = "progress-ledger"
        repeat = { every = "quarter", times = 4 }    # eight months without a collection

    and on such a plan with no ``progress-ledger`` task at all.

    Fix: ``repeat = { every = "month", times = 12 }`` for a year-long campaign.
    """

    code = "CS002"
    opt_in = True
    name = "county-social.monthly-progress-ledger"
    default_severity = Severity.WARNING
    summary = Text("progress is not collected in every month of the campaign", "未按月收集工作推进情况")
    options = {"kind": "progress-ledger"}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        kind = str(ctx.options.get("kind", "progress-ledger"))
        ledgers = _series(t for t in campaign.tasks.values() if t.kind == kind)
        if not ledgers:
            yield ctx.finding(
                Text(f"the plan has no monthly progress collection: no task of kind '{kind}'",
                     f"方案没有按月收集推进情况的任务(kind 为“{kind}”的任务)"),
                key_path="campaign",
                hint=Text(f'add a task with kind = "{kind}" and repeat = {{ every = "month", times = 12 }}',
                          f'请添加 kind = "{kind}"、repeat = {{ every = "month", times = 12 }} 的任务'),
            )
            return
        for key, series in ledgers.items():
            missing = missing_periods(campaign, series, "month")
            if missing:
                task = series[0]
                yield ctx.finding(
                    Text(f"progress is collected by '{task.series}', but not in {_short(missing)}",
                         f"“{task.series}”未覆盖以下月份的推进情况收集:{_short(missing)}"),
                    key_path=_key(task, "repeat") if task.repeat is not None else key,
                    tasks=[t.id for t in series],
                    hint=Text('collect once a month: repeat = { every = "month", times = N }',
                              '请每月收集一次:repeat = { every = "month", times = N }'),
                )


#: The checks this plugin registers, in code order.
CHECKS: tuple[type[Check], ...] = (QuarterSchedule, MonthlyProgressLedger)
