"""The character tagger: a token-classification model over normalised characters, any text length.

``Tagger.from_pretrained(model_dir).tag(text) -> list[Span]`` is the stable interface the extractor
uses. Long texts are cut into overlapping windows; each character's label probabilities are averaged
over the windows that see it, so a character near a window edge (little context) is outvoted by the
window where it sits in the middle. Spans come back with offsets in the ORIGINAL text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govreport.core.document import Span
from govreport.core.normalize import Normalized, NormalizeOptions, normalize
from govreport.core.vocab import Vocab

# Key under which the tagger's own settings are stored in the model's config.json.
CONFIG_KEY = "govreport"


@dataclass(frozen=True)
class TaggerSettings:
    window: int = 512  # model positions per window, [CLS] and [SEP] included
    stride: int = 256  # characters between window starts at inference (overlap = window - 2 - stride)
    batch_size: int = 8
    normalize: NormalizeOptions = field(default_factory=NormalizeOptions)

    def to_dict(self) -> dict[str, Any]:
        return {"window": self.window, "stride": self.stride, "batch_size": self.batch_size,
                "normalize": self.normalize.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TaggerSettings:
        data = dict(data or {})
        return cls(window=int(data.get("window", 512)), stride=int(data.get("stride", 256)),
                   batch_size=int(data.get("batch_size", 8)),
                   normalize=NormalizeOptions.from_dict(data.get("normalize")))


def window_starts(n: int, width: int, stride: int, offset: int = 0) -> list[int]:
    """Starts of windows of ``width`` covering ``[0, n)``: 0, then every ``stride`` from ``offset``,
    and a last window flush with the end."""
    if n <= width:
        return [0]
    starts = {0, n - width}
    starts.update(range(offset % stride if stride else 0, n - width, max(stride, 1)))
    return sorted(starts)


def decode_bio(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` runs of a BIO tag sequence. An I- without a matching open span starts
    one; a change of label always ends the current span. A B- directly after a character of the same
    label continues the span: two spans of one label never touch in these documents (one cell, one
    entity), while a half-sure model does put B- inside a number ("49" read as "4" + "9")."""
    out: list[tuple[int, int, str]] = []
    cur_label: str | None = None
    cur_start = 0
    for i, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if prefix not in ("B", "I") or not label:
            if cur_label is not None:
                out.append((cur_start, i, cur_label))
            cur_label = None
            continue
        if label != cur_label:
            if cur_label is not None:
                out.append((cur_start, i, cur_label))
            cur_label, cur_start = label, i
    if cur_label is not None:
        out.append((cur_start, len(tags), cur_label))
    return out


def tags_from_probabilities(probs: Any, id2label: dict[int, str]) -> list[str]:
    """BIO tags from ``[n, num_labels]`` probabilities, deciding the span label before the prefix.

    A plain argmax over B-X / I-X / O lets a half-trained model split a character's mass between B-X
    and I-X so that O wins with less than half of it, which cuts spans into fragments. Here a
    character is in a span of X when p(B-X) + p(I-X) beats O and every other label; it begins a new
    span when p(B-X) > p(I-X)."""
    import torch

    span_names = sorted({lab[2:] for lab in id2label.values() if lab[:2] in ("B-", "I-")})
    index = {name: i + 1 for i, name in enumerate(span_names)}  # 0 = O
    group = torch.zeros(len(id2label), dtype=torch.long)
    is_begin = torch.zeros(len(id2label), dtype=torch.bool)
    for i, lab in id2label.items():
        if lab[:2] in ("B-", "I-"):
            group[int(i)] = index[lab[2:]]
            is_begin[int(i)] = lab.startswith("B-")
    n = probs.shape[0]
    grouped = torch.zeros((n, len(span_names) + 1), dtype=probs.dtype).index_add_(1, group, probs)
    best = grouped.argmax(dim=-1)
    begin_mass = torch.zeros_like(grouped).index_add_(1, group, probs * is_begin.to(probs.dtype))
    b = begin_mass.gather(1, best[:, None])[:, 0]
    total = grouped.gather(1, best[:, None])[:, 0]
    tags = []
    for g, bm, tm in zip(best.tolist(), b.tolist(), total.tolist(), strict=True):
        if g == 0:
            tags.append("O")
        else:
            tags.append(("B-" if bm > tm - bm else "I-") + span_names[g - 1])
    return tags


