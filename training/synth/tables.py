"""The three statistical tables as grids of cells (rows as an HTML table would hold them).

A grid row is a list of cells; a cell is a list of segments (empty for a blank cell). Rowspan cells
appear only in the first row they cover, as in the source HTML, so rows have uneven lengths; layouts
(layouts.py) decide how the grid becomes text. Wording of headers and labels varies per document.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.training.synth.recipe import RECIPE
from govreport.training.synth.record import BLANK_MARKS, Facts
from govreport.training.synth.segments import NUM, PLAIN, TMPL, UNIT, Seg

Cell = list[Seg]
Row = list[Cell]


@dataclass
class Grid:
    name: str                      # t1_<item>, t2, t3
    rows: list[Row]
    header_rows: int               # leading rows that are headings (never dropped)
    switches: set[str] = field(default_factory=set)
    heads: set[int] = field(default_factory=set)   # indices of heading rows (filled by finish())
    # How a browser copies a row of the HTML table: "cont" continues a rowspan (the copied row
    # starts with an empty cell), "span2" has a label spanning two columns (an empty cell after it).
    kinds: list[str] = field(default_factory=list)

    def finish(self) -> Grid:
        if not self.heads:
            self.heads = set(range(self.header_rows))
        if len(self.kinds) != len(self.rows):
            self.kinds = [""] * len(self.rows)
        return self


def merge(name: str, grids: list[Grid]) -> Grid:
    """One table made of several (table 1 prints its five items as one HTML table)."""
    out = Grid(name, [], 0)
    for g in grids:
        g.finish()
        out.heads |= {len(out.rows) + i for i in g.heads}
        out.rows.extend(g.rows)
        out.kinds.extend(g.kinds)
        out.switches |= g.switches
    out.header_rows = min(out.heads) + 1 if out.heads else 0
    return out


@dataclass
class TableStyle:
    """Per-document wording choices shared by the three tables."""

    item_label: str                # full, paren, bare, missing, cn
    cut_header: bool
    split_header: bool             # multi-line header cells (本年新\n制作数量)
    halfwidth_parens: bool
    thousands: bool
    plus_sign: bool
    t2_collapsed: bool
    t3_by_rows: bool
    drop_rows: float               # chance a data row is missing
    drop_cells: float              # chance a value cell is missing
    spaced_words: bool             # 自 然 人, 商业 企业
    extra_column: bool             # a 备注 column nobody asked for
    count_unit: str = ""           # 件 / 项 / 个 written after every count
    label_spaces: bool = False     # (二) 部分公开 (区分处理的, ...): spaces around brackets
    header_once: bool = False      # table 1 prints its 信息内容 header row for the first item only
    sign: str = ""                 # how 本年增/减 prints a change: "" (-2), "words" (增98/减4), "double" (--253)
    notes: bool = False            # Wuhan-style long notes inside row labels and headers
    note_spaces: bool = False      # ... with stray spaces inside them
    label_pinyin: bool = False     # 規(guī)范性文件, 檔案 for 文件 in the labels of a simplified text
    extra_row: bool = False        # a row not in the template (其他主动公开文件): never spans
    lost_labels: bool = False      # a block of rows printed without their labels


def make_style(rng: random.Random) -> TableStyle:
    return TableStyle(
        item_label=rng.choices(("full", "paren", "bare", "missing"), weights=(67, 15, 10, 8))[0],
        cut_header=rng.random() < 0.06,
        split_header=rng.random() < RECIPE["split_header"],
        halfwidth_parens=rng.random() < 0.5,
        thousands=rng.random() < 0.25,
        plus_sign=rng.random() < 0.3,
        t2_collapsed=rng.random() < 0.06,
        t3_by_rows=rng.random() < 0.12,
        # Missing rows and cells are real but rare: a few documents, a few rows or cells each.
        drop_rows=rng.choice((0.02, 0.05)) if rng.random() < 0.08 else 0.0,
        drop_cells=rng.choice((0.02, 0.05)) if rng.random() < 0.08 else 0.0,
        spaced_words=rng.random() < 0.15,
        extra_column=rng.random() < 0.04,
        count_unit=rng.choice(("件", "项", "个")) if rng.random() < 0.03 else "",
        label_spaces=rng.random() < 0.1,
        header_once=rng.random() < 0.05,
        sign=("words" if (r := rng.random()) < RECIPE["sign_words"] else
              "double" if r < RECIPE["sign_words"] + RECIPE["sign_double_minus"] else ""),
        notes=rng.random() < RECIPE["label_notes"],
        note_spaces=rng.random() < RECIPE["label_note_spaces"],
        label_pinyin=rng.random() < RECIPE["label_pinyin"],
        extra_row=rng.random() < RECIPE["extra_row"],
        lost_labels=rng.random() < RECIPE["lost_labels"],
    )


def _p(style: TableStyle, text: str) -> str:
    if style.halfwidth_parens:
        return text.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",")
    return text


def fmt_number(rng: random.Random, value: int | float, style: TableStyle, decimals: int = 0,
               signed: bool = False) -> str:
    if isinstance(value, float) or decimals:
        text = f"{value:.{decimals}f}" if decimals else str(value)
    elif style.thousands and abs(value) >= 1000:
        text = f"{value:,}"
    else:
        text = str(value)
    if signed and isinstance(value, int) and value:
        if style.sign == "words":
            text = ("增" if value > 0 else "减") + text.lstrip("-")
        elif style.sign == "double" and value < 0:
            text = "--" + text.lstrip("-")
        elif style.plus_sign and value > 0:
            text = "+" + text
    return text


# Wuhan-style notes the template's makers put inside labels and headers (digits in them are not cells).
_ROW_NOTES = {
    "规章": "（设区的市、自治州人民政府应提供相关数据）",
    "规范性文件": "（行政机关制定发布的决定、公告、通告、意见、通知，以及标题采用“规定”“办法”“细则”“规范”“规程”"
             "“规则”等字样的公文，一般情况下属于规范性文件）",
    "行政规范性文件": "（指行政机关依照法定权限、程序制定并公开发布的规范性文件）",
    "其他对外管理服务事项": "（指行政许可以外的政务服务事项，含行政确认、行政奖励、行政裁决、行政给付、行政处罚、"
                  "行政强制、行政检查、行政征收和其他类，以及公共服务事项）",
    "行政事业性收费": "（指收费项目数）",
    "政府集中采购": "（指本单位政府集中采购情况）",
}
_HEADER_NOTES = {
    "previous_count": "（指上一年度事项数）",
    "change": "（指本年度增加或减少的事项数，减用负值表示，如-8）",
    "decisions": "（指本年度办件量）",
    "total_published": "（指截至本年度末对外公开的总数）",
    "in_force": "（指截至本年度末现行有效的件数）",
}
_EXTRA_ROWS = ("其他主动公开文件", "其他文件", "党内规范性文件",
               "其他主动公开文件（含以本单位或本单位办公室名义正式签发的、除规范性文件以外的主动公开文件）")
_PINYIN_LABEL = (("规", "規(guī)"), ("文件", "檔案"), ("项", "項(xiàng)"), ("数", "數(shù)"), ("处", "處(chù)"),
                 ("规范", "規(guī)範"))


# Instructions a body's own copy of the template adds to a note, or prints as a note of its own: the
# tagger must learn that anything in brackets after a label is not a cell ("填0" included).
_NOTE_TAILS = ("其他单位不需填写", "不涉及的填0", "无则填“0”", "单位：件", "没有的填“0”", "此项为必填项",
               "不含内部文件", "以本年度实际数据为准", "按自然年度统计", "乡镇、街道不填", "含部门规范性文件",
               "仅限本机关制发", "本机关无此项职能的填“/”")


def _varied_note(rng: random.Random, note: str | None) -> str | None:
    """The template's note, sometimes with an instruction added; sometimes an instruction alone."""
    tail = rng.choice(_NOTE_TAILS)
    if note and rng.random() < RECIPE["label_note_tails"]:
        return f"{note[:-1]}{rng.choice('，；')}{tail}{note[-1]}"
    if not note and rng.random() < RECIPE["label_note_tails"] / 3:
        return f"（{tail}）"
    return note


