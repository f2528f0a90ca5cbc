"""Synthetic messy annual reports with exact character spans and records, for training the tagger.

    from govreport.training.synth import generate, write_dataset
    for doc, info in generate(10, seed=0): ...        # (Document, {"layout": [...], "broken": [...]})
    write_dataset(20_000, seed=0, out_dir="data/synth")  # a datasets.Dataset on disk
"""

from govreport.training.synth.corpus import generate, write_dataset
from govreport.training.synth.layouts import LAYOUTS

__all__ = ["LAYOUTS", "generate", "write_dataset"]
