"""`govreport extract --ray` on a real local Ray cluster, started the way a user starts one: `ray start
--head` on loopback and a second node process joining it (one CPU each, so the two actors land on two
nodes). Each run is its own driver process, as the command is. The fake extractor stands in for the
model; the actors import it through the PYTHONPATH the nodes were started with, as they would import
govreport itself on a real machine.

Loopback: Ray turns 127.0.0.1 and localhost into the machine's outward address (so that other machines
can reach the node), but not the rest of 127.0.0.0/8; the cluster runs on 127.0.0.2."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_extractor import fake_factory
from fixtures_render import sample_report

from govreport import cli
from govreport.inference import batch, ray_batch
from govreport.inference.batch import BatchError

ray = pytest.importorskip("ray", reason="ray is not installed: pip install -e '.[ray]'")
pytestmark = pytest.mark.ray
TESTS = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        return s.getsockname()[1]


def start_node(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`ray start ARGS --block` in a process group of its own: the node's daemons and workers stay in that
    group, so the test stops exactly what it started (`ray stop` would stop every Ray process of the
    machine, another user's cluster included)."""
    return subprocess.Popen([shutil.which("ray") or "ray", "start", *args, "--block"], env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def stop_node(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            proc.poll()
            if subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True).returncode != 0:
                return
            time.sleep(0.2)


def wait_for_port(host: str, port: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.3)
    raise AssertionError(f"no Ray head on {host}:{port}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """HOST:PORT of a two-node cluster on loopback; both nodes are always stopped at the end."""
    if not shutil.which("ray"):
        pytest.skip("the ray command is not on PATH")
    logs = tmp_path_factory.mktemp("ray_logs")
    port = _free_port()
    # Token authentication, as a real cluster should run: every node and the driver get the token (here
    # by environment, on machines by RAY_AUTH_TOKEN_PATH), and nothing is written to ~/.ray.
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32), "RAY_USAGE_STATS_ENABLED": "0"}
    env = {**os.environ, **auth,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))}
    address = f"127.0.0.2:{port}"
    common = ["--node-ip-address", "127.0.0.2", "--num-cpus", "1", "--object-store-memory", str(100 * 2**20),
              "--disable-usage-stats"]
    nodes = []
    try:
        nodes.append(start_node("--head", "--port", str(port), *common, env=env, log=logs / "head.log"))
        wait_for_port("127.0.0.2", port)
        nodes.append(start_node("--address", address, *common, env=env, log=logs / "node2.log"))
        check = ("import ray, time; ray.init(address=%r, logging_level='WARNING'); t = time.monotonic()\n"
                 "while ray.cluster_resources().get('CPU') != 2 and time.monotonic() < t + 90: time.sleep(0.5)\n"
                 "print(ray.cluster_resources().get('CPU'), sorted(n['NodeManagerAddress'] for n in ray.nodes()))")
        proc = subprocess.run([sys.executable, "-c", check % address], env=env, capture_output=True, text=True,
                              timeout=150)
        assert proc.stdout.split("\n")[0] == "2.0 ['127.0.0.2', '127.0.0.2']", proc.stdout + proc.stderr
        yield {"address": address, "env": env}
    finally:
        for node in reversed(nodes):
            stop_node(node)


def make_mixed(d: Path, n: int, kill_at: int | None = None) -> list[str]:
    """n reports (one with KILL in it if asked), an empty file and a binary one."""
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = d / f"r{i:02d}.txt"
        p.write_text(sample_report(i) + ("\nKILL" if i == kill_at else ""), encoding="utf-8")
        paths.append(str(p))
    (d / "empty.txt").write_bytes(b"")
    (d / "blob.txt").write_bytes(bytes(range(256)) * 64)
    return [*paths, str(d / "empty.txt"), str(d / "blob.txt")]


def lines_of(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().decode("utf-8").splitlines()]


def comparable(lines: list[dict]) -> dict[str, dict]:
    """Lines by path, without the fake's record of which process loaded it."""
    out = {}
    for line in lines:
        line = json.loads(json.dumps(line))
        if "record" in line:
            line["record"].pop("_loaded_by")
        out[line["path"]] = line
    return out


DRIVER = """
import sys
import time
from fake_extractor import fake_factory
from govreport import cli
from govreport.inference import batch
kwargs = eval(sys.argv[1])
batch.model_factory = lambda model, offsets=False: fake_factory(**kwargs)
sys.exit(cli.main(sys.argv[2:]))
"""


def extract(cluster: dict, *args: str, **fake: object) -> subprocess.CompletedProcess:
    """`govreport extract ARGS` in a driver process of its own, the fake extractor (with `fake`) injected."""
    return subprocess.run([sys.executable, "-c", DRIVER, repr(fake), "extract", *args], env=cluster["env"],
                          capture_output=True, text=True, timeout=120)


def test_ray_lines_equal_those_of_local_workers(cluster: dict, tmp_path: Path) -> None:
    inputs = make_mixed(tmp_path / "in", 10)
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert extract(cluster, *inputs, "--out", str(local), "--jobs", "2").returncode == 1  # two inputs refused
    run = extract(cluster, *inputs, "--out", str(remote), "--ray", cluster["address"])
    assert run.returncode == 1, run.stderr
    assert "10 extracted, 2 failed, 0 skipped" in run.stderr
    got, want = lines_of(remote), lines_of(local)
    assert len(got) == len(inputs) and comparable(got) == comparable(want)
    assert "empty" in comparable(got)[inputs[-2]]["error"]
    assert "binary" in comparable(got)[inputs[-1]]["error"]
    # one model per actor, the two actors on the cluster's two nodes (two processes)
    loads = {tuple(x["record"]["_loaded_by"]) for x in got if "record" in x}
    assert len(loads) == 2 and all(n == 1 for _, n in loads)
    # a rerun is the local batch's: everything done is skipped, the refused inputs fail the same way
    again = extract(cluster, *inputs, "--out", str(remote), "--ray", cluster["address"])
    assert "0 extracted, 2 failed, 10 skipped" in again.stderr
    assert lines_of(remote) == got


def test_a_killed_actor_loses_and_duplicates_nothing(cluster: dict, tmp_path: Path) -> None:
    inputs = make_mixed(tmp_path / "in", 12, kill_at=5)
    out = tmp_path / "r.jsonl"
    ray_args = ("--out", str(out), "--ray", cluster["address"])
    # r05 kills its actor's process (SIGKILL, as the OOM killer would) every time it is read
    run = extract(cluster, *inputs, *ray_args, delay=0.2, kill_on="KILL")
    assert run.returncode == 1, run.stderr
    first = lines_of(out)
    assert Counter(x["path"] for x in first) == Counter(inputs)  # one line each: nothing lost, nothing twice
    by_path = {x["path"]: x for x in first}
    assert by_path[inputs[5]]["error"] == ray_batch.DIED  # retried alone in a fresh actor, died again
    assert all("record" in by_path[p] for p in inputs[:12] if p != inputs[5])  # those queued behind it too
    # a rerun retries only the input whose last line is an error; the same death adds no line
    again = extract(cluster, *inputs, *ray_args, kill_on="KILL")
    assert "0 extracted, 3 failed, 11 skipped" in again.stderr  # r05, the empty and the binary file retried
    assert lines_of(out) == first
    # with the kill switch off (a fixed model), the rerun extracts it: its last line is now a record
    assert extract(cluster, *inputs, *ray_args).returncode == 1
    final = lines_of(out)
    assert final[: len(first)] == first and len(final) == len(first) + 1
    assert final[-1]["path"] == inputs[5] and "record" in final[-1]


def test_bad_addresses_and_options_are_one_line_errors(tmp_path: Path, monkeypatch, capsys) -> None:
    inputs = make_mixed(tmp_path / "in", 2)
    monkeypatch.setattr(batch, "model_factory", lambda model, offsets=False: fake_factory())
    assert cli.main(["extract", inputs[0], "--ray", inputs[1]]) == 2
    assert "not a Ray address" in capsys.readouterr().err
    assert cli.main(["extract", *inputs, "--ray", "--jobs", "2"]) == 2
    assert "--ray-actors" in capsys.readouterr().err
    with pytest.raises(BatchError):
        ray_batch.check_address("reports/")
    for ok in (None, "auto", "ray://10.0.0.1:10001", "127.0.0.2:6379"):
        assert ray_batch.check_address(ok) == ok


def test_ray_is_imported_only_when_a_runner_runs() -> None:
    """The module stays importable (and the CLI's --help fast) without the extra."""
    code = "import govreport.inference.ray_batch, sys; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
