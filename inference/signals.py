"""What the pipeline knows about a value beyond its tag probability: the features of its confidence.

``value_features(record, text, spans, provenance)`` -> {dotted path: {feature: float}} for every value
with provenance. ``confidence.py`` weighs them (weights fitted by ``scripts/fit_confidence.py``).

- checks: ``failed_identity`` / ``failed_text`` (failed checks the value takes part in), ``conflict``
  (the copies of a pasted-twice report disagree on it);
- table cells (``cell``): ``row_gaps``, the share of the row's cells that print no number (a row with
  blanks is where a number lands in the wrong column); ``geo_shift``, the number stands in another
  column than the one it was given when the cell marks after its row label are counted
  (``geometry.cell_indices``; tables 1 and 2); ``dropped``, a number printed in the same run of numbers
  was given no cell; ``mixed_rows``, that run was split over several rows; ``zero``, the value is 0;
  ``same_neighbours``, the share of its neighbouring columns holding the same value (a number moved
  one column among equal values is still right; a lone number in a row of blanks is not);
- entities: ``cut_before`` (the span starts right after a letter: a name cut at its head), ``agency``
  plus ``agency_rivals`` (share of AGENCY mentions that name another body);
- sections: ``sections_missing``, the share of the sections not found (a heading the model missed
  leaves its text inside a neighbour); ``holds_heading``, the section's text holds a line that is another
  section's heading, its ordinal and key words agreeing (二、主动公开政府信息情况 inside the overview);
- family intercepts ``cell``, ``entity``, ``agency``, ``section``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from govreport.core import schema
from govreport.core.checks import check_paths
from govreport.core.document import Span
from govreport.core.fold import fold
from govreport.core.numbers import number_units
from govreport.core.rules import fold_traditional, strip_pinyin
from govreport.inference.decode import _label_between
from govreport.inference.geometry import cell_indices
from govreport.inference.missed import KEY_WORDS

LOOK_BACK = 400  # characters searched back for a row label
_CELL_HEADS = ("proactive.", "requests.", "review_litigation.")
_LIST_NUMBER = re.compile(r"[.．、)）]")


def _check_counts(record: dict[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    template = record.get("template")
    for check in record.get("checks") or []:
        if isinstance(check, dict) and check.get("ok") is False:
            key = "failed_text" if check.get("kind") == "text" else "failed_identity"
            for path in check_paths(check, template):
                f = out.setdefault(path, {})
                f[key] = f.get(key, 0.0) + 1.0
    for conflict in record.get("conflicts") or []:
        if isinstance(conflict, dict) and isinstance(conflict.get("path"), str):
            out.setdefault(conflict["path"], {})["conflict"] = 1.0
    return out


def row_paths(path: str, template: str | None) -> list[str]:
    """The cell paths of the printed row a cell path belongs to, in column order."""
    return list(_row_paths(path, template))


@lru_cache(maxsize=2048)  # asked for every cell of a report; the paths are the schema's few hundred
def _row_paths(path: str, template: str | None) -> tuple[str, ...]:
    head, *rest = path.split(".")
    if head == "requests":
        return tuple(f"requests.{rest[0]}.{c}" for c in schema.T2_COLUMNS)
    if head == "review_litigation":
        return tuple(f"review_litigation.{g}.{c}" for g in schema.T3_GROUPS for c in schema.T3_COLUMNS)
    cols = schema.t1_shape(template).get(rest[0], {}).get(rest[1], [])
    return tuple(f"proactive.{rest[0]}.{rest[1]}.{c}" for c in cols)


def _runs(text: str, cells: dict[int, str]) -> list[list[tuple[int, int, str | None]]]:
    """Runs of printed numbers with no label text between them, each number with its cell path (or
    None), keeping only runs that hold a cell. A list number (``1.``) is not a table number."""
    runs: list[list[tuple[int, int, str | None]]] = []
    prev_end: int | None = None
    for s, e in number_units(text):
        path = cells.get(s)
        if path is None and _LIST_NUMBER.match(text, e):
            prev_end = None
            continue
        if prev_end is None or _label_between(text[prev_end:s]):
            runs.append([])
        runs[-1].append((s, e, path))
        prev_end = e
    return [r for r in runs if any(p for _, _, p in r)]


def _last_letter(text: str, pos: int) -> int | None:
    for i in range(pos - 1, max(-1, pos - LOOK_BACK - 1), -1):
        if text[i].isalpha():
            return i
    return None


def _geo_shift(text: str, start: int, path: str, columns: Sequence[str]) -> float:
    """1 when counting the cell marks after the row label (``geometry.cell_indices``, as the tagger's
    input does) puts the number in another column than ``path``'s."""
    a = _last_letter(text, start)
    if a is None or path not in columns:
        return 0.0
    return float(_last_cell(text[a:start + 1]) - 1 != columns.index(path))


@lru_cache(maxsize=4096)  # a report prints the same few row pieces (label, marks, number) again and again
def _last_cell(piece: str) -> int:
    return cell_indices(piece)[-1]


