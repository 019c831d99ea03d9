"""The format extensions `reports_to` (报送, a submission) and `co_leads` (共同牵头)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from campaignflow.model import Annotation, Submission

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"

HEAD = """\
format = 1
[campaign]
id = "x"
name = "x"
start = 2016-09-01
end = 2016-10-31
[campaign.dates]
poverty_day = 2016-10-17
[units.district-fpb]
name = "区扶贫办"
[units.stats-bureau]
name = "区统计局"
parent = "district-fpb"
[units.a]
name = "甲"
[units.b]
name = "乙"
[groups.ab]
members = ["a", "b"]
"""


def _docs_example(heading: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    return re.search(r"```toml\n(.*?)```", section, re.S).group(1)


def test_the_documented_example_loads(load):
    campaign = load(HEAD + _docs_example("### Submissions"))
    task = campaign.tasks["summary"]
    assert task.reports_to == (Submission(to=("district-fpb",)),)
    assert task.approvals == ()  # a submission is not an approval step


def test_the_commented_long_form_loads_too(load):
    example = _docs_example("### Submissions")
    long_form = next(line for line in example.splitlines() if line.startswith("# reports_to = ["))
    text = example.replace('reports_to = "district-fpb"', long_form[2:])
    task = load(HEAD + text).tasks["summary"]
    first, second = task.reports_to
    assert first == Submission(to=("district-fpb",))
    assert second.to == ("a", "b") and second.due == date(2016, 10, 24)
    assert second.doc == Annotation(quote="...")


def test_group_recipient_and_co_leads(load):
    campaign = load(HEAD + """
[tasks.t]
title = "t"
lead = "a"
co_leads = ["b", "stats-bureau"]
reports_to = { to = "ab", due = "@poverty_day" }
""")
    task = campaign.tasks["t"]
    assert task.leads == ("a", "b", "stats-bureau")
    assert campaign.expand(task.reports_to[0].to) == ("a", "b")


def test_misspelled_submission_key_suggests(problems, only):
    p = only(problems(HEAD + '[tasks.t]\ntitle = "t"\nlead = "a"\nreports_to = { too = "b" }\n'), "unknown-key")
    assert p.location.key_path == "tasks.t.reports_to.too"
    assert p.hint.en == "did you mean 'to'?"


def test_misspelled_task_key_suggests(problems, only):
    p = only(problems(HEAD + '[tasks.t]\ntitle = "t"\nlead = "a"\nreport_to = "b"\n'), "unknown-key")
    assert p.hint.en == "did you mean 'reports_to'?"
    p = only(problems(HEAD + '[tasks.t]\ntitle = "t"\nlead = "a"\nco_lead = "b"\n'), "unknown-key")
    assert p.hint.en == "did you mean 'co_leads'?"


def test_unknown_recipient_is_located(problems, only):
    p = only(problems(HEAD + '[tasks.t]\ntitle = "t"\nlead = "a"\nreports_to = ["b", { to = ["a", "distrct-fpb"] }]\n'))
    assert p.code == "unknown-unit-or-group"
    assert p.location.key_path == "tasks.t.reports_to[1].to[1]"
    assert p.location.line == HEAD.count("\n") + 4
    assert "district-fpb" in p.hint.en


def test_missing_to_and_wrong_types(problems):
    found = problems(HEAD + '[tasks.t]\ntitle = "t"\nlead = "a"\nreports_to = [{ due = "@poverty_day" }, 3]\n'
                     'co_leads = ["ab"]\n')
    codes = {(p.code, p.location.key_path) for p in found}
    assert ("missing-key", "tasks.t.reports_to[0]") in codes
    assert ("wrong-type", "tasks.t.reports_to[1]") in codes
    assert ("lead-is-group", "tasks.t.co_leads[0]") in codes


def test_template_placeholders_fill_recipients(load):
    campaign = load(HEAD + """
[templates.plan]
for_each = "ab"
[templates.plan.task]
title = "{unit.name}方案"
lead = "{unit}"
co_leads = ["stats-bureau"]
reports_to = [{ to = "{unit}", doc = { note = "to itself, for the test" } }]
""")
    assert campaign.tasks["plan@a"].reports_to[0].to == ("a",)
    assert campaign.tasks["plan@b"].reports_to[0].to == ("b",)
    assert campaign.tasks["plan@b"].co_leads == ("stats-bureau",)