def spans_from_tags(norm: Normalized, tags: Sequence[str]) -> list[Span]:
    """Decode tags over normalised text into spans of the original text, trimmed of whitespace."""
    spans: list[Span] = []
    text = norm.text
    for start, end, label in decode_bio(tags):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        o_start, o_end = norm.to_original(start, end)
        original = norm.original
        while o_start < o_end and original[o_start].isspace():
            o_start += 1
        while o_end > o_start and original[o_end - 1].isspace():
            o_end -= 1
        if o_start < o_end:
            spans.append(Span(o_start, o_end, label))
    return spans


class Tagger:
    def __init__(self, model: Any, vocab: Vocab, settings: TaggerSettings) -> None:
        self.model = model.eval()
        self.vocab = vocab
        self.settings = settings
        self.id2label: dict[int, str] = {int(k): v for k, v in model.config.id2label.items()}

    @classmethod
    def from_pretrained(cls, model_dir: str | Path, threads: int | None = None) -> Tagger:
        """Load a model directory (config.json, model.safetensors, vocab.json)."""
        import torch
        from transformers import AutoModelForTokenClassification

        model_dir = Path(model_dir)
        if not (model_dir / "config.json").is_file():
            raise FileNotFoundError(f"{model_dir} is not a model directory (no config.json)")
        # Inference is small matrix work: more threads than cores only adds contention.
        torch.set_num_threads(threads or max(1, min(4, os.cpu_count() or 1)))
        model = AutoModelForTokenClassification.from_pretrained(model_dir)
        settings = TaggerSettings.from_dict(getattr(model.config, CONFIG_KEY, None))
        return cls(model, Vocab.load(model_dir), settings)

    def probabilities(self, normalized_text: str):
        """``[len(text), num_labels]`` label probabilities, averaged over overlapping windows."""
        import torch

        n = len(normalized_text)
        num_labels = len(self.id2label)
        sums = torch.zeros((n, num_labels))
        counts = torch.zeros((n, 1))
        if n == 0:
            return sums
        ids = self.vocab.encode(normalized_text)
        width = self.settings.window - 2
        starts = window_starts(n, width, self.settings.stride)
        bs = max(1, self.settings.batch_size)
        with torch.inference_mode():
            for b in range(0, len(starts), bs):
                batch_starts = starts[b:b + bs]
                chunks = [ids[s:s + width] for s in batch_starts]
                longest = max(len(c) for c in chunks) + 2
                x = torch.full((len(chunks), longest), self.vocab.pad_id, dtype=torch.long)
                mask = torch.zeros_like(x)
                for i, c in enumerate(chunks):
                    x[i, :len(c) + 2] = torch.as_tensor([self.vocab.cls_id, *c, self.vocab.sep_id])
                    mask[i, :len(c) + 2] = 1
                probs = torch.softmax(self.model(input_ids=x, attention_mask=mask).logits.float(), dim=-1)
                for i, (s, c) in enumerate(zip(batch_starts, chunks, strict=True)):
                    sums[s:s + len(c)] += probs[i, 1:len(c) + 1]
                    counts[s:s + len(c)] += 1
        return sums / counts.clamp(min=1)

    def tag_normalized(self, norm: Normalized) -> list[Span]:
        if not norm.text:
            return []
        return spans_from_tags(norm, tags_from_probabilities(self.probabilities(norm.text), self.id2label))

    def tag(self, text: str) -> list[Span]:
        """Spans over ``text`` (original offsets, sorted, non-overlapping). Empty or non-text input -> []."""
        if not isinstance(text, str) or not text:
            return []
        return self.tag_normalized(normalize(text, self.settings.normalize))
