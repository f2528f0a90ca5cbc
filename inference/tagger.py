"""The character tagger: a token-classification model over normalised characters, any text length.

``Tagger.from_pretrained(model_dir).tag(text) -> list[Span]`` is the stable interface the extractor
uses. Long texts are cut into overlapping windows; each character's label probabilities are averaged
over the windows that see it, so a character near a window edge (little context) is outvoted by the
window where it sits in the middle. Spans come back with offsets in the ORIGINAL text.

Memory is bounded by the block, not the document: a text longer than BLOCK characters is tagged block
by block (cut at line breaks, each block seeing a window's worth of context on both sides), and only
the decoded tags of a block are kept. What is kept for the whole document is compact: the offset map
(two int32 arrays), the geometry types (a byte a character) and the tag ids (two bytes a character).

The network runs on one of two backends (``Runner``): ONNX Runtime when the model directory holds
``model.int8.onnx`` or ``model.onnx`` (no torch, no transformers: fast start), else torch + transformers.
Both return the same window probabilities; everything else (windows, averaging, decoding) is shared.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from govreport.core.document import Span
from govreport.core.normalize import Normalized, NormalizeOptions, normalize, space_mask
from govreport.core.vocab import Vocab
from govreport.inference.decode import (
    SCORE_DTYPE,
    DecodeOptions,
    LabelGroups,
    decode_bio,
    decode_runs,
    decode_scored,
)
from govreport.inference.geometry import token_type_array
from govreport.paths import MODEL_CONFIG, is_model_dir

BLOCK = 50_000  # characters decoded at a time: [BLOCK + 2 * window, labels] floats at most

# Key under which the tagger's own settings are stored in the model's config.json.
CONFIG_KEY = "govreport"
ONNX_FILE = "model.onnx"  # beside model.safetensors (training.onnx_export writes it)
# Its dynamically quantised copy (int8 weights; `govreport export-onnx DIR --int8`): run instead of
# ONNX_FILE when present. Ship it only after benchmarks/compare_onnx.py shows the model's value F1 holds.
INT8_FILE = "model.int8.onnx"

log = logging.getLogger(__name__)

COMBINE_MODES = ("mean", "centre")  # TaggerSettings.combine


@dataclass(frozen=True)
class TaggerSettings:
    window: int = 512  # model positions per window, [CLS] and [SEP] included
    stride: int = 256  # characters between window starts at inference (overlap = window - 2 - stride)
    batch_size: int = 8
    # How overlapping windows are combined: "mean" averages a character's probabilities over the windows
    # that see it; "centre" takes them from the one window where it sits furthest from an edge (the
    # overlaps are cut in the middle: every character has at least half the overlap as context on each
    # side, and no window's edge, where the model sees little, is averaged in).
    combine: str = "mean"
    normalize: NormalizeOptions = field(default_factory=NormalizeOptions)
    geometry: bool = False  # table-geometry features (inference.geometry) as token types
    blank_line_cells: bool = False  # ... counting an empty line as a blank cell (models since stage 4)
    decode: DecodeOptions = field(default_factory=DecodeOptions)

    def to_dict(self) -> dict[str, Any]:
        return {"window": self.window, "stride": self.stride, "batch_size": self.batch_size,
                "combine": self.combine, "normalize": self.normalize.to_dict(), "geometry": self.geometry,
                "blank_line_cells": self.blank_line_cells,
                "decode": {"pool_numbers": self.decode.pool_numbers, "structured": self.decode.structured}}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TaggerSettings:
        data = dict(data or {})
        # models saved before the decoder existed decoded characters one by one
        decode_cfg = data.get("decode", {"pool_numbers": False, "structured": False})
        combine = str(data.get("combine", "mean"))  # models saved before the setting existed averaged
        if combine not in COMBINE_MODES:
            raise ValueError(f"tagger setting combine is one of {COMBINE_MODES}, not {combine!r}")
        return cls(window=int(data.get("window", 512)), stride=int(data.get("stride", 256)),
                   batch_size=int(data.get("batch_size", 8)), combine=combine,
                   normalize=NormalizeOptions.from_dict(data.get("normalize")),
                   geometry=bool(data.get("geometry", False)),
                   blank_line_cells=bool(data.get("blank_line_cells", False)),
                   decode=DecodeOptions(**{k: bool(v) for k, v in decode_cfg.items()}))


def input_types(text: str, settings: TaggerSettings) -> np.ndarray | None:
    """The token types the model was trained with for ``text`` (None: the model takes none)."""
    return token_type_array(text, settings.blank_line_cells) if settings.geometry else None


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


def centre_ranges(starts: Sequence[int], lengths: Sequence[int], n: int) -> list[tuple[int, int]]:
    """Per window (sorted starts, each ``lengths`` long, together covering ``[0, n)``), the ``[a, b)`` it
    decides under ``combine="centre"``: two neighbours' overlap is cut in its middle."""
    ends = [s + k for s, k in zip(starts, lengths, strict=True)]
    cuts = [0, *((starts[i + 1] + ends[i]) // 2 for i in range(len(starts) - 1)), n]
    return list(itertools.pairwise(cuts))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _trimmed_span(norm: Normalized, start: int, end: int, label: str) -> Span | None:
    start, end = _trim(norm.text, start, end)
    if start >= end:
        return None
    o_start, o_end = norm.to_original(start, end)
    original = norm.original
    while o_start < o_end and original[o_start].isspace():
        o_start += 1
    while o_end > o_start and original[o_end - 1].isspace():
        o_end -= 1
    return Span(o_start, o_end, label) if o_start < o_end else None


def spans_from_tags(norm: Normalized, tags: Sequence[str]) -> list[Span]:
    """Decode tags over normalised text into spans of the original text, trimmed of whitespace."""
    found = (_trimmed_span(norm, start, end, label) for start, end, label in decode_bio(tags))
    return [s for s in found if s is not None]


def spans_from_ids(norm: Normalized, ids: np.ndarray, names: Sequence[str]) -> list[Span]:
    """``spans_from_tags`` over tag ids (``decode.decode_ids``; ``names`` = ``LabelGroups.names``)."""
    found = (_trimmed_span(norm, start, end, names[g - 1]) for start, end, g in decode_runs(ids))
    return [s for s in found if s is not None]


def scored_spans_from_ids(norm: Normalized, ids: np.ndarray, names: Sequence[str],
                          scores: np.ndarray) -> list[tuple[Span, float]]:
    """``spans_from_ids`` with each span's score: the mean over its (trimmed, normalised) characters of
    ``decode.decode_scored``'s per-character mass of the chosen label (for a number, its pooled mass)."""
    runs = decode_runs(ids)
    if not runs:
        return []
    text = norm.text
    bounds = np.array(runs, dtype=np.int64)
    starts, ends = bounds[:, 0].copy(), bounds[:, 1].copy()
    space = space_mask(text)
    for k in np.flatnonzero(space[starts] | space[ends - 1]).tolist():  # a run with whitespace at an edge
        starts[k], ends[k] = _trim(text, int(starts[k]), int(ends[k]))
    keep = np.flatnonzero(starts < ends)
    starts, ends, groups = starts[keep], ends[keep], bounds[keep, 2]
    means = _span_means(scores, starts, ends)
    o_starts, o_ends = norm.starts[starts].tolist(), norm.ends[ends - 1].tolist()
    original = norm.original
    out = []
    for o_start, o_end, g, mean in zip(o_starts, o_ends, groups.tolist(), means, strict=True):
        while o_start < o_end and original[o_start].isspace():
            o_start += 1
        while o_end > o_start and original[o_end - 1].isspace():
            o_end -= 1
        if o_start < o_end:
            out.append((Span(o_start, o_end, names[g - 1]), mean))
    return out


_EXACT = (2.0 ** -8, 2.0)  # float32 values in this range are multiples of 2**-31: float64 adds them exactly


def _span_means(scores: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[float]:
    """``float(np.add.reduce(scores[s:e], dtype=np.float64) / (e - s))`` of every span (sorted, not
    overlapping, not empty), the same floats: where all of a span's values lie in ``_EXACT`` (and it
    is shorter than 2**21), every partial sum in float64 is exact, so one ``reduceat`` for all such
    spans gives the same sums in any order; other spans are summed one by one as before."""
    add = np.add.reduce  # np.mean's own sum, without its per-call overhead (~700 spans in 10k characters)
    cuts = np.stack([starts, ends], axis=1).ravel()
    if cuts[-1] == len(scores):  # reduceat takes indices < len: the last span's end is implied
        cuts = cuts[:-1]
    lo = np.minimum.reduceat(scores, cuts)[::2]
    hi = np.maximum.reduceat(scores, cuts)[::2]
    lengths = ends - starts
    sums = np.add.reduceat(scores.astype(np.float64), cuts)[::2]
    exact = (lo >= _EXACT[0]) & (hi < _EXACT[1]) & (lengths < 2 ** 21) & (scores.dtype == np.float32)
    for k in np.flatnonzero(~exact).tolist():
        sums[k] = add(scores[starts[k]:ends[k]], dtype=np.float64)
    return (sums / lengths).tolist()


class Runner(Protocol):
    """The network: a batch of windows -> label probabilities ``[batch, positions, labels]`` (float32)."""

    id2label: dict[int, str]

    def window_probabilities(self, input_ids: np.ndarray, attention_mask: np.ndarray,
                             token_type_ids: np.ndarray | None) -> np.ndarray: ...


class TorchRunner:
    """A transformers token-classification model (or any module returning ``.logits``)."""

    def __init__(self, model: Any) -> None:
        self.model = model.eval()
        self.id2label: dict[int, str] = {int(k): v for k, v in model.config.id2label.items()}

    def window_probabilities(self, input_ids: np.ndarray, attention_mask: np.ndarray,
                             token_type_ids: np.ndarray | None) -> np.ndarray:
        import torch  # lazy: torch only for the torch backend

        extra = {"token_type_ids": torch.from_numpy(token_type_ids)} if token_type_ids is not None else {}
        with torch.inference_mode():
            logits = self.model(input_ids=torch.from_numpy(input_ids),
                                attention_mask=torch.from_numpy(attention_mask), **extra).logits
            return torch.softmax(logits.float(), dim=-1).numpy()


def read_model_config(model_dir: Path) -> dict[str, Any]:
    """config.json as JSON: the labels and the tagger settings, without transformers."""
    if not is_model_dir(model_dir):
        raise FileNotFoundError(f"{model_dir} is not a model directory (no {MODEL_CONFIG})")
    return json.loads((Path(model_dir) / MODEL_CONFIG).read_text(encoding="utf-8"))


def onnx_file_of(model_dir: Path) -> str:
    """The graph ``auto`` runs: the int8 copy when the directory has one, else ``model.onnx``."""
    return INT8_FILE if (Path(model_dir) / INT8_FILE).is_file() else ONNX_FILE


def default_threads() -> int:
    """Inference is small matrix work: more threads than the cores this process may use (``taskset``)
    only adds contention."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, usable))


class Tagger:
    def __init__(self, model: Any, vocab: Vocab, settings: TaggerSettings) -> None:
        """``model``: a ``Runner``, or a torch token-classification model (wrapped in a TorchRunner)."""
        self.runner: Runner = model if hasattr(model, "window_probabilities") else TorchRunner(model)
        self.vocab = vocab
        self.settings = settings
        self.id2label: dict[int, str] = dict(self.runner.id2label)
        self.progress = False  # a progress bar (stderr) over the blocks of a long text

    @property
    def model(self) -> Any:
        """The torch model (torch backend only)."""
        return getattr(self.runner, "model", None)

    @classmethod
    def from_pretrained(cls, model_dir: str | Path, threads: int | None = None, backend: str = "auto",
                        onnx_file: str | None = None) -> Tagger:
        """Load a model directory (config.json, vocab.json, and an ONNX graph or model.safetensors).

        ``backend``: ``auto`` (ONNX Runtime when the directory holds a graph, else torch), ``onnx`` or
        ``torch``. ``onnx_file``: the graph to run; by default ``onnx_file_of(model_dir)`` (the int8 copy
        when there is one)."""
        model_dir = Path(model_dir)
        config = read_model_config(model_dir)
        onnx_path = model_dir / (onnx_file or onnx_file_of(model_dir))
        if backend not in ("auto", "onnx", "torch"):
            raise ValueError(f"backend is auto, onnx or torch, not {backend!r}")
        if backend == "onnx" or (backend == "auto" and onnx_path.is_file()):
            from govreport.inference.onnx_runner import OnnxRunner  # lazy: onnxruntime only for this backend

            log.debug("tagger: onnxruntime backend (%s)", onnx_path)
            id2label = {int(k): v for k, v in config["id2label"].items()}
            runner: Any = OnnxRunner(onnx_path, id2label, threads or default_threads())
        else:
            log.debug("tagger: torch backend (no %s in %s)", onnx_path.name, model_dir)
            runner = _torch_model(model_dir, threads or default_threads())
        return cls(runner, Vocab.load(model_dir), TaggerSettings.from_dict(config.get(CONFIG_KEY)))

    def probabilities(self, normalized_text: str, types: Sequence[int] | np.ndarray | None = None,
                      on_final: Callable[[np.ndarray, int, int], None] | None = None) -> np.ndarray:
        """``[len(text), num_labels]`` label probabilities (float32), the windows combined as
        ``settings.combine`` says (averaged, or each character from its most central window).
        ``on_final(out, a, b)`` is called as rows ``[a, b)`` of ``out`` are done (no later window
        writes them), in order, while the network runs the next windows."""
        if types is None and self.settings.geometry:
            types = input_types(normalized_text, self.settings)
        n = len(normalized_text)
        centre = self.settings.combine == "centre"
        out = np.zeros((n, len(self.id2label)), dtype=np.float32)
        if n == 0:
            return out
        counts = None if centre else np.zeros((n, 1), dtype=np.float32)
        ids = self.vocab.encode_array(normalized_text)
        type_arr = np.asarray(types, dtype=np.int64) if types is not None else None
        width = self.settings.window - 2
        starts = window_starts(n, width, self.settings.stride)
        lengths = [min(width, n - s) for s in starts]
        # the part of the text each window writes: its own range (centre) or all of it (mean)
        keep = (centre_ranges(starts, lengths, n) if centre
                else [(s, s + k) for s, k in zip(starts, lengths, strict=True)])
        bs = max(1, self.settings.batch_size)
        cuts = range(0, len(starts), bs)
        inputs = (self._window_batch(ids, type_arr, starts[b:b + bs], lengths[b:b + bs]) for b in cuts)
        stream = getattr(self.runner, "stream_probabilities", None)  # the next batches run meanwhile
        batches = stream(inputs) if stream is not None else (self.runner.window_probabilities(*x) for x in inputs)
        done = 0  # rows [0, done) are final
        for b, probs in zip(cuts, batches, strict=True):
            for i, (s, (lo, hi)) in enumerate(zip(starts[b:b + bs], keep[b:b + bs], strict=True)):
                if counts is None:
                    out[lo:hi] = probs[i, 1 + lo - s:1 + hi - s]
                else:
                    out[lo:hi] += probs[i, 1 + lo - s:1 + hi - s]
                    counts[lo:hi] += 1
            # the rows before the next window's part are final (windows are in text order)
            end = keep[b + bs][0] if b + bs < len(keep) else n
            if end > done:
                if counts is not None:  # in place: the block's largest array is not doubled
                    out[done:end] /= np.maximum(counts[done:end], 1)
                if on_final is not None:
                    on_final(out, done, end)
                done = end
        return out

    def _window_batch(self, ids: np.ndarray, type_arr: np.ndarray | None, starts: Sequence[int],
                      lengths: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The network's inputs for windows at ``starts``: [CLS] characters [SEP], padded to the longest."""
        longest = max(lengths) + 2
        x = np.full((len(starts), longest), self.vocab.pad_id, dtype=np.int64)
        mask = np.zeros_like(x)
        tt = np.zeros_like(x)
        for i, (s, k) in enumerate(zip(starts, lengths, strict=True)):
            x[i, 0], x[i, 1:k + 1], x[i, k + 1] = self.vocab.cls_id, ids[s:s + k], self.vocab.sep_id
            mask[i, :k + 2] = 1
            if type_arr is not None:
                tt[i, 1:k + 1] = type_arr[s:s + k]
        return x, mask, (tt if type_arr is not None else None)

    def tag_ids(self, text: str, progress: bool = False) -> np.ndarray:
        """Tag ids (``decode.decode_ids``) of normalised ``text``, block by block (see the module docstring)."""
        return self.tag_scored_ids(text, progress)[0]

    def tag_scored_ids(self, text: str, progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``tag_ids`` and the per-character label mass of ``decode.decode_scored`` (float32)."""
        groups = LabelGroups.of(self.id2label)
        types = input_types(text, self.settings)
        margin = self.settings.window
        pieces = blocks(text)
        out = np.zeros(len(text), dtype=np.int16)
        scores = np.zeros(len(text), dtype=SCORE_DTYPE)
        for start, end in _progress(pieces, progress and len(pieces) > 1):
            lo, hi = max(0, start - margin), min(len(text), end + margin)
            mass = np.empty((hi - lo, len(groups.names) + 1), dtype=np.float32)

            def add_mass(probs: np.ndarray, a: int, b: int, mass: np.ndarray = mass) -> None:
                groups.mass(probs[a:b], out=mass[a:b])  # while the network runs the next windows

            probs = self.probabilities(text[lo:hi], types[lo:hi] if types is not None else None, add_mass)
            out[start:end], scores[start:end] = decode_scored(text[start:end], probs[start - lo:end - lo], groups,
                                                              self.settings.decode, mass[start - lo:end - lo])
            del probs, mass
        return out, scores

    def tags(self, text: str, progress: bool = False) -> list[str]:
        """BIO tags of normalised ``text`` (strings; ``tag_ids`` is the compact form)."""
        names = LabelGroups.of(self.id2label).tag_names()
        return [names[i] for i in self.tag_ids(text, progress).tolist()]

    def tag_normalized(self, norm: Normalized, progress: bool = False) -> list[Span]:
        if not norm.text:
            return []
        ids = self.tag_ids(norm.text, progress or self.progress)
        return spans_from_ids(norm, ids, LabelGroups.of(self.id2label).names)

    def tag(self, text: str, progress: bool = False) -> list[Span]:
        """Spans over ``text`` (original offsets, sorted, non-overlapping). Empty or non-text input -> []."""
        if not isinstance(text, str) or not text:
            return []
        return self.tag_normalized(normalize(text, self.settings.normalize), progress)

    def tag_scored(self, text: str, progress: bool = False) -> list[tuple[Span, float]]:
        """``tag``'s spans (the same ones) each with its score in [0, 1] (``scored_spans_from_ids``)."""
        if not isinstance(text, str) or not text:
            return []
        norm = normalize(text, self.settings.normalize)
        if not norm.text:
            return []
        ids, scores = self.tag_scored_ids(norm.text, progress or self.progress)
        return scored_spans_from_ids(norm, ids, LabelGroups.of(self.id2label).names, scores)


def _torch_model(model_dir: Path, threads: int) -> Any:
    import torch  # lazy: the torch backend only
    from transformers import AutoModelForTokenClassification  # lazy: the torch backend only

    torch.set_num_threads(threads)
    return AutoModelForTokenClassification.from_pretrained(model_dir)


def _progress(items: list[Any], show: bool) -> Any:
    if not show:
        return items
    from tqdm import tqdm  # lazy: only long texts show a bar

    return tqdm(items, desc="tagging", unit="block", file=sys.stderr, dynamic_ncols=True)