def _same_neighbours(record: dict[str, Any], path: str, columns: Sequence[str]) -> float:
    """Share of the cell's neighbouring columns that hold the same value (a shift among equal values
    costs nothing; a lone number in a row of blanks lands in a wrong column at full cost)."""
    if path not in columns:
        return 0.0
    i = columns.index(path)
    near = [columns[j] for j in (i - 1, i + 1) if 0 <= j < len(columns)]
    value = schema.get_path(record, path)
    return sum(schema.get_path(record, p) == value for p in near) / max(1, len(near))


def _cell_features(text: str, record: dict[str, Any], cells: dict[int, str]) -> dict[str, dict[str, float]]:
    status = record.get("cell_status") or {}
    template = record.get("template")
    out: dict[str, dict[str, float]] = {}
    row_gaps: dict[tuple[str, ...], float] = {}  # a row's share of cells without a number, once per row
    for run in _runs(text, cells):
        paths = [p for _, _, p in run if p]
        rows = {p.rsplit(".", 1)[0] for p in paths}
        for s, _, path in run:
            if path is None:
                continue
            columns = _row_paths(path, template)
            gaps = row_gaps.get(columns)
            if gaps is None:
                gaps = row_gaps[columns] = (sum(status.get(p, "number") != "number" for p in columns)
                                            / max(1, len(columns)))
            out[path] = {
                "cell": 1.0, "geo_shift": 0.0 if path.startswith("review_litigation.") else
                _geo_shift(text, s, path, columns), "row_gaps": gaps, "dropped": float(len(paths) < len(run)),
                "mixed_rows": float(len(rows) > 1), "zero": float(schema.get_path(record, path) == 0),
                "same_neighbours": _same_neighbours(record, path, columns),
            }
    return out


def _agency_rivals(text: str, spans: list[Span], chosen: str) -> float:
    """Share of AGENCY mentions naming another body (neither inside the chosen name nor holding it)."""
    name = fold(chosen)
    mentions = [fold(text[s.start:s.end]) for s in spans if s.label == "AGENCY"]
    if not mentions:
        return 0.0
    return sum(not (m in name or name in m) for m in mentions) / len(mentions)


def _entity_features(text: str, record: dict[str, Any], spans: list[Span], path: str,
                     where: list[int]) -> dict[str, float]:
    start = where[0]
    out = {"entity": 1.0, "cut_before": float(start > 0 and text[start - 1].isalpha())}
    if path == "agency" and isinstance(record.get("agency"), str):
        out.update(agency=1.0, agency_rivals=_agency_rivals(text, spans, record["agency"]))
    return out


def value_features(record: dict[str, Any], text: str | None, spans: list[Span],
                   provenance: Mapping[str, list[int]]) -> dict[str, dict[str, float]]:
    """Dotted path -> {feature: value} for every value with provenance (module docstring); features a
    value does not have are absent (0). Without ``text`` only the check features and intercepts."""
    checks = _check_counts(record)
    cells = {where[0]: path for path, where in provenance.items() if path.startswith(_CELL_HEADS)}
    table = _cell_features(text, record, cells) if text else {}
    out: dict[str, dict[str, float]] = {}
    for path, where in provenance.items():
        if path.startswith(_CELL_HEADS):
            f = dict(table.get(path) or {"cell": 1.0})
        else:
            f = _entity_features(text or "", record, spans, path, where)
        f.update(checks.get(path, {}))
        out[path] = f
    sections = record.get("sections") or {}
    missing = sum(v is None for v in sections.values()) / max(1, len(sections))
    for key, value in sections.items():
        if value is not None:
            out[f"sections.{key}"] = {"section": 1.0, "sections_missing": missing,
                                      "holds_heading": float(_holds_heading(key, value))}
    return out


_ORDINALS = "一二三四五六"
# A line that is a heading and nothing else: its ordinal (二、 第二部分 2.) and up to 30 characters, no
# sentence or table-cell punctuation (1.主动公开的信息与群众需求之间仍有差距。 is a list item, not a heading)
_HEADING_LINE = re.compile(r"^[ \t\u3000]*(?:([一二三四五六])[、.．]|第([一二三四五六])部分|([1-6])[、.．](?!\d))"
                           r"[ \t\u3000]*([^\n|\t。；;，,]{2,30}?)[ \t\u3000:：]*$", re.MULTILINE)


def _holds_heading(key: str, section_text: str) -> bool:
    """Does the text hold another section's heading line (one the model missed, so the text ran on)?"""
    for m in _HEADING_LINE.finditer(section_text):
        ordinal = m.group(1) or m.group(2) or _ORDINALS[int(m.group(3)) - 1]
        other = list(schema.SECTIONS)[_ORDINALS.index(ordinal)]
        words = fold_traditional(strip_pinyin(m.group(4)))
        if other != key and any(w in words for w in KEY_WORDS[other]):
            return True
    return False
