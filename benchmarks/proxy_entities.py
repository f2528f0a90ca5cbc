"""Entity span F1 of models that have not learnt a split: proxies for reports nobody has seen.

    python benchmarks/proxy_entities.py [--models runs/default-model runs/ab-no-real/model ...]

The shipped model has learnt annotations/train and was selected on annotations/dev, so its errors there
say little about unseen reports, and the gold set must not be used to write rules. Older or ablated
models have not learnt some of those reports: the stage-1 model (`runs/default-model`) and the A/B models
of `configs/ab/` (`runs/ab-*/model`, 3,000 steps; `ab-no-real` saw no real report at all) never saw dev.
Their train/dev errors after the span repairs are what the repairs of `inference/repair.py` and
`inference/missed.py` were written from; this script measures them. The models live under runs/ (not in
git: train them with the configs named in their training.json); a missing one is reported and skipped.
Writes benchmarks/results/proxy_entities.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from govreport.annotations.evaluate import Prediction, evaluate
from govreport.core.document import load_documents
from govreport.inference.extract import Extractor

REPO = Path(__file__).resolve().parents[1]
MODELS = ("runs/default-model", "runs/ab-no-real/model", "runs/ab-no-geometry/model", "runs/ab-all/model")


def entity_f1(extractor: Extractor, split: str) -> dict:
    docs = list(load_documents(REPO / "annotations" / split))
    preds = {d.id: Prediction(list((r := extractor.extract(d.text)).spans), r.record) for d in docs}
    report = evaluate(docs, preds)["spans"]
    fam, agency = report["families"]["entities"], report["labels"].get("AGENCY", {})
    return {"documents": len(docs), "entities_f1": fam["f1"], "agency_f1": agency.get("f1")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "proxy_entities.json"))
    args = ap.parse_args(argv)
    results = {}
    for name in args.models:
        model = REPO / name
        if not (model / "config.json").is_file():
            print(f"skipped {name}: no model there", file=sys.stderr)
            continue
        extractor = Extractor(model)
        results[name] = {split: entity_f1(extractor, split) for split in ("train", "dev")}
        r = results[name]
        print(f"{name}: entity F1 train {r['train']['entities_f1']:.3f}, dev {r['dev']['entities_f1']:.3f} "
              f"(AGENCY {r['train']['agency_f1']:.3f} / {r['dev']['agency_f1']:.3f})")
    Path(args.out).write_text(json.dumps({"command": "python benchmarks/proxy_entities.py", "models": results},
                                         indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
