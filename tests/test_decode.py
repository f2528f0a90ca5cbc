"""Decoding: a number takes one label, rows fill their columns left to right, spaced numbers join."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest

from govreport.core.document import load_documents
from govreport.core.numbers import number_units
from govreport.inference.decode import DecodeOptions, LabelGroups, decode, decode_bio

CELLS = ["T1.art20_1.rules.new_made", "T1.art20_1.rules.new_published", "T1.art20_1.rules.total_published",
         "T2.granted.natural_person", "T2.granted.total", "PHONE"]
ID2LABEL = dict(enumerate(["O", *(f"{p}-{c}" for c in CELLS for p in ("B", "I"))]))
GROUPS = LabelGroups.of(ID2LABEL)
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def probs_for(text: str, char_labels: dict[int, dict[str, float]]) -> np.ndarray:
    """Probabilities: O everywhere except the given characters' {span label: mass} (as I- labels)."""
    index = {lab: i for i, lab in ID2LABEL.items()}
    p = np.zeros((len(text), len(ID2LABEL)), dtype=np.float32)
    p[:, 0] = 1.0
    for i, masses in char_labels.items():
        p[i, 0] = 1.0 - sum(masses.values())
        for lab, m in masses.items():
            p[i, index["I-" + lab]] = m
    return p


def spans(text: str, tags: list[str]) -> list[tuple[str, str]]:
    return [(lab.rsplit(".", 1)[-1], text[s:e]) for s, e, lab in decode_bio(tags)]


def test_a_number_split_between_two_labels_takes_one() -> None:
    text = "规章 | 130 |"
    i = text.index("130")
    probs = probs_for(text, {i: {CELLS[0]: 0.9}, i + 1: {CELLS[1]: 0.6}, i + 2: {CELLS[1]: 0.6}})
    plain = decode(text, probs, GROUPS, DecodeOptions(False, False))
    assert spans(text, plain) == [("new_made", "1"), ("new_published", "30")]
    assert spans(text, decode(text, probs, GROUPS)) == [("new_published", "130")]


def test_run_together_cells_keep_one_label_per_digit() -> None:
    text = "规章000"
    probs = probs_for(text, {2: {CELLS[0]: 0.9}, 3: {CELLS[1]: 0.9}, 4: {CELLS[2]: 0.9}})
    assert spans(text, decode(text, probs, GROUPS)) == [("new_made", "0"), ("new_published", "0"),
                                                        ("total_published", "0")]


def test_a_row_fills_its_columns_left_to_right() -> None:
    text = "规章 | 1 | 2 | 3 |"
    a, b, c = (text.index(d) for d in "123")
    # the model puts the first two numbers in the same column; the second prefers the next one a little less
    probs = probs_for(text, {a: {CELLS[0]: 0.6, CELLS[1]: 0.3}, b: {CELLS[0]: 0.5, CELLS[1]: 0.4},
                             c: {CELLS[2]: 0.9}})
    assert spans(text, decode(text, probs, GROUPS, DecodeOptions(True, False))) == [
        ("new_made", "1"), ("new_made", "2"), ("total_published", "3")]
    assert spans(text, decode(text, probs, GROUPS)) == [("new_made", "1"), ("new_published", "2"),
                                                        ("total_published", "3")]


def test_a_number_with_a_space_inside_is_one_value() -> None:
    text = "予以公开 1 234"
    a, b = text.index("1"), text.index("234")
    probs = probs_for(text, {a: {CELLS[4]: 0.8}, **{b + k: {CELLS[4]: 0.8} for k in range(3)}})
    assert spans(text, decode(text, probs, GROUPS)) == [("total", "1 234")]


def test_number_units_read_signs_separators_and_decimals_whole() -> None:
    text = "增98 减4 +3 --253 -2 1,234,567 398.3675 ３００１ 000"
    assert [text[s:e] for s, e in number_units(text)] == [
        "增98", "减4", "+3", "--253", "-2", "1,234,567", "398.3675", "３００１", "0", "0", "0"]


def _documents() -> list[tuple[str, str]]:
    texts = [(d.id, d.text) for d in load_documents(Path(__file__).resolve().parents[1] / "annotations" / "gold")]
    texts += [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((SHARED / "real-pool").glob("t*.txt"))]
    from govreport.training.synth import generate

    texts += [(doc.id, doc.text) for doc, _ in generate(2000, 31)]
    return texts


