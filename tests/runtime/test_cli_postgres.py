"""``campaignflow run`` on PostgreSQL: every command with ``--db postgresql://…`` works as on SQLite."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
PLAN = Path(__file__).with_name("data") / "office.toml"


@pytest.fixture()
def url(pg_url: str) -> Iterator[str]:
    """A fresh database on the test server (the CLI uses the default schema), dropped afterwards."""
    import psycopg

    name = f"cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    base = pg_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _run(*args: str, lang: str = "en", env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(cli, ["--lang", lang, "run", *args], catch_exceptions=False)


def test_every_run_command_on_postgres(url):
    init = _run("init", str(PLAN), "--db", url, "--format", "json", "--now", "2020-07-01T09:00")
    assert init.exit_code == 0, init.output
    assert json.loads(init.output)["tasks"] == 5
    assert _run("start", "city-plan@hf", "--as", "hf", "--db", url, "--now", "2020-07-02T09:00").exit_code == 0
    assert _run("submit", "city-plan@hf", "--as", "hf", "--db", url, "--now", "2020-07-02T10:00").exit_code == 0
    reject = _run("reject", "city-plan@hf", "--as", "ah-fpb", "--reason", "补充材料", "--db", url,
                  "--now", "2020-07-02T11:00")
    assert reject.exit_code == 0, reject.output
    # Every writing command is stamped in 2020: the log's time never goes backwards (a later
    # --now earlier than an event is refused).
    assert _run("start", "city-plan@hf", "--as", "hf", "--db", url, "--now", "2020-07-02T12:00").exit_code == 0
    assert _run("submit", "city-plan@hf", "--as", "hf", "--db", url, "--now", "2020-07-02T13:00").exit_code == 0
    approve = _run("approve", "city-plan@hf", "--as", "ah-fpb", "--db", url, "--now", "2020-07-03T10:00")
    assert approve.exit_code == 0 and "submitted -> done" in approve.output
    refused = _run("complete", "city-plan@hf", "--as", "hf", "--db", url, "--now", "2020-07-03T11:00")
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    tasks = json.loads(_run("tasks", "--db", url, "--state", "done", "--format", "json").output)["tasks"]
    assert [t["id"] for t in tasks] == ["city-plan@hf"]
    late = _run("tick", "--db", url, "--now", "2020-08-01T09:00", "--format", "json")
    assert late.exit_code == 1 and json.loads(late.output)["overdue"] == ["city-plan@wh"], late.output
    status = json.loads(_run("status", "--db", url, "--format", "json").output)
    log = json.loads(_run("log", "--db", url, "--format", "json").output)["events"]
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1)) and len(log) >= 7
    assert status and "Traceback" not in json.dumps(status)
    ok = _run("verify", "--db", url, "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.output)["ok"] is True, ok.output


def test_the_anhui_plan_from_the_environment(url):
    env = {"CAMPAIGNFLOW_DATABASE_URL": url}
    init = _run("init", str(ROOT / "plugins" / "anhui_2020" / "plan.toml"), env=env)
    assert init.exit_code == 0, init.output
    assert "anhui-2020" in init.output and "***" not in init.output
    tasks = _run("tasks", "--format", "json", env=env)
    assert tasks.exit_code == 0 and json.loads(tasks.output)["tasks"]
    assert _run("verify", env=env).exit_code == 0


def test_a_password_is_not_shown_and_an_empty_database_says_init(url):
    secret = url.replace("campaignflow@", "campaignflow:s3cret@")
    out = _run("status", "--db", secret)
    assert out.exit_code == 2 and "run init" in out.output and "s3cret" not in out.output
    down = _run("status", "--db", "postgresql://campaignflow:s3cret@127.0.0.1:1/none")
    assert down.exit_code == 2 and "cannot connect" in down.output and "s3cret" not in down.output
