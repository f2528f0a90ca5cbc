"""`govreport annotate pre`: model spans as pre-annotations, and the way back into the training set.

The "model" here is a stand-in extractor returning fixed spans, one of them wrong (a phone number
tagged as a postcode), which the simulated annotator corrects. The report is fictional.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from govreport.annotations.pre import PreError, config_path, doc_id_for, pre_annotate
from govreport.core.document import Span

TEXT = """西岭县石桥镇人民政府2021年政府信息公开工作年度报告
一、总体情况
2021年，西岭县石桥镇人民政府依法做好政府信息公开工作。咨询电话：0833-5512345。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
（一）予以公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
六、其他需要报告的事项
无。
"""
PREDICTED = [("西岭县石桥镇人民政府", "AGENCY"), ("2021", "REPORT_YEAR"), ("一、总体情况", "H.overview"),
             ("西岭县石桥镇人民政府", "AGENCY"), ("0833-5512345", "POSTCODE"),  # wrong: a phone number
             ("三、收到和处理政府信息公开申请情况", "H.requests"), ("2", "T2.new_received.natural_person"),
             ("2", "T2.new_received.total"), ("2", "T2.granted.natural_person"), ("2", "T2.granted.total"),
             ("六、其他需要报告的事项", "H.other")]


def spans_for(text: str, marks: list[tuple[str, str]]) -> list[Span]:
    """Spans for (substring, label) pairs, each searched after the previous one; T2 totals at row end."""
    spans, pos = [], 0
    for sub, label in marks:
        start = text.rindex(sub, pos, text.index("\n", pos)) if label.endswith(".total") else text.index(sub, pos)
        spans.append(Span(start, start + len(sub), label))
        pos = start + len(sub)
    return spans


class StandInExtractor:
    """What pre needs of govreport.inference.extract.Extractor: extract(text).spans."""

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, text: str):
        self.calls += 1
        return SimpleNamespace(record={}, spans=spans_for(text, PREDICTED) if text == TEXT else [])


@pytest.fixture
def reports(tmp_path: Path) -> list[Path]:
    paths = []
    for name in ("shiqiao-2021.txt", "sub/shiqiao-2021.txt"):
        p = tmp_path / "in" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(TEXT, encoding="utf-8")
        paths.append(p)
    return paths


def test_labelstudio_tasks_hold_the_model_spans_as_predictions(tmp_path, reports):
    out = tmp_path / "tasks.json"
    result = pre_annotate(reports, out, extractor=StandInExtractor())
    assert (result.documents, result.spans, result.config) == (2, 2 * len(PREDICTED), config_path(out))
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["doc_id"] for t in tasks] == ["shiqiao-2021", "shiqiao-2021-2"]
    for task in tasks:
        assert "annotations" not in task  # pre-annotations only: the annotator makes the annotation
        (pred,) = task["predictions"]
        assert pred["model_version"] == "govreport:default"
        got = [(r["value"]["text"], r["value"]["labels"][0]) for r in pred["result"]]
        assert got == PREDICTED
        for r in pred["result"]:
            assert task["data"]["text"][r["value"]["start"]:r["value"]["end"]] == r["value"]["text"]
    # The labelling config beside the tasks names every label the predictions use.
    cfg = ET.parse(result.config).getroot()
    names = {el.get("value") for el in cfg.iter("Label")}
    assert {lab for _, lab in PREDICTED} <= names
    assert {el.get("name") for el in cfg.iter("Labels")} == {pred["result"][0]["from_name"]}


def test_doccano_jsonl_carries_the_spans_as_labels(tmp_path, reports):
    out = tmp_path / "tasks.jsonl"
    result = pre_annotate(reports[:1], out, fmt="doccano", extractor=StandInExtractor())
    assert result.config is None and not config_path(out).exists()
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(line["text"][s:e], lab) for s, e, lab in line["label"]] == PREDICTED


def test_unreadable_inputs_are_skipped_and_reported(tmp_path, reports):
    bad = tmp_path / "in" / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    empty = tmp_path / "in" / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    result = pre_annotate([bad, reports[0], empty], tmp_path / "t.json", extractor=StandInExtractor())
    assert result.documents == 1
    assert [s.split(":")[0] for s in result.skipped] == [str(bad), str(empty)]
    with pytest.raises(PreError, match="no input could be read"):
        pre_annotate([bad], tmp_path / "t2.json", extractor=StandInExtractor())
    with pytest.raises(PreError, match="no such file"):
        pre_annotate([tmp_path / "missing.txt"], tmp_path / "t3.json", extractor=StandInExtractor())
    with pytest.raises(PreError, match="unknown format"):
        pre_annotate(reports, tmp_path / "t4.json", fmt="brat", extractor=StandInExtractor())


def test_a_directory_gives_its_report_files(tmp_path, reports):
    (tmp_path / "in" / "notes.md").write_text("not a report", encoding="utf-8")
    extractor = StandInExtractor()
    result = pre_annotate([tmp_path / "in"], tmp_path / "t.json", extractor=extractor)
    assert (result.documents, extractor.calls) == (1, 1)  # shiqiao-2021.txt; not notes.md, not sub/


def test_document_ids_are_file_safe_and_unique():
    taken: set[str] = set()
    ids = [doc_id_for(Path(p), taken) for p in ("a/报告 2021.txt", "b/报告 2021.txt", "../.hidden.txt", "+.txt")]
    assert ids == ["报告_2021", "报告_2021-2", "hidden", "doc"]


def test_cli_reports_a_missing_model(tmp_path, reports, capsys):
    from govreport.cli import main

    code = main(["annotate", "pre", str(reports[0]), "--out", str(tmp_path / "t.json"),
                 "--model", str(tmp_path / "no-model")])
    assert code == 1
    assert "no model directory" in capsys.readouterr().err
    assert not (tmp_path / "t.json").exists()


def _annotator_corrects(tasks: list[dict]) -> list[dict]:
    """What Label Studio exports after an annotator accepts the pre-annotations and fixes one label."""
    exported = []
    for n, task in enumerate(tasks, 1):
        result = json.loads(json.dumps(task["predictions"][0]["result"]))
        for r in result:
            if r["value"]["labels"] == ["POSTCODE"]:
                r["value"]["labels"] = ["PHONE"]
        exported.append({"id": n, "data": task["data"], "predictions": [n],
                         "annotations": [{"id": n, "result": result, "was_cancelled": False,
                                          "updated_at": "2026-01-01T00:00:00Z"}]})
    return exported


def test_a_corrected_and_imported_document_reaches_the_training_set(tmp_path, reports):
    train_mod = pytest.importorskip("govreport.training.train")
    dataset_mod = pytest.importorskip("govreport.training.dataset")
    pytest.importorskip("govreport.inference.assemble")
    from govreport.cli import main
    from govreport.core import labels
    from govreport.core.document import Document
    from govreport.core.normalize import NormalizeOptions
    from govreport.core.vocab import Vocab
    from govreport.training.data_mix import load_annotated

    tasks_path = tmp_path / "tasks.json"
    pre_annotate(reports[:1], tasks_path, extractor=StandInExtractor())
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_annotator_corrects(json.loads(tasks_path.read_text(encoding="utf-8"))),
                                 ensure_ascii=False), encoding="utf-8")
    train_dir = tmp_path / "train"
    assert main(["annotate", "import", str(export), "--out", str(train_dir)]) == 0

    (doc,) = load_annotated(train_dir)
    assert doc.id == "shiqiao-2021" and doc.meta["split"] == "train"
    assert [(s.text(doc.text), s.label) for s in doc.spans if s.label in ("PHONE", "POSTCODE")] == [
        ("0833-5512345", "PHONE")]
    assert doc.record["phones"] == ["0833-5512345"] and doc.record["requests"]["granted"]["total"] == 2

    # The training config's data section picks it up (weight 2 -> two copies) ...
    dev = tmp_path / "dev"
    Document("dev-doc", doc.text, doc.spans, doc.record, {"split": "dev"}).save(dev / "dev-doc.json")
    cfg = {"seed": 1, "data": {"synthetic": None, "train_dirs": [], "dev_dir": str(dev),
                               "annotated": {"dir": str(train_dir), "weight": 2.0}}}
    pairs, _, real_dev = train_mod.corpus(cfg)
    assert [d.id for d in real_dev] == ["dev-doc"]
    assert [(d.id, copies) for d, copies in pairs] == [("shiqiao-2021", 2)]
    # ... and its corrected label is in the windows the model is trained on.
    options = NormalizeOptions()
    vocab = Vocab.build([doc.text], options)
    ds = dataset_mod.build_dataset(pairs, vocab, options, dataset_mod.WindowSpec(64, 48))
    assert set(ds["doc_id"]) == {"shiqiao-2021"}
    seen = {i for row in ds["labels"] for i in row}
    ids = labels.label2id()
    assert ids["B-PHONE"] in seen and ids["B-POSTCODE"] not in seen
    assert ids["B-T2.granted.total"] in seen