@pytest.mark.slow
def test_no_decoded_value_is_a_fragment_of_a_longer_printed_number() -> None:
    """Whatever the model says (random label mass here), a cell value is a whole printed number."""
    rng = random.Random(5)
    checked = 0
    for doc_id, text in _documents():
        digits = [m.start() for m in re.finditer(r"\d", text)]
        probs = np.zeros((len(text), len(ID2LABEL)), dtype=np.float32)
        probs[:, 0] = 1.0
        for i in digits:
            probs[i, :] = 0.0
            probs[i, rng.randrange(1, len(ID2LABEL))] = 0.7
            probs[i, 0] = 0.3
        tags = decode(text, probs, GROUPS)
        units = set(number_units(text))
        unit_chars = {k: (s, e) for s, e in units for k in range(s, e)}
        for s, e, lab in decode_bio(tags):
            if lab == "PHONE":
                continue
            value = text[s:e]
            first, last = unit_chars.get(s), unit_chars.get(e - 1)
            assert first and last and first[0] == s and last[1] == e, f"{doc_id}: {value!r} at {s} is a fragment"
            checked += 1
    assert checked > 10_000


def test_a_row_whose_middle_value_was_given_to_the_next_row_is_read_whole() -> None:
    text = "规章 | 0 | 0 | 0 |\n规范性文件 | 1 | 2 | 3 |"
    zeros = [i for i, ch in enumerate(text) if ch == "0"]
    other = {"T1.art20_1.normative_documents.new_published": 0.6}
    extra = ["O", *(f"{p}-T1.art20_1.normative_documents.{c}" for c in ("new_made", "new_published",
                                                                          "total_published") for p in "BI")]
    id2label = {**ID2LABEL, **{len(ID2LABEL) + k: lab for k, lab in enumerate(extra[1:])}}
    groups = LabelGroups.of(id2label)
    index = {lab: i for i, lab in id2label.items()}
    probs = np.zeros((len(text), len(id2label)), dtype=np.float32)
    probs[:, 0] = 1.0
    for i, masses in {zeros[0]: {CELLS[0]: 0.8}, zeros[1]: other, zeros[2]: {CELLS[2]: 0.8}}.items():
        probs[i, 0] = 1.0 - sum(masses.values())
        for lab, m in masses.items():
            probs[i, index["I-" + lab]] = m
    probs[zeros[1], index["I-" + CELLS[1]]] = 0.3
    probs[zeros[1], 0] = 0.1
    got = spans(text, decode(text, probs, groups))
    assert got == [("new_made", "0"), ("new_published", "0"), ("total_published", "0")]
    # without the row step the middle 0 goes to the next row
    plain = [lab for _, _, lab in decode_bio(decode(text, probs, groups, DecodeOptions(True, False)))]
    assert plain[1] == "T1.art20_1.normative_documents.new_published"


def test_mass_adds_each_span_labels_b_and_i_columns_in_label_order() -> None:
    """The vectorised mass equals a loop over the labels, float for float (labels in any order, two on O)."""
    id2label = {0: "B-a", 1: "O", 2: "I-b", 3: "I-a", 4: "X", 5: "B-b", 6: "B-c", 7: "I-c"}
    groups = LabelGroups.of(id2label)
    probs = np.random.default_rng(3).random((50, len(id2label))).astype(np.float32)
    expected = np.zeros((50, len(groups.names) + 1), dtype=np.float32)
    for label_id, column in enumerate(groups.group.tolist()):
        expected[:, column] += probs[:, label_id]
    assert np.array_equal(groups.mass(probs), expected)
    assert groups.names == ("a", "b", "c")


def test_zeros_given_one_column_are_not_one_spaced_number() -> None:
    text = "规章 0 0 0"
    zeros = [i for i, ch in enumerate(text) if ch == "0"]
    probs = probs_for(text, {i: {CELLS[0]: 0.8} for i in zeros})  # the model gives all three one column
    assert spans(text, decode(text, probs, GROUPS)) == [("new_made", "0"), ("new_published", "0"),
                                                        ("total_published", "0")]


