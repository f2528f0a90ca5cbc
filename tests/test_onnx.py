"""ONNX Runtime inference: training writes model.onnx, the fp32 ONNX graph and torch give the same tags on
the gold set, the shipped int8 graph keeps the fp32 network's value F1 on it (within a stated tolerance),
extract on an ONNX model directory never imports torch or transformers, the export command."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from govreport.core.document import load_documents
from govreport.core.normalize import normalize
from govreport.inference.tagger import INT8_FILE, ONNX_FILE, Tagger, TorchRunner
from govreport.paths import DEFAULT_MODEL, EXAMPLES, GOLD_DIR

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny geometry model trained on handmade reports (tests/test_train.py), saved with model.onnx."""
    from test_train import _tiny_config

    from govreport.training.train import train

    tmp = tmp_path_factory.mktemp("onnx")
    train(_tiny_config(tmp, max_steps=40))
    return tmp / "model"


def test_training_saves_model_onnx_with_the_geometry_input(model_dir: Path) -> None:
    import onnxruntime as ort

    assert (model_dir / ONNX_FILE).is_file()
    session = ort.InferenceSession(str(model_dir / ONNX_FILE), providers=["CPUExecutionProvider"])
    inputs = {i.name: i.shape for i in session.get_inputs()}
    assert set(inputs) == {"input_ids", "attention_mask", "token_type_ids"}
    assert all(isinstance(d, str) for shape in inputs.values() for d in shape)  # batch and sequence dynamic
    assert json.loads((model_dir / "training.json").read_text(encoding="utf-8"))["onnx"] == ONNX_FILE


def test_onnx_and_torch_give_the_same_tags_on_the_gold_set(model_dir: Path) -> None:
    torch_tagger = Tagger.from_pretrained(model_dir, backend="torch")
    onnx_tagger = Tagger.from_pretrained(model_dir, backend="onnx", onnx_file=ONNX_FILE)  # fp32: exactly torch
    assert isinstance(torch_tagger.runner, TorchRunner) and not isinstance(onnx_tagger.runner, TorchRunner)
    tagged = 0
    for doc in load_documents(GOLD_DIR):
        text = normalize(doc.text, torch_tagger.settings.normalize).text
        np.testing.assert_allclose(onnx_tagger.probabilities(text), torch_tagger.probabilities(text), atol=1e-4)
        ids = torch_tagger.tag_ids(text)
        assert np.array_equal(onnx_tagger.tag_ids(text), ids), doc.id
        assert onnx_tagger.tag(doc.text) == torch_tagger.tag(doc.text), doc.id
        tagged += int((ids != 0).sum())
    assert tagged > 0  # the model tags something: the comparison is not of two all-O outputs


def _run_extract(model: Path) -> tuple[dict, set[str]]:
    probe = (
        "import sys, json\n"
        "from govreport.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = sorted(m for m in ('torch', 'transformers') if m in sys.modules)\n"
        "print(json.dumps(heavy), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", probe, "extract", str(EXAMPLES / "report.txt"), "--model", str(model)],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout), set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_extract_with_model_onnx_imports_neither_torch_nor_transformers(model_dir: Path, tmp_path: Path) -> None:
    record, heavy = _run_extract(model_dir)
    assert heavy == set()
    # without model.onnx the same command falls back to torch, with the same record
    torch_only = tmp_path / "torch-model"
    shutil.copytree(model_dir, torch_only)
    (torch_only / ONNX_FILE).unlink()
    torch_record, heavy = _run_extract(torch_only)
    assert heavy == {"torch", "transformers"}
    assert record == torch_record


def test_the_backend_is_named_in_a_debug_line(model_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="govreport.inference.tagger"):
        Tagger.from_pretrained(model_dir)
        Tagger.from_pretrained(model_dir, backend="torch")
    assert "onnxruntime backend" in caplog.text and "torch backend" in caplog.text


def test_export_onnx_command_writes_the_graph_and_an_int8_copy(model_dir: Path, tmp_path: Path) -> None:
    from govreport.cli import main

    target = tmp_path / "m"
    shutil.copytree(model_dir, target)
    (target / ONNX_FILE).unlink()
    assert main(["export-onnx", str(target), "--int8"]) == 0
    assert (target / ONNX_FILE).is_file() and (target / "model.int8.onnx").is_file()
    assert (target / INT8_FILE).stat().st_size < (target / ONNX_FILE).stat().st_size
    # with the int8 copy beside it, the tagger runs the copy; without, model.onnx
    assert Tagger.from_pretrained(target).runner.path.name == INT8_FILE
    assert Tagger.from_pretrained(model_dir).runner.path.name == ONNX_FILE
    assert Tagger.from_pretrained(target, onnx_file=ONNX_FILE).runner.path.name == ONNX_FILE
    assert main(["export-onnx", str(tmp_path / "nothing")]) == 1


