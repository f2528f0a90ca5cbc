"""The validator: is a Document (or a bare record) well formed and consistent with its own spans?

Every problem names where it is (file or task), the span when there is one, and the reason, so that
an annotator can go straight to it. Nothing here raises on bad input: problems are returned.

The record is checked against its spans by the rules the assembler builds it with (govreport.core.rules,
numbers, units, entities, sections, checks): cells = parse_number of their spans (pasted-twice reports:
conflicts), entity lists deduplicated in order of first occurrence, agency/agency_aliases/report_year/
published values that their spans print (which one the precedence of govreport.inference.assemble picks
is not re-decided here), leaders paired within a sentence, checks = govreport.core.checks.run_checks(record).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from govreport.core import entities, labels, rules, schema, units
from govreport.core.checks import run_checks
from govreport.core.document import Document, Span, document_paths, read_document
from govreport.core.numbers import parse_number, same_value
from govreport.core.sections import section_texts

_MAX_SHOWN = 60  # span text longer than this is shortened in messages


@dataclass(frozen=True)
class Problem:
    """One reason a document (or task, or record) is invalid."""

    where: str
    reason: str
    span: Span | None = None
    span_text: str | None = None

    def __str__(self) -> str:
        if self.span is None:
            return f"{self.where}: {self.reason}"
        shown = self.span_text or ""
        if len(shown) > _MAX_SHOWN:
            shown = shown[:_MAX_SHOWN] + "…"
        return f"{self.where}: span {self.span.start}-{self.span.end} {self.span.label} {shown!r}: {self.reason}"


@dataclass
class ValidationResult:
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    spans: int = 0
    without_record: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        extra = f", {self.without_record} without record" if self.without_record else ""
        return f"ok: {self.documents} documents, {self.spans} spans{extra}"


# A problem before it is placed in a file/task: (span or None, reason).
Issue = tuple[Span | None, str]


# --- spans -------------------------------------------------------------------------------------
def span_issues(text: str, spans: Iterable[Span]) -> list[Issue]:
    """Offsets, whitespace, overlaps and labels of a span list."""
    issues: list[Issue] = []
    placed: list[Span] = []
    for s in sorted(spans):
        if s.start >= s.end:
            issues.append((s, "empty or reversed span (start >= end)"))
            continue
        if s.start < 0 or s.end > len(text):
            issues.append((s, f"offsets out of range (the text has {len(text)} characters)"))
            continue
        t = text[s.start:s.end]
        if t != t.strip():
            issues.append((s, "span text starts or ends with whitespace"))
        if not labels.is_span_label(s.label):
            issues.append((s, f"unknown label {s.label!r}"))
        for prev in placed:
            if prev.end > s.start:
                issues.append((s, f"overlaps span {prev.start}-{prev.end} {prev.label}"))
        placed = [p for p in placed if p.end > s.start] + [s]
    return issues


# --- record alone ------------------------------------------------------------------------------
@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(schema.json_schema())


def _shape(node: Any, depth: int) -> Any:
    """Nested key structure of a table section down to `depth` levels (leaves: None)."""
    if depth == 0 or not isinstance(node, dict):
        return None
    return {k: _shape(v, depth - 1) for k, v in node.items()}


def _shape_diff(expected: Any, got: Any, path: str) -> list[str]:
    if not isinstance(expected, dict) or not isinstance(got, dict):
        return []
    out = [f"{path}.{k}: missing (template requires it)" for k in expected if k not in got]
    out += [f"{path}.{k}: not a key of this template" for k in got if k not in expected]
    for k in expected:
        if k in got:
            out += _shape_diff(expected[k], got[k], f"{path}.{k}")
    return out


def record_issues(record: Any) -> list[str]:
    """JSON Schema, table keys of the record's template, and checks == run_checks(record)."""
    return shape_issues(record) or checks_issues(record)


