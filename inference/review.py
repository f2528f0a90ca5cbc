"""The review page: one self-contained HTML file for a person to check an extraction.

Left: the document text with every span highlighted by family (spaCy displaCy, ``style="span"``,
``manual=True``). Right: the record's three tables, entities, identity checks and conflicts. Every
value that has a place in the text links to it (``#at<offset>`` anchors placed at span starts and at
the record's provenance offsets); null cells and cells of failed identity checks are marked.
No scripts, no external resources: the page opens from disk and prints as it shows.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.checks import describe
from govreport.core.document import Document, Span, read_document
from govreport.core.labels import FAMILY_COLOURS
from govreport.inference.assemble import assemble
from govreport.inference.extract import Extractor
from govreport.inference.readers import ReadError, read_path
from govreport.paths import DEFAULT_MODEL

FAMILY_TITLES: dict[str, str] = {
    "sections": "section heading", "table1": "table 1 cell", "table2": "table 2 cell",
    "table3": "table 3 cell", "entities": "entity",
}
# Private-use code points carry anchors and token ends through displaCy's escaping; any in the
# document text itself are shown as U+FFFD (same length, so offsets still hold).
_ANCHOR_OPEN, _ANCHOR_CLOSE, _TOKEN_END = "\ue000", "\ue001", "\ue002"
_PRIVATE = re.compile("[\ue000-\ue002]")
_ANCHOR = re.compile(f"{_ANCHOR_OPEN}(\\d+){_ANCHOR_CLOSE}")

# displaCy's default span templates hold newlines and indentation, which a pre-wrap text would show;
# these keep its look (coloured bar under the span, label tag at the start) without whitespace.
_TPL_SPAN = ('<span class="sp" style="font-weight: bold; display: inline-block; position: relative; '
             'height: {total_height}px;">{text}{span_slices}{span_starts}</span>')
_TPL_SLICE = ('<span style="background: {bg}; top: {top_offset}px; height: 4px; left: -1px; '
              'width: calc(100% + 2px); position: absolute;"></span>')
_TPL_START = ('<span style="background: {bg}; top: {top_offset}px; height: 4px; border-top-left-radius: 3px; '
              'border-bottom-left-radius: 3px; left: -1px; width: calc(100% + 2px); position: absolute;">'
              '<span class="tag" style="background: {bg};">{label}{kb_link}</span></span>')

class ReviewError(ValueError):
    """Input the review page cannot be made from (message says why)."""


# --- the text panel -----------------------------------------------------------------------------
def _tag_html(label: str) -> str:
    """The tag at a span's start: the entity name or "H"; for table cells (often one digit wide, side by
    side) only a small coloured mark, the full label on hover like every tag."""
    fam = labelset.family(label)
    if fam.startswith("table"):
        return f'<abbr class="mark" title="{html.escape(label)}"></abbr>'
    short = "H" if fam == "sections" else label
    return f'<abbr title="{html.escape(label)}">{html.escape(short)}</abbr>'


def render_text(text: str, spans: Iterable[Span], anchors: Iterable[int] = ()) -> str:
    """The text as displaCy span markup, with an ``<a id="at<offset>">`` at each span start and anchor."""
    text = _PRIVATE.sub("\ufffd", text)
    spans = sorted({s for s in spans if 0 <= s.start < s.end <= len(text)})
    anchor_set = {s.start for s in spans} | {a for a in anchors if 0 <= a < len(text)}
    bounds = sorted({0, len(text)} | anchor_set | {s.start for s in spans} | {s.end for s in spans})
    starts = bounds[:-1]
    index = {b: i for i, b in enumerate(bounds)}
    tokens = []
    for b, e in zip(starts, bounds[1:], strict=True):
        mark = f"{_ANCHOR_OPEN}{b}{_ANCHOR_CLOSE}" if b in anchor_set else ""
        tokens.append(mark + text[b:e] + _TOKEN_END)
    colours: dict[str, str] = {}
    dspans = []
    for s in spans:
        tag = _tag_html(s.label)
        colours[tag] = FAMILY_COLOURS[labelset.family(s.label)]
        dspans.append({"start_token": index[s.start], "end_token": index[s.end], "label": tag})
    from spacy import displacy

    markup = displacy.render(
        {"text": text, "tokens": tokens, "spans": dspans}, style="span", manual=True, jupyter=False,
        options={"colors": colours, "template": {"span": _TPL_SPAN, "slice": _TPL_SLICE, "start": _TPL_START},
                 # bars just under the characters, so that a line of text stays a line of text
                 "top_offset": 21, "span_label_offset": 8, "top_offset_step": 6})
    # displaCy appends a space to every token outside a span: drop it with the token-end mark.
    markup = markup.replace(_TOKEN_END + " ", "").replace(_TOKEN_END, "")
    return _ANCHOR.sub(lambda m: f'<a class="anchor" id="at{m.group(1)}"></a>', markup)


# --- provenance and checks ------------------------------------------------------------------------
def provenance(record: dict[str, Any], spans: Iterable[Span]) -> dict[str, tuple[int, int]]:
    """Record path -> (start, end): the record's own provenance, else the first span of each cell label
    (the first occurrence is the one chosen when a report is pasted twice), and section headings."""
    out: dict[str, tuple[int, int]] = {}
    for path, where in (record.get("provenance") or {}).items():
        if isinstance(where, list | tuple) and len(where) == 2 and all(isinstance(x, int) for x in where):
            out[str(path)] = (int(where[0]), int(where[1]))
    for s in sorted(spans):
        path = labelset.cell_path(s.label)
        if path is None and s.label.startswith("H."):
            path = f"sections.{s.label[2:]}"
        if path is not None:
            out.setdefault(path, (s.start, s.end))
    return out


def failed_cells(checks: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Record path of each printed total a failed identity check compares -> the checks' descriptions."""
    out: dict[str, list[str]] = {}
    for c in checks:
        if c.get("ok") is not False:
            continue
        where = str(c.get("where", ""))
        ident = c.get("identity")
        desc = describe(c)
        _, _, key = where.partition(".")
        if c.get("kind") == "text":
            paths = where.split("+")
        elif ident == 1:
            paths = [f"requests.total_processed.{key}", f"requests.carried_forward.{key}"]
        elif ident == 2:
            paths = [f"requests.total_processed.{key}"]
        elif ident in (3, 4):
            paths = [f"{where}.total"]
        else:
            paths = []
        for p in paths:
            out.setdefault(p, []).append(desc)
    return out


