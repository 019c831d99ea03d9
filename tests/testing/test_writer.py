"""The plan writer: TOML that reads back to the same values, defaults left out, keys quoted when needed."""

from __future__ import annotations

import tomllib
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignflow.model import (
    Annotation, Approval, Campaign, ChecksConfig, Dependency, Duration, Group, Lag, Pairing, Task, Unit, Window,
)
from campaignflow.testing import strategies as cfst
from campaignflow.writer import to_toml

START, END = date(2020, 7, 1), date(2020, 10, 22)


def _campaign(**fields: object) -> Campaign:
    return Campaign(**{"id": "demo", "name": "Demo", "start": START, "end": END, **fields})  # type: ignore[arg-type]


def _task(**fields: object) -> Task:
    return Task(**{"id": "t", "title": "T", "lead": "u", **fields})  # type: ignore[arg-type]


def _read(campaign: Campaign) -> dict:
    return tomllib.loads(to_toml(campaign))


def test_minimal_campaign_is_short() -> None:
    text = to_toml(_campaign())
    assert text.splitlines() == ["format = 1", "", "[campaign]", 'id = "demo"', 'name = "Demo"',
                                 "start = 2020-07-01", "end = 2020-10-22"]


def test_defaults_are_left_out_and_others_written() -> None:
    plain = _read(_campaign())["campaign"]
    assert "calendar" not in plain and "timezone" not in plain and "allow_self_approval" not in plain
    full = _read(_campaign(calendar="cn-workdays", timezone="UTC", allow_self_approval=True, issuer="u",
                           name_en="Demo plan", doc=Annotation(quote="原文")))["campaign"]
    assert full == {"id": "demo", "name": "Demo", "name_en": "Demo plan", "issuer": "u", "start": START, "end": END,
                    "timezone": "UTC", "calendar": "cn-workdays", "allow_self_approval": True,
                    "doc": {"quote": "原文"}}


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_any_string_reads_back(text: str) -> None:
    assert _read(_campaign(name=text))["campaign"]["name"] == text


@pytest.mark.parametrize("uid", ["a.b", "区统计局", "x-1_y"])
def test_unit_ids_that_are_not_bare_keys_are_quoted(uid: str) -> None:
    text = to_toml(_campaign(units={uid: Unit(id=uid, name="n")}, tasks={"x": _task(id="x", partners=(uid,))}))
    assert (f'[units."{uid}"]' in text) == (uid != "x-1_y")
    data = tomllib.loads(text)
    assert list(data["units"]) == [uid]
    assert data["tasks"]["x"]["partners"] == [uid]


def test_expanded_tasks_are_plain_tables_under_quoted_ids() -> None:
    text = to_toml(_campaign(tasks={"c@town": _task(id="c@town", template="c", template_unit="town"),
                                    "r#2": _task(id="r#2", occurrence=2)}))
    assert '[tasks."c@town"]' in text and '[tasks."r#2"]' in text
    assert set(tomllib.loads(text)["tasks"]) == {"c@town", "r#2"}


@pytest.mark.parametrize(("duration", "written"), [
    (Duration(), None),
    (Duration(3), "3d"),
    (Duration(0.5), "0.5d"),  # half of a 7-hour office day is 3.5 h: days, not hours
    (Duration(4 / 7), "4h"),
    (Duration(20 / 7), "20h"),
    (Duration(0.1), "0.1d"),
    (Duration(1e-5), "0.00001d"),
    (Duration(2, 1, 5), {"optimistic": "1d", "likely": "2d", "pessimistic": "5d"}),
    (Duration(2, None, 4), {"likely": "2d", "pessimistic": "4d"}),
])
def test_durations(duration: Duration, written: object) -> None:
    task = _read(_campaign(tasks={"t": _task(duration=duration)}))["tasks"]["t"]
    assert task.get("duration") == written


