"""The batch on a Ray cluster: the inputs that need the model are extracted by Ray actors, one loaded
model per actor, on as many machines as the cluster has.

Only the extraction moves. The driver (the process running `govreport extract --ray`) expands and
reads the inputs, hashes them, skips what the output file already holds, ships each input's bytes to an
actor through Ray's object store and writes every line itself, through `batch.run_batch`: the output
contract (one line per input, errors as lines, resumable by resolved path + content hash, fsync per
line, the lock) is the local batch's, not a copy of it. So the workers need neither the inputs nor the
output: only govreport (with the ray extra) and the model at the same path as on the driver.

A dead actor (a crash in a reader or the model, a kill, a lost machine) costs nothing: the input it was
running is retried alone in a fresh actor, and gets an error line if that one dies too; the inputs
queued behind it go back into the queue. Every input yields exactly one line.

Ray is an optional extra (`pip install 'govreport[ray]'`); it is imported only when a runner runs.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from govreport.inference.batch import (
    BATCH_THREADS,
    BatchError,
    ExtractFactory,
    Loaded,
    Runner,
    _checked,
    _head,
    process_loaded,
)

IN_FLIGHT_PER_ACTOR = 2  # one running, one on its way: an actor never waits for its next input
DIED = "the Ray actor died on this input (a crash in a reader or the model, or its machine was lost)"
ADDRESS_RE = re.compile(r"^(auto|local|ray://\S+|[\w.\-]+:\d+)$")


class ExtractActor:
    """One model per actor (`factory()` once); `work` turns one loaded input into its line."""

    def __init__(self, factory: ExtractFactory, threads: int) -> None:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[var] = str(threads)
        self.fatal: str | None = None
        try:
            self.fn = factory()
        except Exception as e:
            self.fatal = f"the extractor could not be loaded ({type(e).__name__}: {e})"
        if "torch" in sys.modules:  # one thread per actor, as in local workers (batch.BATCH_THREADS)
            sys.modules["torch"].set_num_threads(threads)

    def ping(self) -> dict[str, Any]:
        return {"fatal": self.fatal} if self.fatal else {"pid": os.getpid()}

    def work(self, item: Loaded, max_bytes: int, keep_text: bool) -> dict[str, Any]:
        if self.fatal:
            return {"fatal": self.fatal}
        return process_loaded(item, self.fn, max_bytes=max_bytes, keep_text=keep_text)


def import_ray() -> Any:
    try:
        import ray  # lazy: ray is an optional extra, and heavy to import
    except ImportError as e:
        raise BatchError("--ray needs Ray: pip install 'govreport[ray]' (or -e '.[ray]' in a checkout)") from e
    return ray


def check_address(address: str | None) -> str | None:
    """None (attach to the local cluster, else start one), `auto`, `local`, `ray://HOST:PORT` or
    `HOST:PORT`; anything else (usually an input put after a bare --ray) is a BatchError."""
    if address is None or ADDRESS_RE.match(address):
        return address
    raise BatchError(f"--ray {address}: not a Ray address (auto, ray://HOST:10001 or HOST:6379); "
                     "put the inputs before a bare --ray")


def ray_runner(address: str | None = None, actors: int | None = None) -> Runner:
    """A `run_batch` runner on the Ray cluster at `address` with `actors` actors (default: one per CPU
    of the cluster)."""
    check_address(address)
    return partial(_results_ray, address, actors)


def _connect(ray: Any, address: str | None) -> bool:
    """Join (or start) the cluster; True if this call did, so it also leaves."""
    if ray.is_initialized():
        return False
    try:
        # Actors' stdout/stderr stay in the cluster's logs: the command's stderr is its own (one
        # warning line per input), as in a local batch.
        ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise BatchError(f"cannot reach a Ray cluster at {address or 'this machine'}: {e}") from e
    return True


class _Pool:
    def __init__(self, ray: Any, factory: ExtractFactory) -> None:
        self.ray = ray
        self.factory = factory
        self.cls = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(ExtractActor)
        self.live: list[Any] = []

    def start(self, n: int) -> list[Any]:
        """n new actors, each with its model loaded (a BatchError if loading fails or kills them)."""
        actors = [self.cls.remote(self.factory, BATCH_THREADS) for _ in range(n)]
        self.live.extend(actors)
        try:
            for answer in self.ray.get([a.ping.remote() for a in actors]):
                _checked(answer)
        except self.ray.exceptions.RayActorError as e:
            raise BatchError("Ray actors die while loading the extractor; try a local run (--jobs 1) to see "
                             "why") from e
        return actors

    def kill(self, actor: Any) -> None:
        if actor in self.live:
            self.live.remove(actor)
        try:
            self.ray.kill(actor, no_restart=True)
        except Exception:  # already gone with its machine
            pass

    def close(self) -> None:
        for actor in list(self.live):
            self.kill(actor)


def _fill(slots: list[Any], flight: list[deque[tuple[Any, Loaded]]], owner: dict[Any, int],
          queue: deque[Loaded], items: Iterator[Loaded], exhausted: bool, max_bytes: int, keep_text: bool) -> bool:
    """Every actor given work up to IN_FLIGHT_PER_ACTOR inputs, the inputs to redo first; returns whether
    `items` has run out."""
    for i, actor in enumerate(slots):
        while len(flight[i]) < IN_FLIGHT_PER_ACTOR:
            item = queue.popleft() if queue else None
            if item is None and not exhausted:
                item = next(items, None)
                exhausted = item is None
            if item is None:
                break
            ref = actor.work.remote(item, max_bytes, keep_text)
            flight[i].append((ref, item))
            owner[ref] = i
    return exhausted


def _results_ray(address: str | None, actors: int | None, items: Iterator[Loaded], factory: ExtractFactory,
                 max_bytes: int, keep_text: bool) -> Iterable[dict[str, Any]]:
    """Lines in completion order; at most IN_FLIGHT_PER_ACTOR inputs per actor, so the object store
    holds a bounded number of input files at any time."""
    ray = import_ray()
    joined = _connect(ray, address)
    pool = _Pool(ray, factory)
    try:
        n = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        slots = pool.start(n)
        queue: deque[Loaded] = deque()  # inputs to redo after their actor died behind another input
        flight: list[deque[tuple[Any, Loaded]]] = [deque() for _ in slots]  # per slot, in submission order
        owner: dict[Any, int] = {}
        exhausted = False
        while True:
            exhausted = _fill(slots, flight, owner, queue, items, exhausted, max_bytes, keep_text)
            if not owner:
                return
            ready, _ = ray.wait(list(owner), num_returns=1)
            ref = ready[0]
            i = owner.pop(ref)
            k = next(j for j, (r, _) in enumerate(flight[i]) if r == ref)
            item = flight[i][k][1]
            try:
                result = ray.get(ref)
            except ray.exceptions.RayActorError:
                # Tasks of one actor run in submission order: the oldest one it held was running when
                # it died. That input is retried alone; the others were only waiting, and queue again.
                held = [it for _, it in flight[i]]
                for r, _ in flight[i]:
                    owner.pop(r, None)
                flight[i].clear()
                pool.kill(slots[i])
                queue.extendleft(reversed(held[1:]))
                line, slots[i] = _isolated(pool, held[0], max_bytes, keep_text)
                yield line
                continue
            except ray.exceptions.RayTaskError as e:  # process_loaded never raises; a Ray-side failure
                result = {**_head(item), "error": f"extraction failed ({type(e).__name__}: {e})"}
            del flight[i][k]
            yield _checked(result)
    finally:
        pool.close()
        if joined:
            ray.shutdown()


def _isolated(pool: _Pool, item: Loaded, max_bytes: int, keep_text: bool) -> tuple[dict[str, Any], Any]:
    """Run one input alone in a fresh actor: (its line, a live actor to go on with)."""
    actor = pool.start(1)[0]
    try:
        return _checked(pool.ray.get(actor.work.remote(item, max_bytes, keep_text))), actor
    except pool.ray.exceptions.RayActorError:
        pool.kill(actor)
        return {**_head(item), "error": DIED}, pool.start(1)[0]
