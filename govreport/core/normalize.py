"""Text normalisation for the character tagger, with a map back to the original offsets.

The model sees one token per normalised character. Normalising folds away variation that carries no
meaning for tagging (full-width digits and punctuation, runs of spaces, traditional characters), so
the synthetic corpus and the vocabulary need to cover fewer surface forms. Every normalised character
remembers the original characters it came from, so spans predicted on the normalised text map back
to exact offsets in the text the user gave.
"""

from __future__ import annotations

import unicodedata
from array import array
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from govreport.core.rules import fold_traditional

# Characters that render as nothing: dropped so they cannot split a number or a heading in two.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@dataclass(frozen=True)
class NormalizeOptions:
    fold_width: bool = True  # NFKC per character: full-width digits/letters/punctuation -> ASCII
    collapse_whitespace: bool = True  # a whitespace run -> one "\n" (if it holds a line break), "\t" or " "
    fold_traditional: bool = True  # traditional -> simplified, character by character (OpenCC table)
    # Keep table geometry: every tab and up to max_newlines line breaks in a row survive, so a blank
    # cell (``\t\u00a0\t``, an empty line) stays a cell; spaces next to a tab or line break are dropped.
    keep_cells: bool = False
    # 3 for models before stage 4; 32 keeps the blank cells of a one-cell-per-line table with a blank line
    # between cells (7 blank cells: 16 line breaks) while a page of empty lines still costs little.
    max_newlines: int = 3

    def to_dict(self) -> dict[str, bool | int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> NormalizeOptions:
        data = data or {}
        return cls(**{k: int(v) if k == "max_newlines" else bool(v)
                      for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Normalized:
    """Normalised text; character ``i`` came from ``original[starts[i]:ends[i]]``.

    ``starts`` and ``ends`` are int32 arrays (4 bytes a character, not a Python int each: a 20 MB
    report is ~7 million characters)."""

    text: str
    starts: np.ndarray
    ends: np.ndarray
    original: str

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised span ``[start, end)`` (end exclusive, non-empty span)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside normalised text of length {len(self.text)}")
        return int(self.starts[start]), int(self.ends[end - 1])


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in "\u3000\xa0"


def normalize_char(ch: str, options: NormalizeOptions) -> str:
    """The normalised form of one non-whitespace character (may be empty or longer than one)."""
    if ch in _INVISIBLE:
        return ""
    out = unicodedata.normalize("NFKC", ch) if options.fold_width else ch
    if options.fold_traditional:
        out = fold_traditional(out)
    return out


def _cell_marks(run: str, start: int, max_newlines: int) -> list[tuple[str, int, int]]:
    """The kept characters of a whitespace run under ``keep_cells``: (char, original start, end)."""
    marks = [(ch, start + k, start + k + 1) for k, ch in enumerate(run) if ch in "\t\n"]
    if not marks:
        return [(" ", start, start + len(run))]
    out: list[tuple[str, int, int]] = []
    newlines = 0
    for ch, s, e in marks:
        newlines = newlines + 1 if ch == "\n" else 0
        if newlines <= max_newlines:
            out.append((ch, s, e))
    return out


_FLUSH = 1 << 16  # characters gathered in a list before they are joined into one piece of text


def _space_run(text: str, i: int) -> int:
    """The end of the whitespace run starting at ``i``."""
    j, n = i + 1, len(text)
    while j < n and _is_space(text[j]):
        j += 1
    return j


def _space_mark(text: str, i: int, collapse: bool) -> tuple[str, int]:
    """The one character standing for the whitespace at ``i`` (a line break, tab or space) and the end
    of what it stands for: the whole run when ``collapse``, else the character alone."""
    if not collapse:
        ch = text[i]
        return ("\n" if ch in "\r\n" else "\t" if ch == "\t" else " "), i + 1
    j = _space_run(text, i)
    run = text[i:j]
    return ("\n" if ("\n" in run or "\r" in run) else "\t" if "\t" in run else " "), j


class _CharTable(dict):
    """``normalize_char`` per code point under one set of options, for ``str.translate``: filled as
    characters are met (kept across calls: a character's form depends on the options only). ``odd``
    holds the characters whose form is not exactly one character (invisible ones, ligatures)."""

    def __init__(self, options: NormalizeOptions) -> None:
        super().__init__()
        self.options = options
        self.odd: set[str] = set()

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = self[code] = normalize_char(ch, self.options)
        if len(out) != 1:
            self.odd.add(ch)
        return out


_TABLES: dict[NormalizeOptions, _CharTable] = {}
_CHUNK = 1 << 16  # characters normalised at a time by the array path (bounded temporaries)
_TAB, _LF, _CR, _SPACE = 9, 10, 13, 32


def normalize(text: str, options: NormalizeOptions | None = None) -> Normalized:
    options = options or NormalizeOptions()
    table = _TABLES.get(options)
    if table is None:
        table = _TABLES[options] = _CharTable(options)
    folded = text.translate(table)  # every character's form once (fills the table)
    if len(folded) != len(text) or not table.odd.isdisjoint(text):
        return _normalize_chars(text, options)  # an invisible character or a ligature: one at a time
    pieces, starts, ends = [], [], []
    a, n = 0, len(text)
    while a < n:  # chunks cut before a non-space character: no whitespace run is split
        b = min(n, a + _CHUNK)
        while b < n and text[b].isspace():
            b += 1
        piece, s, e = _normalize_piece(text[a:b], folded[a:b], options)
        pieces.append(piece)
        starts.append(s + a)
        ends.append(e + a)
        a = b
    if not pieces:
        return Normalized("", np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), text)
    return Normalized("".join(pieces), np.concatenate(starts), np.concatenate(ends), text)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def space_mask(text: str) -> np.ndarray:
    """``str.isspace`` of every character, as a bool array."""
    return _SPACES[np.minimum(_codes(text), len(_SPACES) - 1)]


def _normalize_piece(text: str, folded: str, options: NormalizeOptions) -> tuple[str, np.ndarray, np.ndarray]:
    """``_normalize_chars`` of a text whose every character has a one-character form (``folded``), with
    arrays: what is kept of each whitespace run (``\\s`` is exactly ``str.isspace``, i.e. ``_is_space``)
    and the one mark standing for it. Offsets as int32, relative to ``text``."""
    n = len(text)
    codes = _codes(text)
    out = _codes(folded).copy()
    space = _SPACES[np.minimum(codes, len(_SPACES) - 1)]  # space_mask(text)
    first = space.copy()  # the first character of each whitespace run
    first[1:] &= ~space[:-1]
    run = np.cumsum(first) - 1  # the whitespace run of each character (where space)
    run_starts = np.flatnonzero(first)
    run_ends = np.flatnonzero(space & ~np.append(space[1:], False)) + 1
    if options.keep_cells:  # \r\n counts as one line break, \r alone as one
        nl = (codes == _LF) | ((codes == _CR) & ~np.append(codes[1:] == _LF, False))
        tab = codes == _TAB
        keep, mark = _cell_keep(space, nl, tab, run, run_starts, options.max_newlines)
        out[nl & space] = _LF
        out[tab & space] = _TAB
        ends_at = np.arange(1, n + 1, dtype=np.int64)
        lone = np.flatnonzero(~np.bincount(run[mark], minlength=len(run_starts)).astype(bool))
        out[run_starts[lone]] = _SPACE  # a run without a tab or line break: one space for all of it
        keep[run_starts[lone]] = True
        ends_at[run_starts[lone]] = run_ends[lone]
    elif options.collapse_whitespace:
        is_nl = ((codes == _LF) | (codes == _CR)) & space
        is_tab = (codes == _TAB) & space
        has_nl = np.bincount(run[is_nl], minlength=len(run_starts)).astype(bool)
        has_tab = np.bincount(run[is_tab], minlength=len(run_starts)).astype(bool)
        out[run_starts] = np.where(has_nl, _LF, np.where(has_tab, _TAB, _SPACE))
        keep = ~space
        keep[run_starts] = True
        ends_at = np.arange(1, n + 1, dtype=np.int64)
        ends_at[run_starts] = run_ends
    else:
        ws = codes[space]
        out[space] = np.where((ws == _LF) | (ws == _CR), _LF, np.where(ws == _TAB, _TAB, _SPACE))
        keep = np.ones(n, dtype=bool)
        ends_at = np.arange(1, n + 1, dtype=np.int64)
    where = np.flatnonzero(keep)
    return (out[where].tobytes().decode("utf-32-le", "surrogatepass"), where.astype(np.int32),
            ends_at[where].astype(np.int32))


# str.isspace (i.e. _is_space) per code point: every whitespace character is at most U+3000, the last
# entry (False) stands for all above it
_SPACES = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)


def _cell_keep(space: np.ndarray, nl: np.ndarray, tab: np.ndarray, run: np.ndarray, run_starts: np.ndarray,
               max_newlines: int) -> tuple[np.ndarray, np.ndarray]:
    """``_cell_marks`` over every whitespace run at once: the characters kept (all but whitespace,
    every tab, a line break while at most ``max_newlines`` came in a row since the run's start or its
    last tab) and the marks (the runs' tabs and line breaks)."""
    mark = space & (nl | tab)
    where = np.flatnonzero(mark)
    k = np.arange(len(where))
    mark_run = run[where]
    is_tab = tab[where]
    new_run = np.ones(len(where), dtype=bool)
    new_run[1:] = mark_run[1:] != mark_run[:-1]
    # the last reset before each mark: a tab (counted as k), or the run's first mark (a line break: k - 1)
    base = np.where(is_tab, k, np.where(new_run, k - 1, -1))
    last = np.maximum.accumulate(base) if len(base) else base
    count = k - last  # line breaks in a row up to this one (for a line break)
    keep = ~space
    keep[where[is_tab | (count <= max_newlines)]] = True
    return keep, mark


def _normalize_chars(text: str, options: NormalizeOptions) -> Normalized:
    """``normalize`` character by character (any text: also characters whose form is empty or longer)."""
    pieces: list[str] = []  # the normalised text, joined every _FLUSH characters (a list of
    chars: list[str] = []  # one-character strings costs ~80 bytes a character)
    starts, ends = array("i"), array("i")
    memo: dict[str, str] = {}  # normalize_char per distinct character
    i, n = 0, len(text)
    if options.keep_cells:
        text_nl = text.replace("\r\n", " \n").replace("\r", "\n")  # same length: offsets unchanged
    while i < n:
        if len(chars) >= _FLUSH:
            pieces.append("".join(chars))
            chars.clear()
        ch = text[i]
        if _is_space(ch):
            if options.keep_cells:
                j = _space_run(text, i)
                marks = _cell_marks(text_nl[i:j], i, options.max_newlines)
            else:
                ch, j = _space_mark(text, i, options.collapse_whitespace)
                marks = [(ch, i, j)]
            for out, s, e in marks:
                chars.append(out)
                starts.append(s)
                ends.append(e)
            i = j
            continue
        out = memo.get(ch)
        if out is None:
            out = memo[ch] = normalize_char(ch, options)
        if len(out) == 1:  # the common case, without a loop
            chars.append(out)
            starts.append(i)
            ends.append(i + 1)
        else:  # none for an invisible character, more for a ligature
            for c in out:
                chars.append(c)
                starts.append(i)
                ends.append(i + 1)
        i += 1
    pieces.append("".join(chars))
    return Normalized("".join(pieces), _int32(starts), _int32(ends), text)


def _int32(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, dtype=np.int32)
