from govreport.core.document import Span
from govreport.inference.repair import repair_spans


def test_heading_fragments_on_one_line_are_joined():
    text = "前言。\n一、总体情况\n正文"
    spans = [Span(4, 5, "H.overview"), Span(6, 10, "H.overview")]
    assert repair_spans(text, spans) == [Span(4, 10, "H.overview")]


def test_heading_named_inside_prose_is_dropped_but_inline_heading_after_a_space_is_kept():
    text = "报告主要包括：总体情况、主动公开政府信息情况。 二、主动公开政府信息情况 正文"
    spans = [Span(12, 22, "H.proactive"), Span(24, 36, "H.proactive")]
    assert repair_spans(text, spans) == [Span(24, 36, "H.proactive")]


def test_entity_fragments_join_and_single_characters_go():
    text = "乐至县回澜镇人民政府，电话：0\n镇长张三"
    spans = [Span(0, 1, "AGENCY"), Span(2, 10, "AGENCY"), Span(14, 15, "PHONE")]
    assert repair_spans(text, spans) == [Span(0, 10, "AGENCY")]


def test_fragments_are_not_joined_across_lines_or_over_a_cell():
    text = "崔桥镇\n人民政府 | 7 | 政府"
    spans = [Span(0, 3, "AGENCY"), Span(4, 8, "AGENCY"), Span(11, 12, "T2.granted.total"),
             Span(15, 17, "AGENCY")]
    out = repair_spans(text, spans)
    assert Span(11, 12, "T2.granted.total") in out
    assert Span(0, 3, "AGENCY") in out and Span(4, 8, "AGENCY") in out
    assert not any(s.label == "AGENCY" and s.start < 12 < s.end for s in out)


def test_an_agency_must_end_like_the_name_of_a_body():
    text = "今天天气很好。崔桥镇人民政府发布。"
    spans = [Span(1, 3, "AGENCY"), Span(7, 14, "AGENCY")]
    assert repair_spans(text, spans) == [Span(7, 14, "AGENCY")]
