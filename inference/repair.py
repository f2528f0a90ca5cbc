"""Repairs to the model's heading and entity spans before assembly.

A half-sure model cuts a span into fragments (一 / 、总体情况, 乐 / 县回澜镇人民政府) and tags heading
words where the prose merely names a section (报告主要包括：总体情况、主动公开…). So fragments of one
label within one sentence of one line are joined; then a heading must start like one (at the start of a
line, or after a space or a sentence end when a page ran it into one line), a one-character entity is
dropped (no entity is that short), and so is an agency name that does not end in the kind of body it
names (…政府, …局, …办公室: the name of a body always does). A date or year span is snapped to the whole
printed date or year it overlaps, and dropped where none is printed; a post with no named holder
beside it is no LEADER_TITLE; a year inside 《…》 (where another is tagged) or of a full date other than
the period's 1月1日 is no REPORT_YEAR; a name must open with a surname, a post end like one, a
document number hold digits (and its 号). Agency names (issue 15): a list of bodies joined by 、 is
none, 现将 is cut off, a name run one or two characters into the next words is cut back to its body's
end, and a short form ending in 区/县/街 (荔湾区, 棠景街) is kept unless it is a cut of a longer name; a
phone needs a phone's digits, a post never opens with its verb 任. Spliced pinyin (動(dòng)) belongs to the
character before it, so no span ends or starts inside one; a heading cut short runs on to the end of its
template title, and one tagged before an earlier section's heading is a sub-heading; a piece of a tagged
agency name takes the rest of that name printed around it; an address runs to its room or number
(these from the real dev split's errors, issue 15). Table cells are left alone: two
cells are often a character apart. Only the model's spans pass through here; gold spans are assembled as they are.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable
from functools import cache

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.document import Span, span_order
from govreport.core.entities import CharIndex, is_email, is_phone
from govreport.core.fold import fold
from govreport.core.rules import PINYIN, SENTENCE_ENDS, fold_traditional, printed_extent, strip_pinyin
from govreport.core.schema import SECTIONS
from govreport.inference.cellstatus import ROW_WORDS
from govreport.inference.template import detect_template

MAX_GAP = {"H": 4, "E": 2}  # characters between two fragments of one span (all on one line)
MIN_CHARS = {"H": 3, "E": 2}
_OPENERS = set("。；;！!？?：:\u3000 \t\n")
# Last character of the name of a body (simplified and traditional): 政府 局 室 处 署 委 会 厅 办 中心 馆 院 所 站 队 …
# (not 区/市: a tagged 荔湾区 may be a short form, but far more often it is a cut name, 圳市福田区…)
AGENCY_ENDS = set("府局室处處署委会會厅廳办辦心馆館院所站队隊部司镇鎮乡鄉道社)）")


def _kind(label: str) -> str | None:
    if label.startswith("H."):
        return "H"
    return "E" if label.isupper() else None


def _starts_like_heading(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\u3000":
        i -= 1
    return i < 0 or text[i] in _OPENERS or start - i > 1


_NUMBERING_CHARS = set("一二三四五六七八九十壹贰叁肆伍陆、.．()（）:： \t\u3000") | set("0123456789")


def _has_heading_words(text: str, s: Span) -> bool:
    """A heading holds words beyond its numbering: a lone (一) is a sub-heading's number (t03)."""
    return sum(ch not in _NUMBERING_CHARS for ch in text[s.start:s.end]) >= 2


def _with_numbering(text: str, s: Span) -> Span:
    """A heading span the model began at 、 gets back the numbering character it left untagged."""
    start = s.start
    if start > 0 and text[start] in "、.．" and text[start - 1] in "一二三四五六七八九十壹贰叁肆伍陆":
        start -= 1
    return Span(start, s.end, s.label) if start != s.start else s


_YEAR_CELL = re.compile(r"(?:19|20)\d\d")
HEADER_YEAR_BEFORE = re.compile(r"(?:指|本年\s*[(（])\s*$")  # a table header's year: 指2018年…, 本年(2023)…


def _header_year(text: str, s: Span) -> bool:
    """A table cell that is a year: a header's (指2018年事项数, 本年(2023)处理决定) or any number printed with
    its 年 (2019年): no count of the table."""
    if not _YEAR_CELL.fullmatch(unicodedata.normalize("NFKC", text[s.start:s.end]).strip()):
        return False
    return text[s.end:s.end + 1] == "年" or HEADER_YEAR_BEFORE.search(text, max(0, s.start - 6), s.start) is not None


# Table 1's rows, each by the item it belongs to in either template (a row belongs to one item)
_T1_ITEM = {row: item for t in ("2019", "2021") for item, rows in schema.t1_shape(t).items() for row in rows}
_T1_WORDS = re.compile("|".join(f"(?P<{row}>{ROW_WORDS[row]})" for row in _T1_ITEM))  # no word holds another
LABEL_REACH = 60  # characters before a number searched for its row's label (规范性文件 and its note)


