"""The generator's parts: record rules of segments.py, noise, layouts and document-level cuts."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from govreport.core.numbers import parse_number
from govreport.training.synth import noise
from govreport.training.synth.context import Ctx
from govreport.training.synth.layouts import LAYOUTS, render_grid
from govreport.training.synth.record import make_facts
from govreport.training.synth.render import _drop_head, _truncate
from govreport.training.synth.segments import ENT, NUM, PLAIN, TMPL, UNIT, Seg, to_document
from govreport.training.synth.tables import make_style, merge, t1_grids, t2_grid, t3_grid


def _doc(segs, template="2019"):
    return to_document("t", segs, template, {})


def test_agency_is_the_fullest_name_with_the_other_forms_as_aliases():
    segs = [Seg("甲镇人民政府", "AGENCY", ENT), Seg(" "), Seg("某市甲镇人民政府", "AGENCY", ENT), Seg(" "),
            Seg("甲镇人民政府", "AGENCY", ENT)]
    rec = _doc(segs).record
    assert (rec["agency"], rec["agency_aliases"]) == ("某市甲镇人民政府", ["甲镇人民政府"])
    tie = [Seg("乙局", "AGENCY", ENT), Seg(" "), Seg("某县乙局", "AGENCY", ENT)]
    assert _doc(tie).record["agency"] == "某县乙局"


def test_money_unit_from_cell_then_header_then_template_default():
    path = "proactive.art20_9.centralized_procurement.total_amount"
    label = "T1.art20_9.centralized_procurement.total_amount"
    in_cell = [Seg("296549", label, NUM, 296549, meta={"money": True}), Seg("元", None, UNIT, "元")]
    rec = _doc(in_cell).record
    assert rec["amounts"] == [{"text": "296549元", "value": 296549, "unit": "元", "cell": path}]
    header = [Seg("采购总金额（万元）", None, TMPL, ref=1), Seg(" | "),
              Seg("398.3675", label, NUM, meta={"money": True, "header_unit": "万元", "header_ref": 1})]
    assert _doc(header).record["amounts"][0]["unit"] == "万元"
    # The header was cut away (document starting mid-way): nothing printed says the unit.
    assert _doc(header[2:]).record["amounts"][0]["unit"] is None
    # Only the end of the header survived: what is left still says the unit.
    cut = [Seg("（万元）", None, PLAIN, ref=1), *header[1:]]
    assert _doc(cut).record["amounts"][0]["unit"] == "万元"
    fee = [Seg("0.5", "T1.art20_8.administrative_fees.amount", NUM, meta={"money": True})]
    assert _doc(fee, "2021").record["amounts"][0]["unit"] == "万元"


def test_pasted_twice_conflict_keeps_the_first_value():
    label = "T2.granted.total"
    rec = _doc([Seg("5", label, NUM), Seg("\n"), Seg("7", label, NUM)]).record
    assert rec["requests"]["granted"]["total"] == 5
    assert rec["conflicts"] == [{"path": "requests.granted.total", "values": [5, 7], "chosen": 5}]
    same = _doc([Seg("5", label, NUM), Seg("\n"), Seg("5", label, NUM)]).record
    assert same["conflicts"] == []


def test_template_is_null_when_nothing_printed_reveals_it():
    rec = _doc([Seg("一、总体情况", "H.overview", ENT), Seg("\n无。")]).record
    assert rec["template"] is None
    rec = _doc([Seg("2020", "REPORT_YEAR", NUM), Seg("年度报告")]).record
    assert rec["template"] == "2019" and rec["report_year"] == 2020


def test_leader_title_pairs_within_the_sentence_group():
    segs = [Seg("镇长", "LEADER_TITLE", ENT, group=1), Seg("张三", "LEADER_NAME", ENT, group=1), Seg("、"),
            Seg("李四", "LEADER_NAME", ENT, group=2), Seg("（"), Seg("副镇长", "LEADER_TITLE", ENT, group=2)]
    assert _doc(segs).record["leaders"] == [{"name": "张三", "title": "镇长"}, {"name": "李四", "title": "副镇长"}]
    # An untitled mention adds nothing when another sentence gives the name a title.
    more = [Seg("王五", "LEADER_NAME", ENT, group=3), Seg("。"), *segs, Seg("。"),
            Seg("镇(zhèn)长", "LEADER_TITLE", ENT, group=4), Seg("张三", "LEADER_NAME", ENT, group=4),
            Seg("。"), Seg("李四", "LEADER_NAME", ENT, group=5)]
    assert _doc(more).record["leaders"] == [{"name": "王五", "title": None}, {"name": "张三", "title": "镇长"},
                                            {"name": "李四", "title": "副镇长"},
                                            {"name": "张三", "title": "镇(zhèn)长"}]


def test_noise_never_changes_values_and_loses_characters_only_outside_spans():
    rng = random.Random(1)
    cfg = noise.NoiseConfig(traditional=True, script="s2twp", pinyin=0.0, lost=1.0, lost_char="?",
                            fullwidth_digits=1.0, spaced_numbers=1.0, punct="full")
    segs = [Seg("规范性文件数据", None, PLAIN), Seg("1234", "T2.granted.total", NUM, 1234),
            Seg("拉堡镇人民政府", "AGENCY", ENT), Seg("2020年1月19日", "PUBLISHED_DATE", NUM, (2020, 1, 19))]
    out = noise.apply(rng, segs, cfg)
    assert out[0].text.count("?") >= 3
    assert out[1].text != "1234" and parse_number(out[1].text) == 1234
    assert out[1].text == out[1].text.strip()
    assert out[2].text == "拉堡鎮人民政府"
    assert [s.label for s in out] == [s.label for s in segs]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_prints_each_cell_once_and_unchanged(layout):
    for seed in range(8):
        rng = random.Random(seed)
        facts = make_facts(rng)
        style = make_style(rng)
        grids = [merge("t1", t1_grids(rng, facts, style, [0])), t2_grid(rng, facts, style), t3_grid(rng, facts, style)]
        for grid in grids:
            expected = [s.text for row in grid.rows for cell in row for s in cell if s.label]
            ctx = Ctx(rng, facts)
            segs, names = render_grid(rng, grid, layout, lambda ctx=ctx: [Seg("\n— 2 —\n")])
            got = [s.text for s in segs if s.label and s.label[:2] in ("T1", "T2", "T3")]
            assert got == expected, (layout, seed, grid.name)
            assert layout in names


def test_truncation_and_mid_start_never_cut_through_a_span():
    segs = [Seg("前言文字"), Seg("12", "T2.granted.total", NUM), Seg("元", None, UNIT, "元"), Seg("后文")]
    for cut in range(0, 10):
        kept = _truncate(segs, cut)
        assert sum(len(s.text) for s in kept) <= cut
        assert all(s.text == o.text for s, o in zip(kept, segs, strict=False) if s.label)
        assert not (kept and kept[-1].label and cut < 6)  # the number never survives without its unit
    rng = random.Random(0)
    for _ in range(50):
        tail = _drop_head(rng, segs)
        assert all(s.label is None or s.text == "12" for s in tail)


# --- switches of the recipe (issue 11 item 7, issue 15) -------------------------------------------
def _grids(seed: int, **style_overrides):
    rng = random.Random(seed)
    facts = make_facts(rng)
    style = make_style(rng)
    for k, v in style_overrides.items():
        setattr(style, k, v)
    return rng, facts, style


def _cells(segs):
    return [(s.text, s.label) for s in segs if s.label and s.label[:2] in ("T1", "T2", "T3")]


def test_extra_row_carries_no_span():
    def extra_rows(seed: int) -> list:
        rng, facts, style = _grids(seed, extra_row=True)
        grid = merge("t1", t1_grids(rng, facts, style, [0]))
        assert "extra_row" in grid.switches
        return [row for row in grid.rows if row and "其他" in "".join(s.text for s in row[0]) and "文件" in
                "".join(s.text for s in row[0])]

    # The extra row is one of several wordings; some seed among the first few prints 其他…文件.
    extra = next((rows for rows in map(extra_rows, range(20)) if rows), [])
    assert extra
    for row in extra:
        assert all(s.label is None for cell in row for s in cell)
        assert all(cell for cell in row[1:])  # its figures are printed, just not spans


def test_signed_changes_print_words_and_parse_back():
    from govreport.training.synth.tables import TableStyle, fmt_number
    style = TableStyle("full", False, False, True, False, False, False, False, 0.0, 0.0, False, False, sign="words")
    rng = random.Random(0)
    assert fmt_number(rng, -4, style, signed=True) == "减4"
    assert fmt_number(rng, 98, style, signed=True) == "增98"
    assert fmt_number(rng, 0, style, signed=True) == "0"
    style.sign = "double"
    assert fmt_number(rng, -253, style, signed=True) == "--253"
    for text, value in (("减4", -4), ("增98", 98), ("--253", -253), ("+3", 3), ("-2", -2)):
        assert parse_number(text) == value
    # In a rendered document the change span covers the sign word and reads back to the record.
    seen = 0
    for seed in range(60):
        rng, facts, style = _grids(seed, sign="words")
        segs, _ = render_grid(rng, merge("t1", t1_grids(rng, facts, style, [0])), "pipe", lambda: [])
        doc = _doc(segs, facts.template)
        for s in doc.spans:
            text = doc.text[s.start:s.end]
            if s.label.endswith(".change") and text[0] in "增减":
                seen += 1
                path = s.label[3:].replace("T1.", "")
                assert parse_number(text) == facts.cells["proactive." + path], text
    assert seen


def test_nbsp_blank_cells_are_cells_without_spans(monkeypatch):
    from govreport.training.synth import recipe
    monkeypatch.setitem(recipe.RECIPE, "tabs_nbsp_blank", 1.0)
    for seed in range(30):
        rng, facts, style = _grids(seed)
        for path in list(facts.cells)[::3]:
            if path.startswith("requests."):
                facts.cells[path] = None
                facts.blank_marks[path] = ""
        grid = t2_grid(rng, facts, style)
        segs, names = render_grid(rng, grid, "html_copy", lambda: [])
        doc = _doc(segs, facts.template)
        assert "nbsp_blank_cells" in names
        assert "\t\xa0\t" in doc.text or "\t\xa0\n" in doc.text
        for s in doc.spans:
            assert "\xa0" not in doc.text[s.start:s.end]
        # Every printed cell keeps its place: each data row has as many tab-separated cells as columns.
        assert _cells(segs) == [(s.text, s.label) for row in grid.rows for c in row for s in c if s.label]


def test_lost_label_block_keeps_template_spans():
    from govreport.training.synth.tables import lose_labels
    for seed in range(20):
        rng, facts, style = _grids(seed)
        grid = t2_grid(rng, facts, style)
        before = [(s.text, s.label) for row in grid.rows for c in row for s in c if s.label]
        labels_before = sum(1 for row in grid.rows for c in row if c and not any(s.label for s in c))
        assert lose_labels(rng, grid)
        after = [(s.text, s.label) for row in grid.rows for c in row for s in c if s.label]
        assert after == before  # same values, same template labels, same order
        assert sum(1 for row in grid.rows for c in row if c and not any(s.label for s in c)) < labels_before
        segs, _ = render_grid(rng, grid, "cell_per_line", lambda: [])
        doc = _doc(segs, facts.template)
        for s in doc.spans:
            path = s.label[3:]
            assert parse_number(doc.text[s.start:s.end]) == facts.cells["requests." + path]


def test_header_cells_broken_across_lines_and_notes_stay_unlabelled(monkeypatch):
    from govreport.training.synth import recipe
    monkeypatch.setitem(recipe.RECIPE, "split_header_t2", 1.0)
    rng, facts, style = _grids(5, split_header=True, notes=True, note_spaces=True)
    grid = t2_grid(rng, facts, style)
    texts = ["".join(s.text for s in c) for row in grid.rows[:3] for c in row]
    assert "商业\n企业" in texts and "科研\n机构" in texts
    grids = t1_grids(rng, facts, style, [0])
    labels = ["".join(s.text for s in row[0]) for g in grids for row in g.rows if row]
    assert any(len(t) > 25 and "规章" in t for t in labels)  # 规章（设区的市、自治州人民政府应提供相关数据）


def test_entity_contexts_and_negatives_in_the_corpus():
    from govreport.training.synth import generate
    found = Counter()
    for doc, info in generate(400, 21):
        text = doc.text
        spans = {(s.start, s.end): s.label for s in doc.spans}
        for s in doc.spans:
            t = text[s.start:s.end]
            assert "@:" not in t and "@：" not in t
            if s.label == "PUBLISHED_DATE":
                assert ":" not in t  # never the clock time
                assert not text[max(0, s.start - 2):s.start].endswith("截至")
            if s.label == "LEADER_TITLE":
                assert not text[s.end:s.end + 7].startswith("亲自部署")
        for m in re.finditer(r"统计期限(为|自)(\d{4})年1月1日(起)?(至|到|起至)(\d{4})年", text):
            assert spans.get((m.start(2), m.end(2))) == "REPORT_YEAR"
            assert (m.start(5), m.end(5)) not in spans
        for m in re.finditer(r"截至(\d{4})年12月31日", text):
            assert (m.start(1), m.end(1)) not in spans
        found.update(n for n in info["layout"] if n in ("opening_sentence", "page_agency_line", "title_split",
                                                        "spam_at", "other_body", "agency_in_doc_title"))
    assert all(found[n] for n in ("opening_sentence", "page_agency_line", "title_split", "other_body",
                                  "agency_in_doc_title")), found


def test_recipe_is_one_plain_mapping_of_numbers():
    from govreport.training.synth.layouts import LAYOUTS
    from govreport.training.synth.recipe import RECIPE, weights
    assert all(isinstance(k, str) and isinstance(v, int | float) for k, v in RECIPE.items())
    assert set(weights("layout")) == set(LAYOUTS)


def test_run_together_cells_read_back_as_the_printed_numbers():
    """A run-together table (规章000) must still read back cell by cell under the spec's rule (a number
    is never split; a digit run opening with 0 is one cell per digit): 4346 | 602 printed as 4346602
    would teach the tagger a split the text does not support."""
    from govreport.core.numbers import number_units
    from govreport.training.synth import generate

    seen = 0
    for doc, meta in generate(120, 3):
        # full-width digits are read after normalisation; spaced numbers are another layout's rule
        if "run_together" not in meta["layout"] or {"fullwidth_digits", "spaces_in_numbers"} & set(meta["layout"]):
            continue
        seen += 1
        units = set(number_units(doc.text))
        for s in doc.spans:
            if s.label[:2] in ("T1", "T2", "T3"):
                assert (s.start, s.end) in units, doc.text[max(0, s.start - 8):s.end + 8]
    assert seen >= 3


def test_notes_carry_added_instructions_whose_digits_are_no_cell(monkeypatch):
    from govreport.training.synth import recipe
    monkeypatch.setitem(recipe.RECIPE, "label_note_tails", 1.0)
    rng, facts, style = _grids(7, notes=True)
    grids = t1_grids(rng, facts, style, [0])
    label = next("".join(s.text for s in row[0]) for g in grids for row in g.rows if row
                 and "规章" in "".join(s.text for s in row[0]))
    assert re.search(r"应提供相关数据[，；].+[）)]$", label)  # the instruction sits inside the brackets
    assert all(s.label is None for g in grids for row in g.rows if row for s in row[0])


def test_no_report_year_is_tagged_inside_a_document_title():
    from govreport.training.synth import generate
    titled = 0
    for doc, _ in generate(80, 11):
        for s in doc.spans:
            if s.label == "REPORT_YEAR":
                before = doc.text[:s.start]
                assert before.rfind("《") <= before.rfind("》"), doc.text[s.start - 30:s.end + 10]
        titled += "年政府信息公开工作年度报告发布和报送工作的通知》" in doc.text
    assert titled  # the corpus does print such titles
