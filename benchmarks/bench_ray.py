"""What Ray costs against local workers, and what one Ray actor (so one added core) extracts.

    taskset -c 1 python benchmarks/bench_ray.py [--model models/default] [--n 200] [--num-cpus 2]
                                                [--address HOST:PORT] [--out benchmarks/results/ray.json]

Inputs: bench_batch.py's n synthetic reports in mixed formats (.txt UTF-8 and GB18030, .html, .docx,
.pdf). Runs, each `govreport extract DIR --out FILE` in a fresh driver process (model loading
included):
  1. `--jobs 2` (local worker processes, the reference);
  2. `--ray ADDRESS` with one actor per cluster CPU (`--num-cpus`, default 2: the same two workers);
  3. `--ray ADDRESS --ray-actors 1`: one actor's rate, what each added core brings.
For each: wall time, reports/s, the time to the first line (start-up: connecting, actors, model loads)
and the steady rate between first and last line, and the driver's own CPU seconds per input (hashing,
shipping bytes, writing lines: the ceiling of one driver).

Without --address the script starts a one-node cluster as a user would (`ray start --head --block`, on
127.0.0.2: Ray rewrites 127.0.0.1 to the machine's outward address) in a process group of its own, and
stops that group at the end (not `ray stop`, which would stop every Ray process of the machine).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govreport.paths import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_batch import write_inputs  # noqa: E402  (a sibling script, not a package)


def run_once(directory: Path, out: Path, extra: list[str], model: Path, env: dict[str, str]) -> dict:
    cmd = [sys.executable, "-m", "govreport.cli", "extract", str(directory), "--out", str(out),
           "--model", str(model), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stamps: list[tuple[float, int]] = []  # (seconds, lines in the output) whenever the count changes
    while proc.poll() is None:
        n = out.read_bytes().count(b"\n") if out.exists() else 0
        if not stamps or stamps[-1][1] != n:
            stamps.append((time.perf_counter() - t0, n))
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    first = next((t for t, n in stamps if n > 0), None)
    steady = None
    if first is not None and len(lines) > 1:
        last = next(t for t, n in stamps if n == len(lines))
        steady = round((len(lines) - 1) / (last - first), 3) if last > first else None
    return {
        "args": extra, "exit_code": proc.returncode, "wall_seconds": round(wall, 2), "reports": len(lines),
        "errors": sum("error" in x for x in lines),
        "reports_per_second": round(len(lines) / wall, 3) if wall else None,
        "seconds_to_first_line": round(first, 2) if first is not None else None,
        "steady_reports_per_second": steady,
        # with --ray the actors are not children of the driver: this is the driver alone
        "child_cpu_seconds": round(cpu, 1),
        "stderr_tail": stderr.strip().splitlines()[-2:] if proc.returncode not in (0, 1) else [],
    }


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--num-cpus", type=int, default=2, help="CPUs of the cluster this script starts")
    ap.add_argument("--address", help="use this running cluster instead of starting one")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "ray.json"))
    args = ap.parse_args()
    model = Path(args.model)
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    address = args.address
    started: dict | None = None
    ray = shutil.which("ray") or "ray"
    if address is None:
        env |= {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
        address = f"127.0.0.2:{_free_port('127.0.0.2')}"
        t = time.perf_counter()
        head = subprocess.Popen([ray, "start", "--head", "--block", "--port", address.split(":")[1],
                                 "--node-ip-address", "127.0.0.2", "--num-cpus", str(args.num_cpus),
                                 "--disable-usage-stats"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        probe = "import ray; ray.init(address=%r, logging_level='WARNING'); print(ray.cluster_resources()['CPU'])"
        subprocess.run([sys.executable, "-c", probe % address], env=env, check=True, capture_output=True)
        started = {"command": f"ray start --head --node-ip-address 127.0.0.2 --num-cpus {args.num_cpus}",
                   "seconds_until_a_driver_connected": round(time.perf_counter() - t, 2)}
    try:
        with tempfile.TemporaryDirectory(prefix="bench_ray_") as tmp:
            inputs = Path(tmp) / "inputs"
            inputs.mkdir()
            counts = write_inputs(inputs, args.n, args.seed)
            result: dict = {
                "command": " ".join(["taskset -c 1 python benchmarks/bench_ray.py", *sys.argv[1:]]),
                "model": str(model.resolve().relative_to(ROOT)) if model.resolve().is_relative_to(ROOT) else str(model),
                "inputs": {"n": args.n, "seed": args.seed, "formats": counts},
                "machine": {"cpus": os.cpu_count(), "cpus_allowed": sorted(os.sched_getaffinity(0)),
                            "python": platform.python_version(), "load_average_at_start": os.getloadavg()},
                "cluster": {"address": address, "started": started}, "runs": {},
            }
            for name, extra in (("jobs_2", ["--jobs", "2"]), ("ray", ["--ray", address]),
                                ("ray_1_actor", ["--ray", address, "--ray-actors", "1"])):
                run = run_once(inputs, Path(tmp) / f"{name}.jsonl", extra, model, env)
                result["runs"][name] = run
                print(name, json.dumps(run, ensure_ascii=False), flush=True)
    finally:
        if started:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(head.pid, sig)
                time.sleep(10 if sig == signal.SIGTERM else 1)
            head.wait()
    runs = result["runs"]
    local, remote, one = runs["jobs_2"], runs["ray"], runs["ray_1_actor"]
    driver_s = remote["child_cpu_seconds"] / max(1, remote["reports"])
    result["summary"] = {
        "ray_vs_jobs_2_throughput": round(remote["reports_per_second"] / local["reports_per_second"], 3),
        "ray_extra_seconds_to_first_line": round(remote["seconds_to_first_line"] - local["seconds_to_first_line"], 2),
        "ray_steady_vs_jobs_2_steady": round(remote["steady_reports_per_second"]
                                             / local["steady_reports_per_second"], 3),
        "per_actor_reports_per_second": one["steady_reports_per_second"],
        "driver_cpu_seconds_per_report": round(driver_s, 4),
        "driver_ceiling_reports_per_second": round(1 / driver_s, 1) if driver_s else None,
        "estimate": "each added machine with C free cores adds about C x per_actor_reports_per_second "
                    "(one actor per core), until the driver's ceiling",
    }
    print(json.dumps(result["summary"], indent=2))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
