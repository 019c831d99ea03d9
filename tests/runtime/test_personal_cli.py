"""Issue 20, household data on the command line: no output shows a household's personal data unless asked."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli

PLAN = (Path(__file__).parent / "data" / "village_households.toml").read_text(encoding="utf-8")

PERSON = "张三 370102198001011234"
REASON = "孩子生病住院, 本户暂不同意"
#: Names, ID numbers and reasons: in no output unless --personal.
SECRETS = ("张三", "370102198001011234", "孩子生病住院", "李四", "Zhang San")


def _run(*args: str):
    return CliRunner().invoke(cli, ["--lang", "en", *args], catch_exceptions=False)


@pytest.fixture()
def db(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    path = str(tmp_path / "v.db")
    steps = [("init", str(plan)), ("start", "consent-zhang", "--as", "hh-zhang", "--person", PERSON),
             ("submit", "consent-zhang", "--as", "hh-zhang", "--person", PERSON),
             ("reject", "consent-zhang", "--as", "cun", "--reason", REASON),
             ("start", "consent-li", "--as", "hh-li", "--person", "李四")]
    for minute, step in enumerate(steps):
        result = _run("run", *step, "--db", path, "--now", f"2020-10-09T09:{minute:02}")
        assert result.exit_code == 0, result.output
    return path


OUTPUTS = [("log",), ("log", "--format", "json"), ("log", "--format", "csv"), ("log", "--unit", "hh-zhang"),
           ("log", "--task", "consent-zhang", "--format", "json"), ("status",), ("status", "--format", "json"),
           ("tasks",), ("tasks", "--format", "json"), ("tasks", "--unit", "hh-zhang", "--format", "json"),
           ("verify",), ("reminders",), ("checkpoint",)]


@pytest.mark.parametrize("args", OUTPUTS, ids=" ".join)
def test_no_run_output_shows_personal_data(db, args):
    result = _run("run", *args, "--db", db, "--now", "2020-10-09T10:00")
    assert result.exit_code in (0, 1), result.output
    for secret in SECRETS:
        assert secret not in result.output, (args, secret)


def test_the_caller_who_asks_sees_them_and_erasure_keeps_verify(db):
    for fmt in ("text", "json", "csv"):
        shown = _run("run", "log", "--personal", "--format", fmt, "--db", db)
        assert PERSON in shown.output and REASON in shown.output, fmt
    as_json = json.loads(_run("run", "log", "--format", "json", "--db", db).output)["events"]
    assert any((e["unit"] or "").startswith("household:") for e in as_json)
    tasks = json.loads(_run("run", "tasks", "--personal", "--format", "json", "--db", db).output)["tasks"]
    assert REASON in {t["reason"] for t in tasks}
    # The chained bodies in the file hold none of it either.
    conn = sqlite3.connect(db)
    stored = "\n".join(map(str, conn.execute("SELECT * FROM events").fetchall()))
    conn.close()
    assert all(secret not in stored for secret in SECRETS)
    erased = _run("run", "erase", "--household", "hh-zhang", "--format", "json", "--db", db)
    assert erased.exit_code == 0 and json.loads(erased.output)["erased"] == 4
    assert _run("run", "verify", "--db", db).exit_code == 0
    after = _run("run", "log", "--personal", "--db", db).output
    assert PERSON not in after and REASON not in after and "[erased]" in after and "李四" in after
    for args in (("erase",), ("erase", "--household", "hh-zhang", "--all"), ("erase", "--household", "cun")):
        refused = _run("run", *args, "--db", db)
        assert refused.exit_code == 2 and refused.output.startswith("error:"), args
