"""Fault injection for inference.batch: a worker killed, the disk full, a file that disappears
mid-run, a file that cannot be read. Each gives an error line or a retry; across runs nothing is lost,
duplicated or half-written. The fake extractor keeps torch out of these tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fake_extractor import fake_factory, make_fake
from fixtures_render import sample_report

from govreport.inference.batch import run_batch
from govreport.inference.export_tables import load_results

TESTS = Path(__file__).resolve().parent


def make_inputs(d: Path, n: int) -> list[str]:
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = d / f"r{i:03d}.txt"
        p.write_text(sample_report(i), encoding="utf-8")
        paths.append(str(p))
    return paths


def whole_lines(out: Path) -> list[dict]:
    """Every line of the output, asserting that each is whole JSON and the file ends with a newline."""
    raw = out.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "a half-written last line"
    return [json.loads(x) for x in raw.decode("utf-8").splitlines()]


def assert_each_input_once_at_the_end(out: Path, inputs: list[str]) -> list[dict]:
    results, bad = load_results(out)
    assert bad == 0
    assert sorted(os.path.realpath(x["resolved"]) for x in results) == sorted(os.path.realpath(p) for p in inputs)
    records = [x for x in whole_lines(out) if "record" in x]
    assert len({x["resolved"] for x in records}) == len(records), "an input extracted twice"
    return results


def test_a_killed_worker_gives_an_error_line_and_is_retried_next_run(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", 6)
    Path(inputs[2]).write_text(sample_report(2) + "\nKILLME\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    first = run_batch(inputs, fake_factory(kill_on="KILLME"), out=out, jobs=2, progress=False)
    assert (first.done, first.errors) == (5, 1)
    lines = whole_lines(out)
    assert [x["path"] for x in lines if "error" in x] == [inputs[2]]
    assert "worker process died" in next(x["error"] for x in lines if "error" in x)
    # next run: only the killed input is tried again; still killed -> same error, no new line
    second = run_batch(inputs, fake_factory(kill_on="KILLME"), out=out, jobs=2, progress=False)
    assert (second.skipped, second.retried, second.errors) == (5, 1, 1) and whole_lines(out) == lines
    # once it no longer kills its worker it is extracted, and the last line per input is a record
    third = run_batch(inputs, fake_factory(), out=out, jobs=2, progress=False)
    assert (third.done, third.skipped) == (1, 5)
    assert not any("error" in x for x in assert_each_input_once_at_the_end(out, inputs))


@pytest.mark.parametrize("jobs", [1, 2])
def test_disk_full_stops_cleanly_and_a_rerun_completes(tmp_path: Path, jobs: int) -> None:
    inputs = make_inputs(tmp_path / "in", 12)
    out = tmp_path / "r.jsonl"
    script = textwrap.dedent(f"""
        import resource, signal, sys
        sys.path.insert(0, {str(TESTS)!r})
        from pathlib import Path
        from fake_extractor import fake_factory
        from inference.batch import BatchError, run_batch
        limit = int(sys.argv[1])
        if limit:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk: writes fail (EFBIG), no signal
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            s = run_batch({inputs!r}, fake_factory(), out=Path({str(out)!r}), jobs={jobs}, progress=False)
        except BatchError as e:
            print(e, file=sys.stderr)
            sys.exit(2)
        print(s.done, s.skipped)
    """)
    pythonpath = [os.environ.get("PYTHONPATH"), str(TESTS.parent)]  # keep the caller's path first
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in pythonpath if p)}
    limit = 3 * len(json.dumps({"x": sample_report(0)}, ensure_ascii=False).encode()) + 100  # about 3 lines
    full = subprocess.run([sys.executable, "-c", script, str(limit)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert full.returncode == 2 and "cannot write" in full.stderr and "Traceback" not in full.stderr, full.stderr
    kept = whole_lines(out)  # the line that did not fit was cut back: no half line
    assert 1 <= len(kept) < 12 and out.stat().st_size <= limit
    rerun = subprocess.run([sys.executable, "-c", script, "0"], capture_output=True, text=True, env=env,
                           timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.split() == [str(12 - len(kept)), str(len(kept))]
    assert whole_lines(out)[: len(kept)] == kept
    assert len(whole_lines(out)) == 12
    assert_each_input_once_at_the_end(out, inputs)


def test_a_file_that_disappears_mid_run_is_an_error_line_then_retried(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", 4)
    gone = Path(inputs[3])
    saved = gone.read_bytes()

    def vanishing_factory():
        fn = make_fake()

        def extract(text: str) -> dict:
            gone.unlink(missing_ok=True)  # removed while the batch runs, after the inputs were listed
            return fn(text)

        return extract

    out = tmp_path / "r.jsonl"
    first = run_batch(inputs, vanishing_factory, out=out, progress=False)
    assert (first.done, first.errors) == (3, 1)
    err = [x for x in whole_lines(out) if "error" in x]
    assert [x["path"] for x in err] == [str(gone)] and "No such file" in err[0]["error"]
    gone.write_bytes(saved)
    second = run_batch(inputs, fake_factory(), out=out, progress=False)
    assert (second.done, second.skipped, second.retried) == (1, 3, 1)
    assert not any("error" in x for x in assert_each_input_once_at_the_end(out, inputs))


def test_unreadable_inputs_give_error_lines_and_the_batch_goes_on(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = make_inputs(tmp_path / "in", 2)
    (tmp_path / "dir.txt").mkdir()  # a directory named like a file
    os.mkfifo(tmp_path / "fifo.txt")  # would block a naive read forever
    denied = tmp_path / "denied.txt"  # root can read a chmod 0 file: make its read raise instead
    denied.write_text(sample_report(5), encoding="utf-8")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "denied.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    bad = [str(tmp_path / n) for n in ("dir.txt", "fifo.txt", "denied.txt")]
    out = tmp_path / "r.jsonl"
    summary = run_batch([bad[0], inputs[0], bad[1], bad[2], inputs[1]], fake_factory(), out=out, progress=False)
    assert (summary.done, summary.errors) == (2, 3)
    errors = {Path(x["path"]).name: x["error"] for x in whole_lines(out) if "error" in x}
    assert errors == {"dir.txt": "is a directory", "fifo.txt": "not a regular file",
                      "denied.txt": "cannot read: Permission denied"}
    monkeypatch.setattr(Path, "read_bytes", real_read)  # readable again: the next run extracts it
    again = run_batch([bad[2], *inputs], fake_factory(), out=out, progress=False)
    assert (again.done, again.skipped, again.retried) == (1, 2, 1)
