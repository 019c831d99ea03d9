"""The Anhui host example runs the whole plan and leaves the store it should."""

from __future__ import annotations

import collections
import subprocess
import sys
from pathlib import Path

import campaignflow as cf
from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, EventKind, SQLiteStore, TaskState, replay

ROOT = Path(__file__).resolve().parents[2]
HOST = ROOT / "examples" / "anhui_2020" / "host.py"
PLAN = ROOT / "plugins" / "anhui_2020" / "plan.toml"


def _host():
    import importlib.util

    spec = importlib.util.spec_from_file_location("anhui_host", HOST)
    module = importlib.util.module_from_spec(spec)
    sys.modules["anhui_host"] = module  # attrs classes need their module registered
    spec.loader.exec_module(module)
    return module


def test_the_host_runs_the_campaign_to_the_end(tmp_path):
    db = tmp_path / "anhui.db"
    done = subprocess.run([sys.executable, str(HOST), "--db", str(db)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    feed = done.stdout
    assert "self-approval is not allowed" in feed
    assert "退回 city-plan@huaibei" in feed
    assert "city-plan@luan 逾期" in feed and "已提请 安徽省 督办" in feed
    assert "哈希链校验通过" in feed

    plugins = create_plugin_manager(plugin_dirs=[PLAN.parent])
    campaign = _host().load_campaign(plugins)
    store = SQLiteStore(db)
    engine = Engine.open(campaign, store, plugins=plugins)
    events = list(store.read(campaign.id))
    assert engine.seq == len(events)  # reopening with the same plan appends nothing
    assert {v.state for v in engine.tasks()} == {TaskState.DONE}
    kinds = collections.Counter(e.kind for e in events)
    assert kinds[EventKind.REJECTED] == 1
    assert [(e.task, e.target) for e in events if e.kind is EventKind.ESCALATED] == [("city-plan@luan", "ah")]
    assert [e.actor for e in events if e.kind is EventKind.REFUSED] == ["zhang.seconded"]
    # Every city plan was approved by the provincial office before the city's work began.
    approved = {e.task: e.seq for e in events if e.kind is EventKind.APPROVED}
    for e in events:
        if e.kind is EventKind.STARTED and e.task.startswith("city-summary@"):
            assert approved[f"city-plan@{e.task.split('@')[1]}"] < e.seq
    assert engine.verify().events == len(events)
    assert replay(campaign.id, events) == engine.state
    store.close()
