"""ONNX Runtime inference: training writes model.onnx, ONNX and torch give the same tags on the gold set,
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
from govreport.inference.tagger import ONNX_FILE, Tagger, TorchRunner
from govreport.paths import EXAMPLES, GOLD_DIR

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
    onnx_tagger = Tagger.from_pretrained(model_dir)
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
    assert (target / "model.int8.onnx").stat().st_size < (target / ONNX_FILE).stat().st_size
    text = (EXAMPLES / "report.txt").read_text(encoding="utf-8")
    assert Tagger.from_pretrained(target).tag(text) == Tagger.from_pretrained(model_dir).tag(text)
    assert main(["export-onnx", str(tmp_path / "nothing")]) == 1
