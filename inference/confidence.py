"""Per-value confidence: how likely each value the record read from a span is right.

``record["confidence"]`` maps the dotted path of every value read from a span (the paths of
``provenance``: table cells, ``agency``, ``report_year``, ``published``, ``leaders.<i>.name``/``title``,
``phones.<i>`` and the other entity lists, ``amounts.<i>``, ``sections.<key>``) to a probability in
[0, 1], a logistic regression over:

1. the logit of the span's tag score (``tag_scores``): for a printed number, the label mass pooled
   over its characters for the label it was given (after the row's column assignment); for any other
   span, the mean of its characters' mass of the span's label. A span that span repair made out of
   fragments takes its fragments' score weighted by their length (``carry_scores``); a section takes
   its heading's score, an amount its number's;
2. what else the pipeline knows about the value (``signals.value_features``): failed identity and
   text checks it takes part in, a pasted-twice conflict, blanks in its row, a column the cell marks
   do not confirm, numbers of its run left without a cell or split over rows, a zero and whether its
   neighbours hold the same value, a name cut at its head, rival agency mentions, sections not found,
   a section holding another's heading line, a cell read by a rule where the tagger tagged nothing
   (``unread``); and an intercept per family.

The weights (``configs/confidence.json``) are fitted by ``scripts/fit_confidence.py`` on synthetic
documents (seed 424242, not the synthetic dev seed) and the real training split, never on the gold set
or the real dev split, where ``benchmarks/calibration.py`` measures them. Values are rounded to 4
decimals.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from govreport import paths
from govreport.core import labels as labelset
from govreport.core.document import Span, span_order
from govreport.inference.repair import overlap_test
from govreport.inference.signals import value_features

WEIGHTS = paths.CONFIGS / "confidence.json"
FEATURES = ("tag_logit", "cell", "entity", "agency", "section", "row_gaps", "geo_shift", "dropped", "mixed_rows",
            "zero", "same_neighbours", "cut_before", "agency_rivals", "failed_identity", "failed_text", "conflict",
            "sections_missing", "holds_heading", "unread")
# Family intercepts, not shrunk when fitting. The agency's offset from the other entities is shrunk like
# a feature: with every agency of the fitting data right it would otherwise grow without bound (17 with
# the stage-4 model) and no wrong agency could ever be flagged.
INTERCEPTS = ("cell", "entity", "section")
DIGITS = 4
_EPS = 1e-4


def carry_scores(scores: Mapping[Span, float], spans: Iterable[Span]) -> dict[Span, float]:
    """The tagger's span scores carried onto the spans after repair: a span the tagger gave keeps its
    score; a span made of fragments (joined, or a heading given back its numbering character) takes the
    length-weighted mean of the scored spans of its label inside it. A table cell where the tagger tagged
    nothing at all (a row read by inference.missed.unread_rows) scores 0: the tagger gave its label no
    mass there, and the value rests on a rule, which the fit weighs through ``unread``. Any other span
    without a scored span of its label inside has no score."""
    out: dict[Span, float] = {}
    by_label: dict[str, list[tuple[Span, float]]] = {}
    for s, score in scores.items():
        by_label.setdefault(s.label, []).append((s, score))
    tagged = overlap_test(list(scores))
    for s in spans:
        if s in scores:
            out[s] = float(scores[s])
            continue
        inside = [(p, v) for p, v in by_label.get(s.label, ()) if s.start <= p.start and p.end <= s.end]
        weight = sum(p.end - p.start for p, _ in inside)
        if weight:
            out[s] = sum((p.end - p.start) * v for p, v in inside) / weight
        elif labelset.cell_path(s.label) and not tagged(s):
            out[s] = 0.0
    return out


def _span_at(spans: list[Span], where: list[int], starts: list[int] | None = None) -> Span | None:
    """The span a provenance entry was read from: it starts there and ends inside (an amount's
    provenance runs on over its unit); the first such in ``spans`` (sorted; ``starts``: their starts,
    passed when called once per value, so each lookup is a bisection, not a scan)."""
    if starts is None:
        starts = [s.start for s in spans]
    for i in range(bisect.bisect_left(starts, where[0]), len(spans)):
        s = spans[i]
        if s.start != where[0]:
            break
        if s.end <= where[1]:
            return s
    return None




def tag_logit(score: float) -> float:
    p = min(1 - _EPS, max(_EPS, float(score)))
    return math.log(p / (1 - p))


@cache
def load_weights(path: Path = WEIGHTS) -> dict[str, float]:
    """Feature -> weight from the fitted JSON (its ``weights`` object); without the file, the tag
    score alone (what the fitting script extracts with before there are weights)."""
    if not path.is_file():
        return {"tag_logit": 1.0}
    return dict(json.loads(path.read_text(encoding="utf-8"))["weights"])


def combine(score: float, features: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The probability the value is right: sigmoid of the weighted tag logit and features."""
    z = weights.get("tag_logit", 1.0) * tag_logit(score)
    z += sum(weights.get(name, 0.0) * value for name, value in features.items())
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def tag_scores(record: dict[str, Any], spans: list[Span], scores: Mapping[Span, float],
               provenance: Mapping[str, list[int]]) -> dict[str, float]:
    """Dotted path -> the tagger's score of the span the value was read from (module docstring, 1)."""
    spans = sorted(spans, key=span_order)
    starts = [s.start for s in spans]
    base: dict[str, float] = {}
    for path, where in provenance.items():
        s = _span_at(spans, where, starts)
        if s is not None and s in scores:
            base[path] = float(scores[s])
    sections = record.get("sections") or {}
    for s in spans:
        key = s.label[2:] if s.label.startswith("H.") else None
        if key and sections.get(key) is not None and f"sections.{key}" not in base and s in scores:
            base[f"sections.{key}"] = float(scores[s])  # its first heading, as core.sections reads it
    return base


def features_of(record: dict[str, Any], spans: list[Span], scores: Mapping[Span, float],
                provenance: Mapping[str, list[int]], text: str | None = None) -> dict[str, tuple[float, dict]]:
    """Dotted path -> (tag score, features) for every scored value: what ``value_confidence`` weighs
    and what the fitting script fits on."""
    base = tag_scores(record, spans, scores, provenance)
    feats = value_features(record, text, spans, provenance)
    # a cell carry_scores scored 0 was read by a rule where the tagger tagged nothing (no mass is ever 0)
    return {path: (score, {**feats.get(path, {}), **({"unread": 1.0} if score == 0.0 else {})})
            for path, score in base.items()}


def value_confidence(record: dict[str, Any], spans: list[Span], scores: Mapping[Span, float],
                     provenance: Mapping[str, list[int]], text: str | None = None,
                     weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Dotted path -> confidence for every value with provenance and a scored span (module docstring)."""
    w = load_weights() if weights is None else weights
    return {path: round(combine(score, f, w), DIGITS)
            for path, (score, f) in features_of(record, spans, scores, provenance, text).items()}
