"""campaignflow plugin: the rules of the county's 2020 social poverty-alleviation plan.

Registers three checks (see ``checks``): CS001 (a stage keeps the quarter
its 进度安排 gives), CS002 (progress is collected every month, 四(二)) and
CS003 (every task has a time limit, 四(三)). The plan itself ships as the
TOML plugin ``county-social-2020`` in the same directory.
"""

from __future__ import annotations

from campaignflow.checks import Check
from campaignflow.plugins import hookimpl

from .checks import CHECKS, MonthlyProgressLedger, QuarterSchedule, TimeLimitStated

__all__ = ["QuarterSchedule", "MonthlyProgressLedger", "TimeLimitStated", "campaignflow_register_checks"]


@hookimpl
def campaignflow_register_checks() -> list[type[Check]]:
    """The county plan's checks, CS001-CS003."""
    return list(CHECKS)
