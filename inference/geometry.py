"""Table geometry read from plain text, one small integer per character, given to the tagger.

A character model cannot count reliably: which column a ``0`` stands in depends on how many cell
marks precede it in its row, often hundreds of characters back. These features count for it (the
2-D position idea of LayoutLM, taken from the text instead of boxes). Each character gets
``cell + CELLS * in_number + 2 * CELLS * on_separator_line``, fed to the model as its token type:

- ``cell``: the cell index within the current row, capped at CELLS - 1. A row starts at a label
  (any CJK or Latin letter resets the count to 0); every ``|`` or tab is a cell boundary; a line
  break is one too when the line ended with content rather than a mark (one cell per line), and a
  ``|`` opening a line right after such a boundary is the same boundary, not a blank cell. Empty
  lines count nothing, a line of lone ``|`` marks counts each mark (each is a blank cell).
- ``in_number``: the character belongs to a printed number (``decode.number_units``).
- ``on_separator_line``: the line holds only ``|``, tabs, spaces, ``-`` or ``:``.

Computed on the normalised text, identically for training windows and at inference.
"""

from __future__ import annotations

import numpy as np

from govreport.core.numbers import iter_number_units

CELLS = 16
TYPE_VOCAB_SIZE = 4 * CELLS
_SEPARATOR_LINE_CHARS = frozenset("|\t -:")


def _is_label_char(ch: str) -> bool:
    return ch.isalpha()  # CJK ideographs and Latin letters; digits and marks are not labels


def _cells(text: str, lone_marks_line: bytearray) -> bytearray:
    """The cell index of every character, one byte each."""
    out = bytearray(len(text))
    cell = 0
    closed = False  # a boundary was counted since the last content character
    line_has_content = False
    line_only_marks = True
    last = CELLS - 1
    for i, ch in enumerate(text):
        if ch == "\n":
            if line_has_content and not closed:
                cell += 1
                closed = True
            line_has_content, line_only_marks = False, True
        elif ch in "|\t":
            at_line_start = not line_has_content and line_only_marks
            if not (at_line_start and closed and not lone_marks_line[i]):
                cell += 1
            closed = True
        elif ch == " ":
            pass
        else:
            line_has_content, line_only_marks = True, False
            if _is_label_char(ch):
                cell = 0
            closed = False
        out[i] = cell if cell < last else last
    return out


def _separator_mask(text: str) -> bytearray:
    """Per character, 1 when its line is made only of cell marks (``|||``, ``| - |``), else 0."""
    out = bytearray(len(text))
    pos = 0
    for line in text.split("\n"):
        if "|" in line and all(c in _SEPARATOR_LINE_CHARS for c in line):
            out[pos:pos + len(line)] = b"\x01" * len(line)
        pos += len(line) + 1
    return out


def cell_indices(text: str) -> list[int]:
    """The cell index of every character (see the module docstring)."""
    return list(_cells(text, _separator_mask(text)))


def separator_lines(text: str) -> list[bool]:
    """Per character: is its line made only of cell marks (``|||``, ``| - |``)?"""
    return [bool(b) for b in _separator_mask(text)]


def token_type_array(text: str) -> np.ndarray:
    """The geometry feature of every character of the normalised text (0 .. TYPE_VOCAB_SIZE - 1), as
    one uint8 array (a byte a character: the tagger keeps this for the whole document)."""
    sep = _separator_mask(text)
    out = np.frombuffer(_cells(text, sep), dtype=np.uint8).copy()
    out += np.frombuffer(sep, dtype=np.uint8) * np.uint8(2 * CELLS)
    for start, end in iter_number_units(text):
        out[start:end] += CELLS
    return out


def token_types(text: str) -> list[int]:
    """``token_type_array`` as a list of ints (training windows)."""
    return token_type_array(text).tolist()
