"""Geometry features: which cell of its row a character stands in, whatever the layout marks cells with."""

from __future__ import annotations

import pytest

from govreport.inference.geometry import CELLS, cell_indices, newline_unit, separator_lines, token_types


def digit_cells(text: str) -> list[int]:
    cells = cell_indices(text)
    return [cells[i] for i, ch in enumerate(text) if ch.isdigit()]


@pytest.mark.parametrize(("text", "expected"), [
    ("规章 | 0 | 1 | 2 |\n行政规范性文件 | 3 | 4 | 5 |", [1, 2, 3, 1, 2, 3]),
    ("| 规章 | 0 | 1 | 2 |", [1, 2, 3]),                 # a leading pipe opens the row, not a cell
    ("规章\n\n0\n\n1\n\n2\n行政", [1, 2, 3]),              # one cell per line, blank lines between
    ("规章 |\n| 0 |\n| 1 |", [1, 2]),                   # a line-opening pipe repeats the boundary
    ("规章 |\n|\n0 |", [2]),                            # a lone pipe line is a blank cell
    ("申请\t6\t\t\t2", [1, 4]),                          # tab blanks keep their columns
    ("规章 | | 7 |", [2]),                               # an inner blank cell
])
def test_cell_index_by_layout(text: str, expected: list[int]) -> None:
    assert digit_cells(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("规章\n0\n\n5\n3\n", [1, 3, 4]),                     # an empty line is a blank cell
    ("规章\n\n0\n\n\n\n5\n\n3\n\n行政", [1, 3, 4]),      # blank lines between cells: two per blank
    ("规章 |\n|\n0 |\n\n行政 | 1 |", [2, 1]),              # pipes count as before; a label resets
])
def test_blank_lines_count_as_blank_cells_when_asked(text: str, expected: list[int]) -> None:
    cells = cell_indices(text, blank_lines=True)
    assert [cells[i] for i, ch in enumerate(text) if ch.isdigit()] == expected


def test_the_blank_line_unit_is_read_from_the_document() -> None:
    assert newline_unit("规章\n\n0\n\n\n\n5\n\n3\n\n") == 2
    assert newline_unit("规章\n0\n\n5\n3\n") == 1


def test_features_are_bounded_and_mark_numbers_and_separator_lines() -> None:
    text = "规章" + " | 0" * 40 + "\n|||\n"
    types = token_types(text)
    assert len(types) == len(text) and max(types) < 4 * CELLS
    assert separator_lines(text)[text.index("|||")] and not separator_lines(text)[0]
    zero = text.index("0")
    assert types[zero] >= CELLS  # in a number
