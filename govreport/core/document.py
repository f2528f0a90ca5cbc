"""The document format shared by the gold set, the training data, predictions and the formats.

One JSON file per document::

    {"id": "seed-000", "text": "...", "spans": [{"start": 0, "end": 4, "label": "H.overview"}],
     "record": {...} | null, "meta": {"source": "...", "split": "gold" | "train" | "pred", ...}}

Offsets are Python string indices (code points) into ``text``; ``end`` is exclusive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    label: str

    def text(self, doc_text: str) -> str:
        return doc_text[self.start:self.end]

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label}


# Span's own order (start, end, label) as a sort key: sorting by it is several times faster than by the
# dataclass's generated comparisons (thousands of spans a report).
span_order = attrgetter("start", "end", "label")


@dataclass
class Document:
    id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    record: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "spans": [s.to_json() for s in sorted(self.spans)],
            "record": self.record,
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        spans = [Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in data.get("spans") or []]
        return cls(id=str(data["id"]), text=data["text"], spans=spans, record=data.get("record"),
                   meta=dict(data.get("meta") or {}))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# The annotation task formats a Document is exported to and imported from (govreport.annotations.formats).
TASK_FORMATS: tuple[str, ...] = ("labelstudio", "doccano")


def read_document(path: Path) -> tuple[Document | None, str | None]:
    """(the Document in a JSON file, None) or (None, why it is not one): never raises on a bad file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        return None, f"cannot read JSON: {e}"
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or "id" not in data:
        return None, "not a Document (needs an object with 'id' and 'text')"
    try:
        return Document.from_json(data), None
    except (KeyError, TypeError, ValueError) as e:
        return None, f"malformed spans: {e}"


def load_document(path: Path) -> Document:
    """The Document in a JSON file; ValueError (naming the file) when it is not one."""
    doc, err = read_document(path)
    if doc is None:
        raise ValueError(f"{path}: {err}")
    return doc


def document_paths(path: Path) -> list[Path]:
    """A document file, or every ``*.json`` directly inside a directory, sorted."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.glob("*.json") if p.is_file())
    return [path]


def load_documents(path: Path) -> Iterator[Document]:
    for p in document_paths(path):
        yield load_document(p)


def save_documents(docs: Iterable[Document], out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    written = []
    for doc in docs:
        p = out_dir / f"{doc.id}.json"
        doc.save(p)
        written.append(p)
    return written