def _noted(rng: random.Random, style: TableStyle, text: str, note: str | None) -> str:
    """A label or header with its template note (stray spaces inside when the style says so)."""
    note = _varied_note(rng, note) if style.notes else None
    if not note:
        return text
    if style.note_spaces:
        chars = list(note)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(2, max(3, len(chars) - 2))
            chars.insert(i, " ")
        note = "".join(chars)
    return text + rng.choice(("", "", " ")) + _p(style, note)


def _garble(rng: random.Random, style: TableStyle, text: str) -> str:
    """Pinyin spliced after a character, 檔案 for 文件, as mirror sites print labels."""
    if not style.label_pinyin:
        return text
    for old, new in _PINYIN_LABEL:
        if old in text and rng.random() < 0.6:
            text = text.replace(old, new, 1)
    return text


def _value_cell(rng: random.Random, facts: Facts, path: str, style: TableStyle, signed: bool = False,
                money: dict | None = None) -> Cell:
    value = facts.cells.get(path)
    label = labelset.label_for_path(path)
    if value is None:
        mark = facts.blank_marks.get(path, "")
        return [Seg(mark, None, PLAIN)] if mark else []
    decimals = facts.money_decimals if money is not None else 0
    text = fmt_number(rng, value, style, decimals, signed)
    seg = Seg(text, label, NUM, value, meta={"money": True, **money} if money is not None else None)
    cell = [seg]
    if money is not None and facts.money_unit_place == "cell":
        cell.append(Seg(facts.money_unit, None, UNIT, facts.money_unit))
    elif money is None and style.count_unit and not path.startswith("review_litigation"):
        cell.append(Seg(style.count_unit, None, PLAIN))  # 12件: the unit is never part of the span
    return cell