# --- the record panel ---------------------------------------------------------------------------
def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(path: str, value: Any, prov: dict[str, tuple[int, int]], fails: dict[str, list[str]]) -> str:
    classes, titles = ["cell"], [path]
    if path in fails:
        classes.append("fail")
        titles += fails[path]
    if value is None:
        classes.append("null")
        titles.append("null: not given in the document")
        body = "∅"
    elif path in prov:
        start, end = prov[path]
        titles.append(f"characters {start}–{end}")
        body = f'<a href="#at{start}">{html.escape(_fmt(value))}</a>'
    else:
        classes.append("noprov")
        titles.append("no place in the text recorded")
        body = html.escape(_fmt(value))
    return (f'<td class="{" ".join(classes)}" data-path="{html.escape(path)}" '
            f'title="{html.escape(chr(10).join(titles))}">{body}</td>')


def _names(template: str | None, kind: str) -> dict[str, str]:
    """Printed (Chinese) names of T1 rows/cols for a template; both templates' names when unknown."""
    out: dict[str, str] = {}
    for t in ([template] if template in schema.T1 else list(schema.TEMPLATES)):
        for spec in schema.T1[t].values():
            for k, v in spec[kind].items():
                out.setdefault(k, v)
    return out


def _table(caption: str, col_keys: list[str], col_names: dict[str, str], rows: list[tuple[str, str, str]],
           values: dict[str, Any], prov: dict[str, tuple[int, int]], fails: dict[str, list[str]]) -> str:
    """rows: (row key, printed name, path prefix)."""
    head = "".join(f'<th title="{html.escape(c)}">{html.escape(col_names.get(c, c))}</th>' for c in col_keys)
    body = []
    for key, name, prefix in rows:
        row = values.get(key) or {}
        cells = "".join(_cell(f"{prefix}.{c}", row.get(c), prov, fails) if c in row
                        else '<td class="absent"></td>' for c in col_keys)
        body.append(f'<tr><th class="rowhead" title="{html.escape(key)}">{html.escape(name)}</th>{cells}</tr>')
    return (f'<table class="grid"><caption>{html.escape(caption)}</caption><thead><tr><th></th>{head}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>')


def render_tables(record: dict[str, Any], prov: dict[str, tuple[int, int]], fails: dict[str, list[str]]) -> str:
    template = record.get("template")
    parts = []
    proactive = record.get("proactive") or {}
    row_names, col_names = _names(template, "rows"), _names(template, "cols")
    for item, rows in proactive.items():
        if not isinstance(rows, dict):
            continue
        cols: list[str] = []
        for r in rows.values():
            cols += [c for c in (r or {}) if c not in cols]
        title = f"表1 {schema.T1_ITEM_TITLES.get(item, item)} ({item})"
        parts.append(_table(title, cols, col_names,
                            [(r, row_names.get(r, r), f"proactive.{item}.{r}") for r in rows],
                            rows, prov, fails))
    requests = record.get("requests") or {}
    t2_names = {**{r: n for t in schema.TEMPLATES for r, n in schema.T2_ROWS[t].items()}}
    parts.append(_table("表2 收到和处理政府信息公开申请情况 (requests)", list(schema.T2_COLUMNS), schema.T2_COLUMNS,
                        [(r, t2_names.get(r, r), f"requests.{r}") for r in requests], requests, prov, fails))
    rl = record.get("review_litigation") or {}
    parts.append(_table("表3 行政复议、行政诉讼情况 (review_litigation)", list(schema.T3_COLUMNS), schema.T3_COLUMNS,
                        [(g, schema.T3_GROUPS.get(g, g), f"review_litigation.{g}") for g in rl], rl, prov, fails))
    return "\n".join(parts)


