import copy
import json
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govreport.annotations import evaluate as evaluate_module
from govreport.annotations.evaluate import FIELDS, Prediction, evaluate, load_predictions
from govreport.cli import main
from govreport.core import schema
from govreport.core.checks import run_checks
from govreport.core.document import Document, Span
from govreport.core.scores import _prf, _tags, iob2_pair, span_scores, value_outcome
from govreport.core.sections import section_texts

TEXT = "一、总体情况\n本局2022年报。电话0571-1234567。\n三、收到和处理政府信息公开申请情况\n新收 2 2\n复议 1 0 0 0 1\n"
N_CELLS = {"table1": 10, "table2": 25 * 7, "table3": 15}  # template 2021


def _at(needle: str, nth: int = 0) -> int:
    pos = -1
    for _ in range(nth + 1):
        pos = TEXT.index(needle, pos + 1)
    return pos


def gold_doc(doc_id: str = "g") -> Document:
    """11 spans: 2 headings, 2 entities, 2 table-2 cells, 5 table-3 cells; record written by hand."""
    spans = [Span(0, 6, "H.overview"), Span(_at("2022"), _at("2022") + 4, "REPORT_YEAR"),
             Span(_at("0571"), _at("0571") + 12, "PHONE"), Span(_at("三、"), _at("三、") + 17, "H.requests")]
    row = _at("新收")
    spans += [Span(row + 3, row + 4, "T2.new_received.natural_person"), Span(row + 5, row + 6, "T2.new_received.total")]
    row = _at("复议")
    spans += [Span(row + 3 + 2 * i, row + 4 + 2 * i, f"T3.review.{c}")
              for i, c in enumerate(("upheld", "corrected", "other", "pending", "total"))]
    rec = schema.empty_record("2021")
    rec.update(report_year=2022, phones=["0571-1234567"])
    rec["requests"]["new_received"].update(natural_person=2, total=2)
    rec["review_litigation"]["review"].update(upheld=1, corrected=0, other=0, pending=0, total=1)
    rec["sections"] = section_texts(TEXT, spans)
    rec["checks"] = run_checks(rec)
    return Document(doc_id, TEXT, sorted(spans), rec, {"split": "gold"})


def _run(gold: list[Document], preds: dict[str, Prediction]) -> dict:
    return evaluate(gold, preds)


def _self(doc: Document) -> Prediction:
    return Prediction(list(doc.spans), copy.deepcopy(doc.record))


def test_fixture_spans_are_what_they_say():
    doc = gold_doc()
    got = {s.label: s.text(TEXT) for s in doc.spans}
    assert got["H.requests"] == "三、收到和处理政府信息公开申请情况" and got["PHONE"] == "0571-1234567"
    assert [got[f"T3.review.{c}"] for c in ("upheld", "corrected", "other", "pending", "total")] == list("10001")
    assert got["T2.new_received.total"] == "2"


def test_gold_against_itself_is_one_everywhere():
    gold = [gold_doc("a"), gold_doc("b")]
    r = _run(gold, {d.id: _self(d) for d in gold})
    sp = r["spans"]
    assert (sp["overall"]["precision"], sp["overall"]["recall"], sp["overall"]["f1"]) == (1.0, 1.0, 1.0)
    assert sp["overall"]["support"] == sp["overall"]["predicted"] == 22
    for fam in ("sections", "table2", "table3", "entities"):
        assert sp["families"][fam]["f1"] == 1.0
    assert sp["families"]["table1"]["f1"] is None  # no table-1 span on either side: not applicable
    assert all(v["f1"] == 1.0 for v in sp["labels"].values()) and len(sp["labels"]) == 11
    assert all(c["accuracy"] == 1.0 for c in r["record"]["cells"].values())
    assert r["record"]["cells"]["overall"]["total"] == 2 * sum(N_CELLS.values())
    assert all(f["accuracy"] == 1.0 for f in r["record"]["fields"].values())
    assert r["record"]["checks"]["agreement"] == 1.0
    assert all(v == [] for v in r["worst"].values())
    assert all(d["spans"]["overall"]["f1"] == 1.0 for d in r["per_document"])


