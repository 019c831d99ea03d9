"""Shared test configuration: Hypothesis profiles.

``dev`` (default) keeps the suite quick; ``ci`` (selected when CI=true, or
with HYPOTHESIS_PROFILE=ci) runs more examples and prints statistics-friendly
output. Tests that need a fixed number of examples in CI say so with
``@settings(max_examples=...)`` on top of the profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


# Tests known to fail, with the reason, marked xfail (strict) so that
# the rest lands; each must fail until fixed, then its entry goes. Empty: none is known.
_KNOWN_BROKEN: dict[str, str] = {}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        reason = _KNOWN_BROKEN.get(item.nodeid)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
