"""The Lanshan district platform on the web: the campaign desk mounted in the platform, behind its login."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "examples" / "lanshan_district" / "web.py"
BUREAU = {"X-Remote-User": "wang.li", "X-Remote-Units": "stats-bureau"}
OFFICE = {"X-Remote-User": "zhao.min", "X-Remote-Units": "district-fpb,district"}


def _platform(db: Path):
    spec = importlib.util.spec_from_file_location("lanshan_web", WEB)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.platform(db, b"s" * 32)


def test_the_desk_is_mounted_in_the_platform_and_links_stay_inside_it(tmp_path):
    from starlette.testclient import TestClient

    client = TestClient(_platform(tmp_path / "l.db"))
    assert "扶贫日活动工作台" in client.get("/").text
    index = client.get("/campaigns/", headers=BUREAU).text
    assert index.count('href="/campaigns/c/lanshan-') == 3  # three bureaus' plans on one store
    inbox = client.get("/campaigns/c/lanshan-stats-bureau/inbox", headers=BUREAU).text
    links = re.findall(r'(?:href|action)="(/[^"]*)"', inbox)
    assert links and all(link.startswith("/campaigns/") for link in links), links
    assert client.get("/campaigns/c/lanshan-stats-bureau/inbox").status_code == 401  # no proxy headers


def test_the_office_approves_a_bureau_plan_through_the_platform(tmp_path):
    from starlette.testclient import TestClient

    client = TestClient(_platform(tmp_path / "l.db"))
    base = "/campaigns/c/lanshan-education-bureau/tasks/bureau-plan"
    bureau = {"X-Remote-User": "liu", "X-Remote-Units": "education-bureau"}

    def press(who, action, unit):
        csrf = re.search(r'name="csrf" value="(\w+)"', client.get(base, headers=who).text).group(1)
        r = client.post(f"{base}/act", headers=who, data={"csrf": csrf, "action": action, "unit": unit},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith(base), r.text
        return r

    # The windows are long open on the real clock; the plan is late, which the inbox puts first.
    press(bureau, "start", "education-bureau")
    press(bureau, "submit", "education-bureau")
    inbox = client.get("/campaigns/c/lanshan-education-bureau/inbox?unit=district-fpb", headers=OFFICE).text
    assert 'data-task="bureau-plan"' in inbox
    press(OFFICE, "approve", "district-fpb")
    page = client.get(base, headers=OFFICE).text
    assert "已办结" in page and "zhao.min" in page.split('id="chain"')[1]


def test_the_platform_has_the_office_sign_off_the_statistics_bureaus_plan(tmp_path):
    # The document only sends (报) the plan; this platform (host.with_sign_off) adds the office's approval.
    from starlette.testclient import TestClient

    client = TestClient(_platform(tmp_path / "l.db"))
    page = client.get("/campaigns/c/lanshan-stats-bureau/tasks/bureau-plan", headers=BUREAU).text
    assert 'id="chain"' in page and "区扶贫办" in page.split('id="chain"')[1].split("</table>")[0]
    assert 'id="reports"' in page  # and it is still sent to the office
