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

from govreport.core.numbers import number_units

CELLS = 16
TYPE_VOCAB_SIZE = 4 * CELLS
_SEPARATOR_LINE_CHARS = frozenset("|\t -:")


def _is_label_char(ch: str) -> bool:
    return ch.isalpha()  # CJK ideographs and Latin letters; digits and marks are not labels


def cell_indices(text: str) -> list[int]:
    """The cell index of every character (see the module docstring)."""
    lone_marks_line = separator_lines(text)
    out: list[int] = []
    cell = 0
    closed = False  # a boundary was counted since the last content character
    line_has_content = False
    line_only_marks = True
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
        out.append(min(cell, CELLS - 1))
    return out


def separator_lines(text: str) -> list[bool]:
    """Per character: is its line made only of cell marks (``|||``, ``| - |``)?"""
    out: list[bool] = []
    for line in text.split("\n"):
        flag = "|" in line and all(c in _SEPARATOR_LINE_CHARS for c in line)
        out += [flag] * len(line) + [False]
    return out[:len(text)]


def token_types(text: str) -> list[int]:
    """The geometry feature of every character of the normalised text (0 .. TYPE_VOCAB_SIZE - 1)."""
    in_number = [False] * len(text)
    for start, end in number_units(text):
        for k in range(start, end):
            in_number[k] = True
    return [c + CELLS * num + 2 * CELLS * sep
            for c, num, sep in zip(cell_indices(text), in_number, separator_lines(text), strict=True)]
