"""Fuzz: mutated real plans through load, validate, the schedule and every exporter.

The seeds are the five plugins' plans (with their included files) and the plans in the
docs; Hypothesis mutates them the way a careless editor or an attacker would: flipped bytes,
deleted, duplicated and swapped lines, renamed keys, values of another type, dates at the
calendar's ends. Whatever comes out, only typed errors may (``PlanError`` from the loader,
a ``CampaignflowError`` or ``ExportError`` later), each input within a time limit, never a
traceback of another kind. The budget is bounded (``CAMPAIGNFLOW_FUZZ_EXAMPLES``, default 60)
and the test prints how many inputs it tried and what became of them.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import campaignflow as cf
from campaignflow.errors import CampaignflowError, PlanError
from campaignflow.export import ExportContext, ExportError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("CAMPAIGNFLOW_FUZZ_EXAMPLES", "60"))
#: Seconds one input may take through load, validate, the schedule and every exporter.
LIMIT = 30


def _seeds() -> list[tuple[str, dict[str, bytes]]]:
    """(main file name, {file name: bytes}) for each seed plan, its included files alongside."""
    global _FILE_SEEDS
    seeds = []
    for plan in sorted(ROOT.glob("plugins/*/plan.toml")) + sorted(ROOT.glob("examples/*/plans/*.toml")):
        if plan.name == "units.toml":
            continue
        files = {p.name: p.read_bytes() for p in plan.parent.glob("*.toml")}
        seeds.append((plan.name, files))
    _FILE_SEEDS = len(seeds)
    for doc in sorted((ROOT / "docs").glob("**/*.md")):
        for block in re.findall(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S):
            if "[campaign]" in block and "include" not in block:
                try:  # a docs block that is a whole plan (others are fragments)
                    cf.loads(block, plugins=_PLUGINS)
                except PlanError:
                    continue
                seeds.append(("plan.toml", {"plan.toml": block.encode("utf-8")}))
    return seeds


_PLUGINS = cf.create_plugin_manager()
_FILE_SEEDS = 0  # how many of SEEDS are files (the plugins' and examples' plans), set by _seeds
SEEDS = _seeds()
_VALUES = ["17", "-1", "1e400", "nan", "true", '"x"', '""', "[1, 2]", "{ a = 1 }", "[]", "9999-12-31",
           "0001-01-01", "2016-02-29T25:00", '"@nowhere + 3wd"', '"99999999d"', '"=1+1"', '"\\u0000"',
           '"../../../etc/passwd"', '["/dev/zero"]', '"a\\nb"', "2016-10-17"]
_KEYS = ["id", "title", "lead", "partners", "after", "due", "on", "start", "end", "duration", "within", "by",
         "for_each", "repeat", "times", "every", "include", "capacity", "calendar", "section", "mode", "kind",
         "name", "units", "unknown_key", "task", "lag", "parent", "format", "co_leads", "reports_to"]


@st.composite
def _mutated(draw):
    # Half the inputs start from the plugins' and examples' plans, the richest seeds.
    main, files = draw(st.one_of(st.sampled_from(SEEDS[:_FILE_SEEDS]), st.sampled_from(SEEDS)))
    target = draw(st.sampled_from(sorted(files))) if len(files) > 1 else main
    data = bytearray(files[target])
    for _ in range(draw(st.integers(1, 3))):
        # Mostly the edits that keep the TOML readable, so inputs also get past the parser.
        op = draw(st.sampled_from(["retype"] * 4 + ["rename"] * 2 + ["delete"] * 2
                                  + ["flip", "duplicate", "swap", "truncate"]))
        lines = bytes(data).split(b"\n")
        if op == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
            continue
        if op == "truncate" and data:
            del data[draw(st.integers(0, len(data) - 1)):]
            continue
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "rename" and b"=" in lines[i]:
            _, _, value = lines[i].partition(b"=")
            lines[i] = draw(st.sampled_from(_KEYS)).encode() + b" =" + value
        elif op == "retype" and b"=" in lines[i]:
            key, _, _ = lines[i].partition(b"=")
            lines[i] = key + b"= " + draw(st.sampled_from(_VALUES)).encode()
        data = bytearray(b"\n".join(lines))
    return main, {**files, target: bytes(data)}


def _timeout(*_args):
    raise TimeoutError(f"one input took more than {LIMIT} s")


def _through_everything(main: str, files: dict[str, bytes], outcomes: Counter) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cf-fuzz-"))
    try:
        for name, data in files.items():
            (folder / name).write_bytes(data)
        try:
            campaign = cf.load_plan(folder / main, plugins=_PLUGINS)
        except PlanError as exc:
            assert exc.problems, "a PlanError names its problems"
            assert all(p.location is not None for p in exc.problems)
            outcomes["refused by the loader"] += 1
            return
        outcomes["loaded"] += 1
        cf.validate(campaign, plugins=_PLUGINS)
        ctx = ExportContext(campaign=campaign, plugins=_PLUGINS)
        try:
            ctx.schedule
        except CampaignflowError:
            outcomes["no schedule (typed error)"] += 1
            return
        for name, exporter in sorted(_PLUGINS.exporters().items()):
            try:
                exporter().export(ctx)
            except (ExportError, CampaignflowError):
                outcomes[f"{name}: typed error"] += 1
        outcomes["exported by every exporter"] += 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_mutated_plans_give_only_typed_errors(capsys):
    outcomes: Counter = Counter()
    tried = 0

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=_mutated())
    def run(case):
        nonlocal tried
        tried += 1
        previous = signal.signal(signal.SIGALRM, _timeout)
        signal.alarm(LIMIT)
        try:
            _through_everything(*case, outcomes)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)

    run()
    with capsys.disabled():
        print(f"\nfuzz: tried {tried} mutated plans from {len(SEEDS)} seeds: "
              + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    assert tried >= min(EXAMPLES, 10)
    assert outcomes["refused by the loader"] and outcomes["loaded"]  # the mutations reach both sides


@pytest.mark.parametrize("index", range(len(SEEDS)))  # the docs' whole plans too
def test_every_seed_loads_and_exports_unmutated(index):
    assert len(SEEDS) >= 7  # five plugins, two example plans, and the docs' whole plans
    outcomes: Counter = Counter()
    _through_everything(*SEEDS[index], outcomes)
    if index < _FILE_SEEDS:
        assert outcomes["exported by every exporter"] == 1, outcomes
    else:  # a docs example may show a problem on purpose (a cycle has no schedule)
        assert outcomes["loaded"] == 1, outcomes
