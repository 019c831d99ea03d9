"""Schedulers as plugins: the built-in heuristic and the CP-SAT optimiser.

A scheduler is a class with a unique ``name`` and a ``solve`` method taking a
``SchedulingProblem`` and returning a ``SchedulingSolution``; plugins return such classes from the
``campaignflow_register_schedulers`` hook, and ``Plugins.schedulers()`` lists
them. The built-ins are registered through the same hook, from this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..plugins import hookimpl

if TYPE_CHECKING:
    # Only for annotations: registering the built-ins must not import the scheduler itself.
    from .rcpsp import SchedulingProblem, SchedulingSolution

__all__ = ["CpSatScheduler", "HeuristicScheduler", "Scheduler"]


class Scheduler:
    """Base class of schedulers: subclasses set ``name`` and implement ``solve``."""

    #: The scheduler's registry name (``simulate --scheduler NAME``).
    name: ClassVar[str] = ""
    #: Whether its answer carries a solver's proven bound (an optimiser).
    proves: ClassVar[bool] = False

    def solve(self, problem: SchedulingProblem, *, effort: int = 1000, seed: int = 0,
              time_limit: float | None = None) -> SchedulingSolution:
        """Schedule ``problem``; ``effort`` schedules and/or ``time_limit`` seconds."""
        raise NotImplementedError


class HeuristicScheduler(Scheduler):
    """Biased random sampling with forward-backward improvement (``rcpsp.heuristic``)."""

    name = "heuristic"

    def solve(self, problem: SchedulingProblem, *, effort: int = 1000, seed: int = 0,
              time_limit: float | None = None) -> SchedulingSolution:
        """The best of ``effort`` schedules (deterministic for a seed when ``time_limit`` is None)."""
        from .rcpsp import heuristic

        return heuristic(problem, schedules=effort, seconds=time_limit, seed=seed)


class CpSatScheduler(Scheduler):
    """The OR-Tools CP-SAT optimiser (extra ``optimize``), started from the heuristic's schedule."""

    name = "cpsat"
    proves = True

    def solve(self, problem: SchedulingProblem, *, effort: int = 1000, seed: int = 0,
              time_limit: float | None = None) -> SchedulingSolution:
        """The minimum makespan within ``time_limit`` (default 10 s), with its proven bound."""
        from .optimize import optimize
        from .rcpsp import heuristic

        first = heuristic(problem, schedules=effort, seed=seed)
        return optimize(problem, time_limit=10.0 if time_limit is None else time_limit, start=first, seed=seed)


@hookimpl
def campaignflow_register_schedulers() -> list[type[Scheduler]]:
    """The built-in schedulers."""
    return [HeuristicScheduler, CpSatScheduler]