def _text(text: str, kind: str = PLAIN) -> Cell:
    return [Seg(text, None, kind)] if text else []


_ITEM_CN = {"art20_1": "一", "art20_5": "五", "art20_6": "六", "art20_8": "八", "art20_9": "九"}


def item_title(style: TableStyle, item: str) -> str | None:
    n = _ITEM_CN[item]
    form = style.item_label
    if form == "missing":
        return None
    if form == "paren":
        return f"第二十条({n})项"
    if form == "bare":
        return f"第二十条第{n}项"
    return _p(style, f"第二十条第（{n}）项")


def _header_variants(rng: random.Random, style: TableStyle, facts: Facts, col: str, canonical: str) -> str:
    text = canonical
    if col in ("new_made", "new_published"):
        if style.cut_header:
            text = "本年新"
        elif style.split_header:
            text = canonical[:3] + rng.choice(("\n", " ")) + canonical[3:]
    elif col == "in_force" and rng.random() < 0.3:
        text = canonical + rng.choice((" (历史累计)", "（历史累计）", "(历史累计)"))
    elif col == "change" and style.cut_header:
        text = "本年增/"
    elif col == "project_count" and rng.random() < 0.2:
        text = "采购项目数"
    elif col == "decisions" and rng.random() < 0.1:
        text = canonical.replace("数量", "数")
    return _noted(rng, style, _p(style, text), _HEADER_NOTES.get(col))


def _money_header(rng: random.Random, style: TableStyle, facts: Facts, canonical: str) -> str:
    if facts.money_unit_place != "header":
        return canonical
    unit = facts.money_unit
    form = rng.choice(("（{u}）", "（单位：{u}）", "(单位:{u})", "（单位：{u}，保留4位小数）", "（单位：{u}）"))
    return _p(style, canonical + form.format(u=unit))


def _t1_header(rng: random.Random, facts: Facts, style: TableStyle, item: str, cols: list[tuple[str, str]],
               ref_counter: list[int]) -> tuple[Row, dict | None]:
    """The header row of a table-1 item, and the reference of its money column header (None without one)."""
    header: Row = [_text("信息内容")]
    money_ref: dict | None = None
    path_money = schema.MONEY_CELLS[facts.template]
    for col, canonical in cols:
        if (item, col) == (path_money[0], path_money[2]):
            ref_counter[0] += 1
            text = _money_header(rng, style, facts, canonical)
            header.append([Seg(text, None, TMPL, ref=ref_counter[0])])
            money_ref = {"header_unit": facts.money_unit if facts.money_unit_place == "header" else None,
                         "header_ref": ref_counter[0]}
        else:
            header.append(_text(_header_variants(rng, style, facts, col, canonical), TMPL))
    if style.extra_column:
        header.append(_text(rng.choice(("备注", "说明"))))
    return header, money_ref


