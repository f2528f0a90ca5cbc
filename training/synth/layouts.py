"""Table layouts: how a grid becomes text, one function per layout family seen in the wild.

Every layout only adds separators and line breaks around the cells' own segments, so cell spans
stay exact. A layout returns (segments, switch names used).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from govreport.training.synth.recipe import RECIPE, weights
from govreport.training.synth.segments import KEEP, PLAIN, Seg
from govreport.training.synth.tables import Cell, Grid, Row

PageHeader = Callable[[], list[Seg]]


def _lit(text: str) -> Seg:
    return Seg(text, None, PLAIN)


def _width(grid: Grid) -> int:
    return max(len(r) for r in grid.rows)


def _cell_text(cell: Cell) -> str:
    return "".join(s.text for s in cell)


def _flat_cell(cell: Cell) -> Cell:
    """A cell with line breaks inside header text turned into spaces (layouts that cannot hold them)."""
    return [Seg(s.text.replace("\n", " "), s.label, s.kind, s.value, s.group, s.ref, s.meta)
            if "\n" in s.text and s.label is None else s for s in cell]


def pipe(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    width = _width(grid)
    lead = rng.choice(("", "", "", "| "))
    sep = rng.choice((" | ", " | ", " | ", "|", " |"))
    trail = rng.choice(("pad", "pad", "single", "none"))
    empty_lines = rng.random() < 0.2
    out: list[Seg] = []
    names = {"pipe"}
    if lead:
        names.add("pipe_outer")
    for row in grid.rows:
        out.append(_lit(lead))
        for i, cell in enumerate(row):
            cell = _flat_cell(cell) if rng.random() < 0.7 else cell
            if i and not cell and empty_lines:
                out.append(_lit(" |\n|"))
                names.add("empty_cell_lines")
                continue
            if i:
                out.append(_lit(sep))
            out.extend(cell)
        pad = width - len(row)
        if trail == "pad":
            out.append(_lit(" |" + (" " + "|" * pad if pad else "")))
            if pad:
                names.add("pipe_trailing_empty")
        elif trail == "single":
            out.append(_lit(" |"))
        out.append(_lit("\n"))
    return out, names


def markdown(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    width = _width(grid)
    out: list[Seg] = []
    for r, row in enumerate(grid.rows):
        out.append(_lit("| "))
        cells = [_flat_cell(c) for c in row] + [[] for _ in range(width - len(row))]
        for i, cell in enumerate(cells):
            if i:
                out.append(_lit(" | "))
            out.extend(cell)
        out.append(_lit(" |\n"))
        if r == 0:
            out.append(_lit("|" + rng.choice(("---|", " --- |", ":---:|")) * width + "\n"))
    return out, {"markdown"}


def _tabbed_cells(rng: random.Random, row: Row, kind: str, blank: str, nbsp: bool, names: set[str]) -> list[Seg]:
    """The cells of one row joined by tabs (blank cells as `blank`; spaces around them when `nbsp`)."""
    out: list[Seg] = []
    for i, cell in enumerate(row):
        if i:
            out.append(_lit("\t"))
        if not cell and blank and i:
            out.append(Seg(blank, None, KEEP))
            names.add("nbsp_blank_cells")
        if nbsp and cell:
            out.append(_lit(rng.choice(("", "\xa0", " ", "\u3000"))))
        out.extend(cell if nbsp else _flat_cell(cell))
        if nbsp and cell and rng.random() < 0.3:
            out.append(_lit(rng.choice(("\xa0", " ", "\xa0\xa0"))))
        if i == 0 and kind == "span2":
            out.append(_lit("\t"))
    return out


def _tabbed(rng: random.Random, grid: Grid, nbsp: bool) -> tuple[list[Seg], set[str]]:
    width = _width(grid)
    out: list[Seg] = []
    names: set[str] = set()
    # A blank cell copied from an HTML table is often a non-breaking space between two tabs
    # (…申请数量\t6\t3\t\u00a0\t\u00a0\t2): still a cell, never a span.
    blank = "\xa0" if rng.random() < RECIPE["tabs_nbsp_blank"] else ""
    for r, row in enumerate(grid.rows):
        kind = grid.kinds[r] if r < len(grid.kinds) else ""
        if kind == "cont":
            out.append(_lit("\t"))
        out.extend(_tabbed_cells(rng, row, kind, blank, nbsp, names))
        pad = max(0, width - len(row) - (kind != ""))
        if pad and blank and rng.random() < 0.7:
            out.append(Seg(("\t" + blank) * pad, None, KEEP))
        elif rng.random() < 0.5:
            out.append(_lit("\t" * pad))
        out.append(_lit("\n"))
        if nbsp and rng.random() < 0.2:
            out.append(_lit("\n"))
    return out, names


def tabs(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    out, names = _tabbed(rng, grid, nbsp=False)
    return out, names | {"tabs"}


def html_copy(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    out, names = _tabbed(rng, grid, nbsp=True)
    return out, names | {"html_copy"}


def cell_per_line(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    blank_between = rng.random() < RECIPE["cell_per_line_blank_lines"]
    keep_empty = rng.random() < RECIPE["cell_per_line_keep_empty"]
    indent = rng.choice(("", "", "  ", " "))
    out: list[Seg] = []
    for row in grid.rows:
        for i, cell in enumerate(row):
            if not cell and not keep_empty:
                continue
            if i == 0 and indent and cell and not any(s.label for s in cell):
                out.append(_lit(indent))
            out.extend(cell)
            out.append(_lit("\n\n" if blank_between else "\n"))
    names = {"cell_per_line"}
    if blank_between:
        names.add("cell_per_line_blank_lines")
    return out, names


def _cell_then_bar_lines(rng: random.Random, grid: Grid) -> list[Seg]:
    """Each cell on its own line followed by a line holding only "|" (a blank cell: the "|" alone)."""
    width = _width(grid)
    out: list[Seg] = []
    for row in grid.rows:
        pad = width - len(row)
        for cell in row:
            if cell:
                out.extend(_flat_cell(cell))
                out.append(_lit("\n"))
            out.append(_lit("|\n"))
        if pad or rng.random() < 0.3:
            out.append(_lit("|" * (pad + 2) + "\n"))
    return out


def cell_pipe_lines(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    width = _width(grid)
    row_open = rng.random() < 0.35
    drop_blank = not row_open and rng.random() < 0.5
    bar_lines = not row_open and rng.random() < RECIPE["cell_then_bar_line"]
    out: list[Seg] = []
    names = {"cell_pipe_lines"}
    if row_open:
        names.add("row_opens_with_bar_line")
    if bar_lines:
        return _cell_then_bar_lines(rng, grid), names | {"cell_then_bar_line"}
    for row in grid.rows:
        pad = width - len(row)
        if drop_blank:
            # Blank cells vanish from the cell lines and end up in the row's separator line.
            pad += sum(1 for c in row if not c)
            row = [c for c in row if c]
        if row_open:
            out.append(_lit("|\n"))
        for i, cell in enumerate(row):
            cell = _flat_cell(cell) if rng.random() < 0.5 else cell
            out.extend(cell)
            if i == len(row) - 1 and row_open and pad:
                out.append(_lit(" | " + "|" * pad + "\n"))
            else:
                out.append(_lit(" |\n" if cell else "|\n"))
        if not row_open:
            out.append(_lit("|" * (pad + 1) + "\n"))
    return out, names


def flat(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    empty_lines = rng.random() < 0.5
    break_rows = rng.random() < 0.2
    out: list[Seg] = []
    names = {"flat"}
    first = True
    for row in grid.rows:
        for cell in row:
            if not cell:
                if empty_lines:
                    out.append(_lit(" |\n|"))
                    names.add("empty_cell_lines")
                continue
            if not first:
                out.append(_lit(" | "))
            out.extend(_flat_cell(cell))
            first = False
        if break_rows and rng.random() < 0.1:
            out.append(_lit(" |\n| "))
            first = True
    out.append(_lit(" |\n" if rng.random() < 0.5 else "\n"))
    return out, names


def spaces(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    sep = rng.choice((" ", " ", "  ", "   ", "\u3000", " \u3000"))
    out: list[Seg] = []
    for row in grid.rows:
        cells = [c for c in row if c]
        for i, cell in enumerate(cells):
            if i:
                out.append(_lit(sep))
            out.extend(_flat_cell(cell))
        out.append(_lit(rng.choice(("\n", "\n", " \n"))))
    return out, {"spaces"}


_NUMBERISH = set("0123456789０１２３４５６７８９-－—–+＋增减.,，")


def _text(cell: Cell) -> str:
    return "".join(seg.text for seg in cell)


def run_together(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    """Cells printed without separators (规章000), only where the text still reads back as the cells
    (the spec: a number is never split; core.numbers: a digit run opening with 0 is one cell per digit).
    Elsewhere a space keeps two number-like cells apart (455 | - | 3625 must not read as -3625)."""
    out: list[Seg] = []
    for row in grid.rows:
        prev, zeros = "", False  # zeros: the cells joined so far are single digits opening with 0
        for cell in row:
            cur = _text(cell)
            if not cur:
                continue
            digit = len(cur) == 1 and cur.isdigit()
            if prev and prev[-1] in _NUMBERISH and cur[0] in _NUMBERISH and not (zeros and digit):
                out.append(_lit(" "))
                zeros = False
            zeros = digit and (zeros or cur in "0０")
            out.extend(_flat_cell(cell))
            prev = cur
        out.append(_lit("\n"))
    return out, {"run_together"}


def pipe_newline(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    width = _width(grid)
    out: list[Seg] = []
    for row in grid.rows:
        out.append(_lit("| \n"))
        for i, cell in enumerate(row):
            if i:
                out.append(_lit(" \n"))
            out.append(_lit(" "))
            out.extend(_flat_cell(cell))
            out.append(_lit("  |"))
        pad = width - len(row)
        out.append(_lit((" " + "|" * pad if pad else " ") + "\n"))
    return out, {"pipe_newline"}


def _wrap_label(rng: random.Random, cell: Cell, limit: int) -> tuple[Cell, Cell]:
    """Split an unlabelled text cell into the part on this line and the part on the next."""
    if len(cell) != 1 or cell[0].label is not None or len(cell[0].text) <= limit:
        return cell, []
    s = cell[0]
    cut = rng.randint(max(2, limit - 4), limit)
    return [Seg(s.text[:cut], None, s.kind, ref=s.ref)], [Seg(s.text[cut:], None, s.kind, ref=s.ref)]


def _wrap_lines(rng: random.Random, cell: Cell, limit: int, most: int) -> list[Cell]:
    """An unlabelled text cell as up to `most` printed lines of at most about `limit` characters."""
    lines: list[Cell] = []
    rest = cell
    while rest and len(lines) < most - 1:
        head, rest = _wrap_label(rng, rest, limit)
        lines.append(head)
    if rest:
        lines.append(rest)
    return lines


def _split_header_lines(row: Row, sep: str) -> list[Seg]:
    """A header row whose cells break over two lines: the first halves on one line, the second halves on
    the next."""
    tops: list[Seg] = []
    bottoms: list[Seg] = []
    for c in row:
        for s in c:
            top, _, bottom = s.text.partition("\n")
            if tops:
                tops.append(_lit(sep))
            tops.append(Seg(top, None, s.kind, ref=s.ref))
            if bottom:
                if bottoms:
                    bottoms.append(_lit(sep))
                bottoms.append(Seg(bottom, None, s.kind, ref=s.ref))
    return [*tops, _lit("\n"), *bottoms, _lit("\n")]


def _pdf_row(rng: random.Random, row: Row, limit: int, sep: str, names: set[str]) -> list[Seg]:
    """A data row as a PDF's text layer gives it: long labels wrapped, their further lines printed
    before the row's numbers or on a line after them."""
    out: list[Seg] = []
    cont: Cell = []
    for i, cell in enumerate(c for c in row if c):
        if i:
            out.append(_lit(sep))
        if not any(s.label for s in cell):
            most = 3 if rng.random() < RECIPE["pdf_label_wrap_3"] else 2
            lines = _wrap_lines(rng, _flat_cell(cell), limit, most)
            cell = lines[-1]
            if len(lines) > 1:
                names.add("broken_lines")
                if len(lines) > 2:
                    names.add("label_over_3_lines")
                if i == 0 and rng.random() < RECIPE["pdf_numbers_after_label"]:
                    # The label's lines first, the row's numbers after its last line.
                    for line in lines[:-1]:
                        out.extend(line)
                        out.append(_lit("\n"))
                else:
                    cell = lines[0]
                    cont = [s for line in lines[1:] for s in line]
        out.extend(cell)
    out.append(_lit("\n"))
    if cont:
        out.extend(cont)
        out.append(_lit("\n"))
    return out


