from govreport.core.document import Span
from govreport.core.entities import choose_agency, is_fragment, pair_leaders


def test_pairing_prefers_the_title_before_on_a_tie_and_reuses_titles():
    text = "副组长张三、李四；王五"
    t, n1, n2, n3 = Span(0, 3, "LEADER_TITLE"), Span(3, 5, "LEADER_NAME"), Span(6, 8, "LEADER_NAME"), \
        Span(9, 11, "LEADER_NAME")
    assert pair_leaders(text, [n1, n2, n3], [t]) == [(n1, t), (n2, t), (n3, None)]
    text = "局长甲乙主任"
    before, name, after = Span(0, 2, "LEADER_TITLE"), Span(2, 4, "LEADER_NAME"), Span(4, 6, "LEADER_TITLE")
    assert pair_leaders(text, [name], [after, before]) == [(name, before)]


def test_a_name_run_together_with_the_verb_before_it_is_a_fragment():
    text = "来源:川主乡\n特向社会公开川主乡2019年度报告。2021年以来,鸭南乡人民政府在市委领导下"
    a = text.index("川主乡")
    b = text.index("会公开川主乡")
    c = text.index("鸭南乡人民政府在市委")
    spans = [Span(a, a + 3, "AGENCY"), Span(b, b + 6, "AGENCY"), Span(c, c + 10, "AGENCY")]
    chosen, _ = choose_agency(text, spans)
    assert text[chosen.start:chosen.end] == "川主乡"
    assert is_fragment(text, spans[1], [text[s.start:s.end] for s in spans])
    assert is_fragment(text, spans[2], [text[s.start:s.end] for s in spans])
