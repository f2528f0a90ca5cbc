"""The public API: generate documents, or write them as a Hugging Face `datasets` dataset."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from govreport.core.document import Document
from govreport.training.synth.render import render

COLUMNS = ("id", "text", "spans", "record", "layout")


def generate(n: int, seed: int, start: int = 0) -> Iterator[tuple[Document, dict]]:
    """Documents `start` .. `start + n - 1` of the corpus `seed`, each with its layout switches.

    Document i depends only on (seed, i), so any document can be regenerated alone.
    """
    for index in range(start, start + n):
        doc, switches = render(seed, index)
        yield doc, {"layout": switches, "broken": doc.meta.get("broken", [])}


def to_row(doc: Document, layout: list[str]) -> dict:
    return {
        "id": doc.id,
        "text": doc.text,
        "spans": [s.to_json() for s in sorted(doc.spans)],
        "record": json.dumps(doc.record, ensure_ascii=False),
        "layout": list(layout),
    }


def write_dataset(n: int, seed: int, out_dir: Path | str, progress: bool = True) -> Path:
    """Generate n documents and save them with `datasets.Dataset.save_to_disk` in out_dir."""
    import datasets
    from tqdm import tqdm

    features = datasets.Features({
        "id": datasets.Value("string"),
        "text": datasets.Value("string"),
        "spans": [{"start": datasets.Value("int32"), "end": datasets.Value("int32"),
                   "label": datasets.Value("string")}],
        "record": datasets.Value("string"),
        "layout": [datasets.Value("string")],
    })

    def rows() -> Iterator[dict]:
        for doc, info in tqdm(generate(n, seed), total=n, disable=not progress, desc="synth", unit="doc"):
            yield to_row(doc, info["layout"])

    # Streamed to Arrow files in a fresh cache directory: memory stays flat for large corpora, and
    # no cache from an earlier run (keyed on the generator closure, not on this code) can be reused.
    # Our own tqdm bar is the progress report; the library's bars would interleave with it.
    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        with tempfile.TemporaryDirectory(prefix="govreport-synth-") as cache:
            ds = datasets.Dataset.from_generator(rows, features=features, cache_dir=cache)
            out = Path(out_dir)
            ds.save_to_disk(str(out))
    finally:
        if bars:
            datasets.enable_progress_bars()
    return out
