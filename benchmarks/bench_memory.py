"""Peak memory and wall time of `govreport extract` on one long file: 100 kB, 1 MB and 20 MB.

    python benchmarks/bench_memory.py [--model models/default] [--sizes 100000,1000000,20000000]
                                      [--out benchmarks/results/memory.json]

Inputs are synthetic reports (govreport.training.synth.generate) joined by blank lines up to each size
in UTF-8 bytes, written to a temporary directory. Each runs in its own process under `/usr/bin/time -v`
(peak RSS = "Maximum resident set size"); the figures go to a JSON file the README quotes. Target
(issue 12): peak RSS <= 600 MB at 1 MB and at 20 MB, time growing linearly with the size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govreport.inference.tagger import onnx_file_of
from govreport.paths import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]


def report_like(n_bytes: int, seed: int = 1000) -> str:
    """Synthetic reports joined by blank lines, just over ``n_bytes`` UTF-8 bytes."""
    from govreport.training.synth import generate

    parts: list[str] = []
    size, batch = 0, 0
    while size < n_bytes:
        for doc, _layout in generate(50, seed + batch):
            parts.append(doc.text)
            size += len(doc.text.encode("utf-8")) + 2
            if size >= n_bytes:
                break
        batch += 1
    return "\n\n".join(parts)


def measure(path: Path, model: Path) -> dict:
    """One `govreport extract FILE` under /usr/bin/time -v."""
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "govreport.cli", "extract", str(path), "--model", str(model),
           "--max-bytes", str(max(path.stat().st_size, 20 * 1024 * 1024))]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"extract failed on {path}: {proc.stderr[-2000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    text = path.read_text(encoding="utf-8")
    return {"bytes": path.stat().st_size, "chars": len(text), "peak_rss_mb": round(peak_kb / 1024, 1),
            "wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "chars_per_second": round(len(text) / wall),
            "record_cells_filled": _filled(json.loads(proc.stdout))}


def _filled(record: dict) -> int:
    n = 0
    for key in ("proactive", "requests", "review_litigation"):
        stack = [record.get(key)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                stack.extend(node.values())
            elif node is not None:
                n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--sizes", default="100000,1000000,20000000", help="input sizes in UTF-8 bytes")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "memory.json"))
    args = ap.parse_args()
    model = Path(args.model)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"report_{size}.txt"
            path.write_text(report_like(size), encoding="utf-8")
            runs.append(measure(path, model))
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    graph = onnx_file_of(model)  # the graph extract runs (the int8 one when present), as the tagger picks it
    backend = f"onnxruntime ({graph})" if (model / graph).is_file() else "torch"
    result = {"command": "python benchmarks/bench_memory.py " + " ".join(sys.argv[1:]), "model": str(model),
              "backend": backend, "cpus": len(os.sched_getaffinity(0)), "runs": runs,
              "target": "peak RSS <= 600 MB at 1 MB and 20 MB; time linear in size"}
    runs.sort(key=lambda r: r["bytes"])
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        result["time_ratio_per_size_ratio"] = round((last["wall_seconds"] / first["wall_seconds"])
                                                    / (last["chars"] / first["chars"]), 3)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
