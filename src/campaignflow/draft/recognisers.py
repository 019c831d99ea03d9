"""The built-in recognisers: owners, times, submissions and approvals, solicitations.

Registered as a plugin like any third-party recogniser, through
``campaignflow_register_recognisers`` (in ``builtin.py``, which imports this
module only when a document is first drafted: its patterns take a while to compile).
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import ClassVar

import attrs

from .base import DraftContext, Field, Item, Recogniser
from .numerals import CN_NUMERAL, cn_to_int, normalize_digits

__all__ = ["LEAD_IN", "builtin_recognisers", "OWNER_PHRASES", "Phrase", "PhraseMatch", "PhraseRecogniser", "SUBMISSION_PHRASES", "DateRecogniser", "OwnerRecogniser", "SubjectRecogniser", "SolicitationRecogniser", "SubmissionRecogniser",
           "TableRecogniser", "split_names", "is_collective", "sentence_subject", "unit_name_like"]

_N = rf"(?:[0-9０-９]{{1,2}}|{CN_NUMERAL}{{1,3}})"
_SEP = re.compile(r"\s*(?:[、，,；;/]|和|及|与|以及)\s*")
# 各地, 全县各单位, 有关市县, 所属职业学校, 市直各学校, 省扶贫开发领导小组成员单位, 定点帮扶单位; not 全县 alone
# (the county itself), nor 牵头单位 / 本单位 (one unit), nor 各项 / 各类 (kinds of things, not units).
_COLLECTIVE = re.compile(r"^(?:全县|全省|全市|全区|全州|全乡|全镇).|^(?:有关|相关|所有|其他|所属|直属)|各(?![项种类])|"
                         r"(?<!牵头|责任|配合|承办|负责|发文|主办|协办)(?<![本该])单位$")


def is_collective(name: str) -> bool:
    """Whether a name stands for many units (各地, 各有关单位, 全县各单位, 成员单位)."""
    return bool(_COLLECTIVE.search(name))


def split_names(text: str) -> list[str]:
    """Unit names in a list: split on 、，,；和 及 与, each without a trailing 等 or (注)."""
    out = []
    for part in _SEP.split(text):
        part = re.sub(r"[(（][^)）]*[)）]", "", part).strip(" \t\u3000。.：:")
        part = re.sub(r"[)）(（]+$", "", part)
        part = re.sub(r"等+$", "", part)
        if 2 <= len(part) <= 20 and not re.search(r"[0-9]", part):
            out.append(part)
    return out


# --------------------------------------------------------------------------- phrases

@attrs.frozen
class Phrase:
    """A pattern that names units in a role: "由(X)负责" names a lead, "报(X)" a recipient.

    Attributes:
        pattern: the regex; its group ``who`` holds the names (a list split on 、，和 及),
            an optional group ``with`` more names (the partners of "X牵头，Y配合").
        role: what the names are to the task (``lead``, ``reports_to``, ``consent``, ``recommend`` ...).
        confidence: how sure a match is, 0..1.
    """

    pattern: re.Pattern[str]
    role: str
    confidence: float = 0.8


@attrs.frozen
class PhraseMatch:
    """One phrase found in an item: its names, where it stands."""

    phrase: Phrase
    names: list[str]
    partners: list[str]
    quote: str
    start: int  #: offset in the item's text
    end: int


class PhraseRecogniser(Recogniser):
    """Base of recognisers that read unit names from a table of phrases.

    Subclasses set ``phrases`` and turn the matches into fields in ``recognise``;
    a province's house style adds its own phrases by subclassing with a longer table.
    """

    phrases: ClassVar[tuple[Phrase, ...]] = ()

    def names(self, phrase: Phrase, raw: str) -> list[str]:
        """The unit names in a phrase's ``who`` (or ``with``) words."""
        return split_names(raw)

    def matches(self, text: str) -> Iterator[PhraseMatch]:
        """Every phrase match in ``text`` that names at least one unit, table order then text order."""
        for phrase in self.phrases:
            for m in phrase.pattern.finditer(text):
                names = self.names(phrase, m.group("who"))
                if not names:
                    continue
                extra = m.groupdict().get("with")
                partners = self.names(phrase, extra) if extra else []
                yield PhraseMatch(phrase, names, partners, m.group(0), m.start(), m.end())


# --------------------------------------------------------------------------- owners

