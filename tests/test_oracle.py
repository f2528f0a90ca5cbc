"""Oracle: assembling the annotated spans of a document gives back its annotated record, exactly.

Gold (annotations/gold/) and synthetic documents (govreport.training.synth) are annotated by other hands
following the same conventions, so any difference is a disagreement about a convention.
"""

import json
from typing import Any

import pytest
from independent import check_differences, sections_by_cuts

from govreport.core.document import load_documents
from govreport.inference.assemble import assemble
from govreport.paths import GOLD_DIR

GOLD = list(load_documents(GOLD_DIR)) if GOLD_DIR.is_dir() else []
SYNTH_DOCS = 300


def differences(got: Any, want: Any, path: str = "") -> list[str]:
    """Leaf-level differences (types included: 1 and 1.0 differ in JSON terms that matter here)."""
    if isinstance(got, dict) and isinstance(want, dict):
        out = []
        for k in [*want, *(k for k in got if k not in want)]:
            if k not in got or k not in want:
                out.append(f"{path}.{k}: only in {'gold' if k in want else 'assembled'}")
            else:
                out += differences(got[k], want[k], f"{path}.{k}")
        return out
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return [d for i, (g, w) in enumerate(zip(got, want, strict=True)) for d in differences(g, w, f"{path}.{i}")]
    if got != want or type(got) is not type(want):
        return [f"{path}: assembled {json.dumps(got, ensure_ascii=False)[:120]}"
                f" != annotated {json.dumps(want, ensure_ascii=False)[:120]}"]
    return []


@pytest.mark.skipif(not GOLD, reason="no gold documents yet")
@pytest.mark.parametrize("doc", GOLD, ids=[d.id for d in GOLD])
def test_gold_spans_assemble_to_the_gold_record(doc):
    assert doc.record is not None
    got = assemble(doc.text, doc.spans)
    if "agency_aliases" not in doc.record:  # gold written before the key existed
        got.pop("agency_aliases")
    assert differences(got, doc.record) == []
    assert check_differences(got) == []  # the checks, by the spec's arithmetic done here


@pytest.mark.skipif(not GOLD, reason="no gold documents yet")
@pytest.mark.parametrize("doc", GOLD, ids=[d.id for d in GOLD])
def test_gold_provenance_points_at_the_values(doc):
    record = assemble(doc.text, doc.spans, offsets=True)
    prov = record.pop("provenance")
    assert record == assemble(doc.text, doc.spans)
    for path, (start, end) in prov.items():
        printed = doc.text[start:end]
        if path in ("agency",) or path.startswith(("sections.", "phones.", "leaders.")):
            key, *rest = path.split(".")
            value = record[key]
            for part in rest:
                value = value[int(part)] if isinstance(value, list) else value[part]
            assert printed == value, path
        elif path.startswith(("requests.", "review_litigation.", "proactive.")):
            assert printed.strip() and start < end, path


def test_synthetic_spans_assemble_to_the_generators_record():
    synth = pytest.importorskip("govreport.training.synth")
    if not hasattr(synth, "generate"):
        pytest.skip("govreport.training.synth.generate not available yet")
    failures = []
    for doc, layout in synth.generate(SYNTH_DOCS, seed=7):
        got = assemble(doc.text, doc.spans)
        # the generator names the body by its most frequent form; the record by its fullest, the
        # generator's form then standing among the aliases
        aliases = got.pop("agency_aliases")
        # the generator writes neither cell statuses nor text-vs-table checks (tests/test_cellstatus.py,
        # tests/test_textchecks.py cover those)
        got.pop("cell_status")
        got["checks"] = [c for c in got["checks"] if "identity" in c]
        if doc.record.get("agency") in aliases:
            got["agency"] = doc.record["agency"]
        want = {k: v for k, v in doc.record.items() if k != "agency_aliases"}
        # both sides compute sections and checks with the same functions: compare those with values
        # computed independently (tests/independent.py) as well
        headings = [(s.label[2:], s.start, s.end) for s in doc.spans if s.label.startswith("H.")]
        diffs = [*differences(got, want), *check_differences(got)]
        if got["sections"] != sections_by_cuts(doc.text, headings):
            diffs.append("sections differ from the independent reading")
        if diffs:
            failures.append(f"{doc.id} ({layout}): {diffs[:3]}")
    assert failures == [], f"{len(failures)} of {SYNTH_DOCS} differ; first: {failures[:5]}"
