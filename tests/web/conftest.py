"""Fixtures for the web app's tests: the Lanshan plan on a SQLite store, a TestClient, sign-in."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
pytest.importorskip("starlette", reason="the serve extra is not installed")

from web_support import CID, LANSHAN, SECRET, T0, token, with_sign_off  # noqa: E402

import campaignflow as cf  # noqa: E402
from campaignflow.model import Campaign  # noqa: E402
from campaignflow.plugins.manager import Plugins, create_plugin_manager  # noqa: E402
from campaignflow.runtime import ManualClock, SQLiteStore  # noqa: E402


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    return create_plugin_manager(plugin_dirs=[LANSHAN.parent])


@pytest.fixture(scope="session")
def lanshan(plugins: Plugins) -> Campaign:
    """The Lanshan plan as the example host runs it: the office approves the bureau's plan."""
    return with_sign_off(cf.load_plan(LANSHAN, plugins=plugins))


@pytest.fixture(scope="session")
def lanshan_as_written(plugins: Plugins) -> Campaign:
    """The plugin's plan as the document says: the bureau sends (报) its plan, the office receives it."""
    return cf.load_plan(LANSHAN, plugins=plugins)


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture()
def make_client(tmp_path: Path, plugins: Plugins, clock: ManualClock) -> Callable[..., object]:
    """A TestClient for a demo-login app over ``campaign`` (default Lanshan with the host's sign-off) on a fresh
    SQLite file."""
    from starlette.testclient import TestClient

    from campaignflow.web import DemoLogin, create_app

    def make(campaign: Campaign | None = None, db: Path | None = None, store: object = None,
             **kwargs: object) -> TestClient:
        campaigns = [campaign] if campaign is not None else [with_sign_off(cf.load_plan(LANSHAN, plugins=plugins))]
        units = {u: x.name for c in campaigns for u, x in c.units.items()}
        app = create_app(campaigns, store or SQLiteStore(db or tmp_path / "web.db"), login=DemoLogin(units, SECRET),
                         secret=SECRET, plugins=plugins, clock=clock, **kwargs)  # type: ignore[arg-type]
        return TestClient(app)

    return make


def sign_in(client: object, unit: str, person: str = "王丽") -> None:
    """Sign ``client`` in through the demo form."""
    page = client.get("/login")  # type: ignore[attr-defined]
    r = client.post("/login", data={"csrf": token(page.text), "person": person, "unit": unit,  # type: ignore[attr-defined]
                                    "next": "/"})
    assert r.status_code == 200, r.text


def act(client: object, task: str, action: str, unit: str | None = None, reason: str = "",
        cid: str = CID) -> object:
    """Press ``action``'s button on the task page (the form's own csrf and key)."""
    page = client.get(f"/c/{cid}/tasks/{task}")  # type: ignore[attr-defined]
    data = {"csrf": token(page.text), "action": action, "unit": unit or "", "reason": reason,
            "key": f"{uuid.uuid4().hex}-{action}"}
    return client.post(f"/c/{cid}/tasks/{task}/act", data=data)  # type: ignore[attr-defined]


@pytest.fixture()
def signed_in() -> Callable[..., None]:
    return sign_in


@pytest.fixture()
def press() -> Callable[..., object]:
    return act
