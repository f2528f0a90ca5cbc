"""Rule-based assembly: tagged spans (gold, synthetic or predicted) -> the record of the spec.

`assemble(text, spans)` follows the team's annotation conventions exactly. (A tagger's spans reach it
through inference.repair and inference.missed, see inference/extract.py; gold spans come as they are.)

- spans: only known labels with valid offsets are used; their edges are trimmed of whitespace;
  anything else is ignored, so arbitrary input never raises.
- template: see govreport.inference.template (cell labels, then header wording, then report year; else null);
  the year is the one chosen below.
- cells: the value is govreport.core.numbers.parse_number of the span text; a span that does not parse
  is ignored (never 0). A cell of the other template than the chosen one is dropped: the record of a
  template has no place for it, and `conflicts` is reserved for disagreeing candidates of one cell.
- pasted-twice reports: several candidates for one cell -> the first in document order wins; when
  their values differ, `conflicts` gets {"path", "values" (distinct, in order), "chosen"}.
- amounts: AMOUNT spans (number + unit, "cell": null) and every parsed occurrence of the template's
  money cell (both money cells if the template is unknown; "cell": its path), in document order,
  identical entries once. A money cell's unit is the one written right after its number (text =
  number + unit as printed), else the one its column header states, else schema.DEFAULT_MONEY_UNIT.
- entities, by a precedence that uses every mention (functions in govreport.core.entities):
  - agency: AGENCY mentions that name one body are clustered (containment after folding traditional
    characters and removing spliced pinyin; a short form inside a longer one, also with characters
    dropped: 市住房城乡建设局 / 汝州市住房和城乡建设局); the cluster with the most support wins (a title,
    signature or page-line mention counts 2, others 1; ties: the one mentioned first); its
    representative is its fullest printed name that is no fragment (quote/bracket or report words
    inside such as 年度/报告, ends mid-word, or starts mid-word inside a longer printed name) and no
    compiling office (…人民政府办公室 beside …人民政府). `agency_aliases` = the cluster's other printed
    forms. Null when there is no usable AGENCY mention (我局 is never tagged).
  - report_year: the year with the most support (title or statistics-period mention 2, prose 1);
    null when two years tie for the most support.
  - published: the signature date (after the body's name at the close, or alone on a line near the
    end) beats a page-line date (发布日期/发布时间/成文日期/发文日期/生成日期/时间… on its line or the line
    before; the repairs drop a model's date after 更新日期/打印时间/访问…); a date ending a statistics
    period (至/截至…) or in prose is never it; else null.
  - emails/phones: a span that does not look like an address (local@domain.tld) or a phone number
    (7-17 digits with their separators) is dropped.
  - leaders = each name with the nearest title in its sentence, distinct pairs in order (a name
    without a title in its sentence is listed with title null only if no sentence gives it one);
    list entities deduplicated in order.
- sections: govreport.core.sections.section_texts; checks: govreport.core.checks.run_checks (identities,
  then the text-vs-table checks of govreport.core.textchecks); cell_status: govreport.inference.cellstatus.
- offsets=True adds "provenance": {dotted path: [start, end]} for every value read from a span.
- scores (the tagger's span scores) add "confidence": {dotted path: float} for the same values
  (govreport.inference.confidence: the span's label mass, lowered by failed checks and conflicts).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from govreport.core import entities, schema, units
from govreport.core import labels as labelset
from govreport.core.checks import run_checks
from govreport.core.document import Span, span_order
from govreport.core.numbers import parse_number
from govreport.core.rules import set_path
from govreport.core.sections import section_bounds, section_texts
from govreport.inference.cellstatus import cell_status
from govreport.inference.confidence import value_confidence
from govreport.inference.template import detect_template

Provenance = dict[str, list[int]]


def clean_spans(text: str, spans: Iterable[Any]) -> list[Span]:
    """The usable spans: known label, offsets inside the text, trimmed of whitespace; sorted, unique."""
    out: dict[tuple[int, int, str], Span] = {}  # distinct spans (keyed by their fields: hashed in C)
    n = len(text)
    for s in spans or ():
        if type(s) is Span:  # the tagger's spans, usually clean already: kept as they are
            start, end, label = s.start, s.end, s.label
            if (type(start) is int and type(end) is int and type(label) is str and 0 <= start < end <= n
                    and labelset.is_span_label(label) and not (text[start].isspace() or text[end - 1].isspace())):
                out[start, end, label] = s
                continue
        cleaned = _cleaned(text, s)
        if cleaned is not None:
            out.setdefault((cleaned.start, cleaned.end, cleaned.label), cleaned)
    return sorted(out.values(), key=span_order)


def _cleaned(text: str, s: Any) -> Span | None:
    """One span as ``clean_spans`` keeps it (None: unusable)."""
    start, end, label = getattr(s, "start", None), getattr(s, "end", None), getattr(s, "label", None)
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(label, str)):
        return None
    if isinstance(start, bool) or isinstance(end, bool) or not labelset.is_span_label(label):
        return None
    if not 0 <= start < end <= len(text):
        return None
    if type(s) is Span and not (text[start].isspace() or text[end - 1].isspace()):
        return s  # already clean: kept as it is
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, label) if start < end else None


def _money_paths(template: str | None) -> set[str]:
    """The money cell of the template (of both when the template is unknown)."""
    templates = [template] if template in schema.MONEY_CELLS else list(schema.MONEY_CELLS)
    return {"proactive." + ".".join(schema.MONEY_CELLS[t]) for t in templates}


class _HeaderStarts:
    """Where the header of a money cell's table item can begin: after the last span of anything else
    before the cell. For all cells of one sorted span list: per table item, the running maximum
    of the ends of the spans that bound its header, looked up by bisection (a scan of the spans before
    each money cell was quadratic on a long text)."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.starts = [s.start for s in spans]
        self.bounds: dict[str, list[int]] = {}

    def __call__(self, cell: Span) -> int:
        item = cell.label.split(".")[1]
        if item not in self.bounds:
            ends = (s.end if (s.label.startswith("T1.") and s.label.split(".")[1] != item)
                    or s.label.startswith(("H.", "T2.", "T3.")) else 0 for s in self.spans)
            self.bounds[item] = list(itertools.accumulate(ends, max, initial=0))
        return self.bounds[item][bisect.bisect_left(self.starts, cell.start)]


