"""Text folded for matching fixed wording, with a map back to the original offsets.

Row labels and prose statements are matched on a folded copy of the text: each character NFKC'd
(full-width digits and brackets) and traditional -> simplified (OpenCC's one-to-one table), and the
pinyin some mirrors splice after a character (``數(shù)``, ``項(xiàng)``) removed. ``index[i]`` is the
offset in the original text of folded character ``i`` (``index[len(folded)] == len(text)``).
"""

from __future__ import annotations

import unicodedata

from govreport.core.rules import PINYIN, traditional_table


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, per folded character, its original offset (see the module docstring)."""
    # pinyin counts as spliced right after a CJK character only: (a) after a digit or a space is kept
    spliced = {k for m in PINYIN.finditer(text) if m.start() and "\u4e00" <= text[m.start() - 1] <= "\u9fff"
               for k in range(m.start(), m.end())}
    table = traditional_table()
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if i in spliced:
            continue
        out = unicodedata.normalize("NFKC", ch)
        if len(out) != 1:
            out = ch
        chars.append(table.get(out, out))
        index.append(i)
    index.append(len(text))
    return "".join(chars), index


def fold(text: str) -> str:
    """The folded text alone."""
    return fold_with_map(text)[0]
