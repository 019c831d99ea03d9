"""The writer and the loader agree: ``loads(to_toml(c)) == c`` for generated campaigns."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given, note, settings

from campaignflow.load import load_plan, loads
from campaignflow.model import Campaign, ChecksConfig
from campaignflow.plugins.manager import Plugins
from campaignflow.testing.strategies import campaigns, checks_configs
from campaignflow.writer import to_toml


def _differences(a: Campaign, b: Campaign) -> list[str]:
    out = []
    for field in attrs.fields(Campaign):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if field.eq and x != y:
            out.append(f"{field.name}: {x!r} != {y!r}")
    return out


@given(campaign=campaigns(max_tasks=5, approvals=True, solicitations=True, capacity=True, annotations=True),
       checks=checks_configs())
def test_written_plans_load_to_equal_campaigns(campaign: Campaign, checks: ChecksConfig,
                                               builtin_plugins: Plugins) -> None:
    campaign = attrs.evolve(campaign, checks=checks)
    text = to_toml(campaign)
    note(text)
    back = loads(text, plugins=builtin_plugins)
    assert back == campaign, _differences(back, campaign)


@given(campaign=campaigns(max_tasks=5, templates=True, repeat=True))
def test_expanded_tasks_load_back_as_themselves(campaign: Campaign, builtin_plugins: Plugins) -> None:
    expanded = [t for t in campaign.tasks.values() if t.template is not None or t.occurrence is not None]
    if not expanded:
        campaign = _with_instance(campaign)
    assert loads(to_toml(campaign), plugins=builtin_plugins) == campaign


def _with_instance(campaign: Campaign) -> Campaign:
    # Every example gets at least one expanded id, so that each one tests what the name says.
    task = next(iter(campaign.tasks.values()))
    instance = attrs.evolve(task, id=f"{task.id}@{task.lead}", template=task.id, template_unit=task.lead, after=())
    return attrs.evolve(campaign, tasks={**campaign.tasks, instance.id: instance})


@settings(max_examples=10)
@given(campaign=campaigns(max_tasks=3, annotations=True))
def test_a_written_file_loads_with_its_source(campaign: Campaign, tmp_path_factory: pytest.TempPathFactory,
                                              builtin_plugins: Plugins) -> None:
    path = tmp_path_factory.mktemp("plan") / "plan.toml"
    path.write_text(to_toml(campaign), encoding="utf-8")
    back = load_plan(path, plugins=builtin_plugins)
    assert back == campaign
    assert back.source == str(path)


SEED_PLANS = sorted((Path(__file__).resolve().parents[2] / "plugins").glob("*/plan.toml"))


@pytest.mark.parametrize("path", SEED_PLANS, ids=[p.parent.name for p in SEED_PLANS])
def test_the_seed_plans_round_trip(path: Path, builtin_plugins: Plugins) -> None:
    # Real plans: includes, templates over groups, repeats, date expressions, annotations.
    campaign = load_plan(path, plugins=builtin_plugins)
    back = loads(to_toml(campaign), plugins=builtin_plugins)
    assert back == campaign, _differences(back, campaign)


def test_there_are_seed_plans_to_round_trip() -> None:
    assert len(SEED_PLANS) >= 5
