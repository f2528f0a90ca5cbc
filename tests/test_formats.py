import json
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from govreport.annotations.formats import (
    export_documents,
    import_export,
    labelstudio_config,
    read_doccano,
    read_export,
    read_labelstudio,
    to_doccano,
    to_labelstudio,
)
from govreport.annotations.validate import validate_path
from govreport.cli import main
from govreport.core import labels, schema
from govreport.core.checks import run_checks
from govreport.core.document import Document, Span, load_documents
from govreport.core.numbers import parse_number
from govreport.core.sections import section_texts
from govreport.inference.assemble import assemble

# 𠮷 is outside the BMP: one code point (us, doccano, Label Studio 1.23), two UTF-16 units (older Label Studio).
TEXT = "三、收到和处理政府信息公开申请情况\n𠮷 新收 | 2 | 2 |\n四、政府信息公开行政复议、行政诉讼情况\n复议 | 1 | 1 |\n"


def _find(text: str, needle: str, nth: int = 0) -> int:
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos


def table_doc(doc_id: str = "t1", text: str = TEXT) -> Document:
    """Headings and four cells: a document whose record a tiny assembler can rebuild exactly."""
    heads = [("三、收到和处理政府信息公开申请情况", "H.requests"),
             ("四、政府信息公开行政复议、行政诉讼情况", "H.review_litigation")]
    spans = [Span(_find(text, h), _find(text, h) + len(h), lab) for h, lab in heads]
    cells = [("2", 0, "T2.new_received.natural_person"), ("2", 1, "T2.new_received.total"),
             ("1", 0, "T3.review.upheld"), ("1", 1, "T3.review.total")]
    for needle, nth, lab in cells:
        at = _find(text, f"| {needle} ", nth) + 2
        spans.append(Span(at, at + 1, lab))
    return Document(doc_id, text, sorted(spans), None, {"source": "test"})


def fake_assemble(text: str, spans: list[Span]) -> dict:
    """Stands in for govreport.inference.assemble.assemble on documents made of headings and cells."""
    rec = schema.empty_record("2021")
    for s in spans:
        path = labels.cell_path(s.label)
        if path:
            *parents, last = path.split(".")
            node = rec
            for key in parents:
                node = node[key]
            node[last] = parse_number(s.text(text))
    rec["sections"] = section_texts(text, spans)
    rec["checks"] = run_checks(rec)
    return rec


def test_config_lists_every_label_once_coloured_by_family():
    root = ET.fromstring(labelstudio_config())
    lab = root.find("Labels")
    assert lab.get("name") == "label" and lab.get("toName") == "text"
    text = root.find("Text")
    assert text.get("name") == "text" and text.get("value") == "$text"
    values = [x.get("value") for x in lab.findall("Label")]
    assert values == list(labels.span_labels())
    colour = {x.get("value"): x.get("background") for x in lab.findall("Label")}
    by_family: dict[str, set[str]] = {}
    for v, c in colour.items():
        by_family.setdefault(labels.family(v), set()).add(c)
    assert all(len(cs) == 1 for cs in by_family.values())
    assert len({next(iter(cs)) for cs in by_family.values()}) == len(labels.FAMILIES)


def test_labelstudio_task_round_trips_with_code_point_offsets():
    doc = table_doc()
    task = to_labelstudio(doc)
    assert task["data"]["text"] == doc.text and task["data"]["doc_id"] == "t1"
    results = task["annotations"][0]["result"]
    first_cell = next(r for r in results if r["value"]["labels"] == ["T2.new_received.natural_person"])
    span = next(s for s in doc.spans if s.label == "T2.new_received.natural_person")
    assert (first_cell["value"]["start"], first_cell["value"]["text"]) == (span.start, "2")
    assert {(r["from_name"], r["to_name"], r["type"]) for r in results} == {("label", "text", "labels")}
    back = read_labelstudio([task])
    assert not back.problems
    (got,) = back.documents
    assert (got.id, got.text, got.spans, got.meta["source"]) == (doc.id, doc.text, doc.spans, "test")


