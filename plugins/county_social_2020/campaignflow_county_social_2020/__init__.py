"""campaignflow plugin: the rules of the county's 2020 social poverty-alleviation plan.

Registers two checks (see ``checks``): CS001 (a stage keeps the quarter
its 进度安排 gives) and CS002 (progress is collected every month, 四(二)).
The third rule, every task has a time limit (四(三)), is the built-in opt-in
check CF207, which the plan configures. The plan itself ships as the
TOML plugin ``county-social-2020`` in the same directory.
"""

from __future__ import annotations

from campaignflow.checks import Check
from campaignflow.plugins import hookimpl

from .checks import CHECKS, MonthlyProgressLedger, QuarterSchedule

__all__ = ["QuarterSchedule", "MonthlyProgressLedger", "campaignflow_register_checks"]


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    """The county plan's checks, CS001 and CS002."""
    return list(CHECKS)
