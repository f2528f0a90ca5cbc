"""Documents -> fixed-size windows of token ids and label ids for the character tagger.

Labels are aligned to normalised characters once, here (``datasets.map``), never in the training
loop. A window is ``[CLS] + up to window-2 characters + [SEP]``; [CLS]/[SEP] and padding carry the
ignore label -100.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from govreport.core import labels as labelset
from govreport.core.document import Document, Span
from govreport.core.normalize import Normalized, NormalizeOptions, normalize
from govreport.core.vocab import Vocab
from govreport.inference.geometry import token_types
from govreport.inference.tagger import window_starts

IGNORE = -100
log = logging.getLogger(__name__)


def valid_spans(doc: Document) -> list[Span]:
    """The document's spans that can be trained on: known label, inside the text, non-overlapping
    (a bad span is skipped with a warning rather than failing the whole corpus)."""
    out: list[Span] = []
    last_end = 0
    for s in sorted(doc.spans):
        if not labelset.is_span_label(s.label):
            log.warning("%s: unknown label %r skipped", doc.id, s.label)
        elif not 0 <= s.start < s.end <= len(doc.text):
            log.warning("%s: span %s outside the text skipped", doc.id, s)
        elif s.start < last_end:
            log.warning("%s: span %s overlaps the previous one, skipped", doc.id, s)
        else:
            out.append(s)
            last_end = s.end
    return out


def align_labels(norm: Normalized, spans: Iterable[Span], label2id: dict[str, int]) -> list[int]:
    """One label id per normalised character: B- on the first character whose origin lies in a span,
    I- on the rest of the span, O elsewhere."""
    out = [label2id["O"]] * len(norm.text)
    starts = norm.starts
    i = 0
    for span in sorted(spans):
        while i < len(starts) and starts[i] < span.start:
            i += 1
        j, first = i, True
        while j < len(starts) and starts[j] < span.end:
            out[j] = label2id[("B-" if first else "I-") + span.label]
            first = False
            j += 1
        i = j
    return out


@dataclass(frozen=True)
class WindowSpec:
    window: int = 512  # model positions, [CLS] and [SEP] included
    stride: int = 384  # characters between window starts
    random_offset: bool = False  # training: shift the window grid by a seeded random offset per copy
    seed: int = 0
    keep_empty: float = 1.0  # fraction of windows without any span kept (they teach little but O)

    @property
    def width(self) -> int:
        return self.window - 2


def encode_document(doc: Document, vocab: Vocab, options: NormalizeOptions,
                    geometry: bool = False, blank_lines: bool = False) -> tuple[list[int], list[int], list[int]]:
    """Token ids, aligned label ids and token types (geometry features, or all 0) of a whole document."""
    norm = normalize(doc.text, options)
    types = token_types(norm.text, blank_lines) if geometry else [0] * len(norm.text)
    return vocab.encode(norm.text), align_labels(norm, valid_spans(doc), labelset.label2id()), types


def document_windows(ids: Sequence[int], labels: Sequence[int], types: Sequence[int], vocab: Vocab,
                     spec: WindowSpec, offset: int = 0) -> list[tuple[list[int], list[int], list[int]]]:
    out = []
    for s in window_starts(len(ids), spec.width, spec.stride, offset):
        chunk_ids = list(ids[s:s + spec.width])
        chunk_labels = list(labels[s:s + spec.width])
        chunk_types = list(types[s:s + spec.width])
        out.append(([vocab.cls_id, *chunk_ids, vocab.sep_id], [IGNORE, *chunk_labels, IGNORE],
                    [0, *chunk_types, 0]))
    return out


def _rows(docs: Iterable[tuple[Document, int]]) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {"id": [], "text": [], "spans": [], "copies": []}
    for doc, copies in docs:
        rows["id"].append(doc.id)
        rows["text"].append(doc.text)
        rows["spans"].append([s.to_json() for s in doc.spans])
        rows["copies"].append(int(copies))
    return rows


def build_dataset(docs: Iterable[Document | tuple[Document, int]], vocab: Vocab, options: NormalizeOptions,
                  spec: WindowSpec, geometry: bool = False, blank_lines: bool = False):
    """A ``datasets.Dataset`` of windows (columns ``input_ids``, ``labels``, ``doc_id``).

    ``docs`` are documents or ``(document, copies)`` pairs; each copy of a document is cut with its
    own window offset when ``spec.random_offset`` is set (so a weighted document is not just repeated).
    """
    import datasets

    pairs = [d if isinstance(d, tuple) else (d, 1) for d in docs]
    raw = datasets.Dataset.from_dict(_rows(pairs))

    def to_windows(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"input_ids": [], "labels": [], "token_type_ids": [], "doc_id": []}
        o_id = labelset.label2id()["O"]
        for doc_id, text, spans, copies in zip(batch["id"], batch["text"], batch["spans"], batch["copies"],
                                               strict=True):
            doc = Document(doc_id, text, [Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in spans])
            ids, labs, types = encode_document(doc, vocab, options, geometry, blank_lines)
            for copy in range(copies):
                rng = random.Random(f"{spec.seed}:{doc_id}:{copy}")
                offset = rng.randrange(max(spec.stride, 1)) if spec.random_offset else 0
                for w_ids, w_labels, w_types in document_windows(ids, labs, types, vocab, spec, offset):
                    if spec.keep_empty < 1.0 and all(x in (IGNORE, o_id) for x in w_labels) \
                            and rng.random() >= spec.keep_empty:
                        continue
                    out["input_ids"].append(w_ids)
                    out["labels"].append(w_labels)
                    out["token_type_ids"].append(w_types)
                    out["doc_id"].append(doc_id)
        return out

    return raw.map(to_windows, batched=True, batch_size=16, remove_columns=raw.column_names,
                   desc="windows", load_from_cache_file=False)


class WindowCollator:
    """Pads a batch of windows: ids with [PAD], labels with -100, plus the attention mask."""

    def __init__(self, pad_id: int) -> None:
        self.pad_id = pad_id

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        width = max(len(f["input_ids"]) for f in features)
        ids = torch.full((len(features), width), self.pad_id, dtype=torch.long)
        labels = torch.full((len(features), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(features), width), dtype=torch.long)
        types = torch.zeros((len(features), width), dtype=torch.long)
        for i, f in enumerate(features):
            n = len(f["input_ids"])
            ids[i, :n] = torch.as_tensor(f["input_ids"])
            labels[i, :n] = torch.as_tensor(f["labels"])
            mask[i, :n] = 1
            if "token_type_ids" in f:
                types[i, :n] = torch.as_tensor(f["token_type_ids"])
        return {"input_ids": ids, "labels": labels, "attention_mask": mask, "token_type_ids": types}
