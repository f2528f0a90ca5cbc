"""Documents as lists of segments: spans by construction, and the record built from what survives.

A generated document is a list of :class:`Seg` (text, label or None). Noise is applied per segment,
truncation drops segments, and only then are the segments concatenated: every labelled segment
becomes exactly one span, and the record is read off the surviving labelled segments.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.checks import run_checks
from govreport.core.document import Document, Span
from govreport.core.entities import choose_agency
from govreport.core.numbers import parse_number
from govreport.core.sections import section_texts

# Segment kinds: how noise may treat a segment, and what it tells the record builder.
PLAIN = ""        # prose, layout, debris: any noise
NUM = "num"       # a value span (cells, phones, dates...): value-preserving noise only
ENT = "ent"       # a textual entity span (agency, leader, address): script conversion only
TMPL = "tmpl"     # unlabelled text that reveals the template (table headers): no lossy noise
UNIT = "unit"     # the unit written right after a money cell's number
KEEP = "keep"     # unlabelled text that must survive intact (e.g. pipes of a layout): no noise


@dataclass(slots=True)
class Seg:
    text: str
    label: str | None = None
    kind: str = PLAIN
    value: Any = None          # the truth: cell number, (y, m, d) for dates, canonical unit, ...
    group: int | None = None   # pairs a leader's name with their title within one sentence
    ref: int | None = None     # identity of a segment another one refers to (money header unit)
    meta: dict[str, Any] | None = None


@dataclass
class Builder:
    """Collects segments; `lab` adds a labelled one (texts are stripped so spans never hold spaces)."""

    segs: list[Seg] = field(default_factory=list)

    def add(self, text: str, kind: str = PLAIN) -> None:
        if text:
            self.segs.append(Seg(text, None, kind))

    def extend(self, segs: list[Seg]) -> None:
        self.segs.extend(segs)


def _num_of_text(text: str) -> int | float | None:
    return parse_number(text)


def _year_of(text: str) -> int | None:
    digits = unicodedata.normalize("NFKC", text)
    return int(digits) if digits.isdigit() else None


def to_document(doc_id: str, segs: list[Seg], template: str | None, meta: dict[str, Any]) -> Document:
    """Concatenate segments into a Document whose spans and record follow the annotation conventions."""
    text_parts: list[str] = []
    spans: list[Span] = []
    located: list[tuple[int, Seg]] = []
    pos = 0
    for seg in segs:
        if seg.label is not None:
            spans.append(Span(pos, pos + len(seg.text), seg.label))
            located.append((len(text_parts), seg))
        text_parts.append(seg.text)
        pos += len(seg.text)
    text = "".join(text_parts)
    record = build_record(text, segs, spans, located, template)
    return Document(id=doc_id, text=text, spans=spans, record=record, meta=meta)


@dataclass
class _Mentions:
    """What the labelled segments said, gathered in text order before the record's choice among them."""

    cells: dict[str, list[Any]] = field(default_factory=dict)  # path -> every value printed for it
    years: list[int] = field(default_factory=list)
    leaders: list[dict[str, Any]] = field(default_factory=list)


def _reveals_template(segs: list[Seg]) -> bool:
    """Whether what survived still tells the template (template wording, a year, a template's cell)."""
    return any(s.kind == TMPL or s.label == "REPORT_YEAR" or
               (s.label is not None and labelset.template_of_label(s.label) is not None) for s in segs)


def _take_entity(record: dict[str, Any], found: _Mentions, seg: Seg, titles_by_group: dict[int, str]) -> None:
    """One entity segment: into the record (published, amounts, lists) or into `found` (chosen later)."""
    label = seg.label
    if label == "REPORT_YEAR":
        year = _year_of(seg.text)
        if year is not None:
            found.years.append(year)
    elif label == "PUBLISHED_DATE":
        if record["published"] is None and seg.value is not None:
            y, m, d = seg.value
            record["published"] = f"{y:04d}-{m:02d}-{d:02d}"
    elif label == "LEADER_NAME":
        title = titles_by_group.get(seg.group) if seg.group is not None else None
        found.leaders.append({"name": seg.text, "title": title})
    elif label == "AMOUNT":
        _append_new(record["amounts"], {"text": seg.text, "value": _num_of_text(_amount_number(seg.text)),
                                        "unit": seg.value, "cell": None})
    elif label in schema.ENTITY_LIST_KEYS:
        _append_new(record[schema.ENTITY_LIST_KEYS[label]], seg.text)


