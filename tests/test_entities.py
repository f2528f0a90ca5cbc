from govreport.core.document import Span
from govreport.core.entities import pair_leaders


def test_pairing_prefers_the_title_before_on_a_tie_and_reuses_titles():
    text = "副组长张三、李四；王五"
    t, n1, n2, n3 = Span(0, 3, "LEADER_TITLE"), Span(3, 5, "LEADER_NAME"), Span(6, 8, "LEADER_NAME"), \
        Span(9, 11, "LEADER_NAME")
    assert pair_leaders(text, [n1, n2, n3], [t]) == [(n1, t), (n2, t), (n3, None)]
    text = "局长甲乙主任"
    before, name, after = Span(0, 2, "LEADER_TITLE"), Span(2, 4, "LEADER_NAME"), Span(4, 6, "LEADER_TITLE")
    assert pair_leaders(text, [name], [after, before]) == [(name, before)]