def test_dependencies_lags_windows_approvals() -> None:
    task = _task(after=(Dependency("a"), Dependency("b", Lag(2, working=True)), Dependency("c", Lag(0, True)),
                        Dependency("d", Lag(1.5))),
                 window=Window(start=date(2020, 8, 1), due=datetime(2020, 9, 30, 12)),
                 approvals=(Approval(by="boss", within=Duration(4 / 7)),
                            Approval(by=("fin", "audit"), mode="any", due=date(2020, 10, 1), kind="consent",
                                     doc=Annotation(note="会签"))))
    got = _read(_campaign(tasks={"t": task}))["tasks"]["t"]
    assert got["after"] == ["a", {"task": "b", "lag": "2wd"}, {"task": "c", "lag": "0wd"},
                            {"task": "d", "lag": "1.5d"}]
    assert got["start"] == date(2020, 8, 1) and got["due"] == datetime(2020, 9, 30, 12)
    assert got["approvals"] == [{"by": "boss", "within": "4h"},
                                {"by": ["fin", "audit"], "mode": "any", "due": date(2020, 10, 1), "kind": "consent",
                                 "doc": {"note": "会签"}}]
    fixed = _read(_campaign(tasks={"t": _task(window=Window(on=date(2020, 10, 17)))}))["tasks"]["t"]
    assert fixed["on"] == date(2020, 10, 17) and "start" not in fixed and "due" not in fixed


def test_units_groups_pairings_checks() -> None:
    data = _read(_campaign(
        units={"p": Unit(id="p", name="省", kind="province", capacity=3),
               "c": Unit(id="c", name="市", parent="p", name_en="City")},
        groups={"g": Group(id="g", kind="city", under="p", members=("c",), exclude=("p",), units=("c",))},
        pairings=(Pairing(a="p", b="g", kind="fixed-point"),),
        checks=ChecksConfig(select=("CF2",), ignore=("CF203",), severity={"CF204": "error"},
                            options={"CF401": {"exempt_pairings": False, "max_per_group_pair": 3}}),
    ))
    assert data["units"] == {"p": {"name": "省", "kind": "province", "capacity": 3},
                             "c": {"name": "市", "name_en": "City", "parent": "p"}}
    # ``units`` is what the loader resolves; the plan says how.
    assert data["groups"] == {"g": {"kind": "city", "under": "p", "members": ["c"], "except": ["p"]}}
    assert data["pairings"] == [{"a": "p", "b": "g", "kind": "fixed-point"}]
    assert data["checks"] == {"select": ["CF2"], "ignore": ["CF203"], "severity": {"CF204": "error"},
                              "options": {"CF401": {"exempt_pairings": False, "max_per_group_pair": 3}}}


def test_aware_datetimes_are_refused() -> None:
    from datetime import timezone

    with pytest.raises(ValueError, match="local"):
        to_toml(_campaign(dates={"d": datetime(2020, 8, 1, tzinfo=timezone.utc)}))


@given(cfst.campaigns(max_tasks=5, templates=True, repeat=True, annotations=True, solicitations=True,
                      capacity=True))
def test_generated_campaigns_are_well_formed_toml_with_every_task(campaign: Campaign) -> None:
    data = tomllib.loads(to_toml(campaign))
    assert list(data.get("tasks", {})) == list(campaign.tasks)
    assert list(data["units"]) == list(campaign.units)
    for tid, task in campaign.tasks.items():
        assert data["tasks"][tid]["lead"] == task.lead
        assert len(data["tasks"][tid].get("after", [])) == len(task.after)


def test_submissions_and_co_leads_are_written_and_read_back() -> None:
    from campaignflow.model import Submission

    from campaignflow.load import loads
    from campaignflow.plugins.manager import create_plugin_manager

    units = {u: Unit(id=u, name=u) for u in ("a", "b", "c")}
    task = Task(id="t", title="t", lead="a", co_leads=("b",),
                reports_to=(Submission(to="c"), Submission(to=("b", "c"), due=date(2020, 10, 1),
                                                           doc=Annotation(quote="报送"))))
    campaign = Campaign(id="x", name="x", start=date(2020, 9, 1), end=date(2020, 10, 31), units=units,
                        tasks={"t": task})
    text = to_toml(campaign)
    assert 'co_leads = ["b"]' in text
    assert '"c",' in text and 'to = ["b", "c"]' in text
    back = loads(text, plugins=create_plugin_manager(entry_points=False, use_env=False))
    assert back.tasks["t"] == task
