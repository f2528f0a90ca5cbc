"""Batch extraction: many files -> one JSONL line each, resumable, crash-safe, in parallel.

Each output line is `{"path", "resolved", "sha256", "source", "record"}` (plus `"warnings"` when
there are any, and `"text"` with --offsets, so the record's provenance offsets can be resolved) or
`{"path", "resolved", "sha256", "error"}`. Lines are written by the parent process only, each with one
write + flush + fsync, so a kill at any moment loses no finished line; a half-written last line is cut
off when the file is opened again, and a write that fails (disk full) is cut back before the batch stops.

Reruns. An input is identified by its resolved path (symlinks and `..` resolved, so another spelling or
another working directory names the same file) and its content hash. A re-run skips every input whose
last line is a record; an input whose last line is an error is retried, and a line is written again
only if the outcome changed (the same error twice adds nothing). Readers of the file (`govreport
export`) take the last line per input.

Cheap checks (missing, not a regular file, empty, too large, plainly binary) run before the extractor is
loaded: a batch of hopeless inputs never waits for the model.

The extraction itself is injected: `factory()` returns an `extract_fn(text) -> record dict`. Worker
processes (`jobs > 1`) call the factory once each, so a model is loaded once per worker; the factory
must therefore be picklable (a module-level function or a functools.partial of one).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import fcntl
import glob
import hashlib
import itertools
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from govreport.core.checks import describe
from govreport.inference.readers import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_EXTS,
    ReadError,
    ReadResult,
    precheck,
    read_bytes,
    too_large_message,
)
from govreport.paths import MODEL_CONFIG, is_model_dir

ExtractFn = Callable[[str], dict[str, Any]]
ExtractFactory = Callable[[], ExtractFn]
# Who extracts the inputs that need the model: (items, factory, max_bytes, keep_text) -> their lines, in
# any order. In-process and local worker processes are below; a Ray cluster is in ray_batch.py. The
# driver (run_batch) alone reads previous lines, decides what to skip and writes the output.
Runner = Callable[[Iterator["Loaded"], ExtractFactory, int, bool], Iterable[dict[str, Any]]]
STDIN = "-"
# `govreport extract --format`: json (one input, a pretty record) or jsonl (a line per input).
EXTRACT_FORMATS = ("json", "jsonl")


class BatchError(Exception):
    """The batch as a whole cannot run (no inputs, model missing); nothing was recorded for it."""


@dataclass
class Summary:
    done: int = 0
    skipped: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)
    retried: int = 0  # inputs whose earlier line was an error


def resolved_path(path: str) -> str:
    """What identifies an input across runs: its real absolute path ("-" for standard input)."""
    return path if path == STDIN else os.path.realpath(path)


# --- inputs -----------------------------------------------------------------------------------
def expand_inputs(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """Files, directories (searched recursively for supported extensions) and glob patterns ->
    (input paths in order, without duplicates; notes about arguments that gave nothing).
    A named file that does not exist is kept: it becomes an error line naming it."""
    out: list[str] = []
    notes: list[str] = []
    for arg in args:
        if arg == STDIN:
            out.append(STDIN)
            continue
        p = Path(arg)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*")
                           if f.is_file() and f.suffix.lower() in SUPPORTED_EXTS
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                notes.append(f"{arg}: directory holds no input files ({', '.join(sorted(SUPPORTED_EXTS))})")
            out.extend(found)
        elif not p.exists() and glob.has_magic(arg):
            found = sorted(f for f in glob.glob(arg, recursive=True) if Path(f).is_file())
            if not found:
                notes.append(f"{arg}: no file matches this pattern")
            out.extend(found)
        else:
            out.append(arg)
    seen: set[str] = set()
    unique = []
    for x in out:  # one file named twice (a/x.txt and ./a/../a/x.txt, or via a symlink) is one input
        key = resolved_path(x)
        if key not in seen:
            seen.add(key)
            unique.append(x)
    return unique, notes


@dataclass
class Loaded:
    path: str
    data: bytes | None
    sha256: str | None
    error: str | None = None


def load_input(path: str, max_bytes: int, stdin: IO[bytes] | None = None) -> Loaded:
    """Bytes and content hash of one input; over-size files are hashed by streaming, not loaded."""
    try:
        if path == STDIN:
            data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
            if len(data) > max_bytes:
                return Loaded(path, None, None, f"standard input is over the limit of {max_bytes} bytes; "
                                                "raise it with --max-bytes")
            try:
                precheck(data, path)
            except ReadError as e:
                return Loaded(path, None, hashlib.sha256(data).hexdigest(), str(e))
            return Loaded(path, data, hashlib.sha256(data).hexdigest())
        p = Path(path)
        if p.is_dir():
            return Loaded(path, None, None, "is a directory")
        if p.exists() and not p.is_file():  # a FIFO or device would block the batch forever
            return Loaded(path, None, None, "not a regular file")
        size = p.stat().st_size
        if size > max_bytes:
            h = hashlib.sha256()
            with p.open("rb") as f:
                for chunk in iter(partial(f.read, 1 << 20), b""):
                    h.update(chunk)
            return Loaded(path, None, h.hexdigest(), too_large_message(size, max_bytes))
        data = p.read_bytes()
    except OSError as e:
        return Loaded(path, None, None, f"cannot read: {e.strerror or e}")
    digest = hashlib.sha256(data).hexdigest()
    try:
        precheck(data, path)
    except ReadError as e:
        return Loaded(path, None, digest, str(e))
    return Loaded(path, data, digest)


# --- one input --------------------------------------------------------------------------------
READ_TIMEOUT_S = 120.0


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise ReadError after `seconds` (SIGALRM; only in a main thread, else no limit). A damaged PDF
    can send the parser into a near-endless loop; one such file must not stall the batch."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise ReadError(f"reading took longer than {seconds:g} s (a damaged or pathological file?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _head(item: Loaded) -> dict[str, Any]:
    return {"path": item.path, "resolved": resolved_path(item.path), "sha256": item.sha256}


def read_loaded(item: Loaded, *, max_bytes: int = DEFAULT_MAX_BYTES,
                read_timeout: float = READ_TIMEOUT_S) -> ReadResult | dict[str, Any]:
    """The text of one loaded input, or its error line. Never raises for bad input."""
    if item.error is not None or item.data is None:
        return {**_head(item), "error": item.error or "no data"}
    try:
        with _time_limit(read_timeout):
            return read_bytes(item.data, item.path, max_bytes=max_bytes)
    except ReadError as e:
        return {**_head(item), "error": str(e)}
    except Exception as e:  # a reader bug must cost one input, not the batch
        return {**_head(item), "error": f"reading failed ({type(e).__name__}: {e})"}


def failed_checks(record: dict[str, Any]) -> list[str]:
    """The identity and text checks a record fails, each named (``core.checks.describe``)."""
    return [describe(c) for c in record.get("checks") or [] if isinstance(c, dict) and c.get("ok") is False]


def line_warnings(read: ReadResult, record: dict[str, Any]) -> list[str]:
    """What a person should look at in one result: the reader's doubts (encoding guessed, text cut,
    not a report) and the identity checks that failed (usually a misread number)."""
    warnings = list(read.warnings)
    failed = failed_checks(record)
    if failed:
        warnings.append(f"{len(failed)} check(s) failed, numbers may be misread or the report contradicts "
                        f"itself: {'; '.join(failed)}")
    return warnings


def extract_read(item: Loaded, read: ReadResult, extract_fn: ExtractFn, *,
                 keep_text: bool = False) -> dict[str, Any]:
    try:
        record = extract_fn(read.text)
    except Exception as e:
        return {**_head(item), "error": f"extraction failed ({type(e).__name__}: {e})"}
    line = {**_head(item), "source": read.source(), "record": record}
    warnings = line_warnings(read, record)
    if warnings:
        line["warnings"] = warnings
    if keep_text:
        line["text"] = read.text
    return line


def process_loaded(item: Loaded, extract_fn: ExtractFn, *, max_bytes: int = DEFAULT_MAX_BYTES,
                   keep_text: bool = False, read_timeout: float = READ_TIMEOUT_S) -> dict[str, Any]:
    """One output line for one loaded input. Never raises for bad input or a failing extractor."""
    read = read_loaded(item, max_bytes=max_bytes, read_timeout=read_timeout)
    if isinstance(read, dict):
        return read
    return extract_read(item, read, extract_fn, keep_text=keep_text)


# --- output file ------------------------------------------------------------------------------
def repair_tail(path: Path) -> int:
    """Cut a trailing partial line (left by a kill mid-write). Returns the bytes removed."""
    if not path.exists():
        return 0
    with path.open("rb+") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return 0
        pos, block = size, 65536
        keep = 0
        while pos > 0:
            start = max(0, pos - block)
            f.seek(start)
            chunk = f.read(pos - start)
            i = chunk.rfind(b"\n")
            if i >= 0:
                keep = start + i + 1
                break
            pos = start
        f.truncate(keep)
        f.flush()
        os.fsync(f.fileno())
        return size - keep


Key = tuple[str, "str | None"]


def line_key(obj: dict[str, Any]) -> Key:
    """(resolved path, sha256) of an output line. Lines written before `resolved` existed are resolved
    against the current directory."""
    resolved = obj.get("resolved")
    if not isinstance(resolved, str):
        resolved = resolved_path(str(obj["path"]))
    return resolved, obj.get("sha256")


def input_id(key: Key) -> str:
    """One input: a resolved path (whatever its content now), or one content of standard input."""
    resolved, sha = key
    return f"-:{sha}" if resolved == STDIN else resolved


def previous_outcomes(path: Path) -> dict[str, tuple[Key, str | None]]:
    """The LAST line of every input in an output file: its (resolved path, sha256) and its outcome
    (None for a record, the error message for an error). The same rule as export's."""
    outcomes: dict[str, tuple[Key, str | None]] = {}
    if not path.exists():
        return outcomes
    with path.open("rb") as f:
        for raw in f:
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict) and "path" in obj:
                error = obj.get("error")
                key = line_key(obj)
                outcomes[input_id(key)] = (key, str(error) if error is not None else None)
    return outcomes


