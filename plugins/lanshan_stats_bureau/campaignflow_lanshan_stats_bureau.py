"""Checks for the Lanshan statistics bureau plan (codes LS001-LS003).

区统计局扶贫日活动方案 states three rules that the plan format can express but
the built-in checks do not enforce:

- 三(七): households are recommended "在征求本户同意的原则下,经村、镇推荐": the
  household's consent comes first (LS001), and the recommendations climb the
  hierarchy, village before township (LS002).
- 四(二): the unit's plan goes to the district office before the activities;
  each activity of part 三 led by a unit that has an approved plan waits for
  that plan (LS003).

The checks run on plans that adopt them with ``[checks.options.LS00n]`` (see
``opt_in`` checks); the plugin's own plan does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from campaignflow.checks import Check, CheckContext
from campaignflow.findings import Finding, Severity, Text
from campaignflow.graph import build_graph
from campaignflow.model import Campaign, Task
from campaignflow.plugins import hookimpl

__all__ = ["ConsentFirst", "RecommendationsClimb", "ActivitiesAfterApprovedPlan"]


_RECOMMEND_KINDS = ("recommendation",)


def _str_list(ctx: CheckContext, key: str, default: Sequence[str]) -> list[str]:
    return [str(v) for v in ctx.options.get(key, default)]


def _recommendations(ctx: CheckContext) -> Iterator[Task]:
    kinds = _str_list(ctx, "kinds", _RECOMMEND_KINDS)
    return (t for t in ctx.campaign.tasks.values() if t.kind in kinds)


def _all_of_kind(campaign: Campaign, refs: Sequence[str], kind: str) -> bool:
    units = campaign.expand(tuple(refs))
    return bool(units) and all(campaign.units[u].kind == kind for u in units)


class ConsentFirst(Check):
    """A household recommendation starts with the household's consent.

    Applies to tasks of a recommendation kind (option ``kinds``, default
    ``["recommendation"]``). Their first approval step must be of kind
    ``consent``, given by household units (option ``consent_kind``, default
    ``household``).

    Triggers on::

        [tasks.recommend-households]
        title = "推介一批特殊贫困户"
        lead = "stats-bureau"
        kind = "recommendation"
        approvals = [{ by = "village", kind = "recommend" }]

    Fix: ask the household first::

        approvals = [
          { by = "household", kind = "consent" },
          { by = "village", kind = "recommend" },
        ]
    """

    code = "LS001"
    opt_in = True
    name = "lanshan.household-consent-first"
    default_severity = Severity.ERROR
    summary = Text("a household is recommended without its consent first", "推介贫困户前未先征求本户同意")
    options = {"kinds": list(_RECOMMEND_KINDS), "consent_kind": "household"}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        household = str(ctx.options.get("consent_kind", "household"))
        for task in _recommendations(ctx):
            steps = task.approvals
            if steps and steps[0].kind == "consent" and _all_of_kind(ctx.campaign, steps[0].by, household):
                continue
            first = (Text("it has no approval step", "该任务没有审批环节") if not steps else
                     Text(f"its first step is a '{steps[0].kind}' by {', '.join(steps[0].by)}",
                          f"其第一个环节是{'、'.join(steps[0].by)}的“{steps[0].kind}”"))
            yield ctx.finding(
                Text(f"task '{task.id}' recommends households, but {first.en}: the document requires "
                     f"the household's consent first (在征求本户同意的原则下)",
                     f"任务“{task.id}”推介贫困户,但{first.zh};文件要求先征求本户同意"),
                key_path=f"tasks.{task.id}.approvals" if steps else f"tasks.{task.id}",
                tasks=[task.id],
                hint=Text(f'make the first step {{ by = "<{household} unit>", kind = "consent" }}',
                          f'将第一个环节设为 {{ by = "<{household}单位>", kind = "consent" }}'),
            )


class RecommendationsClimb(Check):
    """Each recommendation step comes from above the previous step's units.

    "经村、镇推荐": the village recommends, then the township above it. A
    ``recommend`` step whose units are not all above the units of the step
    before it (in the ``parent`` hierarchy) is out of order.

    Triggers on::

        approvals = [
          { by = "household", kind = "consent" },
          { by = "township", kind = "recommend" },
          { by = "village", kind = "recommend" },
        ]

    Fix: village first, then township.
    """

    code = "LS002"
    opt_in = True
    name = "lanshan.recommendation-order"
    default_severity = Severity.ERROR
    summary = Text("recommendation steps do not climb the hierarchy", "推荐环节未按村、镇逐级向上")
    options = {"kinds": list(_RECOMMEND_KINDS)}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        for task in _recommendations(ctx):
            for i in range(1, len(task.approvals)):
                step, prev = task.approvals[i], task.approvals[i - 1]
                if step.kind != "recommend":
                    continue
                below = campaign.expand(prev.by)
                above = campaign.expand(step.by)
                ancestors = {b: set(campaign.ancestors(b)) for b in below}
                if all(a in ancestors[b] for a in above for b in below):
                    continue
                yield ctx.finding(
                    Text(f"task '{task.id}': step {i + 1} ({', '.join(step.by)}) does not stand above "
                         f"step {i} ({', '.join(prev.by)}); recommendations go up, village before township",
                         f"任务“{task.id}”:第{i + 1}个环节({'、'.join(step.by)})不在第{i}个环节"
                         f"({'、'.join(prev.by)})之上;推荐应逐级向上,先村后镇"),
                    key_path=f"tasks.{task.id}.approvals[{i}].by",
                    tasks=[task.id],
                    units=[*above, *below],
                )


class ActivitiesAfterApprovedPlan(Check):
    """An activity starts only after its lead's plan is approved.

    A unit's plan is a task of kind ``plan`` (option ``plan_kinds``) that is
    approved or sent to a unit (an approval step or ``reports_to``). Every task of that unit in an activity section
    (option ``sections``, prefixes, default ``["三"]``) must depend on the
    plan, directly or through other tasks, so that it waits for the approval.

    Triggers on::

        [tasks.briefing]
        section = "三(一)"
        lead = "stats-bureau"
        on = 2016-10-17

    while ``bureau-plan`` (kind ``plan``, sent to ``district-fpb``) is
    not among its prerequisites. Fix: ``after = ["bureau-plan"]``.
    """

    code = "LS003"
    opt_in = True
    name = "lanshan.activity-before-plan-approval"
    default_severity = Severity.ERROR
    summary = Text("an activity does not wait for its unit's approved plan", "活动未等待本单位方案审批通过")
    options = {"plan_kinds": ["plan"], "sections": ["三"]}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        plan_kinds = _str_list(ctx, "plan_kinds", ["plan"])
        sections = tuple(_str_list(ctx, "sections", ["三"]))
        plans: dict[str, list[str]] = {}
        for task in campaign.tasks.values():
            # A plan that goes to a unit, for approval or to be received (报送).
            if task.kind in plan_kinds and (task.approvals or task.reports_to):
                plans.setdefault(task.lead, []).append(task.id)
        if not plans:
            return
        import networkx as nx  # imported when the check runs: loading plugins stays cheap

        graph = build_graph(campaign)
        after_plan = {pid: nx.descendants(graph, pid) for ids in plans.values() for pid in ids}
        for task in campaign.tasks.values():
            own = plans.get(task.lead)
            if not own or not (task.section or "").startswith(sections) or task.id in own:
                continue
            if any(task.id in after_plan[pid] for pid in own):
                continue
            yield ctx.finding(
                Text(f"activity '{task.id}' ({task.section}) of '{task.lead}' does not wait for the approval "
                     f"of its plan '{own[0]}'",
                     f"“{task.lead}”的活动“{task.id}”({task.section})未安排在本单位方案“{own[0]}”审批通过之后"),
                key_path=f"tasks.{task.id}",
                tasks=[task.id, own[0]],
                hint=Text(f'add "{own[0]}" to its `after`', f"在其 after 中加入“{own[0]}”"),
            )


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    """LS001, LS002 and LS003."""
    return [ConsentFirst, RecommendationsClimb, ActivitiesAfterApprovedPlan]
