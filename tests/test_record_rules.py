"""One home for the record rules (issue 13 item 1): what the assembler builds, the validator accepts.

The three defects of the issue each made `govreport annotate import` refuse an export whose record our
own assembler had made: the assembler read a value the validator could not (a year printed 2020年度, a
date printed 20200130) or paired a leader across a character the validator took for a sentence end (the
`?` that stands for lost characters, spec layout 000).
"""

from __future__ import annotations

import json
import random

import pytest

from govreport.annotations.formats import import_export
from govreport.annotations.validate import validate_document
from govreport.core import rules
from govreport.core.document import Document, Span
from govreport.core.entities import fold_name
from govreport.core.fold import fold
from govreport.core.normalize import NormalizeOptions, normalize
from govreport.inference.assemble import assemble, clean_spans


def _spans(text: str, *marks: tuple[str, str]) -> list[Span]:
    out = []
    for piece, label in marks:
        start = text.index(piece)
        out.append(Span(start, start + len(piece), label))
    return out


def _problems(text: str, spans: list[Span]) -> list[str]:
    doc = Document("d", text, spans, assemble(text, spans))
    return [str(p) for p in validate_document(doc)]


TITLE_YEAR = "某某县民政局2020年度政府信息公开工作年度报告\n一、总体情况\n2020年，我局依法公开。\n"
COMPACT_DATE = "某某县民政局政府信息公开工作年度报告\n一、总体情况\n正文。\n某某县民政局\n20200130\n"
LOST_CHAR = "某某县民政局政府信息公开工作年度报告\n一、总体情况\n领导小组组长由局长?张三担任。\n"


def test_year_printed_with_du_is_accepted():
    spans = _spans(TITLE_YEAR, ("某某县民政局", "AGENCY"), ("2020年度", "REPORT_YEAR"), ("一、总体情况", "H.overview"))
    assert assemble(TITLE_YEAR, spans)["report_year"] == 2020
    assert _problems(TITLE_YEAR, spans) == []


def test_compact_date_is_accepted():
    text = COMPACT_DATE
    agency = text.rindex("某某县民政局")
    spans = [Span(agency, agency + 6, "AGENCY"), *_spans(text, ("20200130", "PUBLISHED_DATE"),
                                                          ("一、总体情况", "H.overview"))]
    assert assemble(text, spans)["published"] == "2020-01-30"
    assert _problems(text, spans) == []


def test_lost_character_between_title_and_name_is_no_sentence_end():
    spans = _spans(LOST_CHAR, ("局长", "LEADER_TITLE"), ("张三", "LEADER_NAME"), ("一、总体情况", "H.overview"))
    assert assemble(LOST_CHAR, spans)["leaders"] == [{"name": "张三", "title": "局长"}]
    assert _problems(LOST_CHAR, spans) == []


@pytest.mark.parametrize(("text", "marks"), [
    (TITLE_YEAR, (("2020年度", "REPORT_YEAR"),)),
    (COMPACT_DATE, (("20200130", "PUBLISHED_DATE"),)),
    (LOST_CHAR, (("局长", "LEADER_TITLE"), ("张三", "LEADER_NAME"))),
])
def test_annotate_import_takes_what_the_assembler_made(tmp_path, text, marks):
    spans = _spans(text, *marks)
    task = {"id": 1, "data": {"text": text, "id": "doc-1"},
            "annotations": [{"result": [{"type": "labels", "from_name": "label", "to_name": "text",
                                         "value": {"start": s.start, "end": s.end, "labels": [s.label]}}
                                        for s in spans]}]}
    export = tmp_path / "export.json"
    export.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    result = import_export(export, tmp_path / "out")
    assert [str(p) for p in result.problems] == []
    assert len(result.written) == 1