def test_missing_prediction_counts_as_empty():
    r = _run([gold_doc()], {})
    d = r["per_document"][0]
    assert r["missing_predictions"] == 1 and d["missing_prediction"]
    o = r["spans"]["overall"]
    assert (o["precision"], o["recall"], o["f1"], o["support"], o["predicted"]) == (0.0, 0.0, 0.0, 11, 0)
    cells = r["record"]["cells"]
    # 2 table-2 and 5 table-3 gold numbers are now null; every other cell is null on both sides
    assert (cells["table1"]["correct"], cells["table2"]["correct"], cells["table3"]["correct"]) == (10, 173, 10)
    assert cells["overall"]["accuracy"] == pytest.approx(193 / 200)
    wrong = {f for f, v in r["record"]["fields"].items() if v["accuracy"] == 0.0}
    assert wrong == {"template", "report_year", "phones", "sections.overview", "sections.requests"}
    assert len(FIELDS) == 18 and d["record"]["fields_accuracy"] == pytest.approx(13 / 18)
    # only identity 4 on the review group is decided in gold (ok=True); the empty record decides nothing
    n_checks = 7 + 7 + 25 + 3
    assert r["record"]["checks"] == {"agree": n_checks - 1, "total": n_checks, "agreement": (n_checks - 1) / n_checks}
    assert [x["id"] for x in r["worst"]["documents"]] == ["g"]


def perturbed(doc: Document) -> Prediction:
    """REPORT_YEAR shifted by one (partial overlap), PHONE missed, an EMAIL that gold does not have,
    the review total tagged as `pending`; in the record: a wrong cell, a null where gold has 1,
    a 0 where gold has null, and no phone."""
    spans = []
    for s in doc.spans:
        if s.label == "REPORT_YEAR":
            spans.append(Span(s.start + 1, s.end, s.label))
        elif s.label == "PHONE":
            continue
        elif s.label == "T3.review.total":
            spans.append(Span(s.start, s.end, "T3.review.pending"))
        else:
            spans.append(s)
    spans.append(Span(_at("本局"), _at("本局") + 2, "EMAIL"))
    rec = copy.deepcopy(doc.record)
    rec["requests"]["new_received"]["total"] = 3
    rec["review_litigation"]["review"]["total"] = None
    rec["requests"]["carried_over"]["natural_person"] = 0
    rec["phones"] = []
    rec["checks"] = run_checks(rec)
    return Prediction(spans, rec)


def test_perturbed_copy_gives_the_hand_computed_figures():
    gold = gold_doc()
    r = _run([gold], {"g": perturbed(gold)})
    sp = r["spans"]
    # 11 gold, 11 predicted, 8 exact matches (2 headings, 2 table-2 cells, 4 table-3 cells)
    o = sp["overall"]
    assert (o["support"], o["predicted"]) == (11, 11)
    assert o["precision"] == pytest.approx(8 / 11) and o["recall"] == pytest.approx(8 / 11)
    assert o["f1"] == pytest.approx(8 / 11)
    fam = sp["families"]
    assert (fam["sections"]["f1"], fam["table2"]["f1"]) == (1.0, 1.0)
    assert fam["table3"]["precision"] == pytest.approx(4 / 5) and fam["table3"]["recall"] == pytest.approx(4 / 5)
    assert (fam["entities"]["precision"], fam["entities"]["recall"], fam["entities"]["f1"]) == (0.0, 0.0, 0.0)
    lab = sp["labels"]
    # partial overlap is no match
    assert (lab["REPORT_YEAR"]["f1"], lab["REPORT_YEAR"]["support"], lab["REPORT_YEAR"]["predicted"]) == (0.0, 1, 1)
    assert (lab["PHONE"]["recall"], lab["PHONE"]["predicted"]) == (0.0, 0)
    # a label absent from gold: precision 0, support 0
    assert (lab["EMAIL"]["precision"], lab["EMAIL"]["support"], lab["EMAIL"]["predicted"]) == (0.0, 0, 1)
    # pending: 1 gold, 2 predicted (the right one and the mislabelled total), 1 match
    pend = lab["T3.review.pending"]
    assert (pend["precision"], pend["recall"], pend["support"], pend["predicted"]) == (0.5, 1.0, 1, 2)
    assert pend["f1"] == pytest.approx(2 / 3)
    assert lab["T3.review.total"]["recall"] == 0.0
    cells = r["record"]["cells"]
    assert (cells["table1"]["correct"], cells["table2"]["correct"], cells["table3"]["correct"]) == (10, 173, 14)
    assert cells["overall"]["accuracy"] == pytest.approx(197 / 200)
    errors = {c["path"]: (c["gold"], c["pred"]) for c in r["per_document"][0]["record"]["errors"]["cells"]}
    assert errors == {"requests.new_received.total": (2, 3), "review_litigation.review.total": (1, None),
                      "requests.carried_over.natural_person": (None, 0)}
    assert [f for f, v in r["record"]["fields"].items() if v["accuracy"] < 1] == ["phones"]
    n_checks = 42
    assert r["record"]["checks"]["agree"] == n_checks - 1  # review: gold ok=True, predicted skipped
    worst_cells = {x["path"] for x in r["worst"]["cells"]}
    assert worst_cells == set(errors)
    assert r["worst"]["labels"][0]["f1"] == 0.0


