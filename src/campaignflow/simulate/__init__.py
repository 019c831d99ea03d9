"""Resource-constrained schedules and Monte-Carlo deadline risk (``campaignflow simulate``).

``schedule(campaign)`` gives every task and approval step a start and a finish
on the campaign calendar, respecting dependencies, windows, fixed dates,
approvals and units' capacities. ``simulate(campaign, runs=..., seed=...)``
adds, per task and per deadline, the spread of finishes and the probability
of meeting the deadline. See docs/simulate.md.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

# Names are imported on first use (PEP 562), so that registering the built-in
# schedulers (``simulate.schedulers``, a built-in plugin) does not import the
# simulation itself for `campaignflow --help` or `validate`.
_LAZY: dict[str, str] = {
    "simulate": "montecarlo",
    "OptimizerUnavailable": "optimize",
    "optimize": "optimize",
    "read_sm": "psplib",
    **dict.fromkeys(("PRIORITY_RULES", "ProblemError", "SchedulingProblem", "SchedulingSolution",
                     "check_schedule", "decode", "heuristic", "lower_bound", "sgs"), "rcpsp"),
    "Scheduler": "schedulers",
    **dict.fromkeys(("Deadline", "DeadlineRisk", "Overbooking", "Schedule", "SimulationResult", "StepTiming",
                     "TaskRisk", "TaskTiming"), "results"),
    **dict.fromkeys(("Scenario", "parse_capacity", "parse_delay"), "scenario"),
    "DEFAULT_APPROVAL_DAYS": "schedule",
    "schedule": "schedule",
}
#: Names that are both a submodule and a function of it: the function wins, as it
#: did when they were imported eagerly (``campaignflow.simulate.schedule`` is the function).
_SHADOWED = frozenset({"schedule", "optimize"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        # The import system binds a loaded submodule on its package; for the
        # shadowed names, leave the attribute to ``__getattr__`` (the function).
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "DEFAULT_APPROVAL_DAYS",
    "PRIORITY_RULES",
    "OptimizerUnavailable",
    "ProblemError",
    "Scheduler",
    "SchedulingProblem",
    "SchedulingSolution",
    "check_schedule",
    "decode",
    "heuristic",
    "lower_bound",
    "optimize",
    "read_sm",
    "sgs",
    "Deadline",
    "DeadlineRisk",
    "Overbooking",
    "Scenario",
    "Schedule",
    "SimulationResult",
    "StepTiming",
    "TaskRisk",
    "TaskTiming",
    "parse_capacity",
    "parse_delay",
    "schedule",
    "simulate",
]


_lazy_getattr, __dir__ = lazy_attributes(__name__, _LAZY, globals())


def __getattr__(name: str) -> object:
    if name in _SHADOWED:
        import importlib

        value = getattr(importlib.import_module(f".{name}", __name__), name)
        globals()[name] = value
        return value
    return _lazy_getattr(name)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .montecarlo import simulate
    from .optimize import OptimizerUnavailable, optimize
    from .psplib import read_sm
    from .rcpsp import (
        PRIORITY_RULES, ProblemError, SchedulingProblem, SchedulingSolution, check_schedule, decode, heuristic,
        lower_bound, sgs,
    )
    from .results import (
        Deadline, DeadlineRisk, Overbooking, Schedule, SimulationResult, StepTiming, TaskRisk, TaskTiming,
    )
    from .scenario import Scenario, parse_capacity, parse_delay
    from .schedule import DEFAULT_APPROVAL_DAYS, schedule
    from .schedulers import Scheduler
