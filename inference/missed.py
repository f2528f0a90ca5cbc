"""Spans the tagger missed, found by the report's fixed wording: section headings, the body in the title.

Headings. The six headings are fixed by the template (一、总体情况 … 六、其他需要报告的事项), yet the tagger now and
then leaves one untagged (六、其他 at the end of seed-000, seed-001 and r12). A heading it missed is
added when a line holds only a heading: it opens with the section's numeral and 、, is short, and its
words carry the section's key word. Lines only, never inline text; a section the tagger found is left
alone, and a candidate must lie between the headings found before and after it.

The agency. When the tagger tagged no name of the reporting body at all (r12), the title line still
names it: 某某局2021年政府信息公开工作年度报告 or 2021年某某局政府信息公开工作年度报告. The name is what
stands before the year, or between the year and 政府信息公开, when it ends like the name of a body. With no
title either, an opening clause names it: the subject after the year, before what the body did
(2020年七里坪镇严格按照…).

Every mention of the agency. The guide tags each printed occurrence of the body's name; the tagger finds
the title's and misses many in prose (拉堡鎮 eight times in seed-000). Once the agency and its aliases are
chosen from the tagged mentions, every other occurrence of those exact names is tagged too, except inside
《…》 (another document's title) and where another span already is. A copy gets the head and body the
repairs give a tagged name (a signature line holding 开发区|集体经济发展服务署 alone, where the prose cut it).

The signature date. A line near the end that holds only a date is the signature's (r12's 2022年1月11日
under the body's name); the spec takes it before any page line's date.

Every mention of the year. Once the report year is chosen from the tagged mentions, the guide's other
places that state it are tagged where the tagger left them: the statistics period's start
(`2022年1月1日至…`, also with characters lost, `20191月1日起`), a table header's `指2020年…`/`本年(2023)`,
a clause that opens with the year (`2024年,我單位…`) and the year after the body as subject
(`本局2024年度收到…`) or after the body's tagged name (`东阳市自然资源和规划局 2023年度`). Not inside 《…》,
never where another span is. A REPORT_YEAR span naming another
year (`2025年我局將…`: next year's plans) is no mention of the covered year and goes.

A table row left wholly untagged. The tagger now and then tags no cell of a row it reads in other
layouts (规范性文件(指…) 2 0 83 with cells split by spaces). When some row has no cell span, the rows are
found by their labels as the cell status finds them (inference.cellstatus); a row whose label is followed
by exactly as many numbers as the row has cells, one per cell mark or space, then by words or the row's
end, has those numbers in column order: with every cell printed there is no blank whose place is in
doubt. A row printing fewer numbers, a `/`, or two marks in a row (an empty cell) is left alone.
"""

from __future__ import annotations

import bisect
import re
from functools import cache

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.document import Span, span_order
from govreport.core.entities import choose_agency, choose_year, fold_name, is_phone
from govreport.core.rules import fold_traditional, parse_year, printed_extent, strip_pinyin
from govreport.inference.cellstatus import locate_rows, table_rows
from govreport.inference.repair import (
    AGENCY_ENDS,
    HEADER_YEAR_BEFORE,
    NOT_NAME_HEAD,
    is_generic_body,
    overlap_test,
    whole_name,
)
from govreport.inference.template import detect_template

NUMERALS = dict(zip(schema.SECTIONS, "一二三四五六", strict=True))
KEY_WORDS = {
    "overview": ("总体", "概述", "概况", "基本情况"),
    "proactive": ("主动公开",),
    "requests": ("申请",),
    "review_litigation": ("复议", "诉讼"),
    "problems": ("问题", "不足"),
    "other": ("其他",),
}
MAX_HEADING = 40  # characters: a longer line is prose that merely opens like a heading
_LINE = re.compile(r"^[ \t\u3000]*([一二三四五六])[、.．][ \t\u3000]*([^\n。：:]+?)[ \t\u3000。：:]*$", re.MULTILINE)


def missing_headings(text: str, spans: list[Span]) -> list[Span]:
    """Heading spans for the sections the tagger gave none, where a line holds the heading."""
    found = {s.label[2:]: s for s in spans if s.label.startswith("H.")}
    overlaps = overlap_test(spans)
    out: list[Span] = []
    for m in _LINE.finditer(text):
        key = next((k for k, n in NUMERALS.items() if n == m.group(1)), None)
        if key is None or key in found or m.end(2) - m.start(1) > MAX_HEADING:
            continue
        words = fold_traditional(strip_pinyin(m.group(2)))
        if not any(w in words for w in KEY_WORDS[key]) or not _in_order(key, m.start(1), found):
            continue
        span = Span(m.start(1), m.end(2), "H." + key)
        if not overlaps(span):
            out.append(span)
    return out


