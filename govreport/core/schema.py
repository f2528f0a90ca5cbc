"""The record of ../shared/spec/annual-report.md, written down once.

Everything else (labels, generator, assembler, evaluator, tests) derives its keys from here.
The Chinese strings are the canonical (simplified) wording of the template; generators vary
them, parsers must not depend on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TEMPLATES: tuple[str, ...] = ("2019", "2021")


def template_for_year(year: int | None) -> str | None:
    """The template in force for a report year (2019-2020 -> 2019, 2021 on -> 2021)."""
    if year is None:
        return None
    if year < 2019:
        return None
    return "2019" if year <= 2020 else "2021"


# --- the six sections -----------------------------------------------------------------------
SECTIONS: dict[str, str] = {
    "overview": "总体情况",
    "proactive": "主动公开政府信息情况",
    "requests": "收到和处理政府信息公开申请情况",
    "review_litigation": "政府信息公开行政复议、行政诉讼情况",
    "problems": "存在的主要问题及改进情况",
    "other": "其他需要报告的事项",
}

# --- table 1: proactive disclosure, per template -> item -> (rows, columns) -------------------
T1_ITEM_TITLES: dict[str, str] = {
    "art20_1": "第二十条第（一）项",
    "art20_5": "第二十条第（五）项",
    "art20_6": "第二十条第（六）项",
    "art20_8": "第二十条第（八）项",
    "art20_9": "第二十条第（九）项",
}

_T1_5_6_COLS_2019 = {"previous_count": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量"}

T1: dict[str, dict[str, dict[str, dict[str, str]]]] = {
    "2019": {
        "art20_1": {
            "rows": {"rules": "规章", "normative_documents": "规范性文件"},
            "cols": {"new_made": "本年新制作数量", "new_published": "本年新公开数量",
                     "total_published": "对外公开总数量"},
        },
        "art20_5": {
            "rows": {"administrative_license": "行政许可", "other_external_services": "其他对外管理服务事项"},
            "cols": dict(_T1_5_6_COLS_2019),
        },
        "art20_6": {
            "rows": {"administrative_penalty": "行政处罚", "administrative_coercion": "行政强制"},
            "cols": dict(_T1_5_6_COLS_2019),
        },
        "art20_8": {
            "rows": {"administrative_fees": "行政事业性收费"},
            "cols": {"previous_count": "上一年项目数量", "change": "本年增/减"},
        },
        "art20_9": {
            "rows": {"centralized_procurement": "政府集中采购"},
            "cols": {"project_count": "采购项目数量", "total_amount": "采购总金额"},
        },
    },
    "2021": {
        "art20_1": {
            "rows": {"rules": "规章", "normative_documents": "行政规范性文件"},
            "cols": {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数"},
        },
        "art20_5": {
            "rows": {"administrative_license": "行政许可"},
            "cols": {"decisions": "本年处理决定数量"},
        },
        "art20_6": {
            "rows": {"administrative_penalty": "行政处罚", "administrative_coercion": "行政强制"},
            "cols": {"decisions": "本年处理决定数量"},
        },
        "art20_8": {
            "rows": {"administrative_fees": "行政事业性收费"},
            "cols": {"amount": "本年收费金额"},
        },
    },
}

# Money cells: their value is a number, their unit (元 / 万元) is read from the cell or its header
# and reported in the record's `amounts` list with the cell's path.
MONEY_CELLS: dict[str, tuple[str, str, str]] = {
    "2019": ("art20_9", "centralized_procurement", "total_amount"),
    "2021": ("art20_8", "administrative_fees", "amount"),
}
DEFAULT_MONEY_UNIT: dict[str, str | None] = {"2019": None, "2021": "万元"}

# --- table 2: requests ------------------------------------------------------------------------
T2_COLUMNS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
T2_APPLICANT_COLUMNS: tuple[str, ...] = tuple(c for c in T2_COLUMNS if c != "total")

_T2_HEAD = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "1.属于国家秘密",
    "denied_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied_security_stability": "3.危及“三安全一稳定”",
    "denied_third_party": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_info": "6.属于四类过程性信息",
    "denied_enforcement_files": "7.属于行政执法案卷",
    "denied_admin_query": "8.属于行政查询事项",
    "unable_not_held": "1.本机关不掌握相关政府信息",
    "unable_needs_creation": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确",
    "not_processed_petition": "1.信访举报投诉类申请",
    "not_processed_repeated": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物",
    "not_processed_excessive": "4.无正当理由大量反复申请",
    "not_processed_confirmation": "5.要求行政机关确认或重新出具已获取信息",
}
_T2_TAIL = {
    "total_processed": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
T2_OTHER_ROWS: dict[str, dict[str, str]] = {
    "2019": {"other_handling": "（六）其他处理"},
    "2021": {
        "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other_misc": "3.其他",
    },
}
T2_ROWS: dict[str, dict[str, str]] = {
    t: {**_T2_HEAD, **T2_OTHER_ROWS[t], **_T2_TAIL} for t in TEMPLATES
}
# Group headers printed before the first row of a group (not rows themselves).
T2_GROUP_HEADERS: dict[str, str] = {
    "granted": "三、本年度办理结果",
    "denied_state_secret": "（三）不予公开",
    "unable_not_held": "（四）无法提供",
    "not_processed_petition": "（五）不予处理",
    "other_no_correction": "（六）其他处理",
}
# Rows that count as "handling" (identity 2): granted .. the other_* rows.
T2_HANDLING_ROWS: dict[str, tuple[str, ...]] = {
    t: tuple(r for r in T2_ROWS[t] if r not in ("new_received", "carried_over", "total_processed",
                                                "carried_forward"))
    for t in TEMPLATES
}

# --- table 3: review and litigation -----------------------------------------------------------
T3_GROUPS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
T3_COLUMNS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

# --- entities ---------------------------------------------------------------------------------
ENTITY_LABELS: tuple[str, ...] = (
    "AGENCY", "LEADER_NAME", "LEADER_TITLE", "PHONE", "EMAIL", "AMOUNT", "PUBLISHED_DATE",
    "REPORT_YEAR", "ADDRESS", "POSTCODE", "URL", "DOC_NUMBER",
)
# Entity label -> list-valued record key (AGENCY, dates, leaders and amounts have their own shape).
ENTITY_LIST_KEYS: dict[str, str] = {
    "PHONE": "phones",
    "EMAIL": "emails",
    "ADDRESS": "addresses",
    "POSTCODE": "postcodes",
    "URL": "urls",
    "DOC_NUMBER": "doc_numbers",
}

# What the text prints for a cell (record["cell_status"], keyed by cell path; govreport.inference.cellstatus).
CELL_STATUSES: dict[str, str] = {
    "number": "a number is printed (a printed 0 included): the value",
    "blank": "the row is printed, the cell is empty: value null",
    "na": "the cell prints /, -, — or 无 (not applicable): value null",
    "absent": "the text does not print the cell (cut off before it, table or row missing): value null",
}

# Per-value confidence (optional key, beside "provenance"): dotted path -> float in [0, 1], for every
# value read from a tagged span; written when the tagger scores its spans (govreport.inference.confidence).
CONFIDENCE_KEY = "confidence"

CHECK_IDENTITIES: dict[int, str] = {
    1: "requests: new_received + carried_over = total_processed + carried_forward, per column",
    2: "requests: total_processed = sum of the handling rows, per column",
    3: "requests: total = sum of the six applicant columns, per row",
    4: "review_litigation: total = upheld + corrected + other + pending, per group",
}


# --- shapes -----------------------------------------------------------------------------------
def t1_shape(template: str | None) -> dict[str, dict[str, list[str]]]:
    """item -> row -> columns for a template; for an unknown template, the union of both."""
    templates = [template] if template else list(TEMPLATES)
    shape: dict[str, dict[str, list[str]]] = {}
    for t in templates:
        for item, spec in T1[t].items():
            rows = shape.setdefault(item, {})
            for row in spec["rows"]:
                cols = rows.setdefault(row, [])
                cols.extend(c for c in spec["cols"] if c not in cols)
    return shape


def t2_rows(template: str | None) -> list[str]:
    """Table 2 rows for a template; for an unknown template, the union in print order."""
    if template:
        return list(T2_ROWS[template])
    return list(_T2_HEAD) + list(T2_OTHER_ROWS["2019"]) + list(T2_OTHER_ROWS["2021"]) + list(_T2_TAIL)


def empty_record(template: str | None = None) -> dict[str, Any]:
    """A record with every key present and every value null (lists empty)."""
    return {
        "template": template,
        "report_year": None,
        "agency": None,
        "agency_aliases": [],  # the other printed forms of the agency's body (assemble's precedence)
        "published": None,
        "leaders": [],
        "phones": [],
        "emails": [],
        "amounts": [],
        "addresses": [],
        "postcodes": [],
        "urls": [],
        "doc_numbers": [],
        "sections": {k: None for k in SECTIONS},
        "proactive": {item: {row: {c: None for c in cols} for row, cols in rows.items()}
                      for item, rows in t1_shape(template).items()},
        "requests": {row: {c: None for c in T2_COLUMNS} for row in t2_rows(template)},
        "review_litigation": {g: {c: None for c in T3_COLUMNS} for g in T3_GROUPS},
        "checks": [],
        "conflicts": [],
    }


def cell_paths(template: str | None) -> list[str]:
    """Dotted paths of every table cell of a template's record, in print order."""
    paths = [f"proactive.{i}.{r}.{c}" for i, rows in t1_shape(template).items()
             for r, cols in rows.items() for c in cols]
    paths += [f"requests.{r}.{c}" for r in t2_rows(template) for c in T2_COLUMNS]
    paths += [f"review_litigation.{g}.{c}" for g in T3_GROUPS for c in T3_COLUMNS]
    return paths


