"""CF201 and CF203 see a submission's own deadline (`reports_to = [{ to, due }]`)."""

from __future__ import annotations

from campaignflow.checks import run_checks
from campaignflow.load import loads
from campaignflow.plugins.manager import create_plugin_manager

PLUGINS = create_plugin_manager(entry_points=False, use_env=False)

PLAN = """\
format = 1
[campaign]
id = "s"
name = "S"
start = 2018-09-01
end = 2018-10-31
calendar = "cn-workdays"
[units.office]
name = "党委办公室"
[units.school]
name = "学校"
parent = "office"
[tasks.summary]
title = "总结"
lead = "school"
due = 2018-10-19
reports_to = [{ to = "office", due = DUE }]
"""


def _findings(due: str, code: str):
    campaign = loads(PLAN.replace("DUE", due), plugins=PLUGINS)
    return [f for f in run_checks(campaign, plugins=PLUGINS) if f.code == code]


def test_a_submission_due_on_a_saturday_is_cf203() -> None:
    [finding] = _findings("2018-10-20", "CF203")
    assert finding.location.key_path == "tasks.summary.reports_to[0].due" and finding.location.line == 17
    assert "submission 1 due on" in finding.message.en and "第1项报送" in finding.message.zh
    assert _findings("2018-10-19", "CF203") == []


def test_a_submission_due_after_the_campaign_is_cf201() -> None:
    [finding] = _findings("2018-11-05", "CF201")
    assert finding.location.key_path == "tasks.summary.reports_to[0].due"
    assert "submission 1 due by" in finding.message.en
    assert _findings("2018-10-31", "CF201") == []


def test_a_submission_due_with_its_task_is_reported_once_at_the_task() -> None:
    campaign = loads(PLAN.replace("due = 2018-10-19", "due = 2018-10-20").replace("DUE", "2018-10-20"), plugins=PLUGINS)
    [finding] = [f for f in run_checks(campaign, plugins=PLUGINS) if f.code == "CF203"]
    assert finding.location.key_path == "tasks.summary.due"