def _in_order(key: str, pos: int, found: dict[str, Span]) -> bool:
    """After every heading found for an earlier section, before every one for a later section."""
    order = list(schema.SECTIONS)
    k = order.index(key)
    return all(found[o].end <= pos if order.index(o) < k else found[o].start >= pos
               for o in found if o in order)


_TITLE = re.compile(r"^[^\n]{0,60}?(?:政府信息公开|政府信息公開)[^\n]{0,8}?(?:年度报告|年度報告|年报|年報)",
                    re.MULTILINE)
_YEAR = re.compile(r"([0-9０-９〇○零一二三四五六七八九]{4})\s*年度?")
# A title may name a district or county itself (深圳市龍崗區2022年…): its government's report
_TITLE_NAME_ENDS = AGENCY_ENDS | set("区區县縣市旗")
_NOT_NAME = re.compile(r"[《》“”\"「」:：|,，。;；()（）\s]|关于|關於")


def agency_from_title(text: str, spans: list[Span]) -> list[Span]:
    """An AGENCY span for the body named in a title line, when the tagger tagged none anywhere (a cited
    document's issuer does not count: it names another body)."""
    if any(s.label == "AGENCY" and not _issuer_of_cited(text, s) for s in spans):
        return []
    for m in _TITLE.finditer(text):
        year = _YEAR.search(m.group())
        if year is None:
            continue
        line_start = m.start()
        before = (line_start, line_start + year.start())
        after = (line_start + year.end(), line_start + m.group().find("政府信息公"))
        for start, end in (before, after):
            name = _name_in(text, start, end)
            if name is not None and not overlap_test(spans)(name):
                return [name]
    return []


# A clause the report year opens, its subject a body's name, then what the body did (2020年七里坪镇严格按照…,
# 2025年中仓街道积极推动…): the spec's opening sentence
_OPENING = re.compile(r"(?:^|[。；;])[ \t\u3000]*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年度?\s*[,，]?\s*"
                      r"([\u4e00-\u9fff]{3,16}?)(?=认真|严格|积极|坚持|高度|全面|深入|持续|始终|按照|紧紧|扎实|切实|"
                      r"进一步|不断|围绕|主动|依法)", re.MULTILINE)


def agency_from_opening(text: str, spans: list[Span]) -> list[Span]:
    """An AGENCY span for the body an opening clause names, when the tagger tagged none anywhere and no
    title line names one either (t16, t36: the report has no title)."""
    if any(s.label == "AGENCY" and not _issuer_of_cited(text, s) for s in spans):
        return []
    taken = overlap_test(spans)
    for m in _OPENING.finditer(text):
        name = _name_in(text, m.start(1), m.end(1))
        if name is not None and text[name.start] not in NOT_NAME_HEAD \
                and not is_generic_body(text[name.start:name.end]) and not taken(name):
            return [name]
    return []


def _name_in(text: str, start: int, end: int) -> Span | None:
    """The stretch as a name: stripped, at least 3 characters, nothing a name never holds, ending like a
    body (…局, …政府, …镇)."""
    while start < end and text[start] in " \t\u3000":
        start += 1
    while end > start and text[end - 1] in " \t\u3000":
        end -= 1
    name = text[start:end]
    if len(name) < 3 or _NOT_NAME.search(name) or name[-1] not in _TITLE_NAME_ENDS:
        return None
    return Span(start, end, "AGENCY")


SIGNATURE_LINES = 3  # the signature is among the last non-blank lines


def signature_date(text: str, spans: list[Span]) -> list[Span]:
    """A PUBLISHED_DATE span for a date standing alone on one of the last lines, if not tagged already."""
    end = len(text)
    for _ in range(SIGNATURE_LINES):
        stripped_end = len(text[:end].rstrip())
        if stripped_end == 0:
            return []
        start = text.rfind("\n", 0, stripped_end) + 1
        line_start = start + len(text[start:stripped_end]) - len(text[start:stripped_end].lstrip())
        extent = printed_extent(text, line_start, stripped_end, "date")
        if extent == (line_start, stripped_end):
            date = Span(line_start, stripped_end, "PUBLISHED_DATE")
            return [] if overlap_test(spans)(date) else [date]
        end = start - 1 if start > 0 else 0
    return []


