"""Per-value confidence: how sure the record is of each value it read from a span.

``record["confidence"]`` maps the dotted path of every value read from a span (the paths of
``provenance``: table cells, ``agency``, ``report_year``, ``published``, ``leaders.<i>.name``/``title``,
``phones.<i>`` and the other entity lists, ``amounts.<i>``, ``sections.<key>``) to a number in [0, 1]:

1. the span's score from the tagger (``Tagger.tag_scored``): for a printed number, the label mass
   pooled over its characters for the label it was given (after the row's left-to-right column
   assignment, so a number pushed into a column the model did not favour keeps the low mass of that
   column); for any other span, the mean over its characters of their mass of the span's label. A span
   that span repair made out of fragments (``repair.py``) takes its fragments' score weighted by their
   length. A section's value takes the score of its heading span; an amount, its number's span;
2. times ``CHECK_FACTOR`` (0.5) for each failed check the value takes part in: an identity of the
   tables (every cell of the instance, total included) or a text-vs-table check (its cell or cells);
3. times ``CONFLICT_FACTOR`` (0.5) when the copies of a pasted-twice report disagree on the cell
   (``conflicts``).

The factors are round numbers, not fitted: a failed identity says one of its cells is wrong without
saying which, so every cell in it is marked down alike; the measured effect is in
``benchmarks/calibration.py`` (README: Accuracy). Values are rounded to 4 decimals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from govreport.core.checks import check_paths
from govreport.core.document import Span

CHECK_FACTOR = 0.5  # per failed identity or text check the value takes part in
CONFLICT_FACTOR = 0.5  # the copies of a pasted-twice report disagree on the cell
DIGITS = 4


def carry_scores(scores: Mapping[Span, float], spans: Iterable[Span]) -> dict[Span, float]:
    """The tagger's span scores carried onto the spans after repair: a span the tagger gave keeps its
    score; a span made of fragments (joined, or a heading given back its numbering character) takes the
    length-weighted mean of the scored spans of its label inside it; a span with none has no score."""
    out: dict[Span, float] = {}
    by_label: dict[str, list[tuple[Span, float]]] = {}
    for s, score in scores.items():
        by_label.setdefault(s.label, []).append((s, score))
    for s in spans:
        if s in scores:
            out[s] = float(scores[s])
            continue
        inside = [(p, v) for p, v in by_label.get(s.label, ()) if s.start <= p.start and p.end <= s.end]
        weight = sum(p.end - p.start for p, _ in inside)
        if weight:
            out[s] = sum((p.end - p.start) * v for p, v in inside) / weight
    return out


def _span_at(spans: list[Span], where: list[int]) -> Span | None:
    """The span a provenance entry was read from: it starts there and ends inside (an amount's
    provenance runs on over its unit)."""
    for s in spans:
        if s.start == where[0] and s.end <= where[1]:
            return s
    return None


def _penalties(record: dict[str, Any]) -> dict[str, float]:
    factor: dict[str, float] = {}
    template = record.get("template")
    for check in record.get("checks") or []:
        if isinstance(check, dict) and check.get("ok") is False:
            for path in check_paths(check, template):
                factor[path] = factor.get(path, 1.0) * CHECK_FACTOR
    for conflict in record.get("conflicts") or []:
        if isinstance(conflict, dict) and isinstance(conflict.get("path"), str):
            factor[conflict["path"]] = factor.get(conflict["path"], 1.0) * CONFLICT_FACTOR
    return factor


def value_confidence(record: dict[str, Any], spans: list[Span], scores: Mapping[Span, float],
                     provenance: Mapping[str, list[int]]) -> dict[str, float]:
    """Dotted path -> confidence for every value with provenance and a scored span (module docstring)."""
    spans = sorted(spans)
    base: dict[str, float] = {}
    for path, where in provenance.items():
        s = _span_at(spans, where)
        if s is not None and s in scores:
            base[path] = scores[s]
    sections = record.get("sections") or {}
    for s in spans:
        key = s.label[2:] if s.label.startswith("H.") else None
        if key and sections.get(key) is not None and f"sections.{key}" not in base and s in scores:
            base[f"sections.{key}"] = scores[s]  # its first heading, as core.sections reads it
    factor = _penalties(record)
    return {path: round(min(1.0, max(0.0, score * factor.get(path, 1.0))), DIGITS) for path, score in base.items()}
