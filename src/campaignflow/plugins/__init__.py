"""The plugin system: hook markers, specifications, the manager and discovery.

Plugin authors import ``hookimpl`` from here::

    from campaignflow.plugins import hookimpl

    @hookimpl
    def campaignflow_register_checks():
        return [MyCheck]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import pluggy

__all__ = ["NAME", "hookimpl", "hookspec"]

#: The pluggy project name and the entry-point group plugins register under.
NAME = "campaignflow"

_F = TypeVar("_F", bound=Callable[..., Any])

#: Marks a function of a plugin as an implementation of a campaignflow hook.
hookimpl = cast(Callable[[_F], _F], pluggy.HookimplMarker(NAME))
#: Marks a hook specification (used by ``hookspecs``; plugins may add their own).
hookspec = pluggy.HookspecMarker(NAME)
