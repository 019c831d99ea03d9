"""Smaller losses of earlier encodings, now said: every responsible unit, every set of schools, every pairing."""

from __future__ import annotations

import re

import pytest

PLUGINS = {
    "anhui": ("anhui_2020", "campaignflow_anhui_2020"),
    "chongqing": ("chongqing_county_2015", "campaignflow_chongqing_2015"),
    "county-social": ("county_social_2020", "campaignflow_county_social_2020"),
}


@pytest.fixture(scope="module")
def seeds(seed_plugin):
    return {name: seed_plugin(d, module=m) for name, (d, m) in PLUGINS.items()}


def _document(plugin) -> str:
    return re.sub(r"\s+", "", (plugin.dir / "document.txt").read_text(encoding="utf-8"))


def _names(campaign, task) -> set[str]:
    return {campaign.units[u].name for u in campaign.expand((task.lead, *task.partners))}


def test_anhui_appeal_letter_actions_involve_all_four_responsible_units(seeds):
    anhui = seeds["anhui"]
    c = anhui.campaign
    words = "(责任单位:省委宣传部、省委网信办、省扶贫办、省通信管理局)"
    assert "协调有关网络媒体推送相关视频。" + words in _document(anhui)
    responsible = set(words[6:-1].split("、"))
    actions = [t for t in c.tasks.values() if t.section == "三(三)3"]
    assert {t.id for t in actions} == {"appeal-letter", "day-sms", "online-videos"}
    for task in actions:
        assert responsible <= _names(c, task), task.id


def test_anhui_city_visits_are_made_with_the_dispatching_units(seeds):
    anhui = seeds["anhui"]
    c = anhui.campaign
    visits = [t for t in c.tasks.values() if t.template == "city-visits"]
    assert len(visits) == 16
    assert "会同选派帮扶单位" in visits[0].doc.quote and visits[0].doc.quote in _document(anhui)
    for task in visits:
        assert "选派帮扶单位" in _names(c, task), task.id