def _t1_row(rng: random.Random, facts: Facts, style: TableStyle, item: str, row: str, row_label: str,
            cols: list[tuple[str, str]], money_ref: dict | None) -> Row:
    """One data row of a table-1 item: its (noted, garbled) label, then a cell per column."""
    if row == "normative_documents" and facts.template == "2021" and rng.random() < 0.15:
        row_label = "规范性文件"
    printed = _garble(rng, style, _noted(rng, style, row_label, _ROW_NOTES.get(row_label)))
    cells: Row = [_text(printed, TMPL if row_label != "规章" else PLAIN)]
    for col, _ in cols:
        path = f"proactive.{item}.{row}.{col}"
        money = money_ref if (item, row, col) == schema.MONEY_CELLS[facts.template] else None
        cells.append(_value_cell(rng, facts, path, style, signed=(col == "change"), money=money))
    if style.extra_column:
        cells.append(_text(rng.choice(("", "", "无", "—", "按规定公开", f"较上年增加{rng.randint(1, 30)}件"))))
    return cells


def t1_grids(rng: random.Random, facts: Facts, style: TableStyle, ref_counter: list[int]) -> list[Grid]:
    grids: list[Grid] = []
    for item, spec in schema.T1[facts.template].items():
        rows: list[Row] = []
        grid_switches: set[str] = set()
        cols = list(spec["cols"].items())
        title = item_title(style, item)
        if title and rng.random() < 0.05:
            title = None  # one item's label lost (the first one, typically, on copied pages)
        if title:
            rows.append([_text(_garble(rng, style, title))])  # the same in both templates: says nothing about which
        header, money_ref = _t1_header(rng, facts, style, item, cols, ref_counter)
        if not (style.header_once and grids):
            rows.append(header)
        n_header = len(rows)
        for row, row_label in spec["rows"].items():
            cells = _t1_row(rng, facts, style, item, row, row_label, cols, money_ref)
            # A row the template does not have, before or after 规范性文件.
            extra = style.extra_row and item == "art20_1" and row == "normative_documents"
            if extra and rng.random() < RECIPE["extra_row_before"]:
                rows.append(_extra_row(rng, style, len(cols)))
                grid_switches.add("extra_row")
                extra = False
            rows.append(cells)
            if extra:
                rows.append(_extra_row(rng, style, len(cols)))
                grid_switches.add("extra_row")
        grid = Grid(f"t1_{item}", rows, n_header, switches=grid_switches)
        if style.extra_column:
            grid.switches.add("extra_column")
        if style.header_once:
            grid.switches.add("t1_header_once")
        grids.append(grid)
    return grids


def _extra_row(rng: random.Random, style: TableStyle, n_cols: int) -> Row:
    """A row the template does not have, with figures that are no cell of the record (no spans)."""
    label = _noted(rng, style, rng.choice(_EXTRA_ROWS), "（可参考本单位政府信息公开平台“其他主动公开文件”栏目数据）")
    cells: Row = [_text(label)]
    for _ in range(n_cols):
        v = rng.choice((0, rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 999), rng.randint(1000, 99999)))
        cells.append(_text(fmt_number(rng, v, style)))
    return cells


def _t2_label(style: TableStyle, text: str) -> str:
    text = _p(style, text)
    if style.label_spaces:
        text = text.replace(")", ") ").replace("）", "） ").replace(",", ", ").replace("(区", " (区").strip()
    return text


