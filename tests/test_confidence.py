"""Per-value confidence: span scores out of the decoder and tagger, carried through repair, lowered by
failed checks and conflicts, in the record (schema) and the exports; the calibration script's measures.
The other signals it weighs: tests/test_signals.py."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import numpy as np
import pandas as pd
import pytest
import torch
from script_loader import load_script

from govreport.core import schema
from govreport.core.checks import check_paths
from govreport.core.document import Document, Span, save_documents
from govreport.core.vocab import Vocab
from govreport.inference.confidence import carry_scores, tag_scores, value_confidence
from govreport.inference.decode import DecodeOptions, LabelGroups, decode_ids, decode_scored
from govreport.inference.export_tables import export_tables
from govreport.inference.extract import Extractor
from govreport.inference.tagger import Tagger, TaggerSettings

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["O", "B-PHONE", "I-PHONE", "B-T2.granted.natural_person", "I-T2.granted.natural_person"]


def _probs(rows: list[list[float]]) -> np.ndarray:
    return np.asarray(rows, dtype=np.float32)


def test_a_number_scores_its_pooled_mass_and_other_characters_their_own() -> None:
    groups = LabelGroups.of(dict(enumerate(LABELS)))
    text = "甲12乙"
    probs = _probs([[0.9, 0.05, 0.05, 0, 0],
                    [0.1, 0, 0, 0.5, 0.4],   # '1': cell mass 0.9
                    [0.3, 0, 0, 0.2, 0.5],   # '2': cell mass 0.7
                    [0.2, 0.4, 0.4, 0, 0]])  # '乙': PHONE mass 0.8
    ids, scores = decode_scored(text, probs, groups, DecodeOptions(structured=False))
    assert np.array_equal(ids, decode_ids(text, probs, groups, DecodeOptions(structured=False)))
    assert scores[1] == scores[2] == pytest.approx(0.8)  # both digits: the number's pooled cell mass
    assert scores[0] == pytest.approx(0.9) and scores[3] == pytest.approx(0.8)


class DigitModel(torch.nn.Module):
    """Digits are PHONE with probability ~0.88 (B- on the first of a run), everything else O."""

    def __init__(self, vocab: Vocab) -> None:
        super().__init__()
        self.config = SimpleNamespace(id2label=dict(enumerate(LABELS)))
        self.digit_ids = torch.tensor([vocab.index[d] for d in "0123456789"])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        is_digit = torch.isin(input_ids, self.digit_ids)
        prev = torch.zeros_like(is_digit)
        prev[:, 1:] = is_digit[:, :-1]
        logits = torch.full((*input_ids.shape, len(LABELS)), -10.0)
        logits[..., 0] = torch.where(is_digit, 0.0, 10.0)
        logits[..., 1] = torch.where(is_digit & ~prev, 2.0, -10.0)
        logits[..., 2] = torch.where(is_digit & prev, 2.0, -10.0)
        return SimpleNamespace(logits=logits)


def test_tag_scored_gives_tag_s_spans_each_with_a_score() -> None:
    vocab = Vocab.build(["电话 年报"], include_ranges=True)
    tagger = Tagger(DigitModel(vocab), vocab, TaggerSettings(window=34, stride=16))
    text = "电话 0871 年报，电话 6123 。" * 5
    scored = tagger.tag_scored(text)
    assert [s for s, _ in scored] == tagger.tag(text) and len(scored) == 10
    p = 1 / (1 + np.exp(-2.0))  # softmax of (2, 0) over PHONE and O
    assert all(score == pytest.approx(p, abs=1e-4) for _, score in scored)
    assert tagger.tag_scored("") == []


def test_scores_follow_spans_through_repair() -> None:
    a, b = Span(0, 4, "H.overview"), Span(6, 8, "H.overview")
    scores = {a: 0.9, b: 0.6, Span(10, 12, "PHONE"): 0.5}
    out = carry_scores(scores, [Span(0, 8, "H.overview"), Span(10, 12, "PHONE"), Span(20, 22, "EMAIL")])
    assert out[Span(0, 8, "H.overview")] == pytest.approx((4 * 0.9 + 2 * 0.6) / 6)  # joined: length-weighted
    assert out[Span(10, 12, "PHONE")] == 0.5 and Span(20, 22, "EMAIL") not in out  # never scored: none


def test_a_cell_the_tagger_left_untagged_scores_0_and_a_relabelled_one_none() -> None:
    scores = {Span(0, 2, "T1.art20_1.rules.issued"): 0.9}
    read_by_rule, relabelled = Span(5, 7, "T1.art20_1.rules.repealed"), Span(0, 2, "T1.art20_1.rules.in_force")
    out = carry_scores(scores, [read_by_rule, relabelled, Span(9, 11, "PHONE")])
    assert out == {read_by_rule: 0.0}


def test_check_paths_name_every_cell_of_an_instance() -> None:
    assert check_paths({"identity": 1, "where": "requests.total", "ok": False}, "2021") == [
        "requests.new_received.total", "requests.carried_over.total", "requests.total_processed.total",
        "requests.carried_forward.total"]
    assert "requests.granted.natural_person" in check_paths({"identity": 2, "where": "requests.natural_person"},
                                                            "2021")
    assert check_paths({"identity": 3, "where": "requests.granted"}, "2021")[-1] == "requests.granted.total"
    assert check_paths({"identity": 4, "where": "review_litigation.review"}, None)[0] == \
        "review_litigation.review.upheld"
    assert check_paths({"kind": "text", "where": "a.b+c.d"}, None) == ["a.b", "c.d"]


def test_failed_checks_and_conflicts_lower_the_values_they_touch() -> None:
    record = schema.empty_record("2021")
    cells = {"requests.new_received.total": Span(0, 2, "T2.new_received.total"),
             "requests.granted.total": Span(5, 7, "T2.granted.total"),
             "requests.carried_over.total": Span(10, 11, "T2.carried_over.total")}
    scores = {s: 0.9 for s in cells.values()}
    prov = {p: [s.start, s.end] for p, s in cells.items()}
    record["checks"] = [{"identity": 1, "where": "requests.total", "expected": 3, "found": 4, "ok": False},
                        {"kind": "text", "where": "requests.new_received.total", "text": "收到3件", "expected": 3,
                         "found": 2, "ok": False}]
    record["conflicts"] = [{"path": "requests.granted.total", "values": [1, 2], "chosen": 1}]
    conf = value_confidence(record, list(cells.values()), scores, prov)
    clean = value_confidence({**record, "checks": [], "conflicts": []}, list(cells.values()), scores, prov)
    assert len(set(clean.values())) == 1  # same score, same signals: same confidence
    # two failed checks (identity and text) < one (identity) < none; a conflict lowers too
    assert conf["requests.new_received.total"] < conf["requests.carried_over.total"] < \
        clean["requests.carried_over.total"]
    assert conf["requests.granted.total"] < clean["requests.granted.total"]
    assert tag_scores(record, list(cells.values()), scores, prov) == {p: 0.9 for p in cells}  # the raw score


class ScoringTagger:
    """Tags 青禾镇人民政府 as AGENCY and a table row's numbers, each span with a fixed score."""

    def tag_scored(self, text: str) -> list[tuple[Span, float]]:
        out = []
        start = text.index("青禾镇人民政府")
        out.append((Span(start, start + 7, "AGENCY"), 0.8))
        row = text.index("（一）予以公开")
        for i, col in enumerate(schema.T2_COLUMNS):
            pos = text.index(f"| {i} |", row) + 2
            out.append((Span(pos, pos + 1, f"T2.granted.{col}"), 0.95 if col != "total" else 0.4))
        return out


