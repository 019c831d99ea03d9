"""draft_plan end to end: the seed documents, encodings, .docx, stdin, plugins, and any text at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from needs import unavailable
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import campaignflow as cf
from campaignflow.cli.main import cli
from campaignflow.draft import Field, Recogniser, draft_plan
from campaignflow.errors import DraftError
from campaignflow.plugins import hookimpl
from campaignflow.plugins.manager import create_plugin_manager

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "plugins").glob("*/document.txt"))


@pytest.fixture(scope="module")
def pm():
    return create_plugin_manager(entry_points=False, use_env=False)


@pytest.mark.parametrize("doc", SEEDS, ids=lambda p: p.parent.name)
def test_seed_documents_draft_to_plans_that_load_and_validate(doc, pm, tmp_path):
    draft = draft_plan(doc, plugins=pm)
    out = tmp_path / "plan.toml"
    out.write_text(draft.toml, encoding="utf-8")
    campaign = cf.load_plan(out, plugins=pm)
    templates = tomllib.loads(draft.toml).get("templates", {})
    assert len(campaign.tasks) + len(templates) >= 5
    for tpl in templates.values():  # a template runs over a group the draft declares, led by each member
        assert tpl["for_each"] in campaign.groups and tpl["task"]["lead"] == "{unit}"
    errors = [f for f in cf.validate(campaign, plugins=pm) if f.severity.name.lower() == "error"]
    assert errors == []
    text = doc.read_text(encoding="utf-8")
    for task in draft.tasks:  # every task's quote is the document's own words, at its line
        assert task.quote in text
        assert task.quote.split("\n")[0] in text.split("\n")[task.line - 1]
        for trace in task.traces:
            assert text[trace.start:trace.start + len(trace.quote)] == trace.quote or trace.quote in text


def test_anhui_fields_are_read_from_their_words(pm):
    draft = draft_plan(ROOT / "plugins/anhui_2020/document.txt", plugins=pm)
    c = draft.campaign
    names = {u.id: u.name for u in c.units.values()}
    exhibition = next(t for t in c.tasks.values() if t.title.startswith("举办安徽省脱贫攻坚成就展"))
    assert names[exhibition.lead] == "省委宣传部"
    assert {names[p] for p in exhibition.partners} == {"省扶贫办", "安徽出版集团"}
    # 请各市扶贫开发领导小组、省扶贫开发领导小组成员单位,于7月底前制定…,于10月22日前报送…: two acts, each a
    # template over each of the two collectives.
    templates = tomllib.loads(draft.toml)["templates"]
    dues = sorted(str(t["task"]["due"]) for t in templates.values() if t["task"]["section"] == "四(三)")
    assert dues == ["2020-07-31", "2020-07-31", "2020-10-22", "2020-10-22"]
    fors = {c.groups[t["for_each"]].name for t in templates.values() if t["task"]["section"] == "四(三)"}
    assert fors == {"各市扶贫开发领导小组", "省扶贫开发领导小组成员单位"}
    assert "# review:" in draft.toml and draft.review
    # 四(二) "要明确时限": the opt-in CF207 is configured, and it names the undated tasks.
    assert "[checks.options.CF207]" in draft.toml
    found = [f for f in cf.validate(c, plugins=pm) if f.code == "CF207"]
    undated = [t for t in c.tasks.values() if t.window.deadline() is None]
    assert bool(found) == bool(undated)


def test_gb18030_file_and_year_option(tmp_path, pm):
    p = tmp_path / "doc.txt"
    p.write_bytes("区统计局扶贫日活动方案\n一、活动内容\n（一）制定方案。于9月30日前报区扶贫办。\n".encode("gb18030"))
    no_year = draft_plan(p, plugins=pm)
    assert any("year" in r.message for r in no_year.review)
    assert all(t.window.due is None for t in no_year.campaign.tasks.values())
    with_year = draft_plan(p, year=2016, plugins=pm)
    assert [str(t.window.due) for t in with_year.campaign.tasks.values()] == ["2016-09-30"]
    assert with_year.campaign.tasks[next(iter(with_year.campaign.tasks))].reports_to  # 报区扶贫办: a submission


def test_docx_is_read_with_its_tables(tmp_path, pm):
    if os.environ.get("CI") != "true":
        pytest.importorskip("docx", reason="python-docx (the draft extra) is not installed")
    import docx

    document = docx.Document()
    document.add_paragraph("县教育局2020年扶贫日活动方案")
    document.add_paragraph("一、活动内容")
    document.add_paragraph("（一）开展走访。于10月16日前组织走访贫困户。（责任单位：县教育局、各学校）")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "（二）召开座谈会"
    table.rows[0].cells[1].text = "牵头单位：县扶贫办"
    path = tmp_path / "plan.docx"
    document.save(path)
    draft = draft_plan(path, plugins=pm)
    titles = [t.title for t in draft.campaign.tasks.values()]
    assert any("走访" in t for t in titles)
    assert any(str(t.window.due) == "2020-10-16" for t in draft.campaign.tasks.values())


@pytest.mark.parametrize("raw", [b"\x00\x01\x02binary\xff\xfe\x00" * 50, b"\xd0\xcf\x11\xe0old word", b"PK\x03\x04broken"])
def test_files_that_are_not_documents_are_a_draft_error(tmp_path, raw, pm):
    p = tmp_path / "x.bin"
    p.write_bytes(raw)
    with pytest.raises(DraftError) as info:
        draft_plan(p, plugins=pm)
    assert str(p) in str(info.value) and info.value.message_zh


class _HouseStyle(Recogniser):
    name = "test.house-style"
    order = 10

    def recognise(self, item, ctx):
        if "承办：" in item.text:
            who = item.text.split("承办：")[1].strip("。")
            yield Field("owners", (who, ()), "承办：" + who, item.start + item.text.index("承办："), 0.9)


class _Plugin:
    @hookimpl
    def campaignflow_register_recognisers(self):
        return [_HouseStyle]


def test_a_plugin_recogniser_runs_before_the_builtins():
    pm = create_plugin_manager(entry_points=False, use_env=False, plugins=[_Plugin()])
    assert "test.house-style" in pm.recognisers()
    draft = draft_plan("一、活动内容\n（一）举办展览。承办：县文化馆。（责任单位：县扶贫办）\n", year=2020, plugins=pm)
    task = next(iter(draft.campaign.tasks.values()))
    assert draft.campaign.units[task.lead].name == "县文化馆"


def test_cli_draft_writes_a_plan_that_validates(tmp_path):
    out = tmp_path / "plan.toml"
    runner = CliRunner()
    result = runner.invoke(cli, ["draft", str(SEEDS[0]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["validate", str(out)]).exit_code in (0, 1)
    plan = cf.load_plan(out)
    templates = tomllib.loads(out.read_text(encoding="utf-8")).get("templates", {})
    assert f"{len(plan.tasks)} tasks, {len(templates)} templates" in result.output  # templates count, though empty


def test_cli_draft_reads_stdin_and_refuses_binary():
    runner = CliRunner()
    ok = runner.invoke(cli, ["draft", "-", "--year", "2020"], input="一、活动内容\n（一）于10月22日前报送总结。\n")
    assert ok.exit_code == 0 and "2020-10-22" in ok.output
    bad = runner.invoke(cli, ["draft", "-"], input=b"\x00\x01\x02\x03" * 100)
    assert bad.exit_code == 2 and "error" in bad.output and "Traceback" not in bad.output
    missing = runner.invoke(cli, ["--lang", "zh", "draft", "/nonexistent/doc.txt"])
    assert missing.exit_code == 2 and "错误" in missing.output


_PIECES = st.sampled_from(["一、", "二、", "（一）", "(二)", "1.", "2、", "①", "一是", "责任单位:", "牵头单位：", "省扶贫办",
                           "各地", "、", "，", "。", "\n", "10月22日前", "7月底前", "二、三季度", "年终", "扶贫日前后",
                           "每季度", "全年至少4次", "共5天", "报送", "报区扶贫办", "征求本户同意", "经村、镇推荐", "募捐",
                           "开展", "组织", "活动内容", "指导思想", "2020年", "20xx年", "[", "\"", "\\", "#", "'''", "=",
                           "各市", "成员单位", "市直各学校", "要", "请", "在", "的基础上", "结束后", "进度安排:", "1017日前",
                           "并召开", "发文单位", "{unit}", "@", "县审计局"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=40).map("".join)))
def test_any_text_drafts_to_a_plan_that_loads(text):
    pm = _PM
    draft = draft_plan(text or " ", plugins=pm)
    assert cf.loads(draft.toml, plugins=pm).id == draft.campaign.id


_PM = create_plugin_manager(entry_points=False, use_env=False)


def test_a_lead_is_never_its_own_partner_and_every_reference_is_a_unit_or_group():
    for doc in SEEDS:
        c = draft_plan(doc, year=2020, plugins=_PM).campaign
        for t in c.tasks.values():
            assert t.lead not in t.partners, (doc, t.id)
            assert t.lead in c.units
            assert all(p in c.units or p in c.groups for p in t.partners)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=100).map(lambda s: s.encode("gb18030"))))
def test_any_file_drafts_or_is_a_clear_draft_error(tmp_path, raw):
    p = tmp_path / "doc.txt"
    p.write_bytes(raw)
    try:
        draft = draft_plan(p, plugins=_PM)
    except DraftError as exc:
        assert str(p) in exc.message and exc.message_zh
    else:
        cf.loads(draft.toml, plugins=_PM)


@pytest.mark.parametrize("doc", SEEDS[:2], ids=lambda p: p.parent.name)
def test_every_task_review_item_is_a_comment_in_the_plan(doc):
    draft = draft_plan(doc, year=2020, plugins=_PM)
    task_items = [r for r in draft.review if r.where.startswith(("tasks.", "templates."))]
    assert task_items and any(r.where.startswith("templates.") for r in task_items)
    for r in task_items:
        assert f"# review: {r.message_zh} / {r.message}" in draft.toml, r
    assert any(r.where == "campaign.issuer" for r in draft.review) or "issuer" in draft.toml


def test_drafting_is_deterministic():
    doc = ROOT / "plugins/lanshan_stats_bureau/document.txt"  # no year: the window is a fixed placeholder
    assert draft_plan(doc, plugins=_PM).toml == draft_plan(doc, plugins=_PM).toml
    assert "2000-01-01" in draft_plan(doc, plugins=_PM).toml


def test_ordering_words_suggest_after_on_the_review_list_only(pm):
    doc = ("区统计局扶贫日活动方案\n一、活动内容\n（一）举办摄影比赛。于10月10日前评选优秀作品。\n"
           "（二）举办展览。在摄影比赛评选的基础上，于10月15日前举办优秀作品展览。\n"
           "（三）开展集中宣传。于10月17日组织上街宣传。\n"
           "二、工作要求\n（一）做好总结。活动结束后，于10月24日前将活动总结报区扶贫办。\n")
    draft = draft_plan(doc, year=2016, plugins=pm)
    after = {r.where: r.message for r in draft.review if r.where.endswith(".after")}
    # 在摄影比赛评选的基础上 → the photo contest; 活动结束后 → every earlier activity of another part.
    assert after["tasks.s1-2.after"].endswith("[s1-1]") or "[s1-1-" in after["tasks.s1-2.after"]
    summary = after["tasks.s2-1.after"]
    assert "s1-2" in summary and "s1-3" in summary
    assert all(not t.after for t in draft.campaign.tasks.values())  # suggested, never written
    assert "after =" in draft.toml and "# review:" in draft.toml


def test_a_baseline_year_is_no_predecessor(pm):
    doc = "一、重点工作\n（一）开展推广。实现注册量在2019年的基础上大幅增长。\n（二）开展培训。在推广工作的基础上开展培训。\n"
    draft = draft_plan(doc, year=2020, plugins=pm)
    wheres = [r.where for r in draft.review if r.where.endswith(".after")]
    assert wheres == ["tasks.s1-2.after"]


def test_undated_work_takes_its_parts_schedule_and_the_campaign_day_is_only_suggested(pm):
    doc = ("县扶贫日活动方案\n一、重点工作\n（一）开展推广。宣传推广社会扶贫网，组织注册。 牵头单位:县扶贫开发局 "
           "进度安排:一、二季度推进各项工作,四季度进行总结。\n（二）开展慰问。组织干部走访慰问贫困户。\n")
    draft = draft_plan(doc, year=2020, plugins=pm)
    c = draft.campaign
    body = [t for t in c.tasks.values() if t.section == "一(一)" and "推广" in t.title][0]
    assert str(body.window.due) == "2020-12-31"  # the last time of 进度安排 (四季度)
    visit = [t for t in c.tasks.values() if t.section == "一(二)"][0]
    # The document gives the visits no time: the day is suggested for review, never written as a deadline.
    assert visit.window.due is None
    msgs = {r.where: r.message for r in draft.review}
    assert "schedule" in msgs[f"tasks.{body.id}.due"] and "扶贫日" in msgs[f"tasks.{visit.id}.due"]


# -- PDF (poppler's pdftotext) and old .doc (LibreOffice) ---------------------------------------------


def _office_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (Debian: libreoffice-writer poppler-utils)")
    return path


@pytest.fixture(scope="module")
def office_copies(tmp_path_factory):
    """One plan document as .docx, and LibreOffice's .pdf and Word 97 .doc of it."""
    pytest.importorskip("docx") if os.environ.get("CI") != "true" else None
    import docx

    soffice = _office_tool("soffice")
    _office_tool("pdftotext")
    out = tmp_path_factory.mktemp("office")
    document = docx.Document()
    document.add_paragraph("县教育局2020年扶贫日活动方案")
    document.add_paragraph("一、活动内容")
    # A paragraph long enough to wrap over several lines of the PDF page.
    document.add_paragraph("（一）开展走访。各中小学校要组织教师深入帮扶村、帮扶户开展走访慰问活动，详细了解贫困家庭"
                           "学生受资助情况，积极宣传教育扶贫政策，确保每个贫困家庭学生都能得到资助，于10月16日前完成。"
                           "（责任单位：县教育局、各中小学校）")
    document.add_paragraph("（二）报送总结。请于10月20日前将活动总结报县扶贫办。")
    source = out / "plan.docx"
    document.save(source)
    profile = (out / "profile").as_uri()
    for target in ("pdf", "doc:MS Word 97"):
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                        "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=240)
    return {suffix: out / f"plan.{suffix}" for suffix in ("docx", "pdf", "doc")}


