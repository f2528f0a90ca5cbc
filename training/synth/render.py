"""Document assembly: one seeded random report, with its layout switches, as a Document.

Order of work: truth (record.py) -> segments for debris, title, sections, tables -> document-level
transforms (pasted twice, noise, starting mid-way, truncation) -> concatenation (segments.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govreport.core.document import Document
from govreport.training.synth import debris, noise, prose, tables
from govreport.training.synth.context import Ctx
from govreport.training.synth.layouts import render_grid
from govreport.training.synth.recipe import RECIPE, weights
from govreport.training.synth.record import make_facts
from govreport.training.synth.segments import KEEP, PLAIN, TMPL, UNIT, Builder, Seg, to_document

EXCERPT_BYTES = 2000  # the real excerpts are cut at about 2,000 UTF-8 bytes


def doc_rng(seed: int, index: int) -> random.Random:
    """The random source of document `index` of a corpus: a pure function of (seed, index)."""
    return random.Random(f"govreport-synth:{seed}:{index}")


def _pick_layout(rng: random.Random) -> str:
    table = weights("layout")
    names = list(table)
    return rng.choices(names, weights=[table[n] for n in names])[0]


_TABLE_TITLES = {
    "proactive": ("表1 主动公开政府信息情况", "主动公开政府信息情况统计表", "（表一）"),
    "requests": ("表2 收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请情况统计表", "（表二）"),
    "review_litigation": ("表3 政府信息公开行政复议、行政诉讼情况", "行政复议、行政诉讼情况统计表", "（表三）"),
}


# The template's own instructions, left in by whoever filled it (digits in them are no cells).
_INSTRUCTIONS = (
    "编写说明：1.“本年增/减”栏填写本年度较上一年度增加或减少的事项数，减少的用负值表示，如-8；"
    "2.“处理决定数量”指本年度办件量；3.本表数据统计期限为本年度1月1日至12月31日。",
    "（编写说明：表中第二十条第（九）项“采购总金额”单位为万元，保留4位小数。）",
    "填报说明：1.本表第一项加第二项之和，等于第三项加第四项之和；2.各栏目无数据的填写0，不得空缺。",
    "注：1.表中数据以件为单位；2.“其他”指除上述情形以外的申请人；3.本表请勿删除任何行、列。",
    "编写说明：本表按照国办公开办函〔2021〕30号所附格式填写，共3张表格，请勿调整表格结构。",
)


def _page_markers(rng: random.Random, segs: list[Seg]) -> list[Seg]:
    """Page markers (- 3 -) a PDF's text keeps between two lines of the report."""
    breaks = [i for i, s in enumerate(segs) if s.label is None and s.text.endswith("\n")]
    if not breaks:
        return segs
    chosen = set(rng.sample(breaks, min(len(breaks), rng.randint(1, 4))))
    first = rng.randint(1, 9)
    out: list[Seg] = []
    for i, s in enumerate(segs):
        out.append(s)
        if i in chosen:
            n = first + len(out) % 7
            out.append(Seg(rng.choice((f"- {n} -", f"— {n} —", f"-{n}-", f"- {n} -")) + "\n", None, KEEP))
    return out


def _flatten_spaced(rng: random.Random, segs: list[Seg]) -> list[Seg]:
    """The whole report as one paragraph, with spaces inside words (a text layer that lost its lines)."""
    rate = RECIPE["word_space_rate"]
    out: list[Seg] = []
    for s in segs:
        if s.label is not None:
            out.append(s)
            continue
        text = s.text.replace("\n", " ")
        # Not inside a money header (its unit must stay readable: 万元, not 万 元).
        if s.kind in (PLAIN, TMPL) and s.ref is None and rate:
            text = "".join(ch + " " if "\u4e00" <= ch <= "\u9fff" and rng.random() < rate else ch for ch in text)
        out.append(Seg(text, None, s.kind, s.value, s.group, s.ref, s.meta) if text != s.text else s)
    return out