_OWNER_PAREN = re.compile(r"[(（]\s*(责任单位|牵头单位|负责单位|承办单位)\s*[:：]\s*([^)）]{2,120})[)）]")
_LEAD_LINE = re.compile(r"(?:牵头单位|牵头部门)\s*[:：]\s*(.{2,80}?)(?=\s+责任单位|\s*责任单位|\s+进度安排|\s*进度安排|\n|$)")
_RESP_LINE = re.compile(r"(?:责任单位|配合单位|责任部门)\s*[:：]\s*(.{2,160}?)(?=\s+进度安排|\s*进度安排|\n|\s{2,}|$)")
#: Owners named in the sentence itself, the first that matches wins.
OWNER_PHRASES = (
    Phrase(re.compile(r"(?P<who>[^，,。；;]{2,20}?)牵头[，,、]\s*(?P<with>[^，,。；;]{2,40}?)(?:配合|参与|协助)"), "lead", 0.9),
    Phrase(re.compile(r"由(?P<who>[^，,。；;由]{2,20}?)(?:负责|牵头|统筹|具体组织|组织实施|做好)"), "lead", 0.85),
    Phrase(re.compile(r"^(?P<who>[^，,。；;：:]{2,20}?(?:办公室|办|局|部|委|厅|院|会|组|中心))负责"), "lead", 0.85),
    Phrase(re.compile(r"请(?P<who>[^，,。；;]{2,60}?)[，,]\s*(?:于|在)"), "lead", 0.75),
)


class OwnerRecogniser(PhraseRecogniser):
    """牵头单位 / 责任单位 / （责任单位：…） / 由…负责 / …牵头，…配合 / X负责…."""

    name = "builtin.owners"
    order = 100
    phrases = OWNER_PHRASES

    def recognise(self, item: Item, ctx: DraftContext) -> Iterable[Field]:
        for rx_text, base in ((item.text, item.start), (item.node_text, item.node_start)):
            m = _OWNER_PAREN.search(rx_text)
            if m:
                names = split_names(m.group(2))
                if m.group(1) == "牵头单位" and names:
                    yield Field("owners", (names[0], tuple(names[1:])), m.group(0), base + m.start(), 0.95)
                else:
                    yield self._first_is_lead(names, m, base)
                return
            lead_m = _LEAD_LINE.search(rx_text)
            resp_m = _RESP_LINE.search(rx_text)
            if lead_m or resp_m:
                leads = split_names(lead_m.group(1)) if lead_m else []
                resp = split_names(resp_m.group(1)) if resp_m else []
                m = lead_m or resp_m
                assert m is not None
                if leads:
                    yield Field("owners", (leads[0], tuple(leads[1:]) + tuple(resp)), m.group(0).strip(),
                                base + m.start(), 0.95)
                else:
                    yield self._first_is_lead(resp, m, base)
                return
            found = next(self.matches(rx_text), None)
            if found is not None:
                lead, *more = found.names
                yield Field("owners", (lead, tuple(more + found.partners)), found.quote, base + found.start,
                            found.phrase.confidence)
                return

    @staticmethod
    def _first_is_lead(names: list[str], m: re.Match[str], base: int) -> Field:
        if not names:
            return Field("owners", (None, ()), m.group(0), base + m.start(), 0.3,
                         ("a 责任单位 list with no unit names", "责任单位列表中未找到单位名称"))
        return Field("owners", (names[0], tuple(names[1:])), m.group(0), base + m.start(), 0.7,
                     (f"no 牵头单位 named; the first responsible unit, {names[0]}, is taken as lead",
                      f"未写明牵头单位;取第一个责任单位“{names[0]}”为牵头单位"))


#: What a unit's name ends with (省扶贫办, 各县市区教育部门, 所属职业学校, 市区各高中 ...).
_UNIT_END = re.compile(r"(?:部门|单位|学校|机关|工作队|局|办|委|部|厅|中心|小组|组|党委|政府|乡镇|街道|市|县|区|地|镇|乡|"
                       r"村|院|会|队|所|站|校|高中|初中|小学|企业|集团|公司|银行|媒体|协会|商会|团体|系统|行业)$")