def test_a_row_printing_as_many_numbers_as_columns_fills_them_all() -> None:
    text = "规章 5 0 7\n"
    a, b, c = text.index("5"), text.index("0"), text.index("7")
    probs = probs_for(text, {a: {CELLS[0]: 0.9}, b: {CELLS[1]: 0.3}, c: {CELLS[2]: 0.9}})  # 0: O wins
    assert spans(text, decode(text, probs, GROUPS, DecodeOptions(True, False))) == [
        ("new_made", "5"), ("total_published", "7")]
    assert spans(text, decode(text, probs, GROUPS)) == [("new_made", "5"), ("new_published", "0"),
                                                        ("total_published", "7")]


def test_a_header_number_given_a_column_of_the_filled_row_below_is_dropped() -> None:
    text = "数量(指2020年) |\n|\n规章 |\n1 |\n2 |\n3 |"
    y = text.index("2020")
    one, two, three = (text.index(d, y + 4) for d in "123")
    probs = probs_for(text, {**{y + k: {CELLS[1]: 0.6} for k in range(4)}, one: {CELLS[0]: 0.9},
                             two: {CELLS[1]: 0.9}, three: {CELLS[2]: 0.9}})
    assert spans(text, decode(text, probs, GROUPS)) == [("new_made", "1"), ("new_published", "2"),
                                                        ("total_published", "3")]


@pytest.mark.parametrize(("row", "first"), [
    ("一、本年新收政府信息公开申请数量 | 0 | ||||||||\n二、", True),  # a run of marks after the one number
    ("(二)部分公开(区分处理的) |\n0 |\n||||||||\n(三)", True),  # one cell per line, marks after it
    ("(二)部分公开\t0\t\t\t\t\t\t\n(三)", True),
    ("(二)部分公开 | | | | | | | 0 |\n(三)", False),  # blank cells marked before it: its place is printed
    ("(二)部分公开\t\t0\t\t\t\t\t\t\n(三)", False),
    ("(二)部分公开\t34\t\t\n(三)", False),  # a table printing 总计 only: fewer marks than columns left
    ("一、本年新收 |\n3 | ||||||| 3 |\n", False),  # another number follows in the row
    ("(二)部分公开 0\n(三)", False),  # nothing marks the blank cells
])
def test_a_lone_number_before_a_run_of_blank_cells_is_in_the_first_column(row: str, first: bool) -> None:
    units = number_units(row)
    s, e = next((s, e) for s, e in units if row[s:e] in ("0", "34", "3"))
    zero = row.index(row[s:e], s)
    # the model, seeing one number in the row, gives it to 总计
    probs = probs_for(row, {i: {CELLS[4]: 0.7, CELLS[3]: 0.2} for i in range(zero, e)})
    got = spans(row, decode(row, probs, GROUPS))
    assert got[0] == ("natural_person" if first else "total", row[s:e])


def test_a_table3_row_with_every_blank_marked_places_each_number_by_its_count():
    from govreport.inference.decode import T3_CELLS, _t3_by_marks

    header = "复议后起诉 |\n结果维持 |\n总计 |\n"
    marks = ["／", "／", "／", "0", "／", "／", "／", "0", "／", "／", "／", "／", "／", "／", "／"]
    text = header + "".join(f"{m} |\n" for m in marks) + "五、存在的主要问题\n"
    units = number_units(text)
    # the model put the second 0 one column off, and left nothing else
    labels = ["T3.review.pending", "T3.litigation_direct.pending"]
    got = _t3_by_marks(text, units, labels, set(T3_CELLS))
    assert got == ["T3.review.pending", "T3.litigation_direct.other"]  # the 8th of 15 cells
    # one mark fewer (a blank left unmarked): the count says nothing, the model's labels stay
    short = header + "".join(f"{m} |\n" for m in marks[1:]) + "五、存在的主要问题\n"
    assert _t3_by_marks(short, number_units(short), labels, set(T3_CELLS)) == labels
    # the next heading's number (5、) is no cell of the row
    dashed = header + "".join(f"{m.replace('／', '-')}\n\n" for m in marks) + "   5、工作中存在的主要问题\n"
    assert _t3_by_marks(dashed, number_units(dashed), [*labels, None], set(T3_CELLS))[:2] == got
