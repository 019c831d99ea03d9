"""pytest plugin (entry point ``pytest11``): fixtures for plan authors.

Enabled whenever campaignflow is installed; disable it with
``pytest -p no:campaignflow``. campaignflow itself is imported lazily, so the
plugin costs nothing in projects that do not use it.
"""

from __future__ import annotations