def distinct(values: Iterable[Any]) -> list[Any]:
    """Values in order of first occurrence, each once (the record's lists are deduplicated this way;
    items may be dicts, so no set)."""
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def get_path(record: dict[str, Any], path: str) -> Any:
    """Value at a dotted path, or None where any key is missing."""
    node: Any = record
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


# --- JSON Schema ------------------------------------------------------------------------------
def _obj(props: dict[str, Any], required: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(props)
    return out


_NUM = {"type": ["number", "null"]}
_STR = {"type": ["string", "null"]}
_STR_LIST = {"type": "array", "items": {"type": "string"}}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one extracted record."""
    t1_union = t1_shape(None)
    proactive = _obj({item: _obj({row: _obj({c: _NUM for c in cols}, required=False)
                                  for row, cols in rows.items()}, required=False)
                      for item, rows in t1_union.items()}, required=False)
    requests = _obj({row: _obj({c: _NUM for c in T2_COLUMNS}) for row in t2_rows(None)}, required=False)
    review = _obj({g: _obj({c: _NUM for c in T3_COLUMNS}) for g in T3_GROUPS})
    identity_check = _obj({
        "identity": {"type": "integer", "enum": sorted(CHECK_IDENTITIES)},
        "where": {"type": "string"},
        "expected": _NUM,
        "found": _NUM,
        "ok": {"type": ["boolean", "null"]},
    })
    # text-vs-table (govreport.core.textchecks): the number the prose states vs the table's
    text_check = _obj({
        "kind": {"const": "text"},
        "where": {"type": "string"},
        "text": {"type": "string"},
        "expected": _NUM,
        "found": _NUM,
        "ok": {"type": ["boolean", "null"]},
    })
    check = {"oneOf": [identity_check, text_check]}
    conflict = _obj({"path": {"type": "string"}, "values": {"type": "array"}, "chosen": _NUM},
                    required=False)
    amount = _obj({"text": {"type": "string"}, "value": _NUM, "unit": _STR,
                   "cell": _STR}, required=False)
    amount["required"] = ["text", "value", "unit"]
    schema = _obj({
        "template": {"type": ["string", "null"], "enum": [*TEMPLATES, None]},
        "report_year": {"type": ["integer", "null"]},
        "agency": _STR,
        "agency_aliases": _STR_LIST,
        "published": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "leaders": {"type": "array", "items": _obj({"name": _STR, "title": _STR})},
        "phones": _STR_LIST,
        "emails": _STR_LIST,
        "amounts": {"type": "array", "items": amount},
        "addresses": _STR_LIST,
        "postcodes": _STR_LIST,
        "urls": _STR_LIST,
        "doc_numbers": _STR_LIST,
        "sections": _obj({k: _STR for k in SECTIONS}),
        "proactive": proactive,
        "requests": requests,
        "review_litigation": review,
        "checks": {"type": "array", "items": check},
        "conflicts": {"type": "array", "items": conflict},
        "cell_status": {"type": "object", "propertyNames": {"enum": cell_paths(None)},
                        "additionalProperties": {"enum": list(CELL_STATUSES)}},
        # dotted path of a value read from a span -> confidence in [0, 1] (govreport.inference.confidence)
        CONFIDENCE_KEY: {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}},
        "provenance": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}},
    })
    # agency_aliases, cell_status and confidence are optional: records written before them stay valid
    # (and a record assembled from hand-made spans has no tagger scores, hence no confidence)
    schema["required"] = [k for k in schema["properties"]
                          if k not in ("provenance", "agency_aliases", "cell_status", CONFIDENCE_KEY)]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "govreport record"
    return schema