def _t1_grid(ctx: Ctx, style: tables.TableStyle) -> tables.Grid:
    """Table 1: one grid per item, with parts dropped and labels lost, merged (items may be missing)."""
    rng = ctx.rng
    grids = tables.t1_grids(rng, ctx.facts, style, ctx.next_ref)
    for g in grids:
        tables.drop_parts(rng, g, style)
        if style.lost_labels and rng.random() < 0.3:
            tables.lose_labels(rng, g)
    if len(grids) > 1 and rng.random() < 0.05:
        # Item tables missing from the page (images, or an item left out).
        del grids[rng.randrange(len(grids)):]
        ctx.switches.add("missing_items")
    return tables.merge("t1", grids)


def _grid(ctx: Ctx, key: str, style: tables.TableStyle) -> tables.Grid:
    """The grid of the table of section `key` (proactive, requests or review_litigation), damaged as the
    style says."""
    rng = ctx.rng
    if key == "proactive":
        return _t1_grid(ctx, style)
    if key == "requests":
        grid = tables.t2_grid(rng, ctx.facts, style)
        tables.drop_parts(rng, grid, style)
        if style.lost_labels:
            tables.lose_labels(rng, grid)
        return grid
    grid = tables.t3_grid(rng, ctx.facts, style)
    tables.drop_parts(rng, grid, style)
    return grid


def _tables(ctx: Ctx, key: str, style: tables.TableStyle, layout_for: Any, b: Builder) -> None:
    rng = ctx.rng
    grid = _grid(ctx, key, style)
    if not grid.rows:
        return
    if rng.random() < 0.25:
        b.add(rng.choice(_TABLE_TITLES[key]) + "\n")
        ctx.switches.add("table_title")
    layout = layout_for()
    segs, names = render_grid(rng, grid, layout, lambda: debris.page_header(ctx))
    ctx.switches |= names
    instructions = rng.random() < RECIPE["instructions"]
    if instructions and rng.random() < 0.5:
        b.add(rng.choice(_INSTRUCTIONS) + "\n")
    b.extend(segs)
    if instructions:
        ctx.switches.add("instructions_left_in")
        if rng.random() < 0.5:
            b.add(rng.choice(_INSTRUCTIONS) + "\n")


def _conflict_copy(rng: random.Random, segs: list[Seg]) -> list[Seg]:
    """The second copy of a pasted-twice report with one cell printed differently."""
    cells = [i for i, s in enumerate(segs) if s.label and s.label[:2] in ("T1", "T2", "T3")
             and not (s.meta and s.meta.get("money")) and isinstance(s.value, int)]
    out = list(segs)
    if cells:
        i = rng.choice(cells)
        s = out[i]
        out[i] = Seg(str(int(s.value) + rng.randint(1, 9)), s.label, s.kind, None, s.group, s.ref, s.meta)
    return out


def _part(seg: Seg, text: str) -> Seg:
    """What is left of a cut unlabelled segment: a cut header no longer tells the template (the unit
    of a money header is read from whatever of it is left)."""
    whole = text == seg.text
    return Seg(text, None, seg.kind if whole or seg.kind != TMPL else PLAIN, ref=seg.ref)


