"""Fields → a plan file: units and groups, tasks with traces, ``# review:`` comments; verified by loading."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import PlanError
from ..writer import _key, _value
from .base import Field, Recogniser
from .build import (DraftTask, DraftUnit, ReviewItem, Trace, Units, extract, issuer_of, moment_key, names_in, task_id,
                    title_of)
from .recognisers import LEAD_IN, is_collective
from .order import suggest_after
from .outline import line_of

if TYPE_CHECKING:
    from ..plugins.manager import Plugins
    from . import Draft

_REVIEW_BELOW = 0.8
_SENT = re.compile(r"报送|上报|报告")
_CONTINUES = re.compile(r"\s*(?:要|并要|还要|同时要|同时|并)")
_EXPLICIT = 0.9  # an owner field this sure (牵头单位：…) is not overridden by the sentence's subject
_DATE_KEYS = ("start", "due", "on")
_PLACEHOLDER_DAY = date(2000, 1, 1)


def _short(text: str, n: int = 60) -> str:
    text = re.sub(r"\s+", " ", text).strip(" 。；;,，")
    return text if len(text) <= n else text[: n - 1] + "…"


def _campaign_id(title: str, year: int | None) -> str:
    from .build import _pinyin
    slug = _pinyin(re.sub(r"[0-9a-zA-Z“”\"《》()（）\s]", "", title)[:6])
    slug = re.sub(r"[^a-z0-9-]", "", slug)[:30].strip("-") or "draft"
    return f"{slug}-{year}" if year else slug


def assemble(text: str, source: str, recognisers: Sequence[Recogniser], *, year: int | None,
             plugins: Plugins) -> Draft:
    """Draft ``text`` with ``recognisers``; the result always loads (degrading field by field if it must)."""
    from . import Draft
    extra = tuple(w for r in recognisers for w in r.non_work_headings)
    ctx, nodes, items, fields = extract(text, recognisers, year=year, extra_no_work=extra)
    review: list[ReviewItem] = []
    units = Units()
    title = title_of(text)
    issuer_name = issuer_of(text)
    if ctx.year is None:
        review.append(ReviewItem("campaign", "the document names no year: no dates were set; draft again with --year",
                                 "文档未写明年份:未设任何日期;请用 --year 重新起草"))
    elif ctx.year_assumed:
        review.append(ReviewItem("campaign", f"the year {ctx.year} is assumed", f"年份 {ctx.year} 为假定"))
    paths = {n.label: n.path for n in nodes}
    per_section = Counter(i.section for i in items)
    seen_k: Counter[str] = Counter()
    leads: Counter[str] = Counter()
    tasks: list[DraftTask] = []
    used_ids: set[str] = set()
    last_subject: dict[str, tuple[Any, int]] = {}
    last_recipient: dict[str, list[str]] = {}
    for item, got in zip(items, fields, strict=True):
        seen_k[item.section] += 1
        tid = task_id(paths.get(item.section, ()), seen_k[item.section] if per_section[item.section] > 1 else None)
        # A part's own stages (s3-5-1-2) and its 是-items (三(五)1 二是: s3-5-1-2) can spell the same id.
        base_tid, n = tid, 1
        while tid in used_ids:
            n += 1
            tid = f"{base_tid}-{chr(ord('a') + n - 2)}" if n <= 27 else f"{base_tid}-x{n}"
        used_ids.add(tid)
        values: dict[str, Any] = {}
        traces: list[Trace] = []
        notes: list[tuple[str, str, str, int]] = []  # (key, en, zh, offset)
        for f in got:
            if f.review and (f.confidence < _REVIEW_BELOW or f.name == "note"):
                notes.append((f.name, f.review[0], f.review[1], f.start))
            if f.name == "note" or f.name in values:
                continue
            if f.name == "owners":
                lead, partners = f.value
                if lead is None and not partners:
                    continue
                values["owners"] = f.value
            else:
                values[f.name] = f.value
            traces.append(Trace(f.name, str(f.value), f.quote, line_of(text, f.start), f.start, f.confidence))
        if "reports_to" in values:
            last_recipient[item.section] = values["reports_to"]
        else:
            sent = _SENT.search(item.text)
            if sent and item.section in last_recipient:
                # "…函送省扶贫办,于10月22日前报送活动开展情况": a submission with no receiver of its own goes where
                # the one before it in the same part went.
                values["reports_to"] = last_recipient[item.section]
                who = "、".join(values["reports_to"])
                notes.append(("reports_to", f"'{sent.group(0)}' names no receiver: {who}, the receiver of the "
                              "submission before it, is taken", f"“{sent.group(0)}”未写明报送对象:沿用上一项的“{who}”",
                              item.start + sent.start()))
                traces.append(Trace("reports_to", str(values["reports_to"]), sent.group(0),
                                    line_of(text, item.start + sent.start()), item.start + sent.start(), 0.5))
        if "subject" in values:
            last_subject[item.section] = (values["subject"], item.node_start)
        elif _CONTINUES.match(item.text[_lead_in_end(item.text):]) and item.section in last_subject:
            # "定点帮扶单位要…。要组织…": a sentence with no subject of its own continues the one before it.
            values["subject"] = last_subject[item.section][0]
            notes.append(("subject", f"no subject of its own: {'、'.join(values['subject'])}, the doer of the sentence "
                          "before, is taken", f"本句无主语:沿用上一句主语“{'、'.join(values['subject'])}”", item.start))
            traces.append(Trace("subject", str(values["subject"]), item.text.strip()[:12], line_of(text, item.start),
                                item.start, 0.6))
        if "subject" in values:
            # The sentence's doers lead: a remark on how the owner list would have given the lead is moot.
            notes = [n for n in notes if n[0] != "owners"]
        if "owners" in values:
            lead = values["owners"][0]
            if lead:
                leads[lead] += 1
        tasks.append(DraftTask(id=tid, title=_short(item.text), section=item.section,
                               line=line_of(text, item.start), quote=item.text.strip(), values=values,
                               traces=tuple(traces), heading=item.heading,
                               node_text=item.node_text))
        for key, en, zh, off in notes:
            key = "lead" if key in ("owners", "subject") else key  # the plan key the field became
            review.append(ReviewItem(f"tasks.{tid}.{key}", en, zh, line_of(text, off), None))
    issuer = issuer_name or (leads.most_common(1)[0][0] if leads else None)
    if issuer is not None and issuer_name is None:
        review.append(ReviewItem("campaign.issuer", f"the title names no issuing unit; {issuer}, the most frequent "
                                 "lead, stands for it", f"标题未写明发文单位;暂以最常见的牵头单位“{issuer}”代替"))
    if issuer is None:
        issuer = "发文单位"
        review.append(ReviewItem("campaign.issuer", "no issuing unit found; a placeholder unit '发文单位' stands for it",
                                 "未找到发文单位;以占位单位“发文单位”代替"))
    issuer_unit = units.as_unit(issuer)  # the issuer is one unit, even when its name reads as a collective
    body = _emit(text, title, ctx, tasks, units, issuer_unit.id, review)
    review.extend(suggest_after(tasks))  # 在…基础上, …完成后, …之后: suggested, not written
    return _verified(text, source, body, tasks, units, review, plugins, Draft)


def _lead_in_end(text: str) -> int:
    m = LEAD_IN.match(text.lstrip())
    return (len(text) - len(text.lstrip())) + (m.end() if m else 0)


@attrs.frozen
class _Owners:
    """Who does a task: one lead unit, or templates over the collectives that lead it."""

    lead: str | None  #: the lead unit's id, ``None`` when the task is a template over ``collectives``
    partners: list[str]
    collectives: list[DraftUnit]


def _resolve_owners(task: DraftTask, units: Units, issuer: str, review: list[ReviewItem]) -> _Owners:
    owners = task.values.get("owners")
    subject = task.values.get("subject")
    sure = max((t.confidence for t in task.traces if t.field == "owners"), default=0.0)
    explicit = owners is not None and owners[0] and sure >= _EXPLICIT
    if subject and explicit:
        # "牵头单位：县委组织部" names the lead outright: the sentence's doers stand with it as partners.
        doers = [owners[0]]
        others = [n for n in [*subject, *owners[1]] if n != owners[0]]
    elif subject:
        # The doers the sentence names lead; the listed units stand with them as partners.
        doers = list(subject)
        others = [n for n in (names_in(owners) if owners else []) if n not in doers]
    elif owners and (owners[0] or owners[1]):
        doers = [owners[0]] if owners[0] else []
        others = list(owners[1]) if owners[0] else list(owners[1])
        if not doers:
            doers, others = others[:1], others[1:]
        if doers and is_collective(doers[0]):
            # "(责任单位:各地、各有关单位)": every collective at the head of the list does the work.
            while others and is_collective(others[0]):
                doers.append(others.pop(0))
    else:
        review.append(ReviewItem(f"tasks.{task.id}.lead", f"no owner found for {task.section or 'the preamble'}; "
                                 "the issuing unit is the lead", f"{task.section or '前言'}未找到责任单位;以发文单位为牵头单位",
                                 task.line, _short(task.quote, 30)))
        return _Owners(issuer, [], [])
    ids = [units.get(n) for n in doers]
    collectives = [u for u in ids if u.group] if ids and ids[0].group else []
    partners: list[str] = []
    lead = None if collectives else ids[0].id
    for u in [*ids, *(units.get(n) for n in others)]:
        if u.id != lead and u not in collectives and u.id not in partners:
            partners.append(u.id)
    return _Owners(lead, partners, collectives)


def _emit(text: str, title: str, ctx: Any, tasks: list[DraftTask], units: Units, issuer: str,
          review: list[ReviewItem]) -> dict[str, Any]:
    """The plan as data: campaign, then one entry per task with its trace comments."""
    out_tasks: list[_Entry] = []
    moments: list[datetime] = []
    quarterly = False
    section_latest: dict[str, date | datetime] = {}
    for task in tasks:
        for key in ("due", "on"):
            value = task.values.get(key)
            if value is not None and (task.section not in section_latest
                                      or moment_key(value) > moment_key(section_latest[task.section])):
                section_latest[task.section] = value
    # The days the parts' acts happen on ("10月17日当天"), for their undated acts (not the deadlines: "前" bounds
    # one act, it does not date the others).
    section_days: dict[str, set[date | datetime]] = {}
    first_dated: dict[str, int] = {}
    for index, task in enumerate(tasks):
        if task.values.get("on") is not None and not {"due", "start", "repeat"} & task.values.keys():
            section_days.setdefault(task.section, set()).add(task.values["on"])
            first_dated.setdefault(task.section, index)
    for index, task in enumerate(tasks):
        v = task.values
        owners = _resolve_owners(task, units, issuer, review)
        tr = {t.field: t for t in task.traces}
        rows: list[tuple[str, Any, str | None]] = [("title", task.title, None)]
        if task.section:
            rows.append(("section", task.section, None))
        if "kind" in v:
            rows.append(("kind", v["kind"], None))
        cite = _cite(tr.get("subject") or tr.get("owners"))
        rows.append(("lead", owners.lead if owners.lead is not None else "{unit}", cite))
        if owners.partners:
            rows.append(("partners", owners.partners, None))
        if "repeat" in v:
            rows.append(("repeat", v["repeat"], _cite(tr.get("repeat"))))
            quarterly = True
        else:
            on = v.get("on")
            if on is not None and ("due" in v or "start" in v):
                on = None
            if on is not None:
                rows.append(("on", on, _cite(tr.get("on"))))
                moments.append(moment_key(on))
            for key in ("start", "due"):
                if key in v:
                    rows.append((key, v[key], _cite(tr.get(key))))
                    moments.append(moment_key(v[key]))
            if "start" in v and "due" in v and moment_key(v["start"]) > moment_key(v["due"]):
                rows = [r for r in rows if r[0] != "start"]
            # A 是-item (三(五)12) is bounded by its part's schedule (三(五)1) when it has none of its own.
            latest = section_latest.get(task.section) or next(
                (section_latest[s] for s in sorted(section_latest, key=len, reverse=True)
                 if s and task.section.startswith(s) and "进度安排" in task.node_text), None)
            if not any(r[0] in _DATE_KEYS for r in rows) and latest is not None and "进度安排" in task.node_text:
                # The part's schedule (进度安排) bounds all of its work: an undated act is due by its last time.
                rows.append(("due", latest, "review: the last time of its part's schedule (进度安排)"))
                moments.append(moment_key(latest))
                review.append(ReviewItem(f"tasks.{task.id}.due", f"no time of its own: due by the last time of its "
                                         f"part's schedule, {latest}", f"无单独时间:按本部分进度安排的最后期限 {latest}",
                                         task.line))
            elif not any(r[0] in _DATE_KEYS for r in rows) and len(section_days.get(task.section, ())) == 1 \
                    and index > first_dated[task.section]:
                # Only the acts after it: they go on describing the event; one before it is an act of its own.
                # "参加10月17日当天组织…宣传活动。在区委广场现场设立宣传台,…": the undated act of a part whose one
                # dated act happens on a day is part of that event; it takes the day, for review.
                (when,) = section_days[task.section]
                rows.append(("on", when, "review: the day of the other act of its part"))
                moments.append(moment_key(when))
                review.append(ReviewItem(f"tasks.{task.id}.on", f"no time of its own: on {when}, the day of the "
                                         "other act of its part", f"无单独时间:按本部分另一项活动之日 {when}", task.line))
            elif not any(r[0] in _DATE_KEYS for r in rows) and ctx.window:
                lo, hi = ctx.window
                rows += [("start", lo, "review: the activity period (活动时间); no time of its own"), ("due", hi, None)]
                moments += [moment_key(lo), moment_key(hi)]
                review.append(ReviewItem(f"tasks.{task.id}.due", f"no time of its own: the activity period {lo} to "
                                         f"{hi} applies", f"无单独时间:按活动时间 {lo} 至 {hi}", task.line))
            elif not any(r[0] in _DATE_KEYS for r in rows) and (day := _campaign_day(title, ctx)) is not None \
                    and not re.search(r"结束后|之后|完成后|以后", task.quote):
                # The document names its day but gives this activity no time: suggest the day, never write it
                # (a deadline the document does not give is the author's to set).
                name, when = day
                review.append(ReviewItem(f"tasks.{task.id}.due", f"no date or deadline in the document's words; "
                                         f"perhaps by the campaign's day, {name} ({when})?",
                                         f"原文无时间或期限;是否在活动之日“{name}”({when})前完成?", task.line))
            elif not any(r[0] in _DATE_KEYS for r in rows):
                review.append(ReviewItem(f"tasks.{task.id}.due", "no date or deadline in the document's words",
                                         "原文无时间或期限", task.line))
        if "duration" in v:
            rows.append(("duration", v["duration"], _cite(tr.get("duration"))))
        if "approvals" in v:
            steps = []
            for who, kind in v["approvals"]:
                u = units.get(who)
                step: dict[str, Any] = {"by": u.id}
                if kind != "approve":
                    step["kind"] = kind
                steps.append(step)
            rows.append(("approvals", steps, _cite(tr.get("approvals"))))
        if "reports_to" in v:
            # A submission (报送, 函送, 报X办): the unit receives it (签收); it does not hold back what follows.
            rows.append(("reports_to", [units.get(n).id for n in v["reports_to"]], _cite(tr.get("reports_to"))))
        if "solicits" in v:
            rows.append(("solicits", [units.get(n).id for n in v["solicits"]], _cite(tr.get("solicits"))))
        rows.append(("doc", {"quote": task.quote, "note": f"line {task.line}"}, None))
        if not owners.collectives:
            out_tasks.append(_Entry(task.id, None, rows))
            tasks[index] = attrs.evolve(task, written_as=(task.id,))
            continue
        # A collective does the work: one template over it each, its members to be listed by a person.
        ids = []
        for group in owners.collectives:
            tid = f"{task.id}-{group.id}"
            ids.append(tid)
            head = [("title", f"{{unit.name}}:{task.title}", None)]
            out_tasks.append(_Entry(tid, group.id, head + rows[1:]))
        tasks[index] = attrs.evolve(task, template_for=tuple(g.name for g in owners.collectives), written_as=tuple(ids))
        for k, r in enumerate(review):
            if r.where.startswith(f"tasks.{task.id}."):
                review[k] = attrs.evolve(r, where=f"templates.{ids[0]}.task." + r.where.split(".", 2)[2])
        names = "、".join(g.name for g in owners.collectives)
        review.append(ReviewItem(f"templates.{ids[0]}", f"{names} do the work: a template over each "
                                 f"({', '.join(ids)}); list each group's members", f"由“{names}”承办:"
                                 f"对每个集合各写一个模板({', '.join(ids)});请列出各组的成员", task.line))
    year = ctx.year
    if moments:
        start, end = min(moments).date(), max(moments).date()
    elif year:
        start, end = date(year, 1, 1), date(year, 12, 31)
    else:
        # A fixed placeholder, not today: the same document must always draft to the same plan.
        start = end = _PLACEHOLDER_DAY
        review.append(ReviewItem("campaign.start", f"no dates at all: the campaign window is a placeholder ({start})",
                                 f"全文无日期:活动时段为占位日期({start})"))
    if year and (quarterly or any(re.search(r"季度|年终|全年", t.quote) for t in tasks)):
        start, end = min(start, date(year, 1, 1)), max(end, date(year, 12, 31))
    if ctx.window:
        start, end = min(start, ctx.window[0]), max(end, ctx.window[1])
    return {"title": title, "issuer": issuer, "start": start, "end": end, "year": year, "tasks": out_tasks,
            "text": text, "named": "扶贫日" in text}


def _campaign_day(title: str, ctx: Any) -> tuple[str, date] | None:
    """The named day the document's title is about (扶贫日活动方案 → 扶贫日), in the campaign's year."""
    if ctx.year is None:
        return None
    for name, (month, day) in ctx.named_days.items():
        if name in title:
            return name, date(ctx.year, month, day)
    return None


@attrs.frozen
class _Entry:
    """One table of the plan: a task, or a template over a group (``for_each``)."""

    id: str
    for_each: str | None
    rows: list[tuple[str, Any, str | None]]

    @property
    def prefix(self) -> str:
        """Where its keys are, as review items and load problems name them."""
        return f"tasks.{self.id}." if self.for_each is None else f"templates.{self.id}.task."


def _cite(trace: Trace | None) -> str | None:
    if trace is None:
        return None
    mark = "" if trace.confidence >= _REVIEW_BELOW else "review: "
    return f"{mark}「{_short(trace.quote, 40)}」 line {trace.line}"


def _render(body: dict[str, Any], units: Units, review: Sequence[ReviewItem], *, drop: frozenset[str] = frozenset()
            ) -> str:
    lines = ["# Drafted by `campaignflow draft` from the document's words; check every `# review:` line.",
             "format = 1", "", "[campaign]",
             f"id = {_value(_campaign_id(body['title'], body['year']))}",
             f"name = {_value(body['title'])}",
             f"issuer = {_value(body['issuer'])}",
             f"start = {_value(body['start'])}",
             f"end = {_value(body['end'])}"]
    if body["named"] and body["year"] and "dates" not in drop:
        lines += ["", "[campaign.dates]", f"poverty_day = {_value(date(body['year'], 10, 17))}  # 扶贫日 = 10月17日"]
    rules = body["text"]
    if re.search(r"不准互请|不得互请|禁止互请", rules):
        exempt = bool(re.search(r"除对口帮扶|除定点帮扶|对口帮扶.{0,6}除外", rules))
        lines += ["", "# 不准互请 (no mutual solicitation)" + ("; 除对口帮扶部门外 (pairings exempt)" if exempt else ""),
                  "[checks.options.CF401]", f"exempt_pairings = {_value(exempt)}"]
    m = re.search(r"明确(?:任务)?(?:完成)?时限|限时完成|明确完成时间", rules)
    if m and "checks" not in drop:
        # "要明确时限": every task needs a deadline; the opt-in CF207 holds the plan to it.
        lines += ["", f"# 「{m.group(0)}」 line {line_of(rules, m.start())}: every task needs a time limit (CF207)",
                  "[checks.options.CF207]"]
    for u in units.by_name.values():
        lines.append("")
        if u.group:
            lines += [f"[groups.{_key(u.id)}]", f"name = {_value(u.name)}", "members = []",
                      "# review: a collective named by the document; list its members"]
        else:
            lines += [f"[units.{_key(u.id)}]", f"name = {_value(u.name)}", f"kind = {_value(u.kind)}"]
    notes: dict[str, list[ReviewItem]] = {}
    for r in review:
        notes.setdefault(r.where, []).append(r)
    for entry in body["tasks"]:
        tid, rows = entry.id, entry.rows
        if tid in drop:
            continue
        if entry.for_each is None:
            lines += ["", f"[tasks.{_key(tid)}]"]
        else:
            lines += ["", f"[templates.{_key(tid)}]", f"for_each = {_value(entry.for_each)}"]
            lines += [f"# review: {r.message_zh} / {r.message}" for r in notes.get(f"templates.{tid}", ())]
            lines.append(f"[templates.{_key(tid)}.task]")
        keys = {key for key, _, _ in rows}
        for where, items in notes.items():
            if where.startswith(entry.prefix) and where.rsplit(".", 1)[1] not in keys:
                lines += [f"# review: {r.message_zh} / {r.message}" for r in items]  # a note with no field of its own
        for key, value, cite in rows:
            if key in drop or f"{tid}.{key}" in drop:
                continue
            for r in notes.get(f"{entry.prefix}{key}", ()):
                lines.append(f"# review: {r.message_zh} / {r.message}")
            lines.append(f"{key} = {_value(value)}" + (f"  # {cite}" if cite else ""))
    return "\n".join(lines) + "\n"


def _verified(text: str, source: str, body: dict[str, Any], tasks: list[DraftTask], units: Units,
              review: list[ReviewItem], plugins: Plugins, draft_cls: Any) -> Any:
    from ..load import loads
    drop: set[str] = set()
    # Each round drops what the loader refused; the last resort is a plan of tasks with titles and leads only.
    for _round in range(4):
        toml = _render(body, units, review, drop=frozenset(drop))
        try:
            campaign = loads(toml, filename="draft.toml", plugins=plugins)
        except PlanError as exc:
            for p in exc.problems:
                path = p.location.key_path if p.location is not None else ""
                parts = path.split(".")
                if len(parts) >= 3 and parts[0] == "tasks":
                    field = parts[2].split("[")[0]
                    drop.add(f"{parts[1]}.{field}")
                elif len(parts) >= 4 and parts[0] == "templates" and parts[2] == "task":
                    drop.add(f"{parts[1]}.{parts[3].split('[')[0]}")
                elif len(parts) >= 2 and parts[0] == "templates":
                    drop.add(parts[1])
                review.append(ReviewItem(path or "plan", f"left out, the loader refused it: {p.message}",
                                         f"已略去,加载器拒绝:{p.message}"))
            if _round == 2:
                drop |= {"start", "due", "on", "repeat", "approvals", "reports_to", "solicits", "duration", "dates", "checks"}
            continue
        return draft_cls(toml=toml, campaign=campaign, tasks=tuple(tasks), units=tuple(units.by_name.values()),
                         review=tuple(review), source=source)
    msg = "internal error: the draft does not load"
    raise RuntimeError(msg)
