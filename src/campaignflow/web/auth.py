"""Who is signed in: the host's login, plugged into the web app as an ``Identify`` function.

The app never authenticates anyone itself. It asks ``identify(request)`` for the
signed-in ``Actor`` (a person and the units they act for) and leaves every
decision about what that person may do to the engine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from ..runtime import Actor

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["DemoLogin", "Identify", "header_identity", "sign", "unsign"]

#: The hook a host provides: the signed-in actor of a request, or ``None`` (not signed in).
Identify = Callable[["Request"], "Actor | None"]


def header_identity(person: str = "X-Remote-User", units: str = "X-Remote-Units") -> Identify:
    """Trust a reverse proxy's headers: the person in ``person``, their units comma-separated in ``units``.

    Only use this behind a proxy that authenticates the user and *overwrites*
    both headers on every request (docs/serve.md shows nginx's configuration).
    """

    def identify(request: Request) -> Actor | None:
        who = request.headers.get(person, "").strip()
        acting = [u.strip() for u in request.headers.get(units, "").split(",") if u.strip()]
        return Actor(who, frozenset(acting)) if who and acting else None

    return identify


def sign(secret: bytes, value: str) -> str:
    """``value`` with an HMAC-SHA256 tag, for a cookie the browser may not alter."""
    tag = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    return f"{value}|{tag}"


def unsign(secret: bytes, signed: str) -> str | None:
    """The value of a ``sign``-ed string, or ``None`` if its tag does not match."""
    value, _, tag = signed.rpartition("|")
    good = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    # Bytes: compare_digest refuses a str with non-ASCII characters (a forged cookie may have them).
    return value if value and hmac.compare_digest(tag.encode(), good.encode()) else None


@attrs.frozen
class DemoLogin:
    """A sign-in form that lets anyone pick a unit: for trying the app on one's own machine.

    ``campaignflow serve`` uses it on 127.0.0.1 unless ``--auth header`` is
    given; it must never face a network. The chosen person and unit are kept in
    a signed cookie, so a browser can not change them without signing in again.
    """

    #: unit id -> its display name, the units one may sign in as.
    units: Mapping[str, str]
    secret: bytes
    cookie: str = "campaignflow_demo_login"

    def identify(self, request: Request) -> Actor | None:
        """The actor in the request's login cookie, if it is signed and names a known unit."""
        raw = request.cookies.get(self.cookie)
        value = unsign(self.secret, raw) if raw else None
        if value is None:
            return None
        try:
            person, _, unit = base64.urlsafe_b64decode(value.encode()).decode().partition("\n")
        except ValueError:
            return None
        return Actor(person, frozenset((unit,))) if person and unit in self.units else None

    def cookie_value(self, person: str, unit: str) -> str:
        """The signed cookie for ``person`` acting for ``unit``."""
        # Base64: a cookie is latin-1 on the wire, and names are Chinese.
        return sign(self.secret, base64.urlsafe_b64encode(f"{person}\n{unit}".encode()).decode())


def units_of(names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A ``DemoLogin.units`` mapping from (id, name) pairs."""
    return dict(names)
