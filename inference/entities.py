"""Entity values read from tagged span texts: years, publication dates, the agency, leader pairs.

Pure functions over (text, spans); the assembler decides which spans feed them. Every function
returns None (or an empty list) for text it cannot read: model spans can hold anything.
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from govreport.core.document import Span
from govreport.core.numbers import parse_number

# Years a report can plausibly name; anything else is a misread, not a year.
MIN_YEAR, MAX_YEAR = 1949, 2100

_CN_DIGIT = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3",
             "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR_CHARS = "0-9〇○零一二三四五六七八九"
_MD_CHARS = "0-9一二三四五六七八九十"
# 2021年1月19日 / 二〇二一年一月十九日 / 2021 年 1 月 19 号
_DATE_CN = re.compile(rf"([{_YEAR_CHARS}]{{4}})\s*年\s*([{_MD_CHARS}]{{1,3}})\s*月\s*([{_MD_CHARS}]{{1,3}})\s*[日号]?")
# 2020-01-30 / 2020/1/30 / 2020.01.30 (NFKC has already turned full-width separators into these)
_DATE_SEP = re.compile(r"(?<!\d)(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
_DATE_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")

# Sentence boundaries for pairing a leader's name with a title.
SENTENCE_BREAKS = "。；;！？\n\r"  # not ASCII "?": it stands for lost characters (seed 000)


def _digits_year(s: str) -> int | None:
    digits = "".join(_CN_DIGIT.get(ch, ch) for ch in s)
    if not (len(digits) == 4 and digits.isdigit()):
        return None
    year = int(digits)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def parse_year(text: str) -> int | None:
    """The year a REPORT_YEAR span names: four digits (full-width or 〇一二… numerals), else None."""
    s = re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))
    s = s.removesuffix("年度").removesuffix("年")
    return _digits_year(s)


def _small_int(s: str) -> int | None:
    v = parse_number(s)
    return v if isinstance(v, int) else None


def _iso(year: int | None, month: int | None, day: int | None) -> str | None:
    if year is None or month is None or day is None:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except (ValueError, OverflowError):
        return None


def parse_date(text: str) -> str | None:
    """A publication date as YYYY-MM-DD, from the notations reports use; None if invalid or absent.

    >>> parse_date("二〇二一年一月十九日"), parse_date("2020/1/30"), parse_date("2020-02-30")
    ('2021-01-19', '2020-01-30', None)
    """
    s = unicodedata.normalize("NFKC", text or "")
    s = s.replace("。", ".").replace("．", ".")
    m = _DATE_CN.search(s)
    if m:
        return _iso(_digits_year(m.group(1)), _small_int(m.group(2)), _small_int(m.group(3)))
    m = _DATE_SEP.search(s)
    if m:
        return _iso(_digits_year(m.group(1)), int(m.group(3)), int(m.group(4)))
    m = _DATE_COMPACT.search(s)
    if m:
        return _iso(_digits_year(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def pick_agency(texts: Sequence[str]) -> str | None:
    """The most frequent agency text; ties go to the longest, then to the first seen."""
    if not texts:
        return None
    counts = Counter(texts)
    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        first.setdefault(t, i)
    return min(counts, key=lambda t: (-counts[t], -len(t), first[t]))


def pick_year(years: Sequence[int]) -> int | None:
    """The most frequent year; ties go to the one seen first."""
    return Counter(years).most_common(1)[0][0] if years else None


def pair_leaders(text: str, names: Sequence[Span], titles: Sequence[Span]) -> list[tuple[Span, Span | None]]:
    """Each name with the nearest title in the same sentence (None if the sentence has none).

    Distance is the gap in characters between the two spans; on a tie the title before the name
    wins (镇长梁胤 is the commoner order). A title may serve several names (副组长张三、李四).
    """
    breaks = [i for i, ch in enumerate(text) if ch in SENTENCE_BREAKS]

    def same_sentence(a: Span, b: Span) -> bool:
        lo, hi = min(a.end, b.end), max(a.start, b.start)
        if lo >= hi:
            return True
        # no sentence break strictly between the two spans
        return bisect.bisect_left(breaks, lo) == bisect.bisect_left(breaks, hi)

    pairs: list[tuple[Span, Span | None]] = []
    for name in names:
        best: tuple[int, int, Span] | None = None
        for title in titles:
            if not same_sentence(name, title):
                continue
            before = title.end <= name.start
            gap = name.start - title.end if before else max(title.start - name.end, 0)
            key = (gap, 0 if before else 1, title)
            if best is None or key[:2] < best[:2]:
                best = key
        pairs.append((name, best[2] if best else None))
    return pairs
