"""Tagger speed and size: latency for a 10k-character report, throughput, model size, peak memory.

    python benchmarks/bench_speed.py [--model models/default] [--threads 2] [--out benchmarks/results/speed.json]

Texts are the seed reports (real text) repeated and cut to the wanted length; the figures are written
to a JSON file so the model card and the README can quote them with the command that made them.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from govreport.paths import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]  # the checkout these scripts live in
SHARED = ROOT.parent / "shared"


def sample_text(n_chars: int) -> str:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    base = "".join(p.read_text(encoding="utf-8") for p in seeds)
    if not base:  # no shared/ beside the repo: fall back to a synthetic report
        from govreport.training.synth import generate

        base = "".join(doc.text for doc, _ in generate(5, 0))
    return (base * (n_chars // max(len(base), 1) + 1))[:n_chars]


def bench(model_dir: Path, threads: int, lengths: tuple[int, ...] = (10_000, 40_000), repeats: int = 5) -> dict:
    from govreport.inference.tagger import Tagger

    t0 = time.perf_counter()
    tagger = Tagger.from_pretrained(model_dir, threads=threads)
    load_s = time.perf_counter() - t0
    weights = model_dir / "model.safetensors"
    out: dict = {
        "model": str(model_dir), "threads": threads, "load_seconds": round(load_s, 3),
        "model_mb": round(sum(p.stat().st_size for p in model_dir.iterdir() if p.is_file()) / 2**20, 2),
        "weights_mb": round(weights.stat().st_size / 2**20, 2) if weights.exists() else None,
        "parameters": sum(p.numel() for p in tagger.model.parameters()),
        "window": tagger.settings.window, "stride": tagger.settings.stride, "runs": {},
    }
    tagger.tag(sample_text(2_000))  # warm-up
    for n in lengths:
        text = sample_text(n)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            tagger.tag(text)
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        out["runs"][str(n)] = {"median_seconds": round(med, 3), "min_seconds": round(min(times), 3),
                               "chars_per_second": round(n / med)}
    out["extract_10k"] = _extract_latency(model_dir, threads, sample_text(10_000), repeats)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["cold_start_extract_seconds"] = _cold_start(model_dir)
    return out


def _extract_latency(model_dir: Path, threads: int, text: str, repeats: int) -> dict:
    """Whole extraction (normalise, tag, assemble, checks) of one report, model already loaded."""
    from govreport.inference.extract import Extractor

    ex = Extractor.from_pretrained(model_dir)
    ex.extract(text)  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        ex.extract(text)
        times.append(time.perf_counter() - t)
    return {"median_seconds": round(statistics.median(times), 3), "min_seconds": round(min(times), 3)}


def _cold_start(model_dir: Path, repeats: int = 3) -> dict:
    """`govreport extract FILE` as a user runs it: a new process that imports, loads the model, extracts."""
    example = ROOT / "docs" / "examples" / "report.txt"
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "govreport.cli", "extract", str(example), "--model", str(model_dir)],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return {"median_seconds": round(statistics.median(times), 3), "file": str(example.relative_to(ROOT)),
            "chars": len(example.read_text(encoding="utf-8")),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "speed.json"))
    args = ap.parse_args()
    result = bench(Path(args.model), args.threads, repeats=args.repeats)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
