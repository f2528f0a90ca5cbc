"""Reading a printed row whole when its spaces are ambiguous, settled by the row's own arithmetic.

A space between two digit groups is either a cell boundary (``12 0``: two cells) or a space printed
inside one number (``1 5`` for 15, ``1 340``). The tagger guesses from the characters; the row often
knows better. In table 2 every row's 总计 is the sum of its six applicant columns, and in table 3 each
group's 总计 is the sum of its four results, so among the ways of joining the row's digit groups into
exactly as many numbers as the row has columns, usually only one adds up.

For each printed row (consecutive numbers with no label text between them, the numbers the model gave
a table-2 or table-3 row; see ``decode``): the readings are the sets of single-space gaps to join,
where a number never starts with 0 and a digit of a run-together run (``03``: two cells) joins
nothing. The row is settled when

1. readings that satisfy every identity exist: the one that agrees with most of the model's own join
   decisions (refused on a tie: two sums that both add up leave the model's reading);
2. else, when the row prints exactly as many numbers as it has columns with nothing joined: that
   reading (a report whose total is wrong is read as printed, not mended).

A settled row's numbers take its columns in order; other rows keep the model's joins and labels.
Table 1 has no row sums: a table-1 row printing exactly as many numbers as it has columns is only
kept unjoined (``19 3 393``: three cells, not 19 and 3,393), its columns left to the decoder.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

from govreport.core import schema
from govreport.core.numbers import parse_number

_T2_ROW_COLUMNS = tuple(schema.T2_COLUMNS)
_T3_COLUMNS = tuple(schema.T3_COLUMNS)
_T3_ROWS = tuple(schema.T3_GROUPS)
MAX_READINGS = 5000  # joins to choose among: C(14, 4) = 1001 for a 15-number table-3 line


@cache  # labels are the model's few hundred
def _row_of(label: str | None) -> str | None:
    """``T2.granted.total`` -> ``T2.granted`` (tables 2 and 3 only: table 1 has no row sums)."""
    if label is None or not label.startswith(("T2.", "T3.")):
        return None
    return label.rpartition(".")[0]


def _adds_up(values: Sequence[int | float | None], width: int) -> bool:
    """Every block of ``width`` values: the last is the sum of the others."""
    for k in range(0, len(values), width):
        block = values[k:k + width]
        if any(v is None for v in block) or abs(sum(block[:-1]) - block[-1]) > 1e-9:  # type: ignore[arg-type, operator]
            return False
    return True


def _layout(labels: Sequence[str | None], members: list[int], support: Callable[[str], float],
            fit: Callable[[list[str]], float]) -> tuple[list[str], int] | None:
    """The rows a run of numbers stands in and their width: one table-2 row (the one the labels give
    most support); consecutive table-2 rows in template order when the run holds several rows' worth
    of numbers (a block whose row labels were lost: the rows that ``fit`` the model's labels best); or
    consecutive table-3 rows as the labels name them (a flattened table-3 line)."""
    rows = list(dict.fromkeys(r for u in members if (r := _row_of(labels[u]))))
    if not rows:
        return None
    width = len(_T2_ROW_COLUMNS)
    if all(r.startswith("T2.") for r in rows):
        n_rows, rest = divmod(len(members), width)
        if len(rows) == 1 or n_rows < 2 or rest:  # (a lone row needs no support summed)
            return [rows[0] if len(rows) == 1 else max(rows, key=support)], width
        windows = {tuple(f"T2.{r}" for r in order[s:s + n_rows])
                   for order in map(list, schema.T2_ROWS.values()) for s in range(len(order) - n_rows + 1)}
        return (list(max(sorted(windows), key=lambda w: fit(list(w)))), width) if windows else None
    if all(r.startswith("T3.") for r in rows):
        names = [r.partition(".")[2] for r in rows]
        first = _T3_ROWS.index(min(names, key=_T3_ROWS.index))
        last = _T3_ROWS.index(max(names, key=_T3_ROWS.index))
        return [f"T3.{r}" for r in _T3_ROWS[first:last + 1]], len(_T3_COLUMNS)
    return None


def _t1_count_fits(labels: list[str | None], run: list[int]) -> bool:
    """Does the run print exactly as many numbers as the one table-1 row its labels name has columns
    (in a template that has every column the labels name)?"""
    named = [label.split(".") for u in run if (label := labels[u])]
    if not named or any(len(parts) != 4 or parts[0] != "T1" or parts[1:3] != named[0][1:3] for parts in named):
        return False
    _, item, row_key, _ = named[0]
    for template in schema.TEMPLATES:
        spec = schema.T1[template].get(item, {})
        if row_key in spec.get("rows", ()) and all(parts[3] in spec["cols"] for parts in named):
            if len(spec["cols"]) == len(run):
                return True
    return False


def _columns(rows: list[str]) -> list[str]:
    return [f"{row}.{col}" for row in rows
            for col in (_T2_ROW_COLUMNS if row.startswith("T2.") else _T3_COLUMNS)]


def settle_rows(text: str, units: list[tuple[int, int]], pooled: list[np.ndarray], labels: list[str | None],
                names: tuple[str, ...], runs: list[list[int]], model_joins: dict[int, bool],
                ) -> tuple[dict[int, bool], dict[int, str]]:
    """Join decisions ``{gap: join?}`` (gap ``g`` lies between numbers g and g + 1) and final labels
    ``{first number of a group: cell label}`` for the rows settled (module docstring). ``runs`` are the
    printed rows as lists of consecutive number indices; ``model_joins`` the joins the model's labels
    make."""
    index = {name: i + 1 for i, name in enumerate(names)}
    joins: dict[int, bool] = {}
    final: dict[int, str] = {}

    def support(row: str) -> float:
        ids = [index[c] for c in _columns([row]) if c in index]
        return sum(math.log(max(float(pooled[u][ids].sum()), 1e-9)) for u in run if _row_of(labels[u]) == row)

    def fit(rows: list[str]) -> float:
        return sum(math.log(max(float(pooled[u][index[c]]), 1e-9)) if c in index else -1e9
                   for u, c in zip(run, _columns(rows), strict=True))

    for run in runs:
        if _t1_count_fits(labels, run):
            joins.update({g: False for g in run[:-1]})
            continue
        layout = _layout(labels, run, support, fit)
        if layout is None:
            continue
        rows, width = layout
        columns = _columns(rows)
        if any(c not in index for c in columns):  # a model without these labels
            continue
        chosen = _reading(text, units, run, len(columns), width, model_joins)
        if chosen is None:
            continue
        joins.update({g: g in chosen for g in run[:-1]})
        starts = [u for u in run if u - 1 not in chosen]
        final.update(zip(starts, columns, strict=True))
    return joins, final


def _reading(text: str, units: list[tuple[int, int]], run: list[int], n_columns: int, width: int,
             model_joins: dict[int, bool]) -> frozenset[int] | None:
    """The gaps to join so that the run reads as ``n_columns`` numbers that add up (rules 1 and 2 of the
    module docstring), or None to leave the row to the model."""
    gaps = [g for g in run[:-1] if _joinable(text, units, g)]
    extra = len(run) - n_columns
    if extra < 0 or extra > len(gaps) or math.comb(len(gaps), extra) > MAX_READINGS:
        return None
    best: tuple[int, frozenset[int]] | None = None
    tie = False
    for chosen in map(frozenset, itertools.combinations(gaps, extra)):
        if not _adds_up(_values(text, units, run, chosen), width):
            continue
        agree = sum(model_joins.get(g, False) == (g in chosen) for g in run[:-1])
        if best is None or agree > best[0]:
            best, tie = (agree, chosen), False
        elif agree == best[0]:
            tie = True
    if best is None:
        return frozenset() if extra == 0 else None
    return None if tie else best[1]


def _joinable(text: str, units: list[tuple[int, int]], g: int) -> bool:
    """Can numbers g and g + 1 be one number printed with a space inside? One space apart, the first
    not starting with 0, neither a digit of a run-together run."""
    (a0, a1), (b0, b1) = units[g], units[g + 1]
    if b0 != a1 + 1 or text[a1] != " " or text[a0] == "0":
        return False
    before = g > 0 and units[g - 1][1] == a0
    after = g + 2 < len(units) and units[g + 2][0] == b1
    return not before and not after


def _values(text: str, units: list[tuple[int, int]], run: list[int],
            chosen: frozenset[int]) -> list[int | float | None]:
    out: list[int | float | None] = []
    start = run[0]
    for u in run:
        if u not in chosen:
            out.append(parse_number(text[units[start][0]:units[u][1]]))
            start = u + 1
    return out
