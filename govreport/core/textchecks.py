"""Text-vs-table checks: the numbers the prose restates, compared with the table cells they restate.

Reports repeat their tables in words (本年度共收到政府信息公开申请31件，办结28件). Each statement is read
from the document's whole text (prose before the first heading or under a repeated heading restates
numbers too), folded (simplified characters, full-width digits, spliced pinyin removed), inside one
sentence (split at 。；; and line breaks) holding no cell mark (``|`` or tab), as a number followed by
its unit (件 条 份 次 宗 起 个 项) or as a negation (未/没有 … = 0). Patterns -> the cell compared:

- received: 收到/接收/接到/受理/新收 … 申请 … N件 (共收到政府信息公开申请31件, 收到依申请公开信息3条),
  收到N份…申请, 未/没有收到 … 申请 (0) -> ``requests.new_received.total``;
- carried over: 上年(度)结转 … N件 -> ``requests.carried_over.total``;
- closed: 办结 … N件 -> ``requests.total_processed.total``;
- carried forward: 结转下(一)年(度)(继续办理) N件, 结转<next year>年N件, 顺延至下一年 … N件,
  无下年度结转 (0) -> ``requests.carried_forward.total``;
- review: 行政复议 N件 (案件/申请/共/计 may stand between), 没有/未发生 … 行政复议 (0)
  -> ``review_litigation.review.total``;
- litigation: 行政诉讼 N件, 没有/未发生 … 行政诉讼 (0) -> the sum of
  ``review_litigation.litigation_direct.total`` and ``litigation_after_review.total``;
- normative documents: 制发/制定/制作/出台/印发 … 规范性文件 N件 (or N件规范性文件)
  -> ``proactive.art20_1.normative_documents.issued`` (2021), ``.new_made`` (2019).

`主动公开政府信息X条` is not compared: no table cell counts everything published proactively.
A received statement whose words name another kind of request (行政许可申请, 复议, 诉讼, 信访, 举报,
投诉, 咨询, 建议, 提案, 留言: 部门信箱收到群众咨询3条 is no application) is not one. A statement in a
sentence that names another year before it (2019年… in a 2020 report) is not compared, nor one
naming any year when the report year is unknown; a carried-forward statement naming a year
(结转2024年1件) is compared only when that year follows the report year.

Each statement becomes one check ``{"kind": "text", "where", "text", "expected", "found", "ok"}``:
``expected`` is the number the text states, ``found`` the table's; ``ok`` is None (skipped) when
either is null. The identity checks (govreport.core.checks) are separate entries with ``identity``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from govreport.core import schema
from govreport.core.fold import fold
from govreport.core.numbers import parse_number

Check = dict[str, Any]

_NUM = r"(?P<n>\d+|[零〇一二两三四五六七八九十百千]+)\s?(?:件|条|份|次|宗|起|个|项)"
_FILL = r"(?:案件|案|申请|共计|共|计|为|的|数量|总数|是|合计|\s)*"
_NOT_CLAUSE = r"[^,，。;；:：\d]"  # filler that stays inside one clause and before any number

LITIGATION = "review_litigation.litigation_direct.total+review_litigation.litigation_after_review.total"


def _normative_path(template: str | None) -> str | None:
    col = {"2019": "new_made", "2021": "issued"}.get(template or "")
    return f"proactive.art20_1.normative_documents.{col}" if col else None


@dataclass(frozen=True)
class Rule:
    name: str
    where: str  # a cell path, LITIGATION, or "normative" (depends on the template)
    pattern: re.Pattern[str]
    zero: bool = False  # a negation: the statement says 0
    reject: re.Pattern[str] | None = None  # words that make the match about something else


def _r(p: str) -> re.Pattern[str]:
    return re.compile(p)


_OTHER_REQUESTS = _r(r"许可|复议|诉讼|信访|举报|投诉|咨询|建议|提案|留言")


RULES: tuple[Rule, ...] = (
    Rule("received", "requests.new_received.total",
         _r(r"(?:收到|接收|接到|受理|新收)" + _NOT_CLAUSE + r"{0,20}?申请" + _NOT_CLAUSE + r"{0,8}?" + _NUM),
         reject=_OTHER_REQUESTS),
    Rule("received", "requests.new_received.total",
         _r(r"(?:收到|接收|接到|受理)" + r"(?P<n>\d+|[零〇一二两三四五六七八九十百千]+)\s?(?:件|份|条|个)"
            + _NOT_CLAUSE + r"{0,12}?申请"), reject=_OTHER_REQUESTS),
    Rule("received", "requests.new_received.total",
         _r(r"(?:未|没有)(?:收到|接到|接收|受理)" + _NOT_CLAUSE + r"{0,15}?申请"), zero=True, reject=_OTHER_REQUESTS),
    Rule("carried_over", "requests.carried_over.total",
         _r(r"上一?年度?结转" + _NOT_CLAUSE + r"{0,15}?" + _NUM)),
    Rule("closed", "requests.total_processed.total", _r(r"办结" + _NOT_CLAUSE + r"{0,12}?" + _NUM)),
    Rule("carried_forward", "requests.carried_forward.total",
         _r(r"(?:结转(?:至|到)?(?:下一?年度?|(?P<y>\d{4})年度?)|顺延至下一?年度?)" + _NOT_CLAUSE + r"{0,8}?"
            + _NUM)),
    Rule("carried_forward", "requests.carried_forward.total",
         _r(r"(?:无|没有)(?:下一?年度?结转|结转(?:至|到)?下一?年度?)"), zero=True),
    Rule("review", "review_litigation.review.total", _r(r"行政复议" + _FILL + _NUM)),
    Rule("litigation", LITIGATION, _r(r"行政诉讼" + _FILL + _NUM)),
    Rule("review", "review_litigation.review.total",
         _r(r"(?:没有|未发生|未出现|未有|无)[^,，。;；:：\d]{0,20}?行政复议"), zero=True),
    Rule("litigation", LITIGATION,
         _r(r"(?:没有|未发生|未出现|未有|无)" + r"[^,，。;；:：\d]{0,25}?行政诉讼"), zero=True),
    Rule("normative", "normative",
         _r(r"(?:制发|制定|制作|出台|印发)" + _NOT_CLAUSE + r"{0,6}?规范性文件" + _FILL + _NUM)),
    Rule("normative", "normative",
         _r(r"(?:制发|制定|制作|出台|印发)" + r"(?:了)?(?P<n>\d+|[零〇一二两三四五六七八九十百千]+)\s?(?:件|份|个)"
            + r"(?:行政)?规范性文件")),
)

_SENTENCE = re.compile(r"[^。;；\n]+")
_YEAR = re.compile(r"(\d{4})\s?年")


@dataclass(frozen=True)
class Statement:
    where: str
    text: str  # the sentence piece that states it (folded)
    value: int | float


def _other_year(sentence: str, start: int, report_year: int | None) -> bool:
    """Does the sentence name a year other than the report's before the statement?"""
    years = [int(m.group(1)) for m in _YEAR.finditer(sentence[:start])]
    if not years:
        return False
    return report_year is None or years[-1] != report_year