@pytest.mark.parametrize("suffix", ["pdf", "doc"])
def test_pdf_and_old_doc_draft_like_the_docx(office_copies, suffix, pm):
    want = draft_plan(office_copies["docx"], plugins=pm)
    got = draft_plan(office_copies[suffix], plugins=pm)
    # pdftotext spaces digits off from Chinese ("于 10 月 16 日前"): the same words but for whitespace.
    assert [(t.section, "".join(t.quote.split())) for t in got.tasks] == \
        [(t.section, "".join(t.quote.split())) for t in want.tasks]
    dues = sorted(str(t.window.due) for t in got.campaign.tasks.values())
    assert "2020-10-20" in dues
    templates = tomllib.loads(got.toml).get("templates", {})
    assert any(str(t["task"].get("due")) == "2020-10-16" for t in templates.values())  # 各中小学校: a template


def test_a_pdf_without_text_is_a_clear_error(tmp_path, pm):
    _office_tool("pdftotext")
    p = tmp_path / "scan.pdf"
    # A valid one-page PDF with no text at all (a scan's page without its image).
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    body, offsets = b"%PDF-1.4\n", []
    for k, o in enumerate(objs, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % k + o + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % off for off in offsets)
    body += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    p.write_bytes(body)
    with pytest.raises(DraftError) as info:
        draft_plan(p, plugins=pm)
    assert "text layer" in info.value.message and "扫描" in info.value.message_zh