def pdf(rng: random.Random, grid: Grid, page: PageHeader) -> tuple[list[Seg], set[str]]:
    limit = rng.randint(8, 20)
    page_break = rng.choice((0.0, 0.05, 0.1))
    sep = rng.choice((" ", " ", "  "))
    out: list[Seg] = []
    names = {"pdf"}
    for r, row in enumerate(grid.rows):
        if r and page_break and rng.random() < page_break:
            out.extend(page())
            names.add("page_break")
        if r in grid.heads and any("\n" in _cell_text(c) for c in row):
            out.extend(_split_header_lines(row, sep))
            names.add("split_header")
        else:
            out.extend(_pdf_row(rng, row, limit, sep, names))
    return out, names


LAYOUTS: dict[str, Callable[[random.Random, Grid, PageHeader], tuple[list[Seg], set[str]]]] = {
    "pipe": pipe,
    "tabs": tabs,
    "cell_per_line": cell_per_line,
    "cell_pipe_lines": cell_pipe_lines,
    "flat": flat,
    "markdown": markdown,
    "html_copy": html_copy,
    "spaces": spaces,
    "run_together": run_together,
    "pipe_newline": pipe_newline,
    "pdf": pdf,
}
# The default weights (the live ones are recipe.RECIPE["layout.<name>"]).
LAYOUT_WEIGHTS: dict[str, float] = weights("layout")


def render_grid(rng: random.Random, grid: Grid, layout: str, page: PageHeader) -> tuple[list[Seg], set[str]]:
    grid.finish()
    segs, names = LAYOUTS[layout](rng, grid, page)
    return [s for s in segs if s.text], names | grid.switches


__all__ = ["LAYOUTS", "LAYOUT_WEIGHTS", "Row", "render_grid"]
