"""Batch throughput of `govreport extract` for --jobs 1 and 2, and peak memory of the process tree.

    python benchmarks/bench_batch.py [--model models/default] [--n 200] [--jobs 1 2]
                                     [--out benchmarks/results/batch.json] [--fake] [--accuracy 15]

Inputs: n synthetic reports (govreport.training.synth.generate; the hand-written sample if it is missing) in
mixed formats, one fifth each: UTF-8 .txt, GB18030 .txt, .html, .docx, .pdf. Each --jobs value runs
`govreport extract DIR --out FILE --jobs N` in a fresh process (model loading included in the wall
time); the summed RSS of the whole process tree is sampled every 0.1 s for the peak. --fake replaces the
model with the test stand-in (measures reading and batch overhead only). Reading alone is also timed
per format, in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govreport.paths import DEFAULT_MODEL, is_model_dir

ROOT = Path(__file__).resolve().parents[1]  # the checkout these scripts live in

sys.path.insert(0, str(ROOT / "tests"))  # the fixture renderer lives with the tests

FORMATS = ("txt-utf8", "txt-gb18030", "html", "docx", "pdf")


def write_inputs(directory: Path, n: int, seed: int) -> dict[str, int]:
    from fixtures_render import report_texts, to_docx, to_html, to_pdf

    counts = dict.fromkeys(FORMATS, 0)
    for i, text in enumerate(report_texts(n, seed)):
        fmt = FORMATS[i % len(FORMATS)]
        name = directory / f"r{i:04d}"
        if fmt == "txt-utf8":
            name.with_suffix(".txt").write_text(text, encoding="utf-8")
        elif fmt == "txt-gb18030":
            name.with_suffix(".txt").write_bytes(text.encode("gb18030"))
        elif fmt == "html":
            name.with_suffix(".html").write_bytes(to_html(text))
        elif fmt == "docx":
            name.with_suffix(".docx").write_bytes(to_docx(text))
        else:
            name.with_suffix(".pdf").write_bytes(to_pdf(text))
        counts[fmt] += 1
    return counts


def read_times(directory: Path) -> dict[str, dict[str, float]]:
    """Seconds per file spent in the readers alone, by extension."""
    from govreport.inference.readers import read_path

    by_ext: dict[str, list[float]] = {}
    for p in sorted(directory.iterdir()):
        t = time.perf_counter()
        read_path(p)
        by_ext.setdefault(p.suffix, []).append(time.perf_counter() - t)
    return {ext: {"files": len(ts), "mean_ms": round(1000 * sum(ts) / len(ts), 2)} for ext, ts in by_ext.items()}


def format_accuracy(model: Path, n: int, seed: int) -> dict[str, dict[str, float]]:
    """Same synthetic report, four formats: share of table cells equal to the generator's record
    (all cells, and cells that hold a number), and agency right. Shows what conversion costs."""
    from fixtures_render import to_docx, to_html, to_pdf

    from govreport.core import schema
    from govreport.inference.batch import model_extract_fn
    from govreport.inference.readers import read_bytes
    from govreport.training.synth import generate

    extract = model_extract_fn(str(model))
    renders = {"txt": lambda t: t.encode("utf-8"), "html": to_html, "docx": to_docx, "pdf": to_pdf}
    tally = {fmt: [0, 0, 0, 0, 0] for fmt in renders}
    for doc, _ in generate(n, seed):
        paths = schema.cell_paths(doc.record.get("template"))
        gold = {p: schema.get_path(doc.record, p) for p in paths}
        for fmt, render in renders.items():
            record = extract(read_bytes(render(doc.text), f"x.{fmt}").text)
            got = {p: schema.get_path(record, p) for p in paths}
            t = tally[fmt]
            t[0] += sum(got[p] == gold[p] for p in paths)
            t[1] += len(paths)
            t[2] += sum(got[p] == gold[p] for p in paths if gold[p] is not None)
            t[3] += sum(gold[p] is not None for p in paths)
            t[4] += record.get("agency") == doc.record.get("agency")
    return {fmt: {"cells_equal": round(t[0] / t[1], 4), "filled_cells_equal": round(t[2] / max(1, t[3]), 4),
                  "agency_right": round(t[4] / n, 4)} for fmt, t in tally.items()}


def _tree_rss_kb(pid: int) -> int:
    """Summed VmRSS of pid and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def run_once(directory: Path, out: Path, jobs: int, model: Path, fake: bool) -> dict:
    if fake:
        code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
                "from fake_extractor import fake_factory; "
                "from govreport.inference.batch import expand_inputs, run_batch; "
                "run_batch(expand_inputs([sys.argv[2]])[0], fake_factory(), out=Path(sys.argv[3]), "
                "jobs=int(sys.argv[4]), progress=False)")
        cmd = [sys.executable, "-c", code, str(ROOT / "tests"), str(directory), str(out), str(jobs)]
    else:
        cmd = [sys.executable, "-m", "govreport.cli", "extract", str(directory), "--out", str(out),
               "--jobs", str(jobs), "--model", str(model)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the CLI and its (joined) workers
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    errors = [x for x in lines if "error" in x]
    return {
        "jobs": jobs, "exit_code": proc.returncode, "wall_seconds": round(wall, 2),
        "reports": len(lines), "errors": len(errors),
        "first_errors": [f"{x['path']}: {x['error']}" for x in errors[:3]],
        "reports_per_second": round(len(lines) / wall, 3) if wall else None,
        "peak_tree_rss_mb": round(peak / 1024, 1),
        # cores actually used; well under --jobs means the machine was busy with other work
        "cpu_seconds": round(cpu, 1), "cores_used": round(cpu / wall, 2) if wall else None,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "stderr_tail": stderr.strip().splitlines()[-1:] if proc.returncode not in (0, 1) else [],
    }


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--fake", action="store_true", help="no model: time reading and batching only")
    ap.add_argument("--accuracy", type=int, default=0, metavar="N",
                    help="also extract N synthetic reports from each format and compare with their records")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "batch.json"))
    args = ap.parse_args()
    model = Path(args.model)
    if not args.fake and not is_model_dir(model):
        sys.exit(f"no model at {model}; train one first or use --fake")
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        inputs = Path(tmp) / "inputs"
        inputs.mkdir()
        counts = write_inputs(inputs, args.n, args.seed)
        result = {
            "command": " ".join(["python benchmarks/bench_batch.py", *sys.argv[1:]]),
            "model": None if args.fake else _shown(model), "fake_extractor": args.fake,
            "inputs": {"n": args.n, "seed": args.seed, "formats": counts,
                       "megabytes": round(sum(p.stat().st_size for p in inputs.iterdir()) / 2**20, 2)},
            "read_only": read_times(inputs),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "load_average_at_start": os.getloadavg()},
            "runs": [],
        }
        for jobs in args.jobs:
            run = run_once(inputs, Path(tmp) / f"results_j{jobs}.jsonl", jobs, model, args.fake)
            result["runs"].append(run)
            print(json.dumps(run, ensure_ascii=False), flush=True)
        if args.accuracy and not args.fake:
            result["format_accuracy"] = {"n": args.accuracy, "seed": 7,
                                         **format_accuracy(model, args.accuracy, seed=7)}
            print(json.dumps(result["format_accuracy"]), flush=True)
        base = result["runs"][0]["reports_per_second"]
        for run in result["runs"]:
            run["speedup_vs_first"] = round(run["reports_per_second"] / base, 2) if base else None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
