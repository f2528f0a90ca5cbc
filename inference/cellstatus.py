"""What the text prints for every table cell: a number, a blank cell, a not-applicable mark, or nothing.

`cell_status(text, spans, record)` -> {cell path: status} for every cell of the record's template,
one of govreport.core.schema.CELL_STATUSES:

- ``number``: the cell holds a value (a printed ``0`` included);
- ``na``: the row is printed and the cell prints ``/``, ``-``, ``—`` or ``无``;
- ``blank``: the row is printed and the cell is empty (an empty ``|`` cell, a cell the row's layout
  leaves out or moves to the end as a pipe run, a row that prints its label and no numbers);
- ``absent``: the text does not print the cell: its row (or the whole table) is missing, or the text
  is cut before it.

The rule, row by row in print order (table 1 item by item, table 2, table 3 as one row of 15 cells):
1. A row is found by its cell spans or, without spans, by its label (a key word per row, ROW_WORDS,
   matched on the folded text: simplified characters, spliced pinyin removed) between the previous
   found row and the next row that has spans. A label only counts where it stands like a table cell:
   at most 12 characters after a cell mark or line start with no sentence mark (。，; …) between,
   and no sentence end (。; ！) before the next cell mark. Until one of its rows is found, a table
   must be announced by its header words (TABLE_WORDS) before the label. A row not found -> every
   cell ``absent``.
2. The row ends where the next found row begins, or at the next heading span, else at the end of
   the text. A row that ends before the end of the text is whole: its null cells are ``blank`` (or
   ``na``, below).
3. A row running to the end of the text may be cut. Its null cells before its last number (template
   column order) are printed blank; after the last number (or after the label), a cell counts as
   printed only when a cell mark closes it (``|``, tab, or a line break after content; the first
   mark closes the number or label itself) or when label words follow (the row went on to the next
   row): the rest are ``absent``.
4. ``na`` instead of ``blank``: the row's text after its label is split at cell marks; when its
   first tokens, one per column, hold numbers exactly where the record has values, they are matched
   by position (a not-applicable token -> ``na``); otherwise a row printing not-applicable marks and
   no empty cell has ``na`` for all its printed null cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.document import Span
from govreport.core.fold import fold_with_map
from govreport.core.numbers import parse_number

NA_MARKS = frozenset({"/", "-", "—", "–", "－", "--", "——", "无", "不适用"})

# One key word (a regex on the folded text) per row: the distinctive part of its label.
ROW_WORDS: dict[str, str] = {
    "rules": r"规章",
    "normative_documents": r"规范性文件",
    "administrative_license": r"行政许可",
    "other_external_services": r"其他对外管理服务",
    "administrative_penalty": r"行政处罚",
    "administrative_coercion": r"行政强制",
    "administrative_fees": r"行政事业性收费",
    "centralized_procurement": r"政府集中采购",
    "new_received": r"本年新收",
    "carried_over": r"上年结转",
    "granted": r"予以公开",
    "partially_granted": r"部分公开",
    "denied_state_secret": r"国家秘密",
    "denied_prohibited_by_law": r"禁止公开",
    "denied_security_stability": r"三安全一稳定",
    "denied_third_party": r"第三方",
    "denied_internal_affairs": r"内部事务",
    "denied_process_info": r"过程性",
    "denied_enforcement_files": r"执法案卷",
    "denied_admin_query": r"行政查询",
    "unable_not_held": r"不掌握",
    "unable_needs_creation": r"另行制作",
    "unable_unclear": r"仍不明确",
    "not_processed_petition": r"信访",
    "not_processed_repeated": r"重复申请",
    "not_processed_publication": r"出版物",
    "not_processed_excessive": r"大量反复",
    "not_processed_confirmation": r"重新出具",
    "other_handling": r"其他处理",
    "other_no_correction": r"逾期不补正",
    "other_unpaid_fee": r"缴纳费用",
    "other_misc": r"3\s*[.．、]\s*其他(?!处理)",
    "total_processed": r"[(（]?七[)）]?\s*总计",
    "carried_forward": r"结转下年度",
    "review_litigation": r"结果维持|尚未审结",
}
TABLE_WORDS: dict[str, str] = {
    "proactive": r"第二十条|信息内容",
    "requests": r"申请人情况|本列数据|本年新收",
    "review_litigation": r"结果维持|尚未审结|复议后起诉",
}
_MARK = "|\t\n"
_SENTENCE_MARKS = re.compile(r"[。,，;；:：!?？！]")
_SENTENCE_END = re.compile(r"[。;；!?？！]")


@dataclass
class Row:
    key: str  # "proactive.art20_1.rules", "requests.granted", "review_litigation"
    table: str
    word: str
    paths: list[str]  # the row's cell paths in print order
    spans: list[Span] = field(default_factory=list)
    start: int | None = None  # where the row was found (label or first span)
    after_label: int | None = None  # end of the label word (rows found by label)


def _rows(template: str | None) -> list[Row]:
    rows = []
    for item, item_rows in schema.t1_shape(template).items():
        for row, cols in item_rows.items():
            rows.append(Row(f"proactive.{item}.{row}", "proactive", ROW_WORDS[row],
                            [f"proactive.{item}.{row}.{c}" for c in cols]))
    for row in schema.t2_rows(template):
        rows.append(Row(f"requests.{row}", "requests", ROW_WORDS[row],
                        [f"requests.{row}.{c}" for c in schema.T2_COLUMNS]))
    rows.append(Row("review_litigation", "review_litigation", ROW_WORDS["review_litigation"],
                    [f"review_litigation.{g}.{c}" for g in schema.T3_GROUPS for c in schema.T3_COLUMNS]))
    return rows


def _cell_like(folded: str, start: int, end: int) -> bool:
    """Does the label match at [start, end) stand like a table cell (see the module docstring)?"""
    lo = max(0, start - 12)
    before = folded[lo:start]
    cut = max(before.rfind(c) for c in _MARK)
    if cut < 0 and lo > 0:
        return False
    if _SENTENCE_MARKS.search(before[cut + 1:]):
        return False
    rest = folded[end:]
    nxt = min((i for i in (rest.find(c) for c in _MARK) if i >= 0), default=len(rest))
    return not _SENTENCE_END.search(rest[:nxt])  # a label's note may hold commas, never a sentence end


def _find_label(folded: str, index: list[int], row: Row, lo: int, hi: int,
                table_seen: bool) -> tuple[int, int] | None:
    """Original [start, end) of the row's label word between original offsets lo and hi, or None."""
    f_lo = _folded_offset(index, lo)
    f_hi = _folded_offset(index, hi)
    floor = f_lo
    if not table_seen:
        m = re.compile(TABLE_WORDS[row.table]).search(folded, f_lo, f_hi)
        if m is None:
            return None
        floor = m.start()
    for m in re.compile(row.word).finditer(folded, floor, f_hi):
        if _cell_like(folded, m.start(), m.end()):
            return index[m.start()], index[m.end()]
    return None


