"""Label probabilities -> BIO tags, respecting what a number and a table row are.

Three steps, each switchable so that its effect can be measured (``DecodeOptions``):

1. ``label before prefix`` (always): a character is in a span of X when p(B-X) + p(I-X) beats O and
   every other label; it begins a new span when p(B-X) > p(I-X).
2. ``pool_numbers``: every printed number (``govreport.core.numbers.number_units``) takes ONE label,
   the argmax of its characters' pooled label mass, so a number is never split between two cells
   ("130" read as "1" + "30"). Two numbers of the same cell label separated by a single space are one
   number printed with a space inside ("1 234").
3. ``structured``: the numbers of one printed row (consecutive numbers with no label text between
   them) take one row, the one they together give most mass, when they fit its columns (a row whose
   middle value the model gave to the next row is read whole); otherwise each run of numbers given
   the same row is one group. A row's numbers are assigned to its columns left to right: the columns
   strictly increase along the text, chosen to maximise the summed log probability (a small dynamic
   programme per row; a number may also be dropped to O when the row has more numbers than columns).
   A printed row with exactly as many numbers as its row's columns (the untagged numbers beside it
   counted) fills every column in order, and a number given that row right beside it is dropped.
   Before that, a table-2 or table-3 row whose spaces are ambiguous (``12 0``: two cells or one
   number?) is read the way that makes its sums add up (``row_sums``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

import numpy as np

from govreport.core import schema
from govreport.core.numbers import number_units
from govreport.inference.row_sums import settle_rows


@dataclass(frozen=True)
class DecodeOptions:
    pool_numbers: bool = True
    structured: bool = True


def decode_bio(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` runs of a BIO tag sequence. An I- without a matching open span starts
    one; a change of label always ends the current span. A B- directly after a character of the same
    label continues the span: two spans of one label never touch in these documents (one cell, one
    entity), while a half-sure model does put B- inside a number ("49" read as "4" + "9")."""
    out: list[tuple[int, int, str]] = []
    cur_label: str | None = None
    cur_start = 0
    for i, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if prefix not in ("B", "I") or not label:
            if cur_label is not None:
                out.append((cur_start, i, cur_label))
            cur_label = None
            continue
        if label != cur_label:
            if cur_label is not None:
                out.append((cur_start, i, cur_label))
            cur_label, cur_start = label, i
    if cur_label is not None:
        out.append((cur_start, len(tags), cur_label))
    return out


# Tags as small integers (``decode_ids``): 0 is O, 2g - 1 is B- and 2g is I- of span label g (1-based
# into ``LabelGroups.names``). Two bytes a character instead of a string each.
TAG_DTYPE = np.int16


def tag_group(ids: np.ndarray) -> np.ndarray:
    """The span label (0 = O) of each tag id."""
    return (np.asarray(ids, dtype=np.int32) + 1) // 2


def decode_runs(ids: np.ndarray) -> list[tuple[int, int, int]]:
    """``decode_bio`` over tag ids: ``(start, end, label group)`` runs of one label (B- included, as
    there), vectorised."""
    g = tag_group(ids)
    if not len(g):
        return []
    cut = np.flatnonzero(g[1:] != g[:-1]) + 1
    starts = np.concatenate(([0], cut))
    ends = np.concatenate((cut, [len(g)]))
    labels = g[starts]
    keep = labels != 0
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), labels[keep].tolist(), strict=True))


_MASS_ROWS = 1024  # rows of LabelGroups.mass done at a time


