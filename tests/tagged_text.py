"""Text and gold spans written as one sequence of pieces, for tests of the assembler and the repairs."""

from __future__ import annotations

from govreport.core.document import Span


def build(*parts: str | tuple[str, str]) -> tuple[str, list[Span]]:
    """Text and spans from pieces: a str is plain text, (text, label) a tagged span."""
    text, spans = "", []
    for p in parts:
        if isinstance(p, tuple):
            spans.append(Span(len(text), len(text) + len(p[0]), p[1]))
            p = p[0]
        text += p
    return text, spans
