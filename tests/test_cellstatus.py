"""Cell status (govreport.inference.cellstatus): what the text prints for each cell."""

from __future__ import annotations

import pytest

from govreport.core import schema
from govreport.core.document import Span, load_document
from govreport.inference.assemble import assemble
from govreport.inference.cellstatus import cell_status
from govreport.paths import GOLD_DIR

GOLD_IDS = sorted(p.stem for p in GOLD_DIR.glob("*.json"))


@pytest.mark.parametrize("doc_id", GOLD_IDS)
def test_assembled_status_matches_the_hand_checked_gold_status(doc_id):
    doc = load_document(GOLD_DIR / f"{doc_id}.json")
    gold = doc.record["cell_status"]
    assert set(gold) == set(schema.cell_paths(doc.record["template"]))
    for path, status in gold.items():  # a number is printed exactly where the value is not null
        assert (status == "number") == (schema.get_path(doc.record, path) is not None), path
    got = assemble(doc.text, doc.spans)["cell_status"]
    assert {p: got.get(p) for p in gold if gold[p] != "number"} == {p: s for p, s in gold.items() if s != "number"}


def test_gold_status_counts():
    """The null cells of the gold set by status (every one read against its text by hand)."""
    counts: dict[str, int] = {}
    for doc_id in GOLD_IDS:
        for status in load_document(GOLD_DIR / f"{doc_id}.json").record["cell_status"].values():
            counts[status] = counts.get(status, 0) + 1
    assert counts == {"number": 1191, "blank": 215, "absent": 1974}


def _doc(text: str, cells: list[tuple[str, str]]) -> tuple[str, list[Span]]:
    """Text with the given (label, number) cells placed at the first occurrence of ' number |' after
    the previous one."""
    spans, pos = [], 0
    for label, number in cells:
        start = text.index(f" {number} ", pos) + 1
        spans.append(Span(start, start + len(number), label))
        pos = start + len(number)
    return text, spans


def _status(text: str, spans: list[Span]) -> dict[str, str]:
    return assemble(text, spans)["cell_status"]


T1_HEAD = "二、主动公开政府信息情况\n第二十条第(一)项 |\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"


def test_blank_na_and_cut_cells():
    text = (T1_HEAD + "规章 | 0 | / | |\n行政规范性文件 | 3 | 无 | 5 |\n"
            "第二十条第(五)项 |\n信息内容 | 本年处理决定数量 |\n行政许")
    text, spans = _doc(text, [("T1.art20_1.rules.issued", "0"), ("T1.art20_1.normative_documents.issued", "3"),
                              ("T1.art20_1.normative_documents.in_force", "5")])
    st = _status(text, spans)
    assert st["proactive.art20_1.rules.issued"] == "number"
    assert st["proactive.art20_1.rules.repealed"] == "na"
    assert st["proactive.art20_1.rules.in_force"] == "blank"
    assert st["proactive.art20_1.normative_documents.repealed"] == "na"
    assert st["proactive.art20_5.administrative_license.decisions"] == "absent"  # label cut
    assert st["requests.new_received.total"] == "absent"  # table 2 not printed
    assert st["review_litigation.review.total"] == "absent"


def test_row_cut_after_its_first_value_and_a_missing_row():
    text = (T1_HEAD + "行政规范性文件 | 1 | 0 | 1 |\n三、收到和处理政府信息公开申请情况\n"
            "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |\n"
            "一、本年新收政府信息公开申请数量 | 2 | 0 | | 0 | 0 | 0 | 2 |\n"
            "二、上年结转政府信息公开申请数量 | 1 | ")
    text, spans = _doc(text, [("T1.art20_1.normative_documents.issued", "1"),
                              ("T1.art20_1.normative_documents.repealed", "0"),
                              ("T1.art20_1.normative_documents.in_force", "1"),
                              ("T2.new_received.natural_person", "2"), ("T2.new_received.commercial", "0"),
                              ("T2.new_received.social_welfare", "0"), ("T2.new_received.legal_service", "0"),
                              ("T2.new_received.other_org", "0"), ("T2.new_received.total", "2"),
                              ("T2.carried_over.natural_person", "1")])
    st = _status(text, spans)
    assert {st[f"proactive.art20_1.rules.{c}"] for c in ("issued", "repealed", "in_force")} == {"absent"}
    assert st["requests.new_received.research"] == "blank"
    assert st["requests.carried_over.natural_person"] == "number"
    assert st["requests.carried_over.commercial"] == "absent"  # the text ends inside the row
    assert st["requests.granted.total"] == "absent"


def test_labels_in_prose_are_not_rows():
    text = "一、总体情况\n我局严格落实规章制度,行政许可事项全部公开。\n二、主动公开政府信息情况\n(无表格)\n"
    st = cell_status(text, [], schema.empty_record("2021"))
    assert set(st.values()) == {"absent"}


def test_traditional_labels_with_pinyin_are_found():
    text = (T1_HEAD + "規(guī)章 | | | |\n行政規(guī)範性文件 | 2 | 0 | 2 |\n"
            "第二十條第(五)項 |\n信息內容 | 本年處理決定數量 |\n行政許可 | |\n")
    text, spans = _doc(text, [("T1.art20_1.normative_documents.issued", "2")])
    st = _status(text, spans)
    assert st["proactive.art20_1.rules.issued"] == "blank"
    assert st["proactive.art20_5.administrative_license.decisions"] == "blank"
