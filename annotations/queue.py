"""The review queue (active learning): the reports a person should correct first, as annotation tasks.

``govreport queue RESULTS.jsonl|DIR --top N --out tasks.json [--format labelstudio|doccano]``

Documents are ranked by what a human check would gain (``review_gain``), highest first:

    gain = Σ (1 − c)  over the record's value confidences c   (the wrong values the model itself expects)
         + 1 × each failed identity check                        (a misread number, or a report at odds with itself)
         + 1 × each failed text-vs-table check
         + 1 if the template is unknown                           (the tables could not be placed)
         + (1 − the lowest value confidence)                     (breaks ties toward one very doubtful value)

A record without ``confidence`` (written before it existed) counts only its checks and template. Ties
keep the input order. The top N become tasks whose predictions are the model's spans, each with its
``score`` (the tagger's span score, ``govreport.inference.confidence``), and whose prediction ``score``
is the record's lowest value confidence (Label Studio's Data Manager lists and sorts tasks by it); the
rank, gain and its parts go in ``data.meta.review``. The tasks are written in queue order.

Inputs:
- a DIR (or report files): every report file is read (.txt .html .pdf .docx) and run through the model;
- RESULTS.jsonl (``govreport extract --out``): the ranking uses the records in the file (its last line per
  input), no model needed; only the top N are tagged again to get their spans and scores, from the file
  at the line's ``resolved`` path. A file that is gone, or whose content no longer has the line's
  sha256, is left out with a note and the next one in rank takes its place. (The spans are not stored in
  the JSONL: they would double its size for every report, while only the queued few need them; tagging
  those again with the same model gives the same spans.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govreport.annotations.formats import Scored, export_documents, labelstudio_config
from govreport.annotations.pre import PreError, config_path, doc_id_for, input_files, load_extractor, read_input
from govreport.core import schema
from govreport.core.document import TASK_FORMATS, Document, Span
from govreport.inference.export_tables import ExportError, load_results

CHECK_WEIGHT = 1.0
TEXT_CHECK_WEIGHT = 1.0
UNKNOWN_TEMPLATE_WEIGHT = 1.0


class QueueError(ValueError):
    """Input or output the queue cannot use (message says why)."""


def review_gain(record: Mapping[str, Any]) -> tuple[float, dict[str, Any]]:
    """The gain of a person checking this record, and its parts (module docstring)."""
    conf = record.get(schema.CONFIDENCE_KEY)
    values = [float(v) for v in (conf.values() if isinstance(conf, dict) else ())
              if isinstance(v, int | float) and not isinstance(v, bool)]
    checks = [c for c in record.get("checks") or [] if isinstance(c, dict) and c.get("ok") is False]
    text_failed = sum(1 for c in checks if c.get("kind") == "text")
    parts = {
        "expected_wrong": round(sum(1 - v for v in values), 4),
        "lowest_confidence": round(min(values), 4) if values else None,
        "identity_checks_failed": len(checks) - text_failed,
        "text_checks_failed": text_failed,
        "template_unknown": record.get("template") not in schema.TEMPLATES,
    }
    gain = (parts["expected_wrong"] + CHECK_WEIGHT * parts["identity_checks_failed"]
            + TEXT_CHECK_WEIGHT * text_failed + UNKNOWN_TEMPLATE_WEIGHT * parts["template_unknown"]
            + (1 - min(values) if values else 0.0))
    return round(gain, 4), parts


@dataclass
class Candidate:
    """One document that may be queued: where it came from, its record, and (once tagged) its spans."""

    name: str  # the input path as given
    record: dict[str, Any]
    text: str | None = None
    spans: list[Span] | None = None
    scores: dict[Span, float] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    resolved: str | None = None
    sha256: str | None = None
    gain: float = 0.0
    parts: dict[str, Any] = field(default_factory=dict)


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Candidates with their gain set, highest gain first (a stable sort: ties keep the input order)."""
    out = list(candidates)
    for c in out:
        c.gain, c.parts = review_gain(c.record)
    return sorted(out, key=lambda c: -c.gain)


@dataclass
class QueueResult:
    out: Path
    config: Path | None
    queued: list[Candidate] = field(default_factory=list)
    ranked: int = 0
    notes: list[str] = field(default_factory=list)


def _extract(extractor: Any, text: str) -> tuple[dict[str, Any], list[Span], dict[Span, float]]:
    result = extractor.extract(text)
    spans = [Span(int(s.start), int(s.end), str(s.label)) for s in result.spans]
    return result.record, spans, dict(getattr(result, "scores", None) or {})