def _fill_cells(record: dict[str, Any], text: str, spans: list[Span], template: str | None,
                prov: Provenance) -> list[tuple[int, dict[str, Any], list[int]]]:
    """Table cells into the record; returns the money-cell amounts as (position, entry, offsets)."""
    allowed = set(schema.cell_paths(template))
    money_paths = _money_paths(template)
    candidates: dict[str, list[int | float]] = {}
    money: list[tuple[int, dict[str, Any], list[int]]] = []
    header_start = _HeaderStarts(spans)
    for s in spans:
        path = labelset.cell_path(s.label)
        if path is None or path not in allowed:
            continue
        value = parse_number(text[s.start:s.end])
        if value is None:
            continue
        seen = candidates.setdefault(path, [])
        if not seen:
            set_path(record, path, value)
            prov[path] = [s.start, s.end]
        seen.append(value)
        if path in money_paths:
            money.append(_money_entry(text, header_start, s, value, path))
    for path, values in candidates.items():
        distinct = schema.distinct(values)
        if len(distinct) > 1:
            record["conflicts"].append({"path": path, "values": distinct, "chosen": values[0]})
    return money


def _money_entry(text: str, header_start: Callable[[Span], int], s: Span, value: int | float,
                 path: str) -> tuple[int, dict[str, Any], list[int]]:
    after = units.unit_after(text, s.end)
    if after:
        unit, end = after
    else:
        end = s.end
        unit = units.header_unit(text, header_start(s), s.start) or \
            schema.DEFAULT_MONEY_UNIT.get(labelset.template_of_label(s.label) or "")
    entry = {"text": text[s.start:end], "value": value, "unit": unit, "cell": path}
    return s.start, entry, [s.start, end]