#: Where a sentence's subject ends: its modal or first verb ("各地要", "审计部门依法", "各地组织开展").
_SUBJECT_END = re.compile(r"要|应|须|将|于|在|结合|开展|组织|分别|会同|对|按照|按|通过|积极|认真|立足|负责|牵头|可以|可|"
                          r"均|都|依法|持续|深入|把|以|做好|围绕|举办|召开|加强|推选|成立|建立|设立|制定|派出|发布")
#: What may stand before a sentence's subject: "“扶贫日”主题活动中，", "每季度", "“扶贫日”前夕，".
LEAD_IN = re.compile(r"^(?:(?:“[^”]{1,12}”[^，,。]{0,8}?中|在[^，,。]{1,16}?中|[^，,。]{1,12}?期间)[，,]\s*|"
                      r"(?:每(?:季度|月|周|年)|全年|年内|今年|[一二三四1-4]季度)[，,]?\s*|"
                      r"[^，,。]{1,12}?(?:前夕|前后|当天)[，,]\s*)")
#: "组织各市推选…", "要组织所属职业学校，面对…": the collective the sentence sets to work does the work.
_ORGANISED = re.compile(r"^(?:要|并|还要)?(?:组织|动员|发动)(?P<who>[^，,。；;()（）]{2,16}?(?:[(（][^)）]{1,24}[)）])?)(?:[，,]|推选|参与|参加|报名|申报|开展|面对|深入|到)")


# Words a name does not hold: a verb or modal inside means the "name" runs into the sentence.
_NOT_IN_NAME = re.compile(r"^(?:组织|开展|动员|发动|举办|参加|协调|举行|召开|制定|成立|推进|落实|做好|抓好|帮助|引导|支持|"
                          r"鼓励|发挥|立足|围绕|针对|按照|根据|通过|利用|向|为|要|请|由|对|在|于|把|将)|会同|选派|开展|结合|要|应当|须|通过|积极|认真|负责|牵头|配合")


def unit_name_like(name: str) -> bool:
    """Whether ``name`` reads as the name of a unit or of a collective of units."""
    return 2 <= len(name) <= 20 and bool(_UNIT_END.search(name) or re.fullmatch(r"各[\u4e00-\u9fff]{1,2}", name)) \
        and not re.search(r"[0-9“”《》:：]", name) and not _NOT_IN_NAME.search(name)


def _name_list(text: str) -> list[str] | None:
    """``text`` as a list of unit names, or ``None`` if any part is not one."""
    parts = [re.sub(r"[(（][^)）]*[)）]", "", p).strip(" \t\u3000") for p in _SEP.split(text.strip(" ，,"))]
    return parts if parts and all(unit_name_like(p) for p in parts) else None


def sentence_subject(text: str) -> tuple[list[str], int, int] | None:
    """The doers a sentence names first ("各地、各成员单位结合实际开展…"): names and the span of their words.

    The longest prefix (up to 40 characters) that ends where a modal or verb starts
    and reads as a list of unit names wins, so "各地党委组织部门、扶贫部门会同…"
    gives both departments, not "各地党委".
    """
    lead_in = LEAD_IN.match(text)
    base = lead_in.end() if lead_in else 0
    best: tuple[list[str], int, int] | None = None
    for m in _SUBJECT_END.finditer(text, base, min(len(text), base + 42)):
        names = _name_list(text[base:m.start()])
        if names:
            best = (names, base, m.start())
    if best is None:
        m = _ORGANISED.match(text, base)
        # "组织省直定点帮扶单位(包括省属企业、省属高校等),…": the bracketed gloss is no part of the name.
        who = re.sub(r"[(（][^)）]*[)）]$", "", m.group("who").strip()) if m else ""
        if m and is_collective(who):
            names = _name_list(who)
            if names:
                best = (names, base + m.start("who"), base + m.end("who"))
    return best


class SubjectRecogniser(Recogniser):
    """The sentence's subject as its doers: "各中小学校要…", "审计部门要…", "各地、各成员单位结合实际开展…",
    "组织各市推选…" (value: the names, in order)."""

    name = "builtin.subject"
    order = 100

    def recognise(self, item: Item, ctx: DraftContext) -> Iterable[Field]:
        text = item.text.lstrip()
        skip = len(item.text) - len(text)
        got = sentence_subject(text)
        if got:
            names, a, b = got
            if not names[0].startswith(("各项", "各种", "各类")):
                yield Field("subject", tuple(names), text[a:b], item.start + skip + a, 0.7,
                            (f"the sentence's subject {'、'.join(names)} is taken as doer",
                             f"取句子主语“{'、'.join(names)}”为承办单位"))


