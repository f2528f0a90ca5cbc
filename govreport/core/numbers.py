"""Reading a number as the documents print it: full-width digits, separators, spaces, signs, 中文数字."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_MINUS = "-−－–—"
_SIGN_WORDS = {"增": "+", "減": "-", "减": "-"}
_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _chinese_int(s: str) -> int | None:
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch in _CN_BIG:
            section += digit or 0
            total += section * _CN_BIG[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


@lru_cache(maxsize=8192)  # the same cells and numbers are read again by decode, assemble and the checks
def parse_number(text: str) -> int | float | None:
    """The number a cell or span prints, or None when it is not one (blank, '/', '-', words).

    Signs as reports print a change (本年增/减): `+3` and `增98` are positive, `减4`, `--253` (a doubled
    minus) and `-2` negative.

    >>> parse_number("１２,３４5"), parse_number("-3"), parse_number("398.3675"), parse_number("十二")
    (12345, -3, 398.3675, 12)
    >>> parse_number("增98"), parse_number("减4"), parse_number("--253"), parse_number("+3")
    (98, -4, -253, 3)
    """
    s = unicodedata.normalize("NFKC", text or "")
    s = re.sub(r"[\s,，']", "", s)
    s = s.rstrip("元万件条个项次")
    if not s:
        return None
    if s[0] in _SIGN_WORDS and len(s) > 1:
        s = _SIGN_WORDS[s[0]] + s[1:]
    if s[0] in _MINUS and len(s) > 1:
        s = "-" + s[1:].lstrip(_MINUS)
        if s == "-":
            return None
    if _NUMERIC.match(s):
        value = float(s)
        if "." not in s:
            return int(s)
        return value
    sign = -1 if s.startswith("-") else 1
    digits = s.lstrip("+-")
    n = _chinese_int(digits) if digits else None
    return None if n is None else sign * n


# A printed number as one unit: an optional sign or sign word, digits, thousands groups, decimals
# (group 1: from the first digit on).
_NUMBER_UNIT = re.compile(r"(?:增|减|--|[+\-−－])?(\d+(?:,\d{3})*(?:\.\d+)?)")
UNITS_CACHED = 1 << 18  # texts up to this long keep their units for the next call on the same text
_last_units: tuple[str, tuple[tuple[int, int], ...]] = ("", ())


def number_units(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every printed number in ``text``, each to be read (and labelled) whole.

    Rule for run-together cells: digits never start with 0 in a number of two or more digits, so a
    run such as ``000`` or ``00`` (``规章000``: three blank-free cells) is one unit per digit.

    >>> [ "规章000 | 1,234 | 减4 | 398.36"[s:e] for s, e in number_units("规章000 | 1,234 | 减4 | 398.36")]
    ['0', '0', '0', '1,234', '减4', '398.36']
    """
    global _last_units
    if _last_units[0] is text:  # the same text again (the tagger's geometry, then its decoder)
        return list(_last_units[1])
    units = tuple(iter_number_units(text))
    if len(text) <= UNITS_CACHED:
        _last_units = (text, units)
    return list(units)


def iter_number_units(text: str) -> Iterator[tuple[int, int]]:
    """``number_units`` one at a time (a long text holds hundreds of thousands of numbers)."""
    for m in _NUMBER_UNIT.finditer(text):
        start, end = m.span()
        digits_start = m.start(1)  # after the sign: what lstrip("增减-+−－") leaves
        if text[digits_start] == "0" and digits_start + 1 < end and text[digits_start + 1].isdigit():
            head = (start, digits_start + 1) if digits_start > start else (start, start + 1)
            yield head
            yield from ((k, k + 1) for k in range(head[1], end) if text[k].isdigit())
            continue
        yield start, end


def same_value(a: Any, b: Any) -> bool:
    """Equal numbers (int/float alike) or both None."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) < 1e-9
    return a == b
