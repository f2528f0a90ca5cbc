"""The signals the per-value confidence weighs beyond the tag score (inference/signals.py), their effect
through the fitted weights, and the fitting script's regression."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from script_loader import load_script

from govreport.core import schema
from govreport.core.document import Span
from govreport.inference.confidence import FEATURES, INTERCEPTS, WEIGHTS, combine, load_weights
from govreport.inference.extract import Extractor
from govreport.inference.signals import row_paths, value_features

ROOT = Path(__file__).resolve().parents[1]
HEAD = "青禾镇人民政府2021年政府信息公开工作年度报告\n"


def _row(values: list[int | None]) -> str:
    """The granted row of table 2 with ``values`` in column order (None: an empty cell)."""
    cells = " | ".join("" if v is None else str(v) for v in values)
    return f"{HEAD}（一）予以公开 | {cells} |\n（二）部分公开 |\n"


class RowTagger:
    """Tags the agency and the granted row's numbers; ``columns`` gives the column of each printed
    number in order (default: the columns the numbers stand in)."""

    def __init__(self, values: list[int | None], columns: list[str] | None = None, score: float = 0.9) -> None:
        self.values, self.columns, self.score = values, columns, score

    def tag_scored(self, text: str) -> list[tuple[Span, float]]:
        start = text.index("青禾镇人民政府")
        out = [(Span(start, start + 7, "AGENCY"), self.score)]
        printed = [(col, v) for col, v in zip(schema.T2_COLUMNS, self.values, strict=True) if v is not None]
        columns = self.columns or [col for col, _ in printed]
        pos = text.index("予以公开") + 4
        for col, (_, v) in zip(columns, printed, strict=True):
            i = text.index(f" {v} ", pos) + 1
            out.append((Span(i, i + len(str(v)), f"T2.granted.{col}"), self.score))
            pos = i + len(str(v))
        return out


class DroppingTagger(RowTagger):
    """RowTagger that leaves the row's last number untagged."""

    def tag_scored(self, text: str) -> list[tuple[Span, float]]:
        return super().tag_scored(text)[:-1]


def _extract(values: list[int | None], columns: list[str] | None = None) -> dict:
    return Extractor(tagger=RowTagger(values, columns)).extract(_row(values), offsets=True).record


def _features(record: dict, text: str) -> dict[str, dict[str, float]]:
    return value_features(record, text, [], {k: v for k, v in record["provenance"].items()
                                             if not k.startswith("sections.")})


def test_a_row_with_a_missing_column_lowers_the_confidence_of_its_values() -> None:
    full = _extract([1, 0, 0, 0, 0, 0, 1])
    gap = _extract([1, 0, None, 0, 0, 0, 1])
    assert gap["cell_status"]["requests.granted.research"] == "blank"
    assert not [c for c in full["checks"] + gap["checks"] if c.get("ok") is False]  # same checks: none fail
    for col in ("natural_person", "total", "legal_service"):
        path = f"requests.granted.{col}"
        assert gap["confidence"][path] < full["confidence"][path]
    assert _features(gap, _row([1, 0, None, 0, 0, 0, 1]))["requests.granted.total"]["row_gaps"] == pytest.approx(1 / 7)


def test_a_number_given_another_column_than_its_cell_marks_say_is_flagged() -> None:
    values = [1, 2, 3, 4, 5, 6, None]
    right = _extract(values)
    shifted_cols = ["commercial", "research", "social_welfare", "legal_service", "other_org", "total"]
    shifted = _extract(values, shifted_cols)  # every number read one column to the right
    f = _features(shifted, _row(values))
    assert f["requests.granted.total"]["geo_shift"] == 1.0
    assert _features(right, _row(values))["requests.granted.other_org"]["geo_shift"] == 0.0


def test_neighbours_holding_the_same_value_and_numbers_left_without_a_cell() -> None:
    values = [0, 0, 5, 0, 0, 0, 5]
    record = _extract(values)
    f = _features(record, _row(values))
    assert f["requests.granted.commercial"]["same_neighbours"] == 0.5  # 0 beside 0 and 5
    assert f["requests.granted.natural_person"]["same_neighbours"] == 1.0
    assert f["requests.granted.research"]["zero"] == 0.0 and f["requests.granted.commercial"]["zero"] == 1.0
    assert f["requests.granted.total"]["dropped"] == 0.0
    # the tagger leaves the last number without a cell: the run's other values are flagged
    part = Extractor(tagger=DroppingTagger(values)).extract(_row(values), offsets=True).record
    assert "requests.granted.total" not in part["confidence"]
    assert _features(part, _row(values))["requests.granted.research"]["dropped"] == 1.0
    assert part["confidence"]["requests.granted.research"] < record["confidence"]["requests.granted.research"]