def done_keys(path: Path) -> set[Key]:
    """(resolved path, sha256) of every input whose last line in an output file is a record."""
    return {key for key, error in previous_outcomes(path).values() if error is None}


class LineWriter:
    """Appends whole JSON lines; each is on disk (fsync) before the next input is reported done. A
    write that fails (disk full, file-size limit) is cut back to the last whole line and stops the
    batch with a BatchError."""

    def __init__(self, stream: IO[bytes], durable: bool, name: str = "output") -> None:
        self.stream = stream
        self.durable = durable
        self.name = name

    def write(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
        if not self.durable:
            try:
                self.stream.write(data)
                self.stream.flush()
            except OSError as e:
                raise BatchError(f"cannot write {self.name}: {e.strerror or e}") from e
            return
        # Unbuffered: a failed write must not stay in a buffer that a later flush would append.
        fd = self.stream.fileno()
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError as e:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)  # no half line left behind
                os.fsync(fd)
            raise BatchError(f"cannot write {self.name}: {e.strerror or e}; the lines before this one are "
                             "complete, re-run to go on") from e


# --- workers ----------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}
BATCH_THREADS = 1


def _exit_when_orphaned(parent: int) -> None:
    # A parent killed with SIGKILL cannot stop its pool; workers would wait on the task queue forever.
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _init_worker(factory: ExtractFactory, threads: int) -> None:
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    # Batch throughput comes from processes (--jobs), not from torch's intra-op threads: on the 2-core
    # machine, a small model with 2 threads per process took 3x the CPU per report of 1 thread
    # (benchmarks/bench_batch.py, machine shared), so every batch process runs one thread.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        _WORKER["fn"] = factory()
    except Exception as e:
        _WORKER["fatal"] = f"the extractor could not be loaded ({type(e).__name__}: {e})"
    if "torch" in sys.modules:  # torch reads OMP_NUM_THREADS at import; this covers a torch imported earlier
        sys.modules["torch"].set_num_threads(threads)