def test_unwrap_joins_wrapped_lines_and_keeps_headings():
    from campaignflow.draft.reader import unwrap
    text = ("活动方案\n一、活动内容\n（一）开展走访。各中小学校要组织教师深入帮扶村开展\n走访慰问活动，详细了解贫困家庭学生受\n"
            "资助情况。\n（二）报送总结。\n")
    assert unwrap(text).split("\n")[:4] == ["活动方案", "一、活动内容",
                                            "（一）开展走访。各中小学校要组织教师深入帮扶村开展走访慰问活动，详细了解贫困家庭学生受资助情况。",
                                            "（二）报送总结。"]


def test_a_submission_without_a_receiver_goes_where_the_one_before_went(pm):
    doc = ("区统计局扶贫日活动方案\n一、工作要求\n（一）认真做好总结。请各科室于7月底前制定活动方案并函送区扶贫办，"
           "于10月22日前报送活动开展情况。\n（二）其他。于10月25日前报送工作总结。\n")
    draft = draft_plan(doc, year=2020, plugins=pm)
    raw = tomllib.loads(draft.toml)
    tables = {**raw.get("tasks", {}), **{k: v["task"] for k, v in raw.get("templates", {}).items()}}
    fpb = next(u.id for u in draft.campaign.units.values() if u.name == "区扶贫办")
    by_due = {str(t["due"]): t.get("reports_to") for t in tables.values()}
    assert by_due["2020-07-31"] == [fpb] and by_due["2020-10-22"] == [fpb]
    assert by_due["2020-10-25"] is None  # another part: no receiver is guessed
    assert any("names no receiver" in r.message for r in draft.review)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["一、活动内容", "（一）", "开展走访慰问活动，", "详细了解情况", "。", "\n", " ", "1.", "短行"]),
                max_size=40).map("".join))
