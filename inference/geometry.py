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
  With ``blank_lines`` (models trained since stage 4), an empty line after a line that ended with
  content is a blank cell of a one-cell-per-line table: a run of ``n`` line breaks counts ``n // unit``
  boundaries, where ``unit`` is 2 when the document puts a blank line between cells (its runs after
  number-only lines are even) and 1 otherwise.
- ``in_number``: the character belongs to a printed number (``decode.number_units``).
- ``on_separator_line``: the line holds only ``|``, tabs, spaces, ``-`` or ``:``.

Computed on the normalised text, identically for training windows and at inference.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from govreport.core.numbers import UNITS_CACHED, iter_number_units, number_units

CELLS = 16
TYPE_VOCAB_SIZE = 4 * CELLS
_SEPARATOR_LINE_CHARS = frozenset("|\t -:")


def _is_label_char(ch: str) -> bool:
    return ch.isalpha()  # CJK ideographs and Latin letters; digits and marks are not labels


_NUMBER_LINE = re.compile(r"[ \d.,%+\-]*\d[ \d.,%+\-]*\n(\n*)(?=[^\n])")


def newline_unit(text: str) -> int:
    """2 when the cells of one-cell-per-line tables are separated by a blank line (the line-break runs
    after number-only lines are even), else 1."""
    odd = even = 0
    for m in _NUMBER_LINE.finditer(text):
        if (len(m.group(1)) + 1) % 2:
            odd += 1
        else:
            even += 1
    return 2 if even > 10 * odd else 1


def _cells(text: str, lone_marks_line: bytearray, blank_lines: bool = False) -> bytearray:
    """The cell index of every character, one byte each."""
    out = bytearray(len(text))
    cell = 0
    closed = False  # a boundary was counted since the last content character
    line_has_content = False
    line_only_marks = True
    run = 0  # line breaks since a line that ended with content (0: that line ended with a mark)
    unit = newline_unit(text) if blank_lines else 1
    last = CELLS - 1
    for i, ch in enumerate(text):
        if ch == "\n":
            if line_has_content and not closed:
                cell += 1
                closed = True
                run = 1
            elif run:
                run += 1
                if blank_lines and run % unit == 0 and run // unit >= 2:
                    cell += 1  # an empty line: a blank cell
            line_has_content, line_only_marks = False, True
        elif ch in "|\t":
            run = 0
            at_line_start = not line_has_content and line_only_marks
            if not (at_line_start and closed and not lone_marks_line[i]):
                cell += 1
            closed = True
        elif ch == " ":
            pass
        else:
            run = 0
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


def cell_indices(text: str, blank_lines: bool = False) -> list[int]:
    """The cell index of every character (see the module docstring)."""
    return list(_cells(text, _separator_mask(text), blank_lines))


def separator_lines(text: str) -> list[bool]:
    """Per character: is its line made only of cell marks (``|||``, ``| - |``)?"""
    return [bool(b) for b in _separator_mask(text)]


def token_type_array(text: str, blank_lines: bool = False) -> np.ndarray:
    """The geometry feature of every character of the normalised text (0 .. TYPE_VOCAB_SIZE - 1), as
    one uint8 array (a byte a character: the tagger keeps this for the whole document)."""
    sep = _separator_mask(text)
    out = np.frombuffer(_cells(text, sep, blank_lines), dtype=np.uint8).copy()
    out += np.frombuffer(sep, dtype=np.uint8) * np.uint8(2 * CELLS)
    # a text short enough keeps its units for the decoder (numbers.number_units); a long one streams them
    units = number_units(text) if len(text) <= UNITS_CACHED else iter_number_units(text)
    bounds = np.fromiter(itertools.chain.from_iterable(units), dtype=np.intp).reshape(-1, 2)
    if len(bounds):  # += CELLS inside every printed number (they do not overlap), in one pass
        edge = np.zeros(len(text) + 1, dtype=np.int32)
        np.add.at(edge, bounds[:, 0], 1)
        np.add.at(edge, bounds[:, 1], -1)
        out[np.cumsum(edge[:-1], dtype=np.int32) > 0] += np.uint8(CELLS)
    return out


def token_types(text: str, blank_lines: bool = False) -> list[int]:
    """``token_type_array`` as a list of ints (training windows)."""
    return token_type_array(text, blank_lines).tolist()
