"""The README's examples work as shown."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import campaignflow as cf

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_readme_plan_loads_and_means_what_it_says():
    (block,) = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    campaign = cf.loads(block, filename="README.md")
    plan = campaign.tasks["bureau-plan"]
    assert plan.window.due == datetime(2016, 9, 30, 12, 0)
    assert plan.approvals[0].by == ("district-fpb",)
    assert campaign.tasks["briefing"].window.on.isoformat() == "2016-10-17"
    assert not [f for f in cf.validate(campaign) if f.severity == cf.Severity.ERROR]
    sched = cf.schedule(campaign)
    assert sched.task("bureau-plan").finish <= sched.task("briefing").start


def test_the_two_setup_commands_are_there():
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    assert "campaignflow --plugins plugins validate anhui-2020" in blocks[0]
    assert blocks[1].strip().endswith(".venv/bin/python -m pytest")