def _facts(record: dict[str, Any], spans: list[Span], text: str) -> str:
    def link_first(label: str, value: str | None) -> str:
        if value is None:
            return '<span class="nullv">∅</span>'
        for s in spans:
            if s.label == label and s.text(text) == value:
                return f'<a href="#at{s.start}">{html.escape(value)}</a>'
        return html.escape(value)

    rows = [("template", html.escape(str(record.get("template")))),
            ("report_year", link_first("REPORT_YEAR", None if record.get("report_year") is None
                                       else str(record.get("report_year")))),
            ("agency", link_first("AGENCY", record.get("agency"))),
            ("published", html.escape(str(record.get("published"))) if record.get("published")
             else '<span class="nullv">∅</span>')]
    leaders = record.get("leaders") or []
    rows.append(("leaders", "; ".join(
        f"{link_first('LEADER_NAME', ld.get('name'))} ({html.escape(str(ld.get('title') or '–'))})"
        for ld in leaders if isinstance(ld, dict)) or "–"))
    for label, key in schema.ENTITY_LIST_KEYS.items():
        vals = record.get(key) or []
        rows.append((key, ", ".join(link_first(label, str(v)) for v in vals) or "–"))
    amounts = record.get("amounts") or []
    rows.append(("amounts", "; ".join(
        html.escape(f"{a.get('text')} = {a.get('value')} {a.get('unit') or ''}".strip())
        + (f" [{html.escape(str(a['cell']))}]" if a.get("cell") else "")
        for a in amounts if isinstance(a, dict)) or "–"))
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="facts"><caption>Record</caption>{body}</table>'


def _checks(record: dict[str, Any], prov: dict[str, tuple[int, int]]) -> str:
    checks = [c for c in record.get("checks") or [] if isinstance(c, dict)]
    ok = sum(c.get("ok") is True for c in checks)
    bad = [c for c in checks if c.get("ok") is False]
    skipped = sum(c.get("ok") is None for c in checks)
    items = []
    for c in bad:
        target = next((p for p in failed_cells([c]) if p in prov), None)
        label = html.escape(describe(c))
        items.append(f'<li class="fail">{f"<a href=#at{prov[target][0]}>{label}</a>" if target else label}</li>')
    conflicts = [c for c in record.get("conflicts") or [] if isinstance(c, dict)]
    items += [f'<li class="conflict">conflict at {html.escape(str(c.get("path")))}: values '
              f'{html.escape(json.dumps(c.get("values"), ensure_ascii=False))}, chose '
              f'{html.escape(str(c.get("chosen")))}</li>' for c in conflicts]
    return (f'<div class="checks"><h2>Checks: <span class="okn">{ok} ok</span>, '
            f'<span class="badn">{len(bad)} failed</span>, {skipped} skipped (a value is null)'
            f'{f", {len(conflicts)} conflicts" if conflicts else ""}</h2>'
            f'<ul>{"".join(items)}</ul></div>')


def _sections(record: dict[str, Any], prov: dict[str, tuple[int, int]]) -> str:
    out = []
    for key, name in schema.SECTIONS.items():
        found = (record.get("sections") or {}).get(key) is not None
        where = prov.get(f"sections.{key}")
        label = html.escape(f"{name} ({key})")
        body = f'<a href="#at{where[0]}">{label}</a>' if where else label
        out.append(f'<li class="{"found" if found else "missing"}">{body}'
                   f'{"" if found else " — missing"}</li>')
    return f'<div class="sections"><h2>Sections</h2><ul>{"".join(out)}</ul></div>'


