"""The section headings the tagger missed, found by the template's own numbering and wording.

The six headings are fixed by the template (一、总体情况 … 六、其他需要报告的事项), yet the tagger now and
then leaves one untagged (六、其他 at the end of seed-000, seed-001 and r12). A heading it missed is
added when a line holds only a heading: it opens with the section's numeral and 、, is short, and its
words carry the section's key word. Lines only, never inline text; a section the tagger found is left
alone, and a candidate must lie between the headings found before and after it.
"""

from __future__ import annotations

import re

from govreport.core import schema
from govreport.core.document import Span
from govreport.core.rules import fold_traditional, strip_pinyin

NUMERALS = dict(zip(schema.SECTIONS, "一二三四五六", strict=True))
KEY_WORDS = {
    "overview": ("总体", "概述", "概况", "基本情况"),
    "proactive": ("主动公开",),
    "requests": ("申请",),
    "review_litigation": ("复议", "诉讼"),
    "problems": ("问题", "不足"),
    "other": ("其他",),
}
MAX_HEADING = 40  # characters: a longer line is prose that merely opens like a heading
_LINE = re.compile(r"^[ \t\u3000]*([一二三四五六])[、.．][ \t\u3000]*([^\n。：:]+?)[ \t\u3000。：:]*$", re.MULTILINE)


def missing_headings(text: str, spans: list[Span]) -> list[Span]:
    """Heading spans for the sections the tagger gave none, where a line holds the heading."""
    found = {s.label[2:]: s for s in spans if s.label.startswith("H.")}
    out: list[Span] = []
    for m in _LINE.finditer(text):
        key = next((k for k, n in NUMERALS.items() if n == m.group(1)), None)
        if key is None or key in found or m.end(2) - m.start(1) > MAX_HEADING:
            continue
        words = fold_traditional(strip_pinyin(m.group(2)))
        if not any(w in words for w in KEY_WORDS[key]) or not _in_order(key, m.start(1), found):
            continue
        span = Span(m.start(1), m.end(2), "H." + key)
        if not any(o.start < span.end and span.start < o.end for o in spans):
            out.append(span)
    return out


def _in_order(key: str, pos: int, found: dict[str, Span]) -> bool:
    """After every heading found for an earlier section, before every one for a later section."""
    order = list(schema.SECTIONS)
    k = order.index(key)
    return all(found[o].end <= pos if order.index(o) < k else found[o].start >= pos
               for o in found if o in order)
