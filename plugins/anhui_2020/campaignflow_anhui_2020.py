"""Checks for the Anhui 2020 plan: the "五个一批" rule (codes AH001, AH002).

安徽省2020年扶贫日活动方案, 三、活动内容: "开展以'五个一批'为主要内容的扶贫日系列活动,
即总结一批、展示一批、宣传一批、帮扶一批、选树一批。" A plan of this kind must have
at least one task in each of the five categories; tasks say which one with a
tag ``五个一批:总结`` (``展示``, ``宣传``, ``帮扶``, ``选树``).

The rule is this document's, not a general one: the checks run on plans that
adopt them with ``[checks.options.AH001]`` / ``[checks.options.AH002]``
(``opt_in`` checks); the plugin's own plan does.
"""

from __future__ import annotations

from collections.abc import Iterator

from campaignflow.checks import Check, CheckContext
from campaignflow.findings import Finding, Severity, Text
from campaignflow.plugins import hookimpl

__all__ = ["CATEGORIES", "TAG_PREFIX", "EveryCategoryHasATask", "UnknownCategory", "category_of"]


#: The tag prefix that marks a task's 五个一批 category.
TAG_PREFIX = "五个一批:"

#: The five categories, in the document's order, with their English names.
CATEGORIES: dict[str, str] = {
    "总结": "summarise",
    "展示": "exhibit",
    "宣传": "publicise",
    "帮扶": "support",
    "选树": "select models",
}


def category_of(tag: str) -> str | None:
    """The category a tag names (``"五个一批:总结"`` -> ``"总结"``), or ``None`` for other tags."""
    if not tag.startswith(TAG_PREFIX):
        return None
    return tag[len(TAG_PREFIX):].strip()


def _categories(ctx: CheckContext) -> list[str]:
    # A plan may narrow or extend the list; the document's five are the default.
    return [str(c) for c in ctx.options.get("categories", list(CATEGORIES))]


class EveryCategoryHasATask(Check):
    """Every one of the 五个一批 categories has at least one task.

    Triggers on: a plan in which no task carries the tag ``五个一批:选树``
    (or any other of the five categories), e.g. after the section 三(五)
    was left out.

    Fix: add the missing activity, tagged::

        [tasks.city-recognition]
        title = "开展脱贫攻坚典型选树和表彰激励活动"
        lead = "hefei"
        tags = ["五个一批:选树"]

    Options (``[checks.options.AH001]``): ``categories``, the list of
    category names (default: 总结, 展示, 宣传, 帮扶, 选树).
    """

    code = "AH001"
    opt_in = True
    name = "anhui.five-batches-category-missing"
    default_severity = Severity.ERROR
    summary = Text("a 五个一批 category has no task", "“五个一批”中有一类没有任何任务")
    options = {"categories": list(CATEGORIES)}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        present = {category_of(tag) for task in ctx.campaign.tasks.values() for tag in task.tags}
        for category in _categories(ctx):
            if category in present:
                continue
            english = CATEGORIES.get(category, category)
            yield ctx.finding(
                Text(f"no task of the 五个一批 category '{category}' ({english}): the plan must carry out "
                     f"all five batches",
                     f"“五个一批”中的“{category}一批”没有任何任务:方案须开展全部五个一批活动"),
                key_path="campaign",
                hint=Text(f'add the activity with tags = ["{TAG_PREFIX}{category}"]',
                          f'补充该项活动,并标注 tags = ["{TAG_PREFIX}{category}"]'),
            )


class UnknownCategory(Check):
    """A ``五个一批:`` tag names no category of the five.

    Triggers on: ``tags = ["五个一批:总节"]`` (a typo), which would also
    leave its task out of AH001's count.

    Fix: use one of 总结, 展示, 宣传, 帮扶, 选树: ``tags = ["五个一批:总结"]``.
    """

    code = "AH002"
    opt_in = True
    name = "anhui.five-batches-unknown-category"
    default_severity = Severity.WARNING
    summary = Text("a 五个一批 tag names an unknown category", "“五个一批”标签的类别不存在")
    options = {"categories": list(CATEGORIES)}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        known = _categories(ctx)
        reported: set[tuple[str, str]] = set()
        for task in ctx.campaign.tasks.values():
            for i, tag in enumerate(task.tags):
                category = category_of(tag)
                if category is None or category in known:
                    continue
                # One finding per written tag: every instance of a template shares it.
                origin = (task.template or task.series, tag)
                if origin in reported:
                    continue
                reported.add(origin)
                yield ctx.finding(
                    Text(f"task '{task.id}' has the tag '{tag}', but '{category}' is not one of the "
                         f"五个一批 categories ({', '.join(known)})",
                         f"任务“{task.id}”的标签“{tag}”中,“{category}”不是“五个一批”的类别"
                         f"({'、'.join(known)})"),
                    key_path=f"tasks.{task.id}.tags[{i}]",
                    tasks=[task.id],
                )


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    """AH001 and AH002."""
    return [EveryCategoryHasATask, UnknownCategory]
