"""Pre-annotation: run the model over report files and write tasks an annotator corrects.

Label Studio: a JSON task list with the model's spans as ``predictions`` (shown as pre-annotations,
accepted or corrected by the annotator), and the labelling config written beside it
(``tasks.json`` -> ``tasks.config.xml``). doccano: JSONL whose ``label`` triples doccano imports as
the starting annotation. The corrected export comes back with ``govreport annotate import``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govreport.annotations.formats import export_documents, labelstudio_config
from govreport.core.document import TASK_FORMATS, Document, Span, read_document
from govreport.inference.extract import Extractor
from govreport.inference.readers import SUPPORTED_EXTS, ReadError, read_path
from govreport.paths import DEFAULT_MODEL

_UNSAFE_ID = re.compile(r"[^\w.\-]+")


class PreError(ValueError):
    """Input or output the pre-annotation cannot use (message says why)."""


@dataclass
class PreResult:
    out: Path
    config: Path | None
    documents: int = 0
    spans: int = 0
    skipped: list[str] = field(default_factory=list)  # "<file>: <reason>" for inputs left out


def config_path(out: Path) -> Path:
    """Where the Label Studio labelling config goes: ``tasks.json`` -> ``tasks.config.xml``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.config.xml")


def doc_id_for(path: Path, taken: set[str]) -> str:
    """A file-name-safe, unique document id from the file name (import writes ``<id>.json``)."""
    base = _UNSAFE_ID.sub("_", Path(path).stem).strip("._") or "doc"
    doc_id, n = base, 2
    while doc_id in taken:
        doc_id, n = f"{base}-{n}", n + 1
    taken.add(doc_id)
    return doc_id


def input_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a directory gives its report files and Document JSON files, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUPPORTED_EXTS | {".json"})
        else:
            out.append(p)
    return out


def read_input(path: Path) -> tuple[str, dict[str, Any]]:
    """(text, meta) of a report file (.txt/.html/.pdf/.docx via govreport.inference.readers) or a Document JSON."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        doc, err = read_document(path)
        if doc is None:
            raise PreError(f"not a Document JSON file: {err}")
        return doc.text, {"source": doc.meta.get("source", path.name)}
    try:
        return read_path(path).text, {"source": path.name}
    except (ReadError, OSError) as e:
        raise PreError(str(e)) from e


def predicted_documents(paths: Iterable[Path], extractor: Any, model_version: str = "govreport",
                        skipped: list[str] | None = None) -> list[Document]:
    """One Document per readable input, its spans the extractor's (``meta.split = "pred"``)."""
    docs: list[Document] = []
    taken: set[str] = set()
    for path in paths:
        path = Path(path)
        try:
            text, meta = read_input(path)
        except PreError as e:
            if skipped is None:
                raise
            skipped.append(f"{path}: {e}")
            continue
        if not text.strip():
            if skipped is not None:
                skipped.append(f"{path}: no text")
            continue
        spans = [Span(int(s.start), int(s.end), str(s.label)) for s in extractor.extract(text).spans]
        meta.update({"split": "pred", "model_version": model_version})
        docs.append(Document(doc_id_for(path, taken), text, sorted(spans), None, meta))
    return docs


def write_tasks(docs: list[Document], out: Path, fmt: str = "labelstudio",
                model_version: str = "govreport") -> Path | None:
    """Write the tasks; returns the Label Studio config path written beside them (None for doccano)."""
    try:
        export_documents(docs, fmt, Path(out), predictions=True, model_version=model_version)
    except ValueError as e:
        raise PreError(str(e)) from e
    if fmt != "labelstudio":
        return None
    cfg = config_path(Path(out))
    cfg.write_text(labelstudio_config(), encoding="utf-8")
    return cfg


def load_extractor(model_dir: Path | None = None) -> Extractor:
    model_dir = Path(model_dir) if model_dir else DEFAULT_MODEL
    if not model_dir.is_dir():
        raise PreError(f"no model directory at {model_dir} (train one or pass --model DIR)")
    return Extractor.from_pretrained(model_dir)


def pre_annotate(paths: Iterable[Path], out: Path, fmt: str = "labelstudio", model_dir: Path | None = None,
                 extractor: Any = None) -> PreResult:
    """Pre-annotate report files with the model and write Label Studio tasks or doccano JSONL."""
    if fmt not in TASK_FORMATS:
        raise PreError(f"unknown format {fmt!r} (labelstudio or doccano)")
    paths = input_files(paths)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise PreError(f"no such file: {', '.join(missing)}")
    version = f"govreport:{Path(model_dir).name}" if model_dir else "govreport:default"
    if extractor is None:
        extractor = load_extractor(model_dir)
    skipped: list[str] = []
    docs = predicted_documents(paths, extractor, version, skipped)
    if not docs:
        raise PreError("no input could be read: " + "; ".join(skipped))
    cfg = write_tasks(docs, Path(out), fmt, version)
    return PreResult(Path(out), cfg, len(docs), sum(len(d.spans) for d in docs), skipped)
