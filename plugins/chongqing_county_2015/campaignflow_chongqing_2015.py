"""Checks for the Chongqing county 2015 plan: the rules on raised funds (CQ001, CQ002).

The document (三、组织领导) says:

- 三(一): "除对口帮扶部门外,原则上乡镇(街道)与乡镇(街道)之间、乡镇(街道)与部门之间
  不准互请,重复开展捐赠活动。" Built-in CF401 reports two units soliciting *each
  other*; CQ002 reads 互请 strictly and reports one direction too: a township
  soliciting another township or a department, or a department soliciting a
  township, unless a pairing (对口帮扶) links them.
- 三(三): "审计部门要依法对募集款物及使用情况进行审计监督。" CQ001: every task that
  raises funds or goods is followed, directly or through other tasks, by an
  audit task.

The checks run on plans that adopt them with ``[checks.options.CQ001]`` /
``[checks.options.CQ002]`` (``opt_in`` checks); the plugin's own plan does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from campaignflow.checks import Check, CheckContext
from campaignflow.findings import Finding, Severity, Text
from campaignflow.graph import build_graph
from campaignflow.model import Campaign, Task
from campaignflow.plugins import hookimpl

__all__ = ["AuditCoversEveryDrive", "NoSolicitationBetweenTownshipsAndDepartments", "is_fund_task"]


_FUND_TAGS = ("募集款物",)
_AUDIT_KINDS = ("audit",)


def is_fund_task(task: Task, fund_tags: Iterable[str] = _FUND_TAGS) -> bool:
    """Whether ``task`` raises funds or goods: a solicitation, or tagged as one."""
    return task.is_solicitation or any(tag in task.tags for tag in fund_tags)


def _audited(campaign: Campaign, audit_kinds: Sequence[str]) -> set[str]:
    """Ids of the tasks some audit task depends on, directly or transitively."""
    import networkx as nx  # imported when the check runs: loading plugins stays cheap

    graph = build_graph(campaign)
    seen: set[str] = set()
    for task in campaign.tasks.values():
        if task.kind in audit_kinds and task.id not in seen:
            seen.update(nx.ancestors(graph, task.id))
    return seen


class AuditCoversEveryDrive(Check):
    """Every task that raises funds or goods is followed by an audit.

    A task raises funds when it solicits (``solicits = [...]``) or carries a
    fund tag (default ``募集款物``). It is covered when a task of an audit
    kind (default ``audit``) depends on it through ``after``, directly or
    through other tasks.

    Triggers on::

        [tasks.enterprise-appeal]
        title = "向全县个体私营企业发出倡议"
        lead = "county-lgxz"
        solicits = ["private-enterprises"]

    with no audit task after it. Fix: make the audit wait for it::

        [tasks.fund-audit]
        title = "对募集款物及使用情况进行审计监督"
        lead = "county-audit"
        kind = "audit"
        after = ["enterprise-appeal"]

    Options (``[checks.options.CQ001]``): ``fund_tags``, ``audit_kinds``.
    """

    code = "CQ001"
    opt_in = True
    name = "chongqing.drive-not-audited"
    default_severity = Severity.ERROR
    summary = Text("funds or goods are raised but no audit follows", "募集款物后没有审计监督")
    options = {"fund_tags": list(_FUND_TAGS), "audit_kinds": list(_AUDIT_KINDS)}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        audit_kinds = [str(k) for k in ctx.options.get("audit_kinds", _AUDIT_KINDS)]
        fund_tags = [str(t) for t in ctx.options.get("fund_tags", _FUND_TAGS)]
        audited = _audited(campaign, audit_kinds)
        any_audit = any(t.kind in audit_kinds for t in campaign.tasks.values())
        # One finding per task as written: a template's instances share one.
        missed: dict[str, list[str]] = {}
        for task in campaign.tasks.values():
            if is_fund_task(task, fund_tags) and task.id not in audited:
                missed.setdefault(task.template or task.id, []).append(task.id)
        for ids in missed.values():
            first = campaign.tasks[ids[0]]
            ref = ids[0] if len(ids) == 1 else f"{first.template}@*"
            what = ref if len(ids) == 1 else f"{ref} ({len(ids)} tasks)"
            why = (Text("no audit task depends on it", "没有审计任务在其之后") if any_audit
                   else Text("the plan has no audit task", "方案中没有审计任务"))
            yield ctx.finding(
                Text(f"'{what}' raises funds or goods, but {why.en}; the document requires the "
                     f"audit of everything raised",
                     f"“{what}”募集款物,但{why.zh};文件要求对募集款物及使用情况进行审计监督"),
                key_path=f"tasks.{first.id}",
                tasks=ids,
                hint=Text(f"add '{ref}' to the `after` of a task with kind = \"audit\"",
                          f"将“{ref}”加入审计任务(kind = \"audit\")的 after"),
            )


def _pairing_sides(campaign: Campaign) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    # Unit -> indexes of the pairings it is on side a / side b of; linear in
    # the pairings' sizes, where the pairs themselves could be quadratic.
    side_a: dict[str, set[int]] = {}
    side_b: dict[str, set[int]] = {}
    for i, pairing in enumerate(campaign.pairings):
        for uid in campaign.members(pairing.a):
            side_a.setdefault(uid, set()).add(i)
        for uid in campaign.members(pairing.b):
            side_b.setdefault(uid, set()).add(i)
    return side_a, side_b


class NoSolicitationBetweenTownshipsAndDepartments(Check):
    """A township solicits another township or a department (or a department a township).

    The document forbids 互请 between 乡镇(街道) and between a 乡镇(街道) and a
    department, except paired units (对口帮扶). CF401 catches two units
    soliciting each other; this check catches a single direction.

    Triggers on::

        [tasks.ceremony-appeal]
        title = "甲镇向乙镇发出捐赠倡议"
        lead = "town-jia"
        solicits = ["town-yi"]

    Fix: drop the solicitation, or, if the two units are paired, say so::

        [[pairings]]
        a = "town-jia"
        b = "town-yi"
        kind = "对口帮扶"

    Options (``[checks.options.CQ002]``): ``township_kinds`` (default
    ``["township"]``), ``department_kinds`` (default ``["department"]``),
    ``exempt_pairings`` (default true).
    """

    code = "CQ002"
    opt_in = True
    name = "chongqing.solicitation-between-townships-and-departments"
    default_severity = Severity.ERROR
    summary = Text("a township solicits a township or a department (or a department a township)",
                   "乡镇(街道)之间、乡镇(街道)与部门之间互请捐赠")
    options = {"township_kinds": ["township"], "department_kinds": ["department"], "exempt_pairings": True}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        campaign = ctx.campaign
        townships = {str(k) for k in ctx.options.get("township_kinds", ["township"])}
        departments = {str(k) for k in ctx.options.get("department_kinds", ["department"])}
        exempt = bool(ctx.options.get("exempt_pairings", True))
        side_a, side_b = _pairing_sides(campaign) if exempt else ({}, {})
        empty: set[int] = set()

        def paired(u: str, v: str) -> bool:
            return bool(side_a.get(u, empty) & side_b.get(v, empty) or side_b.get(u, empty) & side_a.get(v, empty))

        def kind(uid: str) -> str | None:
            unit = campaign.units.get(uid)
            return None if unit is None else unit.kind

        for task in campaign.tasks.values():
            if not task.solicits:
                continue
            lead_kind = kind(task.lead)
            if lead_kind in townships:
                banned = townships | departments
            elif lead_kind in departments:
                banned = townships
            else:
                continue
            for j, ref in enumerate(task.solicits):
                bad = [uid for uid in campaign.members(ref)
                       if uid != task.lead and kind(uid) in banned and not paired(task.lead, uid)]
                if bad:
                    yield self._finding(ctx, task, j, bad)

    @staticmethod
    def _finding(ctx: CheckContext, task: Task, index: int, bad: list[str]) -> Finding:
        shown = bad[:6]
        more_en = f" and {len(bad) - len(shown)} more" if len(bad) > len(shown) else ""
        more_zh = f"等{len(bad)}个单位" if len(bad) > len(shown) else ""
        return ctx.finding(
            Text(f"task '{task.id}': '{task.lead}' solicits {', '.join(repr(b) for b in shown)}{more_en}; "
                 f"townships and departments must not solicit each other unless paired (对口帮扶)",
                 f"任务“{task.id}”:“{task.lead}”向{'、'.join(shown)}{more_zh}募捐;"
                 f"除对口帮扶外,乡镇(街道)之间、乡镇(街道)与部门之间不准互请"),
            key_path=f"tasks.{task.id}.solicits[{index}]",
            tasks=[task.id],
            units=[task.lead, *bad],
            hint=Text("remove the solicitation, or add a [[pairings]] entry if the units are paired",
                      "删除该募捐对象;如双方为对口帮扶关系,请在 [[pairings]] 中注明"),
        )


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    """CQ001 and CQ002."""
    return [AuditCoversEveryDrive, NoSolicitationBetweenTownshipsAndDepartments]
