"""Drafting: document text → work items → fields → a plan file that loads, with a review list."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import attrs

from .base import DraftContext, Field, Item, Recogniser
from .numerals import normalize_digits
from .outline import Node, line_of, parse_outline
from .recognisers import is_collective, sentence_subject, split_names
from .table import Row, table_rows

__all__ = ["DraftTask", "DraftUnit", "ReviewItem", "Trace", "extract"]

#: Top-level headings whose parts carry no work at all.
NO_WORK = ("指导思想", "总体要求", "活动主题", "主要目标", "目标任务", "实施范围", "活动时间", "基本原则",
           "工作原则", "重要意义", "活动目的", "工作目标", "总体目标")
#: Headings whose parts are requirements: only sentences with a concrete act (a date, a submission) are work.
REQUIREMENTS = ("要求", "组织领导", "保障", "措施", "纪律", "监督")
_VERB = re.compile(r"开展|组织|举办|召开|举行|制定|制发|报送|函送|上报|推荐|推选|发放|发送|发布|发出|制作|参加|"
                   r"宣传|募捐|募集|捐赠|慰问|走访|评选|表彰|总结|展示|推送|协调|实施|建立|派出|审计|部署|推进|"
                   r"落实|启动|完成|筛选|推介|设立|成立|培训|筹集|对接|督促|指导|核算|研究|印发|收集|通报|报道|"
                   r"跟踪|悬挂|发动|引导|提供|做好|抓好|保留|召集|选树|帮扶|资助|兑现|宣传推广|推广|报名|审核|"
                   r"发动|举行|送|办|帮助|动员|支持|鼓励|深化|调研|研判|了解|归入|配合|开设|演出|融入|"
                   r"核查|整改|公示|公布|刊登|评比|招募|考察|认建|认购|采收|销售|上一堂|慰问|访贫|表彰|倡导|加强|"
                   r"开通|征集|编印|拍摄|播出|播放|讲授|授课|捐|申报|核定|拨款|考核|评估|督查|检查")
_STRONG = re.compile(r"[0-9０-９一二三四五六七八九十]+\s*月|季度|年终|年底|报送|函送|上报|报[^，,。；]{0,8}(?:办|局|室)|"
                     r"审计|举行|成立|建立|按月|每季度")
#: Verbs that open an act of their own (a subset of _VERB: not 宣传, 推进, 做好, which also elaborate).
_ACT = re.compile(r"开展|组织|举办|召开|举行|制定|制发|协调|发放|发布|评选|报送|函送|开设|成立|建立|印发")
_LEVEL = re.compile(r"^[省市县区州乡镇村][级直]层面|^[省市县区州]级(?:层面)?(?:在|于|要|将)")
_DESCRIPTION = re.compile(r"^(?!以)[^，,。]{2,24}?(?:分别是|是|为)[^，,。]{0,40}")
# A node with parts does work of its own only where it names who does it.
_OWN_WORK = re.compile(r"负责|牵头|由[^，,。]{2,20}?(?:统筹|组织)")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_OWNER_TEXT = re.compile(r"[(（]\s*(?:责任单位|牵头单位|负责单位|承办单位)\s*[:：][^)）]*[)）]|"
                         r"(?:牵头单位|责任单位|配合单位|进度安排)\s*[:：].*", re.S)
_SCHEDULE = re.compile(r"进度安排\s*[:：]\s*(.+?)(?=\s{2,}|\n|[(（][一二三四五六七八九十]+[)）]|$)", re.S)
_SCHEDULE_PIECE = re.compile(r"[^；;。]+")
_TIME_START = re.compile(r"^\s*(?:[一二三四1-4](?:[、,，][一二三四1-4])*\s*季度|年终|年底|全年|每季度|每月|按月|"
                         r"[0-9一二三四五六七八九十]+\s*月|上半年|下半年)")
_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2}|19[0-9]{2})\s*年")


@attrs.frozen
class Trace:
    """Where a field of the draft came from."""

    field: str  #: the plan key: ``lead``, ``due``, ``approvals`` ...
    value: str  #: the value as written in the plan
    quote: str  #: the document's exact words
    line: int  #: 1-based line of the quote
    start: int  #: offset of the quote in the document
    confidence: float


@attrs.frozen
class ReviewItem:
    """Something the drafter is unsure of, for a person to check."""

    where: str  #: ``tasks.s3-1-2.lead``, ``campaign`` ...
    message: str  #: English
    message_zh: str  #: Chinese
    line: int | None = None
    quote: str | None = None


@attrs.frozen
class DraftUnit:
    """A unit (or, for 各地-style collectives, a group) made from a name the document uses."""

    id: str
    name: str
    kind: str
    group: bool = False


@attrs.frozen
class DraftTask:
    """One drafted task, its plan values and the trace of every field."""

    id: str
    title: str
    section: str
    line: int
    quote: str
    values: dict[str, Any] = attrs.field(eq=False)
    traces: tuple[Trace, ...] = ()
    heading: str = ""  #: the title of its outline node
    node_text: str = attrs.field(default="", repr=False)  #: the words of its outline node (owner lines included)
    #: the collectives (各地, 成员单位 ...) it is a template over, one template each; empty for a plain task
    template_for: tuple[str, ...] = ()
    #: the ids it was written under: ``(task id,)``, or one template id per collective
    written_as: tuple[str, ...] = ()


def _year(text: str) -> int | None:
    years = Counter(int(m.group(1)) for m in _YEAR.finditer(normalize_digits(text[:3000])))
    return years.most_common(1)[0][0] if years else None


def _title(text: str) -> str:
    for line in text.split("\n"):
        line = line.strip()
        if 4 <= len(line) <= 60 and re.search(r"方案|计划|通知|安排|意见", line):
            return line
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:60]
    return "未命名方案"


_ISSUER = re.compile(r"^(?:关于)?([\u4e00-\u9fff]{1,12}?(?:局|办公室|办|委员会|委|部|厅|县|区|市|省|镇|乡|街道|学校|中心))"
                     r"(?:[0-9]{4}|20xx|“|扶贫日|关于|开展|社会)")


def _issuer(text: str) -> str | None:
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()][:8]
    for line in lines:
        m = _ISSUER.match(line)
        if m and not m.group(1).startswith(("第", "今年", "我")):
            return m.group(1)
    return None


def _window(text: str, nodes: Sequence[Node], year: int | None) -> tuple[date, date] | None:
    for node in nodes:
        if "活动时间" in node.title and year is not None:
            body = normalize_digits(text[node.start:node.end])
            m = re.search(r"([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日\s*(?:至|到|-|—)\s*(?:([0-9]{1,2})\s*月\s*)?([0-9]{1,2})\s*日",
                          body)
            if m:
                try:
                    a = date(year, int(m.group(1)), int(m.group(2)))
                    b = date(year, int(m.group(3) or m.group(1)), int(m.group(4)))
                except ValueError:
                    return None
                return (a, b) if a <= b else None
    return None


def _context(text: str, nodes: Sequence[Node], recognisers: Sequence[Recogniser], year: int | None) -> DraftContext:
    found = _year(text)
    assumed = found is None
    ctx = DraftContext(text=text, year=year or found, year_assumed=assumed and year is None)
    for r in recognisers:
        ctx.named_days.update(r.named_days)
    ctx.window = _window(text, nodes, ctx.year)
    return ctx


def _kind_of_heading(node: Node, extra_no_work: Sequence[str]) -> str:
    top = node.ancestors[0] if node.ancestors else node.title
    if any(w in top for w in (*NO_WORK, *extra_no_work)):
        return "none"
    if any(w in top for w in REQUIREMENTS):
        return "requirements"
    return "work"


def _sentences(text: str, base: int) -> list[tuple[str, int]]:
    out = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0)
        lead = len(s) - len(s.lstrip(" \t\u3000"))
        s = s.strip(" \t\u3000")
        if len(s.strip("。；;,， ")) >= 4:
            out.append((s, base + m.start() + lead))
    return out


def _split_clauses(sentence: str, start: int) -> list[tuple[str, int]]:
    """Several acts in one sentence ("制发…倡议书,协调…短信,协调…视频") become one item each."""
    parts = [(m.group(0), m.start()) for m in re.finditer(r"[^,，]+[,，]?", sentence)]
    verbs = [_VERB.match(p.strip()) for p, _ in parts]
    # Three acts or more, or two with the same verb: a list of acts, not an act and its elaboration.
    if all(verbs) and (len(parts) >= 3 or (len(parts) == 2 and verbs[0].group(0) == verbs[1].group(0))):  # type: ignore[union-attr]
        return [(p, start + off) for p, off in parts]
    # "各地组织开展演讲比赛,省级层面在扶贫日前举行决赛": a clause with a doer of its own is another act.
    cuts = []
    for k in range(1, len(parts)):
        clause = parts[k][0].strip()
        if (verbs[k - 1] or _VERB.search(parts[k - 1][0])) and (_LEVEL.match(clause) or sentence_subject(clause)) \
                and _VERB.search(clause):
            cuts.append(parts[k][1])
    # "要开展干部职工捐赠活动,组织动员居民参与捐赠,组织志愿者开展募捐,对参与者赠予荣誉标识": each clause that
    # opens with an act verb starts an act; the clauses between elaborate the act before them.
    # "…开展扶贫考察,并召开座谈会": 并 with an act verb is a second act.
    acts = [k for k, (p, _) in enumerate(parts) if _ACT.match(re.sub(r"^(?:要|并|同时|还要)", "", p.strip()))]
    if not cuts and len(acts) >= 2 and acts[0] == 0:
        cuts = [parts[k][1] for k in acts[1:]]
    if cuts:
        bounds = [0, *cuts, len(sentence)]
        return [(sentence[a:b], start + a) for a, b in zip(bounds, bounds[1:]) if sentence[a:b].strip(",，")]
    for m in re.finditer(r"[,，](?=并(?:" + _ACT.pattern + "))", sentence):
        if m.start() >= 8 and len(sentence) - m.end() >= 8:
            return [(sentence[:m.start() + 1], start), (sentence[m.start() + 1:], start + m.start() + 1)]
    # "…深入研判薄弱环节,并针对反馈的问题,……,研究制定整改方案": 并 with a circumstance (针对, 结合 …) opens a
    # second act when an act verb follows in it.
    for m in re.finditer(r"[,，](?=并(?:针对|结合|围绕|按照|根据|通过))", sentence):
        rest = sentence[m.end():]
        if m.start() >= 8 and len(rest) >= 12 and _ACT.search(rest) and _VERB.search(sentence[:m.start()]):
            return [(sentence[:m.start() + 1], start), (sentence[m.start() + 1:], start + m.start() + 1)]
    # "于7月底前制定…并函送…,于10月22日前报送…": one act per deadline.
    cuts, last = [], 0
    for m in re.finditer(r"[,，](?=(?:并)?于[^，,。]{1,12}?前)", sentence):
        if re.search(r"于[^，,。]{1,12}?前", sentence[last:m.start()]):
            cuts.append(m.start())
            last = m.start() + 1
    if cuts:
        bounds = [0, *[c + 1 for c in cuts], len(sentence)]
        return [(sentence[a:b], start + a) for a, b in zip(bounds, bounds[1:]) if sentence[a:b].strip(",，")]
    return [(sentence, start)]


def items_of(text: str, nodes: Sequence[Node], extra_no_work: Sequence[str] = ()) -> list[Item]:
    """The work items of the document: one per act in a work-carrying node."""
    items: list[Item] = []
    parents = {n.parent for n in nodes if n.parent}
    shared = _shared_blocks(text, nodes)
    rows, headers = table_rows(text)
    # A task table's lines are read as rows (one task each), never as sentences.
    in_table = [(r.start, r.end) for r in rows] + headers
    placed: set[int] = set()
    for node in nodes:
        kind = _kind_of_heading(node, extra_no_work)
        if kind == "none":
            continue
        node_text = text[node.start:node.end]
        own_end = len(node_text)
        if node.label in parents:
            # A node with children: only the words before its first child are its own.
            child = next(n for n in nodes if n.parent == node.label)
            own_end = child.start - node.start
        block = shared.get(node.parent or "") if node.style == "cn-shi" else None
        if block is not None:
            # "一是…二是…三是… 牵头单位:X 责任单位:… 进度安排:…": the owner lines after the last 是-item are the
            # enclosing part's, so every 是-item reads them, and the last one's words stop where they start.
            own_end = min(own_end, block[0] - node.start)
            node_text = text[block[2]:block[1]]
        own = node_text[:own_end] if block is None else text[node.start:node.start + own_end]
        schedule = _SCHEDULE.search(own)
        if node.label in shared:
            # The enclosing part reads the shared block's schedule (进度安排) as its own stages.
            schedule = _SCHEDULE.search(text, shared[node.label][0], shared[node.label][1])
            node_text = text[node.start:shared[node.label][1]]
        body_end = _OWNER_TEXT.search(own)
        body = own[:body_end.start()] if body_end else own
        marker_len = node.title_end - node.start
        title_words = node.title
        short_title = len(title_words) <= 30 and len(body) > marker_len + 4
        # "2. 举办…成果展。组织…": a leaf's title that is a sentence with its own act is work, not a name.
        # (一)-style titles are headings ("(一)开展扶贫走访调研。"); 1.-style ones are often the act itself.
        title_is_act = (node.label not in parents and node.style in ("num", "num-paren", "circled")
                        and text[node.title_end:node.title_end + 1] == "。"
                        and bool(_VERB.match(title_words)))
        body_from = marker_len if short_title and not title_is_act else node.marker_end - node.start
        sentences = []
        for s, off in _sentences(body[body_from:], node.start + body_from):
            if any(a <= off < b for a, b in in_table):
                continue
            sentences.extend(_split_clauses(s, off))
        chosen = []
        marker_and_title = text[node.start:node.title_end].strip()
        for s, off in sentences:
            if s.strip("。；;:： ") == marker_and_title.strip("。；;:： "):
                continue  # the heading alone: the node's name, its work is in its parts
            if _DESCRIPTION.match(s) and not _VERB.match(s):
                continue  # "X是…", "X为…牵头单位": says what is, not what to do
            subject = sentence_subject(s)
            head = s[subject[2]:] if subject else s
            head = re.sub(r"^[，,\s]*(?:要|并|同时|还要|均要|都要|各[^，,]{0,12}?要)", "", head)
            if kind == "requirements" or (node.label in parents and not _OWN_WORK.search(own)):
                if _STRONG.search(s) and _VERB.search(s):
                    chosen.append((s, off))
            elif _VERB.search(head[:40]):
                chosen.append((s, off))
        if schedule:
            sched_base = 0 if node.label in shared else node.start
            pieces = [(m.group(0), sched_base + schedule.start(1) + m.start())
                      for m in _SCHEDULE_PIECE.finditer(schedule.group(1))]
            split = []
            for p, off in pieces:
                for q, qoff in [(x.group(0), off + x.start()) for x in re.finditer(r"[^,，]+", p)]:
                    if split and not _TIME_START.match(q):
                        _prev, poff = split[-1]
                        split[-1] = (text[poff:qoff + len(q)], poff)  # the document's words, comma included
                    else:
                        split.append((q, qoff))
            for p, off in split:
                if len(p.strip()) >= 4:
                    chosen.append((p.strip(), off + len(p) - len(p.lstrip())))
        own_rows = [r for r in rows if node.start <= r.start < node.start + own_end and r.start not in placed]
        if not chosen and not own_rows and kind == "work" and node.label not in parents and len(body.strip()) > 2:
            chosen = [(title_words, node.start + (len(own) - len(own.lstrip())))]
        for s, off in chosen:
            if block is not None:
                items.append(Item(text=s, start=off, section=node.label, node_text=node_text,
                                  node_start=block[2], heading=title_words))
            elif node.label in shared:
                items.append(Item(text=s, start=off, section=node.label, node_text=node_text,
                                  node_start=node.start, heading=title_words))
            else:
                items.append(Item(text=s, start=off, section=node.label, node_text=node_text[:own_end],
                                  node_start=node.start, heading=title_words))
        items.extend(_row_item(text, r, node.label, title_words) for r in own_rows)
        placed.update(r.start for r in own_rows)
    # A table outside every numbered part (after the last, or in a document with no outline).
    items.extend(_row_item(text, r, "", "") for r in rows if r.start not in placed)
    return items


def _row_item(text: str, row: Row, section: str, heading: str) -> Item:
    """A 任务分工表 row as a work item: its task cell's words, the row's other cells beside them."""
    task = row.cell("task")
    words, start = (task.text, task.start) if task is not None else (text[row.start:row.end].strip(), row.start)
    return Item(text=words, start=start, section=section, node_text=text[row.start:row.end], node_start=row.start,
                heading=heading, cells=row.cells)


def _shared_blocks(text: str, nodes: Sequence[Node]) -> dict[str, tuple[int, int, int]]:
    """Parts whose 是-items (一是…二是…) end in owner lines: label -> (block start, block end, part start).

    The block (牵头单位:… 责任单位:… 进度安排:…) follows the last 是-item but names the owners of the
    whole part, as the same lines do after a part written without 是-items.
    """
    out: dict[str, tuple[int, int, int]] = {}
    by_label = {n.label: n for n in nodes}
    for parent in {n.parent for n in nodes if n.parent}:
        children = [n for n in nodes if n.parent == parent]
        if not children or any(c.style != "cn-shi" for c in children) or parent not in by_label:
            continue
        last = children[-1]
        m = re.search(r"(?:牵头单位|牵头部门|责任单位|进度安排)\s*[:：]", text[last.start:last.end])
        if m:
            out[parent] = (last.start + m.start(), last.end, by_label[parent].start)
    return out


# ------------------------------------------------------------------------------ units and ids

def _pinyin(name: str) -> str:
    try:
        from pypinyin import lazy_pinyin  # the "draft" extra; ids fall back to a checksum without it
    except ImportError:
        return f"u{zlib.crc32(name.encode('utf-8')):08x}"
    slug = "-".join(p for p in (re.sub(r"[^a-z0-9]", "", s.lower()) for s in lazy_pinyin(name)) if p)
    return slug[:40].strip("-") or f"u{zlib.crc32(name.encode('utf-8')):08x}"


def _unit_kind(name: str) -> str:
    if is_collective(name):
        return "collective"
    for suffix, kind in (("县", "county"), ("区", "district"), ("市", "city"), ("省", "province"), ("镇", "township"),
                         ("乡", "township"), ("街道", "township"), ("村", "village"), ("户", "household"),
                         ("学校", "school"), ("学院", "school"), ("银行", "enterprise"), ("公司", "enterprise"),
                         ("集团", "enterprise"), ("媒体", "media")):
        if name.endswith(suffix):
            return kind
    return "department"


class Units:
    """Names to ids: pinyin slugs, made unique with a numeric suffix, stable in document order."""

    def __init__(self) -> None:
        self.by_name: dict[str, DraftUnit] = {}
        self._ids: set[str] = set()

    def get(self, name: str) -> DraftUnit:
        name = name.strip()
        if name in self.by_name:
            return self.by_name[name]
        base = _pinyin(name)
        if not re.match(r"[a-z0-9]", base):
            base = "u-" + base
        uid, k = base, 2
        while uid in self._ids:
            uid, k = f"{base}-{k}", k + 1
        self._ids.add(uid)
        unit = DraftUnit(id=uid, name=name, kind=_unit_kind(name), group=is_collective(name))
        self.by_name[name] = unit
        return unit

    def as_unit(self, name: str) -> DraftUnit:
        """The collective ``name`` written as one unit (it leads a task), same id."""
        unit = attrs.evolve(self.get(name), group=False)
        self.by_name[unit.name] = unit
        return unit


def extract(text: str, recognisers: Sequence[Recogniser], *, year: int | None = None,
            extra_no_work: Sequence[str] = ()) -> tuple[DraftContext, list[Node], list[Item], list[list[Field]]]:
    """The context, outline, work items and each item's fields (recognisers in order)."""
    nodes = parse_outline(text)
    ctx = _context(text, nodes, recognisers, year)
    items = items_of(text, nodes, extra_no_work)
    fields = []
    for item in items:
        got: list[Field] = []
        for r in recognisers:
            got.extend(r.recognise(item, ctx))
        fields.append(got)
    return ctx, nodes, items, fields


def title_of(text: str) -> str:
    """The document's title line."""
    return _title(text)


def issuer_of(text: str) -> str | None:
    """The issuing unit named by the title, if it names one."""
    return _issuer(text)


def task_id(node_path: Sequence[int], k: int | None) -> str:
    """``s3-1-2`` for 三(一)2, with ``-k`` when the node holds several tasks."""
    base = "s" + "-".join(str(n) for n in node_path) if node_path else "s0"
    return base if k is None else f"{base}-{k}"


def moment_key(value: date | datetime) -> datetime:
    """A sortable instant: a date as its start of day."""
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def names_in(value: Any) -> list[str]:
    """Unit names of an ``owners`` field value, lead first."""
    lead, partners = value
    return ([lead] if lead else []) + [p for p in partners if p]


__all__ += ["extract", "items_of", "title_of", "issuer_of", "task_id", "moment_key", "names_in", "Units",
            "split_names"]
