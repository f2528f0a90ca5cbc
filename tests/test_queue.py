"""The review queue: ranking by what a human check would gain, and the tasks it writes (scores shown)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from govreport import cli
from govreport.annotations.formats import read_labelstudio
from govreport.annotations.queue import QueueError, queue, rank, review_gain
from govreport.core import schema
from govreport.core.document import Span


def _record(conf: dict[str, float], failed: int = 0, text_failed: int = 0, template: str | None = "2021") -> dict:
    r = schema.empty_record(template)
    r[schema.CONFIDENCE_KEY] = conf
    r["checks"] = ([{"identity": 1, "where": "requests.total", "expected": 1, "found": 2, "ok": False}] * failed
                   + [{"kind": "text", "where": "requests.new_received.total", "text": "收到1件", "expected": 1,
                       "found": 2, "ok": False}] * text_failed
                   + [{"identity": 4, "where": "review_litigation.review", "expected": 0, "found": 0, "ok": True}])
    return r


def test_review_gain_adds_expected_errors_failed_checks_unknown_template_and_the_lowest_value() -> None:
    gain, parts = review_gain(_record({"a": 0.9, "b": 0.5}, failed=2, text_failed=1, template=None))
    assert parts == {"expected_wrong": 0.6, "lowest_confidence": 0.5, "identity_checks_failed": 2,
                     "text_checks_failed": 1, "template_unknown": True}
    assert gain == pytest.approx(0.6 + 2 + 1 + 1 + 0.5)
    gain, parts = review_gain({"template": "2019", "checks": []})  # no confidence (an older record)
    assert gain == 0 and parts["lowest_confidence"] is None


def test_rank_puts_the_least_certain_first_and_keeps_ties_in_order() -> None:
    def cand(name: str, record: dict) -> SimpleNamespace:
        return SimpleNamespace(name=name, record=record, gain=0.0, parts={})

    ranked = rank([cand("sure", _record({"a": 0.99, "b": 0.99})),
                   cand("one doubt", _record({"a": 0.99, "b": 0.3})),
                   cand("check fails", _record({"a": 0.99}, failed=1)),
                   cand("sure too", _record({"a": 0.99, "b": 0.99})),
                   cand("no template", _record({"a": 0.99}, template=None))])
    assert [c.name for c in ranked] == ["one doubt", "check fails", "no template", "sure", "sure too"]


class FakeExtractor:
    """Spans: every run of digits is a granted-total cell scored by the digit; lower digits, lower
    confidence (the record's confidence is the span's score)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def extract(self, text: str, offsets: bool = False) -> SimpleNamespace:
        self.calls.append(text)
        spans, scores = [], {}
        for i, ch in enumerate(text):
            if ch.isdigit():
                s = Span(i, i + 1, "T2.granted.total")
                spans.append(s)
                scores[s] = int(ch) / 10
        record = schema.empty_record("2021")
        record[schema.CONFIDENCE_KEY] = {f"v{i}": v for i, v in enumerate(scores.values())}
        return SimpleNamespace(record=record, spans=spans, scores=scores)


def _reports(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    for name, body in {"sure": "报告9", "doubtful": "报告2", "middle": "报告5", "empty": "   "}.items():
        (d / f"{name}.txt").write_text(body, encoding="utf-8")
    return d


def test_queue_of_a_directory_writes_label_studio_tasks_with_scores(tmp_path: Path) -> None:
    out = tmp_path / "tasks.json"
    result = queue([_reports(tmp_path)], 2, out, extractor=FakeExtractor())
    assert [Path(c.name).stem for c in result.queued] == ["doubtful", "middle"] and result.ranked == 3
    assert any("empty.txt: no text" in n for n in result.notes)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["doc_id"] for t in tasks] == ["doubtful", "middle"]
    (pred,) = tasks[0]["predictions"]
    assert pred["score"] == 0.2  # the record's lowest value confidence
    assert [(r["value"]["text"], r["value"]["labels"], r["score"]) for r in pred["result"]] == \
        [("2", ["T2.granted.total"], 0.2)]
    review = tasks[0]["data"]["meta"]["review"]
    assert review["rank"] == 1 and review["gain"] == pytest.approx(0.8 + 0.8)
    assert result.config is not None and result.config.read_text(encoding="utf-8").startswith("<View>")
    # the tasks are ordinary pre-annotations: an annotator's export of them reads back
    tasks[0]["annotations"] = [{"result": pred["result"]}]
    read = read_labelstudio(tasks)
    assert not read.problems and read.documents[0].spans == [Span(2, 3, "T2.granted.total")]


def test_queue_in_doccano_format_carries_one_score_per_span(tmp_path: Path) -> None:
    out = tmp_path / "tasks.jsonl"
    result = queue([_reports(tmp_path)], 1, out, fmt="doccano", extractor=FakeExtractor())
    assert result.config is None
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert line["label"] == [[2, 3, "T2.granted.total"]] and line["scores"] == [0.2] and line["score"] == 0.2


def test_queue_of_extract_results_ranks_the_records_and_tags_only_the_top_again(tmp_path: Path) -> None:
    d = _reports(tmp_path)
    lines = []
    for name, conf in (("sure", 0.9), ("doubtful", 0.2), ("middle", 0.5)):
        path = d / f"{name}.txt"
        lines.append({"path": str(path), "resolved": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                      "record": _record({"x": conf})})
    lines.append({"path": "gone.txt", "resolved": str(d / "gone.txt"), "sha256": "0", "record": _record({"x": 0.01})})
    lines.append({"path": "broken.pdf", "resolved": "broken.pdf", "sha256": "1", "error": "no text layer"})
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    (d / "doubtful.txt").write_text("报告3", encoding="utf-8")  # changed since extract: left out
    ex = FakeExtractor()
    result = queue([results], 1, tmp_path / "tasks.json", extractor=ex)
    assert [Path(c.name).stem for c in result.queued] == ["middle"] and result.ranked == 4
    assert ex.calls == ["报告5"]  # only the queued document was tagged again
    notes = " ".join(result.notes)
    assert "gone.txt: cannot read" in notes and "changed since it was extracted" in notes
    assert "broken.pdf: no record" in notes


def test_queue_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    with pytest.raises(QueueError, match="format"):
        queue([tmp_path], 1, tmp_path / "t.json", fmt="xml", extractor=FakeExtractor())
    with pytest.raises(QueueError, match="--top"):
        queue([tmp_path], 0, tmp_path / "t.json", extractor=FakeExtractor())
    with pytest.raises(QueueError, match="no document"):
        queue([tmp_path], 1, tmp_path / "t.json", extractor=FakeExtractor())


def test_cli_queue(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("govreport.annotations.queue.load_extractor", lambda model_dir=None: FakeExtractor())
    out = tmp_path / "q" / "tasks.json"
    assert cli.main(["queue", str(_reports(tmp_path)), "--top", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "wrote 3 of 3 ranked document(s)" in printed.out and "doubtful.txt" in printed.out.splitlines()[0]
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 3
    assert cli.main(["queue", str(tmp_path / "nothing"), "--out", str(out)]) == 1