def test_the_extractor_puts_confidence_beside_provenance_and_the_schema_takes_it() -> None:
    text = "青禾镇人民政府2021年政府信息公开工作年度报告\n（一）予以公开 | " + " | ".join(
        str(i) for i in range(len(schema.T2_COLUMNS))) + " |\n"
    result = Extractor(tagger=ScoringTagger()).extract(text, offsets=True)
    record = result.record
    conf = record[schema.CONFIDENCE_KEY]
    assert set(conf) == set(record["provenance"])  # every value read from a span, and only those
    assert all(0.0 <= c <= 1.0 for c in conf.values())
    # 0+1+…+5 = 15 ≠ 6: identity 3 fails, so its seven cells are marked down; the less sure span lower
    assert [c["identity"] for c in record["checks"] if c.get("ok") is False] == [3]
    prov = {k: v for k, v in record["provenance"].items() if not k.startswith("sections.")}
    unchecked = value_confidence({**record, "checks": []}, result.spans, result.scores, prov, text)
    assert conf["requests.granted.legal_service"] < unchecked["requests.granted.legal_service"]
    assert conf["requests.granted.total"] < conf["requests.granted.legal_service"]  # tag score 0.4 < 0.95
    jsonschema.validate(record, schema.json_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**record, schema.CONFIDENCE_KEY: {"agency": 1.5}}, schema.json_schema())
    # a tagger without scores: no confidence key, the record still valid
    plain = SimpleNamespace(tag=lambda t: [s for s, _ in ScoringTagger().tag_scored(t)])
    assert schema.CONFIDENCE_KEY not in Extractor(tagger=plain).extract(text).record


