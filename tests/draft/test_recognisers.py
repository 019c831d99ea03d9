"""Each built-in recogniser on phrases in several forms (full- and half-width, Chinese numerals)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from campaignflow.draft.base import DraftContext, Item
from campaignflow.draft.recognisers import (DateRecogniser, OwnerRecogniser, SolicitationRecogniser,
                                            SubmissionRecogniser, is_collective, split_names)


def _item(text: str, node: str | None = None) -> Item:
    return Item(text=text, start=0, section="一", node_text=node or text, node_start=0)


def _ctx(year: int | None = 2020, **kw) -> DraftContext:
    ctx = DraftContext(text="", year=year, **kw)
    ctx.named_days.update(DateRecogniser.named_days)
    return ctx


def _fields(rec, text, ctx=None, node=None):
    return {f.name: f for f in rec.recognise(_item(text, node), ctx or _ctx())}


@pytest.mark.parametrize("text", [
    "于10月22日前报送活动开展情况", "于１０月２２日前报送", "于十月二十二日前报送", "于10 月 22 日之前报送",
    "于十月廿二日以前报送",
])
def test_absolute_deadlines_in_many_forms(text):
    f = _fields(DateRecogniser(), text)["due"]
    assert f.value == date(2020, 10, 22)
    assert f.quote in text.replace("１０", "10").replace("２２", "22") or f.quote in text


@pytest.mark.parametrize(("text", "value"), [
    ("并于9月30日12:00前报区扶贫办", datetime(2020, 9, 30, 12, 0)),
    ("并于9月30日12：00前报区扶贫办", datetime(2020, 9, 30, 12, 0)),
    ("于7月底前制定方案", date(2020, 7, 31)),
    ("于二月底前制定方案", date(2020, 2, 29)),  # 2020 is a leap year
    ("年终进行考核", date(2020, 12, 31)),
    ("“扶贫日”前夕，组织走访", date(2020, 10, 16)),
    ("二季度前完成申报", date(2020, 3, 31)),
])
def test_deadline_values(text, value):
    assert _fields(DateRecogniser(), text)["due"].value == value


def test_quarters_give_a_window():
    f = _fields(DateRecogniser(), "二、三季度完成招募工作")
    assert (f["start"].value, f["due"].value) == (date(2020, 4, 1), date(2020, 9, 30))
    f = _fields(DateRecogniser(), "一、二季度开展培训")
    assert "start" not in f and f["due"].value == date(2020, 6, 30)


def test_bare_date_is_the_day_and_named_day_on():
    assert _fields(DateRecogniser(), "10月17日，参加信息发布会")["on"].value == date(2020, 10, 17)
    assert _fields(DateRecogniser(), "在扶贫日举行仪式")["on"].value == date(2020, 10, 17)


def test_around_the_day_is_a_window_for_review():
    f = _fields(DateRecogniser(), "扶贫日前后，发动媒体")
    assert f["start"].value < date(2020, 10, 17) < f["due"].value
    assert f["start"].review is not None and f["start"].confidence < 0.8


def test_no_year_means_no_date_and_a_review_note():
    f = _fields(DateRecogniser(), "于10月24日前报区扶贫办", _ctx(None))
    assert "due" not in f and "note" in f and "year" in f["note"].review[0]


def test_impossible_date_is_a_note_not_an_error():
    f = _fields(DateRecogniser(), "于2月30日前报送")
    assert "due" not in f and f["note"].review is not None


def test_recurrence_and_duration():
    f = _fields(DateRecogniser(), "每季度派出工作组，全年至少派出4次")
    assert f["repeat"].value == {"every": "quarter", "times": 4}
    assert _fields(DateRecogniser(), "按月收集进展情况")["repeat"].value["every"] == "month"
    assert _fields(DateRecogniser(), "10月15日至10月19日，共5天时间")["duration"].value == "5d"
    assert _fields(DateRecogniser(), "共五天")["duration"].value == "5d"


@pytest.mark.parametrize(("text", "lead", "partners"), [
    ("举办成就展。(责任单位:省委宣传部、省扶贫办、安徽出版集团)", "省委宣传部", ("省扶贫办", "安徽出版集团")),
    ("举办成就展。（责任单位：省委宣传部，省扶贫办和安徽出版集团）", "省委宣传部", ("省扶贫办", "安徽出版集团")),
    ("牵头单位:县工商联 责任单位:县政府办、县扶贫开发局 进度安排:一季度", "县工商联", ("县政府办", "县扶贫开发局")),
    ("牵头单位：县委组织部\n责任单位：县纪委及县总工会\n", "县委组织部", ("县纪委", "县总工会")),
    ("由区扶贫办负责协调调度", "区扶贫办", ()),
    ("县扶贫办牵头，县财政局、县审计局配合", "县扶贫办", ("县财政局", "县审计局")),
    ("县脱贫攻坚领导小组办公室负责定点帮扶工作的安排部署", "县脱贫攻坚领导小组办公室", ()),
])
def test_owners(text, lead, partners):
    f = _fields(OwnerRecogniser(), text)["owners"]
    assert f.value == (lead, partners)
    assert f.quote in text


def test_owners_of_the_node_apply_to_its_items():
    node = "1. 召开会议；组织交流。(责任单位:省扶贫办、各地各有关单位)"
    f = _fields(OwnerRecogniser(), "组织交流", node=node)["owners"]
    assert f.value == ("省扶贫办", ("各地各有关单位",))


def test_split_names_and_collectives():
    assert split_names("省直机关工委、省扶贫办,有关市县等") == ["省直机关工委", "省扶贫办", "有关市县"]
    assert split_names("发改局(规划项目)、组织部门(干部人才)") == ["发改局", "组织部门"]
    assert is_collective("各地") and is_collective("全县各单位") and is_collective("各有关单位")
    assert is_collective("省扶贫开发领导小组成员单位") and is_collective("所属职业学校") and is_collective("市直各学校")
    for one in ("省扶贫办", "全县", "发文单位", "牵头单位"):
        assert not is_collective(one), one


def test_submissions_and_consent_chains():
    f = _fields(SubmissionRecogniser(), "制定方案并于9月30日12:00前报区扶贫办")
    assert f["reports_to"].value == ["区扶贫办"] and "approvals" not in f
    assert f["reports_to"].quote == "报区扶贫办"
    f = _fields(SubmissionRecogniser(), "制定方案并函送省扶贫办，于10月22日前报送省扶贫办")["reports_to"]
    assert f.value == ["省扶贫办"]  # one recipient, named twice
    f = _fields(SubmissionRecogniser(), "请于10月20日前报市教育局党委办公室。")["reports_to"]
    assert f.value == ["市教育局党委办公室"]
    f = _fields(SubmissionRecogniser(), "在征求本户同意的原则下，经村、镇推荐，以适当形式推介")
    assert f["approvals"].value == [("贫困户", "consent"), ("村", "recommend"), ("镇", "recommend")]
    assert "reports_to" not in f
    f = _fields(SubmissionRecogniser(), "在征求本户同意的原则下,经村、镇推荐,报区扶贫办")
    assert f["approvals"].value[0] == ("贫困户", "consent") and f["reports_to"].value == ["区扶贫办"]


def test_a_province_adds_phrases_by_subclassing():
    import re

    from campaignflow.draft.recognisers import OWNER_PHRASES, OwnerRecogniser, Phrase

    class HouseStyle(OwnerRecogniser):
        name = "house.owners"
        phrases = (Phrase(re.compile(r"责成(?P<who>[^，,。]{2,12}?)办理"), "lead", 0.9), *OWNER_PHRASES)

    assert _fields(HouseStyle(), "责成县民政局办理救助事项")["owners"].value == ("县民政局", ())
    assert _fields(OwnerRecogniser(), "责成县民政局办理救助事项") == {}
    assert _fields(HouseStyle(), "由区扶贫办负责协调调度")["owners"].value == ("区扶贫办", ())


def test_solicitations_with_and_without_whom():
    f = _fields(SolicitationRecogniser(), "开展个体私营企业爱心捐赠活动，向全县个体私营企业发出倡议")
    assert f["kind"].value == "solicitation" and f["solicits"].value == ["全县个体私营企业"]
    f = _fields(SolicitationRecogniser(), "在全省开展扶贫日认领认捐活动")
    assert "solicits" not in f and f["note"].review is not None
    assert _fields(SolicitationRecogniser(), "召开座谈会") == {}


@pytest.mark.parametrize(("text", "subject"), [
    ("各中小学校要通过主题班会等形式，大力宣传资助政策", ("各中小学校",)),
    ("审计部门要依法对募集款物进行审计监督", ("审计部门",)),
    ("“扶贫日”主题活动中，各中小学校要积极配合当地邮政部门", ("各中小学校",)),
    ("“扶贫日”主题活动中,各中小学校要积极配合当地邮政部门", ("各中小学校",)),
    ("各地、省扶贫开发领导小组成员单位及扶贫工作有关单位，开展本地工作总结",
     ("各地", "省扶贫开发领导小组成员单位", "扶贫工作有关单位")),
    ("各地党委组织部门、扶贫部门会同选派帮扶单位，开展走访", ("各地党委组织部门", "扶贫部门")),
    ("各地组织开展主题演讲比赛", ("各地",)),
    ("组织各市推选优秀青年扶贫创业项目参与比赛", ("各市",)),
    ("组织省直定点帮扶单位(包括省属企业、省属高校等),以定点帮扶团组为单元,展示成果", ("省直定点帮扶单位",)),
    ("组织各县教育部门（含所属学校），开展调研", ("各县教育部门",)),
    ("要组织所属职业学校，面对贫困群众开展培训", ("所属职业学校",)),
    ("  市区各高中、初中、小学，要分别结合驻村扶贫", ("市区各高中", "初中", "小学")),
    ("各乡镇（街道）于10月17日前举行仪式", ("各乡镇",)),
])
def test_subject_of_the_sentence(text, subject):
    from campaignflow.draft.recognisers import SubjectRecogniser
    f = _fields(SubjectRecogniser(), text)["subject"]
    assert f.value == subject
    assert f.quote in text and f.quote.startswith(subject[0][:2])


@pytest.mark.parametrize("text", ["组织国有企业代表、民营企业家深入贫困地区", "各项活动要明确责任", "省级层面在扶贫日前举行决赛"])
def test_no_subject_where_no_unit_leads_the_sentence(text):
    from campaignflow.draft.recognisers import SubjectRecogniser
    assert "subject" not in _fields(SubjectRecogniser(), text)


def test_no_subject_in_a_sentence_that_starts_with_its_verb():
    from campaignflow.draft.recognisers import SubjectRecogniser
    assert _fields(SubjectRecogniser(), "举办安徽省脱贫攻坚成就展") == {}


@pytest.mark.parametrize(("text", "key", "value"), [
    ("各乡镇（街道）于1017日前要在人口集中的地点举行仪式", "due", date(2015, 10, 17)),
    ("1015日前后,由县领导带头到村到户开展访贫慰问活动", "start", date(2015, 10, 12)),
    ("于９３０日前报送", "due", date(2015, 9, 30)),
])
def test_a_date_that_lost_its_month_is_read_for_review(text, key, value):
    f = _fields(DateRecogniser(), text, _ctx(2015))
    assert f[key].value == value and f[key].confidence < 0.8 and "月" in f[key].review[1]


def test_a_four_digit_number_that_is_no_date_is_left_alone():
    assert "due" not in _fields(DateRecogniser(), "共1340日前完成", _ctx(2015))  # 13 is no month
    assert "due" not in _fields(DateRecogniser(), "于1045日前完成", _ctx(2015))  # nor 45 a day
    assert _fields(DateRecogniser(), "于2015年10月17日举行", _ctx(2015))["on"].value == date(2015, 10, 17)


def test_since_this_year_is_no_deadline_but_the_named_day_is():
    f = _fields(DateRecogniser(), "扶贫日前夕，宣传今年以来的先进事迹")
    assert f["due"].value == date(2020, 10, 16)
    assert "due" not in _fields(DateRecogniser(), "宣传今年以来的先进事迹")


@pytest.mark.parametrize(("text", "key", "value"), [
    ("于十一月三十日前报送", "due", date(2020, 11, 30)),
    ("于１１月３０日前报送", "due", date(2020, 11, 30)),
    ("二〇一九年十月十七日举行仪式", "on", date(2019, 10, 17)),
    ("二零一九年十一月廿日前完成", "due", date(2019, 11, 20)),
    ("二○一九年十月十七日举行仪式", "on", date(2019, 10, 17)),
    ("十二月底前完成", "due", date(2020, 12, 31)),
    ("于10月17日（星期六）举行", "on", date(2020, 10, 17)),
])
def test_dates_with_chinese_numerals_and_full_width_digits(text, key, value):
    assert _fields(DateRecogniser(), text)[key].value == value


def test_two_written_as_liang():
    assert _fields(DateRecogniser(), "共两天")["duration"].value == "2d"
    assert _fields(DateRecogniser(), "每季度开展，全年至少两次")["repeat"].value == {"every": "quarter", "times": 2}
    assert _fields(DateRecogniser(), "每季度开展,全年至少十一次")["repeat"].value["times"] == 11


@pytest.mark.parametrize("text", ["（责任单位：县民政局、县财政局）", "(责任单位:县民政局,县财政局)", "（责任单位:县民政局和县财政局）"])
def test_owner_lists_in_full_and_half_width(text):
    assert _fields(OwnerRecogniser(), "开展慰问" + text)["owners"].value == ("县民政局", ("县财政局",))


@pytest.mark.parametrize("text", ["经村、镇推荐", "经村和镇推荐", "审核后，经村、镇推荐上报"])
def test_recommendation_chains_in_full_and_half_width(text):
    assert _fields(SubmissionRecogniser(), text)["approvals"].value == [("村", "recommend"), ("镇", "recommend")]


@pytest.mark.parametrize("text", ["开展爱心捐赠活动，向全县个体私营企业发出倡议", "开展爱心捐赠活动,向全县个体私营企业发出倡议"])
def test_solicitations_in_full_and_half_width(text):
    assert _fields(SolicitationRecogniser(), text)["solicits"].value == ["全县个体私营企业"]


@pytest.mark.parametrize("text", ["扶贫日前后，发动媒体", "“扶贫日”前后,发动媒体", "10月17日前后，发动媒体", "１０月１７日前后，发动媒体"])
def test_around_is_the_formats_three_days_either_side(text):
    # 前后 is the plan format's `around`: three calendar days either side unless the document gives a period.
    f = _fields(DateRecogniser(), text)
    assert (f["start"].value, f["due"].value) == (date(2020, 10, 14), date(2020, 10, 20))
    assert f["start"].review is not None


@pytest.mark.parametrize(("text", "due"), [
    ("三季度末完成招募", date(2020, 9, 30)),
    ("第三季度完成招募", date(2020, 9, 30)),
    ("于7月底前制定方案", date(2020, 7, 31)),
    ("年底前完成考核", date(2020, 12, 31)),
    ("请于10月22日前报送", date(2020, 10, 22)),
    ("“扶贫日”前夕，开展一次认购活动", date(2020, 10, 16)),
])
def test_deadline_forms(text, due):
    assert _fields(DateRecogniser(), text)["due"].value == due


def test_the_first_three_quarters_is_no_deadline():
    # "核算前三季度家庭实际收入": the period the figures cover, not when the work is due.
    f = _fields(DateRecogniser(), "与帮扶户一起核算前三季度家庭实际收入情况")
    assert "due" not in f and "start" not in f


def test_on_a_day_is_the_day():
    assert _fields(DateRecogniser(), "于10月17日举行仪式")["on"].value == date(2020, 10, 17)


def test_leaders_who_set_the_example_are_no_owning_unit():
    # "由县领导带头": county leaders (persons) set the example; no unit is named as owner.
    assert "owners" not in _fields(OwnerRecogniser(), "由县领导带头到村到户开展访贫慰问活动")