def without_cited_issuers(text: str, spans: list[Span]) -> list[Span]:
    """The AGENCY spans that open a cited document's title (《国务院办公厅…关于…的通知》, 《琼海市人民政府办公室
    关于印发…》) name that document's issuer: kept only when it is the reporting body, as chosen from the
    other mentions (《园庆区应急管理局关于…》 cited by 园庆区应急管理局 itself); never a vote in that choice."""
    issuers = [s for s in spans if s.label == "AGENCY" and _issuer_of_cited(text, s)]
    if not issuers:
        return spans
    rest = [s for s in spans if s not in issuers]
    chosen = choose_agency(text, rest)
    own = [fold_name(n) for n in ([text[chosen[0].start:chosen[0].end], *chosen[1]] if chosen else [])]

    def reporter(s: Span) -> bool:  # one of its names, or a longer or shorter printing of one (as clustered)
        name = fold_name(text[s.start:s.end])
        return any(name in o or o in name for o in own)

    return sorted(rest + [s for s in issuers if reporter(s)], key=span_order)


TITLE_REACH = 200  # characters a cited document's title runs on after its issuer


def _issuer_of_cited(text: str, s: Span) -> bool:
    if text[s.start - 1:s.start] != "《":
        return False
    close = text.find("》", s.end, s.end + TITLE_REACH)
    return close >= 0 and "关于" in fold_traditional(strip_pinyin(text[s.end:close]))


def agency_mentions(text: str, spans: list[Span]) -> list[Span]:
    """AGENCY spans for the untagged occurrences of the chosen agency's name and its aliases."""
    chosen = choose_agency(text, spans)
    if chosen is None:
        return []
    names = {text[chosen[0].start:chosen[0].end], *chosen[1]}
    names |= {short for name in list(names) for short in _town_short_forms(name)}
    candidates: list[Span] = []
    for name in (n for n in names if len(n) >= 3):
        start = text.find(name)
        while start >= 0:
            candidates.append(whole_name(text, Span(start, start + len(name), "AGENCY")))
            start = text.find(name, start + 1)
    overlaps = overlap_test(spans)
    out: list[Span] = []
    end = -1  # the furthest end of the mentions kept so far: the longest name first where two start together
    for span in sorted(candidates, key=lambda s: (s.start, -s.end)):
        if span.start >= end and not overlaps(span) and not _in_brackets(text, span):
            out.append(span)
            end = span.end
    return out


_UNIT_AT = re.compile(r"[省市区區县縣旗州盟](?:人民政府)?")  # 荔湾区人民政府|南源街道办事处
_TOWN = re.compile(r"镇|鎮|乡|鄉|街道|苏木|蘇木")


_DOUBLED_TOWN = re.compile(r"([乡鄉镇鎮])\1$")
_BODY_SUFFIX = re.compile(r"(?:人民政府|政府|办事处|辦事處)$")


def _town_short_forms(name: str) -> set[str]:
    """A town's or street's name after its county (荷塘区|桂花街道办事处, 扎赉特旗|宝力根花苏木人民政府) and
    that without its office (西咸新区|底张街道|办事处, 七里坪镇|人民政府): the prose names the body so, and
    the guide tags short forms too. Only below a county: a department's tail (某市|公安局) names the same
    department of every other place too."""
    tail = name
    for unit in _UNIT_AT.finditer(name):  # the last unit that leaves a name after it: the 市 of 胡市镇 is none
        if len(_BODY_SUFFIX.sub("", name[unit.end():])) >= 2:
            tail = name[unit.end():]
    forms = {tail, _BODY_SUFFIX.sub("", tail)}
    forms |= {_DOUBLED_TOWN.sub(r"\1", f) for f in forms}  # 鸭南乡乡(人民政府): the township 鸭南乡's government
    forms = {f for f in forms if len(f) >= 3 and f != name and _TOWN.search(f) and not is_generic_body(f)}
    return forms | {f[:-1] for f in forms if f.endswith("街道") and len(f) >= 4}  # 棠景街道: 棠景街 in prose


_PHONE_LABELLED = re.compile(r"(?:电话|電話|传真|傳真)\s*[:：]?\s*([0-9０-９][0-9０-９\-－—–()（） ]{5,24}[0-9０-９])")


def labelled_phones(text: str, spans: list[Span]) -> list[Span]:
    """PHONE spans for the untagged numbers a 电话:/传真: label gives (电话:0537-8451001, where the tagger
    read three of its digits as a postcode), when they read as a phone number."""
    overlaps = overlap_test(spans)
    out = []
    for m in _PHONE_LABELLED.finditer(text):
        span = Span(m.start(1), m.end(1), "PHONE")
        if is_phone(text[span.start:span.end]) and not overlaps(span):
            out.append(span)
    return out