def shape_issues(record: Any) -> list[str]:
    """JSON Schema and the table keys of the record's template (the proactive/requests keys exactly)."""
    if not isinstance(record, dict):
        return [f"record is not a JSON object (got {type(record).__name__})"]
    out = []
    for err in sorted(_schema_validator().iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        out.append(f"record.{where}: {err.message}")
    template = record.get("template")
    if template not in (*schema.TEMPLATES, None):
        return out
    empty = schema.empty_record(template)
    for key, depth in (("proactive", 3), ("requests", 2)):
        out += _shape_diff(_shape(empty[key], depth), _shape(record.get(key), depth), f"record.{key}")
    return out


def _show_check(c: dict[str, Any] | None) -> str:
    if c is None:
        return "nothing"
    return f"{c.get('expected')} vs {c.get('found')} ok={c.get('ok')}"


def _check_name(c: dict[str, Any]) -> str:
    return f"text check {c.get('text')!r}" if c.get("kind") == "text" else f"identity {c.get('identity')}"


def checks_issues(record: dict[str, Any], text: str | None = None) -> list[str]:
    """record.checks must be exactly govreport.core.checks.run_checks(record, text) (assumes a well-shaped
    record); without the document's text only the identity entries are compared."""
    expected = run_checks(record, text)
    got = record.get("checks") or []
    if text is None:
        got = [c for c in got if not (isinstance(c, dict) and c.get("kind") == "text")]
    n = max(len(got), len(expected))
    diffs = [i for i in range(n) if i >= len(got) or i >= len(expected) or got[i] != expected[i]]
    if not diffs:
        return []
    shown = "; ".join(
        f"{_check_name(expected[i] if i < len(expected) else got[i])} at "
        f"{(expected[i] if i < len(expected) else got[i]).get('where')}: record has "
        f"{_show_check(got[i] if i < len(got) else None)}, run_checks gives "
        f"{_show_check(expected[i] if i < len(expected) else None)}" for i in diffs[:3])
    more = f" (and {len(diffs) - 3} more)" if len(diffs) > 3 else ""
    return [f"record.checks differ from govreport.core.checks.run_checks(record): {shown}{more}"]


# --- record against spans ----------------------------------------------------------------------
def _read_cells(text: str, spans: list[Span], template: str | None
                ) -> tuple[dict[str, list[tuple[Span, Any]]], list[Issue]]:
    """The cell spans by record path with the number each reads, and the spans that read none or belong
    to no cell of the template."""
    issues: list[Issue] = []
    allowed = set(schema.cell_paths(template))
    by_path: dict[str, list[tuple[Span, Any]]] = {}
    for s in spans:
        path = labels.cell_path(s.label)
        if path is None or not labels.is_span_label(s.label):
            continue
        value = parse_number(s.text(text))
        if value is None:
            issues.append((s, "cell span does not read as a number"))
        elif path not in allowed:
            issues.append((s, f"cell {path} is not part of template {template}"))
        else:
            by_path.setdefault(path, []).append((s, value))
    return by_path, issues


def _agreeing_cell_issues(path: str, found: list[tuple[Span, Any]], cell: Any, value: Any,
                          conflict: dict[str, Any] | None) -> list[Issue]:
    """A cell whose spans all read `value`: the record holds it and lists no conflict."""
    issues: list[Issue] = []
    if not same_value(cell, value):
        issues += [(s, f"reads {v} but record {path} is {cell}") for s, v in found]
    if conflict is not None:
        issues.append((None, f"record.conflicts lists {path} but all its spans read {value}"))
    return issues


def _conflicting_cell_issues(path: str, found: list[tuple[Span, Any]], cell: Any, distinct: list[Any],
                             conflict: dict[str, Any] | None) -> list[Issue]:
    """A cell whose spans disagree (a report pasted twice): the record holds the first occurrence and
    its conflict entry lists every value read."""
    issues: list[Issue] = []
    first = found[0][1]
    if not any(same_value(cell, v) for v in distinct):
        issues.append((found[0][0], f"record {path} is {cell}, which none of its spans reads {distinct}"))
    elif not same_value(cell, first):
        issues.append((found[0][0], f"record {path} is {cell}; the first occurrence reads {first}"))
    if conflict is None:
        return [*issues, (None, f"spans of {path} disagree {distinct} but record.conflicts has no entry")]
    values = conflict.get("values") or []
    if sorted(map(str, schema.distinct(values))) != sorted(map(str, distinct)):
        issues.append((None, f"record.conflicts {path}: values {values} but spans read {distinct}"))
    if not same_value(conflict.get("chosen"), first):
        issues.append((None, f"record.conflicts {path}: chosen {conflict.get('chosen')}, "
                             f"the first occurrence reads {first}"))
    return issues


def _cell_issues(text: str, spans: list[Span], record: dict[str, Any]) -> list[Issue]:
    template = record.get("template")
    by_path, issues = _read_cells(text, spans, template)
    conflicts = {c.get("path"): c for c in record.get("conflicts") or [] if isinstance(c, dict)}
    for path, found in by_path.items():
        cell = schema.get_path(record, path)
        distinct = schema.distinct(v for _, v in found)
        if len(distinct) == 1:
            issues += _agreeing_cell_issues(path, found, cell, distinct[0], conflicts.get(path))
        else:
            issues += _conflicting_cell_issues(path, found, cell, distinct, conflicts.get(path))
    for path in schema.cell_paths(template):
        cell = schema.get_path(record, path)
        if cell is not None and path not in by_path:
            issues.append((None, f"record {path} is {cell} but no span gives it"))
    issues += [(None, f"record.conflicts lists {path}, which has no span") for path in conflicts
               if path not in by_path]
    issues += _amount_issues(text, spans, record, by_path)
    return issues


def _amount_issues(text: str, spans: list[Span], record: dict[str, Any],
                   by_path: dict[str, list[tuple[Span, Any]]]) -> list[Issue]:
    issues: list[Issue] = []
    amounts = [a for a in record.get("amounts") or [] if isinstance(a, dict)]
    for a in amounts:
        parsed = parse_number(str(a.get("text", "")))
        if parsed is not None and not same_value(parsed, a.get("value")):
            issues.append((None, f"record.amounts {a.get('text')!r}: value {a.get('value')}, text reads {parsed}"))
    prose = [a.get("text") for a in amounts if a.get("cell") is None]
    # an AMOUNT span that holds no number is no amount (units.split_amount reads none)
    spans_prose = schema.distinct(s.text(text) for s in spans
                                  if s.label == "AMOUNT" and units.split_amount(s.text(text))[0] is not None)
    if schema.distinct(prose) != spans_prose or len(prose) != len(spans_prose):
        issues.append((None, f"record.amounts (cell null) are {prose}; AMOUNT spans give {spans_prose}"))
    template = record.get("template")
    money = schema.MONEY_CELLS.get(template) if template else None
    money_path = f"proactive.{'.'.join(money)}" if money else None
    for a in amounts:
        cell = a.get("cell")
        if cell is None:
            continue
        if cell != money_path:
            issues.append((None, f"record.amounts {a.get('text')!r}: cell {cell} is not the money cell "
                                 f"{money_path} of template {template}"))
        elif not any(same_value(a.get("value"), v) for _, v in by_path.get(cell, [])):
            issues.append((None, f"record.amounts {a.get('text')!r}: value {a.get('value')} is read by no "
                                 f"span of {cell}"))
    if money_path and schema.get_path(record, money_path) is not None:
        value = schema.get_path(record, money_path)
        if not any(a.get("cell") == money_path and same_value(a.get("value"), value) for a in amounts):
            issues.append((None, f"record {money_path} is {value} but record.amounts has no entry for it"))
    return issues


def _list_issues(texts: Callable[[str], list[str]], record: dict[str, Any]) -> list[Issue]:
    """Entity lists (phones, emails, …): the plausible span texts, deduplicated in order."""
    issues: list[Issue] = []
    plausible = {"EMAIL": entities.is_email, "PHONE": entities.is_phone}
    for label, key in schema.ENTITY_LIST_KEYS.items():
        want = schema.distinct(t for t in texts(label) if label not in plausible or plausible[label](t))
        if record.get(key) != want:
            issues.append((None, f"record.{key} is {record.get(key)}; {label} spans give {want} "
                                 "(deduplicated, in order of first occurrence)"))
    return issues


def _agency_issues(text: str, spans: list[Span], agencies: list[str], record: dict[str, Any]) -> list[Issue]:
    """The agency is one of the AGENCY spans (null only when none is usable); its aliases are the others."""
    issues: list[Issue] = []
    agency = record.get("agency")
    # null when no mention is usable (every one a fragment: entities.choose_agency finds none)
    usable = bool(agencies) and entities.choose_agency(text, spans) is not None
    if (agency not in agencies) if usable else (agency is not None and agency not in agencies):
        issues.append((None, f"record.agency is {agency!r}; not one of the AGENCY spans {schema.distinct(agencies)}"))
    stray = [a for a in record.get("agency_aliases") or [] if a not in agencies or a == agency]
    if stray or (agency is None and record.get("agency_aliases")):
        issues.append((None, f"record.agency_aliases {stray or record.get('agency_aliases')} are not other "
                             "AGENCY spans"))
    return issues


def _year_issues(text: str, year_spans: list[Span], record: dict[str, Any]) -> list[Issue]:
    """Every REPORT_YEAR span reads as a year; the record's year is one of them (or null)."""
    issues: list[Issue] = []
    years = []
    for s in year_spans:
        y = rules.parse_year(s.text(text))
        if y is None:
            issues.append((s, "REPORT_YEAR span is not a year (4 digits, 1949-2100)"))
        else:
            years.append(y)
    year = record.get("report_year")
    if year is not None and year not in years:  # null is allowed: disagreeing years with no clear winner
        issues.append((None, f"record.report_year is {year}; the REPORT_YEAR spans give {schema.distinct(years)}"))
    return issues


def _date_issues(text: str, dates: list[Span], record: dict[str, Any]) -> list[Issue]:
    """Every PUBLISHED_DATE span reads as a date; the record's date is one of them (or null)."""
    issues: list[Issue] = [(d, "PUBLISHED_DATE span does not read as a date") for d in dates
                           if rules.parse_date(d.text(text)) is None]
    published = record.get("published")
    if published is not None and published not in {rules.parse_date(d.text(text)) for d in dates}:
        issues.append((None, f"record.published is {published!r} but no PUBLISHED_DATE span gives it"))
    return issues


def _section_issues(text: str, spans: list[Span], record: dict[str, Any]) -> list[Issue]:
    sections = section_texts(text, spans)
    if record.get("sections") == sections:
        return []
    bad = [k for k in schema.SECTIONS if (record.get("sections") or {}).get(k) != sections[k]]
    return [(None, f"record.sections {', '.join(bad)} differ from govreport.core.sections.section_texts")]


def _entity_issues(text: str, spans: list[Span], record: dict[str, Any]) -> list[Issue]:
    by_label: dict[str, list[Span]] = {}
    for s in spans:
        by_label.setdefault(s.label, []).append(s)

    def texts(label: str) -> list[str]:
        return [s.text(text) for s in by_label.get(label, [])]

    # the record follows inference.assemble's precedence; here: every value is one the spans print
    return (_list_issues(texts, record)
            + _agency_issues(text, spans, texts("AGENCY"), record)
            + _year_issues(text, by_label.get("REPORT_YEAR", []), record)
            + _date_issues(text, by_label.get("PUBLISHED_DATE", []), record)
            + _leader_issues(text, by_label, record)
            + _section_issues(text, spans, record))


def _leader_issues(text: str, by_label: dict[str, list[Span]], record: dict[str, Any]) -> list[Issue]:
    """Names as the LEADER_NAME spans give them; each title a LEADER_TITLE of the name's sentence."""
    issues: list[Issue] = []
    leaders = [x for x in record.get("leaders") or [] if isinstance(x, dict)]
    names = [s.text(text) for s in by_label.get("LEADER_NAME", [])]
    if schema.distinct(x.get("name") for x in leaders) != schema.distinct(names):
        issues.append((None, f"record.leaders names {[x.get('name') for x in leaders]}; "
                             f"LEADER_NAME spans give {schema.distinct(names)}"))
        return issues
    titles = by_label.get("LEADER_TITLE", [])
    breaks = rules.sentence_breaks(text)
    for x in leaders:
        candidates = set()
        for s in by_label.get("LEADER_NAME", []):
            if s.text(text) == x.get("name"):
                candidates |= {t.text(text) for t in titles if rules.same_sentence(breaks, s, t)}
        title = x.get("title")
        if title is None and candidates:
            issues.append((None, f"record.leaders {x.get('name')}: title null, but {sorted(candidates)} is "
                                 "tagged in the same sentence"))
        elif title is not None and title not in candidates:
            issues.append((None, f"record.leaders {x.get('name')}: title {title!r} is not a LEADER_TITLE span "
                                 "in the same sentence as the name"))
    return issues


def consistency_issues(text: str, spans: list[Span], record: dict[str, Any]) -> list[Issue]:
    """Does the record say what the spans say? (Assumes record_issues found nothing.)"""
    return _cell_issues(text, spans, record) + _entity_issues(text, spans, record)


# --- documents and files -----------------------------------------------------------------------
def validate_document(doc: Document, where: str | None = None) -> list[Problem]:
    where = where or doc.id
    out = []
    for span, reason in span_issues(doc.text, doc.spans):
        out.append(Problem(where, reason, span, span.text(doc.text) if span else None))
    if doc.record is None:
        return out
    shape = shape_issues(doc.record)
    out += [Problem(where, r) for r in shape]
    if shape:  # the record cannot be compared with the spans, nor its checks recomputed
        return out
    valid = [s for s in doc.spans if 0 <= s.start < s.end <= len(doc.text)]
    for span, reason in consistency_issues(doc.text, valid, doc.record):
        out.append(Problem(where, reason, span, span.text(doc.text) if span else None))
    out += [Problem(where, r) for r in checks_issues(doc.record, doc.text)]
    return out


def validate_path(path: Path) -> ValidationResult:
    """Validate a Document JSON file, or every *.json directly inside a directory."""
    path = Path(path)
    result = ValidationResult()
    if not path.exists():
        result.problems.append(Problem(str(path), "no such file or directory"))
        return result
    paths = document_paths(path)
    if not paths:
        result.problems.append(Problem(str(path), "no *.json documents found"))
    seen: dict[str, Path] = {}
    for p in paths:
        doc, err = read_document(p)
        if doc is None:
            result.problems.append(Problem(str(p), err or "unreadable"))
            continue
        result.documents += 1
        result.spans += len(doc.spans)
        result.without_record += doc.record is None
        if doc.id in seen:
            result.problems.append(Problem(str(p), f"id {doc.id!r} is also used by {seen[doc.id]}"))
        seen.setdefault(doc.id, p)
        if p.stem != doc.id:
            result.problems.append(Problem(str(p), f"file name does not match id {doc.id!r} (expected {doc.id}.json)"))
        result.problems += validate_document(doc, str(p))
    return result


def validate_record_file(path: Path) -> list[str]:
    """Problems of a record JSON file, or of each line of a JSONL file (empty list: valid).

    A Document JSON is accepted too: its record is checked.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [f"{path}: cannot read: {e}"]
    try:
        items: list[tuple[str, Any]] = [(str(path), json.loads(raw))]
    except json.JSONDecodeError:
        items = []
        for n, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((f"{path}:{n}", json.loads(line)))
            except json.JSONDecodeError as e:
                return [f"{path}:{n}: not JSON (nor a JSON file): {e}"]
    if not items:
        return [f"{path}: no record found"]
    out = []
    for where, rec in items:
        if isinstance(rec, dict) and "record" in rec and "text" in rec:
            rec = rec["record"]
        out += [f"{where}: {p}" for p in record_issues(rec)]
    return out
