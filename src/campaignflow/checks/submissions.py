"""Built-in check CF305: a report that names no recipient (报送 to whom?).

A submission (``reports_to``) is delivered to a unit that receives it. A
task that is a report by its kind but names no recipient cannot be delivered,
signed for (签收) or chased at run time: the document, or the plan, left out
whom it goes to.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity, Text
from ..plugins import hookimpl
from . import Check, CheckContext
from ._keys import per_key, task_key

__all__ = ["ReportWithoutRecipient"]


class ReportWithoutRecipient(Check):
    """A task of a report kind (option ``kinds``, default ``["report"]``) has no ``reports_to``.

    An approval step stands for a sign-off, not a delivery, so it does not
    count. The instances of a template are reported once.
    """

    code = "CF305"
    name = "owners.report-without-recipient"
    default_severity = Severity.INFO
    summary = Text("a report names no unit it is delivered to", "报送任务未写明报送单位")
    options = {"kinds": ["report"]}

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        kinds = {str(k) for k in ctx.options.get("kinds", ["report"])}
        found = [(task_key(task), task, None) for task in ctx.campaign.tasks.values()
                 if task.kind in kinds and not task.reports_to]
        for hit in per_key(found):
            task = hit.task
            yield ctx.finding(
                Text(f"report '{task.id}' names no recipient (no reports_to){hit.more.en}",
                     f"报送任务“{task.id}”未写明报送单位(没有 reports_to){hit.more.zh}"),
                key_path=hit.key,
                tasks=hit.tasks,
                units=[task.lead],
                hint=Text('say whom it goes to: reports_to = "unit-id" (ask the issuer if the document does not say)',
                          '请写明报送单位:reports_to = "单位标识"(原文未写明的,请向发文单位确认)'),
            )


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    return [ReportWithoutRecipient]
