"""One test per rule of the assembler's precedence, on fixtures modelled on real reports (tNN)."""

from tagged_text import build

from govreport.core.document import Span
from govreport.core.entities import choose_agency, fold_name, is_email, is_fragment, is_phone
from govreport.inference.assemble import assemble
from govreport.inference.repair import repair_spans

A, Y, D = "AGENCY", "REPORT_YEAR", "PUBLISHED_DATE"


# --- agency --------------------------------------------------------------------------------------
def test_fullest_name_beats_the_frequent_short_form():  # t04, t16
    text, spans = build(("绍兴市越城区东湖街道", A), "2023年……", ("东湖街道办事处", A), "。",
                        ("东湖街道办事处", A), "。")
    record = assemble(text, spans)
    assert record["agency"] == "绍兴市越城区东湖街道"
    assert record["agency_aliases"] == ["东湖街道办事处"]


def test_traditional_and_pinyin_forms_fold_into_one_body():  # t17, t32
    assert fold_name("建章路街道辦事處") == "建章路街道办事处"
    assert fold_name("區(qū)投資促進(jìn)局") == "区投资促进局"
    text, spans = build(("建章路街道辦事處", A), "：", ("建章路街道", A), "，", ("建章路街道", A), "。")
    assert assemble(text, spans)["agency"] == "建章路街道辦事處"   # the record keeps the printed characters


def test_short_form_with_dropped_characters_joins_its_body():  # t47 市住房城乡建设局, t15 卫健局
    text, spans = build(("汝州市住房和城乡建设局", A), " ", ("市住房城乡建设局", A), " ", ("市住房城乡建设局", A))
    record = assemble(text, spans)
    assert record["agency"] == "汝州市住房和城乡建设局" and record["agency_aliases"] == ["市住房城乡建设局"]


def test_fragment_run_together_with_preceding_words_never_wins():  # issue 15: …公开年度某某镇政府
    text, spans = build("关于", ("信息公开年度某某镇政府", A), "的报告。", ("某某镇政府", A), "，", ("某某镇政府", A))
    assert assemble(text, spans)["agency"] == "某某镇政府"


def test_join_across_a_quotation_mark_never_wins():  # issue 15: …局轉發的《某某省人民政府
    text, spans = build(("某县民政局", A), "轉發", ("的《某某省人民政府", A), "》。", ("某县民政局", A))
    assert is_fragment(text, spans[1], [text[s.start:s.end] for s in spans])
    assert assemble(text, spans)["agency"] == "某县民政局"


def test_name_cut_at_its_first_character_never_wins():  # t40: model cut 抚|松县松江河镇人民政府
    text, spans = build(("抚松县松江河镇人民政府", A), "，抚", ("松县松江河镇人民政府", A), "。",
                        ("松县松江河镇人民政府", A))
    assert is_fragment(text, spans[1], [text[s.start:s.end] for s in spans])
    assert assemble(text, spans)["agency"] == "抚松县松江河镇人民政府"


def test_compiling_office_is_not_the_agency():  # spec: …人民政府办公室 compiled …人民政府's report
    text, spans = build(("甲镇人民政府", A), "。", ("甲镇人民政府办公室", A))
    assert assemble(text, spans)["agency"] == "甲镇人民政府"


def test_title_mention_outweighs_a_prose_mention():
    text, spans = build(("甲县民政局", A), "2020年政府信息公开工作年度报告\n正文", ("乙局", A), "。")
    assert choose_agency(text, spans)[0] == spans[0]


def test_no_agency_mention_gives_null():  # t01 (我镇 only)
    text, spans = build("我镇", ("2022", Y), "年政府信息公开工作年度报告")
    record = assemble(text, spans)
    assert record["agency"] is None and record["agency_aliases"] == []


# --- report year ---------------------------------------------------------------------------------
def test_title_and_statistics_period_beat_prose():
    text, spans = build(("2023", Y), "年度政府信息公开工作年度报告\n统计期限为", ("2023", Y),
                        "年1月1日至2023年12月31日。",
                        ("2022", Y), "年,", ("2022", Y), "年,", ("2022", Y), "年。")
    assert assemble(text, spans)["report_year"] == 2023