def _fill_leaders(record: dict[str, Any], text: str, spans: list[Span], prov: Provenance) -> None:
    """Leaders: distinct (name, title) pairs, each name paired with a title of its sentence."""
    names = [s for s in spans if s.label == "LEADER_NAME"]
    titles = [s for s in spans if s.label == "LEADER_TITLE"]
    pairs = entities.pair_leaders(text, names, titles)
    titled = {text[n.start:n.end] for n, t in pairs if t is not None}
    for name, title in pairs:
        entry = {"name": text[name.start:name.end], "title": text[title.start:title.end] if title else None}
        # a mention without a title adds nothing when another sentence names the person's post
        if entry in record["leaders"] or (title is None and entry["name"] in titled):
            continue
        i = len(record["leaders"])
        record["leaders"].append(entry)
        prov[f"leaders.{i}.name"] = [name.start, name.end]
        if title:
            prov[f"leaders.{i}.title"] = [title.start, title.end]


def _fill_lists(record: dict[str, Any], text: str, spans: list[Span], prov: Provenance) -> None:
    """Entity lists (phones, emails, …): distinct span texts in order, implausible contacts left out."""
    # a span that does not look like its kind (某某官网@:, 020 inside 2020) is no contact
    plausible = {"EMAIL": entities.is_email, "PHONE": entities.is_phone}
    for label, key in schema.ENTITY_LIST_KEYS.items():
        for s in spans:
            if s.label != label or (label in plausible and not plausible[label](text[s.start:s.end])):
                continue
            if text[s.start:s.end] not in record[key]:
                prov[f"{key}.{len(record[key])}"] = [s.start, s.end]
                record[key].append(text[s.start:s.end])


def _fill_amounts(record: dict[str, Any], text: str, spans: list[Span], prov: Provenance,
                  money: list[tuple[int, dict[str, Any], list[int]]]) -> None:
    """Amounts: the money cells' and the AMOUNT spans' that read a number, distinct, in text order."""
    found = list(money)
    for s in spans:
        if s.label == "AMOUNT":
            value, unit = units.split_amount(text[s.start:s.end])
            if value is not None:
                found.append((s.start, {"text": text[s.start:s.end], "value": value, "unit": unit, "cell": None},
                              [s.start, s.end]))
    for _, entry, where in sorted(found, key=lambda f: f[0]):
        if entry not in record["amounts"]:
            prov[f"amounts.{len(record['amounts'])}"] = where
            record["amounts"].append(entry)


def _fill_entities(record: dict[str, Any], text: str, spans: list[Span], prov: Provenance,
                   money: list[tuple[int, dict[str, Any], list[int]]]) -> None:
    chosen = entities.choose_agency(text, spans)
    if chosen is not None:
        record["agency"], record["agency_aliases"] = text[chosen[0].start:chosen[0].end], chosen[1]
        prov["agency"] = [chosen[0].start, chosen[0].end]

    year = entities.choose_year(text, spans)
    if year is not None:
        record["report_year"] = year[0]
        prov["report_year"] = [year[1].start, year[1].end]

    published = entities.choose_published(text, spans)
    if published is not None:
        record["published"] = published[0]
        prov["published"] = [published[1].start, published[1].end]

    _fill_leaders(record, text, spans, prov)
    _fill_lists(record, text, spans, prov)
    _fill_amounts(record, text, spans, prov, money)


def assemble(text: str, spans: Iterable[Any], offsets: bool = False,
             scores: Mapping[Span, float] | None = None) -> dict[str, Any]:
    """The record of `text` from its tagged spans (see the module docstring for the rules); with the
    tagger's span ``scores``, also ``confidence`` (govreport.inference.confidence)."""
    if not isinstance(text, str):
        text = ""
    spans = clean_spans(text, spans)
    prov: Provenance = {}
    year = entities.choose_year(text, spans)
    template = detect_template(text, [s.label for s in spans if labelset.cell_path(s.label)],
                               year[0] if year else None)
    record = schema.empty_record(template)
    money = _fill_cells(record, text, spans, template, prov)
    _fill_entities(record, text, spans, prov, money)
    record["sections"] = section_texts(text, spans)
    record["checks"] = run_checks(record, text)
    record["cell_status"] = cell_status(text, spans, record)
    if scores is not None:
        record[schema.CONFIDENCE_KEY] = value_confidence(record, spans, scores, prov, text)
    if offsets:
        prov.update({f"sections.{key}": list(where) for key, where in section_bounds(text, spans).items()
                     if where is not None})
        record["provenance"] = prov
    return record