def test_per_document_figures_and_overall_micro():
    a, b = gold_doc("a"), gold_doc("b")
    r = _run([a, b], {"a": _self(a), "b": perturbed(b)})
    by_id = {d["id"]: d for d in r["per_document"]}
    assert by_id["a"]["spans"]["overall"]["f1"] == 1.0
    assert by_id["b"]["spans"]["overall"]["f1"] == pytest.approx(8 / 11)
    assert r["spans"]["overall"]["precision"] == pytest.approx(19 / 22)  # micro: (11 + 8) / (11 + 11)
    assert r["record"]["cells"]["overall"]["correct"] == 200 + 197
    assert r["record"]["fields"]["phones"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert [x["id"] for x in r["worst"]["documents"]] == ["b"]
    missed = by_id["b"]["span_errors"]["missed"]
    assert {m["label"] for m in missed} == {"REPORT_YEAR", "PHONE", "T3.review.total"}


def test_spans_out_of_range_or_overlapping_in_predictions_are_dropped_with_a_warning():
    gold = gold_doc()
    pred = _self(gold)
    # in document order, the later of two overlapping spans is dropped
    pred.spans += [Span(2, 8, "URL"), Span(5, 10_000, "URL")]
    r = _run([gold], {"g": pred})
    assert r["spans"]["overall"]["f1"] == 1.0
    assert any("2 predicted span(s)" in w for w in r["warnings"])


_LABELS = ["A", "B", "PHONE"]


@st.composite
def span_sets(draw, length: int):
    cuts = sorted(set(draw(st.lists(st.integers(0, length), max_size=10))))
    return [Span(a, b, draw(st.sampled_from(_LABELS))) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_collapsing_shared_o_runs_does_not_change_seqeval(data):
    n = data.draw(st.integers(1, 40))
    gold, pred = data.draw(span_sets(n)), data.draw(span_sets(n))
    full = _prf([_tags(n, gold)[0]], [_tags(n, pred)[0]])
    short = _prf(*map(lambda x: [x], iob2_pair(n, gold, pred)))
    assert full == short
    exact = len(set(gold) & set(pred))
    if gold and pred:
        assert short["precision"] == pytest.approx(exact / len(pred))
        assert short["recall"] == pytest.approx(exact / len(gold))


def test_span_scores_are_none_only_when_nothing_on_either_side():
    s = span_scores([(5, [], [])])
    assert s["overall"]["f1"] is None and s["labels"] == {}
    s = span_scores([(5, [], [Span(0, 2, "PHONE")])])
    assert (s["overall"]["precision"], s["overall"]["recall"], s["overall"]["f1"]) == (0.0, 0.0, 0.0)


def _write(docs: list[Document], where) -> None:
    for d in docs:
        d.save(where / f"{d.id}.json")


def test_cli_with_a_prediction_directory_prints_and_writes_the_same_figures(tmp_path, capsys):
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    a, b = gold_doc("a"), gold_doc("b")
    _write([a, b], gold_dir)
    p = perturbed(a)
    _write([Document("a", TEXT, p.spans, p.record, {"split": "pred"}),
            Document("zzz", "other", [], None, {})], pred_dir)
    out_json = tmp_path / "fig.json"
    assert main(["evaluate", "--gold", str(gold_dir), "--pred", str(pred_dir), "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    report = json.loads(out_json.read_text(encoding="utf-8"))
    assert report["missing_predictions"] == 1  # b
    assert any("zzz" in w for w in report["warnings"])
    o = report["spans"]["overall"]
    assert o["recall"] == pytest.approx(8 / 22)
    line = next(x for x in out.splitlines() if x.strip().startswith("overall (micro)"))
    assert f"{o['precision']:.3f}" in line and f"{o['recall']:.3f}" in line and " 22 " in line
    assert "document b" in out and "(no prediction)" in out
    assert "cell requests.new_received.total: wrong in 2 document(s)" in out


def test_model_directory_runs_the_extractor(tmp_path, monkeypatch, capsys):
    gold_dir, model_dir = tmp_path / "gold", tmp_path / "model"
    _write([gold_doc("a")], gold_dir)
    model_dir.mkdir()
    (model_dir / "config.json").write_text("{}", encoding="utf-8")
    calls = []

    class FakeExtractor:
        def __init__(self, path):
            calls.append(path)

        def extract(self, text):
            doc = gold_doc()
            return types.SimpleNamespace(spans=doc.spans, record=doc.record)

    monkeypatch.setattr(evaluate_module, "Extractor", FakeExtractor)
    save = tmp_path / "saved"
    assert main(["evaluate", "--gold", str(gold_dir), "--pred", str(model_dir), "--save-pred", str(save)]) == 0
    assert calls == [model_dir] and (save / "a.json").is_file()
    assert "nothing: every figure is 1.0" in capsys.readouterr().out


def test_cli_errors_are_clear(tmp_path, capsys):
    assert main(["evaluate", "--gold", str(tmp_path), "--pred", str(tmp_path)]) == 1
    assert "no gold documents" in capsys.readouterr().err
    _write([gold_doc()], tmp_path)
    assert main(["evaluate", "--gold", str(tmp_path), "--pred", str(tmp_path / "nope")]) == 1
    assert "predictions not found" in capsys.readouterr().err


def test_prediction_with_other_text_keeps_its_record_but_not_its_spans(tmp_path):
    gold = gold_doc()
    Document("g", TEXT + "多", gold.spans, gold.record, {}).save(tmp_path / "g.json")
    (tmp_path / "junk.json").write_text("[1, 2", encoding="utf-8")
    warn: list[str] = []
    preds = load_predictions([gold], tmp_path, warn)
    assert preds["g"].spans == [] and preds["g"].record == gold.record
    assert any("differs from the gold text" in w for w in warn) and any("junk.json" in w for w in warn)
    r = evaluate([gold], preds)
    assert r["record"]["cells"]["overall"]["accuracy"] == 1.0 and r["spans"]["overall"]["recall"] == 0.0


@pytest.mark.parametrize(("gold", "pred", "expected"), [
    (3, 3, {"tp": 1}),
    (3, 3.0, {"tp": 1}),
    (3, 4, {"fn": 1, "fp": 1}),          # a different number: missed and guessed
    (3, None, {"fn": 1, "fp": 0}),       # missed
    (None, 0, {"fn": 0, "fp": 1}),       # a guess where the document prints nothing
    (None, None, {"fn": 0, "fp": 0}),    # nothing printed, nothing guessed: not counted
    (0, 0, {"tp": 1}),                   # a printed 0 is a value
])
def test_value_outcome_counts_printed_numbers_only(gold, pred, expected) -> None:
    assert value_outcome(gold, pred) == expected


def test_value_f1_in_the_report_counts_guesses_against() -> None:
    record = schema.empty_record("2021")
    record["requests"]["new_received"]["total"] = 5
    guessed = copy.deepcopy(record)
    guessed["requests"]["granted"]["total"] = 0  # gold null
    doc = Document("d", "x", [], record)
    report = evaluate([doc], {"d": Prediction([], guessed)})
    overall = report["record"]["values"]["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (1, 1, 0)
    assert overall["f1"] == pytest.approx(2 / 3)
    # the exact-match figure counts both nulls and the guess: it barely moves
    assert report["record"]["cells"]["overall"]["accuracy"] > 0.99


def test_key_fields_accept_an_alias_of_the_agency_and_compare_leader_names_only() -> None:
    from govreport.annotations.evaluate import key_field_scores

    gold = schema.empty_record("2021")
    gold.update(agency="花街镇人民政府", agency_aliases=["花街镇"], leaders=[{"name": "张三", "title": "镇长"}])
    pred = copy.deepcopy(gold)
    pred.update(agency="花街镇", leaders=[{"name": "张三", "title": None}])
    assert all(key_field_scores(gold, pred).values())
    pred["agency"] = "花街镇政府"  # not printed as the body's name
    assert key_field_scores(gold, pred)["agency"] is False
    pred["agency"] = None
    assert key_field_scores(gold, pred)["agency"] is False
