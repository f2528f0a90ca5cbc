"""Where the project's own files live (the package is installed editable from the repository)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "models" / "default"
GOLD_DIR = ROOT / "annotations" / "gold"
TRAIN_ANNOTATIONS_DIR = ROOT / "annotations" / "train"
CONFIGS = ROOT / "configs"
EXAMPLES = ROOT / "docs" / "examples"
SHARED = ROOT.parent / "shared"
