"""How close `campaignflow draft` comes to the hand-written plans of the five seed documents.

For each plugin in ``plugins/`` with a ``document.txt`` and a ``plan.toml``, the
document is drafted and compared with the plan a person wrote from it:

- a *work item* of the hand-written plan is a task or a template (a template's
  instances, and a repeated task's occurrences, count once);
- a draft task *matches* a work item when both give the same section and their
  words overlap most (character-bigram Jaccard of the draft's quote and the
  item's title and quote, at least 0.08), one-to-one, the matching of greatest total score (the same
  lead adds 0.05, which only breaks ties between items that quote the same words);
  a work item whose section the draft lacks may match any draft task of overlap ≥ 0.3;
- a drafted template (one per collective, 各地 / 成员单位) is one work item, its lead
  the group's name, as for the hand-written plan;
- *lead right*: the lead's Chinese name equals the item's (a template led by
  ``{unit}`` has its group's name as lead, one led by a fixed unit that unit's), or one
  contains the other (省扶贫办 / 扶贫办), every 各 ("each") set aside
  (各成员单位 / 省扶贫开发领导小组成员单位); for a group of places (kind city, county,
  township …) 各地 and 各市X (各市扶贫开发领导小组: each city's organ) count as its name;
- *partners*: precision and recall of the names, the same rule;
- *deadline right*: of the items with a deadline (``due`` or ``on``), the matched
  draft has the same instant; *dl+*: matched items where the draft sets a deadline
  and the hand-written plan has none;
- *submissions*: of the items with approval steps, the matched draft has some.

A second table sets aside the fields the plan's author marked ``ASSUMPTION`` (see
``assumed_fields``): readings the document does not carry, which a draft should leave open.

Run twice: as the drafter reads the document, and with ``year=`` the hand-written
plan's year for documents that give none (20xx年), as an author would pass ``--year``.

Usage: ``python benchmarks/bench_draft.py [--plugins DIR] [--json] [--misses]``. A script, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import networkx as nx

import campaignflow as cf
from campaignflow.draft import draft_plan

ROOT = Path(__file__).resolve().parents[1]


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"[\s，,。；;、:：()（）“”\"《》·…-]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _overlap(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def _same_name(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    # 各成员单位 (each member unit) names the group 省扶贫开发领导小组成员单位: 各 is "each", not part of the name
    # (so 全县各级部门各单位 and 全县各级各部门各单位 are one collective).
    bare_a, bare_b = (x.replace("各", "") if len(x.replace("各", "")) >= 3 else x for x in (a, b))
    return any(min(len(x), len(y)) >= 3 and (x in y or y in x) for x, y in ((a, b), (bare_a, bare_b)))


#: Group kinds that are the places under the issuer: the documents call them 各地 ("each place") as well as 各市.
_LOCALITY = {"city", "county", "district", "township", "prefecture"}


def _lead_right(ref: dict[str, Any], got: dict[str, Any]) -> bool:
    """The draft's lead names the reference's: the same name, or 各地 / 各市X for a group of places (各市).

    A plan's group of cities is one the document calls 各地 (each place) or addresses through each city's
    organ (各市扶贫开发领导小组): the template over that group is led by each city either way.
    """
    if _same_name(ref["lead"], got["lead"]):
        return True
    want, have = ref["lead"] or "", got["lead"] or ""
    return ref.get("lead_kind") in _LOCALITY and bool(have) and (
        have == "各地" or (want.startswith("各") and len(want) >= 2 and have.startswith(want)))


def _norm_section(s: str | None) -> str:
    return re.sub(r"\s", "", (s or "")).replace("（", "(").replace("）", ")")


def _instant(window: Any) -> datetime | None:
    return _moment(window.due if window.due is not None else window.on)


def _moment(v: Any) -> datetime | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, 23, 59, 59)
    return None


_TABLE = re.compile(r"^\[(?:tasks\.([\w-]+)|templates\.([\w-]+)\.task)\]")
_KEY = re.compile(r"^(lead|due|on|around|start|repeat)\s*=")
#: Words that say when: an item whose quote holds none of them gives its deadline nowhere in its own words.
_TIME_WORDS = re.compile(r"[0-9０-９一二三四五六七八九十]\s*[月日号]|季度|年终|年底|年末|前夕|前后|当天|每[月周年季]|按[月季周]|"
                         r"期间|全年|今年|年内|半年|活动时间|结束后|之后|完成后")


def assumed_fields(plan_path: Path) -> dict[str, set[str]]:
    """Which items' lead or deadline the plan's author marked as an ASSUMPTION (not in the document).

    A field counts as assumed when an ``ASSUMPTION`` comment stands on its line or in the comment
    lines directly above it: the hand-written plans mark every reading the document does not carry.
    """
    out: dict[str, set[str]] = {}
    key = None
    comments: list[str] = []
    lines = plan_path.read_text(encoding="utf-8").splitlines()
    # A banner "ASSUMPTION: the activities of 二 end on the Day (due "@poverty_day") unless the document says…"
    # marks every item of that value whose own words give no time ("deadline?": checked against the quote).
    general = {(k, v) for line in lines if line.lstrip().startswith("#") and "ASSUMPTION" in line
               for k, v in re.findall(r"\b(due|on|around)\s*=?\s*\"(@[\w-]+)\"", line)}
    for line in lines:
        stripped = line.strip()
        m = _TABLE.match(stripped)
        if m:
            key, comments = m.group(1) or m.group(2), []
            continue
        if stripped.startswith("#"):
            comments.append(stripped)
            continue
        k = _KEY.match(stripped)
        if key and k and ("ASSUMPTION" in line or any("ASSUMPTION" in c for c in comments)):
            out.setdefault(key, set()).add("lead" if k.group(1) == "lead" else "deadline")
        elif key and k and any(re.match(rf'{kk}\s*=\s*"{re.escape(v)}"', stripped) for kk, v in general):
            out.setdefault(key, set()).add("deadline?")
        comments = []
    return out


def reference_items(plan_path: Path) -> list[dict[str, Any]]:
    """The work items of a hand-written plan: one per task or template."""
    campaign = cf.load_plan(plan_path)
    raw = tomllib.loads(plan_path.read_text(encoding="utf-8"))
    assumed = assumed_fields(plan_path)
    names = {**{u.id: u.name for u in campaign.units.values()}, **{g.id: g.name for g in campaign.groups.values()}}
    items: dict[str, dict[str, Any]] = {}
    for t in campaign.tasks.values():
        key = t.template or t.id.split("#")[0]
        if key in items:
            continue
        tpl_task = raw.get("templates", {}).get(t.template, {}).get("task", {}) if t.template else {}
        lead_kind = None
        if t.template and tpl_task.get("lead", "{unit}") == "{unit}":
            # Each instance leads its own: the lead is the group (各市), as a drafted template's is.
            group = raw.get("templates", {}).get(t.template, {}).get("for_each")
            lead = names.get(group, group)
            lead_kind = campaign.groups[group].kind if group in campaign.groups else None
        else:
            lead = names.get(t.lead, t.lead)
        quote = t.doc.quote if t.doc is not None and t.doc.quote else ""
        deadline = _instant(t.window)
        items[key] = {"key": key, "section": _norm_section(t.section), "words": f"{t.title} {quote}",
                      "lead": lead, "lead_kind": lead_kind, "partners": {names.get(p, p) for p in t.partners},
                      "deadline": deadline, "approvals": bool(t.approvals or t.reports_to),
                      "lead_assumed": "lead" in assumed.get(key, set()),
                      "deadline_assumed": deadline is not None and (
                          "deadline" in assumed.get(key, set())
                          or ("deadline?" in assumed.get(key, set()) and not _TIME_WORDS.search(quote)))}
    return list(items.values())


def draft_items(draft: Any) -> list[dict[str, Any]]:
    """The work items of a draft: one per task or template, as for the hand-written plan.

    A drafted template's group is usually empty (the document does not list the
    members of 各地), so templates are read from the plan file, not from the
    expanded campaign.
    """
    c = draft.campaign
    names = {**{u.id: u.name for u in c.units.values()}, **{g.id: g.name for g in c.groups.values()}}
    items: dict[str, dict[str, Any]] = {}
    for t in c.tasks.values():
        key = t.template or t.id.split("#")[0]
        if key in items or t.template:
            continue
        items[key] = {"key": key, "section": _norm_section(t.section), "words": t.doc.quote if t.doc else t.title,
                      "lead": names.get(t.lead), "partners": {names.get(p, p) for p in t.partners},
                      "deadline": _instant(t.window), "approvals": bool(t.approvals or t.reports_to)}
    for key, tpl in tomllib.loads(draft.toml).get("templates", {}).items():
        task = tpl.get("task", {})
        partners = task.get("partners", [])
        due = task.get("due", task.get("on"))
        items[key] = {"key": key, "section": _norm_section(task.get("section")),
                      "words": task.get("doc", {}).get("quote", task.get("title", "")),
                      "lead": names.get(tpl.get("for_each")),
                      "partners": {names.get(p, p) for p in ([partners] if isinstance(partners, str) else partners)},
                      "deadline": _moment(due),
                      "approvals": bool(task.get("approvals") or task.get("reports_to"))}
    return list(items.values())


def match(ref: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[tuple[int, int]]:
    pairs = []
    for i, r in enumerate(ref):
        for j, g in enumerate(got):
            score = _overlap(r["words"], g["words"])
            same = r["section"] == g["section"]
            if (same and score >= 0.08) or score >= 0.3:
                # Two drafted templates over 各地 and 成员单位 quote the same words: a small bonus for the
                # same lead pairs each with its own reference item instead of crosswise (it breaks ties only).
                tie = 0.05 if _same_name(r["lead"], g["lead"]) else 0.0
                pairs.append((score + (1.0 if same else 0.0) + tie, i, j))
    # The one-to-one matching of greatest total score (networkx, a core dependency): a greedy
    # best-first pass would let one long reference quote take the draft item another fits better.
    graph = nx.Graph()
    for score, i, j in pairs:
        graph.add_edge(("r", i), ("g", j), weight=score)
    out = []
    for a, b in nx.max_weight_matching(graph):
        r, g = (a, b) if a[0] == "r" else (b, a)
        out.append((r[1], g[1]))
    return sorted(out)


def compare(plugin: Path, *, give_year: bool, misses: bool = False) -> dict[str, Any]:
    ref = reference_items(plugin / "plan.toml")
    ref_year = cf.load_plan(plugin / "plan.toml").start.year
    text = (plugin / "document.txt").read_text(encoding="utf-8")
    has_year = bool(re.search(r"(?<![0-9])20[0-9]{2}\s*年", text))
    draft = draft_plan(plugin / "document.txt", year=ref_year if give_year and not has_year else None)
    got = draft_items(draft)
    pairs = match(ref, got)
    row: dict[str, Any] = {"plan": plugin.name, "items": len(ref), "drafted": len(got), "found": len(pairs),
                           "missed": len(ref) - len(pairs), "spurious": len(got) - len(pairs), "loads": True,
                           "review": len(draft.review)}
    row["lead_right"] = sum(_lead_right(ref[i], got[j]) for i, j in pairs)
    # The same, over the items whose lead the document itself gives (the author marked no ASSUMPTION).
    stated = [(i, j) for i, j in pairs if not ref[i]["lead_assumed"]]
    row["lead_stated"] = len(stated)
    row["lead_stated_right"] = sum(_lead_right(ref[i], got[j]) for i, j in stated)
    tp = fp = fn = 0
    for i, j in pairs:
        want, have = ref[i]["partners"], got[j]["partners"]
        hit = {h for h in have if any(_same_name(h, w) for w in want)}
        tp += len(hit)
        fp += len(have) - len(hit)
        fn += sum(1 for w in want if not any(_same_name(h, w) for h in have))
    row.update(partners_tp=tp, partners_fp=fp, partners_fn=fn)
    with_deadline = [(i, j) for i, j in pairs if ref[i]["deadline"] is not None]
    row["deadlines"] = len(with_deadline)
    row["deadline_right"] = sum(ref[i]["deadline"] == got[j]["deadline"] for i, j in with_deadline)
    stated_dl = [(i, j) for i, j in with_deadline if not ref[i]["deadline_assumed"]]
    row["deadlines_stated"] = len(stated_dl)
    row["deadline_stated_right"] = sum(ref[i]["deadline"] == got[j]["deadline"] for i, j in stated_dl)
    # Where the deadline is the author's assumption, the draft should leave it open (for review), not guess.
    row["deadline_assumed_left_open"] = sum(got[j]["deadline"] is None for i, j in with_deadline
                                            if ref[i]["deadline_assumed"])
    # The other side: a deadline the draft sets where the hand-written plan has none.
    row["deadline_extra"] = sum(ref[i]["deadline"] is None and got[j]["deadline"] is not None for i, j in pairs)
    with_steps = [(i, j) for i, j in pairs if ref[i]["approvals"]]
    row["submissions"] = len(with_steps)
    row["submissions_found"] = sum(got[j]["approvals"] for i, j in with_steps)
    if misses:
        _print_misses(plugin.name, ref, got, pairs)
    return row


def _print_misses(name: str, ref: list[dict[str, Any]], got: list[dict[str, Any]], pairs: list[tuple[int, int]]) -> None:
    """What the draft got wrong, item by item: the place to look when improving a recogniser."""
    print(f"== {name}")
    found_r, found_g = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, r in enumerate(ref):
        if i not in found_r:
            print(f"  missed   {r['section']:10s} {r['key']:28s} {r['words'][:60]}")
    for j, g in enumerate(got):
        if j not in found_g:
            print(f"  spurious {g['section']:10s} {g['key']:28s} {g['words'][:60]}")
    for i, j in pairs:
        r, g = ref[i], got[j]
        if not _lead_right(r, g):
            mark = " (ASSUMPTION in the plan)" if r["lead_assumed"] else ""
            print(f"  lead     {r['section']:10s} {r['key']:28s} want {r['lead']} got {g['lead']}{mark}")
        if r["deadline"] is not None and r["deadline"] != g["deadline"]:
            mark = " (ASSUMPTION in the plan)" if r["deadline_assumed"] else ""
            print(f"  deadline {r['section']:10s} {r['key']:28s} want {r['deadline']} got {g['deadline']}{mark}")


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    -"


def table(rows: list[dict[str, Any]], title: str) -> str:
    head = (f"{'plan':24s} {'items':>5s} {'draft':>5s} {'found':>5s} {'miss':>4s} {'spur':>4s} {'recall':>7s} "
            f"{'prec':>7s} {'lead':>7s} {'part P':>7s} {'part R':>7s} {'deadl':>9s} {'dl+':>4s} {'subm':>7s} {'review':>6s}")
    lines = [title, head, "-" * len(head)]
    total: dict[str, int] = {}
    for r in [*rows, None]:
        if r is None:
            r = {"plan": "TOTAL", **total}
        else:
            for k, v in r.items():
                if isinstance(v, int) and not isinstance(v, bool):
                    total[k] = total.get(k, 0) + v
        lines.append(
            f"{r['plan']:24s} {r['items']:5d} {r['drafted']:5d} {r['found']:5d} {r['missed']:4d} {r['spurious']:4d} "
            f"{_pct(r['found'], r['items']):>7s} {_pct(r['found'], r['drafted']):>7s} "
            f"{_pct(r['lead_right'], r['found']):>7s} "
            f"{_pct(r['partners_tp'], r['partners_tp'] + r['partners_fp']):>7s} "
            f"{_pct(r['partners_tp'], r['partners_tp'] + r['partners_fn']):>7s} "
            f"{r['deadline_right']:3d}/{r['deadlines']:<3d}{'':2s} {r['deadline_extra']:4d} {r['submissions_found']:2d}/{r['submissions']:<2d}{'':2s} "
            f"{r['review']:6d}")
    return "\n".join(lines)


def stated_table(rows: list[dict[str, Any]]) -> str:
    """Leads and deadlines over the fields the documents state (with --year), beside the plain figures."""
    keys = ("lead_right", "found", "lead_stated_right", "lead_stated", "deadline_right", "deadlines",
            "deadline_stated_right", "deadlines_stated", "deadline_assumed_left_open")
    head = (f"{'plan':24s} {'lead':>11s} {'lead stated':>13s} {'deadl':>9s} {'deadl stated':>13s} "
            f"{'assumed dl left open':>21s}")
    lines = ["stated in the document only (fields the plan's author marked ASSUMPTION set aside)", head, "-" * len(head)]
    total = dict.fromkeys(keys, 0)
    for r in [*rows, None]:
        if r is None:
            r = {"plan": "TOTAL", **total}
        else:
            for k in keys:
                total[k] += r[k]
        assumed = r["deadlines"] - r["deadlines_stated"]
        lines.append(f"{r['plan']:24s} {r['lead_right']:3d}/{r['found']:<3d}{_pct(r['lead_right'], r['found']):>4s} "
                     f"{r['lead_stated_right']:3d}/{r['lead_stated']:<3d}{_pct(r['lead_stated_right'], r['lead_stated']):>6s} "
                     f"{r['deadline_right']:3d}/{r['deadlines']:<3d}{'':2s} "
                     f"{r['deadline_stated_right']:3d}/{r['deadlines_stated']:<3d}{_pct(r['deadline_stated_right'], r['deadlines_stated']):>6s} "
                     f"{r['deadline_assumed_left_open']:>14d}/{assumed:<3d}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plugins", type=Path, default=ROOT / "plugins")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--misses", action="store_true", help="list every miss, spurious item, wrong lead and deadline")
    args = ap.parse_args(argv)
    plugins = sorted(p for p in args.plugins.iterdir() if (p / "document.txt").is_file() and (p / "plan.toml").is_file())
    out = {}
    for give_year in (False, True):
        out["with_year" if give_year else "as_read"] = [compare(p, give_year=give_year, misses=args.misses and give_year)
                                                            for p in plugins]
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(table(out["as_read"], "draft as read (no --year)"))
        print()
        print(table(out["with_year"], "with --year for documents that give none (20xx年)"))
        print()
        print(stated_table(out["with_year"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
