"""A row's spaces read the way its sums add up: ``12 0`` is two cells when the row says so."""

from __future__ import annotations

import numpy as np

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.numbers import number_units
from govreport.inference.decode import LabelGroups, decode, decode_bio

T2 = [f"T2.granted.{c}" for c in schema.T2_COLUMNS]
T3 = [f"T3.{r}.{c}" for r in schema.T3_GROUPS for c in schema.T3_COLUMNS]
T1 = ["T1.art20_1.normative_documents.issued", "T1.art20_1.normative_documents.repealed",
      "T1.art20_1.normative_documents.in_force"]
ID2LABEL = labelset.id2label()
GROUPS = LabelGroups.of(ID2LABEL)


def model_reading(text: str, cells: list[tuple[str, str]]) -> np.ndarray:
    """Probabilities of a model that reads ``text``'s numbers as ``cells`` (printed text, label) in order:
    every digit of a cell's text gets 0.8 of its label."""
    index = {lab: i for i, lab in ID2LABEL.items()}
    p = np.zeros((len(text), len(ID2LABEL)), dtype=np.float32)
    p[:, 0] = 1.0
    pos = 0
    for printed, label in cells:
        start = text.index(printed, pos)
        for i in range(start, start + len(printed)):
            if text[i].isdigit():
                p[i, 0], p[i, index["I-" + label]] = 0.2, 0.8
        pos = start + len(printed)
    return p


def cells(text: str, probs: np.ndarray) -> list[tuple[str, str]]:
    return [(lab, text[s:e]) for s, e, lab in decode_bio(decode(text, probs, GROUPS))]


def test_a_row_is_joined_the_way_its_total_adds_up() -> None:
    text = "(一)予以公开68 9 03 1 2 2 3 115\n"
    # the model reads 68 9 as one number and 1 2 2 3 as four cells: 689 + ... is not 115
    wrong = [("68 9", T2[0]), ("0", T2[1]), ("3", T2[2]), ("1", T2[3]), ("2", T2[4]), ("2 3", T2[5]),
             ("115", T2[6])]
    got = cells(text, model_reading(text, wrong))
    assert [v for _, v in got] == ["68", "9", "0", "3", "1 2", "2 3", "115"]
    assert [lab for lab, _ in got] == T2


def test_a_flattened_table_3_line_splits_a_join_that_breaks_its_sums() -> None:
    text = "0 1 5 5 11 12 0 3 12 27 5 0 3 2 10\n"
    units = [text[s:e] for s, e in number_units(text)]
    # the model joins 12 0 into 120 and so shifts the rest of the litigation group
    wrong = [*zip(units[:5], T3[:5], strict=True), ("12 0", T3[5]), ("3", T3[6]), ("12", T3[7]), ("27", T3[9]),
             *zip(units[10:], T3[10:], strict=True)]
    got = cells(text, model_reading(text, wrong))
    assert [v for _, v in got] == units
    assert [lab for lab, _ in got] == T3


def test_a_row_that_cannot_add_up_keeps_the_models_reading() -> None:
    text = "(一)予以公开1 234 0 0 0 0 0 999\n"  # the report's own total is wrong: nothing to settle
    model = [("1 234", T2[0]), *[("0", c) for c in T2[1:6]], ("999", T2[6])]
    assert cells(text, model_reading(text, model)) == [(lab, v) for v, lab in model]


def test_two_readings_that_add_up_leave_the_one_nearer_the_model() -> None:
    text = "(一)予以公开0000 1 1 0 11\n"  # 11 + 0 and 1 + 10 both make 11
    model = [("0", T2[0]), ("0", T2[1]), ("0", T2[2]), ("0", T2[3]), ("1 1", T2[4]), ("0", T2[5]),
             ("11", T2[6])]
    assert [v for _, v in cells(text, model_reading(text, model))] == ["0", "0", "0", "0", "1 1", "0", "11"]


def test_a_table_1_row_printing_one_number_per_column_is_not_joined() -> None:
    text = "行政规范性文件 19 3 393\n"
    model = [("19", T1[0]), ("3 393", T1[2])]  # a space inside 3,393, the model thinks
    assert cells(text, model_reading(text, model)) == [(T1[0], "19"), (T1[1], "3"), (T1[2], "393")]


def test_a_block_whose_row_labels_were_lost_fills_its_rows_in_template_order() -> None:
    rows = ["denied_state_secret", "denied_prohibited_by_law", "denied_security_stability"]
    values = [[0] * 7, [2, 0, 0, 0, 0, 1, 3], [0] * 7]
    text = "（三）不予公开 |\n" + "".join(f"{v} |\n" for row in values for v in row) + "（四）无法提供\n"
    units = [text[s:e] for s, e in number_units(text)]
    # the model, with no row label in sight, scatters the block over the group's rows and columns
    scattered = [f"T2.{rows[0]}.natural_person"] * 5 + [f"T2.{rows[1]}.{c}" for c in schema.T2_COLUMNS] \
        + [f"T2.{rows[2]}.total"] * 9
    got = cells(text, model_reading(text, list(zip(units, scattered, strict=True))))
    assert [lab for lab, _ in got] == [f"T2.{r}.{c}" for r in rows for c in schema.T2_COLUMNS]
    assert [v for _, v in got] == [str(v) for row in values for v in row]