# --------------------------------------------------------------------------- times

_DATE = re.compile(rf"(?:(?P<y>[0-9]{{4}}|[〇零○一二三四五六七八九]{{4}})\s*年\s*)?(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*[日号]"
                   r"(?:\s*(?P<hh>[0-9]{1,2})\s*[:：]\s*(?P<mm>[0-9]{2}))?(?P<suffix>\s*(?:前后|之前|以前|前|当天|至|到|-|—|~))?")
_MONTH_END = re.compile(rf"(?P<m>{_N})\s*月\s*(?:份\s*)?(?P<w>底|末|中旬|上旬|下旬)\s*(?:前|之前)?")
# Not "前三季度" (the first three quarters: a period the work looks back on, "核算前三季度收入").
_QUARTERS = re.compile(r"(?<!前)(?P<q>[一二三四1-4](?:\s*[、,，至到-]\s*[一二三四1-4])*)\s*季度(?P<before>\s*(?:前|之前|以前))?")
_YEAR_END = re.compile(r"年终|年底|年末")
_HALF = re.compile(r"(上|下)半年")
_THIS_YEAR = re.compile(r"全年|今年(?!以来|来)|年内")
# "1017日前": a copy that lost its 月 (four digits before 日, the first two a month); read, for review.
_NO_MONTH = re.compile(r"(?<![0-9月])(?P<m>0?[1-9]|1[0-2])(?P<d>[0-3][0-9])\s*[日号](?P<suffix>\s*(?:前后|之前|以前|前))?")
_NAMED = re.compile("(?P<name>扶贫日)[\u201d\u300d\u2019\"]?(?P<rel>前后|前夕|之前|前|当天|期间|后)?")
#: 前后 (around a day): the plan format's documented `around` width, three calendar days either side.
AROUND = timedelta(days=3)
_EVERY = re.compile(r"每(季度|月|周|年)|按(月|季度|周)")
_AT_LEAST = re.compile(rf"全年(?:至少|不少于)?[^，,。；;]{{0,6}}?(?P<n>{_N})\s*次")
_TOTAL_DAYS = re.compile(rf"共\s*(?P<n>{_N})\s*天")


def _end_of_quarter(year: int, q: int) -> date:
    month = q * 3
    return date(year, month, _calendar.monthrange(year, month)[1])


