"""results.jsonl (from `govreport extract`) -> analyst tables, as CSV or Parquet.

Two tables:
- `cells`: one row per table cell per document (long format): path, sha256, template, report_year,
  table (proactive / requests / review_litigation), row, column, value, unit, confidence (the record's
  `confidence` of the cell, empty when it has none). Every cell of the document's template is listed; a
  cell the report does not give has an empty value (never 0).
- `documents`: one row per input (wide summary): identity fields, entity lists joined with "; ",
  counts of cells filled and checks failed, the headline totals, the lowest and mean value confidence
  and that of agency / report_year / published, and the error for failed inputs.

If an input appears on several lines (a re-run after the file changed or after an error; an input is
its resolved path, so the same file named two ways is one input), its last line wins.
CSV is written as UTF-8 with a byte order mark, so that spreadsheet programs show the Chinese text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govreport.core import schema

FORMATS = ("csv", "parquet")
CELL_COLUMNS = ["path", "sha256", "template", "report_year", "table", "row", "column", "value", "unit", "confidence"]
# documents: the lowest and the mean confidence over the record's values, and those of its entity fields
CONFIDENCE_COLUMNS: dict[str, str] = {"agency_confidence": "agency", "report_year_confidence": "report_year",
                                      "published_confidence": "published"}
COUNT_COLUMNS = ("sections_found", "cells_filled", "cells_total", "checks_failed", "checks_passed", "conflicts")
HEADLINE: dict[str, str] = {
    "requests_new_received": "requests.new_received.total",
    "requests_carried_over": "requests.carried_over.total",
    "requests_granted": "requests.granted.total",
    "requests_total_processed": "requests.total_processed.total",
    "requests_carried_forward": "requests.carried_forward.total",
    "review_total": "review_litigation.review.total",
    "litigation_direct_total": "review_litigation.litigation_direct.total",
    "litigation_after_review_total": "review_litigation.litigation_after_review.total",
}


class ExportError(Exception):
    pass


def load_results(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Lines of a results file, last line per path kept (in first-seen order); also the number of
    lines that were not JSON objects with a path (skipped)."""
    by_path: dict[str, dict[str, Any]] = {}
    bad = 0
    try:
        f = path.open("rb")
    except OSError as e:
        raise ExportError(f"{path}: cannot read: {e.strerror or e}") from e
    with f:
        for raw in f:
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                bad += 1
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("path"), str):
                bad += 1
                continue
            # one input = one resolved path (extract writes it; older lines only have "path")
            resolved = obj.get("resolved")
            key = resolved if isinstance(resolved, str) and resolved != "-" else obj["path"]
            if key == "-":
                key = f"-:{obj.get('sha256')}"  # standard input: each content is its own input
            by_path[key] = obj
    return list(by_path.values()), bad


def _unit_by_cell(record: dict[str, Any]) -> dict[str, str | None]:
    units: dict[str, str | None] = {}
    for a in record.get("amounts") or []:
        if isinstance(a, dict) and isinstance(a.get("cell"), str):
            units[a["cell"]] = a.get("unit")
    return units


def cell_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for line in results:
        record = line.get("record")
        if not isinstance(record, dict):
            continue
        template = record.get("template") if record.get("template") in schema.TEMPLATES else None
        units = _unit_by_cell(record)
        confidence = _confidence(record)
        for cp in schema.cell_paths(template):
            table, *middle, column = cp.split(".")
            value = schema.get_path(record, cp)
            rows.append({
                "path": line["path"], "sha256": line.get("sha256"), "template": template,
                "report_year": record.get("report_year"), "table": table, "row": ".".join(middle),
                "column": column, "value": _number_or_none(value),
                "unit": units.get(cp), "confidence": _number_or_none(confidence.get(cp)),
            })
    return rows


def _joined(values: Any) -> str | None:
    if not isinstance(values, list) or not values:
        return None
    return "; ".join(str(v) for v in values)


