"""The Extractor: text -> tagged spans (the model) -> record (the rules). What the CLI and users call.

    >>> ex = Extractor.from_pretrained()            # models/default
    >>> result = ex.extract(text, offsets=True)
    >>> result.record["requests"]["granted"]["total"], result.spans[:3]
    >>> result.record["confidence"]["requests.granted.total"]     # when the tagger scores its spans

The tagger (govreport.inference.tagger.Tagger) is imported only when a model is loaded, so that code and
tests that pass their own tagger never import torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from govreport import paths
from govreport.core.document import Span, span_order
from govreport.inference.assemble import assemble, clean_spans
from govreport.inference.confidence import carry_scores
from govreport.inference.missed import (
    agency_from_opening,
    agency_from_title,
    agency_mentions,
    document_numbers,
    labelled_dates,
    labelled_phones,
    missing_headings,
    report_years,
    signature_date,
    unread_rows,
    without_cited_issuers,
)
from govreport.inference.repair import repair_spans


class SpanTagger(Protocol):
    def tag(self, text: str) -> list[Span]: ...


@dataclass
class Extraction:
    record: dict[str, Any]
    spans: list[Span] = field(default_factory=list)
    scores: dict[Span, float] | None = None  # span -> tagger score (taggers with ``tag_scored`` only)


class Extractor:
    """Tags a document with a tagger and assembles the record from its spans."""

    def __init__(self, model_dir: str | Path | None = None, *, tagger: SpanTagger | None = None) -> None:
        if tagger is None:
            tagger = _load_tagger(Path(model_dir) if model_dir is not None else paths.DEFAULT_MODEL)
        self.tagger = tagger

    @classmethod
    def from_pretrained(cls, model_dir: str | Path = paths.DEFAULT_MODEL) -> Extractor:
        return cls(model_dir)

    def extract(self, text: str, offsets: bool = False) -> Extraction:
        """The record of one document; empty or non-report text gives a record of nulls, not an error."""
        if not isinstance(text, str):
            raise TypeError(f"extract() needs the document text as str, got {type(text).__name__}")
        if not text.strip():
            return Extraction(assemble(text, [], offsets=offsets), [])
        tag_scored = getattr(self.tagger, "tag_scored", None)
        if tag_scored is None:  # a tagger without scores: a record without confidence
            spans = with_missed(text, repair_spans(text, clean_spans(text, self.tagger.tag(text))))
            return Extraction(assemble(text, spans, offsets=offsets), spans)
        tagged = dict(tag_scored(text))
        spans = with_missed(text, repair_spans(text, clean_spans(text, tagged)))
        scores = carry_scores(tagged, spans)
        return Extraction(assemble(text, spans, offsets=offsets, scores=scores), spans, scores)


def with_missed(text: str, spans: list[Span]) -> list[Span]:
    """The spans with the headings, the title's agency, the signature date, labelled phone numbers and dates,
    bracketed document numbers, the agency's and the report year's other mentions and the numbers of a
    table row the tagger missed (inference.missed)."""
    signed = signature_date(text, spans)
    named = agency_from_title(text, spans) or agency_from_opening(text, spans)
    spans = sorted(spans + missing_headings(text, spans) + named + signed
                   + labelled_phones(text, spans) + labelled_dates(text, spans + signed), key=span_order)  # in C
    spans = without_cited_issuers(text, document_numbers(text, spans))
    spans = report_years(text, sorted(spans + agency_mentions(text, spans), key=span_order))
    return sorted(spans + unread_rows(text, spans), key=span_order)


def _load_tagger(model_dir: Path) -> SpanTagger:
    if not model_dir.is_dir():
        raise FileNotFoundError(f"no model directory at {model_dir} (train one, or pass model_dir=...)")
    from govreport.inference.tagger import Tagger  # lazy: pulls in torch and transformers

    return Tagger.from_pretrained(model_dir)