_CSS = """
body { margin: 0; font-family: "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif;
       font-size: 14px; color: #222; }
header { padding: 6px 12px; background: #f3f3f3; border-bottom: 1px solid #ccc; }
header h1 { font-size: 16px; margin: 0 0 4px 0; }
.legend span { display: inline-block; padding: 1px 6px; margin-right: 6px; border-radius: 3px; color: #fff;
               font-size: 12px; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); height: calc(100vh - 58px); }
#text { overflow: auto; padding: 8px 14px; border-right: 1px solid #ccc; }
#text .spans { white-space: pre-wrap; word-break: break-all; line-height: 2 !important; }
#record { overflow: auto; padding: 8px 14px; }
.sp .tag { z-index: 10; color: #fff; top: -0.5em; padding: 1px 2px; position: absolute; font-size: 0.6em;
           font-weight: bold; line-height: 1; border-radius: 3px; white-space: nowrap; }
.sp .tag abbr { text-decoration: none; }
.sp .tag abbr.mark { display: inline-block; width: 5px; height: 5px; }
.sp:has(> a.anchor:target) { outline: 3px solid #d00; outline-offset: 2px; }
a.anchor { scroll-margin-top: 5em; }
table { border-collapse: collapse; margin: 6px 0 12px 0; }
caption { text-align: left; font-weight: bold; padding: 2px 0; }
th, td { border: 1px solid #bbb; padding: 2px 5px; font-size: 12px; }
th { background: #f7f7f7; font-weight: normal; }
th.rowhead { text-align: left; max-width: 22em; }
td.cell { text-align: right; min-width: 2.5em; }
td.null { background: #eee; color: #888; text-align: center; }
td.noprov { color: #a60; }
td.fail { background: #fdd; outline: 2px solid #d00; }
td.absent { background: repeating-linear-gradient(45deg, #fafafa, #fafafa 4px, #eee 4px, #eee 8px); }
table.facts td { text-align: left; }
.checks h2, .sections h2 { font-size: 14px; margin: 6px 0; }
.checks li.fail, .checks li.conflict { color: #b00; }
.okn { color: #070; } .badn { color: #b00; }
.sections li.missing { color: #b00; }
a { color: inherit; }
td.cell a { color: #0645ad; }
"""


def review_html(doc: Document, record: dict[str, Any]) -> str:
    """The whole review page for one document and its record."""
    spans = sorted(doc.spans)
    prov = provenance(record, spans)
    fails = failed_cells(record.get("checks") or [])
    text_markup = render_text(doc.text, spans, anchors=[s for s, _ in prov.values()])
    legend = "".join(f'<span style="background:{c}">{html.escape(FAMILY_TITLES[f])}</span>'
                     for f, c in FAMILY_COLOURS.items())
    title = f"govreport review: {doc.id}"
    counts = f"{len(doc.text)} characters, {len(spans)} spans"
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_CSS}</style></head><body>"
            f'<header><h1>{html.escape(title)} <small>({counts})</small></h1>'
            f'<div class="legend">{legend}<span style="background:#888">∅ null</span>'
            f'<span style="background:#d00">failed check</span></div></header>'
            f'<main><section id="text">{text_markup}</section>'
            f'<section id="record">{_checks(record, prov)}{_sections(record, prov)}'
            f"{_facts(record, spans, doc.text)}{render_tables(record, prov, fails)}</section></main>"
            f"</body></html>\n")


# --- inputs ---------------------------------------------------------------------------------------
def load_extractor(model_dir: Path | None = None) -> Extractor:
    """The model's Extractor (loading the tagger pulls in torch)."""
    return Extractor.from_pretrained(Path(model_dir) if model_dir else DEFAULT_MODEL)


def run_extractor(extractor: Any, text: str) -> tuple[dict[str, Any], list[Span]]:
    """(record with provenance offsets, spans) from anything with ``extract(text[, offsets])``."""
    try:
        result = extractor.extract(text, offsets=True)
    except TypeError:  # an extractor without provenance support
        result = extractor.extract(text)
    return result.record, list(result.spans)


def _read_text(path: Path) -> str:
    try:
        return read_path(path).text
    except (ReadError, OSError) as e:
        raise ReviewError(f"{path}: {e}") from e


def load_for_review(path: Path, model_dir: Path | None = None,
                    extractor: Any = None) -> tuple[Document, dict[str, Any]]:
    """A Document JSON (spans, and a record or not), or a report file run through the model."""
    path = Path(path)
    if not path.is_file():
        raise ReviewError(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        doc, err = read_document(path)
        if doc is None:
            raise ReviewError(f"{path}: not a Document JSON file: {err}")
        record = doc.record if isinstance(doc.record, dict) else assemble(doc.text, list(doc.spans))
        return doc, record
    text = _read_text(path)
    if not text.strip():
        raise ReviewError(f"{path}: the file holds no text")
    record, spans = run_extractor(extractor or load_extractor(model_dir), text)
    return Document(path.stem, text, sorted(spans), record, {"source": str(path), "split": "pred"}), record


def write_review(path: Path, out: Path, model_dir: Path | None = None, extractor: Any = None) -> Path:
    """Write the review page of a report file or Document JSON to ``out``."""
    doc, record = load_for_review(path, model_dir, extractor)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(review_html(doc, record), encoding="utf-8")
    return out
