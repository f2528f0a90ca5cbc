"""Label Studio and doccano: the labelling config, export of Documents, import of corrected exports.

Label Studio (JSON): one task per document, ``data.text`` the text (``data.doc_id``/``data.meta`` carry
our id and meta), spans as ``annotations[].result[]`` (or ``predictions[]`` for pre-annotations) of
type ``labels``: ``{"from_name": "label", "to_name": "text", "value": {start, end, text, labels: [L]}}``;
``govreport queue`` adds the model's ``score`` to each prediction result and to the prediction.
Offsets are code points everywhere: Label Studio 1.23's editor counts global offsets in code points
(RichText/domManager.ts builds its content with ``[...text]``); older editors counted UTF-16 units,
in which a character outside the BMP (rare CJK in names, emoji) counts twice, so import also
accepts that reading when it is the one that matches ``value.text``.

doccano (JSONL): ``{"doc_id", "text", "label": [[start, end, label], ...], "meta"}`` (queued tasks also
``scores``, one per triple, and ``score``), offsets in code points; doccano's relation-project shape
(``entities: [{start_offset, end_offset, label}]``) is read too.

Import validates every task and writes nothing when any is invalid; records are rebuilt from the
spans by ``govreport.inference.assemble.assemble(text, spans)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from govreport.annotations.validate import Problem, span_issues, validate_document
from govreport.core import labels as labelset
from govreport.core.document import TASK_FORMATS, Document, Span
from govreport.core.labels import FAMILY_COLOURS
from govreport.inference.assemble import assemble as default_assemble

FORMATS = TASK_FORMATS
LS_FROM_NAME = "label"
LS_TO_NAME = "text"

_SAFE_ID = re.compile(r"[\w\-][\w.\-]*")
Assembler = Callable[[str, list[Span]], dict[str, Any]]


def labelstudio_config() -> str:
    """The Label Studio labelling config for the whole label set, coloured by family."""
    lines = ["<View>", f'  <Labels name="{LS_FROM_NAME}" toName="{LS_TO_NAME}">']
    lines += [f"    <Label value={quoteattr(lab)} background={quoteattr(FAMILY_COLOURS[labelset.family(lab)])}/>"
              for lab in labelset.span_labels()]
    lines += ["  </Labels>", f'  <Text name="{LS_TO_NAME}" value="$text"/>', "</View>"]
    return "\n".join(lines) + "\n"


# --- offsets: code points (ours, doccano, Label Studio 1.23) <-> UTF-16 units (older Label Studio) --
def _utf16_prefix(text: str) -> list[int]:
    """UTF-16 offset of every code-point offset 0..len(text)."""
    out = [0]
    for ch in text:
        out.append(out[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return out


def _from_utf16(prefix: list[int], unit: int) -> int | None:
    if prefix[-1] == len(prefix) - 1:  # no astral characters: the two counts agree
        return unit if 0 <= unit <= prefix[-1] else None
    lo, hi = 0, len(prefix) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if prefix[mid] == unit:
            return mid
        lo, hi = (mid + 1, hi) if prefix[mid] < unit else (lo, mid - 1)
    return None  # inside a surrogate pair


# --- export ------------------------------------------------------------------------------------
def _score(value: float) -> float:
    return round(float(value), 4)


def _ls_result(doc: Document, scores: Mapping[Span, float] | None = None) -> list[dict[str, Any]]:
    out = []
    for i, s in enumerate(sorted(doc.spans)):
        item: dict[str, Any] = {
            "id": f"s{i}",
            "from_name": LS_FROM_NAME,
            "to_name": LS_TO_NAME,
            "type": "labels",
            "value": {"start": s.start, "end": s.end, "text": s.text(doc.text), "labels": [s.label]},
        }
        if scores is not None and s in scores:
            item["score"] = _score(scores[s])  # Label Studio shows a region's score beside it
        out.append(item)
    return out


@dataclass(frozen=True)
class Scored:
    """Model scores to put in the tasks: per span (``result[].score``) and for the whole prediction
    (``predictions[].score``, which Label Studio's Data Manager lists and sorts by)."""

    spans: Mapping[Span, float]
    prediction: float | None = None


def to_labelstudio(doc: Document, predictions: bool = False, model_version: str = "govreport",
                   scored: Scored | None = None) -> dict[str, Any]:
    """One Label Studio task; spans go to ``predictions`` (pre-annotations) or ``annotations``; with
    ``scored``, each prediction result and the prediction carry a ``score``."""
    task: dict[str, Any] = {"data": {"text": doc.text, "doc_id": doc.id, "meta": doc.meta}}
    result = _ls_result(doc, scored.spans if scored else None)
    if predictions:
        pred: dict[str, Any] = {"model_version": model_version, "result": result}
        if scored is not None and scored.prediction is not None:
            pred["score"] = _score(scored.prediction)
        task["predictions"] = [pred]
    else:
        task["annotations"] = [{"result": result}]
    return task


def to_doccano(doc: Document, scored: Scored | None = None) -> dict[str, Any]:
    """One doccano line; with ``scored``, ``scores`` (one per ``label`` triple, in the same order) and
    ``score`` (the document's): doccano keeps keys it does not know as the example's metadata."""
    spans = sorted(doc.spans)
    line: dict[str, Any] = {"doc_id": doc.id, "text": doc.text, "label": [[s.start, s.end, s.label] for s in spans],
                            "meta": doc.meta}
    if scored is not None:
        line["scores"] = [_score(scored.spans[s]) if s in scored.spans else None for s in spans]
        if scored.prediction is not None:
            line["score"] = _score(scored.prediction)
    return line


def export_documents(docs: Iterable[Document], fmt: str, out: Path, predictions: bool = False,
                     model_version: str = "govreport", scored: Sequence[Scored | None] | None = None) -> int:
    """Write docs as a Label Studio JSON task list or a doccano JSONL file; returns the count.
    (``predictions``: Label Studio pre-annotations by ``model_version``, as ``annotate pre`` writes them;
    ``scored``: per document, the model's scores to show, as ``queue`` writes them.)"""
    docs = list(docs)
    per_doc = list(scored) if scored is not None else [None] * len(docs)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "labelstudio":
        tasks = [to_labelstudio(d, predictions, model_version, sc) for d, sc in zip(docs, per_doc, strict=True)]
        out.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif fmt == "doccano":
        out.write_text("".join(json.dumps(to_doccano(d, sc), ensure_ascii=False) + "\n"
                               for d, sc in zip(docs, per_doc, strict=True)), encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return len(docs)


# --- import ------------------------------------------------------------------------------------
@dataclass
class ExportRead:
    """Documents read from an export (spans only, no record), with problems and notes."""

    documents: list[Document] = field(default_factory=list)
    wheres: list[str] = field(default_factory=list)  # task / line each document came from, for messages
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, doc: Document, where: str) -> None:
        self.documents.append(doc)
        self.wheres.append(where)


def _pick_annotation(task: dict[str, Any]) -> dict[str, Any] | None:
    """The most recently updated annotation that was not cancelled (several annotators: the last)."""
    anns = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    if not anns:
        return None
    return max(enumerate(anns), key=lambda ia: (str(ia[1].get("updated_at") or ia[1].get("created_at") or ""),
                                                ia[0]))[1]


def _ls_span(item: dict[str, Any], text: str, prefix: list[int]) -> tuple[Span | None, str | None]:
    value = item.get("value")
    if not isinstance(value, dict):
        return None, "result has no value"
    labs = value.get("labels")
    start, end = value.get("start"), value.get("end")
    if not isinstance(labs, list) or len(labs) != 1 or not isinstance(labs[0], str):
        return None, f"needs exactly one label, has {labs}"
    if not isinstance(start, int) or not isinstance(end, int):
        return None, f"start/end are not integers ({start!r}, {end!r}) for {labs[0]}"
    if item.get("from_name") != LS_FROM_NAME or item.get("to_name") != LS_TO_NAME:
        return None, (f"from_name/to_name {item.get('from_name')!r}/{item.get('to_name')!r} do not match the "
                      f"config ({LS_FROM_NAME!r}/{LS_TO_NAME!r}); use `govreport annotate config`")
    shown = value.get("text")
    u_start, u_end = _from_utf16(prefix, start), _from_utf16(prefix, end)
    readings = [(start, end), (u_start, u_end)]
    for s, e in readings:
        if s is not None and e is not None and 0 <= s <= e <= len(text) and (shown is None or text[s:e] == shown):
            return Span(s, e, labs[0]), None
    if shown is None:
        return Span(start, end, labs[0]), None  # out of range: the validator says so
    return None, (f"{start}-{end} {labs[0]}: value.text {shown!r} is not the task text at those offsets "
                  f"({text[start:end]!r})")


def read_labelstudio(data: Any, source: str = "labelstudio") -> ExportRead:
    """Documents from a Label Studio JSON export (a task list, or one task)."""
    out = ExportRead()
    tasks = data if isinstance(data, list) else [data]
    for n, task in enumerate(tasks):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            out.problems.append(Problem(f"{source} task #{n}", "not a Label Studio task (no 'data' object)"))
            continue
        tid = task.get("id", f"#{n}")
        where = f"{source} task {tid}"
        d = task["data"]
        text = d.get("text")
        if not isinstance(text, str):
            out.problems.append(Problem(where, "data.text is missing or not a string"))
            continue
        doc_id = str(d.get("doc_id") or f"ls-{tid}".replace("#", ""))
        where = f"{where} ({doc_id})"
        ann = _pick_annotation(task)
        if ann is None:
            out.notes.append(f"{where}: no annotation (not labelled yet), skipped")
            continue
        prefix = _utf16_prefix(text)
        spans = []
        for item in ann.get("result") or []:
            if not isinstance(item, dict) or item.get("type") != "labels":
                continue  # relations, choices, text areas: not spans
            span, err = _ls_span(item, text, prefix)
            if err:
                out.problems.append(Problem(where, f"result {item.get('id', '?')}: {err}"))
            elif span is not None:
                spans.append(span)
        meta = dict(d.get("meta") or {}) if isinstance(d.get("meta"), dict) else {}
        meta.update({"source": meta.get("source", source), "imported_from": "labelstudio"})
        if "id" in task:
            meta["task"] = task["id"]
        out.add(Document(doc_id, text, sorted(spans), None, meta), where)
    return out


def _doccano_spans(line: dict[str, Any]) -> tuple[list[Span], list[str]]:
    spans, errors = [], []
    triples = line.get("label", line.get("labels"))
    entities = line.get("entities")
    if isinstance(triples, list):
        for t in triples:
            if (isinstance(t, list | tuple) and len(t) == 3 and isinstance(t[0], int) and isinstance(t[1], int)
                    and isinstance(t[2], str)):
                spans.append(Span(t[0], t[1], t[2]))
            else:
                errors.append(f"label entry {t!r} is not [start, end, label]")
    elif isinstance(entities, list):
        for e in entities:
            try:
                spans.append(Span(int(e["start_offset"]), int(e["end_offset"]), str(e["label"])))
            except (KeyError, TypeError, ValueError):
                errors.append(f"entity {e!r} lacks start_offset/end_offset/label")
    return spans, errors


def read_doccano(lines: Iterable[str], source: str = "doccano") -> ExportRead:
    """Documents from a doccano JSONL export."""
    out = ExportRead()
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"{source} line {n}"
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as e:
            out.problems.append(Problem(where, f"not JSON: {e}"))
            continue
        if not isinstance(line, dict) or not isinstance(line.get("text"), str):
            out.problems.append(Problem(where, "no 'text' string"))
            continue
        doc_id = str(line.get("doc_id") or (f"doccano-{line['id']}" if "id" in line else f"doccano-line{n}"))
        where = f"{where} ({doc_id})"
        spans, errors = _doccano_spans(line)
        out.problems += [Problem(where, e) for e in errors]
        meta = dict(line["meta"]) if isinstance(line.get("meta"), dict) else {}
        meta.update({"source": meta.get("source", source), "imported_from": "doccano"})
        out.add(Document(doc_id, line["text"], sorted(spans), None, meta), where)
    return out


def read_export(path: Path) -> ExportRead:
    """A Label Studio JSON export or a doccano JSONL file, told apart by content."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return ExportRead(problems=[Problem(str(path), f"cannot read: {e}")])
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return read_doccano(raw.splitlines(), path.name)
    if isinstance(data, dict) and "text" in data and "data" not in data:
        return read_doccano([raw], path.name)  # a one-line doccano file
    return read_labelstudio(data, path.name)


@dataclass
class ImportResult:
    written: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def import_export(path: Path, out_dir: Path, assemble: Assembler = default_assemble,
                  split: str = "train") -> ImportResult:
    """Validate an export, rebuild each record, and write Documents (meta.split = "train") to out_dir.

    All or nothing: when any task is invalid (spans, or the rebuilt record), nothing is written.
    """
    read = read_export(path)
    result = ImportResult(problems=list(read.problems), notes=list(read.notes))
    seen: set[str] = set()
    for doc, where in zip(read.documents, read.wheres, strict=True):
        if doc.id in seen:
            result.problems.append(Problem(where, f"document id {doc.id!r} occurs twice in the export"))
        if not _SAFE_ID.fullmatch(doc.id):
            result.problems.append(Problem(where, f"document id {doc.id!r} cannot be a file name "
                                                  "(letters, digits, '_', '-', '.' only)"))
        seen.add(doc.id)
        result.problems += [Problem(where, reason, s, s.text(doc.text) if s else None)
                            for s, reason in span_issues(doc.text, doc.spans)]
    if not read.documents and not result.problems:
        result.problems.append(Problem(str(path), "no annotated task found"))
    if result.problems:
        return result
    for doc, where in zip(read.documents, read.wheres, strict=True):
        try:
            doc.record = assemble(doc.text, list(doc.spans))
        except Exception as e:  # the assembler is another module: report, never crash the import
            result.problems.append(Problem(where, f"assemble failed: {type(e).__name__}: {e}"))
            continue
        doc.meta["split"] = split
        result.problems += [Problem(p.where, f"rebuilt record: {p.reason}", p.span, p.span_text)
                            for p in validate_document(doc, where)]
    if result.problems:
        return result
    out_dir = Path(out_dir)
    for doc in read.documents:
        p = out_dir / f"{doc.id}.json"
        doc.save(p)
        result.written.append(p)
    return result