def _append_new(items: list[Any], item: Any) -> None:
    if item not in items:
        items.append(item)


def _choose(record: dict[str, Any], found: _Mentions) -> None:
    """The year and leaders chosen among the mentions; amounts made distinct; conflicting cells."""
    record["report_year"] = Counter(found.years).most_common(1)[0][0] if found.years else None
    # Distinct (name, title) pairs in order; a name without a title is listed (title null) only
    # when no sentence gives that name a title.
    titled = {ld["name"] for ld in found.leaders if ld["title"] is not None}
    record["leaders"] = schema.distinct([ld for ld in found.leaders
                                         if ld["title"] is not None or ld["name"] not in titled])
    record["amounts"] = schema.distinct(record["amounts"])
    for path, values in found.cells.items():
        distinct = schema.distinct(values)
        if len(distinct) > 1:
            record["conflicts"].append({"path": path, "values": distinct, "chosen": values[0]})


def build_record(text: str, segs: list[Seg], spans: list[Span], located: list[tuple[int, Seg]],
                 template: str | None) -> dict[str, Any]:
    """The record of the annotation conventions, from the surviving labelled segments."""
    record = schema.empty_record(template if _reveals_template(segs) else None)
    refs: dict[int, str] = {}
    for s in segs:
        if s.ref is not None:
            refs[s.ref] = refs.get(s.ref, "") + s.text
    found = _Mentions()
    titles_by_group: dict[int, str] = {s.group: s.text for _, s in located
                                       if s.label == "LEADER_TITLE" and s.group is not None}
    for idx, seg in located:
        assert seg.label is not None
        path = labelset.cell_path(seg.label)
        if path is None:
            _take_entity(record, found, seg, titles_by_group)
            continue
        value = _num_of_text(seg.text)
        found.cells.setdefault(path, []).append(value)
        if len(found.cells[path]) == 1:
            _set_path(record, path, value)
        if seg.meta and seg.meta.get("money"):
            record["amounts"].append(_money_entry(seg, segs, idx, refs, path, template))
    _choose(record, found)
    # The agency by the assembler's own precedence (core.entities): the fullest name, its other forms
    chosen = choose_agency(text, spans)
    if chosen is not None:
        record["agency"], record["agency_aliases"] = text[chosen[0].start:chosen[0].end], chosen[1]
    record["sections"] = section_texts(text, spans)
    record["checks"] = run_checks(record)
    return record


def _amount_number(text: str) -> str:
    norm = unicodedata.normalize("NFKC", text)
    for unit in ("万元", "萬元", "元"):
        if norm.endswith(unit):
            return norm[: -len(unit)].strip()
    return norm


def _unit_in(text: str) -> str | None:
    """The money unit a (possibly cut) column header states, read from what is printed."""
    if "万元" in text or "萬元" in text:
        return "万元"
    return "元" if "元" in text else None


def _money_entry(seg: Seg, segs: list[Seg], idx: int, refs: dict[int, str], path: str,
                 template: str | None) -> dict[str, Any]:
    meta = seg.meta or {}
    nxt = segs[idx + 1] if idx + 1 < len(segs) else None
    text = seg.text
    unit: str | None
    header = refs.get(meta.get("header_ref", -1), "")
    if nxt is not None and nxt.kind == UNIT:
        text += nxt.text
        unit = nxt.value
    elif _unit_in(header):
        unit = _unit_in(header)
    else:
        unit = schema.DEFAULT_MONEY_UNIT.get(template or "", None)
    return {"text": text, "value": _num_of_text(seg.text), "unit": unit, "cell": path}


def _set_path(record: dict[str, Any], path: str, value: Any) -> None:
    node = record
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