def t2_grid(rng: random.Random, facts: Facts, style: TableStyle) -> Grid:
    tmpl = facts.template
    rows: list[Row] = []
    relation = rng.choice(("勾稽", "勾稽", "钩稽"))
    title = f"（本列数据的{relation}关系为：第一项加第二项之和，等于第三项加第四项之和）"
    rows.append([_text(_p(style, title)), _text("申请人情况")])
    np_label = "自 然 人" if style.spaced_words else "自然人"
    rows.append([_text(np_label), _text("法人或其他组织"), _text("总计")])
    org = ["商业 企业", "科研 机构"] if style.spaced_words else ["商业企业", "科研机构"]
    others = ["社会公益组织", "法律服务机构"]
    if style.split_header and rng.random() < RECIPE["split_header_t2"]:
        # Header cells broken across lines as a narrow HTML column prints them (商业\n企业 |).
        org = ["商业\n企业", "科研\n机构"]
        others = [rng.choice(("社会公益组织", "社会公益\n组织")), rng.choice(("法律服务机构", "法律服务\n机构"))]
    rows.append([_text(x, TMPL if "\n" in x else PLAIN) for x in (*org, *others, "其他")])
    n_header = len(rows)
    row_labels = dict(schema.T2_ROWS[tmpl])
    if rng.random() < 0.2:
        row_labels["partially_granted"] = "（二）部分公开"
    cols = list(schema.T2_COLUMNS)
    if style.t2_collapsed:
        cols = ["total"]
    kinds = [""] * n_header
    in_group = False
    for row, label in row_labels.items():
        cells: Row = []
        group = schema.T2_GROUP_HEADERS.get(row)
        if group and not (row == "other_no_correction" and tmpl == "2019"):
            cells.append(_text(_t2_label(style, group)))
            in_group = True
            kinds.append("")
        elif row in ("new_received", "carried_over", "total_processed", "carried_forward", "other_handling"):
            in_group = False
            kinds.append("span2")
        else:
            kinds.append("cont" if in_group else "")
        kind = TMPL if row.startswith("other_") else PLAIN
        cells.append(_text(_garble(rng, style, _t2_label(style, label)), kind))
        for col in cols:
            cells.append(_value_cell(rng, facts, f"requests.{row}.{col}", style))
        rows.append(cells)
    grid = Grid("t2", rows, n_header, kinds=kinds)
    if style.t2_collapsed:
        grid.switches.add("t2_collapsed")
    return grid


def t3_grid(rng: random.Random, facts: Facts, style: TableStyle) -> Grid:
    groups = list(schema.T3_GROUPS)
    cols = list(schema.T3_COLUMNS.items())
    if style.t3_by_rows:
        rows: list[Row] = [[_text(""), *[_text(c) for _, c in cols]]]
        names = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                 "litigation_after_review": "行政诉讼（复议后起诉）"}
        for g in groups:
            rows.append([_text(_p(style, names[g])),
                         *[_value_cell(rng, facts, f"review_litigation.{g}.{c}", style) for c, _ in cols]])
        grid = Grid("t3", rows, 1)
        grid.switches.add("t3_by_rows")
        return grid
    rows = [
        [_text("行政复议"), _text("行政诉讼")],
        [*[_text(c) for _, c in cols], _text("未经复议直接起诉"), _text("复议后起诉")],
        [*[_text(c) for _, c in cols], *[_text(c) for _, c in cols]],
        [_value_cell(rng, facts, f"review_litigation.{g}.{c}", style) for g in groups for c, _ in cols],
    ]
    return Grid("t3", rows, 3)


def lose_labels(rng: random.Random, grid: Grid) -> bool:
    """A block of data rows printed without their labels, the values still in template order.

    The values keep their spans (the row is still read by its position); only the leading text cells
    (the row label, a group label) vanish. Returns whether a block was made.
    """
    grid.finish()
    data = [i for i in range(grid.header_rows, len(grid.rows)) if any(s.label for c in grid.rows[i] for s in c)]
    if len(data) < 3:
        return False
    size = rng.randint(3, len(data))
    start = rng.randint(0, len(data) - size)
    for i in data[start:start + size]:
        row = grid.rows[i]
        k = 0
        while k < len(row) and row[k] and not any(s.label for s in row[k]) and \
                "".join(s.text for s in row[k]) not in BLANK_MARKS:
            k += 1
        grid.rows[i] = row[k:]
        grid.kinds[i] = ""
    grid.switches.add("lost_labels")
    return True


def drop_parts(rng: random.Random, grid: Grid, style: TableStyle) -> None:
    """Missing rows and missing cells: the dropped figures are simply not in the document."""
    grid.finish()
    kept: list[Row] = grid.rows[: grid.header_rows]
    kinds: list[str] = grid.kinds[: grid.header_rows]
    for row, kind in zip(grid.rows[grid.header_rows:], grid.kinds[grid.header_rows:], strict=True):
        if style.drop_rows and rng.random() < style.drop_rows:
            grid.switches.add("missing_rows")
            continue
        kinds.append(kind)
        if style.drop_cells and len(row) > 2 and rng.random() < style.drop_cells:
            value_idx = [i for i, c in enumerate(row) if any(s.label for s in c)]
            if value_idx:
                del row[rng.choice(value_idx)]
                grid.switches.add("missing_cells")
        kept.append(row)
    grid.rows = kept
    grid.kinds = kinds
    grid.heads = set(range(grid.header_rows))
