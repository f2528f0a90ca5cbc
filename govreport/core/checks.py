"""The arithmetic identities of the spec, evaluated on a record.

Every identity instance is reported: ``ok`` is True or False, or None (skipped) when a value it
needs is null. ``expected`` is the side computed from the parts, ``found`` the printed total.
Given the document's text, the text-vs-table checks (govreport.core.textchecks, entries with
``"kind": "text"``) follow the identity entries.
"""

from __future__ import annotations

from typing import Any

from govreport.core import schema
from govreport.core.textchecks import text_checks

Check = dict[str, Any]


def _sum(values: list[Any]) -> float | None:
    if any(v is None for v in values):
        return None
    return sum(values)


def _check(identity: int, where: str, expected: Any, found: Any) -> Check:
    ok = None if expected is None or found is None else abs(expected - found) < 1e-9
    return {"identity": identity, "where": where, "expected": _num(expected), "found": _num(found), "ok": ok}


def _num(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def run_checks(record: dict[str, Any], text: str | None = None) -> list[Check]:
    """All identity instances for the record's template (table 2 rows of the union if unknown), then,
    when the document's text is given, its text-vs-table checks."""
    template = record.get("template")
    req = record.get("requests") or {}
    checks: list[Check] = []

    def cell(row: str, col: str) -> Any:
        return (req.get(row) or {}).get(col)

    handling = schema.T2_HANDLING_ROWS[template] if template else ()
    for col in schema.T2_COLUMNS:
        expected = _sum([cell("new_received", col), cell("carried_over", col)])
        found = _sum([cell("total_processed", col), cell("carried_forward", col)])
        checks.append(_check(1, f"requests.{col}", expected, found))
    if template:
        for col in schema.T2_COLUMNS:
            expected = _sum([cell(r, col) for r in handling])
            checks.append(_check(2, f"requests.{col}", expected, cell("total_processed", col)))
    for row in schema.t2_rows(template):
        if row not in req:
            continue
        expected = _sum([cell(row, c) for c in schema.T2_APPLICANT_COLUMNS])
        checks.append(_check(3, f"requests.{row}", expected, cell(row, "total")))
    rl = record.get("review_litigation") or {}
    for group in schema.T3_GROUPS:
        g = rl.get(group) or {}
        expected = _sum([g.get(c) for c in ("upheld", "corrected", "other", "pending")])
        checks.append(_check(4, f"review_litigation.{group}", expected, g.get("total")))
    if text is not None:
        checks += text_checks(record, text)
    return checks


def check_paths(check: Check, template: str | None) -> list[str]:
    """The cell paths a check compares (an identity instance's parts and total; a text check's cell or
    cells); [] for an entry this module does not know."""
    where = check.get("where")
    if not isinstance(where, str):
        return []
    if check.get("kind") == "text":
        return where.split("+")
    head, _, key = where.partition(".")
    identity = check.get("identity")
    if identity == 1:
        return [f"requests.{r}.{key}" for r in ("new_received", "carried_over", "total_processed", "carried_forward")]
    if identity == 2:
        rows = schema.T2_HANDLING_ROWS[template] if template in schema.T2_HANDLING_ROWS else ()
        return [f"requests.{r}.{key}" for r in (*rows, "total_processed")]
    if identity == 3:
        return [f"requests.{key}.{c}" for c in (*schema.T2_APPLICANT_COLUMNS, "total")]
    if identity == 4:
        return [f"{head}.{key}.{c}" for c in ("upheld", "corrected", "other", "pending", "total")]
    return []


def describe(check: Check) -> str:
    """One line for a person: `identity 3 at requests.granted: expected 12, found 13`, or for a text
    check `text at requests.new_received.total: the text says 2, the table 3 (共受理…申请2件)`."""
    where = check.get("where")
    if check.get("kind") == "text":
        return (f"text at {where}: the text says {check.get('expected')}, the table {check.get('found')} "
                f"({check.get('text')})")
    return f"identity {check.get('identity')} at {where}: expected {check.get('expected')}, found {check.get('found')}"


def failed(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c["ok"] is False]
