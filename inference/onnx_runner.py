"""The tagger's network on ONNX Runtime: no torch, no transformers (a cold start in well under a second).

``OnnxRunner(path, id2label, threads)`` is a ``tagger.Runner``: the exported graph (training/onnx_export.py)
takes ``input_ids``, ``attention_mask`` and, for geometry models, ``token_type_ids`` (all int64,
``[batch, sequence]``, both axes dynamic) and returns ``logits`` ``[batch, sequence, labels]``; the
softmax is done here, in float32, as the torch backend does it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

# One window per session.run: the int8 graph quantises its activations with one scale per run, so a
# window run beside another came out depending on its neighbour (36 of 10k characters changed their top
# label); alone, each window's tags depend on that window only, at the same speed.
ROWS_PER_RUN = 1
LOOKAHEAD = 16  # windows run ahead of the caller by stream_probabilities


class OnnxRunner:
    def __init__(self, path: str | Path, id2label: dict[int, str], threads: int = 1) -> None:
        import onnxruntime as ort  # lazy: only a model directory with model.onnx needs it

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no ONNX model at {path} (export one with `govreport export-onnx MODEL_DIR`)")
        options = ort.SessionOptions()
        # Windows run side by side, one per thread (the network is too small for one run to split well:
        # 2 intra-op threads tagged 10k characters no faster than 1); each run on one thread.
        options.intra_op_num_threads = 1
        self.threads = max(1, threads)
        self._pool: ThreadPoolExecutor | None = None
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no optimiser notices on stderr
        # Window batches differ in length: a memory pattern planned for one shape is only kept memory
        # (measured: 459 -> 382 MB peak tagging a 150k-character text).
        options.enable_mem_pattern = False
        # Other processes share the cores (batch workers, a training run): a spinning pool steals them.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.id2label = dict(id2label)
        self.path = path

    def window_probabilities(self, input_ids: np.ndarray, attention_mask: np.ndarray,
                             token_type_ids: np.ndarray | None) -> np.ndarray:
        feeds = self._feeds(input_ids, attention_mask, token_type_ids)
        if self.threads > 1 and len(feeds) > 1:
            out = list(self._executor().map(self._run, feeds))
        else:
            out = [self._run(feed) for feed in feeds]
        return out[0] if len(out) == 1 else np.concatenate(out)

    def stream_probabilities(self, batches: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray | None]],
                             ) -> Iterator[np.ndarray]:
        """``window_probabilities`` of each batch, in order, the runs of the next batches going on while
        the caller uses a batch's (no pool left idle between batches); the same runs, so the same
        floats. At most ``LOOKAHEAD`` windows are run ahead of the caller (bounded memory)."""
        if self.threads <= 1:
            yield from (self.window_probabilities(*batch) for batch in batches)
            return
        pool = self._executor()
        queued: deque[list[Future[np.ndarray]]] = deque()  # batches submitted, not yet handed over
        in_flight = 0
        for batch in batches:
            queued.append([pool.submit(self._run, feed) for feed in self._feeds(*batch)])
            in_flight += len(queued[-1])
            while in_flight > LOOKAHEAD:
                in_flight -= len(queued[0])
                yield _gathered(queued.popleft())
        while queued:
            yield _gathered(queued.popleft())

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:  # session.run is thread-safe and lets go of the GIL
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="onnx")
        return self._pool

    def _feeds(self, input_ids: np.ndarray, attention_mask: np.ndarray,
               token_type_ids: np.ndarray | None) -> list[dict[str, np.ndarray]]:
        """The session inputs of a batch, ``ROWS_PER_RUN`` rows each."""
        if token_type_ids is None:
            token_type_ids = np.zeros_like(input_ids)
        feeds = []
        # Few windows per run also keep memory down: a run's attention scores ([rows, heads, 512, 512]
        # floats per layer) stay in ONNX Runtime's arena for the life of the process.
        for r in range(0, len(input_ids), ROWS_PER_RUN):
            feed = {"input_ids": input_ids[r:r + ROWS_PER_RUN], "attention_mask": attention_mask[r:r + ROWS_PER_RUN]}
            if "token_type_ids" in self.input_names:
                feed["token_type_ids"] = token_type_ids[r:r + ROWS_PER_RUN]
            feeds.append(feed)
        return feeds

    def _run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        (logits,) = self.session.run(["logits"], feed)
        return softmax(logits, in_place=True)


def _gathered(runs: list[Future[np.ndarray]]) -> np.ndarray:
    out = [run.result() for run in runs]
    return out[0] if len(out) == 1 else np.concatenate(out)


def softmax(logits: np.ndarray, in_place: bool = False) -> np.ndarray:
    """Softmax over the last axis, in float32. ``in_place``: overwrite ``logits`` when it is a writeable
    float32 array (the session's output, used once: no temporaries); the same arithmetic either way,
    so the same bits."""
    z = np.asarray(logits, dtype=np.float32)
    if not (in_place and z is logits and z.flags.writeable):
        z = z.copy()
    np.subtract(z, z.max(axis=-1, keepdims=True), out=z)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z
