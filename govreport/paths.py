"""Where govreport finds its files.

Bundled data (shipped in the wheel as package data, so found in any install): the default model, the
training configs and the example report. An installed wheel has them inside the package
(``govreport/models``, ``govreport/configs``, ``govreport/examples``; pyproject.toml maps the repository's
``models/``, ``configs/`` and ``docs/examples/`` there); a checkout (the editable install) reads the
repository's own folders, which is where ``govreport/`` sits.

Working-copy paths (the gold set, hand-annotated training documents, ``../shared``) exist only in a
checkout; they are relative, so they resolve against the current directory (run from the repository
root, as the README does).

This module imports nothing of govreport: every layer may use it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled(installed: str, checkout: str) -> Path:
    """A bundled folder: ``govreport/<installed>`` in an installed wheel, else ``<checkout>`` beside
    ``govreport/`` in the repository (an editable install)."""
    package = Path(str(files("govreport")))
    inside = package / installed
    return inside if inside.is_dir() else package.parent / checkout


DEFAULT_MODEL = bundled("models", "models") / "default"
CONFIGS = bundled("configs", "configs")
EXAMPLES = bundled("examples", "docs/examples")
EXAMPLE_REPORT = EXAMPLES / "report.txt"

# A model directory is one whose config.json is there (the labels and the tagger settings; weights and
# vocab.json beside it): the one test every command uses before loading a model.
MODEL_CONFIG = "config.json"


def is_model_dir(path: str | Path) -> bool:
    """Does ``path`` hold a trained model (its config.json)?"""
    return (Path(path) / MODEL_CONFIG).is_file()


GOLD_DIR = Path("annotations/gold")
TRAIN_ANNOTATIONS_DIR = Path("annotations/train")
SHARED = Path("../shared")
