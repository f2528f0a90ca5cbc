"""Fit the per-value confidence weights (configs/confidence.json) on data that is not evaluated on.

    taskset -c 1 python scripts/fit_confidence.py        # 200 synthetic docs of seed 424242 + annotations/train

Every document is extracted with the model; each value with a confidence becomes one example: its
features (``confidence.features_of``: tag logit, checks, row geometry, …) and whether it is right
(``benchmarks/calibration.py``'s ``is_right`` against the document's record). An L2-regularised
logistic regression (numpy, Newton steps; intercepts not shrunk) gives the weights. The gold set and
annotations/dev are never read: ``benchmarks/calibration.py`` measures the result on them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from govreport.core.document import Document, load_documents
from govreport.inference.confidence import FEATURES, INTERCEPTS, WEIGHTS, features_of, tag_logit
from govreport.inference.extract import Extractor

ROOT = Path(__file__).resolve().parents[1]
SEED, N = 424242, 200  # the synthetic dev seed is 100001, the training seed 1


def _is_right() -> Any:
    spec = importlib.util.spec_from_file_location("calibration", ROOT / "benchmarks" / "calibration.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.is_right


def documents(n: int, seed: int, train: Path) -> Iterator[tuple[str, Document]]:
    from govreport.training.synth import generate

    for doc in load_documents(train):
        yield "train", doc
    for doc, _ in generate(n, seed):
        yield "synthetic", doc


def examples(extractor: Extractor, docs: Iterator[tuple[str, Document]]) -> list[dict[str, Any]]:
    is_right = _is_right()
    out = []
    for source, doc in docs:
        result = extractor.extract(doc.text, offsets=True)
        rec = result.record
        # as assemble sees it: section provenance is added after the confidence
        prov = {k: v for k, v in (rec.get("provenance") or {}).items() if not k.startswith("sections.")}
        for path, (score, f) in features_of(rec, result.spans, result.scores or {}, prov, doc.text).items():
            out.append({"source": source, "doc": doc.id, "path": path, "score": score, "features": f,
                        "right": bool(is_right(path, rec, doc.record or {}))})
    return out


def matrix(rows: list[dict[str, Any]], names: tuple[str, ...] = FEATURES) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[tag_logit(r["score"]) if name == "tag_logit" else r["features"].get(name, 0.0)
                   for name in names] for r in rows], dtype=np.float64)
    return x, np.array([r["right"] for r in rows], dtype=np.float64)


def fit(x: np.ndarray, y: np.ndarray, l2: float, names: tuple[str, ...] = FEATURES, steps: int = 50) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (no shrinkage on the intercepts)."""
    w = np.zeros(x.shape[1])
    shrink = np.array([0.0 if name in INTERCEPTS else l2 for name in names])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + shrink * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(shrink + 1e-6)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    ap.add_argument("--n", type=int, default=N)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--train", type=Path, default=ROOT / "annotations" / "train")
    ap.add_argument("--l2", type=float, default=0.3)  # chosen by 2-fold cross-validation on the same data
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    args = ap.parse_args(argv)
    if args.seed == 100001:
        ap.error("seed 100001 is the synthetic dev set: fit on another seed")
    rows = examples(Extractor.from_pretrained(args.model), documents(args.n, args.seed, args.train))
    x, y = matrix(rows)
    w = fit(x, y, args.l2)
    train = args.train.resolve()
    where = {"synthetic": f"{args.n} generated documents of seed {args.seed}",
             "train": str(train.relative_to(ROOT) if train.is_relative_to(ROOT) else train)}
    counts = {src: {"documents": where[src], "values": sum(r["source"] == src for r in rows),
                    "wrong": sum(r["source"] == src and not r["right"] for r in rows)} for src in where}
    out = {"command": f"python scripts/fit_confidence.py --n {args.n} --seed {args.seed} --l2 {args.l2}",
           "fitted_on": counts,
           "weights": {name: round(float(v), 4) for name, v in zip(FEATURES, w, strict=True)}}
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
