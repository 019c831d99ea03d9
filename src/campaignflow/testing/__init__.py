"""Test kit for plan authors: Hypothesis strategies, assertions and a pytest plugin.

- ``campaignflow.testing.strategies``: valid campaigns by construction and
  campaigns with one planted conflict per check code (needs ``hypothesis``,
  the ``testing`` extra).
- ``assert_plan_valid`` and ``assert_findings``: plan assertions whose
  failures read like ``campaignflow validate``.
- ``campaignflow.testing.pytest_plugin``: the ``load_plan_file`` fixture,
  enabled whenever campaignflow is installed (``-p no:campaignflow`` disables it).

Names are imported on first use, so that the pytest plugin, which imports
this package, costs nothing in projects that do not use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

__all__ = ["assert_findings", "assert_plan_valid", "strategies"]

_LAZY = {"assert_findings": "assertions", "assert_plan_valid": "assertions", "strategies": "strategies"}

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())


if TYPE_CHECKING:  # pragma: no cover
    from . import strategies
    from .assertions import assert_findings, assert_plan_valid