def _t1_rows_by_label(text: str, cells: list[Span]) -> list[Span]:
    """A table-1 number whose row label stands right before it, as the only row label since the number
    before (行政处罚\n\n16\n\n行政强制\n\n15: the model gave 15 to 行政处罚 too), is that row's, its column kept;
    a gap naming two rows (a header printed across) decides nothing."""
    out, prev_end = [], 0
    for s in sorted(cells, key=span_order):
        gap_start, prev_end = max(prev_end, s.start - LABEL_REACH), s.end
        parts = s.label.split(".")
        if parts[0] != "T1" or len(parts) != 4:
            out.append(s)
            continue
        named = list(dict.fromkeys(m.lastgroup for m in _T1_WORDS.finditer(fold(text[gap_start:s.start]))))
        label = f"T1.{_T1_ITEM[named[0]]}.{named[0]}.{parts[3]}" if len(named) == 1 else s.label
        out.append(Span(s.start, s.end, label) if labelset.cell_path(label) and label != s.label else s)
    return out


def _only_columns(text: str, cells: list[Span]) -> list[Span]:
    """A table-1 number given a column its row does not print in the report's template (行政处罚's
    上一年项目数量 in a 2021 table, whose row has only 本年处理决定数量) is the row's one column, unless a number
    was given that one."""
    if not any(s.label.startswith("T1.") for s in cells):
        return cells
    template = detect_template(text, [s.label for s in cells], None)
    shape = schema.t1_shape(template)
    given = {s.label for s in cells}
    out = []
    for s in cells:
        parts = s.label.split(".")
        columns = shape.get(parts[1], {}).get(parts[2], []) if parts[0] == "T1" and len(parts) == 4 else []
        only = f"T1.{parts[1]}.{parts[2]}.{columns[0]}" if len(columns) == 1 and parts[3] != columns[0] else None
        out.append(Span(s.start, s.end, only) if only and only not in given else s)
    return out


def _printed_twice(text: str, a: Span, b: Span) -> bool:
    """Two fragments that print the same name of 3 or more characters (a signature line run into the
    title's line: 中埠镇人民政府 中埠镇人民政府) are two mentions, not one name."""
    return a.end - a.start >= 3 and text[a.start:a.end] == text[b.start:b.end]


def _join_fragments(text: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.label, s.start)):
        prev = merged[-1] if merged else None
        # spliced pinyin (機關(guān)主動) is no gap: the printed heading runs on across it (t32, issue 15)
        gap = strip_pinyin(text[prev.end:s.start]) if prev and s.start >= prev.end else ""
        if (prev and prev.label == s.label and 0 <= s.start - prev.end and len(gap) <= MAX_GAP[_kind(s.label) or "E"]
                and not set(SENTENCE_ENDS).intersection(gap)
                and not _printed_twice(text, prev, s)):
            merged[-1] = Span(prev.start, s.end, s.label)
        else:
            merged.append(s)
    return merged


def repair_spans(text: str, spans: list[Span]) -> list[Span]:
    repairable = [r for s in spans if _kind(s.label) and (r := _out_of_splices(text, s))]
    kept = []
    for s in _join_fragments(text, repairable):
        kind = _kind(s.label)
        if s.end - s.start < MIN_CHARS[kind]:
            continue
        if kind == "H":
            s = _to_heading_end(text, _with_numbering(text, s))
        if kind == "H" and (not _starts_like_heading(text, s.start) or not _has_heading_words(text, s)):
            continue
        if s.label == "AGENCY":
            s = _name_core(text, s)
            s = _agency_cut(text, s) if s else None
            s = whole_name(text, _office_word(text, s)) if s else None
            if s is None or is_generic_body(text[s.start:s.end]):
                continue
            s = _address_around(text, s) or s
        s = _snapped(text, _agency_name_part(text, s))
        if s is not None:
            kept.append(s)
    kept = _short_forms(text, _extended_to_names(text, kept))
    kept = [_to_address_end(text, s) for s in _headings_in_order(text, kept)]
    # a joined span may now cover a cell span that sat in its gap: cells win, they are checked by rules
    cells = _only_columns(text, _t1_rows_by_label(text, [s for s in spans if not _kind(s.label)
                                                          and not _header_year(text, s)]))
    overlaps = overlap_test(cells)
    kept = [s for s in kept if not overlaps(s)]
    kept = _without_overlaps(kept)  # two fragments snapped to one date are one span
    kept = [_with_hao(text, _post_only(text, s)) for s in kept]
    kept = _without_overlaps([e for s in kept if _plausible(text, s) and (e := _entity_extent(text, s))],
                             longest_first=True)
    kept = _titles_with_names(text, kept)
    kept = _years_outside_titles(text, kept)
    kept = [s for s in kept if s.label != "REPORT_YEAR" or not (_in_dated_day(text, s) or _in_doc_number(text, s))]
    kept = [s for s in kept if s.label != "PUBLISHED_DATE" or not _OTHER_DATE_LABEL.search(text, max(0, s.start - 8),
                                                                                             s.start)]
    return sorted(cells + kept, key=span_order)


