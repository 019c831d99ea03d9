"""Hook specifications: every hook a plugin may implement.

Registration hooks return classes or values and are called once per plugin
manager, lazily, the first time their registry is needed. Runtime hooks are
called once per committed event. Implementations may accept any subset of
the documented keyword arguments (pluggy passes only what they name).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import hookspec

if TYPE_CHECKING:
    from pathlib import Path

    import click

    from ..calendar import Calendar
    from ..checks import Check
    from ..draft.base import Recogniser
    from ..export import Exporter
    from ..model import Campaign
    from .plans import PlanRef


@hookspec
def campaignflow_register_checks() -> list[type[Check]]:
    """Return the check classes this plugin provides.

    Each class has a unique ``code`` (``CF`` + 3 digits is reserved for
    campaignflow; plugins use their own prefix, e.g. ``AH001``). Called once
    per plugin manager, when checks are first needed.
    """


@hookspec
def campaignflow_register_calendars() -> list[type[Calendar]]:
    """Return the calendar classes this plugin provides, each with a unique ``name``."""


@hookspec
def campaignflow_register_exporters() -> list[type[Exporter]]:
    """Return the exporter classes this plugin provides, each with a unique ``name``."""


@hookspec
def campaignflow_register_schedulers() -> list[type[Any]]:
    """Return the scheduler classes this plugin provides, each with a unique ``name``.

    A scheduler subclasses ``campaignflow.simulate.schedulers.Scheduler``: its
    ``solve(problem, effort=, seed=, time_limit=)`` returns a ``Solution``.
    """


@hookspec
def campaignflow_register_plans() -> list[PlanRef]:
    """Return the plans this plugin contributes (``campaignflow plans`` lists them)."""


@hookspec(firstresult=True)
def campaignflow_load_plan(path: Path) -> Campaign | None:
    """Load a plan file in a format of this plugin's, or return ``None`` to pass.

    Called for every path given to ``load_plan`` before the built-in TOML
    loader; the first non-``None`` result wins. Raise ``PlanError`` for a file
    that is yours but broken.
    """


@hookspec
def campaignflow_register_recognisers() -> list[type[Recogniser]]:
    """Return the recogniser classes ``campaignflow draft`` runs, each with a unique ``name``.

    A recogniser reads fields (owners, dates, approvals, ...) from one work item
    of a plan document. Called once per plugin manager, when a document is first drafted.
    """


@hookspec
def campaignflow_register_commands(cli: click.Group) -> None:
    """Add commands to the ``campaignflow`` command-line group."""


@hookspec
def campaignflow_after_event(event: Any, campaign: Campaign) -> None:
    """Called once for every event the runtime engine has durably committed.

    ``event`` is a ``campaignflow.runtime.Event``. Runs after the commit, so
    a listener that raises cannot change or corrupt the log: the engine logs
    the error and calls ``campaignflow_on_event_error``.
    """


@hookspec
def campaignflow_on_event_error(event: Any, plugin: str, error: BaseException) -> None:
    """Called when a ``campaignflow_after_event`` implementation raised."""
