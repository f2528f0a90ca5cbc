"""Text folded for matching fixed wording, with a map back to the original offsets.

Row labels and prose statements are matched on a folded copy of the text: each character NFKC'd
(full-width digits and brackets) and traditional -> simplified (OpenCC's one-to-one table), and the
pinyin some mirrors splice after a character (``數(shù)``, ``項(xiàng)``) removed. ``index[i]`` is the
offset in the original text of folded character ``i`` (``index[len(folded)] == len(text)``).
"""

from __future__ import annotations

import unicodedata
from array import array

import numpy as np

from govreport.core.rules import PINYIN, traditional_table

_FOLDED: dict[str, str] = {}  # character -> its fold (one character), filled as characters are met


def fold_char(ch: str) -> str:
    """One character folded: NFKC when that gives one character, then traditional -> simplified."""
    out = _FOLDED.get(ch)
    if out is None:
        nfkc = unicodedata.normalize("NFKC", ch)
        if len(nfkc) != 1:
            nfkc = ch
        out = _FOLDED[ch] = traditional_table().get(nfkc, nfkc)
    return out


def _offsets(values: np.ndarray) -> array:
    index = array("i")
    index.frombytes(values.astype(np.intc, copy=False).tobytes())
    return index


def _spliced(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of the pinyin spliced into ``text``, in order, not overlapping: pinyin counts as
    spliced right after a CJK character only ((a) after a digit or a space is kept)."""
    return [(m.start(), m.end()) for m in PINYIN.finditer(text)
            if m.start() and "\u4e00" <= text[m.start() - 1] <= "\u9fff"]


class _FoldTable(dict):
    """Code point -> its fold, for ``str.translate``, filled as characters are met."""

    def __missing__(self, code: int) -> str:
        out = self[code] = fold_char(chr(code))
        return out


_TABLE = _FoldTable()


def _translated(text: str) -> str:
    """Every character of ``text`` folded (one character for one: offsets unchanged)."""
    return text.translate(_TABLE)


def fold_with_map(text: str) -> tuple[str, array]:
    """The folded text and, per folded character, its original offset (see the module docstring).
    The map is an int32 array; each distinct character is folded once and the text is folded by one
    ``str.translate`` (a list of one-character strings and of ints cost ~120 bytes a character: 1 GB
    for a 20 MB report)."""
    spliced = _spliced(text)
    folded = _translated(text)
    n = len(text)
    if not spliced:
        return folded, _offsets(np.arange(n + 1))
    keep = np.ones(n + 1, dtype=bool)
    pieces, pos = [], 0
    for start, end in spliced:
        pieces.append(folded[pos:start])
        keep[start:end] = False
        pos = end
    pieces.append(folded[pos:])
    return "".join(pieces), _offsets(np.flatnonzero(keep))


def fold(text: str) -> str:
    """The folded text alone (``fold_with_map``'s, without building the map)."""
    folded, pos, pieces = _translated(text), 0, []
    for start, end in _spliced(text):
        pieces.append(folded[pos:start])
        pos = end
    return "".join(pieces) + folded[pos:] if pieces else folded
