"""A random, plausible truth for one report: template, year, entities and every table cell.

The numbers satisfy the spec's identities unless the generator deliberately breaks some (about one
document in eight); `Facts.broken` lists the identity instances that fail on the full, untruncated
tables, so a test can tell intended breaks from construction errors.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from govreport.core import schema
from govreport.core.checks import run_checks
from govreport.training.synth import entities
from govreport.training.synth.recipe import RECIPE

BLANK_MARKS = ("/", "-", "—", "无", "／")


@dataclass
class Facts:
    template: str
    year: int
    agency: entities.Agency
    leaders: list[tuple[str, str]]
    phones: list[str]
    emails: list[str]
    urls: list[str]
    addresses: list[str]
    postcodes: list[str]
    doc_numbers: list[str]
    published: tuple[int, int, int]
    cells: dict[str, int | float | None]       # path -> printed value (None: blank / shown as a mark)
    blank_marks: dict[str, str]                # path -> "" or a mark like "/" for None cells
    money_unit: str                            # 元 or 万元
    money_unit_place: str                      # cell, header or none
    money_decimals: int
    broken: list[dict[str, Any]] = field(default_factory=list)  # failing identity instances (intended)
    full: dict[str, int | float] = field(default_factory=dict)  # values before blanking, for prose


def _split(rng: random.Random, total: int, k: int) -> list[int]:
    """Split a non-negative integer into k non-negative parts with random proportions."""
    if k <= 0:
        return []
    if total == 0:
        return [0] * k
    weights = [rng.random() ** 2 for _ in range(k)]
    s = sum(weights) or 1.0
    parts = [int(total * w / s) for w in weights]
    parts[rng.randrange(k)] += total - sum(parts)
    return parts


def _scale(rng: random.Random, big: bool = False) -> int:
    if big:
        # Full-length city reports: 4-7 digit request counts (a 2024 city report: thousands of requests).
        return rng.choice((rng.randint(1000, 9999), rng.randint(10_000, 999_999), rng.randint(1_000_000, 3_000_000)))
    r = rng.random()
    if r < 0.35:
        return 0
    if r < 0.7:
        return rng.randint(1, 10)
    if r < 0.9:
        return rng.randint(10, 150)
    return rng.randint(150, 6000)


def _requests(rng: random.Random, template: str, big: bool = False) -> dict[str, int]:
    applicants = schema.T2_APPLICANT_COLUMNS
    handling = schema.T2_HANDLING_ROWS[template]
    cells: dict[str, int] = {}
    n = _scale(rng, big)
    new = dict.fromkeys(applicants, 0)
    if n:
        share_np = rng.choice((1.0, 1.0, 0.9, 0.8, 0.6, 0.3))
        new["natural_person"] = round(n * share_np)
        rest = n - new["natural_person"]
        for c, v in zip(applicants[1:], _split(rng, rest, 5), strict=True):
            new[c] = v
    carried = {c: (rng.randint(0, max(1, new[c] // 5)) if new[c] and rng.random() < 0.25 else 0) for c in applicants}
    forward = {}
    for c in applicants:
        avail = new[c] + carried[c]
        forward[c] = rng.randint(0, max(0, avail // 4)) if avail and rng.random() < 0.3 else 0
    weights_rows = list(handling)
    for c in applicants:
        processed = new[c] + carried[c] - forward[c]
        k = rng.randint(1, min(5, len(weights_rows)))
        chosen = rng.sample(weights_rows, k)
        if "granted" not in chosen and rng.random() < 0.7:
            chosen[0] = "granted"
        split = _split(rng, processed, k)
        per_row = dict.fromkeys(handling, 0)
        for r, v in zip(chosen, split, strict=True):
            per_row[r] += v
        for r in handling:
            cells[f"requests.{r}.{c}"] = per_row[r]
        cells[f"requests.new_received.{c}"] = new[c]
        cells[f"requests.carried_over.{c}"] = carried[c]
        cells[f"requests.total_processed.{c}"] = processed
        cells[f"requests.carried_forward.{c}"] = forward[c]
    for r in schema.T2_ROWS[template]:
        cells[f"requests.{r}.total"] = sum(cells[f"requests.{r}.{c}"] for c in applicants)
    return cells


def _review(rng: random.Random, big: bool = False) -> dict[str, int]:
    cells: dict[str, int] = {}
    busy = big or rng.random() < 0.25
    choices = (0, 1, 12, rng.randint(100, 999), rng.randint(1000, 9999), rng.randint(10_000, 99_999)) if big \
        else (0, 0, 0, 1, 1, 2, 3, 5, 12)
    for g in schema.T3_GROUPS:
        parts = {c: (rng.choice(choices) if busy else 0)
                 for c in ("upheld", "corrected", "other", "pending")}
        for c, v in parts.items():
            cells[f"review_litigation.{g}.{c}"] = v
        cells[f"review_litigation.{g}.total"] = sum(parts.values())
    return cells


def _money(rng: random.Random, unit: str, decimals: int, zero_bias: float) -> int | float:
    if rng.random() < zero_bias:
        return 0
    if unit == "元":
        return rng.choice((rng.randint(100, 9999), rng.randint(10_000, 999_999), rng.randint(1_000_000, 50_000_000)))
    value = rng.choice((rng.uniform(0.01, 9.99), rng.uniform(10, 999), rng.uniform(1000, 60000)))
    value = round(value, decimals)
    return int(value) if decimals == 0 else value


def _proactive(rng: random.Random, template: str, unit: str, decimals: int,
               big: bool = False) -> dict[str, int | float]:
    cells: dict[str, int | float] = {}
    busy = rng.random()

    def count(hi: int) -> int:
        if rng.random() < 0.45:
            return 0
        if big:
            return rng.randint(0, rng.choice((9_999, 99_999, 9_999_999)))
        return rng.randint(0, hi if busy > 0.2 else max(1, hi // 20))

    if template == "2019":
        for row in ("rules", "normative_documents"):
            made = count(3 if row == "rules" else 40)
            pub = min(made, count(40)) if rng.random() < 0.5 else made
            cells[f"proactive.art20_1.{row}.new_made"] = made
            cells[f"proactive.art20_1.{row}.new_published"] = pub
            cells[f"proactive.art20_1.{row}.total_published"] = pub + count(300)
        for item, rows in (("art20_5", ("administrative_license", "other_external_services")),
                           ("art20_6", ("administrative_penalty", "administrative_coercion"))):
            for row in rows:
                prev = count(2000)
                change = rng.choice((0, 0, 0, rng.randint(-min(prev, 60), 200)))
                cells[f"proactive.{item}.{row}.previous_count"] = prev
                cells[f"proactive.{item}.{row}.change"] = change
                cells[f"proactive.{item}.{row}.decisions"] = count(6000)
        cells["proactive.art20_8.administrative_fees.previous_count"] = count(20)
        cells["proactive.art20_8.administrative_fees.change"] = rng.choice((0, 0, 0, 0, -1, 1, 2))
        cells["proactive.art20_9.centralized_procurement.project_count"] = count(300)
        cells["proactive.art20_9.centralized_procurement.total_amount"] = _money(rng, unit, decimals, 0.4)
    else:
        for row in ("rules", "normative_documents"):
            issued = count(3 if row == "rules" else 40)
            cells[f"proactive.art20_1.{row}.issued"] = issued
            cells[f"proactive.art20_1.{row}.repealed"] = count(10)
            cells[f"proactive.art20_1.{row}.in_force"] = issued + count(400)
        cells["proactive.art20_5.administrative_license.decisions"] = count(9000)
        cells["proactive.art20_6.administrative_penalty.decisions"] = count(3000)
        cells["proactive.art20_6.administrative_coercion.decisions"] = count(300)
        cells["proactive.art20_8.administrative_fees.amount"] = _money(rng, unit, decimals, 0.7)
    return cells


def _break(rng: random.Random, cells: dict[str, Any], template: str) -> list[str]:
    """Make one or two printed figures wrong the way real reports do; returns what was done."""
    done = []
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.choice(("processed", "row_total", "forward", "review_total", "handling"))
        col = rng.choice(schema.T2_APPLICANT_COLUMNS[:1] * 3 + schema.T2_APPLICANT_COLUMNS)
        delta = rng.choice((-3, -2, -1, 1, 1, 2, 3, 5, 10))
        if kind == "processed":
            path = f"requests.total_processed.{col}"
        elif kind == "row_total":
            path = f"requests.{rng.choice(schema.t2_rows(template))}.total"
        elif kind == "forward":
            path = f"requests.carried_forward.{rng.choice(list(schema.T2_COLUMNS))}"
        elif kind == "review_total":
            path = f"review_litigation.{rng.choice(list(schema.T3_GROUPS))}.total"
        else:
            path = f"requests.{rng.choice(schema.T2_HANDLING_ROWS[template])}.{col}"
        new = cells[path] + delta
        cells[path] = new if new >= 0 else cells[path] + abs(delta)
        done.append(path)
    return done


def _blank(rng: random.Random, cells: dict[str, Any], template: str) -> dict[str, str]:
    """Cells printed blank or as '/', '-', ... (null in the record, never 0)."""
    marks: dict[str, str] = {}
    policy = rng.choices(("none", "sparse_t2", "zero_marks", "random"), weights=(70, 10, 10, 10))[0]
    if policy == "sparse_t2":
        # Only non-zero applicant cells and the totals are printed (others left empty).
        for path, v in cells.items():
            if path.startswith("requests.") and not path.endswith(".total") and v == 0:
                marks[path] = ""
    elif policy == "zero_marks":
        mark = rng.choice(BLANK_MARKS)
        share = rng.uniform(0.2, 1.0)
        for path, v in cells.items():
            if v == 0 and rng.random() < share:
                marks[path] = mark
    elif policy == "random":
        for path in cells:
            if rng.random() < 0.04:
                marks[path] = rng.choice(("", "", *BLANK_MARKS))
    return marks


def make_facts(rng: random.Random) -> Facts:
    year = rng.choice((2019, 2020, 2020, 2021, 2021, 2022, 2022, 2023, 2023, 2024, 2025))
    template = schema.template_for_year(year)
    assert template is not None
    agency = entities.make_agency(rng)
    leaders = [(entities.person_name(rng), entities.leader_title(rng, agency))
               for _ in range(rng.choice((0, 1, 1, 2, 3)))]
    phones = [entities.phone(rng) for _ in range(rng.choice((0, 1, 1, 1, 2, 3)))]
    emails = [entities.email(rng, agency) for _ in range(rng.choice((0, 1, 1, 2)))]
    urls = [entities.url(rng) for _ in range(rng.choice((0, 1, 1, 2)))]
    addresses = [entities.address(rng, agency) for _ in range(rng.choice((0, 0, 1, 1)))]
    postcodes = [entities.postcode(rng) for _ in range(rng.choice((0, 0, 1)))]
    doc_numbers = [entities.doc_number(rng, year, agency) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
    month = rng.choice((1, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 11, 12))
    pub_year = year + 1 if month <= 6 else year + rng.choice((0, 1))
    published = (pub_year, month, rng.randint(1, 28))
    if template == "2019":
        unit = rng.choice(("元", "万元", "万元"))
        place = rng.choice(("cell", "header", "header", "none"))
    else:
        unit = "万元" if rng.random() < 0.9 else "元"
        place = rng.choice(("header", "header", "header", "cell", "none"))
        if place == "none":
            unit = "万元"  # an unprinted unit is the template default
    decimals = 0 if unit == "元" else rng.choice((0, 2, 2, 4, 4, 1))
    cells: dict[str, Any] = {}
    big = rng.random() < RECIPE["big_numbers"]
    cells.update(_proactive(rng, template, unit, decimals, big))
    cells.update(_requests(rng, template, big and rng.random() < 0.7))
    cells.update(_review(rng, big and rng.random() < 0.5))
    if rng.random() < 0.13:
        _break(rng, cells, template)
    full = dict(cells)
    marks = _blank(rng, cells, template)
    for path in marks:
        cells[path] = None
    facts = Facts(template, year, agency, leaders, phones, emails, urls, addresses, postcodes, doc_numbers,
                  published, cells, marks, unit, place, decimals, full=full)
    facts.broken = [c for c in run_checks(facts_record(facts)) if c["ok"] is False]
    return facts


def facts_record(facts: Facts) -> dict[str, Any]:
    """The table part of the record the full, untruncated document would give."""
    record = schema.empty_record(facts.template)
    for path, value in facts.cells.items():
        node = record
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return record