# a page line's publication date, on the label's line or the next (发布日期\n • 2022-01-27)
_DATE_LABEL = re.compile(r"(?:发布|發布|發佈|成文|发文|發文)(?:日期|时间|時間)\s*[:：]?[\s•·]{0,8}")


def labelled_dates(text: str, spans: list[Span]) -> list[Span]:
    """PUBLISHED_DATE spans for the untagged dates a page line's 发布日期/发布时间/成文日期/发文日期 gives (the
    spec's second source of ``published``; the signature's date still comes first in assembly)."""
    overlaps = overlap_test(spans)
    out = []
    for m in _DATE_LABEL.finditer(text):
        extent = printed_extent(text, m.end(), m.end() + 1, "date")
        if extent and extent[0] == m.end():
            span = Span(extent[0], extent[1], "PUBLISHED_DATE")
            if not overlaps(span):
                out.append(span)
    return out


# A document number that stands in brackets or after a title: its issuer's code (from the opener on), the
# year in its brackets and its number, or a decree's 令第711号 (国务院令第711号, 国办公开办函〔2021〕30号)
_DOC_NUMBER = re.compile(r"(?<=[(（、,，》])\s*([\u4e00-\u9fff]{1,12}(?:[〔\[【(（]\s*\d{4}\s*[〕\]】)）]|令第)"
                         r"\s*\d{1,4}\s*[号號])")


def document_numbers(text: str, spans: list[Span]) -> list[Span]:
    """The spans with every bracketed document number the tagger missed or cut (〔2021[〕30号]) as one
    DOC_NUMBER span; a number overlapping any other span is left as tagged."""
    ordered = sorted(spans, key=span_order)
    starts = [s.start for s in ordered]
    longest = max((s.end - s.start for s in ordered), default=0)
    replaced: set[Span] = set()
    added = []
    for m in _DOC_NUMBER.finditer(text):
        whole = Span(m.start(1), m.end(1), "DOC_NUMBER")
        near = ordered[bisect.bisect_left(starts, whole.start - longest):bisect.bisect_left(starts, whole.end)]
        inside = [s for s in near if s.end > whole.start]
        if all(s.label == "DOC_NUMBER" and whole.start <= s.start and s.end <= whole.end for s in inside):
            replaced.update(inside)
            added.append(whole)
    return sorted([s for s in ordered if s not in replaced] + added, key=span_order) if added else spans


def _in_brackets(text: str, s: Span) -> bool:
    before = text[max(0, s.start - 60):s.start]
    return before.rfind("《") > before.rfind("》")


_D = r"[0-9０-９〇○零一二三四五六七八九]"
# what follows the year of a statistics period's start: 年1月1日 (年, 月 may be lost: 20191月1日, 202111日) and 起/至
_PERIOD_AFTER = re.compile(r"\s*年?\s*[0０]?[1１]\s*月?\s*[0０]?[1１]\s*日\s*(?:起|开始|開始)?\s*(?:至|到|-|—|－|~|～)")
_CLAUSE_AFTER = re.compile(r"\s*年度?\s*[,，、]")
# a clause the year opens without a comma (,2019年公开政府信息60条; 。2025年全区共办理…): not a date, a span
# of time (以来, 前, 底) or a half-year
_CLAUSE_OPENS = re.compile(r"\s*年度?(?=[\u4e00-\u9fff])(?!以来|以來|以前|前|后|後|底|末|初|起|至|到|第|上半|下半|度)")
_TITLE_YEAR = re.compile(r"\s*年度?\s*(?:政府|政务|政務)信息公[开開]工作(?:的)?(?:年度)?(?:报告|報告)")
_CLAUSE_BEFORE = re.compile(r"(?:^|[\n。；;，,：:])[ \t\u3000]*$")
_SUBJECT_BEFORE = re.compile(r"[我本](?:局|镇|鎮|乡|鄉|街道|办|辦|委|单位|單位|部门|部門|机关|機關|区|區|县|縣|市|"
                             r"厅|廳|院|中心|署|处|處|站|所|馆|館|队|隊|会|會)\s*$")
_YEAR_AFTER = re.compile(r"\s*年")


