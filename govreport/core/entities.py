"""The choice among entity mentions: the agency, the report year, the publication date, leader pairs.

Pure functions over (text, spans), read through govreport.core.rules (years, dates, sentence ends,
folding); the assembler builds the record with them and the validator checks one against them. Every function
returns None (or an empty list) for text it cannot read: model spans can hold anything.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from govreport.core.document import Span
from govreport.core.rules import (
    fold_traditional,
    parse_date,
    parse_year,
    same_sentence,
    sentence_breaks,
    strip_pinyin,
)


def pair_leaders(text: str, names: Sequence[Span], titles: Sequence[Span]) -> list[tuple[Span, Span | None]]:
    """Each name with the nearest title in the same sentence (None if the sentence has none).

    Distance is the gap in characters between the two spans; on a tie the title before the name
    wins (镇长梁胤 is the commoner order). A title may serve several names (副组长张三、李四).
    """
    breaks = sentence_breaks(text)
    pairs: list[tuple[Span, Span | None]] = []
    for name in names:
        best: tuple[int, int, Span] | None = None
        for title in titles:
            if not same_sentence(breaks, name, title):
                continue
            before = title.end <= name.start
            gap = name.start - title.end if before else max(title.start - name.end, 0)
            key = (gap, 0 if before else 1, title)
            if best is None or key[:2] < best[:2]:
                best = key
        pairs.append((name, best[2] if best else None))
    return pairs


# --- choosing among candidates (the precedence is documented in inference.assemble) -----------------

# A name of a body holds none of these: a span that does was run together with the words before it
# (…公开年度某某镇政府, 会公开川主乡, 通過柞水縣人民政府, …人民政府在市委) or joined across a quotation
# (…局轉發的《某某省人民政府).
_NOT_IN_NAME = re.compile(r"[《》〈〉“”\"「」『』<>]|年度|报告|工作|情况|关于|根据|按照|印发|转发|的|在|公开|通过")
# Characters a name of a body (or its printed short form: 南源街, 鸭南乡, 荔湾区) can end in.
_NAME_ENDS = set("府局室处署委会厅办心馆院所站队部司镇乡道社街区市县旗州省村木)")
# The compiling office of a government (…人民政府办公室 / 党政办) is never the reporting body.
_OFFICE = re.compile(r"(办公室|党政办|办)$")
_BODY_KIND = re.compile(r"(办事处|人民政府|政府)$")
# Lines whose label names the page's publisher: a mention there weighs like a title.
_PAGE_LINE = re.compile(r"(发布机构|信息来源|文章来源|来源|发文机关|发布单位)[\s:：]*$")
_DATE_LABEL = re.compile(r"(日期|时间)[\s:：•·|]*$")
_PERIOD_BEFORE = re.compile(r"(统计期限|统计时限|统计时间|期限|涵盖|自|从)[为是:：\s]*$")
_PERIOD_END = re.compile(r"(至|到|截至|截止|止)[\s]*$")
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"[+(（]?\d[\d\-－—–()（）\s转轉]*\d")  # 转/轉: an extension


@functools.lru_cache(maxsize=1 << 16)
def fold_name(name: str) -> str:
    """A name compared across its printed forms: NFKC, simplified characters, spliced pinyin removed.
    (Cached: the agency rules compare every mention with every other; a long text repeats names.)"""
    s = strip_pinyin(unicodedata.normalize("NFKC", name or ""))
    return re.sub(r"\s", "", fold_traditional(s))


def _inside(short: str, long: str) -> bool:
    """`short` names the same body as `long`: a substring, or its characters in order (住房城乡建设局
    in 住房和城乡建设局, 卫健局 in 卫生健康局, 政府办 in 人民政府办公室)."""
    if not short or not long:
        return False
    if short in long:
        return True
    # 东湖街道办事处 and 绍兴市越城区东湖街道 (t04): the same body printed with and without its kind
    core = _BODY_KIND.sub("", short)
    if len(core) >= 2 and core != short and core in long:
        return True
    if len(short) < 3:
        return False
    it = iter(long)
    return all(ch in it for ch in short)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def is_fragment(text: str, span: Span, others: Sequence[str]) -> bool:
    """A span the model cut or ran together, which must never be the agency's representative:
    quotes/brackets or report words inside, an end mid-word, or a start mid-word (the character
    before it and the span together lie inside a longer printed candidate, 抚|松县松江河镇…)."""
    name = fold_name(text[span.start:span.end])
    if not name or _NOT_IN_NAME.search(name) or name[-1] not in _NAME_ENDS:
        return True
    before = text[span.start - 1] if span.start > 0 else ""
    if before and _is_cjk(before):
        widened = fold_name(before) + name
        return any(widened in fold_name(o) for o in others if fold_name(o) != name)
    return False


def _line_before(text: str, pos: int) -> str:
    return text[text.rfind("\n", 0, pos) + 1:pos]


def _is_title_line(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    return len(line) < 80 and "年" in line and "报告" in fold_name(line)  # cheap tests first: lines can be long


def agency_weight(text: str, span: Span, last_heading_end: int) -> int:
    """Support of one AGENCY mention: a title, signature or page-line mention counts twice."""
    if _PAGE_LINE.search(fold_name(_line_before(text, span.start))) or _is_title_line(text, span.start):
        return 2
    return 2 if last_heading_end and span.start > last_heading_end and \
        span.start > len(text) * 0.85 else 1


class CharIndex:
    """Which of some names hold every character of a string: a long pasted text holds thousands of names,
    and comparing each with each is quadratic; a name can only hold another that has all its characters."""

    def __init__(self, names: Sequence[str]) -> None:
        self.holding: dict[str, set[int]] = {}
        for k, name in enumerate(names):
            for ch in set(name):
                self.holding.setdefault(ch, set()).add(k)

    def holding_all(self, chars: str) -> list[int]:
        """Indices of the names holding every character of ``chars``, ascending (all names for "")."""
        sets = sorted((self.holding.get(ch, set()) for ch in set(chars)), key=len)
        if not sets:
            return sorted({k for held in self.holding.values() for k in held})
        found = set(sets[0])
        for held in sets[1:]:
            found &= held
        return sorted(found)


def _clusters(folded: list[str]) -> list[list[int]]:
    """Indices of the names grouped by containment (a name inside another joins its group), each group
    in order, the groups in order of their first member. Names are compared once per distinct name (a
    long text repeats its names thousands of times; equal non-empty names always share a group, an
    empty one joins none)."""
    names = list(dict.fromkeys(n for n in folded if n))
    parent = list(range(len(names)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    # A name inside another has every character of its core (the name without its kind) in it: only the
    # names holding all of those are compared. Which pairs join is the same as comparing every pair.
    index = CharIndex(names)
    for i, name in enumerate(names):
        core = _BODY_KIND.sub("", name)
        for j in index.holding_all(core if len(core) >= 2 else name):
            if j != i and _inside(name, names[j]):
                parent[root(i)] = root(j)
    group = {name: root(k) for k, name in enumerate(names)}
    clusters: dict[tuple[bool, int], list[int]] = {}
    for i, name in enumerate(folded):
        clusters.setdefault((True, group[name]) if name else (False, i), []).append(i)
    return list(clusters.values())


def _representative(text: str, mentions: Sequence[Span], texts: list[str], folded: list[str],
                    members: list[int]) -> int | None:
    """The member with the longest folded name that is no fragment and no compiling office of a
    government in the cluster (ties: the first); None when every member is one."""
    names = {folded[m] for m in members}
    good = [m for m in members
            if not is_fragment(text, mentions[m], texts)
            and not (_OFFICE.search(folded[m]) and any(n != folded[m] and n.endswith("政府")
                                                      and n in folded[m] for n in names))]
    return max(good, key=lambda m: (len(folded[m]), -m)) if good else None


def choose_agency(text: str, spans: Sequence[Span]) -> tuple[Span, list[str]] | None:
    """The reporting body: (the mention holding its fullest printed name, its other printed forms).

    Mentions are clustered by containment of their folded names; the cluster with the most support
    wins (ties: the one mentioned first); its representative is the longest folded name that is no
    fragment and no compiling office of another member. None when there is no usable mention.
    """
    mentions = [s for s in spans if s.label == "AGENCY" and s.end > s.start]
    texts = [text[s.start:s.end] for s in mentions]
    folded = [fold_name(t) for t in texts]
    last_heading = max((s.end for s in spans if s.label.startswith("H.")), default=0)
    ranked = sorted(_clusters(folded),
                    key=lambda ms: (-sum(agency_weight(text, mentions[m], last_heading) for m in ms), ms[0]))
    for members in ranked:
        best = _representative(text, mentions, texts, folded, members)
        if best is None:
            continue
        fragments = {texts[m] for m in members if is_fragment(text, mentions[m], texts)}
        aliases: list[str] = []
        for m in members:
            if texts[m] not in (texts[best], *fragments, *aliases):
                aliases.append(texts[m])
        return mentions[best], aliases
    return None


def year_weight(text: str, span: Span) -> int:
    """Support of one REPORT_YEAR mention: the title or the statistics period counts twice."""
    before = _line_before(text, span.start)
    if _is_title_line(text, span.start) or _PERIOD_BEFORE.search(before[-12:]) or \
            re.match(r"\s*年\s*1\s*月\s*1\s*日", text[span.end:span.end + 8]):
        return 2
    return 1


def choose_year(text: str, spans: Sequence[Span]) -> tuple[int, Span] | None:
    """The most supported year; None when two years tie for the most support (no clear winner)."""
    support: Counter[int] = Counter()
    first: dict[int, Span] = {}
    for s in spans:
        if s.label == "REPORT_YEAR" and (y := parse_year(text[s.start:s.end])) is not None:
            support[y] += year_weight(text, s)
            first.setdefault(y, s)
    ranked = support.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0], first[ranked[0][0]]


def date_kind(text: str, span: Span, agencies: Sequence[Span]) -> str | None:
    """'signature' (after the body's name at the close), 'page' (a 发布日期/发布时间/…: page line)
    or None (a date in prose, or the end of a statistics period: never the publication date)."""
    before = fold_name(text[max(0, span.start - 24):span.start])  # 釋出時間 reads as 释出时间
    if _PERIOD_END.search(before):
        return None
    if _DATE_LABEL.search(before):
        return "page"
    # whitespace and ? (characters lost in conversion, spec layout 000) do not part a signature
    # Only the nearest name before the date needs the test: its gap is the end of every other one's.
    # (Testing each name sliced the text between them: quadratic on a long text.)
    nearest = max((a.end for a in agencies if a.end <= span.start), default=None)
    close = nearest is not None and (len(re.sub(r"[\s?？]", "", text[nearest:span.start])) <= 12
                                     and not re.search(r"[。；;]", text[nearest:span.start]))
    # a date on a line of its own near the end closes the report even when the signer is untagged
    line_start, line_end = text.rfind("\n", 0, span.start) + 1, text.find("\n", span.end)
    alone = not (text[line_start:span.start] + text[span.end:line_end if line_end >= 0 else len(text)]).strip()
    if (close and span.start > len(text) * 0.5) or (alone and span.start > len(text) * 0.85):
        return "signature"
    return None


def choose_published(text: str, spans: Sequence[Span]) -> tuple[str, Span] | None:
    """The signature date, else the first page-line date, else None."""
    agencies = [s for s in spans if s.label == "AGENCY"]
    found: dict[str, tuple[str, Span]] = {}
    for s in spans:
        if s.label != "PUBLISHED_DATE" or (date := parse_date(text[s.start:s.end])) is None:
            continue
        kind = date_kind(text, s, agencies)
        if kind and kind not in found:
            found[kind] = (date, s)
    return found.get("signature") or found.get("page")


def is_email(value: str) -> bool:
    """A real address (local@domain.tld), not spam such as 某某体育官网@:."""
    return EMAIL.fullmatch(unicodedata.normalize("NFKC", value).strip()) is not None


def is_phone(value: str) -> bool:
    """Digits with the separators phone numbers print, 7 to 17 digits (020 inside 2020 is not one)."""
    s = unicodedata.normalize("NFKC", value).strip()
    digits = sum(ch.isdigit() for ch in s)
    return PHONE.fullmatch(s) is not None and 7 <= digits <= 17  # an extension (转653, —4944) adds digits
