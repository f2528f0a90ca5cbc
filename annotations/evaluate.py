"""`govreport evaluate`: predicted Documents (or a model run on the gold texts) against the gold set.

Figures, overall and per document:
- spans: seqeval (mode="strict", scheme=IOB2) on character-level IOB2 sequences: P/R/F1 per label,
  per family (govreport.core.labels.family) and micro overall. With zero_division=0, as seqeval; a figure
  with neither gold nor predicted spans is None (not applicable), not 0.
- record: exact-match accuracy of every table cell of the gold template (nulls included: both null
  is correct), of each entity field (lists compared as sets), and agreement of the identity checks
  (same ok per (identity, where); a check missing on one side counts as ok=None there).
A missing prediction is an empty one: no spans, every record value null.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.checks import run_checks
from govreport.core.document import Document, Span, document_paths, read_document
from govreport.core.numbers import same_value
from govreport.core.scores import _tags, span_scores, value_outcome, value_prf
from govreport.inference.extract import Extractor
from govreport.paths import is_model_dir

TABLES: dict[str, str] = {"proactive": "table1", "requests": "table2", "review_litigation": "table3"}
LIST_FIELDS: tuple[str, ...] = ("phones", "emails", "addresses", "postcodes", "urls", "doc_numbers")
FIELDS: tuple[str, ...] = ("template", "report_year", "agency", "published", "leaders", *LIST_FIELDS, "amounts",
                           *(f"sections.{k}" for k in schema.SECTIONS))
_SHORT = {"sections": "sec", "table1": "t1", "table2": "t2", "table3": "t3", "entities": "ent"}
WORST = 10  # how many worst documents / fields / cells / labels are listed


@dataclass
class Prediction:
    spans: list[Span] = field(default_factory=list)
    record: dict[str, Any] | None = None
    missing: bool = False


def span_errors(text: str, gold: list[Span], pred: list[Span]) -> dict[str, list[dict[str, Any]]]:
    """Gold spans not predicted exactly (missed) and predicted spans not in gold (spurious)."""
    g, p = set(gold), set(pred)
    def show(s: Span) -> dict[str, Any]:
        return {"start": s.start, "end": s.end, "label": s.label, "text": text[s.start:s.end]}
    return {"missed": [show(s) for s in sorted(g - p)], "spurious": [show(s) for s in sorted(p - g)]}


# --- record level -----------------------------------------------------------------------------
def _record_cell_paths(record: dict[str, Any]) -> list[str]:
    out = []
    for top in TABLES:
        def walk(node: Any, path: str) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, f"{path}.{k}")
            else:
                out.append(path)
        walk(record.get(top) or {}, top)
    return out


def _field_value(record: dict[str, Any], name: str) -> Any:
    """A field in a comparable form: lists as sets (leaders as (name, title), amounts as tuples)."""
    if name.startswith("sections."):
        return (record.get("sections") or {}).get(name.split(".", 1)[1])
    value = record.get(name)
    if name == "leaders":
        return frozenset((x.get("name"), x.get("title")) for x in value or [] if isinstance(x, dict))
    if name == "amounts":
        return frozenset((x.get("text"), _as_float(x.get("value")), x.get("unit"), x.get("cell"))
                         for x in value or [] if isinstance(x, dict))
    if name in LIST_FIELDS:
        return frozenset(v for v in value or [] if isinstance(v, str))
    return value


def _as_float(v: Any) -> Any:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


def _jsonable(v: Any) -> Any:
    if isinstance(v, frozenset):
        return sorted((list(x) if isinstance(x, tuple) else x for x in v), key=str)
    return v


def _checks_of(record: dict[str, Any]) -> dict[tuple[int, str], Any]:
    checks = record.get("checks")
    if not isinstance(checks, list):
        checks = run_checks(record)
    return {(c.get("identity"), c.get("where")): c.get("ok") for c in checks if isinstance(c, dict)}


# The record fields an analyst groups and compares reports by (issue 15's headline): each right or wrong
# per document. agency counts as right when it is the gold name or one of its printed aliases; leaders by
# name; sections by which ones are present.
KEY_FIELDS: tuple[str, ...] = ("template", "report_year", "agency", "published", "phones", "emails",
                               "leader_names", "sections_present")


def key_field_scores(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, bool]:
    def names(r: dict[str, Any]) -> set[Any]:
        return {x.get("name") for x in r.get("leaders") or [] if isinstance(x, dict)}

    def present(r: dict[str, Any]) -> set[str]:
        return {k for k, v in (r.get("sections") or {}).items() if v}

    agencies = {gold.get("agency"), *(gold.get("agency_aliases") or [])} if gold.get("agency") else {None}
    return {
        "template": gold.get("template") == pred.get("template"),
        "report_year": gold.get("report_year") == pred.get("report_year"),
        "agency": pred.get("agency") in agencies,
        "published": gold.get("published") == pred.get("published"),
        "phones": set(gold.get("phones") or []) == set(pred.get("phones") or []),
        "emails": set(gold.get("emails") or []) == set(pred.get("emails") or []),
        "leader_names": names(gold) == names(pred),
        "sections_present": present(gold) == present(pred),
    }


def record_scores(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, Any]:
    """Cells, fields and checks of one predicted record against its gold record."""
    paths = list(schema.cell_paths(gold.get("template")))
    paths += [p for p in _record_cell_paths(gold) if p not in set(paths)]
    cells = {t: {"correct": 0, "total": 0} for t in (*TABLES.values(), "overall")}
    values = {t: {"tp": 0, "fp": 0, "fn": 0} for t in (*TABLES.values(), "overall")}
    wrong_cells = []
    for path in paths:
        g, p = schema.get_path(gold, path), schema.get_path(pred, path)
        ok = same_value(g, p)
        for t in (TABLES[path.split(".", 1)[0]], "overall"):
            cells[t]["total"] += 1
            cells[t]["correct"] += ok
            for key, n in value_outcome(g, p).items():
                values[t][key] += n
        if not ok:
            wrong_cells.append({"path": path, "gold": g, "pred": p})
    for c in cells.values():
        c["accuracy"] = c["correct"] / c["total"] if c["total"] else None
    for v in values.values():
        v.update(value_prf(v))
    fields, wrong_fields = {}, []
    for name in FIELDS:
        g, p = _field_value(gold, name), _field_value(pred, name)
        fields[name] = g == p if not isinstance(g, int | float) else same_value(g, p)
        if not fields[name]:
            wrong_fields.append({"field": name, "gold": _jsonable(g), "pred": _jsonable(p)})
    gc, pc = _checks_of(gold), _checks_of(pred)
    keys = list(gc) + [k for k in pc if k not in gc]
    wrong_checks = [{"identity": k[0], "where": k[1], "gold": gc.get(k), "pred": pc.get(k)}
                    for k in keys if gc.get(k) != pc.get(k)]
    checks = {"agree": len(keys) - len(wrong_checks), "total": len(keys),
              "agreement": (len(keys) - len(wrong_checks)) / len(keys) if keys else None}
    key_fields = key_field_scores(gold, pred)
    return {"cells": cells, "values": values, "fields": fields, "key_fields": key_fields, "checks": checks,
            "errors": {"cells": wrong_cells, "fields": wrong_fields, "checks": wrong_checks}}


# --- predictions ------------------------------------------------------------------------------
def _run_model(gold: list[Document], model: Path, warn: list[str],
               save_dir: Path | None) -> dict[str, Prediction]:
    """Predictions of the model directory `model` on the gold texts (saved as Documents in `save_dir`)."""
    out: dict[str, Prediction] = {}
    extractor = Extractor(model)
    for doc in gold:
        try:
            res = extractor.extract(doc.text)
            out[doc.id] = Prediction(list(res.spans), res.record)
        except Exception as e:  # one failing document must not hide the others' figures
            warn.append(f"{doc.id}: the model failed ({type(e).__name__}: {e}); counted as an empty prediction")
            out[doc.id] = Prediction(missing=True)
        if save_dir is not None:
            Document(doc.id, doc.text, out[doc.id].spans, out[doc.id].record,
                     {"split": "pred", "model": str(model)}).save(Path(save_dir) / f"{doc.id}.json")
    return out


def _read_predictions(gold: list[Document], pred: Path, warn: list[str]) -> dict[str, Prediction]:
    """Predictions from a directory of Documents, matched to the gold ones by id (and text)."""
    by_id: dict[str, Document] = {}
    for p in document_paths(pred):
        doc, err = read_document(p)
        if doc is None:
            warn.append(f"{p}: {err}; ignored")
        else:
            by_id.setdefault(doc.id, doc)
    extra = sorted(set(by_id) - {d.id for d in gold})
    if extra:
        warn.append(f"{len(extra)} prediction(s) with no gold document ignored: {', '.join(extra[:5])}")
    out: dict[str, Prediction] = {}
    for doc in gold:
        p = by_id.get(doc.id)
        if p is None:
            out[doc.id] = Prediction(missing=True)
        elif p.text != doc.text:
            warn.append(f"{doc.id}: predicted text differs from the gold text; its spans are ignored")
            out[doc.id] = Prediction([], p.record)
        else:
            out[doc.id] = Prediction(p.spans, p.record)
    return out


def load_predictions(gold: list[Document], pred: Path, warn: list[str],
                     save_dir: Path | None = None) -> dict[str, Prediction]:
    """Predictions by gold id, from a directory of Documents or by running a model directory."""
    pred = Path(pred)
    if is_model_dir(pred):
        return _run_model(gold, pred, warn, save_dir)
    if not pred.exists():
        raise FileNotFoundError(f"predictions not found: {pred} (give a directory of predicted Documents, or a "
                                "model directory holding config.json)")
    return _read_predictions(gold, pred, warn)


# --- the report -------------------------------------------------------------------------------
def _sum_values(per_doc: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for t in (*TABLES.values(), "overall"):
        c = {k: sum(d["record"]["values"][t][k] for d in per_doc if d.get("record")) for k in ("tp", "fp", "fn")}
        out[t] = {**c, **value_prf(c)}
    return out


def _sum_cells(per_doc: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for t in (*TABLES.values(), "overall"):
        correct = sum(d["record"]["cells"][t]["correct"] for d in per_doc if d.get("record"))
        total = sum(d["record"]["cells"][t]["total"] for d in per_doc if d.get("record"))
        out[t] = {"correct": correct, "total": total, "accuracy": correct / total if total else None}
    return out


def _doc_score(d: dict[str, Any]) -> float:
    figures = [d["spans"]["overall"]["f1"]]
    if d.get("record"):
        r = d["record"]
        figures += [r["cells"]["overall"]["accuracy"], r["fields_accuracy"], r["checks"]["agreement"]]
    figures = [f for f in figures if f is not None]
    return sum(figures) / len(figures) if figures else 1.0


def evaluate(gold: list[Document], preds: dict[str, Prediction], warn: list[str] | None = None) -> dict[str, Any]:
    """Every figure, overall and per document, plus where to look (worst documents, fields, cells, labels)."""
    warn = [] if warn is None else warn
    per_doc = []
    pairs = []
    for doc in gold:
        pred = preds.get(doc.id) or Prediction(missing=True)
        _, dropped = _tags(len(doc.text), pred.spans)
        if dropped:
            warn.append(f"{doc.id}: {len(dropped)} predicted span(s) out of range or overlapping, ignored")
        if _tags(len(doc.text), doc.spans)[1]:
            warn.append(f"{doc.id}: gold spans out of range or overlapping (run `govreport annotate validate`)")
        drop = set(dropped)
        pred_spans = [s for s in pred.spans if s not in drop]
        pair = (len(doc.text), doc.spans, pred_spans)
        pairs.append(pair)
        d: dict[str, Any] = {"id": doc.id, "missing_prediction": pred.missing, "spans": span_scores([pair]),
                             "span_errors": span_errors(doc.text, doc.spans, pred_spans)}
        if doc.record is None:
            warn.append(f"{doc.id}: the gold document has no record; record figures skip it")
        else:
            rec = record_scores(doc.record, pred.record if isinstance(pred.record, dict) else schema.empty_record())
            rec["fields_accuracy"] = sum(rec["fields"].values()) / len(rec["fields"])
            d["record"] = rec
        per_doc.append(d)
    with_record = [d for d in per_doc if d.get("record")]
    fields = {}
    for name in FIELDS:
        n = sum(d["record"]["fields"][name] for d in with_record)
        fields[name] = {"correct": n, "total": len(with_record), "accuracy": n / len(with_record) if with_record
                        else None}
    key_right = sum(sum(d["record"]["key_fields"].values()) for d in with_record)
    key_total = len(KEY_FIELDS) * len(with_record)
    key_fields = {"correct": key_right, "total": key_total, "accuracy": key_right / key_total if key_total else None,
                  "wrong": [{"id": d["id"], "field": k} for d in with_record
                            for k, ok in d["record"]["key_fields"].items() if not ok]}
    agree = sum(d["record"]["checks"]["agree"] for d in with_record)
    total = sum(d["record"]["checks"]["total"] for d in with_record)
    spans = span_scores(pairs)
    wrong_cells = Counter(c["path"] for d in with_record for c in d["record"]["errors"]["cells"])
    return {
        "documents": len(gold),
        "missing_predictions": sum(d["missing_prediction"] for d in per_doc),
        "spans": spans,
        "record": {
            "values": _sum_values(per_doc),
            "cells": _sum_cells(per_doc),
            "key_fields": key_fields,
            "fields": fields,
            "checks": {"agree": agree, "total": total, "agreement": agree / total if total else None},
        },
        "per_document": per_doc,
        "worst": {
            "documents": [{"id": d["id"], "score": round(_doc_score(d), 4)}
                          for d in sorted(per_doc, key=_doc_score)[:WORST] if _doc_score(d) < 1.0],
            "fields": [{"field": k, **v} for k, v in sorted(fields.items(), key=lambda kv: kv[1]["accuracy"])
                       if v["accuracy"] is not None and v["accuracy"] < 1.0][:WORST],
            "cells": [{"path": p, "wrong_in": n} for p, n in wrong_cells.most_common(WORST)],
            "labels": [{"label": k, **v} for k, v in sorted(spans["labels"].items(), key=lambda kv: kv[1]["f1"])
                       if v["f1"] < 1.0][:WORST],
        },
        "warnings": warn,
    }


def load_gold(gold_dir: Path) -> list[Document]:
    docs = []
    for p in document_paths(Path(gold_dir)):
        doc, err = read_document(p)
        if doc is None:
            raise ValueError(f"{p}: {err}")
        docs.append(doc)
    if not docs:
        raise ValueError(f"no gold documents (*.json) in {gold_dir}")
    return docs


def evaluate_paths(gold_dir: Path, pred: Path, save_pred: Path | None = None) -> dict[str, Any]:
    warn: list[str] = []
    gold = load_gold(gold_dir)
    preds = load_predictions(gold, pred, warn, save_pred)
    report = evaluate(gold, preds, warn)
    report["gold"], report["pred"] = str(gold_dir), str(pred)
    return report


# --- terminal ---------------------------------------------------------------------------------
def _f(x: float | None) -> str:
    return "    —" if x is None else f"{x:5.3f}"


def _prf_row(name: str, s: dict[str, Any], width: int) -> str:
    return (f"  {name:<{width}} {_f(s['precision'])}  {_f(s['recall'])}  {_f(s['f1'])}  "
            f"{s['support']:>6} {s['predicted']:>6}")


def format_report(report: dict[str, Any], per_label: bool = True) -> str:
    """The figures of `evaluate` as readable tables."""
    lines = [f"govreport evaluate: {report['documents']} documents"
             + (f" (gold {report['gold']}, pred {report['pred']})" if "gold" in report else "")
             + (f"; {report['missing_predictions']} without prediction (counted empty)"
                if report["missing_predictions"] else ""), ""]
    sp = report["spans"]
    width = max([24, *(len(k) for k in sp["labels"])]) if per_label else 24
    head = f"  {'':<{width}} {'prec':>5}  {'rec':>5}  {'f1':>5}  {'gold':>6} {'pred':>6}"
    lines += ["Spans (seqeval strict IOB2, character level)", head]
    lines += [_prf_row(fam, s, width) for fam, s in sp["families"].items()]
    lines += [_prf_row("overall (micro)", sp["overall"], width), ""]
    rec = report["record"]
    lines += ["Record: value-level cell F1 (printed numbers; a number where the gold is null is an FP)",
              f"  {'':<10} {'tp':>6} {'fp':>5} {'fn':>5}  {'prec':>5}  {'rec':>5}  {'f1':>5}"]
    lines += [f"  {t:<10} {v['tp']:>6} {v['fp']:>5} {v['fn']:>5}  {_f(v['precision'])}  {_f(v['recall'])}  "
              f"{_f(v['f1'])}" for t, v in rec["values"].items()]
    lines += ["", "Record: table cells (exact match, nulls included; secondary)",
              f"  {'':<10} {'correct':>8} {'total':>6}  acc"]
    lines += [f"  {t:<10} {c['correct']:>8} {c['total']:>6}  {_f(c['accuracy'])}" for t, c in rec["cells"].items()]
    kf = rec["key_fields"]
    lines += ["", f"Record fields (template, year, agency or an alias, published, phones, emails, leader names, "
              f"sections present): {kf['correct']}/{kf['total']}  {_f(kf['accuracy'])}"]
    lines += [f"  wrong: {w['id']} {w['field']}" for w in kf["wrong"]]
    lines += ["", "Record: fields (exact match per document)"]
    lines += [f"  {name:<28} {v['correct']:>3}/{v['total']:<3} {_f(v['accuracy'])}"
              for name, v in rec["fields"].items()]
    ch = rec["checks"]
    lines += ["", f"Identity checks agreeing: {ch['agree']}/{ch['total']}  {_f(ch['agreement'])}", ""]
    lines += ["Per document", f"  {'id':<28} {'span f1':>7} {'val f1':>6} {'cells':>6} {'fields':>6} {'checks':>6}  "
              "families f1 "
              f"({'/'.join(_SHORT[f] for f in labelset.FAMILIES)})"]
    for d in report["per_document"]:
        r = d.get("record")
        fam = " ".join(_f(s["f1"]).strip() for s in d["spans"]["families"].values())
        lines.append(f"  {d['id'][:28]:<28} {_f(d['spans']['overall']['f1']):>7} "
                     f"{_f(r['values']['overall']['f1']) if r else '    —':>6} "
                     f"{_f(r['cells']['overall']['accuracy']) if r else '    —':>6} "
                     f"{_f(r['fields_accuracy']) if r else '    —':>6} "
                     f"{_f(r['checks']['agreement']) if r else '    —':>6}  {fam}"
                     + ("  (no prediction)" if d["missing_prediction"] else ""))
    if per_label and sp["labels"]:
        lines += ["", "Spans per label", head]
        lines += [_prf_row(lab, s, width) for lab, s in sp["labels"].items()]
    w = report["worst"]
    lines += ["", "Where to look"]
    by_id = {d["id"]: d for d in report["per_document"]}
    for item in w["documents"]:
        d = by_id[item["id"]]
        errs = d.get("record", {}).get("errors", {})
        what = [f"{len(d['span_errors']['missed'])} missed / {len(d['span_errors']['spurious'])} spurious spans"]
        if errs:
            cells = ", ".join(f"{c['path']} {json.dumps(c['gold'])}→{json.dumps(c['pred'])}" for c in errs["cells"][:3])
            what += [f"{len(errs['cells'])} wrong cells" + (f" (e.g. {cells})" if cells else ""),
                     "fields " + ", ".join(e["field"] for e in errs["fields"]) if errs["fields"] else "fields ok"]
        lines.append(f"  document {item['id']} (score {item['score']:.3f}): " + "; ".join(what))
    lines += [f"  field {x['field']}: {x['correct']}/{x['total']} right" for x in w["fields"]]
    lines += [f"  cell {x['path']}: wrong in {x['wrong_in']} document(s)" for x in w["cells"]]
    lines += [f"  label {x['label']}: f1 {x['f1']:.3f} (gold {x['support']}, pred {x['predicted']})"
              for x in w["labels"]]
    if len(lines) and lines[-1] == "Where to look":
        lines.append("  nothing: every figure is 1.0")
    if report.get("warnings"):
        lines += ["", "Warnings"] + [f"  {x}" for x in report["warnings"]]
    return "\n".join(lines) + "\n"


def write_json(report: dict[str, Any], path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
