"""Values computed here, by the spec's words, without the project's own functions (govreport.core.checks,
govreport.core.sections), so tests that compare against them test something."""

from __future__ import annotations

from typing import Any

from govreport.core import schema


def identity_values(record: dict[str, Any]) -> dict[tuple[int, str], tuple[Any, Any]]:
    """(identity, where) -> (expected, found) straight from the spec's four identities:
    1. received + carried over = processed + carried forward (each table 2 column);
    2. the handling rows of the template add up to `total_processed` (each column);
    3. the applicant columns add up to `total` (each table 2 row present);
    4. upheld + corrected + other + pending = total (each table 3 group).
    A None anywhere in a sum gives None."""
    def add(*xs: Any) -> Any:
        total = 0
        for x in xs:
            if x is None:
                return None
            total += x
        return total

    req = record.get("requests") or {}
    got: dict[tuple[int, str], tuple[Any, Any]] = {}
    for col in schema.T2_COLUMNS:
        r = {row: (req.get(row) or {}).get(col) for row in req}
        got[(1, f"requests.{col}")] = (add(r.get("new_received"), r.get("carried_over")),
                                       add(r.get("total_processed"), r.get("carried_forward")))
        if record.get("template"):
            parts = [r.get(row) for row in schema.T2_HANDLING_ROWS[record["template"]]]
            got[(2, f"requests.{col}")] = (add(*parts), r.get("total_processed"))
    for row, cells in req.items():
        got[(3, f"requests.{row}")] = (add(*(cells.get(c) for c in schema.T2_COLUMNS if c != "total")),
                                       cells.get("total"))
    for group, g in (record.get("review_litigation") or {}).items():
        got[(4, f"review_litigation.{group}")] = (add(g.get("upheld"), g.get("corrected"), g.get("other"),
                                                      g.get("pending")), g.get("total"))
    return got


def check_differences(record: dict[str, Any]) -> list[str]:
    """Where the record's `checks` disagree with the independently computed identities."""
    want = identity_values(record)
    out = []
    listed = {(c["identity"], c["where"]): c for c in record["checks"] if "identity" in c}  # not text checks
    for key in sorted(set(want) | set(listed)):
        if key not in listed or key not in want:
            out.append(f"{key}: {'not checked' if key in want else 'checked but not an identity instance'}")
            continue
        expected, found = want[key]
        c = listed[key]
        ok = None if expected is None or found is None else expected == found
        if (c["expected"], c["found"], c["ok"]) != (expected, found, ok):
            out.append(f"{key}: record says {c['expected']}/{c['found']}/{c['ok']}, spec gives {expected}/{found}/{ok}")
    return out


def sections_by_cuts(text: str, headings: list[tuple[str, int, int]]) -> dict[str, str | None]:
    """Section texts by the spec's words, written again here: cut the document at every heading
    (key, start, end); the piece after a section's first heading, stripped, is its text."""
    out: dict[str, str | None] = dict.fromkeys(schema.SECTIONS)
    cuts = sorted(headings, key=lambda h: (h[1], h[2]))
    starts = [start for _key, start, _end in cuts] + [len(text)]
    for n, (key, _start, end) in enumerate(cuts):
        if key in out and out[key] is None:
            out[key] = text[end:starts[n + 1]].strip()
    return out
