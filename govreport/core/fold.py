"""Text folded for matching fixed wording, with a map back to the original offsets.

Row labels and prose statements are matched on a folded copy of the text: each character NFKC'd
(full-width digits and brackets) and traditional -> simplified (OpenCC's one-to-one table), and the
pinyin some mirrors splice after a character (``數(shù)``, ``項(xiàng)``) removed. ``index[i]`` is the
offset in the original text of folded character ``i`` (``index[len(folded)] == len(text)``).
"""

from __future__ import annotations

import unicodedata
from array import array

from govreport.core.rules import PINYIN, traditional_table

_FLUSH = 1 << 16  # characters gathered before they are joined into one piece of the folded text


def fold_with_map(text: str) -> tuple[str, array]:
    """The folded text and, per folded character, its original offset (see the module docstring).
    The map is an int32 array and each distinct character is folded once (a list of one-character
    strings and of ints cost ~120 bytes a character: 1 GB for a 20 MB report)."""
    # pinyin counts as spliced right after a CJK character only: (a) after a digit or a space is kept
    spliced = {k for m in PINYIN.finditer(text) if m.start() and "\u4e00" <= text[m.start() - 1] <= "\u9fff"
               for k in range(m.start(), m.end())}
    table = traditional_table()
    memo: dict[str, str] = {}
    pieces: list[str] = []
    chars: list[str] = []
    index = array("i")
    for i, ch in enumerate(text):
        if i in spliced:
            continue
        out = memo.get(ch)
        if out is None:
            nfkc = unicodedata.normalize("NFKC", ch)
            if len(nfkc) != 1:
                nfkc = ch
            out = memo[ch] = table.get(nfkc, nfkc)
        chars.append(out)
        index.append(i)
        if len(chars) >= _FLUSH:
            pieces.append("".join(chars))
            chars.clear()
    pieces.append("".join(chars))
    index.append(len(text))
    return "".join(pieces), index


def fold(text: str) -> str:
    """The folded text alone."""
    return fold_with_map(text)[0]