def test_failed_checks_and_conflicts_are_counted_per_value() -> None:
    record = schema.empty_record("2021")
    record["checks"] = [{"identity": 1, "where": "requests.total", "expected": 3, "found": 4, "ok": False},
                        {"kind": "text", "where": "requests.new_received.total", "text": "收到3件", "expected": 3,
                         "found": 2, "ok": False}]
    record["conflicts"] = [{"path": "requests.granted.total", "values": [1, 2], "chosen": 1}]
    prov = {"requests.new_received.total": [0, 1], "requests.carried_over.total": [2, 3],
            "requests.granted.total": [4, 5]}
    f = value_features(record, None, [], prov)
    assert f["requests.new_received.total"]["failed_identity"] == 1.0
    assert f["requests.new_received.total"]["failed_text"] == 1.0
    assert "failed_text" not in f["requests.carried_over.total"]
    assert f["requests.granted.total"] == {"cell": 1.0, "conflict": 1.0}


def test_a_name_cut_at_its_head_and_rival_agencies() -> None:
    text = "来源:川主乡人民政府 发布。\n青禾镇人民政府编制。"
    a = text.index("源:川主乡")
    b = text.index("青禾镇人民政府")
    spans = [Span(a, a + 10, "AGENCY"), Span(b, b + 7, "AGENCY")]
    record = {"agency": text[a:a + 10], "checks": [], "conflicts": []}
    f = value_features(record, text, spans, {"agency": [a, a + 10]})["agency"]
    assert f["cut_before"] == 1.0 and f["agency"] == 1.0 and f["agency_rivals"] == 0.5
    whole = value_features({**record, "agency": "青禾镇人民政府"}, text, spans, {"agency": [b, b + 7]})["agency"]
    assert whole["cut_before"] == 0.0  # starts a line
    assert whole["agency_rivals"] == 0.5


def test_a_section_holding_another_sections_heading_line_is_flagged() -> None:
    swallowed = "本年度工作有序。\n二、主动公开政府信息情况\n规章 0 0 0\n"  # the model missed heading 二
    items = ("存在问题如下。\n1.主动公开的信息与群众需求之间仍有差距。\n2.主动公开情况:全年公开3条,较上年增加\n"
             "| 一、本年新收政府信息公开申请数量 | 3 |\n二、总体情况\n")  # list items, a table row, own section
    record = {"checks": [], "conflicts": [], "sections": {"overview": swallowed, "problems": items,
                                                          "other": "第三部分 收到和处理政府信息公开申请情况\n"}}
    f = value_features(record, None, [], {})
    assert f["sections.overview"]["holds_heading"] == 1.0
    assert f["sections.problems"]["holds_heading"] == 0.0
    assert f["sections.other"]["holds_heading"] == 1.0


def test_shipped_weights_cover_the_features_and_give_probabilities() -> None:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES)
    assert "gold" not in json.dumps(data["fitted_on"]) and "dev" not in json.dumps(data["fitted_on"])
    w = load_weights()
    lo, hi = combine(0.3, {"cell": 1.0}, w), combine(0.99, {"cell": 1.0}, w)
    assert 0.0 < lo < hi < 1.0  # monotone in the tag score
    assert combine(0.99, {"cell": 1.0, "failed_identity": 1.0}, w) < hi
    assert combine(0.9, {}, {"tag_logit": 1.0}) == pytest.approx(0.9)  # no weights file: the tag score


def _fit_module():
    return load_script("scripts/fit_confidence.py")


def test_the_fit_recovers_a_planted_signal() -> None:
    fitmod = _fit_module()
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(4000):
        gaps = float(rng.random() < 0.3)
        score = float(rng.uniform(0.5, 1.0))
        p_right = 1 / (1 + np.exp(-(3.0 - 4.0 * gaps)))
        rows.append({"score": score, "features": {"cell": 1.0, "row_gaps": gaps}, "right": rng.random() < p_right})
    x, y = fitmod.matrix(rows)
    w = dict(zip(FEATURES, fitmod.fit(x, y, l2=0.3), strict=True))
    assert w["row_gaps"] == pytest.approx(-4.0, abs=0.6)
    assert abs(w["tag_logit"]) < 0.3  # the score carries no signal here
    assert set(INTERCEPTS) <= set(FEATURES)


def test_row_paths_are_the_rows_columns_in_order_and_a_fresh_list_each_time():
    row = row_paths("requests.granted.legal_person", "2021")
    assert row == [f"requests.granted.{c}" for c in schema.T2_COLUMNS]
    row.append("changed")  # the cache behind it is not the caller's list
    assert row_paths("requests.granted.total", "2021") == [f"requests.granted.{c}" for c in schema.T2_COLUMNS]
    assert len(row_paths("review_litigation.review.total", None)) == len(schema.T3_GROUPS) * len(schema.T3_COLUMNS)
    path = next(p for p in schema.cell_paths("2019") if p.startswith("proactive."))
    assert path in row_paths(path, "2019") and all(p.startswith(path.rsplit(".", 1)[0] + ".")
                                                    for p in row_paths(path, "2019"))