class DateRecogniser(Recogniser):
    """Dates and deadlines: 10月22日前, 9月30日12:00前, 7月底前, 一季度, 二、三季度, 年终,
    扶贫日前后 / 前夕 / 当天, 每季度, 按月, 全年至少4次, 共5天; resolved in the document's year."""

    name = "builtin.dates"
    order = 100
    named_days = {"扶贫日": (10, 17), "国际消除贫困日": (10, 17)}

    def recognise(self, item: Item, ctx: DraftContext) -> Iterable[Field]:
        text = normalize_digits(item.text)
        year = ctx.year
        seen_date = False
        for m in _DATE.finditer(text):
            try:
                month, day = cn_to_int(m.group("m")), cn_to_int(m.group("d"))
                y = cn_to_int(m.group("y")) if m.group("y") else year
                if y is None:
                    yield Field("note", None, m.group(0), item.start + m.start(), 0.0,
                                (f"'{m.group(0).strip()}' has no year and the document gives none; no date set",
                                 f"“{m.group(0).strip()}”无年份且文档未给出年份;未设日期"))
                    continue
                value: date | datetime = date(y, month, day)
                if m.group("hh"):
                    value = datetime(y, month, day, int(m.group("hh")), int(m.group("mm")))
            except ValueError:
                yield Field("note", None, m.group(0), item.start + m.start(), 0.0,
                            (f"'{m.group(0).strip()}' is not a date", f"“{m.group(0).strip()}”不是有效日期"))
                continue
            seen_date = True
            suffix = (m.group("suffix") or "").strip()
            review = self._assumed(ctx, m.group(0), value) if not m.group("y") else None
            q, s = m.group(0).strip(), item.start + m.start()
            if suffix in ("前", "之前", "以前"):
                yield Field("due", value, q, s, 0.95 if review is None else 0.75, review)
            elif suffix == "前后":
                d0 = value if isinstance(value, date) and not isinstance(value, datetime) else value.date()
                lo, hi = d0 - AROUND, d0 + AROUND
                yield Field("start", lo, q, s, 0.5, (f"'{q}' read as {lo} to {hi} (the format's `around` width)",
                                                     f"“{q}”按 {lo} 至 {hi} 理解(格式 around 的默认宽度)"))
                yield Field("due", hi, q, s, 0.5)
            elif suffix in ("至", "到", "-", "—", "~"):
                yield Field("start", value, q, s, 0.9, review)
            else:
                # A bare date: the day the task happens, or the end of a range started above.
                yield Field("on", value, q, s, 0.85 if review is None else 0.7, review)
        if year is None:
            return
        if not seen_date:
            for m in _NO_MONTH.finditer(text):
                try:
                    value = date(year, int(m.group("m")), int(m.group("d")))
                except ValueError:
                    continue
                suffix = (m.group("suffix") or "").strip()
                q, s = m.group(0).strip(), item.start + m.start()
                why = (f"'{q}' read as {value}: the 月 seems lost in the copy", f"“{q}”按 {value} 理解:原文似缺“月”字")
                if suffix == "前后":
                    yield Field("start", value - AROUND, q, s, 0.4, why)
                    yield Field("due", value + AROUND, q, s, 0.4)
                else:
                    yield Field("due" if suffix else "on", value, q, s, 0.5, why)
                seen_date = True
                break
        for m in _MONTH_END.finditer(text):
            month = cn_to_int(m.group("m"))
            if not 1 <= month <= 12:
                continue
            last = _calendar.monthrange(year, month)[1]
            day = {"底": last, "末": last, "上旬": 10, "中旬": 20, "下旬": last}[m.group("w")]
            yield Field("due", date(year, month, day), m.group(0), item.start + m.start(),
                        0.9 if not ctx.year_assumed else 0.7, self._assumed(ctx, m.group(0), date(year, month, day)))
            seen_date = True
        for m in _QUARTERS.finditer(text):
            qs = [cn_to_int(c) for c in re.findall(r"[一二三四1-4]", m.group("q"))]
            if not qs or seen_date:
                continue
            if m.group("before"):
                first = min(qs)
                if first > 1:
                    yield Field("due", _end_of_quarter(year, first - 1), m.group(0), item.start + m.start(), 0.8)
                continue
            lo, hi = min(qs), max(qs)
            if lo > 1:
                yield Field("start", date(year, (lo - 1) * 3 + 1, 1), m.group(0), item.start + m.start(), 0.9)
            yield Field("due", _end_of_quarter(year, hi), m.group(0), item.start + m.start(), 0.9)
            seen_date = True
            break
        if not seen_date:
            named = list(self._named(item, text, ctx, year))
            seen_date = bool(named)
            yield from named
        m = _YEAR_END.search(text)
        if m and not seen_date:
            d = date(year, 12, 31)
            yield Field("due", d, m.group(0), item.start + m.start(), 0.6,
                        (f"'{m.group(0)}' read as {d}", f"“{m.group(0)}”按 {d} 理解"))
            seen_date = True
        m = _THIS_YEAR.search(text)
        if m and not seen_date:
            d = date(year, 12, 31)
            yield Field("due", d, m.group(0), item.start + m.start(), 0.5,
                        (f"'{m.group(0)}' read as due by {d}", f"“{m.group(0)}”按 {d} 前完成理解"))
            seen_date = True
        m = _HALF.search(text)
        if m and not seen_date:
            if m.group(1) == "上":
                yield Field("due", date(year, 6, 30), m.group(0), item.start + m.start(), 0.8)
            else:
                yield Field("start", date(year, 7, 1), m.group(0), item.start + m.start(), 0.8)
                yield Field("due", date(year, 12, 31), m.group(0), item.start + m.start(), 0.8)
            seen_date = True
        yield from self._recurrence(item, text)

    def _named(self, item: Item, text: str, ctx: DraftContext, year: int) -> Iterator[Field]:
        for m in _NAMED.finditer(text):
            md = ctx.named_days.get(m.group("name"))
            if md is None:
                continue
            day = date(year, *md)
            rel = m.group("rel") or ""
            q, s = m.group(0), item.start + m.start()
            if rel in ("前夕", "之前", "前"):
                yield Field("due", day - timedelta(days=1), q, s, 0.8,
                            (f"'{q}' read as due {day - timedelta(days=1)}", f"“{q}”按 {day - timedelta(days=1)} 前理解"))
            elif rel == "当天" or (rel == "" and re.search(r"(在|于)" + re.escape(m.group("name")) + r"(当天|举行|开展)?", text)):
                if rel == "" and not re.search(r"[在于]" + m.group("name"), text):
                    continue
                yield Field("on", day, q, s, 0.8)
            elif rel in ("前后", "期间"):
                # The document's own activity period (活动时间) if it gives one, else the format's `around` width.
                lo, hi = ctx.window if ctx.window else (day - AROUND, day + AROUND)
                yield Field("start", lo, q, s, 0.5, (f"'{q}' read as {lo} to {hi}", f"“{q}”按 {lo} 至 {hi} 理解"))
                yield Field("due", hi, q, s, 0.5)
            else:
                continue
            return

    def _recurrence(self, item: Item, text: str) -> Iterator[Field]:
        m = _EVERY.search(text)
        if m:
            every = {"季度": "quarter", "月": "month", "周": "week", "年": "year"}[m.group(1) or m.group(2)]
            if every != "year":
                times = {"quarter": 4, "month": 12, "week": 52}[every]
                at_least = _AT_LEAST.search(text)
                quote = m.group(0)
                if at_least:
                    times = cn_to_int(at_least.group("n"))
                    quote = text[m.start():at_least.end()] if at_least.start() > m.start() else at_least.group(0)
                yield Field("repeat", {"every": every, "times": times}, quote, item.start + m.start(), 0.8,
                            (f"'{m.group(0)}' read as every {every}, {times} times",
                             f"“{m.group(0)}”按每{m.group(1) or m.group(2)}一次、共 {times} 次理解"))
        m = _TOTAL_DAYS.search(text)
        if m:
            yield Field("duration", f"{cn_to_int(m.group('n'))}d", m.group(0), item.start + m.start(), 0.9)

    @staticmethod
    def _assumed(ctx: DraftContext, quote: str, value: object) -> tuple[str, str] | None:
        if ctx.year_assumed:
            return (f"'{quote.strip()}' read as {value}: the year is assumed, not in the document",
                    f"“{quote.strip()}”按 {value} 理解:年份为假定,文档未写明")
        return None


