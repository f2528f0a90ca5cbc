"""Money units: read from a cell, from its column header, or from an AMOUNT span's own text.

Units are reported in simplified form (萬元 -> 万元) whatever script the document uses; the text of
the amount keeps the document's characters.
"""

from __future__ import annotations

import re
import unicodedata

from govreport.core.numbers import parse_number
from govreport.core.rules import fold_traditional, strip_pinyin

_UNIT = r"(?:亿元|億元|万元|萬元|千元|元)"
# In a header the unit may be broken over a line (PDF text: 单位：万\n元).
_UNIT_SPACED = r"(?:[亿億万萬千]\s*元|元)"
# The unit printed right after a cell's number, on the same line and inside the same cell.
_CELL_UNIT = re.compile(rf"[ \t\u3000\xa0]*({_UNIT})")
# How a column header states its unit: 单位：万元 / （万元） / 金额/元.
_HEADER_UNIT = re.compile(
    rf"(?:[单單]\s*位\s*[:：]?\s*({_UNIT_SPACED}|[万萬亿億千]))|(?:[（(]\s*({_UNIT_SPACED})\s*[)）])"
    rf"|(?:[额額]\s*[/／]\s*({_UNIT_SPACED}))")
# The tail of a header cut by a mid-way start or interleaved with another column (单位 说明\n：元，…),
# used only when no header says it in full.
_HEADER_TAIL = re.compile(rf"(?:[:：]\s*({_UNIT_SPACED})\s*[)）,，])|(?:({_UNIT_SPACED})\s*[)）])")
# Pinyin spliced after characters on mirror sites: 單(dān)位, 數(shù)據(jù).
_AMOUNT_UNIT = re.compile(rf"\s*({_UNIT})\s*$")
# How far back from a money cell its header may be (a table item is a few lines long).
HEADER_WINDOW = 300


def canonical_unit(unit: str) -> str:
    """The unit in simplified form without the spaces a broken header put inside it (萬 元 -> 万元)."""
    return re.sub(r"\s", "", fold_traditional(unit))


def unit_after(text: str, end: int) -> tuple[str, int] | None:
    """The unit written right after a number ending at `end`, and where that unit ends."""
    m = _CELL_UNIT.match(text, end)
    if not m:
        return None
    return canonical_unit(m.group(1)), m.end()


def header_unit(text: str, lo: int, hi: int) -> str | None:
    """The last unit a column header states in text[lo:hi], if any."""
    lo = max(lo, hi - HEADER_WINDOW, 0)
    window = strip_pinyin(text[lo:hi])
    unit = None
    for pattern in (_HEADER_UNIT, _HEADER_TAIL):
        for m in pattern.finditer(window):
            unit = next(g for g in m.groups() if g)
        if unit:
            break
    if not unit:
        return None
    unit = canonical_unit(unit)
    # 单位：万 with the 元 pushed away by a wrapped cell (单位:万 备注\n元): money, so 万元
    return unit if unit.endswith("元") else unit + "元"


def split_amount(span_text: str) -> tuple[int | float | None, str | None]:
    """(value, unit) of a prose amount such as "380 元" or "1.5万元"; unit None when not written."""
    s = unicodedata.normalize("NFKC", span_text or "").strip()
    m = _AMOUNT_UNIT.search(s)
    unit = canonical_unit(m.group(1)) if m else None
    number = s[: m.start()] if m else s
    value = parse_number(number)
    if value is None:
        # "人民币380元", "约1.5": the last number in the text
        found = re.findall(r"[-−－]?\d[\d,，\s]*(?:\.\d+)?", number)
        value = parse_number(found[-1]) if found else None
    return value, unit
