"""The runtime: run a campaign for real on a durable, hash-chained event log.

::

    from campaignflow.runtime import Actor, Engine, SQLiteStore

    engine = Engine.open(campaign, SQLiteStore("campaign.db"))
    office = Actor("wang.li", {"stats-bureau"})
    engine.start("bureau-plan", office)
    engine.submit("bureau-plan", office)
    for view in engine.agenda("district-fpb"):
        print(view.id, view.state, view.next_due)

See docs/embedding.md for the state machine, authorisation, the store
contract, timers and escalation.
"""

from __future__ import annotations

from .amend import DeadlineMove, Migration, PrerequisiteChange
from .checkpoint import Checkpoint, take_checkpoint, verify_checkpoint
from .clock import Clock, ManualClock, SystemClock, to_local
from .engine import Engine, recorded_plan
from .events import GENESIS, ChainReport, Draft, Event, EventKind, canonical_json, verify_chain
from .connect import DATABASE_URL_ENV, is_database_url, open_store
from .plan import fingerprint
from .personal import PersonalVault, personal_data_listener, redacted
from .postgres import PostgresStore
from .sqlite import SQLiteStore
from .states import TERMINAL, TRANSITIONS, Action, State, TaskRecord, TaskState, apply, replay
from .store import CampaignHead, MemoryStore, Store, wait_for_events
from .timers import escalation_targets
from .views import Actor, ReportStatus, TaskView

__all__ = [
    "Action",
    "Actor",
    "CampaignHead",
    "DeadlineMove",
    "Migration",
    "PrerequisiteChange",
    "ReportStatus",
    "ChainReport",
    "Checkpoint",
    "Clock",
    "Draft",
    "Engine",
    "Event",
    "EventKind",
    "DATABASE_URL_ENV",
    "GENESIS",
    "ManualClock",
    "MemoryStore",
    "PersonalVault",
    "PostgresStore",
    "SQLiteStore",
    "State",
    "Store",
    "SystemClock",
    "TERMINAL",
    "TRANSITIONS",
    "TaskRecord",
    "TaskState",
    "TaskView",
    "apply",
    "canonical_json",
    "escalation_targets",
    "fingerprint",
    "is_database_url",
    "open_store",
    "personal_data_listener",
    "recorded_plan",
    "redacted",
    "replay",
    "take_checkpoint",
    "to_local",
    "verify_chain",
    "verify_checkpoint",
    "wait_for_events",
]