# --------------------------------------------------------------------------- submissions

#: Recipients and approval chains: "报送/函送/报X办" (a submission X receives), "征求本户同意" (consent),
#: "经村、镇推荐" (recommendation), in the order the document gives them.
SUBMISSION_PHRASES = (
    Phrase(re.compile(r"征求(?P<who>[^，,。；;]{1,6}?)(?:的)?同意"), "consent", 0.75),
    Phrase(re.compile(r"经(?P<who>[^，,。；;]{1,12}?)(?:推荐|审核|审批|同意)"), "recommend", 0.75),
    Phrase(re.compile(r"(?:报送|函送|上报|送交|报)(?:至|给|到)?\s*(?P<who>[^，,。；;、\s]{1,14}"
                      r"(?:办公室|办|局|委|部|室|组|厅|中心))"), "reports_to", 0.75),
)


class SubmissionRecogniser(PhraseRecogniser):
    """报送 / 函送 / 报…办 (a submission: ``reports_to``), 征求本户同意 (consent), 经村、镇推荐 (recommend)."""

    name = "builtin.submissions"
    order = 100
    phrases = SUBMISSION_PHRASES

    def names(self, phrase: Phrase, raw: str) -> list[str]:
        if phrase.role == "consent":
            # 征求本户同意: the household itself, named as the document's 贫困户.
            who = raw.replace("本", "") or "户"
            return [who if len(who) >= 2 else f"贫困{who}"]
        if phrase.role == "recommend":
            return [w.strip() for w in _SEP.split(raw) if w.strip()]  # 村、镇: one-character levels are names here
        return [raw]

    def recognise(self, item: Item, ctx: DraftContext) -> Iterable[Field]:
        found = sorted(self.matches(item.text), key=lambda f: f.start)
        for field in ("reports_to", "approvals"):
            mine = [f for f in found if (f.phrase.role == "reports_to") == (field == "reports_to")]
            if not mine:
                continue
            lo, hi = min(f.start for f in mine), max(f.end for f in mine)
            if field == "reports_to":
                names = list(dict.fromkeys(n for f in mine for n in f.names))
                yield Field(field, names, item.text[lo:hi], item.start + lo, 0.8)
                continue
            # Consent and recommendation come in the document's order; the quote spans them all.
            steps = [(n, f.phrase.role) for f in mine for n in f.names]
            yield Field(field, steps, item.text[lo:hi], item.start + lo, 0.75,
                        (f"read as approval steps: {', '.join(f'{w} ({k})' for w, k in steps)}",
                         f"按审批步骤理解:{'、'.join(f'{w}({k})' for w, k in steps)}"))


