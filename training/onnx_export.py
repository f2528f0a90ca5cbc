"""Export a trained tagger to ONNX beside its safetensors: ``model_dir/model.onnx``.

``govreport export-onnx MODEL_DIR`` (or ``export_onnx(model_dir)``) for an existing model directory;
``train`` calls it when it saves a model. Inference then runs on ONNX Runtime without torch
(inference/onnx_runner.py); training stays on transformers + torch.

The graph takes ``input_ids``, ``attention_mask`` and, when the model was trained with geometry token
types (``type_vocab_size`` > 1), ``token_type_ids``; all int64 ``[batch, sequence]`` with both axes
dynamic. It returns ``logits`` ``[batch, sequence, labels]``. ``quantize_int8`` writes a dynamically
quantised copy (int8 weights, activations float), ``model.int8.onnx``, which the tagger then runs instead
of ``model.onnx``: make it only for a model whose value F1 it keeps (benchmarks/compare_onnx.py).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from govreport.inference.tagger import INT8_FILE, ONNX_FILE, read_model_config

OPSET = 17


def takes_token_types(config: dict[str, Any]) -> bool:
    """Does the model read token types (geometry)? Older models have a single type and take none."""
    return int(config.get("type_vocab_size", 1)) > 1


def export_onnx(model_dir: str | Path, out: str | Path | None = None, model: Any = None) -> Path:
    """Write the ONNX graph of the model in ``model_dir`` (or of ``model``, already loaded) to ``out``
    (default ``model_dir/model.onnx``); returns the path."""
    import torch  # lazy: exporting needs torch, using the export does not
    from transformers import AutoModelForTokenClassification

    model_dir = Path(model_dir)
    out = Path(out) if out is not None else model_dir / ONNX_FILE
    if model is None:
        read_model_config(model_dir)  # a clear error for a directory without a model
        # eager attention: the plain matmul graph, which the TorchScript exporter and ONNX Runtime both take
        model = AutoModelForTokenClassification.from_pretrained(model_dir, attn_implementation="eager")
    config = model.config.to_dict()
    with_types = takes_token_types(config)
    was_training = model.training
    model.eval()

    class Logits(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
            extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, **extra).logits

    names = ["input_ids", "attention_mask", *(["token_type_ids"] if with_types else [])]
    example = tuple(torch.ones((2, 16), dtype=torch.long) for _ in names)
    axes = {name: {0: "batch", 1: "sequence"} for name in [*names, "logits"]}
    previous_impl = getattr(model.config, "_attn_implementation", None)
    if previous_impl not in (None, "eager"):
        model.config._attn_implementation = "eager"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notices about shapes the graph keeps dynamic anyway
            torch.onnx.export(Logits(model), example, str(tmp), dynamo=False, input_names=names,
                              output_names=["logits"], dynamic_axes=axes, opset_version=OPSET,
                              do_constant_folding=True)
        tmp.replace(out)  # never a half-written model.onnx beside the weights
    finally:
        tmp.unlink(missing_ok=True)
        if previous_impl not in (None, "eager"):
            model.config._attn_implementation = previous_impl
        model.train(was_training)
    return out


def quantize_int8(onnx_path: str | Path, out: str | Path | None = None) -> Path:
    """Dynamic int8 quantisation of the weights (activations stay float): ``model.int8.onnx``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    onnx_path = Path(onnx_path)
    out = Path(out) if out is not None else onnx_path.with_name(INT8_FILE)
    quantize_dynamic(str(onnx_path), str(out), weight_type=QuantType.QInt8)
    return out
