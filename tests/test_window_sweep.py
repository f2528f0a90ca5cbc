"""benchmarks/window_sweep.py: per (window, stride) the evaluation sets' value F1 and the extract time,
the first pair as the reference, the tagger's own settings left as they were (a stub network)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from script_loader import load_script

from govreport.core.document import load_documents
from govreport.core.vocab import Vocab
from govreport.inference.tagger import Tagger, TaggerSettings
from govreport.paths import GOLD_DIR

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["O", "B-PHONE", "I-PHONE"]


def _sweep_module():
    return load_script("benchmarks/window_sweep.py")


class DigitRunner:
    """Digits are PHONE, everything else O; records which window widths it was asked for."""

    def __init__(self, vocab: Vocab) -> None:
        self.id2label = dict(enumerate(LABELS))
        self.digits = np.array([vocab.index[d] for d in "0123456789" if d in vocab.index])
        self.widths: set[int] = set()

    def window_probabilities(self, input_ids, attention_mask, token_type_ids):
        self.widths.add(input_ids.shape[1])
        digit = np.isin(input_ids, self.digits)
        probs = np.zeros((*input_ids.shape, len(LABELS)), dtype=np.float32)
        probs[..., 0] = ~digit
        probs[..., 1] = digit
        return probs


def test_sweep_scores_and_times_every_pair_and_restores_the_settings() -> None:
    ws = _sweep_module()
    docs = sorted(load_documents(GOLD_DIR), key=lambda d: d.id)[:2]
    vocab = Vocab.build([d.text for d in docs], include_ranges=False)
    settings = TaggerSettings(window=34, stride=16)
    runner = DigitRunner(vocab)
    tagger = Tagger(runner, vocab, settings)
    rows = ws.sweep(tagger, [(34, 16), (20, 10)], {"gold": docs}, docs[0].text[:500], rounds=2)
    assert tagger.settings == settings
    assert {34, 20} <= runner.widths  # both windows were run
    assert [(r["window"], r["stride"]) for r in rows] == [(34, 16), (20, 10)]
    assert rows[0]["no_loss"] is True  # the reference loses nothing against itself
    for r in rows:
        assert set(r["sets"]) == {"gold"} and len(r["sets"]["gold"]["tp_fp_fn"]) == 3
        assert r["windows"] >= 1 and r["cpu_min_ms"] >= 0 and r["network_min_ms"] == 0  # no ONNX session
    assert rows[1]["windows"] > rows[0]["windows"]
    table = ws.markdown(rows)
    assert table.count("\n") == 3 and "gold value F1" in table
