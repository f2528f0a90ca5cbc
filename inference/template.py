"""Which template (2019 or 2021) a document follows, from the evidence in order of reliability.

Precedence (the first rule that decides wins):
1. cell labels: the template whose exclusive cells (labels.template_of_label) are tagged more often;
2. header wording in the text: the table headers and row labels only one template prints
   (本年制发件数 / 本年收费金额 / the 其他处理 sub-rows vs 本年新制作数量 / 上一年项目数量 / 采购总金额 ...),
   counted in a simplified, whitespace-free, pinyin-free copy of the text;
3. the report year (schema.template_for_year).
A tie at one level passes to the next; null when nothing tells.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.rules import fold_traditional, strip_pinyin

# Phrases only one template prints (simplified, no whitespace). Short enough to survive a header
# split over two lines or cells, long enough not to occur in prose.
HEADER_PHRASES: dict[str, tuple[str, ...]] = {
    "2021": ("制发件", "废止件数", "现行有效件数", "收费金额", "逾期不补正", "逾期未按收费通知"),
    "2019": ("新制作数量", "新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "采购项目数量",
             "采购总金额", "其他对外管理服务事项", "政府集中采购"),
}
# Patterns that tell the template apart where a phrase alone cannot (matched in the compact text).
HEADER_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "2021": (
        re.compile(r"本年处理决定数"),          # 2019: 处理决定数量 without 本年
        re.compile(r"其他处理[|｜]*1[.、]申"),   # (六)其他处理 | 1.申请人… : the 2021 sub-rows
    ),
    "2019": (
        re.compile(r"(?<!本年)处理决定数"),
        re.compile(r"第二十条第?[(（]?九[)）]?项"),  # item 九 (集中采购) is gone from 2021
        # (六)其他处理 followed by its own cells (a number, a blank mark) or by (七)总计: the 2019 row
        # (a number needs a character after it: a text cut at "其他处理 | 1" may go on "1.申请人")
        # (not a count in prose: 其他处理29件 / 其他处理1条, t12 and t47 have no tables)
        re.compile(r"其他处理[|｜]*(?:\d+(?=[^\d.、件条个项次宗])|[/\-—–无]|[(（]七[)）])"),
    ),
}

_SPACE = re.compile(r"\s+")


def simplified_compact(text: str) -> str:
    """The text as the header phrases are matched: NFKC, simplified, without pinyin or whitespace."""
    s = fold_traditional(unicodedata.normalize("NFKC", text))
    s = strip_pinyin(s)
    return _SPACE.sub("", s)


def _vote(counts: Counter[str]) -> str | None:
    a, b = counts.get("2019", 0), counts.get("2021", 0)
    if a == b:
        return None
    return "2019" if a > b else "2021"


def template_from_labels(labels: Iterable[str]) -> str | None:
    return _vote(Counter(t for lab in labels if (t := labelset.template_of_label(lab)) is not None))


def template_from_text(text: str) -> str | None:
    s = simplified_compact(text)
    counts: Counter[str] = Counter()
    for template, phrases in HEADER_PHRASES.items():
        counts[template] += sum(s.count(p) for p in phrases)
        counts[template] += sum(len(p.findall(s)) for p in HEADER_PATTERNS[template])
    return _vote(counts)


def detect_template(text: str, cell_labels: Iterable[str], report_year: int | None) -> str | None:
    """The template by the precedence of this module's docstring."""
    return (template_from_labels(cell_labels) or template_from_text(text)
            or schema.template_for_year(report_year))
