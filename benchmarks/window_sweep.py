"""The inference-window trade-off of a trained model, without retraining: value F1 on every evaluation
set and the time of a 10k-character extract for (window, stride) overrides of the tagger's settings.

    python benchmarks/window_sweep.py [--model models/default] [--threads 1] [--rounds 10]
                                      [--pairs 512,320 512,448 384,352 256,224 ...]
                                      [--out benchmarks/results/window_sweep.json]

Sets as benchmarks/eval_subsets.py (seeds, real, dev, synthetic); the value F1 is the figure it prints.
The first pair is the reference (by default the model's own setting, listed first); a setting is
"no_loss" when its value F1 is at least the reference's on every set. Times: the extract of
benchmarks/bench_speed.py's 10k-character text (model loaded), the settings taken in turn within each
round, so a load that drifts on a shared machine hits them alike; min and median wall, min CPU, and the
part inside ONNX Runtime's session.run (the network; the rest is Python). The int8 graph quantises a
run's activations together, so a window's scores depend on the window run beside it: differences of a
few values on the synthetic set are within that noise; compare settings on all four sets.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_speed import sample_text  # noqa: E402
from eval_subsets import evaluation_sets, run, summary  # noqa: E402

from govreport.core.normalize import normalize  # noqa: E402
from govreport.inference.extract import Extractor  # noqa: E402
from govreport.inference.tagger import Tagger, window_starts  # noqa: E402


class _NetworkClock:
    """Seconds spent inside the ONNX session's run (0 for a runner without a session)."""

    def __init__(self, tagger: Tagger) -> None:
        self.seconds = 0.0
        session = getattr(tagger.runner, "session", None)
        if session is not None:
            inner = session.run

            def timed(*args: Any, **kwargs: Any) -> Any:
                t = time.perf_counter()
                try:
                    return inner(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - t

            session.run = timed


Pair = tuple[int, int]  # (window, stride)


def time_settings(tagger: Tagger, pairs: Sequence[Pair], text: str, rounds: int) -> dict[Pair, dict]:
    """Per (window, stride): the extract of ``text``, the settings interleaved round by round."""
    base = tagger.settings
    clock = _NetworkClock(tagger)
    ex = Extractor(tagger=tagger)
    samples: dict[tuple[int, int], list[tuple[float, float, float]]] = {p: [] for p in pairs}
    n = len(normalize(text, base.normalize).text)
    try:
        for p in pairs:  # warm-up: each shape once
            tagger.settings = dataclasses.replace(base, window=p[0], stride=p[1])
            ex.extract(text)
        for _ in range(rounds):
            for p in pairs:
                tagger.settings = dataclasses.replace(base, window=p[0], stride=p[1])
                clock.seconds = 0.0
                t, c = time.perf_counter(), time.process_time()
                ex.extract(text)
                samples[p].append((time.perf_counter() - t, time.process_time() - c, clock.seconds))
    finally:
        tagger.settings = base
    out = {}
    for p, rows in samples.items():
        wall, cpu, net = ([r[i] for r in rows] for i in range(3))
        out[p] = {"windows": len(window_starts(n, p[0] - 2, p[1])),
                  "wall_min_ms": round(min(wall) * 1000, 1), "wall_median_ms": round(statistics.median(wall) * 1000, 1),
                  "cpu_min_ms": round(min(cpu) * 1000, 1), "network_min_ms": round(min(net) * 1000, 1)}
    return out


def score_settings(tagger: Tagger, pairs: Sequence[Pair], sets: dict[str, list]) -> dict[Pair, dict]:
    """Per (window, stride): value F1 and [tp, fp, fn] on every set."""
    base = tagger.settings
    ex = Extractor(tagger=tagger)
    out = {}
    try:
        for p in pairs:
            tagger.settings = dataclasses.replace(base, window=p[0], stride=p[1])
            reports = run(ex, sets)
            out[p] = {name: {"value_f1": summary(r)["value_f1"], "tp_fp_fn": summary(r)["values_tp_fp_fn"]}
                      for name, r in reports.items()}
    finally:
        tagger.settings = base
    return out


def sweep(tagger: Tagger, pairs: Sequence[tuple[int, int]], sets: dict[str, list], text: str,
          rounds: int) -> list[dict]:
    """One row per pair (the first is the reference): scores, times and whether it loses nothing."""
    scores = score_settings(tagger, pairs, sets)
    times = time_settings(tagger, pairs, text, rounds)
    ref = scores[pairs[0]]
    return [{"window": p[0], "stride": p[1], "sets": scores[p], **times[p],
             "no_loss": all((scores[p][k]["value_f1"] or 0) >= (ref[k]["value_f1"] or 0) for k in ref)}
            for p in pairs]


def markdown(rows: list[dict]) -> str:
    names = list(rows[0]["sets"]) if rows else []
    head = ["window", "stride", "windows (10k)", *(f"{k} value F1" for k in names), "10k extract CPU ms (min)",
            "network ms (min)", "no loss"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in rows:
        cells = [str(r["window"]), str(r["stride"]), str(r["windows"]),
                 *(f"{(r['sets'][k]['value_f1'] or 0):.4f}" for k in names),
                 str(r["cpu_min_ms"]), str(r["network_min_ms"]), "yes" if r["no_loss"] else "no"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _pair(value: str) -> tuple[int, int]:
    window, stride = (int(x) for x in value.split(","))
    if window < 3 or stride < 1:
        raise argparse.ArgumentTypeError(f"window,stride with window >= 3 and stride >= 1, not {value!r}")
    return window, stride


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(REPO / "models" / "default"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--pairs", type=_pair, nargs="+",
                    default=[(512, 448), (512, 480), (384, 288), (384, 352), (256, 192), (256, 224)])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "window_sweep.json"))
    args = ap.parse_args(argv)
    tagger = Tagger.from_pretrained(args.model, threads=args.threads)
    own = (tagger.settings.window, tagger.settings.stride)
    pairs = [own, *(p for p in args.pairs if p != own)]
    rows = sweep(tagger, pairs, evaluation_sets(), sample_text(10_000), args.rounds)
    result = {"command": "python benchmarks/window_sweep.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "model": args.model, "threads": args.threads, "reference": list(own), "rows": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
