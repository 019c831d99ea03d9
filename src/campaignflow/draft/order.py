"""Ordering words → suggested ``after`` dependencies, for the review list (never written into the plan).

"在…基础上" (building on), "…完成后" / "…结束后" (once … is done), "…之后" (after …)
say that one act follows another. The drafter names the earlier task whose words
best match what the phrase refers to, or, for "活动结束后" (once the activities are
over), every earlier task of another part. It only suggests: an author decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .build import DraftTask, ReviewItem

__all__ = ["ORDER_WORDS", "suggest_after"]

#: The ordering phrases; group ``x`` holds what the act follows.
ORDER_WORDS = re.compile(r"在(?P<a>[^，,。；;在]{2,30}?)(?:的)?基础上|"
                         r"(?P<b>[^，,。；;]{2,30}?)(?:完成|结束|开展|举办|召开)(?:以后|之后|后)|"
                         r"(?P<c>[^，,。；;]{2,30}?)之后")
# What the activities as a whole are called: "活动结束后" follows all of them.
_ALL = re.compile(r"^(?:各项|全部|所有|系列|上述|以上)?(?:各项)?(?:活动|工作|任务)$")
_MIN_OVERLAP = 0.25  # of the phrase's character pairs found in the earlier task's words


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"[\s，,。；;、:：()（）“”\"《》·…]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _overlap(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x) if x and y else 0.0


def _ref(task: DraftTask) -> list[str]:
    """How a dependency names ``task``: its id, or every instance of each of its templates."""
    if task.template_for:
        return [f"{tid}@*" for tid in task.written_as]
    return list(task.written_as or (task.id,))


def _where(task: DraftTask) -> str:
    first = (task.written_as or (task.id,))[0]
    return f"templates.{first}.task.after" if task.template_for else f"tasks.{first}.after"


def suggest_after(tasks: Sequence[DraftTask]) -> list[ReviewItem]:
    """One review item per task whose words say it follows another, naming the likely predecessors."""
    out = []
    for k, task in enumerate(tasks):
        m = ORDER_WORDS.search(task.quote)
        if not m:
            continue
        what = next(g for g in m.groups() if g).strip()
        what = re.sub(r"^(?:要|并|待|等|在|于)", "", what)
        if re.search(r"[0-9０-９]|年度?$|年的$", what):
            continue  # "在2019年的基础上": a baseline figure, not an earlier act
        earlier = [t for t in tasks[:k] if t.section != task.section or t.quote != task.quote]
        if _ALL.match(what):
            before = [t for t in earlier if t.section.split("(")[0] != task.section.split("(")[0] or not task.section]
            before = before or earlier
        else:
            scored = sorted(((_overlap(what, f"{t.heading} {t.quote}"), -i, t) for i, t in enumerate(earlier)),
                            key=lambda x: x[:2], reverse=True)
            before = [scored[0][2]] if scored and scored[0][0] >= _MIN_OVERLAP else []
        if not before:
            continue
        refs = [r for t in before for r in _ref(t)]
        shown = ", ".join(refs[:6]) + (f" (+{len(refs) - 6})" if len(refs) > 6 else "")
        out.append(ReviewItem(_where(task), f"'{m.group(0)}' says it follows other work: perhaps after = [{shown}]",
                              f"“{m.group(0)}”表明其在其他工作之后:可设 after = [{shown}]", task.line, m.group(0)))
    return out
