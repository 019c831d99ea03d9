"""Issue 20: checkpoints kept outside the database show truncation and a recomputed chain."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_support import FPB, HF, WH
from test_cli_run import PLAN

from campaignflow.cli.main import cli
from campaignflow.errors import TamperedLogError
from campaignflow.runtime import Checkpoint, Draft, SQLiteStore, take_checkpoint, verify_chain, verify_checkpoint

KEY = b"a host secret of more than 16 bytes"


def _rechain(path, *, keep: int) -> None:
    """What an attacker with the database can do: drop events past ``keep`` and recompute the chain and head."""
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT body, hash FROM events ORDER BY seq").fetchall()
    from campaignflow.runtime import Event

    events = [Event.from_json(b, h) for b, h in rows][:keep]
    prev = "0" * 64
    with conn:
        conn.execute("DELETE FROM events")
        for e in events:
            d = Draft(campaign=e.campaign, kind=e.kind, at=e.at, task=e.task, actor="mallory" if e.actor else None,
                      unit=e.unit, from_state=e.from_state, to_state=e.to_state, step=e.step, target=e.target,
                      reason=e.reason, ref=e.ref, key=e.key)
            sealed = d.seal(e.seq, prev)
            conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (sealed.campaign, sealed.seq, str(sealed.kind), sealed.task, sealed.unit, sealed.target,
                          sealed.key, sealed.body(), sealed.hash))
            prev = sealed.hash
        conn.execute("UPDATE campaigns SET head_seq = ?, head_hash = ?", (len(events), prev))
    conn.close()


@pytest.fixture()
def logged(make_engine, tmp_path):
    path = tmp_path / "c.db"
    store = SQLiteStore(path)
    engine = make_engine(store=store)
    engine.start("city-plan@hf", HF)
    engine.submit("city-plan@hf", HF)
    engine.approve("city-plan@hf", FPB)
    engine.start("city-plan@wh", WH)
    yield engine, store, path
    store.close()


def test_a_checkpoint_verifies_the_sound_log_and_a_later_one(logged):
    engine, store, _ = logged
    point = take_checkpoint(store, "ah-test", key=KEY)
    assert (point.seq, point.hash) == (engine.seq, engine.state.head)
    assert Checkpoint.from_json(point.to_json()) == point
    engine.submit("city-plan@wh", WH)  # the log grows past the checkpoint: still fine
    assert verify_checkpoint(store, point, key=KEY).head_seq == point.seq + 1


@pytest.mark.parametrize("keep", [0, 2, 4])
def test_truncation_with_a_fixed_head_passes_the_chain_but_not_the_checkpoint(logged, keep):
    _, store, path = logged
    point = take_checkpoint(store, "ah-test")
    _rechain(path, keep=keep)
    head = store.head("ah-test")
    verify_chain("ah-test", store.read("ah-test"), head=(head.seq, head.hash))  # the unkeyed chain is fooled
    with pytest.raises(TamperedLogError, match="removed") as info:
        verify_checkpoint(store, point)
    assert info.value.sequence == keep + 1


def test_a_recomputed_chain_passes_alone_but_not_against_the_checkpoint(logged):
    engine, store, path = logged
    point = take_checkpoint(store, "ah-test")
    _rechain(path, keep=engine.seq)  # every actor rewritten, every hash recomputed
    with pytest.raises(TamperedLogError, match="rewritten") as info:
        verify_checkpoint(store, point)
    assert info.value.sequence == point.seq


# The fixture is only read here, so sharing it between examples is fine.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(["seq", "hash", "campaign"]), delta=st.integers(1, 5))
def test_a_keyed_checkpoint_that_was_edited_is_refused(logged, field, delta):
    _, store, _ = logged
    point = take_checkpoint(store, "ah-test", key=KEY)
    # Each edit must change the checkpoint: the hash's first digit is moved on by delta (mod 16), not
    # replaced by it (a head hash that starts with that digit made the old edit a no-op).
    first = f"{(int(point.hash[0], 16) + delta) % 16:x}"
    changed = {"seq": Checkpoint(point.campaign, max(point.seq - delta, 0), point.hash, point.mac),
               "hash": Checkpoint(point.campaign, point.seq, first + point.hash[1:], point.mac),
               "campaign": Checkpoint(point.campaign + "x" * delta, point.seq, point.hash, point.mac)}[field]
    assert changed != point
    with pytest.raises(TamperedLogError, match="MAC"):
        verify_checkpoint(store, changed, key=KEY)
    with pytest.raises(TamperedLogError, match="MAC"):
        verify_checkpoint(store, point, key=b"another key of sixteen bytes")


@pytest.mark.parametrize("text", ["", "[]", '{"campaign": 1, "seq": 2, "hash": "x"}', '{"seq": true}',
                                  '{"campaign": "a", "seq": -1, "hash": "x"}'])
def test_a_bad_checkpoint_file_is_a_value_error(text):
    with pytest.raises(ValueError, match="checkpoint"):
        Checkpoint.from_json(text)


def _run(*args):
    return CliRunner().invoke(cli, ["--lang", "en", "run", *args], catch_exceptions=False)


def test_cli_checkpoint_then_verify_reports_truncation_and_forgery(tmp_path):
    db = str(tmp_path / "office.db")
    keyfile = tmp_path / "key"
    keyfile.write_bytes(KEY)
    kept = tmp_path / "kept.json"
    assert _run("init", str(PLAN), "--db", db).exit_code == 0
    assert _run("start", "budget", "--as", "ah-fpb", "--db", db).exit_code == 0
    out = _run("checkpoint", "--db", db, "--key-file", str(keyfile), "-o", str(kept))
    assert out.exit_code == 0, out.output
    assert json.loads(kept.read_text())["seq"] == 2
    ok = _run("verify", "--db", db, "--checkpoint", str(kept), "--key-file", str(keyfile), "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.output)["checkpoint"] == 2
    _rechain(db, keep=1)
    assert _run("verify", "--db", db).exit_code == 0  # the chain alone is fooled
    bad = _run("verify", "--db", db, "--checkpoint", str(kept), "--key-file", str(keyfile))
    assert bad.exit_code == 1 and "removed" in bad.output
    # Bad input exits 2 with one line.
    for args in (["--checkpoint", str(tmp_path / "missing.json")], ["--key-file", str(keyfile)],
                 ["--checkpoint", str(kept), "--key-file", str(tmp_path / "nokey")]):
        result = _run("verify", "--db", db, *args)
        assert result.exit_code == 2 and len(result.output.splitlines()) == 1, (args, result.output)