def _work(item: Loaded, max_bytes: int, keep_text: bool) -> dict[str, Any]:
    if "fatal" in _WORKER:
        return {"fatal": _WORKER["fatal"]}
    return process_loaded(item, _WORKER["fn"], max_bytes=max_bytes, keep_text=keep_text)


def _ping() -> dict[str, Any]:
    return {"fatal": _WORKER["fatal"]} if "fatal" in _WORKER else {}


def _results_serial(items: Iterator[Loaded], factory: ExtractFactory, max_bytes: int,
                    keep_text: bool) -> Iterator[dict[str, Any]]:
    try:
        fn = factory()
    except Exception as e:
        raise BatchError(f"the extractor could not be loaded ({type(e).__name__}: {e})") from e
    if "torch" in sys.modules:  # same rule as in workers: one thread per batch process
        sys.modules["torch"].set_num_threads(BATCH_THREADS)
    for item in items:
        yield process_loaded(item, fn, max_bytes=max_bytes, keep_text=keep_text)


def _pool(jobs: int, factory: ExtractFactory) -> cf.ProcessPoolExecutor:
    threads = BATCH_THREADS
    ctx = multiprocessing.get_context("spawn")  # no fork of a parent holding threads or a model
    return cf.ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(factory, threads))


def _checked(result: dict[str, Any]) -> dict[str, Any]:
    if "fatal" in result:
        raise BatchError(result["fatal"])
    return result