def test_utf16_offsets_of_older_label_studio_are_read_by_value_text():
    doc = table_doc()
    task = to_labelstudio(doc)
    for r in task["annotations"][0]["result"]:
        v = r["value"]
        shift = int(v["start"] > doc.text.index("𠮷"))  # 𠮷 counts twice in UTF-16
        v["start"] += shift
        v["end"] += shift
    back = read_labelstudio([task])
    assert not back.problems and back.documents[0].spans == doc.spans


def test_predictions_are_preannotations_not_annotations():
    task = to_labelstudio(table_doc(), predictions=True)
    assert "annotations" not in task and task["predictions"][0]["result"]
    back = read_labelstudio([task])
    assert back.documents == [] and "not labelled yet" in back.notes[0]


def test_task_without_our_doc_id_gets_one_from_the_task_id():
    doc = table_doc()
    result = [{"id": f"r{i}", "from_name": "label", "to_name": "text", "type": "labels",
               "value": {"start": s.start, "end": s.end, "labels": [s.label]}}  # no value.text
              for i, s in enumerate(doc.spans)]
    back = read_labelstudio([{"id": 3, "data": {"text": doc.text}, "annotations": [{"result": result}]}])
    assert back.documents[0].spans == doc.spans and back.documents[0].id == "ls-3"
    assert back.documents[0].meta["task"] == 3


def test_latest_uncancelled_annotation_wins():
    doc = table_doc()
    full = to_labelstudio(doc)["annotations"][0]["result"]
    task = {"id": 7, "data": {"text": doc.text, "doc_id": "t1"}, "annotations": [
        {"id": 1, "result": full[:1], "was_cancelled": False, "updated_at": "2024-05-01T10:00:00Z"},
        {"id": 2, "result": full, "was_cancelled": False, "updated_at": "2024-05-02T10:00:00Z"},
        {"id": 3, "result": [], "was_cancelled": True, "updated_at": "2024-05-03T10:00:00Z"},
    ]}
    assert read_labelstudio([task]).documents[0].spans == doc.spans


def test_doccano_round_trip_and_relation_shape(tmp_path):
    doc = table_doc()
    line = to_doccano(doc)
    assert line["label"][0] == [doc.spans[0].start, doc.spans[0].end, doc.spans[0].label]
    got = read_doccano([json.dumps(line, ensure_ascii=False)]).documents[0]
    assert (got.id, got.text, got.spans) == (doc.id, doc.text, doc.spans)
    rel = {"id": 9, "text": doc.text, "relations": [],
           "entities": [{"id": i, "start_offset": s.start, "end_offset": s.end, "label": s.label}
                        for i, s in enumerate(doc.spans)]}
    got = read_doccano([json.dumps(rel, ensure_ascii=False)]).documents[0]
    assert (got.id, got.spans) == ("doccano-9", doc.spans)


_ALPHABET = st.sampled_from(list("政府信息公开 \n|0123456789𠮷😀abc"))


@st.composite
def documents(draw):
    text = "".join(draw(st.lists(_ALPHABET, min_size=1, max_size=60)))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=12))))
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if a < b:
            spans.append(Span(a, b, draw(st.sampled_from(labels.span_labels()))))
    return Document("h", text, spans, None, {})


@settings(max_examples=60, deadline=None)
@given(documents())
def test_both_formats_are_lossless_for_spans(doc):
    ls = read_labelstudio([json.loads(json.dumps(to_labelstudio(doc)))]).documents[0]
    dc = read_doccano([json.dumps(to_doccano(doc))]).documents[0]
    assert ls.spans == dc.spans == sorted(doc.spans)
    assert ls.text == dc.text == doc.text


