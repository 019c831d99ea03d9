"""Queries see what other processes committed (#17), unless the host opts out.

Two engines on one SQLite file stand for two worker processes: what one decides, the
other's ``task``, ``tasks``, ``agenda`` and ``reports`` show at once, without the host
calling ``refresh()``. With ``fresh_reads=False`` the host reads one snapshot until it
refreshes.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from runtime_child import LEAD, build_campaign

from campaignflow.plugins.manager import create_plugin_manager
from campaignflow.runtime import Engine, ManualClock, SQLiteStore, TaskState


@pytest.fixture()
def two_engines(tmp_path):
    plugins = create_plugin_manager(entry_points=False, use_env=False)
    campaign = build_campaign()
    stores = [SQLiteStore(tmp_path / "one.db"), SQLiteStore(tmp_path / "one.db")]

    def open_(store, **kw):
        return Engine.open(campaign, store, plugins=plugins, clock=ManualClock(datetime(2020, 7, 1, 9)), **kw)

    yield open_, stores
    for store in stores:
        store.close()


def test_every_query_sees_the_other_process_work(two_engines):
    open_, (a, b) = two_engines
    writer, reader = open_(a), open_(b)
    assert reader.task("t001").state is TaskState.READY
    writer.start("t001", LEAD)
    assert reader.task("t001").state is TaskState.ACTIVE
    writer.complete("t001", LEAD)
    assert [v.id for v in reader.tasks(state="done")] == ["t001"]
    writer.start("t002", LEAD)
    assert "t002" in {v.id for v in reader.agenda("office")}
    assert reader.task("t002").state is TaskState.ACTIVE
    assert reader.seq == writer.seq


def test_a_host_may_read_one_snapshot_and_refresh_itself(two_engines):
    open_, (a, b) = two_engines
    writer, reader = open_(a), open_(b, fresh_reads=False)
    writer.start("t001", LEAD)
    assert reader.task("t001").state is TaskState.READY  # the snapshot it had
    assert reader.refresh() == 1
    assert reader.task("t001").state is TaskState.ACTIVE
