"""govreport.inference.batch and `govreport extract`: inputs, resumable crash-safe JSONL, workers, bad input."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fake_extractor import broken_factory, crashing_factory, fake_factory
from fixtures_render import sample_report, to_docx, to_html

from govreport import cli
from govreport.inference import batch
from govreport.inference.batch import BatchError, done_keys, expand_inputs, repair_tail, run_batch

TESTS = Path(__file__).resolve().parent


def lines_of(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().decode("utf-8").splitlines()]


def make_inputs(d: Path, n: int) -> list[str]:
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = d / f"r{i:03d}.txt"
        p.write_text(sample_report(i), encoding="utf-8")
        paths.append(str(p))
    return paths


# --- inputs -------------------------------------------------------------------------------------
def test_expand_inputs_dirs_globs_and_missing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "sub").mkdir()
    for name in ("a/x.txt", "a/sub/y.HTML", "a/z.pdf", "a/skip.png", "a/.hidden.txt", "b.docx"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    inputs, notes = expand_inputs([str(tmp_path / "a"), str(tmp_path / "*.docx"), str(tmp_path / "empty"),
                                   str(tmp_path / "nope*.txt"), str(tmp_path / "missing.txt"),
                                   str(tmp_path / "a" / "x.txt")])
    names = [Path(p).relative_to(tmp_path).as_posix() for p in inputs]
    assert names == ["a/sub/y.HTML", "a/x.txt", "a/z.pdf", "b.docx", "missing.txt"]  # x.txt once
    assert any("empty" in n and "no input files" in n for n in notes)
    assert any("nope" in n and "no file matches" in n for n in notes)


# --- one batch ----------------------------------------------------------------------------------
def test_batch_mixed_formats_and_bad_inputs(tmp_path: Path) -> None:
    good = make_inputs(tmp_path / "in", 2)
    (tmp_path / "in" / "page.html").write_bytes(to_html(sample_report(5)))
    (tmp_path / "in" / "doc.docx").write_bytes(to_docx(sample_report(6)))
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "big.txt").write_bytes(b"x" * 60000)
    (tmp_path / "in" / "boom.txt").write_text(sample_report(9) + "\nBOOM", encoding="utf-8")
    inputs, _ = expand_inputs([str(tmp_path / "in"), str(tmp_path / "gone.txt")])
    out = tmp_path / "results.jsonl"
    summary = run_batch(inputs, fake_factory(fail_on="BOOM"), out=out, max_bytes=50000, progress=False)
    got = {Path(x["path"]).name: x for x in lines_of(out)}
    assert set(got) == {Path(p).name for p in inputs}
    assert (summary.done, summary.errors) == (4, 4)
    assert "empty" in got["empty.txt"]["error"]
    assert "--max-bytes" in got["big.txt"]["error"] and got["big.txt"]["sha256"]
    assert "cannot read" in got["gone.txt"]["error"]
    assert "extraction failed" in got["boom.txt"]["error"] and "BOOM" in got["boom.txt"]["error"]
    assert got["page.html"]["source"]["format"] == "html"
    assert got["doc.docx"]["record"]["agency"].endswith("年度报告")
    for p in good:
        line = got[Path(p).name]
        assert len(line["sha256"]) == 64 and "text" not in line


def test_rerun_skips_done_and_redoes_changed(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", 4)
    out = tmp_path / "r.jsonl"
    run_batch(inputs, fake_factory(), out=out, progress=False)
    before = out.read_bytes()
    again = run_batch(inputs, broken_factory, out=out, progress=False)  # all done: no model is loaded
    assert (again.done, again.skipped) == (0, 4) and out.read_bytes() == before
    Path(inputs[1]).write_text(sample_report(99), encoding="utf-8")
    third = run_batch(inputs, fake_factory(), out=out, progress=False)
    assert (third.done, third.skipped) == (1, 3)
    assert [x["path"] for x in lines_of(out)].count(inputs[1]) == 2  # old and new content, two keys


def test_partial_last_line_is_cut_before_resuming(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_bytes(b'{"path": "a", "sha256": "1"}\n{"path": "b", "sha2')
    assert repair_tail(out) == len(b'{"path": "b", "sha2')
    assert out.read_bytes() == b'{"path": "a", "sha256": "1"}\n'
    assert done_keys(out) == {(os.path.realpath("a"), "1")}  # a line without "resolved": from the cwd
    out.write_bytes(b'{"path": "only-partial"')
    repair_tail(out)
    assert out.read_bytes() == b""


def test_second_writer_on_the_same_output_is_refused(tmp_path: Path) -> None:
    import fcntl

    inputs = make_inputs(tmp_path / "in", 1)
    out = tmp_path / "r.jsonl"
    with out.open("ab") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)
        with pytest.raises(BatchError, match="another govreport extract"):
            run_batch(inputs, fake_factory(), out=out, progress=False)
    assert run_batch(inputs, fake_factory(), out=out, progress=False).done == 1


def test_a_reader_that_hangs_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def stuck(*args, **kwargs):
        time.sleep(30)

    monkeypatch.setattr(batch, "read_bytes", stuck)
    item = batch.Loaded("slow.pdf", b"%PDF-1.4", "ab")
    t = time.monotonic()
    line = batch.process_loaded(item, lambda text: {}, read_timeout=0.2)
    assert time.monotonic() - t < 5
    assert "longer than 0.2 s" in line["error"]


def test_offsets_keep_the_text_the_model_read(tmp_path: Path) -> None:
    p = tmp_path / "page.html"
    p.write_bytes(to_html(sample_report(1)))
    out = tmp_path / "r.jsonl"
    run_batch([str(p)], fake_factory(), out=out, keep_text=True, progress=False)
    (line,) = lines_of(out)
    assert line["text"].startswith(line["record"]["agency"])
    assert line["record"]["requests"]["new_received"]["total"] == len(line["text"])


def test_extractor_that_cannot_load_records_nothing(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", 2)
    out = tmp_path / "r.jsonl"
    with pytest.raises(BatchError, match="model weights missing"):
        run_batch(inputs, broken_factory, out=out, progress=False)
    with pytest.raises(BatchError, match="model weights missing"):
        run_batch(inputs, broken_factory, out=out, jobs=2, progress=False)
    assert out.read_bytes() == b""


def test_workers_each_load_the_extractor_once(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", 12)
    out = tmp_path / "r.jsonl"
    summary = run_batch(inputs, fake_factory(delay=0.05), out=out, jobs=2, progress=False)
    assert summary.done == 12
    got = lines_of(out)
    assert sorted(x["path"] for x in got) == sorted(inputs)
    loads = {tuple(x["record"]["_loaded_by"]) for x in got}
    pids = {pid for pid, _ in loads}
    assert len(pids) == 2 and os.getpid() not in pids  # two worker processes did the work
    assert all(n == 1 for _, n in loads)  # each loaded the extractor exactly once


def test_a_worker_crash_is_pinned_on_its_input_and_the_batch_goes_on(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", 10)
    crash = tmp_path / "in" / "r004.txt"
    crash.write_text(sample_report(4) + "\nCRASH", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    summary = run_batch(inputs, fake_factory(crash_on="CRASH"), out=out, jobs=2, progress=False)
    got = lines_of(out)
    assert sorted(x["path"] for x in got) == sorted(inputs)
    errors = {x["path"]: x["error"] for x in got if "error" in x}
    assert list(errors) == [str(crash)] and "died on this input" in errors[str(crash)]
    assert summary.done == 9


def test_workers_that_die_while_loading_stop_the_batch_cleanly(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", 3)
    out = tmp_path / "r.jsonl"
    with pytest.raises(BatchError, match="die while loading"):
        run_batch(inputs, crashing_factory, out=out, jobs=2, progress=False)
    assert out.read_bytes() == b""  # nothing recorded: a re-run redoes everything


@pytest.mark.parametrize("jobs", [1, 2])
def test_killed_batch_resumes_without_loss_or_duplicates(tmp_path: Path, jobs: int) -> None:
    inputs = make_inputs(tmp_path / "in", 30)
    out = tmp_path / "r.jsonl"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from fake_extractor import fake_factory
        from govreport.inference.batch import run_batch
        run_batch({inputs!r}, fake_factory(delay=float(sys.argv[1])), out=__import__("pathlib").Path({str(out)!r}),
                  jobs={jobs}, progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, "0.1"], start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 5):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with out.open("ab") as f:  # as if the kill had landed in the middle of a write
        f.write(b'{"path": "' + inputs[-1].encode() + b'", "sha256": "ab')
    first = lines_of_tolerant(out)
    assert 5 <= len(first) < 30
    subprocess.run([sys.executable, "-c", script, "0"], check=True, timeout=120)
    final = lines_of(out)
    paths = [x["path"] for x in final]
    assert sorted(paths) == sorted(inputs)  # nothing lost, nothing twice
    assert final[: len(first)] == first  # finished lines were kept as they were


def lines_of_tolerant(path: Path) -> list[dict]:
    raw = path.read_bytes()
    return [json.loads(x) for x in raw[: raw.rfind(b"\n") + 1].decode().splitlines()]


# --- the command --------------------------------------------------------------------------------
@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "model_factory", lambda model, offsets=False: fake_factory())


def test_cli_one_file_prints_pretty_record(tmp_path: Path, fake_model, capsys) -> None:
    p = tmp_path / "r.txt"
    p.write_text(sample_report(2), encoding="gbk")
    assert cli.main(["extract", str(p)]) == 0
    out = capsys.readouterr().out
    record = json.loads(out)
    assert record["agency"] == sample_report(2).split("\n")[0]
    assert out.startswith("{\n  ")


def test_cli_reports_a_doubtful_encoding_on_stderr(tmp_path: Path, fake_model, capsys) -> None:
    p = tmp_path / "odd.txt"
    p.write_bytes(("Café déjà vu, naïve façade, résumé. " * 10).encode("latin-1"))
    assert cli.main(["extract", str(p)]) == 0
    assert "doubtful" in capsys.readouterr().err


def test_cli_stdin(monkeypatch: pytest.MonkeyPatch, fake_model, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(sample_report(3).encode("utf-16"))))
    assert cli.main(["extract", "-", "--offsets"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["path"] == "-" and line["text"] == sample_report(3) and line["source"]["encoding"] == "utf-16"


def test_cli_many_files_jsonl_to_out(tmp_path: Path, fake_model, capsys) -> None:
    make_inputs(tmp_path / "in", 3)
    (tmp_path / "in" / "bad.txt").write_bytes(b"")
    out = tmp_path / "res.jsonl"
    assert cli.main(["extract", str(tmp_path / "in"), "--out", str(out)]) == 1  # one input failed
    assert len(lines_of(out)) == 4
    err = capsys.readouterr().err
    assert "3 extracted, 1 failed" in err
    # the failed input is retried (and fails the same way: no new line); the others are skipped
    assert cli.main(["extract", str(tmp_path / "in"), "--out", str(out)]) == 1
    assert "0 extracted, 1 failed, 3 skipped" in capsys.readouterr().err
    assert len(lines_of(out)) == 4
    (tmp_path / "in" / "bad.txt").write_text(sample_report(9), encoding="utf-8")
    assert cli.main(["extract", str(tmp_path / "in"), "--out", str(out)]) == 0
    assert "1 extracted, 0 failed, 3 skipped" in capsys.readouterr().err


@pytest.mark.parametrize("args,code,message", [
    (["{d}/empty"], 2, "no input files"),
    (["{d}/big.txt", "--max-bytes", "10"], 1, "--max-bytes"),
    (["{d}/missing.txt"], 1, "cannot read"),
    (["{d}/a.txt", "{d}/b.txt", "--format", "json"], 2, "--format json takes one input"),
])
def test_cli_errors_are_clear(tmp_path: Path, fake_model, capsys, args, code, message) -> None:
    (tmp_path / "empty").mkdir()
    for name in ("big.txt", "a.txt", "b.txt"):
        (tmp_path / name).write_text(sample_report(0), encoding="utf-8")
    argv = ["extract", *[a.format(d=tmp_path) for a in args]]
    assert cli.main(argv) == code
    assert message in capsys.readouterr().err


def test_cli_missing_model_is_a_clear_error(tmp_path: Path, capsys) -> None:
    p = tmp_path / "r.txt"
    p.write_text(sample_report(0), encoding="utf-8")
    assert cli.main(["extract", str(p), "--model", str(tmp_path / "nomodel")]) == 2
    assert "no model at" in capsys.readouterr().err
