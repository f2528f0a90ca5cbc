"""Torch vs ONNX vs int8 ONNX: value-level cell F1 (as `govreport evaluate` computes it), size and speed.

    python benchmarks/compare_onnx.py [--model models/default] [--sets annotations/gold,annotations/dev]
                                      [--out benchmarks/results/onnx_compare.json]

The model directory is copied to a temporary directory; model.onnx is exported there when the model has
none, and model.int8.onnx is made with onnxruntime's dynamic quantisation (int8 weights). Each backend
extracts every document of each set with the full pipeline; the figures are `govreport evaluate`'s
(annotations.evaluate.evaluate): value-level cell F1, cell accuracy, span F1. Rule (issue 14): ship int8
only if value-level cell F1 on the gold set and on the real dev split drops by <= 0.1 point (0.001).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from govreport.paths import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
MAX_DROP = 0.001  # 0.1 point of F1


def scores(tagger, docs) -> dict:
    from govreport.annotations.evaluate import Prediction, evaluate
    from govreport.inference.extract import Extractor

    extractor = Extractor(tagger=tagger)
    preds = {}
    t = time.perf_counter()
    for doc in docs:
        res = extractor.extract(doc.text)
        preds[doc.id] = Prediction(list(res.spans), res.record)
    seconds = time.perf_counter() - t
    report = evaluate(docs, preds)
    values = report["record"]["values"]["overall"]
    return {"value_f1": values["f1"], "value_tp_fp_fn": [values["tp"], values["fp"], values["fn"]],
            "cells_accuracy": report["record"]["cells"]["overall"]["accuracy"],
            "span_f1": report["spans"]["overall"]["f1"], "extract_seconds": round(seconds, 2),
            "chars": sum(len(d.text) for d in docs)}


def latency(tagger, text: str, repeats: int = 5) -> float:
    tagger.tag(text[:2000])
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        tagger.tag(text)
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--sets", default="annotations/gold,annotations/dev")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "onnx_compare.json"))
    args = ap.parse_args()

    from govreport.annotations.evaluate import load_gold
    from govreport.inference.tagger import INT8_FILE, ONNX_FILE, Tagger
    from govreport.training.onnx_export import export_onnx, quantize_int8

    sets = {Path(s).name: load_gold(Path(s)) for s in args.sets.split(",") if Path(s).is_dir()}
    sample = "".join(d.text for docs in sets.values() for d in docs)
    sample = (sample * (10_000 // max(len(sample), 1) + 1))[:10_000]
    result: dict = {"command": "python benchmarks/compare_onnx.py " + " ".join(sys.argv[1:]), "model": args.model,
                    "sets": {k: len(v) for k, v in sets.items()}, "backends": {}}
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "model"
        shutil.copytree(args.model, model)
        if not (model / ONNX_FILE).is_file():
            export_onnx(model)
        quantize_int8(model / ONNX_FILE, model / INT8_FILE)
        taggers = {
            "torch": lambda: Tagger.from_pretrained(model, args.threads, backend="torch"),
            "onnx": lambda: Tagger.from_pretrained(model, args.threads, backend="onnx", onnx_file=ONNX_FILE),
            "onnx_int8": lambda: Tagger.from_pretrained(model, args.threads, backend="onnx", onnx_file=INT8_FILE),
        }
        files = {"torch": "model.safetensors", "onnx": ONNX_FILE, "onnx_int8": INT8_FILE}
        for name, load in taggers.items():
            tagger = load()
            entry = {"file_mb": round((model / files[name]).stat().st_size / 2**20, 2),
                     "tag_10k_seconds": latency(tagger, sample)}
            for set_name, docs in sets.items():
                entry[set_name] = scores(tagger, docs)
            result["backends"][name] = entry
            print(name, json.dumps(entry), file=sys.stderr, flush=True)
    base = result["backends"]["onnx"]
    int8 = result["backends"]["onnx_int8"]
    drops = {s: round((base[s]["value_f1"] or 0) - (int8[s]["value_f1"] or 0), 4) for s in sets}
    result["int8_value_f1_drop"] = drops
    result["ship_int8"] = all(d <= MAX_DROP for d in drops.values())
    result["rule"] = "ship int8 only if value-level cell F1 drops by <= 0.1 point on every set"
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "backends"}, indent=1))


if __name__ == "__main__":
    main()
