"""The model's figures on every evaluation set, as the README and the model card quote them.

    python benchmarks/eval_subsets.py [--model models/default] [--decoders] [--out benchmarks/results]

Sets: the 5 seeds and the 12 real excerpts (annotations/gold: evaluation only), the real dev split
(annotations/dev: used for model selection, so not an unseen-data figure) and 40 synthetic dev reports
(the training config's dev seed). Writes eval_<set>.json (the full `govreport evaluate` report) and
summary.json; prints a Markdown table. ``--decoders`` also scores the decoder steps off (the A/B rows).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from govreport.annotations.evaluate import Prediction, evaluate
from govreport.core.document import Document, load_documents
from govreport.inference.decode import DecodeOptions
from govreport.inference.extract import Extractor
from govreport.training.synth import generate

REPO = Path(__file__).resolve().parents[1]


def evaluation_sets() -> dict[str, list[Document]]:
    gold = list(load_documents(REPO / "annotations" / "gold"))
    synthetic = [doc for doc, _ in generate(40, 100001)]
    return {
        "seeds": [d for d in gold if d.id.startswith("seed")],
        "real": [d for d in gold if d.id.startswith("real")],
        "dev": list(load_documents(REPO / "annotations" / "dev")),
        "synthetic": synthetic,
    }


def summary(report: dict) -> dict:
    rec = report["record"]
    return {
        "value_f1": rec["values"]["overall"]["f1"],
        "value_f1_by_table": {t: v["f1"] for t, v in rec["values"].items() if t != "overall"},
        "values_tp_fp_fn": [rec["values"]["overall"][k] for k in ("tp", "fp", "fn")],
        "cells_exact_with_nulls": rec["cells"]["overall"]["accuracy"],
        "key_fields": rec["key_fields"]["accuracy"],
        "key_fields_wrong": rec["key_fields"]["wrong"],
        "span_f1": report["spans"]["overall"]["f1"],
        "entities_f1": report["spans"]["families"]["entities"]["f1"],
        "sections_f1": report["spans"]["families"]["sections"]["f1"],
    }


def run(extractor: Extractor, sets: dict[str, list[Document]]) -> dict[str, dict]:
    out = {}
    for name, docs in sets.items():
        preds = {}
        for doc in docs:
            result = extractor.extract(doc.text)
            preds[doc.id] = Prediction(list(result.spans), result.record)
        out[name] = evaluate(docs, preds)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(REPO / "models" / "default"))
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    ap.add_argument("--decoders", action="store_true", help="also score with the decoder steps turned off")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sets = evaluation_sets()
    extractor = Extractor(args.model)
    reports = run(extractor, sets)
    for name, report in reports.items():
        (out / f"eval_{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n",
                                              encoding="utf-8")
    table = {"model": str(args.model), "sets": {k: summary(r) for k, r in reports.items()}}
    if args.decoders:
        tagger = extractor.tagger
        settings = tagger.settings
        variants = {"no structured rows": DecodeOptions(pool_numbers=True, structured=False),
                    "no pooled numbers, no structured rows": DecodeOptions(pool_numbers=False, structured=False)}
        table["decoder_ab"] = {}
        for label, opts in variants.items():
            tagger.settings = dataclasses.replace(settings, decode=opts)
            table["decoder_ab"][label] = {k: summary(r)["value_f1"] for k, r in run(extractor, sets).items()}
        tagger.settings = settings
    (out / "summary.json").write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("| set | value F1 | cells exact (nulls incl.) | record fields | span F1 | entities F1 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, s in table["sets"].items():
        print(f"| {name} | {s['value_f1']:.4f} | {s['cells_exact_with_nulls']:.4f} | {s['key_fields']:.4f} | "
              f"{s['span_f1']:.4f} | {s['entities_f1'] or 0:.4f} |")
    for label, row in table.get("decoder_ab", {}).items():
        print(f"decoder {label}: " + ", ".join(f"{k} {v:.4f}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