def document_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for line in results:
        record = line.get("record") if isinstance(line.get("record"), dict) else None
        source = line.get("source") if isinstance(line.get("source"), dict) else {}
        row: dict[str, Any] = {"path": line["path"], "sha256": line.get("sha256"), "error": line.get("error"),
                               "format": source.get("format"), "encoding": source.get("encoding"),
                               "warnings": _joined(source.get("warnings"))}
        if record is None:
            rows.append(row)
            continue
        template = record.get("template") if record.get("template") in schema.TEMPLATES else None
        leaders = [f"{ld.get('name') or ''}（{ld.get('title') or ''}）" for ld in record.get("leaders") or []
                   if isinstance(ld, dict)]
        cells = [schema.get_path(record, cp) for cp in schema.cell_paths(template)]
        checks = [c for c in record.get("checks") or [] if isinstance(c, dict)]
        sections = record.get("sections") if isinstance(record.get("sections"), dict) else {}
        row.update({
            "template": template, "report_year": record.get("report_year"), "agency": record.get("agency"),
            "published": record.get("published"), "leaders": _joined(leaders),
            **{key: _joined(record.get(key)) for key in ("phones", "emails", "urls", "addresses",
                                                          "postcodes", "doc_numbers")},
            "amounts": _joined([a.get("text") for a in record.get("amounts") or [] if isinstance(a, dict)]),
            "sections_found": sum(1 for k in schema.SECTIONS if sections.get(k)),
            "cells_filled": sum(1 for v in cells if isinstance(v, int | float)),
            "cells_total": len(cells),
            "checks_failed": sum(1 for c in checks if c.get("ok") is False),
            "checks_passed": sum(1 for c in checks if c.get("ok") is True),
            "conflicts": len(record.get("conflicts") or []),
            **{name: _number_or_none(schema.get_path(record, cp)) for name, cp in HEADLINE.items()},
            **_confidence_summary(record),
        })
        rows.append(row)
    return rows


def _confidence(record: dict[str, Any]) -> dict[str, Any]:
    conf = record.get(schema.CONFIDENCE_KEY)
    return conf if isinstance(conf, dict) else {}


def _confidence_summary(record: dict[str, Any]) -> dict[str, float | None]:
    """confidence_min / confidence_mean over the record's values and its entity fields' (None without)."""
    conf = _confidence(record)
    values = [v for v in conf.values() if _number_or_none(v) is not None]
    return {"confidence_min": min(values) if values else None,
            "confidence_mean": round(sum(values) / len(values), 4) if values else None,
            **{name: _number_or_none(conf.get(key)) for name, key in CONFIDENCE_COLUMNS.items()}}


def _number_or_none(v: Any) -> int | float | None:
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def export_tables(results_path: Path, out_dir: Path, fmt: str = "csv") -> dict[str, Any]:
    """Write `cells` and `documents` tables to out_dir; returns their paths and row counts."""
    import pandas as pd

    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose {' or '.join(FORMATS)})")
    results, bad = load_results(results_path)
    if not results:
        raise ExportError(f"{results_path}: no result lines to export")
    # object columns keep each number as extracted (49 stays 49 in CSV, not 49.0); blanks stay blank
    cells = pd.DataFrame(cell_rows(results), columns=CELL_COLUMNS, dtype=object)
    docs = pd.DataFrame(document_rows(results), dtype=object)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in (("cells", cells), ("documents", docs)):
        target = out_dir / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(target, index=False, encoding="utf-8-sig")
        else:
            frame = frame.copy()
            # Parquet columns need one type: numbers as float64 (amounts keep decimals), years as Int64.
            for col in ("value", "confidence", *HEADLINE, "confidence_min", "confidence_mean",
                        *CONFIDENCE_COLUMNS):
                if col in frame:
                    frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
            for col in ("report_year", *COUNT_COLUMNS):
                if col in frame:
                    frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
            frame.to_parquet(target, index=False)
        paths[name] = str(target)
    return {"files": paths, "documents": len(docs), "cells": len(cells), "skipped_lines": bad}
