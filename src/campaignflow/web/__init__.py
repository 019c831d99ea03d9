"""``campaignflow serve``: a server-rendered web app for the offices that run a campaign (extra ``serve``).

::

    from campaignflow.web import create_app, header_identity

    app = create_app([campaign], SQLiteStore("campaign.db"), identify=header_identity())

See docs/serve.md for deployment behind a reverse proxy and plugging in a login.
"""

from __future__ import annotations

from .app import ACTIONS, create_app
from .auth import DemoLogin, Identify, header_identity

__all__ = ["ACTIONS", "DemoLogin", "Identify", "create_app", "header_identity"]
