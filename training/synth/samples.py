"""Write one sample document per table-layout family for people to look at (docs/samples/).

    python -m govreport.training.synth.samples docs/samples
"""

from __future__ import annotations

import sys
from pathlib import Path

from govreport.training.synth.corpus import generate
from govreport.training.synth.layouts import LAYOUTS

SAMPLE_SEED = 2024
# Ten families: each sample uses this table layout alone (no other layout in the same document).
WANTED = ("pipe", "tabs", "cell_per_line", "cell_pipe_lines", "flat", "markdown", "html_copy", "run_together",
          "pipe_newline", "pdf")


def pick_samples(seed: int = SAMPLE_SEED, limit: int = 20_000) -> dict[str, tuple[int, list[str]]]:
    """family -> (index, switches) of the first untruncated document that uses only that layout."""
    found: dict[str, tuple[int, list[str]]] = {}
    for doc, info in generate(limit, seed):
        names = set(info["layout"])
        used = names & set(LAYOUTS)
        if len(used) != 1 or any(n.startswith("truncated") for n in names) or len(doc.text) < 1500:
            continue
        family = next(iter(used))
        if family in WANTED and family not in found:
            found[family] = (doc.meta["index"], info["layout"])
        if len(found) == len(WANTED):
            break
    return found


def write_samples(out_dir: Path, seed: int = SAMPLE_SEED) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    lines = ["# Synthetic sample documents", "",
             "One rendered document per table-layout family, from `govreport.training.synth` (corpus seed "
             f"{seed}). Regenerate one with `next(generate(1, {seed}, start=INDEX))`, or all with "
             "`python -m govreport.training.synth.samples docs/samples`.", "",
             "| file | layout family | index | all switches |", "| --- | --- | --- | --- |"]
    found = pick_samples(seed)
    for i, family in enumerate(WANTED, 1):
        if family not in found:
            continue
        index, switches = found[family]
        doc, _ = next(generate(1, seed, start=index))
        path = out_dir / f"{i:02d}_{family}.txt"
        path.write_text(doc.text, encoding="utf-8")
        written.append(path)
        lines.append(f"| {path.name} | {family} | {index} | {', '.join(switches)} |")
    (out_dir / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/samples")
    for p in write_samples(target):
        print(p)