def _isolated(item: Loaded, factory: ExtractFactory, max_bytes: int, keep_text: bool) -> dict[str, Any]:
    """Re-run one input in a fresh single worker, so a crash is pinned on the input that causes it."""
    with _pool(1, factory) as pool:
        try:
            _checked(pool.submit(_ping).result())
        except cf.process.BrokenProcessPool as e:
            raise BatchError("worker processes die while loading the extractor; try --jobs 1 to see why") from e
        try:
            return _checked(pool.submit(_work, item, max_bytes, keep_text).result())
        except cf.process.BrokenProcessPool:
            return {**_head(item),
                    "error": "the worker process died on this input (a crash in a reader or the model)"}


Pending = dict[cf.Future[dict[str, Any]], Loaded]


def _submit_more(pool: cf.ProcessPoolExecutor, items: Iterator[Loaded], pending: Pending, jobs: int,
                 max_bytes: int, keep_text: bool) -> tuple[bool, list[Loaded]]:
    """Inputs submitted until 2*jobs are in flight: (the inputs ran out, the inputs in flight when the
    pool turned out broken: empty while it works)."""
    while len(pending) < 2 * jobs:
        item = next(items, None)
        if item is None:
            return True, []
        try:
            pending[pool.submit(_work, item, max_bytes, keep_text)] = item
        except cf.process.BrokenProcessPool:  # the pool broke since the last wait
            return False, [*pending.values(), item]
    return False, []


def _collect(finished: set[cf.Future[dict[str, Any]]], pending: Pending
             ) -> Generator[dict[str, Any], None, list[Loaded]]:
    """The lines of the finished inputs; returns the inputs in flight if a worker died (empty if none)."""
    for fut in finished:
        item = pending.pop(fut)
        try:
            result = fut.result()
        except cf.process.BrokenProcessPool:
            return [item, *pending.values()]
        except Exception as e:
            result = {**_head(item), "error": f"extraction failed ({type(e).__name__}: {e})"}
        yield _checked(result)
    return []