@dataclass(frozen=True)
class LabelGroups:
    """How BIO label ids fold into span labels: column 0 is O, column k is span label names[k - 1]."""

    names: tuple[str, ...]
    group: np.ndarray  # label id -> column
    is_begin: np.ndarray  # label id -> is a B- label

    @classmethod
    def of(cls, id2label: dict[int, str]) -> LabelGroups:
        names = tuple(sorted({lab[2:] for lab in id2label.values() if lab[:2] in ("B-", "I-")}))
        index = {name: i + 1 for i, name in enumerate(names)}
        group = np.zeros(len(id2label), dtype=np.int64)
        is_begin = np.zeros(len(id2label), dtype=bool)
        for i, lab in id2label.items():
            if lab[:2] in ("B-", "I-"):
                group[int(i)] = index[lab[2:]]
                is_begin[int(i)] = lab.startswith("B-")
        return cls(names, group, is_begin)

    @cached_property
    def _by_rank(self) -> tuple[tuple[np.ndarray, int, int], ...]:
        """``(label ids, first column, end column)`` blocks: every column's first label id, then its second,
        …, each rank cut into runs of consecutive columns, so ``mass`` adds a block of columns at a time
        (gathering whole label columns with ``take`` and adding slices: no per-label or fancy-index loop)."""
        ranks: list[dict[int, int]] = []
        seen: dict[int, int] = {}
        for label_id, column in enumerate(self.group.tolist()):
            rank = seen[column] = seen.get(column, -1) + 1
            if rank == len(ranks):
                ranks.append({})
            ranks[rank][column] = label_id
        blocks: list[tuple[np.ndarray, int, int]] = []
        for rank in ranks:
            cols = sorted(rank)
            cut = [0, *(i for i in range(1, len(cols)) if cols[i] != cols[i - 1] + 1), len(cols)]
            for a, b in itertools.pairwise(cut):
                ids = np.array([rank[c] for c in cols[a:b]], dtype=np.intp)
                blocks.append((ids, cols[a], cols[b - 1] + 1))
        return tuple(blocks)

    def mass(self, probs: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``[n, labels]`` -> span-label mass ``[n, 1 + names]``: column 0 is O, column k the B- and I-
        mass of names[k - 1] (added in label-id order, as a loop over the labels would: the same floats).
        Done ``_MASS_ROWS`` rows at a time, through one small buffer: gathering whole columns of a long
        text into fresh arrays cost twice as long (memory traffic and page faults). ``out``: a float32
        ``[n, 1 + names]`` array to write into (C-contiguous rows)."""
        n, width = len(probs), len(self.names) + 1
        blocks = self._by_rank
        if out is None:
            out = np.empty((n, width), dtype=np.float32)
        if probs.dtype != np.float32:
            out[:] = 0
            for ids, first, end in blocks:
                out[:, first:end] += probs.take(ids, axis=1)
            return out
        ids, first, end = blocks[0]
        whole = first == 0 and end == width  # the first block fills every column
        if not whole:
            out[:] = 0
        rest = blocks[1:] if whole else blocks
        buf = np.empty((min(n, _MASS_ROWS), width), dtype=np.float32)
        for a in range(0, n, _MASS_ROWS):
            b = min(n, a + _MASS_ROWS)
            if whole:  # 0 + p is p: assigning the first labels' mass gives the same floats as adding it
                np.take(probs[a:b], ids, axis=1, out=out[a:b])
            for ids_k, first_k, end_k in rest:
                part = buf[:b - a, :end_k - first_k]
                np.take(probs[a:b], ids_k, axis=1, out=part)
                out[a:b, first_k:end_k] += part
        return out

    def begin_mass(self, probs: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """The B- part of ``mass`` at the given (row, column) pairs only (0 for O)."""
        b_of = np.full(len(self.names) + 1, -1, dtype=np.int64)
        for label_id in np.flatnonzero(self.is_begin).tolist():
            b_of[self.group[label_id]] = label_id
        ids = b_of[columns]
        out = np.zeros(len(rows), dtype=np.float32)
        has = ids >= 0
        out[has] = probs[rows[has], ids[has]]
        return out

    def tag_names(self) -> list[str]:
        """Tag id -> BIO tag string (see ``decode_ids``)."""
        return ["O", *(f"{p}-{name}" for name in self.names for p in ("B", "I"))]


@cache
def _row_and_column(label: str) -> tuple[str, str] | None:
    """``T2.granted.total`` -> (``T2.granted``, ``total``); None for anything but a table cell."""
    if not label.startswith(("T1.", "T2.", "T3.")):
        return None
    row, _, col = label.rpartition(".")
    return row, col


@cache
def _column_orders(row: str) -> tuple[tuple[str, ...], ...]:
    """The column lists a row can have, in printed order (one per template for table 1)."""
    head, *rest = row.split(".")
    if head == "T2":
        return (tuple(schema.T2_COLUMNS),)
    if head == "T3":
        return (tuple(schema.T3_COLUMNS),)
    item, row_key = rest
    orders = []
    for template in schema.TEMPLATES:
        cols = schema.t1_shape(template).get(item, {}).get(row_key)
        if cols and tuple(cols) not in orders:
            orders.append(tuple(cols))
    return tuple(orders)


def _assign_columns(logp: list[dict[str, float]], o_logp: list[float],
                    columns: tuple[str, ...]) -> tuple[float, list[str | None]]:
    """Best strictly increasing column assignment (None = dropped) and its log probability."""
    k, c = len(logp), len(columns)
    # best[i][j]: best score of the first i numbers with the last used column < j
    neg = -math.inf
    best = [[neg] * (c + 1) for _ in range(k + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (c + 1) for _ in range(k + 1)]
    best[0] = [0.0] * (c + 1)
    for i in range(k):
        for j in range(c + 1):
            if best[i][j] == neg:
                continue
            drop = best[i][j] + o_logp[i]
            if drop > best[i + 1][j]:
                best[i + 1][j], back[i + 1][j] = drop, (j, -1)
            for col in range(j, c):
                score = best[i][j] + logp[i].get(columns[col], neg)
                if score > best[i + 1][col + 1]:
                    best[i + 1][col + 1], back[i + 1][col + 1] = score, (j, col)
    end = max(range(c + 1), key=lambda j: best[k][j])
    total = best[k][end]
    picks: list[str | None] = [None] * k
    j = end
    for i in range(k, 0, -1):
        prev_j, col = back[i][j]  # type: ignore[misc]
        picks[i - 1] = columns[col] if col >= 0 else None
        j = prev_j
    return total, picks


# A unit printed after a number (3项, 1万元) is part of the cell, not label text between two cells.
_UNIT_AFTER = re.compile(r"^\s*(?:万元|元|项|項|件|条|條|个|個|次|宗|篇|人次)")


_NUMBERING = re.compile(r"[.．、]\s*[^\d\s]")  # 8.属于行政查询事项: a list number, not a cell


def _label_between(gap: str) -> bool:
    return _short_label_between(gap) if len(gap) <= 16 else _has_label(gap)


def _has_label(gap: str) -> bool:
    return any(ch.isalpha() for ch in _UNIT_AFTER.sub("", gap))


_short_label_between = lru_cache(maxsize=4096)(_has_label)  # the gaps inside tables: " | ", "\t", …


def _row_segments(text: str, units: list[tuple[int, int]], labels: list[str | None]) -> list[list[int]]:
    """Runs of consecutive cell-labelled numbers with no label text between them (only cell marks,
    whitespace, punctuation and units): the values one printed row holds, unless its labels were lost."""
    segments: list[list[int]] = []
    for u, label in enumerate(labels):
        if label is None or _row_and_column(label) is None:
            continue
        prev = segments[-1][-1] if segments else None
        if prev == u - 1 and not _label_between(text[units[prev][1]:units[u][0]]):
            segments[-1].append(u)
        else:
            segments.append([u])
    return segments


def _segment_row(segment: list[int], labels: list[str | None], pooled: list[np.ndarray],
                 index: dict[str, int]) -> str | None:
    """The one row a segment's numbers stand in: the row they together give most mass, when the model
    split them over several rows and they fit that row's columns; None to keep the model's rows."""
    rows = list(dict.fromkeys(_row_and_column(labels[u])[0] for u in segment))  # type: ignore[index]
    if len(rows) < 2:
        return None

    def support(row: str) -> float:
        ids = [index[f"{row}.{c}"] for cols in _column_orders(row) for c in cols if f"{row}.{c}" in index]
        return sum(math.log(max(float(pooled[u][ids].sum()), 1e-9)) for u in segment)

    best = max(rows, key=support)
    return best if len(segment) <= max(len(cols) for cols in _column_orders(best)) else None


def _structure_rows(text: str, units: list[tuple[int, int]], pooled: list[np.ndarray],
                    labels: list[str | None], names: tuple[str, ...], fixed: frozenset[int] = frozenset(),
                    ) -> list[str | None]:
    """Assign each row's numbers to its columns left to right (see the module docstring); the
    ``fixed`` numbers (rows settled by their sums) keep their labels."""
    index = {name: i + 1 for i, name in enumerate(names)}
    rows = [rc[0] if (rc := _row_and_column(label or "")) and u not in fixed else None
            for u, label in enumerate(labels)]
    out = list(labels)
    for segment in _row_segments(text, units, labels):
        if not any(u in fixed for u in segment):
            _fill_row(text, units, labels, segment, pooled, index, fixed, rows, out)
    i = 0
    while i < len(units):
        row = rows[i]
        j = i + 1
        while row is not None and j < len(units) and rows[j] == row:
            j += 1
        if row is not None:
            for u, col in zip(range(i, j), _best_columns(row, range(i, j), pooled, index), strict=True):
                out[u] = f"{row}.{col}" if col else None
            if j == i + 1 and row.startswith("T2.") and _lone_before_blanks(text, *units[i]):
                out[i] = f"{row}.{next(iter(schema.T2_COLUMNS))}"
        i = j
    return out


_SEPARATORS = "|｜\t"
_LEAD = re.compile(r"[^\s|｜]([ \u3000\n]*[|｜\t]?[ \u3000\n]*)$")  # the row's label, then one cell mark at most
_RUN_AFTER = re.compile(r"[\s|｜]*")


def _lone_before_blanks(text: str, start: int, end: int) -> bool:
    """A table-2 row's only number, printed right after its label and followed by a run of cell marks
    (`一、本年新收…数量 | 0 | ||||||||`), a mark for each of the other columns at least: the guide reads
    it in the first column, 自然人, where the model, seeing one number, may give it to 总计. Not when a
    blank cell is marked before it, nor when another number follows in the row, nor when fewer marks
    follow than the row has columns left (a table printing 总计 only: `(二) 部分公开\t34\t\t`)."""
    lead = _LEAD.search(text, max(0, start - 12), start)
    if lead is None or text[lead.start()].isdigit():
        return False
    run = _RUN_AFTER.match(text, end)
    marks = sum(text.count(c, run.start(), run.end()) for c in _SEPARATORS)
    return marks >= len(schema.T2_COLUMNS) - 1 and not text[run.end():run.end() + 1].isdigit()


def _fill_row(text: str, units: list[tuple[int, int]], labels: list[str | None], segment: list[int],
              pooled: list[np.ndarray], index: dict[str, int], fixed: frozenset[int],
              rows: list[str | None], out: list[str | None]) -> None:
    """One segment: its row (``_segment_row``) into ``rows``; a full row's labels into ``out``."""
    if (row := _segment_row(segment, labels, pooled, index)) is not None:
        for u in segment:
            rows[u] = row
    one_row = rows[segment[0]] if all(rows[u] == rows[segment[0]] for u in segment) else None
    full = _full_row(text, units, labels, segment, one_row, pooled, index, fixed)
    if full is not None:
        for u, label in full.items():
            out[u], rows[u] = label, None
        _drop_rest_of_row(rows, out, min(full), max(full), one_row)


def _drop_rest_of_row(rows: list[str | None], out: list[str | None], lo: int, hi: int, row: str | None) -> None:
    """The numbers given the same row right beside a filled row (a header's 指2020年 given a column of
    the row below) are not its cells: the row is complete."""
    for step, start in ((-1, lo - 1), (1, hi + 1)):
        u = start
        while 0 <= u < len(rows) and rows[u] == row:
            rows[u] = out[u] = None
            u += step


def _full_row(text: str, units: list[tuple[int, int]], labels: list[str | None], segment: list[int],
              row: str | None, pooled: list[np.ndarray], index: dict[str, int],
              fixed: frozenset[int] = frozenset()) -> dict[int, str] | None:
    """A printed row whose numbers are exactly as many as the row's columns: every number takes its
    column in order, including those the model left O or the DP would drop (seven half-sure 0s of a
    plain space-separated row, two of them given one column). The segment is widened over the untagged
    numbers and the numbers of the same row beside it, with no label text between; None when the count
    fits no column order of the row (then the model's labels and the DP decide)."""
    if row is None:
        return None
    def joins(u: int) -> bool:  # an untagged number or one of this row, not a sub-row's 8. numbering
        if u in fixed or _NUMBERING.match(text, units[u][1]):
            return False
        return labels[u] is None or (_row_and_column(labels[u]) or ("",))[0] == row

    lo, hi = segment[0], segment[-1]
    while lo > 0 and joins(lo - 1) and not _label_between(text[units[lo - 1][1]:units[lo][0]]):
        lo -= 1
    while hi + 1 < len(units) and joins(hi + 1) and not _label_between(text[units[hi][1]:units[hi + 1][0]]):
        hi += 1
    group = range(lo, hi + 1)
    if len(group) < 2:  # one number fits a one-column row trivially: the model's label and the DP decide
        return None
    fits = [cols for cols in _column_orders(row)
            if len(cols) == len(group) and all(f"{row}.{c}" in index for c in cols)]
    if not fits:
        return None

    def support(cols: tuple[str, ...]) -> float:
        return sum(math.log(max(float(pooled[u][index[f"{row}.{c}"]]), 1e-9)) for u, c in zip(group, cols, strict=True))

    cols = max(fits, key=support)
    return {u: f"{row}.{c}" for u, c in zip(group, cols, strict=True)}


def _best_columns(row: str, group: range, pooled: list[np.ndarray], index: dict[str, int]) -> list[str | None]:
    """The best left-to-right column assignment of a group's numbers over the row's column orders."""
    best: tuple[float, list[str | None]] = (-math.inf, [None] * len(group))
    for columns in _column_orders(row):
        logp = [{col: math.log(max(float(pooled[u][index[f"{row}.{col}"]]), 1e-9))
                 for col in columns if f"{row}.{col}" in index} for u in group]
        o_logp = [math.log(max(float(pooled[u][0]), 1e-9)) for u in group]
        scored = _assign_columns(logp, o_logp, columns)
        if scored[0] > best[0]:
            best = scored
    return best[1]


def decode(text: str, probs: np.ndarray, groups: LabelGroups, options: DecodeOptions = DecodeOptions()) -> list[str]:
    """BIO tags for ``text`` (normalised) from its ``[len(text), labels]`` probabilities."""
    names = groups.tag_names()
    return [names[i] for i in decode_ids(text, probs, groups, options).tolist()]


def decode_ids(text: str, probs: np.ndarray, groups: LabelGroups,
               options: DecodeOptions = DecodeOptions()) -> np.ndarray:
    """``decode`` as tag ids (see ``TAG_DTYPE``): what the tagger keeps per character."""
    return decode_scored(text, probs, groups, options)[0]


SCORE_DTYPE = np.float32


def decode_scored(text: str, probs: np.ndarray, groups: LabelGroups, options: DecodeOptions = DecodeOptions(),
                  mass: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``decode_ids`` and, per character, the probability mass of the label it was given (O
    included): a printed number's characters all carry the pooled mass of the label chosen for the
    number (after the row assignment), any other character its own mass of its label. The mean over a
    span's characters is the span's score (``tagger.span_scores``); the tags are those of ``decode_ids``.
    ``mass``: ``groups.mass(probs)`` when the caller has it already."""
    probs = np.asarray(probs, dtype=np.float32)
    if mass is None:
        mass = groups.mass(probs)
    rows = np.arange(len(mass))
    best = mass.argmax(axis=1)
    # compared in double precision, as Python floats would be: B- when its mass beats the I- mass
    b = groups.begin_mass(probs, rows, best).astype(np.float64)
    t = mass[rows, best].astype(np.float64)
    ids = np.where(best == 0, 0, np.where(b > t - b, 2 * best - 1, 2 * best)).astype(TAG_DTYPE)
    scores = t.astype(SCORE_DTYPE)
    if not options.pool_numbers:
        return ids, scores
    units = number_units(text)
    pooled = pooled_means(mass, units)
    labels = [groups.names[g - 1] if g else None for g in (np.argmax(pooled, axis=1).tolist() if units else ())]
    pooled = list(pooled)
    model_joins = {g: _model_joins(text, units, labels, g) for g in range(len(units) - 1)}
    decided, final = {}, {}
    if options.structured:
        decided, final = settle_rows(text, units, pooled, labels, groups.names, _printed_rows(text, units),
                                     model_joins)
    units, pooled, labels, fixed = _join_spaced_numbers(units, pooled, labels, model_joins | decided, final)
    if options.structured:
        labels = _structure_rows(text, units, pooled, labels, groups.names, fixed)
        labels = _t3_by_marks(text, units, labels, set(groups.names))
    _write_units(ids, scores, units, labels, pooled, groups.names)
    return ids, scores


T3_CELLS = tuple(f"T3.{g}.{c}" for g in schema.T3_GROUPS for c in schema.T3_COLUMNS)  # print order
_NA_MARK = re.compile(r"[／/]|(?<![0-9０-９])[-—－]+(?![0-9０-９])")


def _t3_by_marks(text: str, units: list[tuple[int, int]], labels: list[str | None],
                 names: set[str]) -> list[str | None]:
    """Table 3's one printed row with every blank cell marked (`／ | ／ | ／ | 0 | ／ …`, `-` on lines of
    their own): when its numbers and not-applicable marks, counted between the label text before and
    after them, are exactly the table's 15 cells, each number is the cell at its place. The model, seeing
    two 0s among thirteen marks, can put one a column off (synthetic dev docs 21, 28)."""
    cells = [u for u, label in enumerate(labels) if label and label.startswith("T3.")]
    if not cells or not all(c in names for c in T3_CELLS):
        return labels
    lo, hi = cells[0], cells[-1]
    if any(labels[u] and not labels[u].startswith("T3.") for u in range(lo, hi + 1)):
        return labels  # another table's number inside: no one row
    start, end = units[lo][0], units[hi][1]
    while start > 0 and not text[start - 1].isalpha():
        start -= 1
    while end < len(text) and not text[end].isalpha():
        end += 1
    numbering = [a for a, b in units if start <= a and b <= end and _NUMBERING.match(text, b)]
    end = min([end, *(a for a in numbering if a > units[hi][0])])  # 5、工作中…: the next heading's number
    inside = [u for u, (a, b) in enumerate(units) if start <= a and b <= end]
    if any(labels[u] and not labels[u].startswith("T3.") for u in inside):
        return labels
    entries: list[int | None] = []  # unit index, or None for a mark, in print order
    pos = start
    for u in inside:
        entries += [None] * len(_NA_MARK.findall(text, pos, units[u][0]))
        entries.append(u)
        pos = units[u][1]
    entries += [None] * len(_NA_MARK.findall(text, pos, end))
    if len(entries) != len(T3_CELLS) or len(inside) == len(entries):
        return labels
    out = list(labels)
    for cell, u in zip(T3_CELLS, entries, strict=True):
        if u is not None:
            out[u] = cell
    return out


def _write_units(ids: np.ndarray, scores: np.ndarray, units: list[tuple[int, int]], labels: list[str | None],
                 pooled: list[np.ndarray], names: tuple[str, ...]) -> None:
    """Every number's characters take its label (I-, B- first unless it continues a span of the same
    non-cell label right before it) and its pooled mass of that label as their score."""
    if not units:
        return
    index = {name: i + 1 for i, name in enumerate(names)}
    cols = [index[label] if label is not None else 0 for label in labels]
    bounds = np.array(units, dtype=np.intp)
    starts, lengths = bounds[:, 0], bounds[:, 1] - bounds[:, 0]
    where = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    scores[where] = np.repeat(np.array([p[c] for p, c in zip(pooled, cols, strict=True)], dtype=scores.dtype),
                              lengths)
    g = np.array(cols, dtype=np.int64)
    ids[where] = np.repeat(2 * g, lengths)
    # the label right before each number once all are written (a number's own B- changes no group)
    before = np.where(starts > 0, (ids[np.maximum(starts - 1, 0)].astype(np.int64) + 1) // 2, -1)
    plain = np.array([label is not None and _row_and_column(label) is None for label in labels])
    begin = (g > 0) & ~(plain & (before == g))
    ids[starts[begin]] = 2 * g[begin] - 1


def pooled_means(mass: np.ndarray, units: list[tuple[int, int]]) -> np.ndarray:
    """``[len(units), columns]``: row u is ``mass[s:e].mean(axis=0)`` of unit ``u = (s, e)``, the same
    floats (each unit's rows added one after the other, then divided by its length in double precision,
    as ``mean`` does), with a few array operations instead of a ``mean`` call per number."""
    if not units:
        return np.zeros((0, mass.shape[1]), dtype=mass.dtype)
    bounds = np.array(units, dtype=np.intp)
    starts, lengths = bounds[:, 0], bounds[:, 1] - bounds[:, 0]
    sums = mass[starts]
    for k in range(1, int(lengths.max())):  # the k-th character of every unit that long
        longer = np.flatnonzero(lengths > k)
        sums[longer] += mass[starts[longer] + k]
    return np.true_divide(sums, lengths[:, None], out=sums, casting="unsafe")


def _model_joins(text: str, units: list[tuple[int, int]], labels: list[str | None], g: int) -> bool:
    """Does the model read numbers g and g + 1 as one? ``1 234`` with both parts given one cell label
    is one number printed with a space inside; ``0 0`` never is (no number starts with 0: two cells the
    model gave one column)."""
    (a0, a1), (b0, _) = units[g], units[g + 1]
    label = labels[g]
    return bool(label and label == labels[g + 1] and _row_and_column(label) and b0 == a1 + 1
                and text[a1] == " " and text[a0] not in "0０")


def _printed_rows(text: str, units: list[tuple[int, int]]) -> list[list[int]]:
    """Runs of consecutive numbers with no label text between them (a list number such as the 8. of
    ``8.属于行政查询事项`` belongs to none): what one printed row holds."""
    runs: list[list[int]] = []
    cur: list[int] = []
    for u, (s, e) in enumerate(units):
        if cur and (_label_between(text[units[cur[-1]][1]:s]) or cur[-1] != u - 1):
            runs.append(cur)
            cur = []
        if not _NUMBERING.match(text, e):
            cur.append(u)
    if cur:
        runs.append(cur)
    return runs


def _join_spaced_numbers(units: list[tuple[int, int]], pooled: list[np.ndarray], labels: list[str | None],
                         joins: dict[int, bool], final: dict[int, str],
                         ) -> tuple[list[tuple[int, int]], list[np.ndarray], list[str | None], frozenset[int]]:
    """The numbers with the gaps in ``joins`` joined (a joined number's mass is its parts' mean) and the
    ``final`` labels of settled rows applied; also the indices, in the new list, of those settled."""
    out_u, out_p, out_l, fixed = [], [], [], set()
    parts = 1
    for u, (unit, p, label) in enumerate(zip(units, pooled, labels, strict=True)):
        if out_u and joins.get(u - 1, False):
            out_u[-1] = (out_u[-1][0], unit[1])
            out_p[-1] = (out_p[-1] * parts + p) / (parts + 1)
            parts += 1
            continue
        parts = 1
        if u in final:
            label = final[u]
            fixed.add(len(out_u))
        out_u.append(unit)
        out_p.append(p)
        out_l.append(label)
    return out_u, out_p, out_l, frozenset(fixed)
