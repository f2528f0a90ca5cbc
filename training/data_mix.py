"""Mix hand-annotated training documents into the synthetic corpus with a weight.

Only documents whose ``meta.split`` is ``"train"`` are used, and never anything under the gold
directory: the gold set measures the model, so training on it would make every score a lie.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from pathlib import Path

from govreport.core.document import Document, document_paths, load_document
from govreport.paths import GOLD_DIR

log = logging.getLogger(__name__)


def _inside(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


def load_annotated(directory: Path, gold_dir: Path = GOLD_DIR) -> list[Document]:
    """Documents of ``directory`` marked ``meta.split == "train"``; a missing directory gives []."""
    directory = Path(directory)
    if _inside(directory, gold_dir) or _inside(gold_dir, directory):
        raise ValueError(f"{directory} overlaps the gold set {gold_dir}: gold documents are never trained on")
    if not directory.is_dir():
        return []
    docs = []
    for p in document_paths(directory):
        try:
            doc = load_document(p)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("%s: not a document, skipped (%s)", p, exc)
            continue
        if doc.meta.get("split") == "train":
            docs.append(doc)
    return docs


def mix(synthetic: Iterable[Document], annotated: Iterable[Document], weight: float,
        seed: int = 0) -> list[tuple[Document, int]]:
    """``(document, copies)`` pairs: every synthetic document once, every annotated one ``weight``
    times on average (the integer part always, the fractional part by a seeded draw)."""
    if weight < 0:
        raise ValueError("weight must be >= 0")
    rng = random.Random(seed)
    out = [(d, 1) for d in synthetic]
    whole, frac = int(weight), weight - int(weight)
    for doc in annotated:
        copies = whole + (1 if rng.random() < frac else 0)
        if copies:
            out.append((doc, copies))
    return out
