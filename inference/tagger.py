"""The character tagger: a token-classification model over normalised characters, any text length.

``Tagger.from_pretrained(model_dir).tag(text) -> list[Span]`` is the stable interface the extractor
uses. Long texts are cut into overlapping windows; each character's label probabilities are averaged
over the windows that see it, so a character near a window edge (little context) is outvoted by the
window where it sits in the middle. Spans come back with offsets in the ORIGINAL text.

Memory is bounded by the block, not the document: a text longer than BLOCK characters is tagged block
by block (cut at line breaks, each block seeing a window's worth of context on both sides), and only
the decoded tags of a block are kept.
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
from govreport.inference.decode import DecodeOptions, LabelGroups, decode, decode_bio
from govreport.inference.geometry import token_types

BLOCK = 50_000  # characters decoded at a time: [BLOCK + 2 * window, labels] floats at most

# Key under which the tagger's own settings are stored in the model's config.json.
CONFIG_KEY = "govreport"


@dataclass(frozen=True)
class TaggerSettings:
    window: int = 512  # model positions per window, [CLS] and [SEP] included
    stride: int = 256  # characters between window starts at inference (overlap = window - 2 - stride)
    batch_size: int = 8
    normalize: NormalizeOptions = field(default_factory=NormalizeOptions)
    geometry: bool = False  # table-geometry features (inference.geometry) as token types
    decode: DecodeOptions = field(default_factory=DecodeOptions)

    def to_dict(self) -> dict[str, Any]:
        return {"window": self.window, "stride": self.stride, "batch_size": self.batch_size,
                "normalize": self.normalize.to_dict(), "geometry": self.geometry,
                "decode": {"pool_numbers": self.decode.pool_numbers, "structured": self.decode.structured}}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TaggerSettings:
        data = dict(data or {})
        # models saved before the decoder existed decoded characters one by one
        decode_cfg = data.get("decode", {"pool_numbers": False, "structured": False})
        return cls(window=int(data.get("window", 512)), stride=int(data.get("stride", 256)),
                   batch_size=int(data.get("batch_size", 8)),
                   normalize=NormalizeOptions.from_dict(data.get("normalize")),
                   geometry=bool(data.get("geometry", False)),
                   decode=DecodeOptions(**{k: bool(v) for k, v in decode_cfg.items()}))


def input_types(text: str, settings: TaggerSettings) -> list[int] | None:
    """The token types the model was trained with for ``text`` (None: the model takes none)."""
    return token_types(text) if settings.geometry else None


def blocks(text: str, size: int = BLOCK) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of about ``size`` characters, cut just after a line break when one is near."""
    out, start, n = [], 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            cut = text.rfind("\n", start + size // 2, end)
            end = cut + 1 if cut >= 0 else end
        out.append((start, end))
        start = end
    return out


def window_starts(n: int, width: int, stride: int, offset: int = 0) -> list[int]:
    """Starts of windows of ``width`` covering ``[0, n)``: 0, then every ``stride`` from ``offset``,
    and a last window flush with the end."""
    if n <= width:
        return [0]
    starts = {0, n - width}
    starts.update(range(offset % stride if stride else 0, n - width, max(stride, 1)))
    return sorted(starts)


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

    def probabilities(self, normalized_text: str, types: Sequence[int] | None = None):
        """``[len(text), num_labels]`` label probabilities, averaged over overlapping windows."""
        import torch

        if types is None and self.settings.geometry:
            types = token_types(normalized_text)
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
                tt = torch.zeros_like(x)
                for i, (s, c) in enumerate(zip(batch_starts, chunks, strict=True)):
                    x[i, :len(c) + 2] = torch.as_tensor([self.vocab.cls_id, *c, self.vocab.sep_id])
                    mask[i, :len(c) + 2] = 1
                    if types is not None:
                        tt[i, 1:len(c) + 1] = torch.as_tensor(types[s:s + len(c)])
                extra = {"token_type_ids": tt} if types is not None else {}
                logits = self.model(input_ids=x, attention_mask=mask, **extra).logits
                probs = torch.softmax(logits.float(), dim=-1)
                for i, (s, c) in enumerate(zip(batch_starts, chunks, strict=True)):
                    sums[s:s + len(c)] += probs[i, 1:len(c) + 1]
                    counts[s:s + len(c)] += 1
        return sums / counts.clamp(min=1)

    def tags(self, text: str, progress: bool = False) -> list[str]:
        """BIO tags of normalised ``text``, block by block (see the module docstring)."""
        groups = LabelGroups.of(self.id2label)
        types = input_types(text, self.settings)
        margin = self.settings.window
        pieces = blocks(text)
        out: list[str] = []
        for start, end in _progress(pieces, progress and len(pieces) > 1):
            lo, hi = max(0, start - margin), min(len(text), end + margin)
            probs = self.probabilities(text[lo:hi], types[lo:hi] if types is not None else None)
            out += decode(text[start:end], probs[start - lo:end - lo].numpy(), groups, self.settings.decode)
        return out

    def tag_normalized(self, norm: Normalized, progress: bool = False) -> list[Span]:
        if not norm.text:
            return []
        return spans_from_tags(norm, self.tags(norm.text, progress))

    def tag(self, text: str, progress: bool = False) -> list[Span]:
        """Spans over ``text`` (original offsets, sorted, non-overlapping). Empty or non-text input -> []."""
        if not isinstance(text, str) or not text:
            return []
        return self.tag_normalized(normalize(text, self.settings.normalize), progress)


def _progress(items: list[Any], show: bool) -> Any:
    if not show:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="tagging", unit="block")