# The shipped model runs model.int8.onnx. Its tolerance against the fp32 network (torch; the fp32 export
# equals it, above) on the gold set: value-level cell F1 at most 0.1 point lower (issue 14's rule; measured:
# equal) and the same tag on at least 99.5 % of characters (measured: 99.86 %; the rest are entity and
# heading edges).
INT8_MAX_F1_DROP = 0.001
INT8_MIN_TAG_AGREEMENT = 0.995


def _value_f1(tagger: Tagger, docs: list) -> float:
    from govreport.annotations.evaluate import Prediction, evaluate
    from govreport.inference.extract import Extractor

    extractor = Extractor(tagger=tagger)
    preds = {}
    for doc in docs:
        result = extractor.extract(doc.text)
        preds[doc.id] = Prediction(list(result.spans), result.record)
    return evaluate(docs, preds)["record"]["values"]["overall"]["f1"]


def test_the_shipped_int8_graph_reads_the_gold_set_as_the_fp32_network_does() -> None:
    int8 = Tagger.from_pretrained(DEFAULT_MODEL)
    assert int8.runner.path.name == INT8_FILE
    fp32 = Tagger.from_pretrained(DEFAULT_MODEL, backend="torch")
    docs = list(load_documents(GOLD_DIR))
    same = total = 0
    for doc in docs:
        text = normalize(doc.text, fp32.settings.normalize).text
        a, b = fp32.tag_ids(text), int8.tag_ids(text)
        same, total = same + int((a == b).sum()), total + len(a)
    assert same / total >= INT8_MIN_TAG_AGREEMENT
    assert _value_f1(int8, docs) >= _value_f1(fp32, docs) - INT8_MAX_F1_DROP


def test_softmax_in_place_gives_the_same_bits_and_only_then_overwrites() -> None:
    from govreport.inference.onnx_runner import softmax

    logits = (np.random.default_rng(14).standard_normal((2, 7, 11)) * 8).astype(np.float32)
    kept = logits.copy()
    p = softmax(logits)
    assert np.array_equal(logits, kept)  # the default leaves the input alone
    assert np.allclose(p.sum(axis=-1), 1, atol=1e-6)
    q = softmax(logits, in_place=True)
    assert q is logits and np.array_equal(p, q)
    assert np.array_equal(softmax(kept.astype(np.float64), in_place=True), p)  # converted, not written back


def test_an_int8_windows_probabilities_do_not_depend_on_the_windows_run_beside_it() -> None:
    from govreport.inference.onnx_runner import OnnxRunner

    runner = OnnxRunner(DEFAULT_MODEL / INT8_FILE, {0: "O"})
    rng = np.random.default_rng(0)
    a, b, c = (rng.integers(5, 3000, size=(1, 128)) for _ in range(3))
    c[0, :] = 5  # a dull neighbour: its activations would set another int8 scale for the run
    mask = np.ones((2, 128), dtype=np.int64)
    types = np.zeros((2, 128), dtype=np.int64)
    with_b = runner.window_probabilities(np.concatenate([a, b]), mask, types)
    with_c = runner.window_probabilities(np.concatenate([a, c]), mask, types)
    assert np.array_equal(with_b[0], with_c[0])


def test_windows_run_side_by_side_give_the_same_bits_as_one_after_another() -> None:
    from govreport.inference.onnx_runner import OnnxRunner

    rng = np.random.default_rng(1)
    x = rng.integers(5, 3000, size=(6, 128))
    mask, types = np.ones_like(x), np.zeros_like(x)
    one = OnnxRunner(DEFAULT_MODEL / INT8_FILE, {0: "O"}, threads=1)
    two = OnnxRunner(DEFAULT_MODEL / INT8_FILE, {0: "O"}, threads=2)
    serial = one.window_probabilities(x, mask, types)
    assert two._pool is None  # no pool until windows run
    assert np.array_equal(two.window_probabilities(x, mask, types), serial)
    assert two._pool is not None and one._pool is None  # the 2-thread runner did run them side by side
