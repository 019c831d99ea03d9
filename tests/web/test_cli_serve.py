"""`campaignflow serve`: bad input exits 2 with a readable message; the Done-when command brings up the inbox."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from server_support import served
from web_support import LANSHAN
from web_support import httpx as http_module

from campaignflow.cli.main import cli


@pytest.fixture()
def run():
    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--lang", "en", "serve", *args], catch_exceptions=False)

    return invoke


def test_check_loads_the_plan_and_opens_the_store(run, tmp_path):
    r = run(str(LANSHAN), "--db", str(tmp_path / "a.db"), "--check")
    assert r.exit_code == 0 and "1 campaign(s)" in r.output
    assert (tmp_path / "a.db").exists()


@pytest.mark.parametrize(("args", "words"), [
    (["nope.toml"], "nope.toml"),
    ([str(LANSHAN), "--host", "0.0.0.0"], "--auth header"),
    ([str(LANSHAN), "--now", "tomorrow"], "--now"),
])
def test_bad_input_exits_2_without_a_traceback(run, tmp_path, args, words):
    r = run(*args, "--db", str(tmp_path / "b.db"), "--check")
    assert r.exit_code == 2, r.output
    assert words in r.output and "Traceback" not in r.output


def test_a_file_that_is_not_a_store_exits_2(run, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not SQLite" * 100)
    r = run(str(LANSHAN), "--db", str(bad), "--check")
    assert r.exit_code == 2 and "Traceback" not in r.output and str(bad) in r.output


def test_messages_in_chinese(tmp_path):
    r = CliRunner().invoke(cli, ["--lang", "zh", "serve", str(LANSHAN), "--db", str(tmp_path / "c.db"),
                                 "--host", "10.0.0.1"])
    assert r.exit_code == 2 and "只能监听 127.0.0.1" in r.output


def test_the_readme_command_brings_up_the_inbox(tmp_path):
    httpx = http_module()
    with served(tmp_path / "lanshan.db", now="") as url:
        r = httpx.get(f"{url}/", follow_redirects=True)
        assert r.status_code == 200 and "登录" in r.text and str(r.url).startswith(f"{url}/login")


def test_a_postgresql_url_without_that_store_is_a_readable_error(run, tmp_path):
    from campaignflow import runtime

    r = run(str(LANSHAN), "--db", "postgresql://clerk:s3cret@db.example/lanshan", "--check")
    if getattr(runtime, "open_store", None) is None:
        assert r.exit_code == 2 and "PostgreSQL" in r.output
    else:  # the PostgreSQL store has landed: no server here, still exit 2
        assert r.exit_code == 2
    assert "s3cret" not in r.output and "Traceback" not in r.output


def test_serve_checks_deadlines_itself_on_request(tmp_path):
    # `--tick-every`: each worker fires the passed timers; here the plan is late on 8 October.
    import time

    from campaignflow.runtime import EventKind, SQLiteStore

    db = tmp_path / "tick.db"
    with served(db, "--tick-every", "1", now="2016-10-08T09:00"):
        deadline = time.monotonic() + 20
        kinds: list[EventKind] = []
        while EventKind.OVERDUE not in kinds and time.monotonic() < deadline:
            time.sleep(0.3)
            store = SQLiteStore(db)
            try:
                kinds = [e.kind for e in store.read("lanshan-stats-bureau")]
            finally:
                store.close()
    assert EventKind.OVERDUE in kinds


def test_tick_every_must_be_a_second_or_more(run, tmp_path):
    r = run(str(LANSHAN), "--db", str(tmp_path / "t.db"), "--tick-every", "0", "--check")
    assert r.exit_code == 2 and "Traceback" not in r.output
