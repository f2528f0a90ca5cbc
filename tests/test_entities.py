import random

from govreport.core.document import Span
from govreport.core.entities import CharIndex, _clusters, _inside, choose_agency, is_fragment, pair_leaders


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


def test_name_clusters_are_the_pairwise_ones_with_the_character_index():
    def pairwise(folded: list[str]) -> list[set[int]]:  # every pair compared, as before the index
        names = list(dict.fromkeys(n for n in folded if n))
        group = list(range(len(names)))
        for i in range(len(names)):
            for j in range(i):
                if _inside(names[i], names[j]) or _inside(names[j], names[i]):
                    old, new = group[i], group[j]
                    group = [new if g == old else g for g in group]
        by = {n: group[k] for k, n in enumerate(names)}
        out: dict[object, set[int]] = {}
        for i, n in enumerate(folded):
            out.setdefault(by[n] if n else ("empty", i), set()).add(i)
        return sorted(out.values(), key=min)

    rng = random.Random(3)
    parts = ["拉堡", "镇", "人民政府", "柳江区", "卫生健康局", "卫健局", "办事处", "东湖街道", "政府", "市", ""]
    for _ in range(200):
        folded = ["".join(rng.choice(parts) for _ in range(rng.randint(0, 3))) for _ in range(rng.randint(1, 12))]
        assert [set(c) for c in _clusters(folded)] == pairwise(folded)
    index = CharIndex(["卫生健康局", "卫健局", "拉堡镇"])
    assert index.holding_all("卫局") == [0, 1] and index.holding_all("镇") == [2] and index.holding_all("") == [0, 1, 2]
