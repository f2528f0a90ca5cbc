"""The one scorer: what `govreport evaluate` reports and what training selects checkpoints by.

- spans: seqeval strict IOB2 over characters (overall micro, per family, per label);
- values: value-level cell F1 over printed numbers (``value_outcome``), the headline figure.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from govreport.core import labels as labelset
from govreport.core.document import Span
from govreport.core.numbers import same_value


# --- spans: character-level IOB2 and seqeval --------------------------------------------------
def _tags(length: int, spans: Iterable[Span]) -> tuple[list[str], list[Span]]:
    """IOB2 tags of every character; spans out of range or overlapping an earlier one are dropped."""
    tags = ["O"] * length
    dropped = []
    for s in sorted(spans):
        if not (0 <= s.start < s.end <= length) or any(t != "O" for t in tags[s.start:s.end]):
            dropped.append(s)
            continue
        tags[s.start] = f"B-{s.label}"
        for i in range(s.start + 1, s.end):
            tags[i] = f"I-{s.label}"
    return tags, dropped


def iob2_pair(length: int, gold: Iterable[Span], pred: Iterable[Span]) -> tuple[list[str], list[str]]:
    """Gold and predicted character tags, with every O shared by both that follows a shared O removed.

    Strict IOB2 matching only looks at entity characters and the character after each entity, all
    of which are kept, so the scores are those of the full sequences; seqeval's cost then grows with
    the number of tagged characters instead of the document length.
    """
    g, _ = _tags(length, gold)
    p, _ = _tags(length, pred)
    keep = [i for i in range(length) if not (g[i] == "O" == p[i] and i > 0 and g[i - 1] == "O" == p[i - 1])]
    return [g[i] for i in keep], [p[i] for i in keep]


def _counts(seqs: list[list[str]]) -> Counter[str]:
    return Counter(t[2:] for seq in seqs for t in seq if t.startswith("B-"))


def _prf(y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, Any]:
    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    support, predicted = sum(_counts(y_true).values()), sum(_counts(y_pred).values())
    out: dict[str, Any] = {"precision": None, "recall": None, "f1": None, "support": support, "predicted": predicted}
    if support or predicted:
        kw: dict[str, Any] = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out["precision"] = float(precision_score(y_true, y_pred, **kw))
            out["recall"] = float(recall_score(y_true, y_pred, **kw))
            out["f1"] = float(f1_score(y_true, y_pred, **kw))
    return out


def _per_label(y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, dict[str, Any]]:
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    gold_n, pred_n = _counts(y_true), _counts(y_pred)
    if not gold_n and not pred_n:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True,
                                       zero_division=0)
    out = {}
    order = {lab: i for i, lab in enumerate(labelset.span_labels())}
    for lab in sorted(set(gold_n) | set(pred_n), key=lambda x: (order.get(x, len(order)), x)):
        r = report.get(lab, {})
        out[lab] = {"precision": float(r.get("precision", 0.0)), "recall": float(r.get("recall", 0.0)),
                    "f1": float(r.get("f1-score", 0.0)), "support": gold_n[lab], "predicted": pred_n[lab]}
    return out


def span_scores(pairs: list[tuple[int, list[Span], list[Span]]]) -> dict[str, Any]:
    """Overall (micro), per family and per label scores for (text length, gold spans, predicted spans)."""
    def seqs(keep: Callable[[Span], bool]) -> tuple[list[list[str]], list[list[str]]]:
        ts, ps = [], []
        for n, g, p in pairs:
            t, q = iob2_pair(n, [s for s in g if keep(s)], [s for s in p if keep(s)])
            ts.append(t)
            ps.append(q)
        return ts, ps

    y_true, y_pred = seqs(lambda s: True)
    families = {fam: _prf(*seqs(lambda s, fam=fam: labelset.family(s.label) == fam)) for fam in labelset.FAMILIES}
    return {"overall": _prf(y_true, y_pred), "families": families, "labels": _per_label(y_true, y_pred)}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def value_outcome(gold: Any, pred: Any) -> dict[str, int]:
    """One cell's share of the value-level F1 (printed numbers only):
    gold number predicted equal -> TP; gold number missed or different -> FN, plus FP if a different
    number was predicted; a number predicted where the gold is null -> FP; both null -> nothing."""
    g, p = _is_number(gold), _is_number(pred)
    if g and p and same_value(gold, pred):
        return {"tp": 1}
    return {"fn": int(g), "fp": int(p)}


def value_prf(c: dict[str, int]) -> dict[str, float | None]:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    prec = tp / (tp + fp) if tp + fp else None
    rec = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": prec, "recall": rec, "f1": f1}


