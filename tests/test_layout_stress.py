"""benchmarks/layout_stress.py: each layout changes how a report prints, never its numbers, and the gold
record follows the names and contacts a layout converts."""

from __future__ import annotations

import re
from pathlib import Path

from script_loader import load_script

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("柳江区拉堡镇人民政府2020年政府信息公开工作年度报告\n电话:0772-7212205\n"
        "一、本年新收政府信息公开申请数量 | 49 |  | 3 | 0 |\n| 二、上年结转 | 0 |\n单列 |\n")


def _module():
    return load_script("benchmarks/layout_stress.py")


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text.translate({0xFF10 + d: str(d) for d in range(10)}))


def test_layouts_keep_every_number_in_order():
    ls = _module()
    for label, layout in ls.LAYOUTS.items():
        if label == "lost characters":  # loses CJK characters only
            assert _numbers(layout(TEXT, 0)) == _numbers(TEXT)
            assert len(layout(TEXT * 20, 3)) < len(TEXT * 20)
            continue
        want = _numbers(TEXT) * (2 if label == "pasted twice" else 1)
        assert _numbers(layout(TEXT, 0)) == want, label


def test_one_cell_per_line_keeps_a_blank_cell_as_an_empty_line_and_leaves_single_cells():
    got = _module().LAYOUTS["cell per line"](TEXT, 0)
    assert "一、本年新收政府信息公开申请数量\n49\n\n3\n0\n二、上年结转\n0\n单列 |\n" in got


def test_the_gold_record_follows_the_layouts_conversions():
    ls = _module()
    record = {"agency": "拉堡镇人民政府", "agency_aliases": ["拉堡镇"], "leaders": [{"name": "梁胤", "title": "镇长"}],
              "phones": ["0772-7212205"], "requests": {"new_received": {"total": 49}}}
    trad = ls._gold_as_printed(record, "traditional")
    assert trad["agency"] == "拉堡鎮人民政府" and trad["agency_aliases"] == ["拉堡鎮"]
    assert trad["leaders"] == [{"name": "梁胤", "title": "鎮長"}] and trad["phones"] == ["0772-7212205"]
    wide = ls._gold_as_printed(record, "full-width digits")
    assert wide["phones"] == ["０７７２-７２１２２０５"] and wide["agency"] == "拉堡镇人民政府"
    assert wide["requests"] == record["requests"] and ls._gold_as_printed(record, "tabs") is record


def _doc(text: str, heads: list[tuple[str, str]], sections: dict[str, str]):
    from govreport.core.document import Document, Span

    spans = [Span(text.index(h), text.index(h) + len(h), f"H.{key}") for h, key in heads]
    return Document(id="x", text=text, spans=spans, record={"agency": "某镇人民政府", "sections": sections})


def test_a_relaid_documents_sections_are_what_the_specs_rule_reads_in_the_new_text():
    ls = _module()
    text = "某镇2020年报告\n一、总体情况\n概述。\n二、主动公开政府信息情况\n规章 | 0 | 1 |"
    doc = _doc(text, [("一、总体情况", "overview"), ("二、主动公开政府信息情况", "proactive")],
               {"overview": "概述。", "proactive": "规章 | 0 | 1 |"})
    twice = ls.relaid(doc, "pasted twice", 0)
    # the first copy's last section runs to the second copy's first heading, its title included
    assert twice.record["sections"] == {"overview": "概述。", "proactive": "规章 | 0 | 1 |\n\n某镇2020年报告",
                                        "requests": None, "review_litigation": None, "problems": None, "other": None}
    debris = ls.relaid(doc, "web debris", 0).record["sections"]
    assert debris["overview"] == "概述。" and debris["proactive"].startswith("规章 | 0 | 1 |\n上一篇:")
    assert debris["proactive"].endswith("【关闭窗口】")
    assert ls.relaid(doc, "tabs", 0).record["sections"]["proactive"] == "规章\t0\t1"
    assert ls.relaid(doc, "traditional", 0).record["agency"] == "某鎮人民政府"
    lost = ls.relaid(doc, "lost characters", 0)
    assert lost.record["sections"] == doc.record["sections"] and lost.meta["layout"] == "lost characters"
    assert lost.spans == [] and doc.spans  # offsets of the old text are not carried over