def test_export_files_are_read_back_by_format(tmp_path):
    docs = [table_doc("a"), table_doc("b", TEXT.replace("𠮷", "甲"))]
    for fmt, name in (("labelstudio", "x.json"), ("doccano", "x.jsonl")):
        out = tmp_path / name
        assert export_documents(docs, fmt, out) == 2
        back = read_export(out)
        assert [(d.id, d.spans) for d in back.documents] == [(d.id, d.spans) for d in docs]


def test_import_writes_valid_train_documents(tmp_path):
    export = tmp_path / "ls.json"
    export_documents([table_doc("a"), table_doc("b")], "labelstudio", export)
    out = tmp_path / "train"
    result = import_export(export, out, assemble=fake_assemble)
    assert result.problems == [] and sorted(p.name for p in result.written) == ["a.json", "b.json"]
    docs = list(load_documents(out))
    assert all(d.meta["split"] == "train" and d.record["requests"]["new_received"]["total"] == 2 for d in docs)
    assert validate_path(out).ok


def test_import_of_an_invalid_task_writes_nothing(tmp_path):
    good, bad = table_doc("good"), table_doc("bad")
    tasks = [to_labelstudio(good), to_labelstudio(bad)]
    tasks[1]["id"] = 42
    results = tasks[1]["annotations"][0]["result"]
    results[0]["value"]["end"] += 1  # the heading now ends with the newline
    results[0]["value"]["text"] += "\n"
    results[1]["value"]["labels"] = ["T2.bogus.total"]
    results[2]["value"]["text"] = "9"  # does not match the text at its offsets
    export = tmp_path / "ls.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    result = import_export(export, tmp_path / "train", assemble=fake_assemble)
    messages = [str(p) for p in result.problems]
    assert all(m.startswith("ls.json task 42 (bad)") for m in messages) and len(messages) == 3
    assert any("starts or ends with whitespace" in m for m in messages)
    assert any("unknown label 'T2.bogus.total'" in m for m in messages)
    assert any("value.text '9' is not the task text" in m for m in messages)
    assert result.written == [] and not (tmp_path / "train").exists()


def test_import_rejects_a_rebuilt_record_that_disagrees_with_the_spans(tmp_path):
    export = tmp_path / "d.jsonl"
    export_documents([table_doc("a")], "doccano", export)

    def wrong(text, spans):
        rec = fake_assemble(text, spans)
        rec["review_litigation"]["review"]["total"] = 5
        rec["checks"] = run_checks(rec)
        return rec

    result = import_export(export, tmp_path / "train", assemble=wrong)
    assert result.written == [] and any("rebuilt record" in str(p) and "T3.review.total" in str(p)
                                        for p in result.problems)

    def crash(text, spans):
        raise RuntimeError("boom")

    result = import_export(export, tmp_path / "train", assemble=crash)
    assert "assemble failed: RuntimeError: boom" in str(result.problems[0])


def test_cli_export_and_import_rebuild_the_record_with_the_real_assembler(tmp_path, capsys):
    src = tmp_path / "docs"
    table_doc("a").save(src / "a.json")
    export = tmp_path / "out.jsonl"
    assert main(["annotate", "export", str(src), "--format", "doccano", "--out", str(export)]) == 0
    assert main(["annotate", "import", str(export), "--out", str(tmp_path / "train")]) == 0
    assert "wrote 1 documents" in capsys.readouterr().out
    (doc,) = load_documents(tmp_path / "train")
    assert doc.record == assemble(doc.text, list(doc.spans))  # the CLI import uses the shared assembler
    assert doc.record["requests"]["new_received"]["total"] == 2
    assert doc.record["review_litigation"]["review"]["total"] == 1
    (tmp_path / "broken.jsonl").write_text('{"text": "x", "label": [[0, 5, "PHONE"]]}\n', encoding="utf-8")
    assert main(["annotate", "import", str(tmp_path / "broken.jsonl"), "--out", str(tmp_path / "t2")]) == 1
    err = capsys.readouterr().err
    assert "broken.jsonl line 1 (doccano-line1): span 0-5 PHONE" in err and "out of range" in err
    assert not (tmp_path / "t2").exists()