# --- the rules themselves ---------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "iso"), [
    ("2021年1月19日", "2021-01-19"), ("2021 年 1 月 19 日", "2021-01-19"), ("２０２１年１月１９日", "2021-01-19"),
    ("二〇二一年一月十九日", "2021-01-19"), ("二○二○年十二月三十一日", "2020-12-31"), ("2020-01-30", "2020-01-30"),
    ("2020/1/30", "2020-01-30"), ("2020.01.30", "2020-01-30"), ("2020－01－30", "2020-01-30"),
    ("生成日期：2020-01-30 10:22", "2020-01-30"), ("20200130", "2020-01-30"),
])
def test_dates_in_every_notation(text, iso):
    assert rules.parse_date(text) == iso


@pytest.mark.parametrize("text", ["2021年2月30日", "2020-13-01", "2020/1-30", "1月19日", "", "发布时间", "12345678"])
def test_invalid_or_partial_dates_are_none(text):
    assert rules.parse_date(text) is None


@pytest.mark.parametrize(("text", "year"), [("2020", 2020), ("２０２１", 2021), ("二〇二二", 2022), ("2020年度", 2020),
                                            ("20", None), ("0000", None), ("二十", None), ("abcd", None)])
def test_report_year(text, year):
    assert rules.parse_year(text) == year


def test_sentence_rule_keeps_a_lost_character_inside():
    text = "组长局长?张三。副组长李四"
    breaks = rules.sentence_breaks(text)
    assert rules.same_sentence(breaks, Span(2, 4, "LEADER_TITLE"), Span(5, 7, "LEADER_NAME"))
    assert not rules.same_sentence(breaks, Span(2, 4, "LEADER_TITLE"), Span(11, 13, "LEADER_NAME"))


def test_traditional_folding_rule():
    assert rules.fold_traditional("製發數萬元") == "制发数万元"
    # the tagger's normalisation folds with the same table
    assert normalize("製發數萬元", NormalizeOptions(fold_width=False)).text == "制发数万元"


def test_pinyin_rule_is_one_pattern():
    """Spliced pinyin is dropped alike by the names' fold, the header/gap strip and the matching fold."""
    assert rules.strip_pinyin("機關(guān)主動（gōng）開") == "機關主動開"
    assert fold_name("區(qū)投資促進(jìn)局") == "区投资促进局"
    assert fold("規(guī)範性文件(a)1(b)") == "规范性文件1(b)"  # after a digit it is no splice
    assert rules.strip_pinyin("(Beijing)(zhuangzhuang)") == "(Beijing)(zhuangzhuang)"  # not one syllable


def test_set_path():
    record = {"a": {"b": {"c": None}}}
    rules.set_path(record, "a.b.c", 3)
    assert record == {"a": {"b": {"c": 3}}}


# --- property: the validator accepts every record the assembler makes --------------------------------
def _record_problems(text: str, spans: list[Span]) -> list[str]:
    """Problems about the record (not about a span the assembler rightly ignores)."""
    spans = clean_spans(text, spans)
    doc = Document("d", text, spans, assemble(text, spans))
    return [str(p) for p in validate_document(doc) if "record" in p.reason]


def test_assembled_records_of_generated_spans_validate():
    from govreport.training.synth import generate

    for doc, _layout in generate(60, seed=13):
        assert _record_problems(doc.text, doc.spans) == [], doc.id


def test_assembled_records_of_random_spans_over_gold_texts_validate():
    from govreport.core.document import load_documents
    from govreport.core.labels import span_labels

    labels = sorted(span_labels())
    golds = list(load_documents("annotations/gold"))
    rng = random.Random(13)
    for doc in golds:
        for _ in range(3):
            spans = []
            for _ in range(rng.randint(1, 60)):
                start = rng.randrange(len(doc.text))
                spans.append(Span(start, min(len(doc.text), start + rng.randint(1, 12)), rng.choice(labels)))
            # and the gold spans themselves, some relabelled
            spans += [Span(s.start, s.end, rng.choice(labels) if rng.random() < 0.2 else s.label)
                      for s in doc.spans]
            assert _record_problems(doc.text, spans) == [], doc.id