def test_disagreeing_years_without_a_winner_give_null():
    text, spans = build("正文", ("2020", Y), "年,我局……", ("2021", Y), "年,我局……")
    assert assemble(text, spans)["report_year"] is None


# --- published -----------------------------------------------------------------------------------
def test_signature_date_beats_page_line_date():
    text, spans = build("发布日期:", ("2021-01-20", D), "\n" + "正文。" * 40 + "\n", ("甲镇人民政府", A), "\n",
                        ("2021年1月19日", D))
    assert assemble(text, spans)["published"] == "2021-01-19"


def test_page_line_date_with_label_on_the_line_before():  # t47 "• 发布日期\n  • 2022-01-27"
    text, spans = build("标题\n  • 发布日期\n  • ", ("2022-01-27", D), "\n正文")
    assert assemble(text, spans)["published"] == "2022-01-27"


def test_statistics_period_end_and_prose_dates_are_never_published():  # spec: never the end of a statistics period
    text, spans = build("统计期限为2024年1月1日至", ("2024年12月31日", D), "。于", ("2024年3月1日", D), "召开会议。")
    assert assemble(text, spans)["published"] is None


# --- template ------------------------------------------------------------------------------------
def test_no_tables_template_follows_the_year_despite_prose_counts():  # t12, t47
    text, spans = build(("2021", Y), "年,共收到申请2条,其中:予以公开1条;其他处理1条。")
    assert assemble(text, spans)["template"] == "2021"
    text, spans = build(("2023", Y), "年,不予处理3件,其他处理29件。")
    assert assemble(text, spans)["template"] == "2021"


# --- contacts ------------------------------------------------------------------------------------
def test_spam_email_and_non_phone_are_dropped():  # issue 15: 某某体育官网@:, t39's 020 inside 2020
    text, spans = build(("某某体育官网@:", "EMAIL"), " ", ("lbzdzb7212205@126.com", "EMAIL"), " ", ("020", "PHONE"),
                        " ", ("0772-7212205", "PHONE"))
    record = assemble(text, spans)
    assert record["emails"] == ["lbzdzb7212205@126.com"] and record["phones"] == ["0772-7212205"]
    assert is_email("ZBZRMZF@163.com") and not is_email("a@b")
    assert is_phone("89230187") and is_phone("(0772)7212205") and not is_phone("2020")


# --- sections ------------------------------------------------------------------------------------
def test_heading_missing_its_first_numbering_character_still_counts():
    text = "前言。\n一、总体情况\n本年度……\n二、主动公开政府信息情况\n……"
    start = text.index("、总体")
    spans = [Span(start, start + 5, "H.overview"), Span(text.index("二、"), text.index("二、") + 12, "H.proactive")]
    record = assemble(text, repair_spans(text, spans))
    assert record["sections"]["overview"] == "本年度……"


def test_heading_with_pinyin_spliced_in_is_joined_across_it():  # t32, issue 15
    text = "正文。\n二、行政機關(guān)主動公開政府信息情況\n內容……"
    a, b = text.index("二、"), text.index("(guān)") + len("(guān)")
    spans = [Span(a, b - len("(guān)"), "H.proactive"), Span(b, text.index("\n內"), "H.proactive")]
    fixed = [s for s in repair_spans(text, spans) if s.label == "H.proactive"]
    assert fixed == [Span(a, text.index("\n內"), "H.proactive")]
    assert assemble(text, fixed)["sections"]["proactive"] == "內容……"


# --- property: every corrected training document assembles to a record the validator accepts -----
def test_corrected_training_documents_assemble_to_valid_records():
    import json
    from pathlib import Path

    import pytest

    from govreport.annotations.validate import validate_document
    from govreport.core.document import Document

    files = sorted(Path("/work/annot/work/corrected").glob("t*.json"))
    if not files:
        pytest.skip("no corrected documents on this machine")
    bad = []
    for f in files:
        d = json.loads(f.read_text(encoding="utf-8"))
        spans = [Span(s["start"], s["end"], s["label"]) for s in d["spans"]]
        doc = Document(d["id"], d["text"], spans, assemble(d["text"], spans))
        bad += [str(p) for p in validate_document(doc)]
    assert bad == []