# A body's short form printed as a name (荔湾区, 棠景街, 凤天县; guide: short forms count) ends in a place.
SHORT_FORM_ENDS = set("区區县縣街")
OVERHANG = 2  # characters the tagger ran an agency's name into the words after it (区卫健局高|度重视)
_AFTER_SHORT_FORM = re.compile(r"道|人民|政府|办|辦|委|局|黨|党|人大|政协|政協")


_SITE = re.compile(r"官网|官網|网站|網站|门户|門戶")
_LEAD_VERB = re.compile(r"特?向社会公[布开開]|社会公[布开開]|现公[布开開]|公[布开開]|特编制|编制|由")
VERB_REACH = 3  # characters of a verb phrase before the span that the span may begin inside (社|会公布)
_INNER_STOP = set("在为為对對向将將按以于於")


def _name_core(text: str, s: Span) -> Span | None:
    """The name inside an AGENCY span run into the words around it: never one holding 的 (县政府办的精心);
    without the verb before it (特向社会公布|建平县卫生健康局, 由|…), also when the span begins inside it
    (现公|开大冶市…, 向社|会公布龙口镇: a model thrown by a shifted window); cut before a preposition that
    follows a body's end (东湖街道办事处|在越城区…)."""
    if "的" in text[s.start:s.end]:
        return None
    start, end = s.start, s.end
    sites = list(_SITE.finditer(text, start, end))  # 遂溪县人民政府官网|乐民镇: the body after the website
    if sites and end - sites[-1].end() >= MIN_CHARS["E"]:
        start = sites[-1].end()
    for k in range(min(VERB_REACH, start), -1, -1):  # the verb phrase may begin before the span
        lead = _LEAD_VERB.match(text, start - k, end)
        if lead and lead.end() > start and end - lead.end() >= MIN_CHARS["E"]:
            start = lead.end()
            break
    for k in range(start + MIN_CHARS["E"], end):
        if text[k] in _INNER_STOP and _ends_like_body(strip_pinyin(text[start:k])):
            end = k
            break
    return Span(start, end, s.label) if (start, end) != (s.start, s.end) else s


def _agency_cut(text: str, s: Span) -> Span | None:
    """An AGENCY span as the name it can be (its ends judged by printed characters: a spliced
    認(rèn) is one, and its ``)`` no body's end): a list of bodies (国务院办公厅、省人民政府办公厅、…: 上级
    bodies) is none; 现将 is not part of the name after it; a name run one or two characters into the
    next words is cut back to the body's last character; a span ending in 区/县/街 stays for
    ``_short_forms`` to judge; None for any other end (a name always ends like a body)."""
    if "、" in text[s.start:s.end]:
        return None
    start, end = s.start, s.end
    if text[start] in "将將" and strip_pinyin(text[max(0, start - 8):start]).endswith(("现", "現")) \
            and end - start > MIN_CHARS["E"]:  # 現(xiàn)將龍崗區
        start += 1
    for cut in range(OVERHANG + 1):  # cut back by printed characters: 認(rèn) is one
        name = strip_pinyin(text[start:end])
        if len(name) < MIN_CHARS["E"]:
            break
        if _ends_like_body(name) or (cut == 0 and name[-1] in SHORT_FORM_ENDS):
            return _without_phrase_government(text, Span(start, end, s.label))
        end = _last_char_start(text, start, end)
    return None


def _office_word(text: str, s: Span) -> Span:
    """A name the tagger ended inside an office word: 建章路街道辦|事處 runs on to 辦事處; 宁强县自然资源局办|公室
    is the body before its office (请与…局办公室联系: the office is where to ask, the body reports)."""
    if text[s.end - 1:s.end] not in ("办", "辦"):
        return s
    if text[s.end:s.end + 2] in ("事处", "事處"):
        return Span(s.start, s.end + 2, s.label)
    if text[s.end:s.end + 2] == "公室" and _ends_like_body(strip_pinyin(text[s.start:s.end - 1])):
        return Span(s.start, s.end - 1, s.label)
    return s


def _ends_like_body(name: str) -> bool:
    """The last character of a body's name; 道 only as 街道 (龍翔大道, 铁山路 are addresses)."""
    return name[-1] in AGENCY_ENDS and (name[-1] != "道" or name.endswith("街道"))


_PHRASE_AFTER = re.compile(r"信息(?:公[开開]|[与與]政[务務]公[开開])")  # 政府信息公开, 政府信息与政务公开办公室


