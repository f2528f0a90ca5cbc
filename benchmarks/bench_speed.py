"""Tagger speed and size: latency for a 10k-character report, throughput, model size, peak memory,
cold start, for both backends: ONNX Runtime (model.onnx) and torch.

    python benchmarks/bench_speed.py [--model models/default] [--threads 2] [--out benchmarks/results/speed.json]

Texts are the seed reports (real text) repeated and cut to the wanted length; the figures are written
to a JSON file so the model card and the README can quote them with the command that made them. A model
without model.onnx is copied to a temporary directory and exported there for the ONNX figures. Targets
(issue 14, ONNX path): cold start <= 1.0 s, 10k characters after load <= 0.1 s, peak memory <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def bench(model_dir: Path, threads: int, lengths: tuple[int, ...] = (10_000, 40_000), repeats: int = 5,
          backend: str = "torch") -> dict:
    from govreport.inference.tagger import Tagger

    t0 = time.perf_counter()
    tagger = Tagger.from_pretrained(model_dir, threads=threads, backend=backend)
    load_s = time.perf_counter() - t0
    from govreport.inference.tagger import onnx_file_of

    weights = model_dir / (onnx_file_of(model_dir) if backend == "onnx" else "model.safetensors")
    out: dict = {
        "model": str(model_dir), "backend": backend, "threads": threads, "load_seconds": round(load_s, 3),
        "weights_file": weights.name,
        "weights_mb": round(weights.stat().st_size / 2**20, 2) if weights.exists() else None,
        "window": tagger.settings.window, "stride": tagger.settings.stride, "combine": tagger.settings.combine,
        "runs": {},
    }
    if tagger.model is not None:
        out["parameters"] = sum(p.numel() for p in tagger.model.parameters())
    tagger.tag(sample_text(2_000))  # warm-up
    for n in lengths:
        text = sample_text(n)
        times, cpu = [], []
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            tagger.tag(text)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        med = statistics.median(times)
        # CPU seconds too: on a machine shared with other jobs the wall time measures the queue
        out["runs"][str(n)] = {"median_seconds": round(med, 3), "min_seconds": round(min(times), 3),
                               "cpu_seconds": round(statistics.median(cpu), 3), "chars_per_second": round(n / med)}
    out["extract_10k"] = _extract_latency(tagger, sample_text(10_000), repeats)
    out["cold_start_extract_seconds"] = _cold_start(model_dir)
    return out


def _extract_latency(tagger, text: str, repeats: int) -> dict:
    """Whole extraction (normalise, tag, assemble, checks) of one report, model already loaded."""
    from govreport.inference.extract import Extractor

    ex = Extractor(tagger=tagger)
    ex.extract(text)  # warm-up
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        ex.extract(text)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"median_seconds": round(statistics.median(times), 3), "min_seconds": round(min(times), 3),
            "cpu_seconds": round(statistics.median(cpu), 3)}


def _cold_start(model_dir: Path, repeats: int = 3) -> dict:
    """`govreport extract FILE` as a user runs it: a new process that imports, loads the model, extracts
    (the backend is the one extract picks: ONNX when model_dir has model.onnx). Peak memory from
    `/usr/bin/time -v` of that process."""
    example = ROOT / "docs" / "examples" / "report.txt"
    times, peaks, cpu = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "govreport.cli", "extract", str(example),
                               "--model", str(model_dir)], check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        peaks.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024)
        cpu.append(sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr)))
    return {"median_seconds": round(statistics.median(times), 3), "min_seconds": round(min(times), 3),
            "cpu_seconds": round(statistics.median(cpu), 3),
            "file": str(example.relative_to(ROOT)), "chars": len(example.read_text(encoding="utf-8")),
            "peak_rss_mb": round(max(peaks), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--backends", default="onnx,torch")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "speed.json"))
    args = ap.parse_args()
    result: dict = {"command": "python benchmarks/bench_speed.py " + " ".join(sys.argv[1:])}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            model = Path(args.model)
            if backend == "onnx" and not any(model.glob("*.onnx")):
                from govreport.training.onnx_export import export_onnx

                model = Path(tmp) / "onnx-model"
                shutil.copytree(args.model, model)
                export_onnx(model)
            elif backend == "torch" and any(model.glob("*.onnx")):  # the cold start must use torch
                model = Path(tmp) / "torch-model"
                shutil.copytree(args.model, model, ignore=shutil.ignore_patterns("*.onnx"))
            result[backend] = bench(model, args.threads, repeats=args.repeats, backend=backend)
            result[backend]["model"] = args.model
            print(json.dumps(result[backend]), file=sys.stderr, flush=True)
    result["peak_rss_mb_this_process"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
