"""The generator's parts: record rules of segments.py, noise, layouts and document-level cuts."""

from __future__ import annotations

import random

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


def test_agency_is_the_fullest_name_then_most_frequent_then_first():
    # Spec: the fullest printed name, although short forms (甲镇) are tagged more often.
    segs = [Seg("甲镇人民政府", "AGENCY", ENT), Seg(" "), Seg("某市甲镇人民政府", "AGENCY", ENT), Seg(" "),
            Seg("甲镇人民政府", "AGENCY", ENT), Seg("甲镇", "AGENCY", ENT), Seg("甲镇", "AGENCY", ENT)]
    assert _doc(segs).record["agency"] == "某市甲镇人民政府"
    tie = [Seg("乙县丙局", "AGENCY", ENT), Seg(" "), Seg("某县乙局", "AGENCY", ENT), Seg("某县乙局", "AGENCY", ENT)]
    assert _doc(tie).record["agency"] == "某县乙局"
    first = [Seg("乙县丙局", "AGENCY", ENT), Seg(" "), Seg("某县乙局", "AGENCY", ENT)]
    assert _doc(first).record["agency"] == "乙县丙局"


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
