"""The character-level label set, derived from the schema: the one place every module imports it from.

Span labels (no BIO prefix):
- ``H.<section>``             a section heading (marks where the section starts);
- ``T1.<item>.<row>.<col>``   a number of table 1 (template-independent key names);
- ``T2.<row>.<col>``          a number of table 2;
- ``T3.<group>.<col>``        a number of table 3;
- the entity names of ``schema.ENTITY_LABELS``.
Token labels are ``O`` plus ``B-``/``I-`` of each span label.
"""

from __future__ import annotations

from functools import cache, lru_cache

from govreport.core import schema

FAMILIES: tuple[str, ...] = ("sections", "table1", "table2", "table3", "entities")
# One colour per family, shared by the Label Studio config and the review page so an annotator sees the
# same colour for the same kind of span in both.
FAMILY_COLOURS: dict[str, str] = {
    "sections": "#F4A261",
    "table1": "#2A9D8F",
    "table2": "#4C8BF5",
    "table3": "#9B5DE5",
    "entities": "#E63946",
}


@cache
def span_labels() -> tuple[str, ...]:
    """Every span label, in a fixed order (sections, T1, T2, T3, entities)."""
    labels = [f"H.{k}" for k in schema.SECTIONS]
    for item, rows in schema.t1_shape(None).items():
        labels += [f"T1.{item}.{r}.{c}" for r, cols in rows.items() for c in cols]
    labels += [f"T2.{r}.{c}" for r in schema.t2_rows(None) for c in schema.T2_COLUMNS]
    labels += [f"T3.{g}.{c}" for g in schema.T3_GROUPS for c in schema.T3_COLUMNS]
    labels += list(schema.ENTITY_LABELS)
    return tuple(labels)


@cache
def _span_label_set() -> frozenset[str]:
    return frozenset(span_labels())


def is_span_label(label: str) -> bool:
    return label in _span_label_set()


@cache
def bio_labels() -> tuple[str, ...]:
    """Token labels: O, then B-/I- for every span label."""
    out = ["O"]
    for lab in span_labels():
        out += [f"B-{lab}", f"I-{lab}"]
    return tuple(out)


def label2id() -> dict[str, int]:
    return {lab: i for i, lab in enumerate(bio_labels())}


def id2label() -> dict[int, str]:
    return dict(enumerate(bio_labels()))


def family(label: str) -> str:
    """The family a span label belongs to (sections, table1, table2, table3, entities)."""
    if label.startswith("H."):
        return "sections"
    if label.startswith("T1."):
        return "table1"
    if label.startswith("T2."):
        return "table2"
    if label.startswith("T3."):
        return "table3"
    return "entities"


@lru_cache(maxsize=4096)  # called per cell span several times a report; labels are few
def cell_path(label: str) -> str | None:
    """The record path a table-cell label fills (``T2.granted.total`` -> ``requests.granted.total``)."""
    head, _, rest = label.partition(".")
    prefix = {"T1": "proactive", "T2": "requests", "T3": "review_litigation"}.get(head)
    return f"{prefix}.{rest}" if prefix else None


def label_for_path(path: str) -> str:
    """Inverse of :func:`cell_path`."""
    head, _, rest = path.partition(".")
    return {"proactive": "T1", "requests": "T2", "review_litigation": "T3"}[head] + "." + rest


@cache
def template_of_label(label: str) -> str | None:
    """The template a T1/T2 label belongs to exclusively, or None if shared by both (or not a cell)."""
    path = cell_path(label)
    if path is None or label.startswith("T3."):
        return None
    owners = [t for t in schema.TEMPLATES if path in set(schema.cell_paths(t))]
    return owners[0] if len(owners) == 1 else None
