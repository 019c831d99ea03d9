"""The built-in recognisers as a plugin; their module is imported only when a document is drafted.

Creating a plugin manager registers this module, and must stay cheap (every
CLI call and every Hypothesis example may create one), while compiling the
recognisers' patterns is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plugins import hookimpl

if TYPE_CHECKING:
    from .base import Recogniser


@hookimpl
def campaignflow_register_recognisers() -> list[type[Recogniser]]:
    """The built-in recognisers: owners, subjects, dates, submissions, solicitations."""
    from .recognisers import builtin_recognisers

    return builtin_recognisers()