def _without_phrase_government(text: str, s: Span) -> Span | None:
    """深圳市龍崗區|政府信息公開辦公室: a name run into 政府信息公开 ends before its 政府 (人民政府 is a name's);
    None when what is left names no body (街道加强|政府信息…)."""
    name = text[s.start:s.end]
    if not (name.endswith("政府") and not name.endswith("人民政府") and _PHRASE_AFTER.match(text, s.end)):
        return s
    rest = fold_traditional(strip_pinyin(name[:-2]))
    if rest[-1:] in set("区县市镇乡省旗") or (rest and _ends_like_body(rest)):
        return Span(s.start, s.end - 2, s.label)
    return None


_SPLICE_AT_END = re.compile(f"(?:{PINYIN.pattern})$")


def _last_char_start(text: str, start: int, end: int) -> int:
    """Where the last printed character of ``text[start:end]`` begins, its spliced pinyin with it."""
    m = _SPLICE_AT_END.search(text, start, end)
    return (m.start() if m else end) - 1


def _out_of_splices(text: str, s: Span) -> Span | None:
    """Spliced pinyin belongs to the character before it: a span ending at or inside a splice
    (主動|(dòng), 主動(dò|ng)) runs to its close, one starting in it (現(xià|n)將龍崗區) starts after it,
    and a piece of pinyin alone (the tagger's dò) is None."""
    start, end = s.start, s.end
    for m in PINYIN.finditer(text, max(0, start - 8), min(len(text), end + 8)):
        if m.start() <= start < m.end():
            start = m.end()
        if m.start() <= end < m.end() and end > s.start:
            end = m.end()
    if end <= start:
        return None
    return Span(start, end, s.label) if (start, end) != (s.start, s.end) else s