def test_unwrap_only_removes_line_breaks(text):
    from campaignflow.draft.reader import unwrap
    out = unwrap(text)
    assert "".join(out.split()) == "".join(text.split())  # the same words, in the same order
    assert out.count("\n") <= text.count("\n")


def test_owner_lines_after_shi_items_belong_to_the_whole_part(pm):
    # "一是…二是…三是… 牵头单位:… 进度安排:…": the owner lines follow the last 是-item but name the part's owners.
    doc = ("一、重点工作\n（一）落实政策\n1.落实好相关政策。一是提供场地保障。二是鼓励人员参加考试。三是做好考核招录工作。"
           " 牵头单位:县人社局 责任单位:各乡(镇) 进度安排:一季度制定方案;四季度正式上岗。\n2.实施工程。组织学生报名。\n")
    draft = draft_plan(doc, year=2020, plugins=pm)
    c = draft.campaign
    names = {u.id: u.name for u in c.units.values()}
    shi = [t for t in c.tasks.values() if t.section.startswith("一(一)1") and t.section != "一(一)1"]
    assert len(shi) == 3 and all(names[t.lead] == "县人社局" for t in shi)
    stages = [t for t in c.tasks.values() if t.section == "一(一)1"]
    assert sorted(str(t.window.due) for t in stages) == ["2020-03-31", "2020-12-31"]
    assert all(names[t.lead] == "县人社局" for t in stages)
    # Undated 是-items are bounded by their part's schedule, for review; ids stay unique.
    assert all(str(t.window.due) == "2020-12-31" for t in shi)
    assert len({t.id for t in c.tasks.values()}) == len(c.tasks)


