"""Section texts from heading spans: the one rule the gold set, the generator and the assembler share.

A section's text runs from the end of its first heading to the start of the next heading span (of
any section) in document order, stripped; the last heading's text runs to the end of the document.
A section without a heading span is null.
"""

from __future__ import annotations

from collections.abc import Iterable

from govreport.core import schema
from govreport.core.document import Span


def section_bounds(text: str, spans: Iterable[Span]) -> dict[str, tuple[int, int] | None]:
    """``[start, end)`` of each section's text in ``text`` (whitespace at both ends left out), or None."""
    headings = sorted(s for s in spans if s.label.startswith("H."))
    out: dict[str, tuple[int, int] | None] = {k: None for k in schema.SECTIONS}
    for i, h in enumerate(headings):
        key = h.label[2:]
        if key not in out or out[key] is not None:
            continue
        end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        raw = text[h.end:end]
        start = h.end + len(raw) - len(raw.lstrip())
        out[key] = (start, start + len(raw.strip()))
    return out


def section_texts(text: str, spans: Iterable[Span]) -> dict[str, str | None]:
    """Each section's text (stripped), or None when the document has no heading span for it."""
    return {k: None if where is None else text[where[0]:where[1]]
            for k, where in section_bounds(text, spans).items()}
