"""Resource-constrained schedules and Monte-Carlo deadline risk (``campaignflow simulate``).

``schedule(campaign)`` gives every task and approval step a start and a finish
on the campaign calendar, respecting dependencies, windows, fixed dates,
approvals and units' capacities. ``simulate(campaign, runs=..., seed=...)``
adds, per task and per deadline, the spread of finishes and the probability
of meeting the deadline. See docs/simulate.md.
"""

from __future__ import annotations

from .montecarlo import simulate
from .optimize import OptimizerUnavailable, optimize
from .psplib import read_sm
from .rcpsp import (
    PRIORITY_RULES,
    ProblemError,
    SchedulingProblem,
    SchedulingSolution,
    check_schedule,
    heuristic,
    lower_bound,
    sgs,
)
from .schedulers import Scheduler
from .results import Deadline, DeadlineRisk, Overbooking, Schedule, SimulationResult, StepTiming, TaskRisk, TaskTiming
from .scenario import Scenario, parse_capacity, parse_delay
from .schedule import DEFAULT_APPROVAL_DAYS, schedule

__all__ = [
    "DEFAULT_APPROVAL_DAYS",
    "PRIORITY_RULES",
    "OptimizerUnavailable",
    "ProblemError",
    "Scheduler",
    "SchedulingProblem",
    "SchedulingSolution",
    "check_schedule",
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