def test_an_undated_act_after_a_dated_one_in_its_part_takes_its_day(pm):
    doc = ("区统计局扶贫日活动方案\n一、活动时间\n2016年10月15日至10月19日,共5天时间。\n二、活动内容\n"
           "（一）开展集中活动。参加10月17日当天组织干部开展一次上街宣传活动。在广场现场设立宣传台,发放倡议书。\n"
           "（二）组织募捐。发动干部职工捐款。参加区慈善总会在10月17日举行的捐赠仪式。\n")
    draft = draft_plan(doc, plugins=pm)
    c = draft.campaign
    first = [t for t in c.tasks.values() if t.section == "二(一)"]
    assert [str(t.window.on) for t in first] == ["2016-10-17", "2016-10-17"]
    stand = next(t for t in first if "宣传台" in t.title)
    assert f"tasks.{stand.id}.on" in {r.where for r in draft.review}
    # An act before the dated one is an act of its own: the activity period, not the day.
    drive = next(t for t in c.tasks.values() if t.section == "二(二)" and "捐款" in t.title)
    assert drive.window.on is None and str(drive.window.due) == "2016-10-19"


@pytest.mark.parametrize("sep", ["\t", "\u3000", " | ", "  "])
def test_a_task_table_row_is_a_task_with_its_columns(pm, sep):
    rows = [["序号", "工作任务", "牵头单位", "责任单位", "完成时限"],
            ["1", "开展扶贫捐赠活动", "县民政局", "县财政局、县总工会", "10月17日前"],
            ["2", "组织召开座谈会", "县扶贫办", "县委办", "十月底前"]]
    doc = "县扶贫日活动方案\n一、重点工作\n附件:任务分工表\n" + "".join(sep.join(r) + "\n" for r in rows)
    draft = draft_plan(doc, year=2020, plugins=pm)
    c = draft.campaign
    names = {u.id: u.name for u in c.units.values()}
    got = sorted((t.title, names[t.lead], sorted(names[p] for p in t.partners), str(t.window.due))
                 for t in c.tasks.values())
    assert got == [("开展扶贫捐赠活动", "县民政局", ["县总工会", "县财政局"], "2020-10-17"),
                   ("组织召开座谈会", "县扶贫办", ["县委办"], "2020-10-31")]
    # Every field is traced to the cell's own words.
    for t in c.tasks.values():
        assert t.doc.quote in doc


def test_a_table_with_only_responsible_units_takes_the_first_for_review(pm):
    doc = ("一、重点工作\n工作任务\t责任单位\t完成时间\n开展走访慰问活动\t县民政局、县扶贫办\t三季度\n"
           "县扶贫办要加强督查\n")
    draft = draft_plan(doc, year=2020, plugins=pm)
    c = draft.campaign
    names = {u.id: u.name for u in c.units.values()}
    row = next(t for t in c.tasks.values() if t.title == "开展走访慰问活动")
    assert names[row.lead] == "县民政局" and [names[p] for p in row.partners] == ["县扶贫办"]
    assert str(row.window.due) == "2020-09-30"
    assert f"tasks.{row.id}.lead" in {r.where for r in draft.review}
    # The line after the table is running text again, not a row.
    assert any("督查" in t.title for t in c.tasks.values())


def test_running_text_with_wide_gaps_is_no_table():
    from campaignflow.draft.table import table_rows
    text = "三、重点工作  牵头单位:县工商联  责任单位:县政府办  进度安排:一季度开展培训\n各地要开展宣传活动\n"
    assert table_rows(text) == ([], [])