def _one_pool(items: Iterator[Loaded], factory: ExtractFactory, jobs: int, max_bytes: int,
              keep_text: bool) -> Generator[dict[str, Any], None, list[Loaded]]:
    """Lines from one pool of workers until the inputs run out (returns []) or a worker dies (returns
    the inputs that were in flight)."""
    with _pool(jobs, factory) as pool:
        pending: Pending = {}
        exhausted = False
        while True:
            if not exhausted:
                exhausted, suspects = _submit_more(pool, items, pending, jobs, max_bytes, keep_text)
                if suspects:
                    return suspects
            if not pending:
                return []
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            suspects = yield from _collect(finished, pending)
            if suspects:
                return suspects


def _results_parallel(items: Iterator[Loaded], factory: ExtractFactory, jobs: int, max_bytes: int,
                      keep_text: bool) -> Iterator[dict[str, Any]]:
    """Completion order; at most 2*jobs inputs in flight, so memory stays bounded on big batches.
    If a worker dies (segfault, out of memory), the inputs in flight are retried one by one in
    fresh workers and the batch goes on with a new pool."""
    while True:
        suspects = yield from _one_pool(items, factory, jobs, max_bytes, keep_text)
        if not suspects:
            return
        for item in suspects:
            yield _isolated(item, factory, max_bytes, keep_text)


