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


# --- reruns (issue 12) --------------------------------------------------------------------------
def test_an_input_that_ended_in_an_error_is_retried_on_the_next_run(tmp_path: Path) -> None:
    from govreport.inference.export_tables import load_results

    inputs = make_inputs(tmp_path / "in", 3)
    out = tmp_path / "r.jsonl"
    first = run_batch(inputs, fake_factory(), out=out, progress=False, max_bytes=len(sample_report(0)) - 1)
    assert first.errors >= 1 and "--max-bytes" in lines_of(out)[0]["error"]
    refused = {x["path"] for x in lines_of(out) if "error" in x}
    # following the error's advice: the refused inputs are extracted, the others skipped
    again = run_batch(inputs, fake_factory(), out=out, progress=False, max_bytes=10**6)
    assert (again.done, again.skipped, again.retried, again.errors) == (len(refused), 3 - len(refused), len(refused), 0)
    results, _ = load_results(out)
    assert sorted(x["path"] for x in results) == sorted(inputs) and not any("error" in x for x in results)
    # nothing left to do: a third run writes nothing and does not load the extractor
    before = out.read_bytes()
    assert run_batch(inputs, broken_factory, out=out, progress=False).skipped == 3
    assert out.read_bytes() == before


def test_the_same_error_again_adds_no_line(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    out = tmp_path / "r.jsonl"
    for _ in range(3):
        summary = run_batch([str(tmp_path / "empty.txt")], broken_factory, out=out, progress=False)
        assert (summary.errors, summary.done) == (1, 0)
    assert [x["error"] for x in lines_of(out)] == ["empty file (0 bytes)"]


def test_the_same_file_by_another_path_or_from_another_directory_is_done_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govreport.inference.export_tables import load_results

    make_inputs(tmp_path / "in", 3)
    (tmp_path / "work").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "in")
    out = tmp_path / "r.jsonl"
    monkeypatch.chdir(tmp_path)
    assert run_batch(["in/r000.txt", "in/r001.txt", "in/r002.txt"], fake_factory(), out=out,
                     progress=False).done == 3
    for cwd, args in [(tmp_path, [str(tmp_path / "in")]),             # absolute
                      (tmp_path / "work", ["../in"]),                  # another cwd, relative
                      (tmp_path / "work", ["../link/r000.txt", "../in/./r001.txt", "../in/../in/r002.txt"])]:
        monkeypatch.chdir(cwd)
        inputs, _ = expand_inputs(args)
        summary = run_batch(inputs, broken_factory, out=out, progress=False)
        assert (summary.done, summary.skipped) == (0, 3), (cwd, args)
    assert len(lines_of(out)) == 3
    results, _ = load_results(out)
    assert len(results) == 3


def test_one_file_named_twice_in_one_run_is_one_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_inputs(tmp_path / "in", 1)
    monkeypatch.chdir(tmp_path)
    inputs, _ = expand_inputs(["in/r000.txt", str(tmp_path / "in" / "r000.txt"), "./in/../in/r000.txt"])
    assert inputs == ["in/r000.txt"]


def test_export_takes_the_last_line_per_input(tmp_path: Path) -> None:
    from govreport.inference.export_tables import load_results

    out = tmp_path / "r.jsonl"
    rows = [{"path": "a.txt", "resolved": "/x/a.txt", "sha256": "1", "error": "empty file (0 bytes)"},
            {"path": "/x/a.txt", "resolved": "/x/a.txt", "sha256": "2", "record": {"agency": "new"}},
            {"path": "b.txt", "resolved": "/x/b.txt", "sha256": "3", "record": {"agency": "b"}}]
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    results, bad = load_results(out)
    assert bad == 0 and [r["sha256"] for r in results] == ["2", "3"]


