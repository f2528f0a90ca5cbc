"""govreport.inference.export_tables and `govreport export`: long cell table and per-document summary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from govreport import cli
from govreport.core import schema
from govreport.inference.export_tables import ExportError, export_tables


def record_2019() -> dict:
    r = schema.empty_record("2019")
    r.update(report_year=2020, agency="东川县青禾镇人民政府", phones=["0871-6123456", "0871-6123457"])
    r["requests"]["new_received"]["total"] = 49
    r["requests"]["new_received"]["natural_person"] = 0
    r["proactive"]["art20_9"]["centralized_procurement"]["total_amount"] = 477.35
    r["amounts"] = [{"text": "477.35", "value": 477.35, "unit": "万元",
                     "cell": "proactive.art20_9.centralized_procurement.total_amount"}]
    r["checks"] = [{"identity": 1, "where": "requests.total", "expected": 49, "found": 52, "ok": False},
                   {"identity": 4, "where": "review_litigation.review", "expected": 0, "found": 0, "ok": True}]
    return r


def write_results(path: Path) -> None:
    r2021 = schema.empty_record("2021")
    r2021["proactive"]["art20_6"]["administrative_penalty"]["decisions"] = 187
    lines = [
        {"path": "a.txt", "sha256": "old", "record": schema.empty_record("2019")},
        {"path": "b.html", "sha256": "b1", "source": {"format": "html", "encoding": "gb18030", "warnings": []},
         "record": r2021},
        {"path": "scan.pdf", "sha256": "c1", "error": "PDF has no text layer"},
        {"path": "a.txt", "sha256": "new", "source": {"format": "text", "encoding": "utf-8", "warnings": []},
         "record": record_2019()},
    ]
    text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    path.write_text(text + "not json\n", encoding="utf-8")


def test_csv_long_and_wide_tables(tmp_path: Path) -> None:
    res = tmp_path / "results.jsonl"
    write_results(res)
    info = export_tables(res, tmp_path / "out", "csv")
    assert info["skipped_lines"] == 1 and info["documents"] == 3
    cells = pd.read_csv(tmp_path / "out" / "cells.csv", encoding="utf-8-sig", keep_default_na=True)
    assert len(cells) == len(schema.cell_paths("2019")) + len(schema.cell_paths("2021"))
    a = cells[cells.path == "a.txt"]
    assert (a.sha256 == "new").all()  # the later line for a path wins
    row = a[(a.table == "requests") & (a.row == "new_received")].set_index("column")
    assert row.loc["total", "value"] == 49 and row.loc["natural_person", "value"] == 0
    assert pd.isna(row.loc["commercial", "value"])  # not given -> empty, never 0
    money = a[(a.row == "art20_9.centralized_procurement") & (a.column == "total_amount")].iloc[0]
    assert money.value == pytest.approx(477.35) and money.unit == "万元"
    raw = (tmp_path / "out" / "cells.csv").read_text(encoding="utf-8-sig")
    assert ",49," in raw and "49.0" not in raw and "477.35" in raw  # numbers written as extracted
    b = cells[(cells.path == "b.html") & (cells.row == "art20_6.administrative_penalty")]
    assert b.value.tolist() == [187]

    docs = pd.read_csv(tmp_path / "out" / "documents.csv", encoding="utf-8-sig").set_index("path")
    assert docs.loc["scan.pdf", "error"] == "PDF has no text layer"
    assert docs.loc["a.txt", "agency"] == "东川县青禾镇人民政府"
    assert docs.loc["a.txt", "phones"] == "0871-6123456; 0871-6123457"
    assert docs.loc["a.txt", "checks_failed"] == 1 and docs.loc["a.txt", "checks_passed"] == 1
    assert docs.loc["a.txt", "cells_filled"] == 3
    assert docs.loc["a.txt", "requests_new_received"] == 49
    assert docs.loc["b.html", "encoding"] == "gb18030"


def test_parquet_has_typed_columns(tmp_path: Path) -> None:
    res = tmp_path / "results.jsonl"
    write_results(res)
    export_tables(res, tmp_path / "pq", "parquet")
    cells = pd.read_parquet(tmp_path / "pq" / "cells.parquet")
    assert cells.value.dtype == "float64"
    assert cells.value.notna().sum() == 4
    docs = pd.read_parquet(tmp_path / "pq" / "documents.parquet")
    assert str(docs.report_year.dtype) == "Int64" and str(docs.checks_failed.dtype) == "Int64"
    assert set(docs.path) == {"a.txt", "b.html", "scan.pdf"}


@pytest.mark.parametrize("content,message", [(None, "cannot read"), ("", "no result lines"),
                                             ("garbage\n", "no result lines")])
def test_export_errors(tmp_path: Path, content: str | None, message: str) -> None:
    res = tmp_path / "r.jsonl"
    if content is not None:
        res.write_text(content)
    with pytest.raises(ExportError, match=message):
        export_tables(res, tmp_path / "o")


def test_cli_export(tmp_path: Path, capsys) -> None:
    res = tmp_path / "results.jsonl"
    write_results(res)
    assert cli.main(["export", str(res), "--format", "csv", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr()
    assert "cells.csv" in out.out and "skipped 1 malformed" in out.err
    assert cli.main(["export", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o")]) == 1