def candidates_from_files(paths: list[Path], extractor: Any, notes: list[str]) -> list[Candidate]:
    out = []
    for path in paths:
        try:
            text, meta = read_input(path)
        except PreError as e:
            notes.append(f"{path}: {e}")
            continue
        if not text.strip():
            notes.append(f"{path}: no text")
            continue
        record, spans, scores = _extract(extractor, text)
        out.append(Candidate(str(path), record, text, spans, scores, meta))
    return out


def candidates_from_results(path: Path, notes: list[str]) -> list[Candidate]:
    try:
        lines, bad = load_results(path)
    except ExportError as e:
        raise QueueError(str(e)) from e
    if bad:
        notes.append(f"{path}: {bad} malformed line(s) skipped")
    out = []
    for line in lines:
        if not isinstance(line.get("record"), dict):
            notes.append(f"{line['path']}: no record in {path.name} ({line.get('error') or 'error line'}), not ranked")
            continue
        out.append(Candidate(line["path"], line["record"], resolved=line.get("resolved") or line["path"],
                             sha256=line.get("sha256"), meta={"source": Path(line["path"]).name}))
    return out


def _retag(c: Candidate, extractor: Any, notes: list[str]) -> bool:
    """Tag a RESULTS.jsonl candidate again from its file; False (with a note) when the file is gone or changed."""
    where = Path(c.resolved or c.name)
    try:
        data = where.read_bytes()
    except OSError as e:
        notes.append(f"{c.name}: cannot read {where} to tag it again ({e.strerror or e}), left out")
        return False
    if c.sha256 and hashlib.sha256(data).hexdigest() != c.sha256:
        notes.append(f"{c.name}: changed since it was extracted (sha256 differs), left out; extract it again")
        return False
    try:
        text, _ = read_input(where)
    except PreError as e:
        notes.append(f"{c.name}: {e}, left out")
        return False
    c.text = text
    _, c.spans, c.scores = _extract(extractor, text)
    return True


def build_queue(inputs: list[Path], top: int, extractor: Any = None, model_dir: Path | None = None,
                notes: list[str] | None = None) -> tuple[list[Candidate], int]:
    """The top ``top`` candidates, tagged (spans and scores set), and how many were ranked."""
    notes = notes if notes is not None else []
    results = [p for p in inputs if p.is_file() and p.suffix.lower() == ".jsonl"]
    files = [p for p in input_files([p for p in inputs if p not in results])]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise QueueError(f"no such file: {', '.join(missing)}")
    if extractor is None:
        extractor = load_extractor(model_dir)
    candidates = candidates_from_files(files, extractor, notes)
    for r in results:
        candidates += candidates_from_results(r, notes)
    ranked = rank(candidates)
    queued: list[Candidate] = []
    for c in ranked:
        if len(queued) >= top:
            break
        if c.spans is not None or _retag(c, extractor, notes):
            queued.append(c)
    return queued, len(ranked)


def queue(inputs: Iterable[Path], top: int, out: Path, fmt: str = "labelstudio", model_dir: Path | None = None,
          extractor: Any = None) -> QueueResult:
    """Rank the inputs' documents, write the top ``top`` as tasks (Label Studio, or doccano JSONL)."""
    if fmt not in TASK_FORMATS:
        raise QueueError(f"unknown format {fmt!r} (labelstudio or doccano)")
    if top < 1:
        raise QueueError("--top must be at least 1")
    inputs = [Path(p) for p in inputs]
    notes: list[str] = []
    queued, ranked = build_queue(inputs, top, extractor, model_dir, notes)
    if not queued:
        raise QueueError("no document to queue" + (": " + "; ".join(notes) if notes else ""))
    version = f"govreport:{Path(model_dir).name}" if model_dir else "govreport:default"
    taken: set[str] = set()
    docs, scored = [], []
    for i, c in enumerate(queued, 1):
        meta = {**c.meta, "split": "pred", "model_version": version,
                "review": {"rank": i, "gain": c.gain, **c.parts}}
        docs.append(Document(doc_id_for(Path(c.name), taken), c.text or "", sorted(c.spans or []), None, meta))
        lowest = c.parts.get("lowest_confidence")
        if lowest is None and c.scores:
            lowest = min(c.scores.values())
        scored.append(Scored(c.scores or {}, lowest))
    out = Path(out)
    export_documents(docs, fmt, out, predictions=True, model_version=version, scored=scored)
    cfg = None
    if fmt == "labelstudio":
        cfg = config_path(out)
        cfg.write_text(labelstudio_config(), encoding="utf-8")
    return QueueResult(out, cfg, queued, ranked, notes)
