"""Hypothesis entry point: ``st.from_type(Campaign)`` draws valid campaigns.

Registered (by the lead, in pyproject.toml) under the ``hypothesis`` entry
point group, which Hypothesis runs when it is imported. Only the model is
imported then; the strategies are built on first use.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register ``campaigns()`` as the strategy for ``Campaign``."""
    from hypothesis import strategies as st

    from ..model import Campaign

    def valid_campaigns() -> st.SearchStrategy[Campaign]:
        from .strategies import campaigns

        return campaigns()

    st.register_type_strategy(Campaign, st.deferred(valid_campaigns))
