"""`run` commands on a keyed store: the key comes from a file (--store-key-file or its
environment variable), never the command line; a keyed log opened without it, with another
key, or with events appended without it is exit 2 with one readable line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli
from campaignflow.runtime import SQLiteStore

PLAN = Path(__file__).with_name("data") / "office.toml"
NOW = ("--now", "2020-07-01T09:00")


def _run(*args, lang="en", env=None):
    return CliRunner().invoke(cli, ["--lang", lang, "run", *args], catch_exceptions=False, env=env)


@pytest.fixture()
def keyed(tmp_path):
    key = tmp_path / "store.key"
    key.write_bytes(b"k" * 32)
    db = str(tmp_path / "keyed.db")
    init = _run("init", str(PLAN), "--db", db, "--store-key-file", str(key), *NOW)
    assert init.exit_code == 0, init.output
    return db, key, tmp_path


def test_the_key_file_opens_the_store_and_every_event_carries_a_mac(keyed):
    db, key, _ = keyed
    assert _run("start", "city-plan@hf", "--as", "hf", "--db", db, "--store-key-file", str(key),
                "--now", "2020-07-02T09:00").exit_code == 0
    env = {"CAMPAIGNFLOW_STORE_KEY_FILE": str(key)}
    log = _run("log", "--db", db, "--format", "json", env=env)
    assert log.exit_code == 0, log.output
    assert [e["kind"] for e in json.loads(log.output)["events"]] == ["opened", "started"]
    with SQLiteStore(db, key=b"k" * 32) as store:
        assert store.has_macs("ah-test")
        assert len(list(store.read("ah-test"))) == 2  # each one's MAC checked


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_keyed_store_without_its_key_is_exit_2(keyed, lang):
    db, _, _ = keyed
    result = _run("status", "--db", db, lang=lang)
    assert result.exit_code == 2
    assert ("--store-key-file" in result.output and "HMAC" in result.output
            and ("give the store's key" if lang == "en" else "存储密钥") in result.output)
    assert "Traceback" not in result.output


def test_another_key_or_a_short_one_is_exit_2(keyed):
    db, _, tmp = keyed
    other = tmp / "other.key"
    other.write_bytes(b"m" * 32)
    wrong = _run("status", "--db", db, "--store-key-file", str(other))
    assert wrong.exit_code == 2 and "does not match under this key" in wrong.output
    short = tmp / "short.key"
    short.write_bytes(b"tiny")
    assert _run("status", "--db", db, "--store-key-file", str(short)).exit_code == 2
    missing = _run("status", "--db", db, "--store-key-file", str(tmp / "nope.key"))
    assert missing.exit_code == 2 and "cannot read the key file" in missing.output


def test_an_event_appended_without_the_key_is_refused(keyed):
    db, key, _ = keyed
    # Someone who can write the file but lacks the key appends through an unkeyed store.
    assert _run("start", "city-plan@hf", "--as", "hf", "--db", db, "--store-key-file", str(key),
                "--now", "2020-07-02T09:00").exit_code == 0
    import sqlite3

    with sqlite3.connect(db) as raw:
        raw.execute("DELETE FROM event_macs WHERE seq = 2")
    result = _run("status", "--db", db, "--store-key-file", str(key))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
