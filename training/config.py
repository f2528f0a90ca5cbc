"""A training config: a YAML file over BASE_CONFIG, checked key by key, with command-line overrides.

- Every key the trainer reads is in BASE_CONFIG; a key it does not know, at any depth, is an error
  that names its dotted path (``training.lerning_rate``), so a typo cannot train with a default.
- A value must have the type of the base value (a number for a number, true/false for a flag, a mapping
  for a mapping); where the base value is null any value is taken (a path, an optional size).
- ``data.synthetic.recipe`` maps switches of the generator's recipe (training/synth/recipe.py RECIPE)
  to new numbers; ``data.synthetic: null`` trains without synthetic documents.
- Overrides: ``["--training.max_steps", "100", "--data.dev_dir=null"]``; a value is read as YAML
  (``100`` a number, ``null``, ``true``, ``[a, b]``) and checked like the file's.

BASE_CONFIG is what a config file leaves out, not the shipped model: that is configs/default.yaml.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from govreport.training.synth.recipe import check_overrides

BASE_CONFIG: dict[str, Any] = {
    "name": None,
    "description": None,
    "seed": 13,
    "threads": 2,
    "output_dir": "models/default",
    "checkpoint_dir": "runs/default",
    "model": {"type": "bert", "hidden_size": 128, "num_hidden_layers": 4, "num_attention_heads": 4,
              "intermediate_size": 512, "embedding_size": None, "dropout": 0.1},
    "normalize": {"fold_width": True, "collapse_whitespace": True, "fold_traditional": True, "keep_cells": False,
                  "max_newlines": 3},
    # table-geometry token types (inference.geometry); blank_line_cells: an empty line is a blank cell
    "features": {"geometry": False, "blank_line_cells": False},
    "decode": {"pool_numbers": True, "structured": True},  # inference.decode, saved with the model
    "init_from": None,  # a model directory to fine-tune (its vocabulary and settings must match)
    # ... unless this is set: the normalisation and blank_line_cells may differ and the window may be
    # shorter (a default-model stage that refines the inputs; the geometry's on/off must still match)
    "init_adapt_inputs": False,
    "window": 512,
    "train_stride": 384,
    "infer_stride": 256,
    "dev_stride": None,  # windows of the dev split; null = window - 2 (no overlap: each character once)
    "data": {
        # govreport.training.synth.generate(n, seed); null = no synthetic documents. recipe: overrides of
        # training/synth/recipe.py RECIPE (e.g. {layout.pdf: 20, sign_words: 0.2}) while generating.
        "synthetic": {"n_train": 600, "train_seed": 1, "n_dev": 40, "dev_seed": 100001, "recipe": {}},
        "train_dirs": [],  # extra document directories used whole (e.g. a written synthetic set)
        "dev_dir": None,  # a document directory used as dev split instead of synthetic dev docs
        "annotated": {"dir": "annotations/train", "weight": 2.0},
        "vocab_min_count": 1,
        "keep_empty_windows": 1.0,  # fraction of training windows without any span that are kept
        "vocab_ranges": True,  # add printable ASCII and U+4E00-U+9FFF to the vocabulary
    },
    "training": {"max_steps": 1500, "batch_size": 8, "learning_rate": 1e-3, "warmup": 0.05,
                 "weight_decay": 0.01, "eval_steps": 250, "logging_steps": 50, "early_stopping_patience": 3,
                 "save_total_limit": 2, "max_minutes": 30, "o_weight": 1.0,
                 # Trainer settings: scheduler (transformers' SchedulerType names), the dev figure that
                 # picks the best checkpoint (selection = value_f1 on the real dev split, the synthetic dev
                 # value F1 breaking ties; or value_f1, span_f1, any eval metric; higher is better),
                 # data-loader worker processes, CPU even when a GPU is present.
                 "lr_scheduler": "linear", "best_metric": "selection", "greater_is_better": True,
                 "dataloader_workers": 0, "use_cpu": True},
}

# Mappings whose keys are not BASE_CONFIG's: checked by their own rule.
_OPEN = {"data.synthetic.recipe": check_overrides}


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _type_ok(base: Any, value: Any) -> bool:
    if base is None or value is None:
        return True
    if isinstance(base, bool):
        return isinstance(value, bool)
    if isinstance(base, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(base, dict):
        return isinstance(value, Mapping)
    return isinstance(value, type(base))


def check(config: Mapping[str, Any], base: Mapping[str, Any] = BASE_CONFIG, where: str = "") -> None:
    """Refuse unknown keys at any depth and values of the wrong type, naming the dotted path."""
    for key, value in config.items():
        path = f"{where}{key}"
        if path in _OPEN:
            if not isinstance(value, Mapping):
                raise ValueError(f"config key {path}: a mapping, not {value!r}")
            _OPEN[path](value, path)
            continue
        if key not in base:
            known = ", ".join(sorted(map(str, base)))
            raise ValueError(f"unknown config key {path} (known here: {known})")
        if not _type_ok(base[key], value):
            raise ValueError(f"config key {path}: expected {type(base[key]).__name__}, got {value!r}")
        if isinstance(value, Mapping) and isinstance(base[key], dict):
            check(value, base[key], path + ".")


def _key_path(key: str) -> list[str]:
    """The keys of a dotted override; inside an open mapping the rest is one key (recipe's layout.pdf)."""
    for prefix in _OPEN:
        if key.startswith(prefix + "."):
            return [*prefix.split("."), key[len(prefix) + 1:]]
    return key.split(".")


def parse_overrides(args: Sequence[str]) -> dict[str, Any]:
    """``--a.b 1`` / ``--a.b=1`` pairs as a nested mapping (values read as YAML)."""
    out: dict[str, Any] = {}
    items = list(args)
    while items:
        arg = items.pop(0)
        if not arg.startswith("--") or len(arg) < 3:
            raise ValueError(f"config override {arg!r}: expected --dotted.key VALUE")
        key, eq, raw = arg[2:].partition("=")
        if not eq:
            if not items:
                raise ValueError(f"config override --{key} has no value")
            raw = items.pop(0)
        value = yaml.safe_load(raw) if raw.strip() else None
        node = out
        *parents, last = _key_path(key)
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ValueError(f"config override --{key}: {p} is given a value and keys")
        node[last] = value
    return out


def load_config(path: str | Path, overrides: Sequence[str] | Mapping[str, Any] = ()) -> dict[str, Any]:
    """The config file (then the overrides) merged over BASE_CONFIG, every key checked."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config {path} not found")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a config is a mapping")
    try:
        check(data)
        extra = overrides if isinstance(overrides, Mapping) else parse_overrides(overrides)
        check(extra)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return _merge(_merge(BASE_CONFIG, data), extra)