def _value_stated(rule: Rule, m: re.Match[str], sentence: str, report_year: int | None) -> int | float | None:
    """The value a rule's match states about the report's year; None when the match is rejected, is
    about another year (one named before it, or a named year that is not the next), or reads no number."""
    if rule.reject is not None and rule.reject.search(m.group()):
        return None
    if _other_year(sentence, m.start(), report_year):
        return None
    named = m.groupdict().get("y")
    if named and (report_year is None or int(named) != report_year + 1):
        return None
    return 0 if rule.zero else parse_number(m.group("n"))


def _sentence_statements(sentence: str, template: str | None,
                         report_year: int | None) -> list[tuple[int, Statement]]:
    """The statements of one (folded) sentence with their offsets in it; of overlapping matches about
    the same cell, the first rule's."""
    out: list[tuple[int, Statement]] = []
    taken: list[tuple[int, int, str]] = []
    for rule in RULES:
        where = _normative_path(template) if rule.where == "normative" else rule.where
        if where is None:
            continue
        for m in rule.pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() and w == where for s, e, w in taken):
                continue
            value = _value_stated(rule, m, sentence, report_year)
            if value is None:
                continue
            taken.append((m.start(), m.end(), where))
            out.append((m.start(), Statement(where, m.group().strip(), value)))
    return out


def statements(text: str, template: str | None, report_year: int | None) -> list[Statement]:
    """Every statement of the table RULES in ``text``, in text order (one per rule match; matches of two
    rules about the same cell that overlap are kept once, by the first rule)."""
    out: list[tuple[int, Statement]] = []
    for sm in _SENTENCE.finditer(fold(text or "")):
        sentence = sm.group()
        if "|" in sentence or "\t" in sentence:
            continue
        out += [(sm.start() + at, st) for at, st in _sentence_statements(sentence, template, report_year)]
    return [s for _, s in sorted(out, key=lambda p: p[0])]


def _found(record: dict[str, Any], where: str) -> Any:
    values = [schema.get_path(record, p) for p in where.split("+")]
    if any(v is None for v in values):
        return None
    return sum(values)


def text_checks(record: dict[str, Any], text: str) -> list[Check]:
    """One check per distinct statement in ``text`` (the document the record was read from), against
    the record's cells (see the module docstring)."""
    year = record.get("report_year")
    year = year if isinstance(year, int) and not isinstance(year, bool) else None
    checks: list[Check] = []
    for st in statements(text if isinstance(text, str) else "", record.get("template"), year):
        found = _found(record, st.where)
        ok = None if found is None else abs(found - st.value) < 1e-9
        entry = {"kind": "text", "where": st.where, "text": st.text, "expected": st.value,
                 "found": found, "ok": ok}
        if entry not in checks:  # a report pasted twice states everything twice
            checks.append(entry)
    return checks
