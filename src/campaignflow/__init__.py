"""campaignflow: a workflow engine for public campaigns.

Load a plan, check it, simulate it, run it::

    import campaignflow as cf

    campaign = cf.load_plan("plan.toml")
    for finding in cf.validate(campaign):
        print(finding.location, finding.code, finding.message)

Names are imported lazily, so ``import campaignflow`` stays cheap for the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_attributes

__version__ = "0.1.0"

# name -> module that defines it; resolved on first access (PEP 562).
_LAZY: dict[str, str] = {
    # model
    "Annotation": "model",
    "Approval": "model",
    "CalendarOverride": "model",
    "Holiday": "model",
    "Campaign": "model",
    "ChecksConfig": "model",
    "Dependency": "model",
    "Duration": "model",
    "Group": "model",
    "Lag": "model",
    "Pairing": "model",
    "Repeat": "model",
    "Submission": "model",
    "Near": "model",
    "Task": "model",
    "Unit": "model",
    "Window": "model",
    # findings and errors
    "Finding": "findings",
    "Location": "findings",
    "Severity": "findings",
    "Text": "findings",
    "CampaignflowError": "errors",
    "CheckCrashed": "errors",
    "ConcurrencyConflict": "errors",
    "CycleError": "errors",
    "InvalidTransition": "errors",
    "NotAuthorized": "errors",
    "PlanError": "errors",
    "PluginLoadError": "errors",
    "Problem": "errors",
    "StoreError": "errors",
    "TamperedLogError": "errors",
    "TransitionError": "errors",
    "UnknownPlanError": "errors",
    "UnknownTaskError": "errors",
    # drafting a plan from a plan document
    "DraftError": "errors",
    "Draft": "draft",
    "Recogniser": "draft",
    "PhraseRecogniser": "draft",
    "Phrase": "draft",
    "draft_plan": "draft",
    # calendars, checks, plugins
    "Calendar": "calendar",
    "WorkAxis": "calendar",
    "Check": "checks",
    "CheckContext": "checks",
    "validate": "checks",
    "Plugins": "plugins.manager",
    "create_plugin_manager": "plugins.manager",
    "hookimpl": "plugins",
    # loading, writing and analysis
    "load_plan": "load",
    "loads": "load",
    "to_toml": "writer",
    "critical_path": "graph",
    "CriticalPath": "graph",
    "build_graph": "graph",
    "find_cycle": "graph",
    # simulation
    # (``simulate`` itself is the subpackage: ``from campaignflow.simulate import simulate``.)
    "schedule": "simulate",
    "Scenario": "simulate",
    "Schedule": "simulate",
    "SimulationResult": "simulate",
    # the scheduling core (issue 14)
    "SchedulingProblem": "simulate",
    "SchedulingSolution": "simulate",
    "Scheduler": "simulate",
    # the runtime engine
    "Engine": "runtime",
    "Actor": "runtime",
    "Event": "runtime",
    "TaskState": "runtime",
    "TaskView": "runtime",
    "Store": "runtime",
    "SQLiteStore": "runtime",
    "MemoryStore": "runtime",
    "ManualClock": "runtime",
    # the runtime's PostgreSQL store and store selection (issue 11)
    "PostgresStore": "runtime",
    "open_store": "runtime",
    # supervision (督办) at run time (issue 16)
    "Migration": "runtime",
    "PlanChangedError": "errors",
    "AmendmentRefused": "errors",
    "SupervisionChangedError": "errors",
    # exporters
    "Exporter": "export",
    "ExportContext": "export",
    # the 任务分工表 and 台账 (issue 13)
    "assignment_table": "export.assignment",
    "unit_ledger": "export.assignment",
    "deadline_text": "export.assignment",
    "AssignmentRow": "export.assignment",
    "AssignmentSection": "export.assignment",
    # safe exports and traceable rows (issue 13, session 3)
    "csv_cell": "export",
    "docx_task_ids": "export.assignment",
    # the web inbox (extra ``serve``; imported only when used)
    "create_app": "web",
    "header_identity": "web",
    "DemoLogin": "web",
    # editor support (issue 15): the plan format's JSON Schema, fixes
    "plan_schema": "schema",
    "Applicability": "findings",
    "Edit": "findings",
    "Fix": "findings",
    "FixResult": "fix",
    "fix_plan": "fix",
    "apply_edits": "fix",
    # office hours (issue 17, session 4)
    "OfficeHours": "calendar",
    "DEFAULT_OFFICE_HOURS": "calendar",
    # personal data of households (issue 20)
    "label_households": "export.households",
    "without_households": "export.households",
    "personal_data_listener": "runtime.personal",
}

__all__ = sorted([*_LAZY, "__version__"])


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .calendar import Calendar, WorkAxis
    from .checks import Check, CheckContext, validate
    from .errors import (
        CampaignflowError, CheckCrashed, ConcurrencyConflict, CycleError, InvalidTransition, NotAuthorized,
        PlanError, PluginLoadError, Problem, StoreError, TamperedLogError, TransitionError, UnknownPlanError,
        UnknownTaskError,
    )
    from .findings import Finding, Location, Severity, Text
    from .export import ExportContext, Exporter, csv_cell
    from .export.assignment import docx_task_ids
    from .export.assignment import (
        AssignmentRow, AssignmentSection, assignment_table, deadline_text, unit_ledger,
    )
    from .graph import CriticalPath, build_graph, critical_path, find_cycle
    from .load import load_plan, loads
    from .schema import plan_schema
    from .findings import Applicability, Edit, Fix
    from .fix import FixResult, apply_edits, fix_plan
    from .model import (
        Annotation, Approval, CalendarOverride, Campaign, ChecksConfig, Dependency, Duration, Group, Holiday, Lag,
        Pairing, Repeat, Submission, Task, Unit, Window,
    )
    from .model import Near
    from .plugins import hookimpl
    from .plugins.manager import Plugins, create_plugin_manager
    from .runtime import Actor, Engine, Event, ManualClock, MemoryStore, SQLiteStore, Store, TaskState, TaskView
    from .runtime import PostgresStore, open_store
    from .simulate import Scenario, Schedule, SimulationResult, schedule
    from .simulate import Scheduler, SchedulingProblem, SchedulingSolution
    from .writer import to_toml
    from .draft import Draft, Phrase, PhraseRecogniser, Recogniser, draft_plan
    from .errors import DraftError
    from .web import DemoLogin, create_app, header_identity
    from .calendar import DEFAULT_OFFICE_HOURS, OfficeHours
    from .export.households import label_households, without_households
    from .runtime.personal import personal_data_listener
