import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tagged_text import build

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.document import Span
from govreport.inference.assemble import assemble, clean_spans


def cell(value: str, label: str) -> tuple[str, str]:
    return (value, label)


GRANTED_TOTAL = "T2.granted.total"
NEW_MADE = "T1.art20_1.rules.new_made"        # 2019 only
ISSUED = "T1.art20_1.rules.issued"            # 2021 only
MONEY_2019 = "T1.art20_9.centralized_procurement.total_amount"
MONEY_2021 = "T1.art20_8.administrative_fees.amount"
VALIDATOR = jsonschema.Draft202012Validator(schema.json_schema())


# --- cells ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("printed", "value"), [
    ("12", 12), ("１２", 12), ("1,234", 1234), ("1 234", 1234), ("-3", -3), ("－3", -3), ("三", 3),
    ("398.3675", 398.3675),
])
def test_cell_values_are_parsed_numbers(printed, value):
    text, spans = build("予以公开 | ", cell(printed, GRANTED_TOTAL), " |")
    got = assemble(text, spans)["requests"]["granted"]["total"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("printed", ["/", "—", "无", "abc"])
def test_unparsable_cell_is_null_not_zero(printed):
    text, spans = build("予以公开 | ", cell(printed, GRANTED_TOTAL), " |")
    record = assemble(text, spans)
    assert record["requests"]["granted"]["total"] is None
    assert record["conflicts"] == []


def test_unparsable_first_candidate_does_not_block_a_later_number():
    text, spans = build(cell("/", GRANTED_TOTAL), " | ", cell("7", GRANTED_TOTAL))
    assert assemble(text, spans)["requests"]["granted"]["total"] == 7


def test_pasted_twice_first_occurrence_wins_and_disagreement_is_a_conflict():
    text, spans = build(cell("49", GRANTED_TOTAL), " ... ", cell("49", GRANTED_TOTAL), " ... ",
                        cell("52", GRANTED_TOTAL), " ", cell("5", "T2.granted.natural_person"), " ",
                        cell("5", "T2.granted.natural_person"))
    record = assemble(text, spans)
    assert record["requests"]["granted"]["total"] == 49
    assert record["conflicts"] == [{"path": "requests.granted.total", "values": [49, 52], "chosen": 49}]


def test_cells_of_the_other_template_are_dropped():
    text, spans = build("本年制发件数 ", cell("1", ISSUED), " ", cell("2", "T1.art20_1.rules.repealed"), " ",
                        cell("9", NEW_MADE))
    record = assemble(text, spans)
    assert record["template"] == "2021"
    assert record["proactive"]["art20_1"]["rules"] == {"issued": 1, "repealed": 2, "in_force": None}
    assert "new_made" not in record["proactive"]["art20_1"]["rules"]


# --- template precedence --------------------------------------------------------------------------
def test_template_cells_beat_header_wording_and_year():
    text, spans = build(("2020", "REPORT_YEAR"), "年度报告 本年新制作数量 ", cell("1", ISSUED))
    assert assemble(text, spans)["template"] == "2021"


def test_template_header_wording_beats_year():
    text, spans = build(("2021", "REPORT_YEAR"), "年年报\n信息内容 | 本年新制作数量 | 本年新公开数量 |")
    assert assemble(text, spans)["template"] == "2019"


def test_template_from_year_when_nothing_else_tells():
    text, spans = build(("2022", "REPORT_YEAR"), "年政府信息公开工作年度报告")
    assert assemble(text, spans)["template"] == "2021"


def test_template_null_when_nothing_tells_and_record_has_the_union_shape():
    text, spans = build("予以公开 ", cell("3", GRANTED_TOTAL))
    record = assemble(text, spans)
    assert record["template"] is None
    assert record["requests"]["granted"]["total"] == 3
    assert "other_handling" in record["requests"] and "other_misc" in record["requests"]


# --- amounts --------------------------------------------------------------------------------------
def test_money_cell_unit_written_in_the_cell():
    text, spans = build("采购总金额 |\n政府集中采购 | 16 | ", cell("296549", MONEY_2019), "元 |")
    record = assemble(text, spans, offsets=True)
    assert record["amounts"] == [{"text": "296549元", "value": 296549, "unit": "元",
                                  "cell": "proactive.art20_9.centralized_procurement.total_amount"}]
    start, end = record["provenance"]["amounts.0"]
    assert text[start:end] == "296549元"


def test_money_cell_unit_from_the_column_header_in_traditional_script():
    text, spans = build("信息內容 | 採購項目數量 | 採購總金額(萬元) |\n政府集中採購 | 13 | ",
                        cell("477.35", MONEY_2019), " |")
    assert assemble(text, spans)["amounts"] == [
        {"text": "477.35", "value": 477.35, "unit": "万元",
         "cell": "proactive.art20_9.centralized_procurement.total_amount"}]


def test_money_cell_header_of_another_item_is_not_used():
    text, spans = build("第二十条第（八）项 金额（元） ", cell("0", "T1.art20_8.administrative_fees.change"),
                        "\n第二十条第（九）项 | 采购项目数量 | 采购总金额 |\n", cell("3", MONEY_2019))
    assert assemble(text, spans)["amounts"][0]["unit"] is None   # 2019 has no default unit


def test_money_cell_default_unit_2021():
    text, spans = build("本年收费金额 |\n行政事业性收费 | ", cell("1.5", MONEY_2021), " |")
    record = assemble(text, spans)
    assert record["template"] == "2021"
    assert record["amounts"] == [{"text": "1.5", "value": 1.5, "unit": "万元",
                                  "cell": "proactive.art20_8.administrative_fees.amount"}]


def test_money_cells_give_amounts_even_when_the_template_is_undecided():
    text, spans = build(cell("5", MONEY_2019), "元 | ", cell("2", MONEY_2021))   # one vote each: a tie
    record = assemble(text, spans)
    assert record["template"] is None
    assert [(a["text"], a["unit"]) for a in record["amounts"]] == [("5元", "元"), ("2", "万元")]


def test_unit_in_the_next_cell_is_not_the_cells_unit():
    text, spans = build("采购总金额（万元）| ", cell("12", MONEY_2019), " | 元 |")
    assert assemble(text, spans)["amounts"][0]["unit"] == "万元"


def test_prose_amounts_in_document_order_deduplicated():
    text, spans = build("收取信息处理费", ("380 元", "AMOUNT"), "，采购 ", cell("5", MONEY_2019), "元；另",
                        ("1.5萬元", "AMOUNT"), "、", ("380 元", "AMOUNT"), "。")
    amounts = assemble(text, spans)["amounts"]
    assert [(a["text"], a["value"], a["unit"], a["cell"] is None) for a in amounts] == [
        ("380 元", 380, "元", True), ("5元", 5, "元", False), ("1.5萬元", 1.5, "万元", True)]


# --- entities -------------------------------------------------------------------------------------
def test_agency_is_the_fullest_name_of_the_most_supported_body_with_aliases():
    # t03/t22: the short form is more frequent, the record names the body in full
    text, spans = build(("甲镇人民政府", "AGENCY"), " ", ("某县甲镇人民政府", "AGENCY"), " ",
                        ("甲镇", "AGENCY"), " ", ("甲镇", "AGENCY"))
    record = assemble(text, spans)
    assert record["agency"] == "某县甲镇人民政府" and record["agency_aliases"] == ["甲镇人民政府", "甲镇"]
    text, spans = build(("乙局", "AGENCY"), " ", ("乙局", "AGENCY"), " ", ("某县甲镇人民政府", "AGENCY"))
    assert assemble(text, spans)["agency"] == "乙局"                      # more support wins


def test_report_year_most_supported_and_published_page_line_date():
    text, spans = build(("2020", "REPORT_YEAR"), "年报 ", ("2019", "REPORT_YEAR"), " ", ("2020", "REPORT_YEAR"),
                        " 发布时间：", ("2021-02-30", "PUBLISHED_DATE"), " 发布日期:",
                        ("2021年1月19日", "PUBLISHED_DATE"),
                        " ", ("2021/3/1", "PUBLISHED_DATE"))
    record = assemble(text, spans)
    assert record["report_year"] == 2020
    assert record["published"] == "2021-01-19"


def test_leaders_pair_with_nearest_title_in_the_same_sentence():
    text, spans = build("成立了以", ("镇党委副书记、镇长", "LEADER_TITLE"), ("梁胤", "LEADER_NAME"),
                        "为组长的领导小组，", ("刘美玲", "LEADER_NAME"), "兼任", ("办公室主任", "LEADER_TITLE"),
                        "。", ("张三", "LEADER_NAME"), "负责。\n", ("副镇长", "LEADER_TITLE"))
    assert assemble(text, spans)["leaders"] == [
        {"name": "梁胤", "title": "镇党委副书记、镇长"}, {"name": "刘美玲", "title": "办公室主任"},
        {"name": "张三", "title": None}]


def test_leader_named_without_title_elsewhere_keeps_the_titled_entry_only():
    text, spans = build("由", ("副镇长", "LEADER_TITLE"), ("王五", "LEADER_NAME"), "分管。", ("王五", "LEADER_NAME"),
                        "负责。", ("王五", "LEADER_NAME"), "（", ("镇长", "LEADER_TITLE"), "）。")
    assert assemble(text, spans)["leaders"] == [{"name": "王五", "title": "副镇长"}, {"name": "王五", "title": "镇长"}]


def test_list_entities_deduplicated_in_order():
    text, spans = build("电话：", ("0772-7212205", "PHONE"), "、", ("0772-1234567", "PHONE"), "；电话 ",
                        ("0772-7212205", "PHONE"), " 邮箱 ", ("a@b.cn", "EMAIL"), " 文号 ",
                        ("国办公开办函〔2019〕60号", "DOC_NUMBER"))
    record = assemble(text, spans, offsets=True)
    assert record["phones"] == ["0772-7212205", "0772-1234567"]
    assert record["emails"] == ["a@b.cn"] and record["doc_numbers"] == ["国办公开办函〔2019〕60号"]
    assert text[slice(*record["provenance"]["phones.1"])] == "0772-1234567"


# --- sections, checks, provenance -----------------------------------------------------------------
def test_sections_checks_and_provenance_point_at_their_characters():
    text, spans = build(("一、总体情况", "H.overview"), "\n 本年度… \n",
                        ("三、收到和处理政府信息公开申请情况", "H.requests"),
                        "\n新收 ", cell("49", "T2.new_received.total"), " 结转 ", cell("0", "T2.carried_over.total"),
                        " 总计 ", cell("52", "T2.total_processed.total"), " 结转下年 ",
                        cell("0", "T2.carried_forward.total"), "\n", ("柳江区拉堡镇人民政府", "AGENCY"))
    record = assemble(text, spans, offsets=True)
    assert record["sections"]["overview"] == "本年度…"
    bad = [c for c in record["checks"] if c["ok"] is False]
    assert bad == [{"identity": 1, "where": "requests.total", "expected": 49, "found": 52, "ok": False}]
    prov = record["provenance"]
    for path, (start, end) in prov.items():
        value = schema.get_path(record, path)
        if path.startswith("requests."):
            assert str(value) == text[start:end]
        elif path.startswith(("sections.", "agency")):
            assert value == text[start:end]
    assert "sections.overview" in prov and "requests.carried_forward.total" in prov
    assert "provenance" not in assemble(text, spans)


def test_no_spans_gives_a_record_of_nulls():
    record = assemble("随便一段不是年报的文字。", [])
    assert record["template"] is None and record["agency"] is None and record["published"] is None
    assert all(v is None for v in record["sections"].values())
    assert all(c["ok"] is None for c in record["checks"])
    VALIDATOR.validate(record)


def test_clean_spans_ignores_junk_and_trims_whitespace():
    text = "  予以公开 12 "
    spans = [Span(6, 10, GRANTED_TOTAL), Span(5, 3, GRANTED_TOTAL), Span(0, 99, "NOT_A_LABEL"),
             Span(-5, 2, "AGENCY"), "junk", None]
    assert clean_spans(text, spans) == [Span(7, 9, GRANTED_TOTAL)]


# --- robustness -----------------------------------------------------------------------------------
_LABELS = [*labelset.span_labels(), "O", "B-AGENCY", "T2.nope.total", ""]


@st.composite
def docs(draw):
    alphabet = st.sampled_from(list("0123456789一二〇年月日元万.,-| \n。；镇长人民政府单位:（）")) | st.characters()
    text = draw(st.text(alphabet=alphabet, max_size=80))
    n = len(text)
    spans = draw(st.lists(st.builds(Span, st.integers(-3, n + 3), st.integers(-3, n + 3), st.sampled_from(_LABELS)),
                          max_size=25))
    return text, spans


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs(), st.booleans())
def test_arbitrary_text_and_spans_never_raise_and_give_a_valid_record(doc, offsets):
    text, spans = doc
    record = assemble(text, spans, offsets=offsets)
    VALIDATOR.validate(record)
    for start, end in record.get("provenance", {}).values():
        assert 0 <= start <= end <= len(text)


def test_clean_spans_come_in_span_order():
    text = "甲乙丙丁戊己庚辛壬癸" * 3
    spans = [Span(5, 9, "PHONE"), Span(0, 4, "EMAIL"), Span(5, 7, "PHONE"), Span(5, 7, "EMAIL"), Span(0, 4, "EMAIL")]
    assert clean_spans(text, spans) == sorted(set(spans))  # Span's own order, duplicates once
