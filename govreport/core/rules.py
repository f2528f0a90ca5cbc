"""The small record rules every reader of a span shares: the assembler that builds a record, the
validator that checks one against its spans, and (for the helpers that do not decide its truth) the
generator.

- a report year as printed (2020, ２０２０, 二〇二〇, 2020年, 2020年度);
- a publication date as printed (2021年1月19日, 二〇二一年一月十九日, 2020-01-30, 2020/1/30, 20200130);
- sentence ends (for pairing a leader's name with a title): 。；;！？ and line breaks, never ASCII ``?``,
  which stands for characters lost in conversion (spec layout 000);
- traditional folding (one OpenCC table, traditional_table: the tagger's normalisation folds with it too);
- pinyin spliced after characters by mirror sites (數(shù)), one pattern for every reader that drops it;
- writing a value at a dotted record path.

Numbers are govreport.core.numbers, sections govreport.core.sections, the choice among mentions
(agency, year, published date, leaders) govreport.core.entities; all of them read through these rules.
"""

from __future__ import annotations

import bisect
import datetime
import os
import re
import unicodedata
from functools import cache
from typing import Any

from govreport.core.document import Span
from govreport.core.numbers import CN_DIGITS, parse_number

# Years a report can plausibly name; anything else is a misread, not a year.
MIN_YEAR, MAX_YEAR = 1949, 2100

# The numerals a year is printed in (二〇二一): each read as its digit.
YEAR_NUMERALS = "〇○零一二三四五六七八九"
_YEAR_DIGIT = {ch: str(CN_DIGITS.get(ch, 0)) for ch in YEAR_NUMERALS}
_YEAR_CHARS = "0-9" + YEAR_NUMERALS
_MD_CHARS = "0-9一二三四五六七八九十"
# 2021年1月19日 / 二〇二一年一月十九日 / 2021 年 1 月 19 号
_DATE_CN = re.compile(rf"([{_YEAR_CHARS}]{{4}})\s*年\s*([{_MD_CHARS}]{{1,3}})\s*月\s*([{_MD_CHARS}]{{1,3}})\s*[日号]?")
# 2020-01-30 / 2020/1/30 / 2020.01.30 (NFKC has already turned full-width separators into these)
_DATE_SEP = re.compile(r"(?<!\d)(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
_DATE_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")

# Sentence ends: not ASCII "?" (lost characters, seed 000) nor "!".
SENTENCE_ENDS = "。；;！？\n\r"


# --- years and dates ------------------------------------------------------------------------------
def _digits_year(s: str) -> int | None:
    digits = "".join(_YEAR_DIGIT.get(ch, ch) for ch in s)
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


_YEAR_RUN = re.compile(rf"(?<![{_YEAR_CHARS}])[{_YEAR_CHARS}]{{4}}(?![{_YEAR_CHARS}])")


def _fold_keep_length(text: str) -> str:
    """NFKC character by character where it keeps one character (full-width digits and separators), so
    that offsets into the result are offsets into ``text``."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def printed_extent(text: str, start: int, end: int, kind: str) -> tuple[int, int] | None:
    """The whole printed date (``kind="date"``) or year (``"year"``) overlapping ``text[start:end]``,
    as offsets into ``text``: the one overlapping it most; None when none does. A tagger that cut a date
    (``1月19``) or ran it into the clock time (``2022-01-21 17``) is snapped to what is printed."""
    lo, hi = max(0, start - 12), min(len(text), end + 12)
    window = _fold_keep_length(text[lo:hi])
    patterns = (_DATE_CN, _DATE_SEP, _DATE_COMPACT) if kind == "date" else (_YEAR_RUN,)
    best: tuple[int, int, int] | None = None
    for pattern in patterns:
        for m in pattern.finditer(window):
            a, b = lo + m.start(), lo + m.start() + len(m.group().rstrip())
            overlap = min(b, end) - max(a, start)
            if overlap > 0 and (best is None or overlap > best[0]):
                best = (overlap, a, b)
    return (best[1], best[2]) if best else None


# --- sentences ------------------------------------------------------------------------------------
def sentence_breaks(text: str) -> list[int]:
    """Positions of the sentence ends in ``text``, ascending (for ``same_sentence``)."""
    return [i for i, ch in enumerate(text) if ch in SENTENCE_ENDS]


def same_sentence(breaks: list[int], a: Span, b: Span) -> bool:
    """No sentence end lies between the two spans (``breaks`` from ``sentence_breaks``)."""
    lo, hi = min(a.end, b.end), max(a.start, b.start)
    if lo >= hi:
        return True
    return bisect.bisect_left(breaks, lo) == bisect.bisect_left(breaks, hi)


# --- characters -----------------------------------------------------------------------------------
@cache
def traditional_table() -> dict[str, str]:
    """OpenCC's one-to-one traditional -> simplified character table (first candidate of each entry)."""
    try:
        import opencc
    except ImportError:  # folding is an optimisation; without the table, text passes through
        return {}
    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            src, _, dst = line.rstrip("\n").partition("\t")
            target = dst.split(" ")[0] if dst else ""
            if len(src) == 1 and len(target) == 1:
                table[src] = target
    return table


# Pinyin some mirror sites splice after a character (數(shù), 項(xiàng), 區(qū)): one lower-case syllable with its
# tone marks, in half- or full-width brackets.
PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňɡ]{1,7}[)）]")


def strip_pinyin(text: str) -> str:
    """The text without spliced pinyin (機關(guān)主動 -> 機關主動)."""
    return PINYIN.sub("", text)


def fold_traditional(text: str) -> str:
    """Traditional characters as simplified ones, character by character (萬元 -> 万元, 製發 -> 制发)."""
    table = traditional_table()
    return "".join(table.get(ch, ch) for ch in text)


# --- the record -----------------------------------------------------------------------------------
def set_path(record: dict[str, Any], path: str, value: Any) -> None:
    """``record[a][b][c] = value`` for ``path`` "a.b.c" (missing levels are created)."""
    *parents, last = path.split(".")
    node = record
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