def _drop_head(rng: random.Random, segs: list[Seg]) -> list[Seg]:
    """Start the document mid-way (no title): keep the segments after a random point."""
    total = sum(len(s.text) for s in segs)
    cut = rng.randint(total // 20, max(total // 20 + 1, total // 2))
    pos = 0
    for i, s in enumerate(segs):
        if pos + len(s.text) > cut:
            if s.label is not None or s.kind == UNIT:
                return segs[i + 1:]
            return [_part(s, s.text[cut - pos:]), *segs[i + 1:]]
        pos += len(s.text)
    return []


def _truncate(segs: list[Seg], cut: int) -> list[Seg]:
    """Cut the document at character `cut`; a labelled segment is never cut through (it is dropped)."""
    pos = 0
    for i, s in enumerate(segs):
        if pos + len(s.text) > cut:
            if s.label is not None:
                return segs[:i]
            if s.kind == UNIT:
                return segs[: max(0, i - 1)]
            head = s.text[: cut - pos]
            return [*segs[:i], _part(s, head)] if head else segs[:i]
        pos += len(s.text)
    return segs


def _byte_cut(segs: list[Seg], limit: int) -> int:
    """Character index where the UTF-8 encoding of the text reaches `limit` bytes."""
    n = 0
    chars = 0
    for s in segs:
        for ch in s.text:
            n += len(ch.encode("utf-8"))
            if n > limit:
                return chars
            chars += 1
    return chars


_TABLE_SECTIONS = ("proactive", "requests", "review_litigation")


@dataclass(frozen=True)
class _Plan:
    """The document-wide choices the body is written by."""

    style: tables.TableStyle
    heading_style: str
    verbosity: int
    shape: str  # normal, tables_only (two tables after a popup) or tables_as_images (every table missing)
    layout_for: Callable[[], str]


def _section(ctx: Ctx, body: Builder, plan: _Plan, i: int, key: str, heading_indent: str) -> None:
    """Section `key` (the i-th): its heading (rarely missing, rarely repeated), prose and table."""
    rng = ctx.rng
    if rng.random() < 0.015:
        ctx.switches.add("heading_missing")
    else:
        if heading_indent:
            body.add(heading_indent)
        body.segs.append(prose.heading(ctx, key, i, plan.heading_style))
        body.add(rng.choice(("\n", "\n", "\n\n", " \n", " ")))
    prose.section_body(ctx, body, key, plan.heading_style, plan.verbosity)
    if i == 0 and rng.random() < 0.06:
        body.segs.append(prose.heading(ctx, key, i, plan.heading_style))
        body.add("\n")
        prose.section_body(ctx, body, key, plan.heading_style, 0)
        ctx.switches.add("repeated_heading")
    if key not in _TABLE_SECTIONS:
        return
    if rng.random() < 0.03 or plan.shape == "tables_as_images":
        ctx.switches.add("missing_table")
        if rng.random() < 0.5:
            body.add(rng.choice(("图1 ", "（表格见附件）", "详见下表。", "")) + "\n")
    else:
        _tables(ctx, key, plan.style, plan.layout_for, body)


def _body(ctx: Ctx, plan: _Plan) -> Builder:
    """The report itself: title, preamble, the sections with their tables, closing words, signature."""
    rng = ctx.rng
    body = Builder()
    if plan.shape != "normal":
        ctx.switches.add(plan.shape)
    if rng.random() < 0.8 and plan.shape != "tables_only":
        prose.title(ctx, body)
    else:
        ctx.switches.add("no_title")
    if rng.random() < 0.6 and plan.shape != "tables_only":
        prose.preamble(ctx, body)
    ctx.switches.add(f"headings_{plan.heading_style}")
    heading_indent = rng.choice(("", "", "", "", "", "", "  ", "\u3000\u3000", " " * rng.randint(3, 10)))
    for i, key in enumerate(prose.SECTION_ORDER):
        if plan.shape != "tables_only":
            _section(ctx, body, plan, i, key, heading_indent)
        elif key in _TABLE_SECTIONS:
            _tables(ctx, key, plan.style, plan.layout_for, body)
    if rng.random() < 0.3:
        body.add(rng.choice(("特此报告。", "附件：政府信息公开情况统计表")) + "\n")
    if rng.random() < 0.7:
        prose.signature(ctx, body)
    return body


def _pasted_twice(ctx: Ctx, head: Builder, body: Builder, tail: Builder, start_midway: bool) -> list[Seg]:
    """The segments of the report, its body sometimes pasted twice (the copy with one cell different)."""
    rng = ctx.rng
    segs = head.segs + body.segs + tail.segs
    if rng.random() < 0.05:
        ctx.switches.add("pasted_twice")
        second = body.segs
        if not start_midway and rng.random() < 0.4:
            second = _conflict_copy(rng, body.segs)
            ctx.switches.add("pasted_twice_conflict")
        # The copy's leader mentions pair within the copy (noise may print a title differently there).
        second = [Seg(s.text, s.label, s.kind, s.value, s.group + 100_000, s.ref, s.meta) if s.group is not None
                  else s for s in second]
        segs = head.segs + body.segs + [Seg("\n", None)] + second + tail.segs
    return segs


def _lost_lines(ctx: Ctx, segs: list[Seg]) -> list[Seg]:
    """Page markers between lines, or the line breaks lost (spaces inside words, or one long line)."""
    rng = ctx.rng
    if rng.random() < RECIPE["page_markers"]:
        segs = _page_markers(rng, segs)
        ctx.switches.add("page_markers")
    if rng.random() < RECIPE["flat_paragraph"]:
        segs = _flatten_spaced(rng, segs)
        ctx.switches.add("flat_paragraph_spaced")
    elif rng.random() < 0.04:
        # Most of the report on one line (a page whose paragraphs lost their line breaks).
        segs = [Seg(s.text.replace("\n", " "), None, s.kind, ref=s.ref) if s.label is None and "\n" in s.text
                else s for s in segs]
        ctx.switches.add("single_line")
    return segs


def _cut(ctx: Ctx, segs: list[Seg], start_midway: bool) -> list[Seg]:
    """The report started mid-way, cut like a 2,000-byte excerpt, or cut anywhere."""
    rng = ctx.rng
    if start_midway:
        segs = _drop_head(rng, segs)
        ctx.switches.add("starts_midway")
    r = rng.random()
    if r < 0.15:
        segs = _truncate(segs, _byte_cut(segs, EXCERPT_BYTES + rng.randint(-30, 0)))
        ctx.switches.add("truncated_excerpt")
    elif r < 0.3:
        total = sum(len(s.text) for s in segs)
        segs = _truncate(segs, rng.randint(min(300, total), total))
        ctx.switches.add("truncated")
    return segs


def render(seed: int, index: int) -> tuple[Document, list[str]]:
    rng = doc_rng(seed, index)
    facts = make_facts(rng)
    ctx = Ctx(rng, facts)
    style = tables.make_style(rng)
    cfg = noise.make_config(rng)
    heading_style = rng.choice(prose.HEADING_NUMBERING)
    verbosity = rng.choices((0, 1, 2, 3, 5, 8, 12), weights=(10, 15, 20, 20, 15, 12, 8))[0]
    # Whole-document shapes seen in the excerpts: only the two tables after a popup (no headings,
    # no prose), or every table missing (images on the page).
    shape = rng.choices(("normal", "tables_only", "tables_as_images"), weights=(94, 3, 3))[0]
    primary = _pick_layout(rng)
    mixed = rng.random() < 0.35

    def layout_for() -> str:
        return _pick_layout(rng) if mixed else primary

    head = Builder()
    ctx.switches |= set(debris.top(ctx, head))
    body = _body(ctx, _Plan(style, heading_style, verbosity, shape, layout_for))
    tail = Builder()
    ctx.switches |= set(debris.bottom(ctx, tail))

    start_midway = rng.random() < 0.08
    segs = _lost_lines(ctx, _pasted_twice(ctx, head, body, tail, start_midway))
    segs = noise.apply(rng, segs, cfg)
    ctx.switches |= set(cfg.switches())
    segs = _cut(ctx, segs, start_midway)
    switches = sorted(s for s in ctx.switches if s)
    meta = {"source": "synth", "split": "train", "seed": seed, "index": index, "template": facts.template,
            "layout": switches, "broken": facts.broken}
    doc = to_document(f"synth-{seed}-{index:06d}", segs, facts.template, meta)
    return doc, switches