def _folded_offset(index: list[int], original: int) -> int:
    """The first folded position whose original offset is >= original."""
    lo, hi = 0, len(index) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if index[mid] < original:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _closed_cells(text: str, start: int, end: int) -> int | None:
    """Cells closed by marks in text[start:end] after the number or label that ends at `start`: None
    when label words follow a mark (the row is over), else the marks that close cells minus the
    first (which closes the number or label itself)."""
    marks = 0
    content = True  # the number or label before `start`
    for ch in text[start:end]:
        if ch in "|\t":
            marks += 1
            content = False
        elif ch == "\n":
            if content:
                marks += 1
            content = False
        elif ch.isspace():
            continue
        elif ch.isalpha() and marks:
            return None
        else:
            content = True
    return max(0, marks - 1)


def _tokens(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[|\t\n]", text)]


def _na_status(text: str, row: Row, start: int, end: int, values: dict[str, Any]) -> dict[str, str]:
    """na or blank for the row's printed null cells (rule 4)."""
    tokens = _tokens(text[start:end])
    if tokens and parse_number(tokens[0]) is None and tokens[0] not in NA_MARKS:
        tokens = tokens[1:]  # the label
    if not any(t in NA_MARKS for t in tokens):
        return {}
    cells = tokens[:len(row.paths)]
    if len(cells) == len(row.paths) and all(
            (parse_number(t) is not None) == (values[p] is not None) for p, t in zip(row.paths, cells, strict=True)):
        return {p: "na" for p, t in zip(row.paths, cells, strict=True) if t in NA_MARKS}
    if "" in [t for t in tokens if t != tokens[-1]]:
        return {}
    return {p: "na" for p in row.paths if values[p] is None}


def _attach_spans(rows: list[Row], spans: list[Span]) -> None:
    """Each cell span onto its row (the second copy of a report pasted twice is left out)."""
    by_path = {p: row for row in rows for p in row.paths}
    seen: set[str] = set()
    for s in sorted(spans):
        path = labelset.cell_path(s.label)
        row = by_path.get(path or "")
        if row is None:
            continue
        if path in seen:  # the second copy of a report pasted twice: the first copy decides
            continue
        seen.add(path)
        row.spans.append(s)


def locate_rows(text: str, rows: list[Row]) -> None:
    """Where each row starts: its label before its first span, or (a row without spans) its label
    word standing like a cell between the rows around it, once its table is known to be printed."""
    folded, index = fold_with_map(text)
    announced = {r.table for r in rows if r.spans}  # tables known to be printed
    cursor = 0
    for i, row in enumerate(rows):
        if row.spans:
            first = min(s.start for s in row.spans)
            label = _find_label(folded, index, row, cursor, first, True)
            row.start = label[0] if label else first
            cursor = max(s.end for s in row.spans)
            continue
        nxt = next((min(s.start for s in r.spans) for r in rows[i + 1:] if r.spans), len(text))
        label = _find_label(folded, index, row, cursor, nxt, row.table in announced)
        if label is not None:
            row.start, row.after_label = label
            cursor = label[1]
            announced.add(row.table)


def _row_status(text: str, row: Row, end: int, whole: bool, values: dict[str, Any]) -> dict[str, str]:
    """blank or na for the null cells of a row found in text[row.start:end] (`whole`: the row is not
    the end of the text, so every cell of it was printed)."""
    assert row.start is not None
    status: dict[str, str] = {}
    last = max((s.end for s in row.spans), default=row.after_label or row.start)
    last_col = max((j for j, p in enumerate(row.paths) if values[p] is not None), default=-1)
    closed = None if whole else _closed_cells(text, last, end)
    for j, p in enumerate(row.paths):
        if values[p] is None and (j < last_col or closed is None or j - last_col <= closed):
            status[p] = "blank"
    status.update({p: s for p, s in _na_status(text, row, row.start, end, values).items() if p in status})
    return status


def table_rows(spans: list[Span], template: str | None) -> list[Row]:
    """The template's table rows in print order, each with its cell spans (not yet located: locate_rows)."""
    rows = _rows(template)
    _attach_spans(rows, spans)
    return rows


def cell_status(text: str, spans: list[Span], record: dict[str, Any]) -> dict[str, str]:
    """The status of every cell of the record's template (see the module docstring)."""
    template = record.get("template")
    values = {p: schema.get_path(record, p) for p in schema.cell_paths(template)}
    status = {p: ("number" if v is not None else "absent") for p, v in values.items()}
    rows = table_rows(spans, template)
    locate_rows(text, rows)
    headings = sorted(s.start for s in spans if s.label.startswith("H."))
    found = [r for r in rows if r.start is not None]
    for k, row in enumerate(found):
        assert row.start is not None
        end = found[k + 1].start if k + 1 < len(found) else len(text)
        last = max((s.end for s in row.spans), default=row.after_label or row.start)
        heading = next((h for h in headings if h >= last), None)
        whole = k + 1 < len(found) or heading is not None
        end = min(end, heading) if heading is not None else end
        assert end is not None
        status.update(_row_status(text, row, end, whole, values))
    return status