def report_years(text: str, spans: list[Span]) -> list[Span]:
    """The spans with the chosen report year's untagged mentions added and other years' REPORT_YEAR
    spans removed (unchanged when no year is chosen)."""
    chosen = choose_year(text, spans)
    if chosen is None:
        return spans
    year = chosen[0]
    forms = {text[s.start:s.end] for s in spans
             if s.label == "REPORT_YEAR" and parse_year(text[s.start:s.end]) == year}
    # a header's 指2020年 the tagger read as a table cell is the year (guide: digits in a header are no cell)
    kept = [s for s in spans if not (s.label.startswith("T") and text[s.start:s.end] in forms
                                     and HEADER_YEAR_BEFORE.search(text[max(0, s.start - 8):s.start])
                                     and _YEAR_AFTER.match(text, s.end))]
    kept = [s for s in kept if s.label != "REPORT_YEAR" or parse_year(text[s.start:s.end]) == year]
    overlaps = overlap_test(kept)
    named = {s.end for s in kept if s.label == "AGENCY"}
    added: list[Span] = []
    for form in forms:
        for m in re.finditer(re.escape(form), text):
            span = Span(m.start(), m.end(), "REPORT_YEAR")
            after_name = _before_spaces(text, span.start) in named and _YEAR_AFTER.match(text, span.end)
            if (re.match(_D, text[span.start - 1:span.start] or " ")
                    or not (after_name or _states_year(text, span))
                    or overlaps(span) or _in_brackets(text, span) or span in added):
                continue
            added.append(span)
    return sorted(kept + added, key=span_order)


def _before_spaces(text: str, i: int) -> int:
    """Where the spaces right before ``i`` begin (no copy of the text before it: years recur in long texts)."""
    while i > 0 and text[i - 1] in " \u3000":
        i -= 1
    return i


def _states_year(text: str, s: Span) -> bool:
    before = text[max(0, s.start - 8):s.start]
    if _PERIOD_AFTER.match(text, s.end):
        return True
    if re.match(_D, text[s.end:s.end + 1]):
        return False  # a longer number
    if HEADER_YEAR_BEFORE.search(before):
        return True
    if (_CLAUSE_AFTER.match(text, s.end) or _CLAUSE_OPENS.match(text, s.end)) and _CLAUSE_BEFORE.search(before):
        return True
    if _TITLE_YEAR.match(text, s.end):  # 鸭南乡2021年政府信息公开工作年度报告: the report's own title
        return True
    return bool(_YEAR_AFTER.match(text, s.end) and _SUBJECT_BEFORE.search(before))


_NUMBER = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
_GAP = r"[ \t\u3000\n|]+"
_UNITS = "件个条项次人万元%％"  # a number followed by one is prose (行政许可 3 件), not a cell


@cache
def _row_cells(n: int) -> re.Pattern[str]:
    """After a row's label (and its note): exactly ``n`` numbers, each after a gap, then words or the end."""
    return re.compile(rf"[^\s|0-9０-９]*((?:{_GAP}{_NUMBER}){{{n}}})(?=$|{_GAP}(?:$|[^\s|0-9０-９./．{_UNITS}]))")


def unread_rows(text: str, spans: list[Span]) -> list[Span]:
    """The numbers of a table row the tagger left wholly untagged, when they are exactly its cells
    (module docstring); only where a table has tagged cells and the template is known."""
    labels = [s.label for s in spans]
    template = detect_template(text, labels, None)
    if template is None or not any(labelset.cell_path(label) for label in labels):
        return []
    rows = table_rows(spans, template)
    if all(r.spans for r in rows):
        return []
    locate_rows(text, rows)
    rows = sorted((r for r in rows if r.start is not None), key=lambda r: r.start)
    heads = sorted(s.start for s in spans if s.label.startswith("H."))
    taken = overlap_test(spans)
    out: list[Span] = []
    for k, row in enumerate(rows):
        if row.spans or row.after_label is None:
            continue
        end = min([len(text), *(r.start for r in rows[k + 1:k + 2]), *(h for h in heads if h >= row.after_label)])
        cells = _row_cells(len(row.paths)).match(text, row.after_label, end)
        if cells is None:
            continue
        at = cells.start(1)
        found = [Span(at + m.start(), at + m.end(), labelset.label_for_path(p))
                 for m, p in zip(re.finditer(_NUMBER, cells.group(1)), row.paths, strict=True)]
        gaps = re.split(_NUMBER, cells.group(1))
        if any(g.count("|") > 1 or g.count("\t") > 1 for g in gaps) or any(taken(f) for f in found):
            continue  # an empty cell among them, or a number already read as something else
        out += found
    return out
