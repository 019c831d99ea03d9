"""Chinese numerals and the outline parser: nested, irregular, inline numbering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignflow.draft.numerals import cn_to_int
from campaignflow.draft.outline import _cn, parse_outline


@pytest.mark.parametrize(("text", "value"), [
    ("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("廿", 20), ("廿三", 23), ("两", 2), ("两百", 200),
    ("一百零五", 105), ("〇", 0), ("零", 0), ("二〇二〇", 2020), ("二零一八", 2018), ("17", 17), ("１７", 17),
    ("三十一", 31), ("卅", 30),
])
def test_cn_to_int(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("bad", ["", "abc", "十x"])
def test_cn_to_int_rejects_non_numerals(bad):
    with pytest.raises(ValueError):
        cn_to_int(bad)


@given(st.integers(min_value=0, max_value=99))
def test_written_numerals_read_back(n):
    assert cn_to_int(_cn(n)) == n


def test_nested_outline_labels_as_plans_write_them():
    text = ("一、指导思想\n总的要求。\n二、活动内容\n（一）总结一批\n1. 召开会议。\n2、举办展览。\n"
            "（二）宣传一批\n(1)发布倡议。\n①发送短信。\n②推送视频。\n三、工作要求\n")
    labels = [n.label for n in parse_outline(text)]
    assert labels == ["一", "二", "二(一)", "二(一)1", "二(一)2", "二(二)", "二(二)(1)", "二(二)(1)1",
                      "二(二)(1)2", "三"]


def test_inline_outline_in_one_line_with_full_width_brackets():
    text = "方案 一、目标任务 围绕年度任务。 二、重点工作 （一）扎实开展定点帮扶 县办负责。 （二）深化协作 推进。"
    nodes = parse_outline(text)
    assert [n.label for n in nodes] == ["一", "二", "二(一)", "二(二)"]
    assert nodes[2].title == "扎实开展定点帮扶"


def test_running_text_numbers_are_not_headings():
    # 一、二季度 in a sentence does not continue 三、 and does not restart the outline.
    text = "一、总则\n二、安排\n三、进度\n进度安排：一、二季度开展培训；二、三季度完成招募。\n四、要求\n"
    assert [n.label for n in parse_outline(text)] == ["一", "二", "三", "四"]


def test_irregular_numbering_skips_and_deep_levels():
    # A skipped number is running text; a new style opens a level below.
    text = "一、甲\n（一）乙\n（三）不是标题\n（二）丙\n1.丁\n一是抓好宣传。二是发送短信。\n二、庚\n"
    labels = [n.label for n in parse_outline(text)]
    assert labels == ["一", "一(一)", "一(二)", "一(二)1", "一(二)11", "一(二)12", "二"]


@given(st.text(max_size=300))
def test_any_text_parses_to_ordered_disjoint_nodes(text):
    nodes = parse_outline(text)
    for a, b in zip(nodes, nodes[1:]):
        assert a.end == b.start and a.start < b.start
    for n in nodes:
        assert 0 <= n.start < n.end <= len(text) and n.depth == len(n.path)


def test_clauses_with_doers_of_their_own_are_separate_items():
    from campaignflow.draft.build import items_of
    from campaignflow.draft.outline import parse_outline
    text = "一、活动内容\n1. 各地组织开展主题演讲比赛，省级层面在扶贫日前举行决赛。\n2. 举办成果展。组织各市推选项目参展。\n"
    items = items_of(text, parse_outline(text))
    texts = [i.text.strip("，,。") for i in items]
    assert texts == ["各地组织开展主题演讲比赛", "省级层面在扶贫日前举行决赛", "举办成果展", "组织各市推选项目参展"]
    for i in items:
        assert text[i.start:i.start + len(i.text)] == i.text


def test_a_heading_title_is_not_an_item_of_its_own():
    from campaignflow.draft.build import items_of
    from campaignflow.draft.outline import parse_outline
    text = "一、活动内容\n（一）开展扶贫走访调研。各县市区教育部门要认真调研教育扶贫工作进展情况。\n"
    assert [i.text for i in items_of(text, parse_outline(text))] == ["各县市区教育部门要认真调研教育扶贫工作进展情况。"]


def test_act_verbs_open_acts_and_elaborations_stay_with_them():
    from campaignflow.draft.build import _split_clauses
    s = "要开展机关干部职工爱心捐赠活动,组织动员社区居民参与捐赠,组织志愿者开展募捐,对参与者赠予荣誉标识。"
    parts = [p for p, _ in _split_clauses(s, 100)]
    assert parts == ["要开展机关干部职工爱心捐赠活动,", "组织动员社区居民参与捐赠,", "组织志愿者开展募捐,对参与者赠予荣誉标识。"]
    s = "组织企业代表深入贫困地区开展扶贫考察，并召开座谈会，引导社会各界参与帮扶。"
    assert [p for p, _ in _split_clauses(s, 0)] == ["组织企业代表深入贫困地区开展扶贫考察，", "并召开座谈会，引导社会各界参与帮扶。"]
    # 并 with an elaborating verb (通过 ... 帮助) is one act.
    s = "要集中组织机关党员干部深入帮扶村开展农产品采收活动，并通过微信朋友圈等平台帮助销售农产品。"
    assert len(_split_clauses(s, 0)) == 1
    for p, off in _split_clauses("开展捐赠活动，组织志愿者募捐。", 7):
        assert "开展捐赠活动，组织志愿者募捐。"[off - 7:off - 7 + len(p)] == p


def test_bing_with_a_circumstance_opens_a_second_act_only_when_an_act_follows():
    from campaignflow.draft.build import _split_clauses
    s = "要认真调研学生资助工作进展情况，深入研判薄弱环节，并针对上级反馈的问题，研究制定整改方案，补齐工作短板。"
    parts = [p for p, _ in _split_clauses(s, 0)]
    assert parts == ["要认真调研学生资助工作进展情况，深入研判薄弱环节，", "并针对上级反馈的问题，研究制定整改方案，补齐工作短板。"]
    # 并结合 with no act of its own after it elaborates the act before it.
    assert len(_split_clauses("要认真调研学生资助工作进展情况，并结合实际情况认真研判。", 0)) == 1
