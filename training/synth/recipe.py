"""The generator's recipe: every probability and layout weight of the switches in one plain mapping.

Names map to numbers only, so a YAML config can override any of them: a training config's
``data.synthetic.recipe`` mapping, applied with ``overridden(...)`` around generation. A probability
is per document unless its comment says otherwise; `layout.<name>` are the relative weights of the
table-layout families in layouts.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

RECIPE: dict[str, float] = {
    # --- table-layout families (relative weights) ------------------------------------------------
    "layout.pipe": 30, "layout.tabs": 8, "layout.cell_per_line": 20, "layout.cell_pipe_lines": 10,
    "layout.flat": 7, "layout.markdown": 4, "layout.html_copy": 6, "layout.spaces": 7,
    "layout.run_together": 5, "layout.pipe_newline": 5, "layout.pdf": 10,
    # --- cell geometry (issue 11 item 7) ----------------------------------------------------------
    "tabs_nbsp_blank": 0.6,          # a tab table prints its blank cells as \u00a0 (per table)
    "cell_per_line_blank_lines": 0.7,  # one cell per line with blank lines between cells (per table)
    "cell_per_line_keep_empty": 0.5,   # ... and a blank cell is an empty line of its own (per table)
    "cell_then_bar_line": 0.3,       # cell_pipe_lines: every cell line followed by a lone "|" line
    "pdf_label_wrap_3": 0.4,         # pdf: a long row label wraps over 3 lines, not 2 (per row)
    "pdf_numbers_after_label": 0.7,  # pdf: the numbers follow the label's last line (per row)
    "page_markers": 0.06,            # page markers "- 3 -" between lines of the report
    # --- table wording --------------------------------------------------------------------------
    "split_header": 0.3,             # header cells broken across lines (本年新\n制作数量)
    "split_header_t2": 0.8,          # ... table 2's applicant headers too (商业\n企业)
    "label_notes": 0.12,             # Wuhan-style long notes inside row labels and headers
    "label_note_tails": 0.4,         # ... with an instruction added (其他单位不需填写); a third as often alone
    "label_note_spaces": 0.5,        # ... with stray spaces inside the note (通 知)
    "label_pinyin": 0.04,            # pinyin spliced in labels of a simplified text (規(guī)范性文件, 檔案)
    "extra_row": 0.07,               # an extra row not in the template (其他主动公开文件 | 1x6 | ...)
    "extra_row_before": 0.3,         # ... printed before the template row it resembles
    "instructions": 0.02,            # the template's 编写说明 left in around a table
    "lost_labels": 0.04,             # a block of rows whose labels were lost (values in template order)
    "sign_words": 0.12,              # 本年增/减 printed 增98 / 减4
    "sign_double_minus": 0.06,       # ... or --253 for a decrease
    "big_numbers": 0.1,              # 4-7 digit figures in every table (requests, items, review)
    # --- whole text -----------------------------------------------------------------------------
    "flat_paragraph": 0.03,          # the report flattened into one paragraph, spaces inside words
    "word_space_rate": 0.04,         # ... chance per CJK character of a space after it
    # --- entity contexts (issue 15) ---------------------------------------------------------------
    "title_split": 0.25,             # the title broken over two lines
    "opening_sentence": 0.5,         # 2023年，在区委、区政府的领导下，{agency}… (or 我局: no agency)
    "opening_self_ref": 0.35,        # ... naming the body only by 我局/我镇
    "stats_period_overview": 0.25,   # 统计期限为2024年1月1日至2024年12月31日 in the overview
    "page_agency_line": 0.15,        # 发布机构:/来源: naming the body (full or short form)
    "doc_title_agency": 0.15,        # 《{agency}关于…的通知》 in prose
    "other_body": 0.3,               # 上级 government or another body's document named in prose
    "compiler_office": 0.08,         # 本报告由{agency}办公室负责编制 (only the body's name tagged)
    "year_end_date": 0.12,           # 截至2023年12月31日 (no PUBLISHED_DATE, no REPORT_YEAR)
    "unnamed_post": 0.15,            # 镇长 alone (no LEADER_TITLE)
    "spam_at": 0.04,                 # spam such as 某某体育官网@: before the body's name (no EMAIL)
    "place_char_wide": 0.4,          # a place-name character from the wide pool (per character)
}


def weights(prefix: str) -> dict[str, float]:
    """The entries under `prefix.` without it (e.g. the layout weights)."""
    return {k[len(prefix) + 1:]: v for k, v in RECIPE.items() if k.startswith(prefix + ".")}


def check_overrides(changes: Mapping[str, Any], where: str = "recipe") -> None:
    """Refuse a change to a switch the recipe does not have, or a value that is not a number."""
    for key, value in changes.items():
        if key not in RECIPE:
            raise ValueError(f"unknown config key {where}.{key} (the generator's switches are "
                             "training/synth/recipe.py RECIPE)")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"config key {where}.{key}: a number >= 0, not {value!r}")


@contextmanager
def overridden(changes: Mapping[str, Any] | None) -> Iterator[None]:
    """RECIPE with `changes` applied while the block runs (generate inside it), restored after."""
    changes = dict(changes or {})
    check_overrides(changes)
    saved = dict(RECIPE)
    RECIPE.update({k: float(v) for k, v in changes.items()})
    try:
        yield
    finally:
        RECIPE.clear()
        RECIPE.update(saved)