# --------------------------------------------------------------------------- solicitations

_SOLICIT = re.compile(r"募捐|募集|捐赠|捐款|认捐|认领|捐资|筹集善款")
_ASKED = (re.compile(r"(?:发动|动员)(?P<who>[^，,。；;]{2,20}?)(?:伸出|参与|踊跃|捐|认捐|献)"),
          re.compile(r"向(?P<who>[^，,。；;、“”]{2,16}?)(?:发出倡议|募|发出爱心倡议)"),
          re.compile(r"组织(?P<who>[^在于，,。；;、]{2,16}?)(?:参与捐赠|捐赠|捐款|认捐|爱心捐赠)"))


class SolicitationRecogniser(Recogniser):
    """募捐, 捐赠, 认捐, 认领: the task solicits; whom it asks, where the document says."""

    name = "builtin.solicitations"
    order = 100

    def recognise(self, item: Item, ctx: DraftContext) -> Iterable[Field]:
        m = _SOLICIT.search(item.text)
        if not m:
            return
        yield Field("kind", "solicitation", m.group(0), item.start + m.start(), 0.9)
        asked = next((m for m in (rx.search(item.text) for rx in _ASKED) if m), None)
        if asked:
            names = split_names(asked.group("who"))
            if names:
                yield Field("solicits", names, asked.group(0), item.start + asked.start(), 0.6,
                            (f"solicits {', '.join(names)}: check whom the drive asks",
                             f"募集对象按“{'、'.join(names)}”理解,请核对"))
                return
        yield Field("note", None, m.group(0), item.start + m.start(), 0.4,
                    (f"a solicitation ('{m.group(0)}') without whom it asks", f"募集活动(“{m.group(0)}”)未写明向谁募集"))


class TableRecogniser(Recogniser):
    """A 任务分工表 row: the 牵头单位 cell leads, the 责任单位 cell's units are partners (its first
    leads when the table has no 牵头 column, for review), the 完成时限 cell gives the time."""

    name = "builtin.table"
    order = 50  # before the running-text recognisers: the columns say outright what the words only suggest

    def recognise(self, item: Item, ctx: DraftContext) -> Iterable[Field]:
        if not item.cells:
            return
        by_role = {c.role: c for c in item.cells if c.text}
        lead_cell, resp_cell, time_cell = by_role.get("lead"), by_role.get("partners"), by_role.get("time")
        leads = split_names(lead_cell.text) if lead_cell else []
        resp = split_names(resp_cell.text) if resp_cell else []
        if leads:
            yield Field("owners", (leads[0], tuple(leads[1:]) + tuple(n for n in resp if n not in leads)),
                        lead_cell.text, lead_cell.start, 0.95)  # type: ignore[union-attr]
        elif resp:
            yield Field("owners", (resp[0], tuple(resp[1:])), resp_cell.text, resp_cell.start, 0.7,  # type: ignore[union-attr]
                        (f"the table has no 牵头单位; the first responsible unit, {resp[0]}, is taken as lead",
                         f"分工表无牵头单位;取第一个责任单位“{resp[0]}”为牵头单位"))
        if time_cell is not None:
            cell_item = Item(text=time_cell.text, start=time_cell.start, section=item.section,
                             node_text=time_cell.text, node_start=time_cell.start, heading=item.heading)
            yield from DateRecogniser().recognise(cell_item, ctx)


def builtin_recognisers() -> list[type[Recogniser]]:
    """The built-in recognisers (registered by ``campaignflow.draft.builtin``)."""
    return [TableRecogniser, OwnerRecogniser, SubjectRecogniser, DateRecogniser, SubmissionRecogniser,
            SolicitationRecogniser]