# --- warnings and cheap checks ------------------------------------------------------------------
def test_inputs_that_fail_cheap_checks_never_load_the_extractor(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x01\x02" * 100 + b"\x00")
    (tmp_path / "big.txt").write_text(sample_report(0), encoding="utf-8")
    names = ["empty.txt", "img.txt", "nul.txt", "big.txt", "missing.txt"]
    out = tmp_path / "r.jsonl"
    summary = run_batch([str(tmp_path / n) for n in names], broken_factory, out=out, progress=False,
                        max_bytes=1000)
    assert summary.errors == 5
    errors = {Path(x["path"]).name: x["error"] for x in lines_of(out)}
    assert "empty" in errors["empty.txt"] and "PNG" in errors["img.txt"] and "binary" in errors["nul.txt"]
    assert "--max-bytes" in errors["big.txt"] and "cannot read" in errors["missing.txt"]


def test_cli_empty_file_is_refused_before_the_model_loads(tmp_path: Path, monkeypatch, capsys) -> None:
    loads = []

    def factory(model, offsets=False):
        def load():
            loads.append(1)
            raise AssertionError("the model must not be loaded for an empty file")
        return load

    monkeypatch.setattr(batch, "model_factory", factory)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert cli.main(["extract", str(tmp_path / "empty.txt")]) == 1
    assert "empty file" in capsys.readouterr().err and not loads


def test_cli_one_stderr_line_per_record_with_failed_checks(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(batch, "model_factory", lambda model, offsets=False: fake_factory(bad_check_on="BAD"))
    d = tmp_path / "in"
    make_inputs(d, 3)
    (d / "r001.txt").write_text(sample_report(1) + "\nBAD\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    assert cli.main(["extract", str(d), "--out", str(out)]) == 0
    err = [ln for ln in capsys.readouterr().err.splitlines() if "check(s) failed" in ln]
    assert len(err) == 1 and "r001.txt" in err[0] and "2 check(s) failed" in err[0]
    assert "identity 1 at requests.granted: expected 12, found 13" in err[0]
    assert "identity 7 at requests.closed" in err[0]
    assert "identity 4" not in err[0]  # a check that holds is not named
    line = next(x for x in lines_of(out) if x["path"].endswith("r001.txt"))
    assert any("check(s) failed" in w for w in line["warnings"])
    # single-file mode says the same
    assert cli.main(["extract", str(d / "r001.txt")]) == 0
    assert sum("check(s) failed" in ln for ln in capsys.readouterr().err.splitlines()) == 1


def test_a_failed_text_check_is_named_with_what_the_text_says() -> None:
    record = {"checks": [{"kind": "text", "where": "requests.new_received.total", "text": "共受理申请2件",
                          "expected": 2, "found": 3, "ok": False},
                         {"identity": 3, "where": "requests.granted", "expected": 1, "found": 1, "ok": True}]}
    assert batch.failed_checks(record) == [
        "text at requests.new_received.total: the text says 2, the table 3 (共受理申请2件)"]


def test_doubtful_encoding_is_reported_in_batch_mode_too(tmp_path: Path, fake_model, capsys) -> None:
    d = tmp_path / "in"
    make_inputs(d, 1)
    (d / "odd.txt").write_bytes(("Café déjà vu, naïve façade, résumé. " * 10).encode("latin-1"))
    out = tmp_path / "r.jsonl"
    assert cli.main(["extract", str(d), "--out", str(out)]) == 0
    line = next(x for x in lines_of(out) if x["path"].endswith("odd.txt"))
    assert any("doubtful" in w for w in line["warnings"])
    err = capsys.readouterr().err
    assert "odd.txt: warning: encoding guessed" in err and "r000.txt: warning" not in err


@pytest.mark.parametrize("single", [True, False])
def test_cli_out_into_a_missing_directory_creates_it(tmp_path: Path, fake_model, single: bool) -> None:
    inputs = make_inputs(tmp_path / "in", 1 if single else 2)
    out = tmp_path / "new" / "deeper" / ("r.json" if single else "r.jsonl")
    assert cli.main(["extract", *inputs, "--out", str(out)]) == 0
    assert out.is_file() and not list(out.parent.glob("*.part"))


@pytest.mark.parametrize("single", [True, False])
def test_cli_unwritable_output_is_a_one_line_error(tmp_path: Path, fake_model, capsys, single: bool) -> None:
    inputs = make_inputs(tmp_path / "in", 1 if single else 2)
    (tmp_path / "afile").write_text("x")
    for out in (tmp_path / "in", tmp_path / "afile" / "r.jsonl"):  # a directory; a path under a file
        assert cli.main(["extract", *inputs, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "cannot write" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_export_into_an_unwritable_place_is_a_one_line_error(tmp_path: Path, fake_model, capsys) -> None:
    inputs = make_inputs(tmp_path / "in", 2)
    out = tmp_path / "r.jsonl"
    cli.main(["extract", *inputs, "--out", str(out)])
    capsys.readouterr()
    (tmp_path / "afile").write_text("x")
    assert cli.main(["export", str(out), "--out", str(tmp_path / "afile" / "tables")]) == 1
    err = capsys.readouterr().err
    assert "govreport export" in err and "Traceback" not in err


def test_no_model_loading_progress_bars_on_stderr(tmp_path: Path) -> None:
    """The shipped model loaded through the CLI (review, like extract, evaluate and annotate pre, goes
    through Tagger.from_pretrained): stderr carries no third-party progress bar."""
    from govreport.paths import DEFAULT_MODEL

    if not (DEFAULT_MODEL / "config.json").is_file():
        pytest.skip("no shipped model")
    example = TESTS.parent / "docs" / "examples" / "report.txt"
    pythonpath = [os.environ.get("PYTHONPATH"), str(TESTS.parent)]  # keep the caller's path first
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in pythonpath if p)}
    for var in ("HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY"):
        env.pop(var, None)
    proc = subprocess.run([sys.executable, "-m", "govreport.cli", "review", str(example), "--html",
                           str(tmp_path / "r.html")], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Loading weights" not in proc.stderr and "%|" not in proc.stderr, proc.stderr


def test_a_file_restored_after_an_error_is_extracted_again(tmp_path: Path) -> None:
    """The last line per input decides (as in export): record, error, then the old content again."""
    inputs = make_inputs(tmp_path / "in", 1)
    out = tmp_path / "r.jsonl"
    saved = Path(inputs[0]).read_bytes()
    assert run_batch(inputs, fake_factory(), out=out, progress=False).done == 1
    Path(inputs[0]).write_bytes(b"")
    assert run_batch(inputs, fake_factory(), out=out, progress=False).errors == 1
    Path(inputs[0]).write_bytes(saved)
    again = run_batch(inputs, fake_factory(), out=out, progress=False)
    assert (again.done, again.retried) == (1, 1)
    assert ["record" in x for x in lines_of(out)] == [True, False, True]