def test_exports_carry_confidence_columns(tmp_path: Path) -> None:
    record = schema.empty_record("2021")
    record.update(agency="青禾镇人民政府", report_year=2021)
    record["requests"]["granted"]["total"] = 3
    record[schema.CONFIDENCE_KEY] = {"agency": 0.8, "report_year": 0.99, "requests.granted.total": 0.4}
    res = tmp_path / "results.jsonl"
    res.write_text(json.dumps({"path": "a.txt", "sha256": "x", "record": record}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    export_tables(res, tmp_path / "csv", "csv")
    cells = pd.read_csv(tmp_path / "csv" / "cells.csv", encoding="utf-8-sig")
    row = cells[(cells.row == "granted") & (cells.column == "total")].iloc[0]
    assert row.value == 3 and row.confidence == 0.4
    assert cells[(cells.row == "granted") & (cells.column == "commercial")].confidence.isna().all()
    docs = pd.read_csv(tmp_path / "csv" / "documents.csv", encoding="utf-8-sig").iloc[0]
    assert (docs.confidence_min, docs.agency_confidence, docs.report_year_confidence) == (0.4, 0.8, 0.99)
    assert pd.isna(docs.published_confidence)
    export_tables(res, tmp_path / "pq", "parquet")
    pq = pd.read_parquet(tmp_path / "pq" / "cells.parquet")
    assert pq.confidence.dtype == "float64" and pq.confidence.notna().sum() == 1
    assert pd.read_parquet(tmp_path / "pq" / "documents.parquet").confidence_min.dtype == "float64"


def _calibration():
    return load_script("benchmarks/calibration.py")


def test_calibration_measures() -> None:
    cal = _calibration()
    values = [{"confidence": c, "raw": c, "right": r} for c, r in
              [(0.1, False), (0.3, True), (0.95, True), (0.95, False), (0.99, True), (0.99, True), (1.0, True),
               (1.0, True), (1.0, True), (1.0, True)]]
    e, table = cal.ece(values)
    # bins: [0.1, 0.2): acc 0 conf .1; [0.3, 0.4): acc 1 conf .3; [0.9, 1]: 8 values, acc 7/8, conf .985
    assert e == pytest.approx(0.1 * 0.1 + 0.1 * 0.7 + 0.8 * abs(7 / 8 - 0.985))
    assert [t["n"] for t in table] == [1, 1, 8]
    assert cal.caught_at(values, 0.1)["share"] == 0.5  # the one value flagged is one of the two wrong
    at30 = cal.caught_at(values, 0.3)  # 3 flagged: 0.1, 0.3 and one of the two 0.95s (half a catch)
    assert at30["caught"] == 1.5 and at30["share"] == 0.75
    assert cal.flag_rate_for(values, 0.8) == 0.4
    gold = {"phones": ["1"], "leaders": [{"name": "甲", "title": "乙"}], "agency": "丙", "sections": {"other": "a b"}}
    pred = {"phones": ["1", "2"], "leaders": [{"name": "甲", "title": "丁"}], "agency": "丙",
            "sections": {"other": "ab"}}
    assert cal.is_right("phones.0", pred, gold) and not cal.is_right("phones.1", pred, gold)
    assert cal.is_right("leaders.0.name", pred, gold) and not cal.is_right("leaders.0.title", pred, gold)
    assert cal.is_right("agency", pred, gold) and cal.is_right("sections.other", pred, gold)


def test_calibration_counts_an_agency_alias_as_right_as_the_record_field_score_does():
    cal = _calibration()
    gold = {"agency": "某市某区民政局", "agency_aliases": ["区民政局"]}
    assert cal.is_right("agency", {"agency": "区民政局"}, gold)
    assert not cal.is_right("agency", {"agency": "区财政局"}, gold)


def test_the_span_a_value_was_read_from_is_the_first_in_order_starting_there_and_ending_inside():
    from govreport.inference.confidence import _span_at

    rng = np.random.default_rng(14)
    for _ in range(200):
        spans = sorted({Span(int(a), int(a) + int(k), str(lab)) for a, k, lab in
                        zip(rng.integers(0, 40, 30), rng.integers(1, 6, 30), rng.choice(["A", "B"], 30), strict=True)})
        starts = [s.start for s in spans]
        for where in ([int(rng.integers(0, 45)), int(rng.integers(0, 50))] for _ in range(20)):
            scan = next((s for s in spans if s.start == where[0] and s.end <= where[1]), None)
            assert _span_at(spans, where) == scan == _span_at(spans, where, starts)


def test_calibration_judges_a_text_that_lost_characters_by_what_it_still_prints():
    cal = _calibration()
    gold = {"agency": "柳河镇人民政府", "addresses": ["某市市民服务中心六号楼"],
            "sections": {"other": "无其他需要报告的事项。"}}
    pred = {"agency": "柳河人民政府", "addresses": ["某市民服务中心六号楼"],
            "sections": {"other": "无其他需要报告事项。"}}
    for path in ("agency", "addresses.0", "sections.other"):
        assert not cal.is_right(path, pred, gold) and cal.is_right(path, pred, gold, lost=True)
    # a name two characters short, or with a character gold does not have, stays wrong
    assert not cal.is_right("agency", {"agency": "柳河人民府"}, gold, lost=True)
    assert not cal.is_right("agency", {"agency": "柳河乡人民政府"}, gold, lost=True)


def test_calibration_over_layouts_gives_every_document_in_every_layout(tmp_path: Path):
    cal = _calibration()
    doc = Document(id="d", text="某镇2020年报告\n一、总体情况\n概述 | 1 |", spans=[], record={"agency": "某镇"})
    save_documents([doc], tmp_path)
    docs = cal.split_documents(tmp_path, layouts=True)
    layouts = list(cal._layout_stress().LAYOUTS)
    assert [d.id for d in docs] == [f"d ({label})" for label in layouts]
    assert [d.meta["layout"] for d in docs] == layouts and cal.split_documents(tmp_path) == [doc]


def test_a_mistake_repeated_over_layouts_counts_once_by_the_share_of_its_copies_flagged():
    cal = _calibration()
    values = [{"doc": "a (tabs)", "path": "p", "confidence": 0.1, "right": False},
              {"doc": "a (spaces)", "path": "p", "confidence": 0.9, "right": False},
              {"doc": "a (tabs)", "path": "q", "confidence": 0.2, "right": False},
              *({"doc": "b (tabs)", "path": "p", "confidence": 0.95, "right": True} for _ in range(17))]
    got = cal.distinct_caught(values, 0.1)  # 2 of 20 flagged: a/p's tabs copy and a/q
    assert got == {"groups": 2, "caught": 1.5, "share": 0.75}
    assert cal.caught_at(values, 0.1)["share"] == round(2 / 3, 4)
