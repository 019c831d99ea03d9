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


def test_county_social_prefecture_departments_have_their_county_counterparts(seeds):
    cs = seeds["county-social"]
    c = cs.campaign
    document = _document(cs)
    zhou = "州政府办公室、老干局、州总工会、州纪委、州防灾减灾和应急管理局、农办"
    county = "县脱贫攻坚领导小组办公室、县政府办、县委老干局、县总工会、县纪委、县防灾减灾局、县农牧农村和科技局"
    assert f"联系指导我县的州直部门分别是{zhou}。" in document and f"责任单位:{county}" in document
    assert "各联系单位,对应县级部门" in document
    pairs = [(c.units[p.a].name, c.units[p.b].name) for p in c.pairings if p.kind == "contact-counterpart"]
    # The leading group office leads the item; the other six are the counterparts, in the same order.
    assert pairs == list(zip(zhou.split("、"), county.split("、")[1:], strict=True))


def test_chongqing_every_poor_village_has_a_work_team(seeds):
    cq = seeds["chongqing"]
    c = cq.campaign
    assert "全县要向每个贫困村派出驻村工作队,切实做到村村都有工作队" in _document(cq)
    villages = [u.id for u in c.units.values() if u.kind == "poor-village"]
    teams = {t.template_unit: t for t in c.tasks.values() if t.template == "village-team"}
    assert villages and set(teams) == set(villages)
    for village, team in teams.items():
        assert team.lead == "county" and village in team.partners and c.units[village].parent in team.partners
        assert team.doc.quote in _document(cq)
    # Every township has its village, so no township is left without a team.
    assert {c.units[v].parent for v in villages} == set(c.members("townships"))


def test_venues_are_where_the_documents_say(seeds, seed_plugin):
    lanshan = seed_plugin("lanshan_stats_bureau", module="campaignflow_lanshan_stats_bureau")
    task = lanshan.campaign.tasks["street-campaign"]
    assert task.venue == "区委广场" and "在区委广场现场设立宣传台" in _document(lanshan)
    cq = seeds["chongqing"]
    assert "在乡镇(街道)所在地人口集中的地点举行扶贫日纪念活动仪式" in _document(cq)
    for task in (t for t in cq.campaign.tasks.values() if t.template == "township-ceremony"):
        assert task.venue == f"{cq.campaign.units[task.lead].name}所在地人口集中的地点"