def _to_heading_end(text: str, s: Span) -> Span:
    """A heading the tagger stopped short of (二、主動(dòng)|公開(kāi)政府信息情況, a half-sure model at a
    splice) runs to the end of its line when the rest of the line ends the section's template title."""
    section = SECTIONS.get(s.label[2:])
    line_end = text.find("\n", s.end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[s.end:line_end].rstrip()
    if section and rest and section.endswith(fold_traditional(strip_pinyin(rest))):
        return Span(s.start, s.end + len(rest), s.label)
    return s


_ORDER = {f"H.{k}": i for i, k in enumerate(SECTIONS)}


# A section's own numbering (一、 2. 第一部分), as against a sub-heading's ((一) 1) or none
_TOP_NUMBER = re.compile(r"\s*(?:[一二三四五六七八九十壹贰叁肆伍陆]+|\d{1,2})[、.．]|\s*第[一二三四五六七八九十]+部分")


def _headings_in_order(text: str, spans: list[Span]) -> list[Span]:
    """Sections follow the template's order: a heading tagged before the heading of an earlier section
    ((三)因政府信息… inside section 1, then 二、主动公开…) is a sub-heading's words, not the section's start.
    So is a heading right after one of its own section that has the section's numbering while it has
    none (一、总体情况 then (一) 概述, 二、主动公开… then 主动公开…统计). A report pasted twice starts
    again at its first section, which is no disorder."""
    heads = sorted((s for s in spans if s.label in _ORDER), key=span_order)
    wrong = {h for h, nxt in itertools.pairwise(heads)
             if _ORDER[nxt.label] < _ORDER[h.label] and _ORDER[nxt.label] > 0}
    wrong |= {nxt for h, nxt in itertools.pairwise(heads) if nxt.label == h.label
              and _TOP_NUMBER.match(text, h.start) and not _TOP_NUMBER.match(text, nxt.start)}
    return [s for s in spans if s not in wrong]


def _extended_to_names(text: str, spans: list[Span]) -> list[Span]:
    """An AGENCY span that is a piece of a longer tagged name (九镇 of 盐边县新九镇人民政府) takes as much
    of that name as is printed around it (新九镇): the tagger cut the piece, the body's name did not."""
    names = list({text[s.start:s.end] for s in spans if s.label == "AGENCY"})
    index = CharIndex(names)  # a piece is looked for only in the names holding all its characters
    holders = cache(lambda piece: [names[k] for k in index.holding_all(piece)])
    out = []
    for s in spans:
        piece = text[s.start:s.end]
        best = s
        for name in holders(piece) if s.label == "AGENCY" else ():
            i = name.find(piece)
            while len(piece) < len(name) and i >= 0:
                a, b, j, k = s.start, s.end, i, i + len(piece)
                while j > 0 and a > 0 and text[a - 1] == name[j - 1]:
                    a, j = a - 1, j - 1
                while k < len(name) and b < len(text) and text[b] == name[k]:
                    b, k = b + 1, k + 1
                if b - a > best.end - best.start:
                    best = Span(a, b, s.label)
                i = name.find(piece, i + 1)
        out.append(best)
    return _without_overlaps(out)


# An address runs to its room, number or floor (…行政服務(wù)大|廳231室: the tagger stopped a word early).
_ADDRESS_END = re.compile(r"[^\s;；,，。:：()（）、]{1,6}?[室号號楼樓层層座]")


def _to_address_end(text: str, s: Span) -> Span:
    if s.label != "ADDRESS" or text[s.end - 1] in "室号號楼樓层層座":
        return s
    m = _ADDRESS_END.match(text, s.end)
    return Span(s.start, m.end(), s.label) if m else s


# A body named by kind alone (政府, 市委, 县委县政府, 办公室, 乡镇): generic words, no name (guide: a bare 区政府
# is none). An office with its government (区政府办公室) is a short form of a body, as 区发改局 is.
_GENERIC_BODY = re.compile(r"(?:[省市县区镇乡]?(?:人民政府|政府|党委|委))+|[省市县区镇乡]?(?:街道办事处|街道办|街道)"
                           r"|办公室|办|管委会|管理委员会|乡镇|镇街|街镇|政办|(?:政务|服务)?大厅"
                           r"|(?:有关|相关|关|各)?(?:处室|科室|部门|单位)")  # 由专人负责协调有|关处室


def is_generic_body(name: str) -> bool:
    return _GENERIC_BODY.fullmatch(fold_traditional(strip_pinyin(name))) is not None


# Characters that open the words before a name, never a name: 在/对/将/由… 某镇.
NOT_NAME_HEAD = set("度在对對向将將由经經为為从從把被给給据據按和与與及或等了的是于於以其该該本我各全并並"
                    "也都就又还還再已要会會应應同现現")
_TITLE_AFTER = re.compile(r"\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年度?\s*(?:政府|政务|政務)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LINE_END = re.compile(r"\s*?(?:\n|$)")  # only spaces left on the line
_VERBS = r"公[布开開]|编制|編制|由|请与|請與"
_LAST_VERB = re.compile(rf"(?:{_VERBS})(?!.*(?:{_VERBS}))")
_UNIT_WORDS = set("省市区區县縣镇鎮乡鄉街")
PLACE_HEAD = 4  # the longest piece of a name a verb leaves before the span (荷塘|区, 广州市荔|湾区, 建章|路街道)
HEAD_REACH = 12  # the longest head a title line gives back (大连长兴岛经济技术开发|区长兴岛街道: 11)


def _with_head(text: str, s: Span) -> Span:
    """An agency name the tagger began a character late (七|里坪镇, 中|村乡: a model unsure of an unknown
    place's first character) gets it back when that character opens the clause (after a line start,
    punctuation or the year's 年) and is no word of its own (在, 将, 我 …); in a title line
    (某某区某某街道2022年政府信息公开…) or a line holding the name alone the name runs from the line's start."""
    line_start = text.rfind("\n", 0, s.start) + 1
    i = s.start
    floor = max(line_start, s.start - HEAD_REACH - 1)  # a longer head is never taken: no walk over a long line
    while i > floor and _CJK.match(text[i - 1]) and not (text[i - 1] == "年" and text[i - 2:i - 1].isdigit()):
        i -= 1
    head = text[i:s.start]
    verb = _LAST_VERB.search(head)
    if verb and 0 < len(head) - verb.end() <= PLACE_HEAD:
        # 现公布荷塘|区桂花街道办事处, 特编制湛|江市…, 由建章|路街道辦事處: the name runs from the verb
        rest = head[verb.end():]  # a place name opens with neither a function word nor a unit (由镇|党政办)
        return s if rest[0] in NOT_NAME_HEAD or rest[0] in _UNIT_WORDS else Span(s.start - len(rest), s.end, s.label)
    if not head or head[0] in NOT_NAME_HEAD:
        return s
    alone = _LINE_END.match(text, s.end) is not None
    if len(head) == 1 or (i == line_start and len(head) <= HEAD_REACH and (alone or _TITLE_AFTER.match(text, s.end))):
        return Span(i, s.end, s.label)
    return s


def whole_name(text: str, s: Span) -> Span:
    """An agency span with the head and the body the tagger left off (the same for a tagged name and for
    a mention copied from it: a copy of a cut name is cut too)."""
    return _with_body(text, _with_head(text, s))


_BODY_AFTER = re.compile(r"人民政府|政府|街道办事处|办事处|辦事處")
_NOT_AFTER_BODY = re.compile(r"\s*(?:办公室|辦公室|信息公[开開]|门户|門戶|网站|網站)")


def _with_body(text: str, s: Span) -> Span:
    """A town's name the tagger stopped before its government (鸭南乡乡|人民政府在…) runs on over it; not
    into the office that compiled the report (…人民政府|办公室) nor the phrase 政府信息公开."""
    name = fold_traditional(strip_pinyin(text[s.start:s.end]))
    body = _BODY_AFTER.match(text, s.end)
    if body and name[-1:] in "镇乡区县市道街" and not _NOT_AFTER_BODY.match(text, body.end()):
        return Span(s.start, body.end(), s.label)
    return s


def _short_forms(text: str, spans: list[Span]) -> list[Span]:
    """An AGENCY span ending in 区/县/街 is a short form of the body only when it is no cut of a longer
    name: three characters at least, not followed by what continues a name (荔湾区|人民政府, 底张街|道,
    区委) and not begun inside a longer tagged name (深|圳市福田区 when 深圳市福田区… is tagged)."""
    names = [fold_traditional(strip_pinyin(text[s.start:s.end])) for s in spans if s.label == "AGENCY"]
    out = []
    for s in spans:
        if s.label == "AGENCY" and text[s.end - 1] in SHORT_FORM_ENDS:
            name = fold_traditional(strip_pinyin(text[s.start:s.end]))
            before = fold_traditional(text[s.start - 1:s.start]) if s.start > 0 else ""
            continued = _AFTER_SHORT_FORM.match(fold_traditional(text[s.end:s.end + 2])) and not (
                text[s.end:s.end + 2] == "政府" and _PHRASE_AFTER.match(text, s.end + 2))  # 龍崗區|政府信息公開
            if (len(name) < 3 or continued
                    or (before.strip() and any(before + name in n for n in names if n != name))):
                continue
        out.append(s)
    return out


_SNAP = {"PUBLISHED_DATE": "date", "REPORT_YEAR": "year"}
# A town's 党政办(公室) compiles its government's report: only the name before it is the body (guide).
_LEAD_JUNK = re.compile(r"[^\u4e00-\u9fff]*[\u4e00-\u9fff]?[(（](?=[\u4e00-\u9fff])")
_PARTY_OFFICE = re.compile(r"(黨政|党政)(辦公室|办公室|辦|办)$")


def _agency_name_part(text: str, s: Span) -> Span:
    """The name part of an AGENCY span: after a page-line label run into it (来源:川主乡: a name holds
    no colon) or an opening bracket it began before, and before a town's 党政办公室 (某镇人民政府党政办公室
    names the town's government)."""
    if s.label != "AGENCY":
        return s
    start, end = s.start, s.end
    name = text[start:end]
    colon = max(name.rfind(":"), name.rfind("："))
    if colon >= 0:
        start += colon + 1
        while start < end and text[start].isspace():
            start += 1
    lead = _LEAD_JUNK.match(text, start, end)
    if lead:  # 聯(lián)系(柞水縣…: the tagger began inside the words before a bracket
        start = lead.end()
    office = _PARTY_OFFICE.search(text[start:end])
    if office and office.start() >= 2:
        end = start + office.start()
    return Span(start, end, s.label) if end - start >= MIN_CHARS["E"] else s


def _snapped(text: str, s: Span) -> Span | None:
    """A date or year span covers the whole printed date or year it overlaps, and nothing else (the
    tagger cuts 2021年1月19日 to 1月19, or runs 2022-01-21 into the clock time 17:48); None when no
    date or year is printed there (231 of an address tagged as a date)."""
    kind = _SNAP.get(s.label)
    if kind is None:
        return s
    extent = printed_extent(text, s.start, s.end, kind)
    return Span(extent[0], extent[1], s.label) if extent else None


def _in_document_title(text: str, s: Span) -> bool:
    """Inside 《…》 on one line: the year of a document's name (《2020年政务公开工作要点》), never the
    year the report covers (guide: not even the report's own quoted title)."""
    line_start = text.rfind("\n", 0, s.start) + 1
    line_end = text.find("\n", s.end)
    before = text[line_start:s.start]
    after = text[s.end:line_end if line_end >= 0 else len(text)]
    opened = before.rfind("《") > before.rfind("》")
    return opened and after.find("》") >= 0 and (after.find("《") < 0 or after.find("》") < after.find("《"))


def _years_outside_titles(text: str, spans: list[Span]) -> list[Span]:
    """The REPORT_YEAR spans inside 《…》 go, unless no other is left (then the record still gets a year
    from the report's own quoted title)."""
    quoted = {s for s in spans if s.label == "REPORT_YEAR" and _in_document_title(text, s)}
    if not any(s.label == "REPORT_YEAR" and s not in quoted for s in spans):
        return spans
    return [s for s in spans if s not in quoted]


_DOC_NUMBER_REST = re.compile(r"[〕\]】)）]\s*\d+\s*[号號]")


def _in_doc_number(text: str, s: Span) -> bool:
    """The year in a document number's brackets (国办发[2020]17号) is that document's, no REPORT_YEAR."""
    return text[s.start - 1:s.start] in tuple("〔[【(（") and _DOC_NUMBER_REST.match(text, s.end) is not None


# a page line's date that is not the publication's (更新日期:2021-01-20, 打印时间): spec, published
_OTHER_DATE_LABEL = re.compile(r"(?:更新|打印|访问|訪問|浏览|瀏覽)(?:日期|时间|時間)\s*[:：]?\s*$")
_PERIOD_START = re.compile(r"\s*年\s*[0０]?[1１]\s*月\s*[0０]?[1１]\s*日")  # full-width digits too


def _in_dated_day(text: str, s: Span) -> bool:
    """The year of a full date (a signature's 2022年1月11日, 截至2021年12月31日) is no REPORT_YEAR; the
    statistics period's start (2021年1月1日) is (guide)."""
    date = printed_extent(text, s.start, s.end, "date")
    return date is not None and date != (s.start, s.end) and not _PERIOD_START.match(text, s.end)


TITLE_REACH = 6  # characters between a post and its holder's name (刘美玲兼任办公室主任: 2)
# A post's last character (镇长, 主任, 书记, 委员, 调研员, 秘书长, 主席, 总经理): 镇党政办 or a cut 办公室主 is none
_POST_ENDS = set("长任记员官师席理")
# The common Chinese surnames (the first character of every official's name in these reports; compound
# ones begin with one of these too): 拉堡 of 设立在拉堡镇 or 明确 is no person's name.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱覃武戴孔严莫"
    "向常汤康易乔赖文施洪牛樊葛邢安齐伍庞颜倪温芦俞章鲁葛翟殷聂柴包甘尚祝左舒阎单焦耿季谷盛童柳欧司"
    "上诸东西申屈岳时兰关辛纪霍卜宁柏蓝饶鲍华骆贝艾路梅项景席苗房裴巫池褚管祁仇应卓滕蒙詹符阮宫郎凌"
    "荣麦邬苟解桂车涂计晏查冉幸官强全刁储连鞠邰谈宗宣曲胥沙麻厉娄寇喻古乐党钮姬牟尤茅虞裘冷戚米鄢诸"
    "旷晋岑粟邝虎都仲佟"
)


def _titles_with_names(text: str, spans: list[Span]) -> list[Span]:
    """A post is a LEADER_TITLE only beside a named holder (guide: 镇长 alone is not tagged; nor is
    书记 of 习近平总书记 when no name of the body's leaders is tagged), on the same line."""
    names = [s for s in spans if s.label == "LEADER_NAME"]

    def held(t: Span) -> bool:
        return any((0 <= n.start - t.end <= TITLE_REACH and "\n" not in text[t.end:n.start])
                   or (0 <= t.start - n.end <= TITLE_REACH and "\n" not in text[n.end:t.start]) for n in names)

    return [s for s in spans if s.label != "LEADER_TITLE" or held(s)]


_COUNT_BEFORE = re.compile(r"[0-9０-９万萬千百十]$")
_NUMBER_CODE_AFTER = re.compile(r"[函发發字]?\s*[〔\[【(（]\s*\d{4}")


def _plausible(text: str, s: Span) -> bool:
    """A person's name opens with a surname and follows no count; a post ends like one; a document
    number holds digits; an agency is no issuer's code inside a document number."""
    value = fold_traditional(strip_pinyin(text[s.start:s.end]))
    if s.label == "LEADER_NAME":  # 1.7万|余张 (余 is a surname too): a count, not a name
        return value[:1] in SURNAMES and not _COUNT_BEFORE.search(text, max(0, s.start - 1), s.start)
    if s.label == "AGENCY":  # 海府办〔2018〕64号, 国办公开办函〔2021〕30号: an issuer's code in a document number
        return len(value) >= MIN_CHARS["E"] and not _NUMBER_CODE_AFTER.match(text, s.end)
    if s.label == "LEADER_TITLE":
        return value[-1:] in _POST_ENDS
    if s.label == "PHONE":
        return is_phone(value)
    if s.label == "POSTCODE":  # 0|451|-55843017: three digits of a phone number
        return value.isdigit() and len(value) == 6
    if s.label == "DOC_NUMBER":  # 国务院令第711号, 国办发〔2019〕60号: a number of a document, not 365 of spam
        return any(ch.isdigit() for ch in value) and ("号" in value or "號" in value)
    return True


def _post_only(text: str, s: Span) -> Span:
    """A post the tagger began at the verb before it (同志任|副主任: 任 = serves as; no post opens with 任)."""
    if s.label == "LEADER_TITLE" and text[s.start] == "任" and s.end - s.start > MIN_CHARS["E"]:
        return Span(s.start + 1, s.end, s.label)
    return s


def _with_hao(text: str, s: Span) -> Span:
    """A document number the tagger ended before its 号 (国办发[2020]17) gets it back."""
    if s.label == "DOC_NUMBER" and text[s.end - 1] not in "号號" and text[s.end:s.end + 1] in ("号", "號"):
        return Span(s.start, s.end + 1, s.label)
    return s


_OPEN, _CLOSE = "(（[【《", ")）]】》"
_URL_REST = re.compile(r"[A-Za-z0-9/_\-?=&%#~]+(?:\.[A-Za-z0-9/_\-?=&%#~]+)*")
_ISSUER = re.compile(r"[\u4e00-\u9fff]{1,10}$")


def _entity_extent(text: str, s: Span) -> Span | None:
    """Entity edges the tagger misplaced around brackets and labels (seen on the train split with a
    model that had not learnt them): see ``_doc_number_edges``, ``_url_edges``, ``_email_edges``; an
    "address" of six digits is the postcode, of other digits nothing."""
    value = text[s.start:s.end]
    if s.label == "ADDRESS" and value.isdigit():
        return Span(s.start, s.end, "POSTCODE") if len(value) == 6 else None
    if s.label == "ADDRESS" and (label := _ADDRESS_LABEL.search(text, max(0, s.start - 30), s.start)):
        return Span(label.end(), s.end, s.label)  # 地址:微山县两城镇人民政府驻地府|前路1号: from the label on
    edges = {"DOC_NUMBER": _doc_number_edges, "URL": _url_edges, "EMAIL": _email_edges}.get(s.label)
    start, end = edges(text, s.start, s.end) if edges else (s.start, s.end)
    return Span(start, end, s.label) if end - start >= MIN_CHARS["E"] else None


def _doc_number_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """A document number begun after its issuer (国务院|令第711号) gets it back; an unmatched bracket at
    either end goes ((国办公开办函〔2021〕30号, 〔201864号))."""
    value = text[start:end]
    if value[0] in _OPEN and not any(c in value for c in _CLOSE):
        start += 1
    if value[-1] in _CLOSE and not any(c in value for c in _OPEN):
        end -= 1
    # begun after its issuer: 国务院|令第711号, 国办发|[2020]17号
    begun = text[start] in "令第" or (text[start] in "〔[【" and text[start + 1:start + 2].isdigit())
    issuer = _ISSUER.search(text, max(0, start - 10), start) if begun else None
    if issuer and (issuer.start() == 0 or not _CJK.match(text[issuer.start() - 1])):
        start = issuer.start()
    return start, end


# where an address ends: punctuation, a line end, the next label (…铁山路37号邮编:255000)
_CLAUSE_END = re.compile(r"[,，;；。)）:：\n]|邮编|郵編|电话|電話|传真|傳真|邮箱|郵箱")


def _address_around(text: str, s: Span) -> Span | None:
    """The address an AGENCY span is the place name of (地址:深圳市龍崗區|龍翔大道…大廳231室, 地址:汉源街道办|
    羌州北路…二楼): from the label to the clause's end, when the address runs on past the name; None when
    the span is no such piece (地址:五常市民意乡人民政府, is the body's own name, a mention)."""
    label = _ADDRESS_LABEL.search(text, max(0, s.start - 40), s.start)
    if label is None:
        return None
    end_at = next((m.start() for m in _CLAUSE_END.finditer(text, s.end)  # not a splice's (wù)
                   if not _SPLICE_AT_END.search(text, max(0, m.end() - 12), m.end())), len(text))
    return Span(label.end(), end_at, "ADDRESS") if text[s.end:end_at].strip() else None


_ADDRESS_LABEL = re.compile(r"地址\s*[:：]\s*(?=[^,，;；。()（）\n]*$)")
_EMAIL_CHAR = re.compile(r"[A-Za-z0-9._%+\-]")


def _email_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """An address to its whole local part (ZBZRMZF|@163.com); none at all when it is no address."""
    while start > 0 and _EMAIL_CHAR.match(text[start - 1]):
        start -= 1
    return (start, end) if is_email(text[start:end]) else (start, start)


def _url_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """A URL without the colon or bracket before it and the punctuation after it, to its last character
    (www.panzhihua.gov.c|n)."""
    while start < end and not text[start].isalnum():
        start += 1
    if m := _URL_REST.match(text, end):
        end = m.end()
    while end > start and text[end - 1] in ".。,，;；:：)）]】》":
        end -= 1
    return start, end


def _without_overlaps(spans: list[Span], longest_first: bool = False) -> list[Span]:
    """The spans in order, each dropped that overlaps one kept before it (of two starting together,
    the longer first with ``longest_first``: an address run back to its label over a name inside it)."""
    out: list[Span] = []
    end = -1  # the furthest end of the spans kept so far
    for s in sorted(spans, key=(lambda s: (s.start, -s.end, s.label)) if longest_first else None):
        if s.start >= end:
            out.append(s)
            end = max(end, s.end)
    return out


def overlap_test(spans: list[Span]) -> Callable[[Span], bool]:
    """``overlaps(s)``: does any of ``spans`` overlap ``s``? A bisection over the spans sorted by start
    with the running maximum of their ends (a long text has hundreds of thousands of cells: a scan of
    all of them per span was quadratic)."""
    ordered = sorted(spans, key=lambda c: c.start)
    starts = [c.start for c in ordered]
    max_end = list(itertools.accumulate((c.end for c in ordered), max))

    def overlaps(s: Span) -> bool:
        k = bisect.bisect_left(starts, s.end)  # the spans starting before s ends
        return k > 0 and max_end[k - 1] > s.start

    return overlaps