# --- the batch --------------------------------------------------------------------------------
def _open_output(out: Path, summary: Summary) -> tuple[IO[bytes], dict[str, tuple[Key, str | None]]]:
    """The output file opened for appending and locked, its torn last line cut, and the last outcome of
    every input it holds."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        sink = out.open("ab", buffering=0)
    except OSError as e:
        raise BatchError(f"cannot write {out}: {e.strerror or e}") from e
    try:  # two runs appending to one file would each redo the other's inputs
        fcntl.flock(sink.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        sink.close()
        raise BatchError(f"{out} is being written by another govreport extract; wait for it to finish") from e
    cut = repair_tail(out)
    if cut:
        summary.notes.append(f"{out}: cut a partial last line ({cut} bytes) left by an interrupted run")
    return sink, previous_outcomes(out)


@dataclass
class _Ledger:
    """What the driver of a batch keeps: the last outcome per input (from earlier runs, then this one),
    the counts, the progress bar and the writer of the output."""

    summary: Summary
    previous: dict[str, tuple[Key, str | None]]
    bar: Any
    writer: LineWriter
    warn: Callable[[str], None]

    def emit(self, line: dict[str, Any]) -> None:
        """Count a line and write it, unless it repeats the error the file already holds for the input."""
        key = line_key(line)
        if "error" in line:
            self.summary.errors += 1
            if self.previous.get(input_id(key)) == (key, line["error"]):
                self.bar.update(1)  # the same error as last time: the file already says so
                return
        else:
            self.summary.done += 1
        self.writer.write(line)
        self.previous[input_id(key)] = (key, line.get("error"))
        for warning in line.get("warnings") or ():
            self.warn(f"{line['path']}: warning: {warning}")
        self.bar.update(1)

    def todo(self, inputs: Sequence[str], max_bytes: int, stdin: IO[bytes] | None) -> Iterator[Loaded]:
        """The inputs that need the extractor. Read lazily, as workers free up: a skipped input is hashed,
        then dropped. Inputs that fail the cheap checks are recorded here, without the extractor."""
        for path in inputs:
            item = load_input(path, max_bytes, stdin)
            key = (resolved_path(item.path), item.sha256)
            last = self.previous.get(input_id(key))
            if last == (key, None):  # its last line is a record of this content
                self.summary.skipped += 1
                self.bar.update(1)
                continue
            if last is not None and last[1] is not None:
                self.summary.retried += 1
            if item.error is not None:
                self.emit({**_head(item), "error": item.error})
                continue
            yield item


def _results(items: Iterator[Loaded], factory: ExtractFactory, jobs: int, max_bytes: int, keep_text: bool,
             runner: Runner | None) -> Iterable[dict[str, Any]]:
    """The lines of the inputs: from the runner, in this process (jobs 1) or from worker processes. Peeks
    first: a re-run with everything done must not pay for loading the model."""
    first = next(items, None)
    if first is None:
        return ()
    todo = itertools.chain([first], items)
    if runner is not None:
        return runner(todo, factory, max_bytes, keep_text)
    if jobs <= 1:
        return _results_serial(todo, factory, max_bytes, keep_text)
    return _results_parallel(todo, factory, jobs, max_bytes, keep_text)


def run_batch(inputs: Sequence[str], factory: ExtractFactory, *, out: Path | None = None,
              jobs: int = 1, max_bytes: int = DEFAULT_MAX_BYTES, keep_text: bool = False,
              progress: bool = True, stdout: IO[bytes] | None = None,
              stdin: IO[bytes] | None = None, warn: Callable[[str], None] | None = None,
              runner: Runner | None = None) -> Summary:
    """Extract every input into JSONL at `out` (resuming it) or on `stdout`; returns counts.
    `warn(message)` is called once per line that has warnings (default: one stderr line each).
    `runner` replaces the local workers (`jobs`), e.g. with actors on a Ray cluster (ray_batch.py); it
    gets only the inputs still to do, and every line it returns goes through the same writer."""
    summary = Summary()
    if not inputs:
        raise BatchError("no inputs")
    previous: dict[str, tuple[Key, str | None]] = {}
    sink: IO[bytes] = stdout or sys.stdout.buffer
    if out is not None:
        sink, previous = _open_output(out, summary)
    bar = _progress(len(inputs), progress)
    writer = LineWriter(sink, durable=out is not None, name=str(out) if out is not None else "standard output")
    ledger = _Ledger(summary, previous, bar, writer, warn or _warn_stderr(bar))
    try:
        for line in _results(ledger.todo(inputs, max_bytes, stdin), factory, jobs, max_bytes, keep_text, runner):
            ledger.emit(line)
    finally:
        bar.close()
        if out is not None:
            sink.close()
    return summary


def _warn_stderr(bar: Any) -> Callable[[str], None]:
    def warn(message: str) -> None:
        bar.write(f"govreport extract: {message}", file=sys.stderr)  # above the progress bar, not through it

    return warn


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, unit="doc", desc="extract", disable=not enabled or total == 0,
                dynamic_ncols=True, smoothing=0.1)


def extract_single(path: str, factory: ExtractFactory, *, max_bytes: int = DEFAULT_MAX_BYTES,
                   keep_text: bool = False, stdin: IO[bytes] | None = None) -> dict[str, Any]:
    """The output line for one input, extracted in this process (raises BatchError if the
    extractor cannot be loaded)."""
    item = load_input(path, max_bytes, stdin)
    read = read_loaded(item, max_bytes=max_bytes)  # a bad input is refused before the model loads
    if isinstance(read, dict):
        return read
    try:
        fn = factory()
    except Exception as e:
        raise BatchError(f"the extractor could not be loaded ({type(e).__name__}: {e})") from e
    return extract_read(item, read, fn, keep_text=keep_text)


# --- the real extractor -----------------------------------------------------------------------
def model_extract_fn(model_dir: str, offsets: bool = False, progress: bool = False) -> ExtractFn:
    """Load the tagging model once; the returned function maps text to its record. ``progress``: a bar
    over the blocks of one long text (stderr; single-file mode)."""
    # The weight-loading progress bar of transformers (torch backend) would interleave with the batch's
    # own on stderr. Not imported here: with model.onnx the tagger runs without transformers.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if "transformers" in sys.modules:
        sys.modules["transformers"].utils.logging.disable_progress_bar()
    from govreport.inference.extract import Extractor  # lazy: the pipeline is loaded where the model is (the CLI
    # imports this module for its constants; --help stays fast)
    extractor = Extractor.from_pretrained(model_dir)
    if progress and hasattr(extractor.tagger, "progress"):
        extractor.tagger.progress = True

    def extract(text: str) -> dict[str, Any]:
        return extractor.extract(text, offsets=offsets).record

    return extract


def model_factory(model_dir: str | Path, offsets: bool = False) -> ExtractFactory:
    """A picklable factory for `run_batch` (each worker process loads the model from `model_dir`)."""
    if not is_model_dir(model_dir):
        raise BatchError(f"no model at {model_dir} ({MODEL_CONFIG} missing): train one with `govreport train` "
                         "or pass --model DIR")
    return partial(model_extract_fn, str(model_dir), offsets)


def with_block_progress(factory: ExtractFactory) -> ExtractFactory:
    """The model's factory with a progress bar over the blocks of one long text (single-file mode);
    any other factory (a test's, a caller's) is returned as it is."""
    if isinstance(factory, partial) and factory.func is model_extract_fn:
        return partial(factory, progress=True)
    return factory


# --- the command ------------------------------------------------------------------------------
def _say(msg: str) -> None:
    print(f"govreport extract: {msg}", file=sys.stderr)


def extract_command(args: Sequence[str], *, model: str | Path, out: str | None = None, fmt: str | None = None,
                    offsets: bool = False, jobs: int = 1, max_bytes: int = DEFAULT_MAX_BYTES,
                    progress: bool = True, runner: Runner | None = None) -> int:
    """`govreport extract`: one input -> pretty JSON record; several -> JSONL (resumable with --out).
    `runner` (e.g. a Ray cluster's, ray_batch.py) extracts the batch instead of local workers.
    Exit status: 0 all extracted, 1 some inputs failed (their lines say why), 2 nothing could run."""
    if jobs < 1 or max_bytes < 1:
        _say("--jobs and --max-bytes must be at least 1")
        return 2
    inputs, notes = expand_inputs(args)
    for note in notes:
        _say(note)
    if not inputs:
        _say("no inputs to process")
        return 2
    direct = len(args) == 1 and len(inputs) == 1 and (args[0] == STDIN or Path(args[0]).is_file()
                                                      or not Path(args[0]).exists())
    if fmt is None:
        fmt = "json" if direct and not (out or "").endswith(".jsonl") else "jsonl"
    if fmt == "json" and len(inputs) > 1:
        _say(f"--format json takes one input, got {len(inputs)}; use --format jsonl")
        return 2
    try:
        factory = model_factory(model, offsets)
        if fmt == "json":  # one (possibly long) file: a bar over its blocks when it has several
            return _single(inputs[0], with_block_progress(factory) if progress else factory, out=out,
                           offsets=offsets, max_bytes=max_bytes)
        summary = run_batch(inputs, factory, out=Path(out) if out else None, jobs=jobs, max_bytes=max_bytes,
                            keep_text=offsets, progress=progress, runner=runner)
    except BatchError as e:
        _say(str(e))
        return 2
    for note in summary.notes:
        _say(note)
    retried = f", {summary.retried} retried after an earlier error" if summary.retried else ""
    _say(f"{summary.done} extracted, {summary.errors} failed, {summary.skipped} skipped (already in {out}){retried}"
         if out else f"{summary.done} extracted, {summary.errors} failed")
    return 1 if summary.errors else 0


def _single(path: str, factory: ExtractFactory, *, out: str | None, offsets: bool, max_bytes: int) -> int:
    line = extract_single(path, factory, max_bytes=max_bytes, keep_text=offsets)
    if "error" in line:
        _say(f"{path}: {line['error']}")
        return 1
    for warning in line.get("warnings") or ():
        _say(f"{path}: warning: {warning}")
    # With --offsets the record's provenance points into "text", so the whole line is the output.
    payload = line if offsets else line["record"]
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if out:
        target = Path(out)
        tmp = target.with_name(target.name + ".part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)  # --out into a new directory creates it
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)  # never a half-written result file
        except OSError as e:
            with contextlib.suppress(OSError):
                tmp.unlink()
            _say(f"cannot write {out}: {e.strerror or e}")
            return 2
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
