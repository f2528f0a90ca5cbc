"""Calibration of the record's per-value confidence on the gold set and the real dev split.

    python benchmarks/calibration.py                      # models/default, annotations/gold + annotations/dev
    python benchmarks/calibration.py --model runs/x --out benchmarks/results/calibration.json
    python benchmarks/calibration.py --layouts            # each document in the ten layouts of layout_stress.py

Every document is extracted with the model; each value the record gives a confidence (the dotted paths
of ``record["confidence"]``) is judged against the hand-corrected record:

- a table cell, ``report_year``, ``published``, ``agency``: right when equal to the gold value (a cell
  of a template the gold record does not have is wrong);
- a list entry (``phones.3``, ``urls.0`` …): right when the gold list holds it; ``leaders.<i>.name``
  when a gold leader has that name, ``.title`` when a gold leader has that name and title;
  ``amounts.<i>`` when a gold amount has its value, unit and cell;
- ``sections.<key>``: right when the text equals gold's, whitespace ignored.

With ``--layouts`` (JSON ``calibration_layouts.json``, no PNGs) the documents are those of
``layout_stress.relaid``, and where the text lost characters a name, address or section is right when it
is gold's less at most one character in twenty (or one). A mistake repeated over layouts is also counted
once (``distinct_caught``).

A gold value the record misses (null, or absent from the list) has no confidence: it is counted
apart (``missed``), never as a flagged or unflagged error. Figures per split and together:
expected calibration error (10 equal-width bins, weighted by the values in each), the share of wrong
values caught when the lowest-confidence X % of values are flagged (the issue's bar: 5 % -> 80 %),
the same with the raw tagger score alone (``confidence.tag_scores``: before the other signals the
confidence weighs), and every wrong value
with its confidence and rank. Writes the JSON and two PNGs (``docs/calibration-reliability.png``,
``docs/calibration-catch.png``). Re-runnable: nothing but the model and the annotations is read.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib.util
import json
import math
import re
import sys
import time
from pathlib import Path
from typing import Any

from govreport.core import schema
from govreport.core.document import Document, load_documents
from govreport.inference.confidence import tag_scores
from govreport.inference.extract import Extractor

ROOT = Path(__file__).resolve().parents[1]
SPLITS = {"gold": ROOT / "annotations" / "gold", "dev": ROOT / "annotations" / "dev"}
FLAG_RATES = (0.01, 0.02, 0.05, 0.10, 0.20, 0.30, 0.50)
TARGET = (0.05, 0.80)  # flag 5 % of values, catch 80 % of the wrong ones
BINS = 10
_CELL_HEADS = ("proactive.", "requests.", "review_litigation.")
_LISTS = {"phones", "emails", "addresses", "postcodes", "urls", "doc_numbers"}


def family(path: str) -> str:
    if path.startswith(_CELL_HEADS):
        return "cells"
    return "sections" if path.startswith("sections.") else "entities"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def _squash(text: Any) -> str:
    return re.sub(r"\s+", "", text or "")


def value_at(record: dict[str, Any], path: str) -> Any:
    """The value at a dotted path, list indices included (``phones.0``, ``leaders.1.title``)."""
    node: Any = record
    for key in path.split("."):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return None
    return node


def _lost_from(value: Any, gold: Any) -> bool:
    """``value`` is ``gold`` with at most 1 character in 20 lost, or one (the lost-characters layout loses
    1 in 50 of the text's)."""
    if not isinstance(value, str) or not isinstance(gold, str) or len(value) < min(0.95 * len(gold), len(gold) - 1):
        return False
    rest = iter(gold)
    return all(ch in rest for ch in value)


def is_right(path: str, pred: dict[str, Any], gold: dict[str, Any], lost: bool = False) -> bool:
    """Does the value at ``path`` of the predicted record agree with the gold record (module doc)?
    ``lost``: the text lost characters (benchmarks/layout_stress.py), so a name, address or section
    printed without some of gold's characters is right."""
    head, _, rest = path.partition(".")
    value = value_at(pred, path)
    if lost and head in ("agency", "addresses", "sections"):
        golds = {"agency": [gold.get("agency"), *(gold.get("agency_aliases") or [])],
                 "addresses": gold.get("addresses") or []}.get(head) or [(gold.get("sections") or {}).get(rest)]
        return any(_lost_from(_squash(value), _squash(g)) for g in golds if g)
    if head == "agency":  # the agency or one of its printed aliases, as the record-field score counts it
        return value is not None and value in {gold.get("agency"), *(gold.get("agency_aliases") or [])}
    if path.startswith(_CELL_HEADS) or head in ("report_year", "published"):
        return value is not None and _same(value, schema.get_path(gold, path))
    if head in _LISTS:
        return value in (gold.get(head) or [])
    if head == "leaders":
        i, field = rest.split(".")
        leader = pred["leaders"][int(i)]
        gold_leaders = [g for g in gold.get("leaders") or [] if g.get("name") == leader.get("name")]
        return bool(gold_leaders) and (field == "name" or any(g.get("title") == leader.get("title")
                                                               for g in gold_leaders))
    if head == "amounts":
        a = pred["amounts"][int(rest)]
        return any(_same(a.get("value"), g.get("value")) and a.get("unit") == g.get("unit")
                   and a.get("cell") == g.get("cell") for g in gold.get("amounts") or [])
    if head == "sections":
        return value is not None and _squash(value) == _squash((gold.get("sections") or {}).get(rest))
    return False


def missed(pred: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    """Gold values the prediction does not give at all (they have no confidence)."""
    out = [p for p in schema.cell_paths(gold.get("template"))
           if schema.get_path(gold, p) is not None and schema.get_path(pred, p) is None]
    out += [k for k in ("agency", "report_year", "published") if gold.get(k) is not None and pred.get(k) is None]
    for key in _LISTS:
        out += [f"{key}:{v}" for v in gold.get(key) or [] if v not in (pred.get(key) or [])]
    names = {ld.get("name") for ld in pred.get("leaders") or []}
    out += [f"leaders:{g.get('name')}" for g in gold.get("leaders") or [] if g.get("name") not in names]
    out += [f"sections.{k}" for k, v in (gold.get("sections") or {}).items()
            if v is not None and (pred.get("sections") or {}).get(k) is None]
    return out


def judge(doc: Document, extractor: Extractor) -> dict[str, Any]:
    result = extractor.extract(doc.text, offsets=True)
    pred, gold = result.record, doc.record or {}
    conf = pred.get(schema.CONFIDENCE_KEY) or {}
    raw = tag_scores(pred, result.spans, result.scores or {}, pred.get("provenance") or {})
    lost = doc.meta.get("layout") == "lost characters"
    values = [{"doc": doc.id, "path": path, "family": family(path), "confidence": c, "raw": raw.get(path, c),
               "right": is_right(path, pred, gold, lost), "value": value_at(pred, path) if family(path) != "sections"
               else None} for path, c in conf.items()]
    unscored = [p for p in (pred.get("provenance") or {}) if p not in conf]
    return {"values": values, "missed": missed(pred, gold), "unscored": unscored}


def _layout_stress() -> Any:
    """benchmarks/layout_stress.py (a script beside this one, not a package module)."""
    spec = importlib.util.spec_from_file_location("layout_stress", ROOT / "benchmarks" / "layout_stress.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def split_documents(folder: Path, layouts: bool = False) -> list[Document]:
    """A split's documents; with ``layouts``, each in every layout of benchmarks/layout_stress.py instead
    (tabs, spaces, one cell per line, one line, traditional, pasted twice, web debris, full-width digits,
    lost characters), its record the truth of that layout, its id suffixed with the layout."""
    docs = list(load_documents(folder))
    if not layouts:
        return docs
    stress = _layout_stress()
    return [dataclasses.replace(moved, id=f"{doc.id} ({label})") for label in stress.LAYOUTS
            for i, doc in enumerate(docs) for moved in [stress.relaid(doc, label, i)]]


def ece(values: list[dict[str, Any]], key: str = "confidence", bins: int = BINS) -> tuple[float | None, list[dict]]:
    """Expected calibration error and the reliability table (equal-width bins over [0, 1])."""
    table = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [v for v in values if lo <= v[key] < hi or (b == bins - 1 and v[key] == 1.0)]
        if inside:
            table.append({"lo": lo, "hi": hi, "n": len(inside),
                          "confidence": sum(v[key] for v in inside) / len(inside),
                          "accuracy": sum(v["right"] for v in inside) / len(inside)})
    n = len(values)
    if not n:
        return None, table
    return sum(t["n"] / n * abs(t["accuracy"] - t["confidence"]) for t in table), table


def catch_curve(values: list[dict[str, Any]], key: str = "confidence") -> list[tuple[float, float]]:
    """(share of values flagged, share of wrong values caught), lowest confidence flagged first; values
    of equal confidence are flagged together (no order among them is claimed)."""
    wrong = sum(not v["right"] for v in values)
    ranked = sorted(values, key=lambda v: v[key])
    points, caught = [(0.0, 0.0)], 0
    for i, v in enumerate(ranked):
        caught += not v["right"]
        if i + 1 == len(ranked) or ranked[i + 1][key] != v[key]:
            points.append(((i + 1) / len(ranked), caught / wrong if wrong else 1.0))
    return points


def caught_at(values: list[dict[str, Any]], rate: float, key: str = "confidence") -> dict[str, Any]:
    """Flag the ceil(rate * n) lowest-confidence values (ties at the cut counted pro rata)."""
    n, wrong = len(values), sum(not v["right"] for v in values)
    k = math.ceil(rate * n)
    ranked = sorted(values, key=lambda v: v[key])
    if not n or not wrong:
        return {"flagged": k, "wrong": wrong, "caught": 0.0, "share": None}
    cut = ranked[k - 1][key] if k else -1.0
    below = [v for v in ranked if v[key] < cut]
    tied = [v for v in ranked if v[key] == cut]
    caught = sum(not v["right"] for v in below)
    if tied:
        caught += sum(not v["right"] for v in tied) * (k - len(below)) / len(tied)
    return {"flagged": k, "wrong": wrong, "caught": round(caught, 2), "share": round(caught / wrong, 4)}


def _pct(x: float | None) -> str:
    """A share as a percentage; n/a where there was nothing to count (no wrong value to catch)."""
    return "n/a" if x is None else f"{x:.0%}"


def flag_rate_for(values: list[dict[str, Any]], share: float, key: str = "confidence") -> float | None:
    """The smallest flag rate that catches ``share`` of the wrong values (None when none is wrong)."""
    if all(v["right"] for v in values):
        return None
    for rate, got in catch_curve(values, key):
        if got >= share:
            return round(rate, 4)
    return None


def distinct_caught(values: list[dict[str, Any]], rate: float = TARGET[0]) -> dict[str, Any]:
    """Over layouts one mistake repeats in several copies of a document: the wrong values grouped by
    document and path (the id without its " (layout)"), each group counting the share of its copies
    flagged at ``rate`` (ties at the cut pro rata, as ``caught_at``)."""
    n = len(values)
    ranked = sorted(v["confidence"] for v in values)
    if not n:
        return {"groups": 0, "caught": 0.0, "share": None}
    cut = ranked[math.ceil(rate * n) - 1]
    tied = sum(c == cut for c in ranked)
    tied_share = (math.ceil(rate * n) - sum(c < cut for c in ranked)) / tied
    groups: dict[tuple[str, str], list[float]] = {}
    for v in values:
        if not v["right"]:
            flagged = 1.0 if v["confidence"] < cut else tied_share if v["confidence"] == cut else 0.0
            groups.setdefault((v["doc"].split(" (")[0], v["path"]), []).append(flagged)
    caught = sum(sum(g) / len(g) for g in groups.values())
    share = round(caught / len(groups), 4) if groups else None
    return {"groups": len(groups), "caught": round(caught, 2), "share": share}


def summary(values: list[dict[str, Any]], missed_n: int, docs: int) -> dict[str, Any]:
    e, table = ece(values)
    e_raw, _ = ece(values, "raw")
    wrong = [v for v in values if not v["right"]]
    ranked = sorted(values, key=lambda v: v["confidence"])
    rank = {id(v): i for i, v in enumerate(ranked)}
    return {
        "documents": docs, "values": len(values), "wrong": len(wrong), "missed": missed_n,
        "accuracy": round(1 - len(wrong) / len(values), 4) if values else None,
        "mean_confidence": round(sum(v["confidence"] for v in values) / len(values), 4) if values else None,
        "ece": round(e, 4) if e is not None else None, "ece_raw_score": round(e_raw, 4) if e_raw is not None else None,
        "caught_at": {f"{r:.0%}": caught_at(values, r) for r in FLAG_RATES},
        "distinct_mistakes_caught_at_5%": distinct_caught(values),
        "caught_at_raw_score": {f"{r:.0%}": caught_at(values, r, "raw") for r in FLAG_RATES},
        "flag_rate_for_80pct": flag_rate_for(values, TARGET[1]),
        "by_family": {f: {"values": sum(v["family"] == f for v in values),
                          "wrong": sum(v["family"] == f and not v["right"] for v in values)}
                      for f in ("cells", "entities", "sections")},
        "reliability": [{k: round(x, 4) if isinstance(x, float) else x for k, x in t.items()} for t in table],
        "wrong_values": [{"doc": v["doc"], "path": v["path"], "value": v["value"], "confidence": v["confidence"],
                          "raw": round(v["raw"], 4), "rank_pct": round(100 * (rank[id(v)] + 1) / len(values), 2)}
                         for v in sorted(wrong, key=lambda v: v["confidence"])],
    }


def model_id(model_dir: Path) -> dict[str, Any]:
    weights = model_dir / "model.safetensors"
    shown = model_dir.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    # the tagger's "auto" backend: the int8 graph when there is one, else model.onnx, else torch
    backend = next((name for name, f in (("onnx int8", "model.int8.onnx"), ("onnx", "model.onnx"))
                    if (model_dir / f).is_file()), "torch")
    info: dict[str, Any] = {"dir": str(shown), "backend": backend}
    if weights.is_file():
        info["weights_sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
        info["weights_mtime"] = time.strftime("%Y-%m-%d %H:%M", time.localtime(weights.stat().st_mtime))
    return info


def plot(results: dict[str, Any], docs_dir: Path, curves: dict[str, list[tuple[float, float]]]) -> list[str]:
    import matplotlib  # lazy: only this script draws

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"gold": "tab:blue", "dev": "tab:orange", "all": "black"}
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    ax = axes[0]
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    for name in ("gold", "dev", "all"):
        table = results["splits"][name]["reliability"]
        ax.plot([t["confidence"] for t in table], [t["accuracy"] for t in table], "o-", color=colours[name],
                label=f"{name}: ECE {results['splits'][name]['ece']:.3f}")
    ax.set_xlabel("mean confidence in bin")
    ax.set_ylabel("share of values right")
    ax.set_title("Reliability (10 equal-width bins)")
    ax.legend(loc="upper left", fontsize=8)
    ax = axes[1]
    table = results["splits"]["all"]["reliability"]
    ax.bar([(t["lo"] + t["hi"]) / 2 for t in table], [t["n"] for t in table], width=0.09, color="grey")
    ax.set_yscale("log")
    ax.set_xlabel("confidence")
    ax.set_ylabel("values (log scale)")
    ax.set_title("Values per bin (gold + dev)")
    fig.suptitle(f"Per-value confidence, model {results['model']['dir']} ({results['model'].get('weights_sha256')})",
                 fontsize=9)
    fig.tight_layout()
    reliability = docs_dir / "calibration-reliability.png"
    fig.savefig(reliability, dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name in ("gold", "dev", "all"):
        xs, ys = zip(*curves[name], strict=True)
        ax.step([100 * x for x in xs], [100 * y for y in ys], where="post", color=colours[name],
                label=f"{name}: {results['splits'][name]['caught_at']['5%']['share'] or 0:.0%} caught at 5 % flagged")
    ax.axvline(100 * TARGET[0], ls=":", color="grey")
    ax.axhline(100 * TARGET[1], ls=":", color="grey")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    ax.set_xlabel("values flagged, lowest confidence first (%)")
    ax.set_ylabel("wrong values caught (%)")
    ax.set_title("Flag rate against errors caught (target: 5 % -> 80 %)", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    catch = docs_dir / "calibration-catch.png"
    fig.savefig(catch, dpi=110)
    plt.close(fig)
    return [str(reliability.relative_to(ROOT)), str(catch.relative_to(ROOT))]


def readme_table(results: dict[str, Any]) -> str:
    """The README's calibration table (between its <!-- calibration --> marks) from the results."""
    docs = "documents × layouts" if results.get("layouts") else "documents"
    rows = [f"| split | {docs} | values with confidence | wrong | missed (no value) | ECE | ECE, raw score "
            "| wrong caught flagging the lowest 5 % | same, raw score | caught at 1 / 2 / 10 % "
            "| flag rate that catches 80 % |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, label in (("gold", "gold"), ("dev", "real dev"), ("all", "both")):
        s = results["splits"][name]
        a, araw = s["caught_at"]["5%"], s["caught_at_raw_score"]["5%"]
        curve = " / ".join(_pct(s["caught_at"][r]["share"]) for r in ("1%", "2%", "10%"))
        rows.append(f"| {label} | {s['documents']} | {s['values']} | {s['wrong']} | {s['missed']} | {s['ece']:.3f} | "
                    f"{s['ece_raw_score']:.3f} | {a['caught']:g}/{a['wrong']} = **{_pct(a['share'])}** "
                    f"({a['flagged']} flagged) | {_pct(araw['share'])} | "
                    f"{curve} | "
                    f"{_pct(s['flag_rate_for_80pct'])} |")
    m, both = results["model"], results["splits"]["all"]
    share = both["caught_at"]["5%"]["share"] or 0
    fam = both["by_family"]
    verdict = "met" if share >= TARGET[1] else "not met"
    where = "gold + dev in the ten layouts of benchmarks/layout_stress.py" if results.get("layouts") else "gold + dev"
    once = both["distinct_mistakes_caught_at_5%"]
    return "\n".join([
        *rows, "",
        f"Model: `{m['dir']}` (weights sha256 `{m.get('weights_sha256')}…`, {m.get('weights_mtime')}, "
        f"{m['backend']} backend; a new model needs `python scripts/fit_confidence.py` and "
        "`python benchmarks/calibration.py --readme` again).",
        "The issue's bar — flagging the lowest-confidence 5 % of values catches ≥ 80 % of the wrong values —",
        f"is **{verdict}**: {share:.0%} over {where}"
        + (f"; each mistake counted once (document and path, the share of its copies flagged): "
           f"{once['caught']:g}/{once['groups']} = {_pct(once['share'])}" if results.get("layouts") else "")
        + f". By family (gold + dev): cells {fam['cells']['wrong']}/{fam['cells']['values']} wrong, entities "
        f"{fam['entities']['wrong']}/{fam['entities']['values']}, sections {fam['sections']['wrong']}/"
        f"{fam['sections']['values']}; every wrong value with its confidence and rank is listed in the JSON."])


def update_readme(results: dict[str, Any], readme: Path = ROOT / "README.md", mark: str = "calibration") -> None:
    text = readme.read_text(encoding="utf-8")
    table = f"<!-- {mark} -->\n" + readme_table(results) + f"\n<!-- /{mark} -->"
    readme.write_text(re.sub(rf"<!-- {mark} -->.*?<!-- /{mark} -->", lambda _: table, text, flags=re.S),
                      encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    ap.add_argument("--out", type=Path, help="default benchmarks/results/calibration.json "
                    "(calibration_layouts.json with --layouts)")
    ap.add_argument("--layouts", action="store_true", help="every document in each layout of "
                    "benchmarks/layout_stress.py instead of as printed (no plots; README: its own table)")
    ap.add_argument("--docs", type=Path, default=ROOT / "docs", help="where the PNGs go")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--readme", action="store_true", help="also rewrite the README's calibration table")
    argv = sys.argv[1:] if argv is None else argv
    args = ap.parse_args(argv)
    out = args.out or ROOT / "benchmarks" / "results" / f"calibration{'_layouts' if args.layouts else ''}.json"
    extractor = Extractor.from_pretrained(args.model)
    per_split: dict[str, dict[str, Any]] = {}
    for name, folder in SPLITS.items():
        judged = [judge(doc, extractor) for doc in split_documents(folder, args.layouts)]
        per_split[name] = {"values": [v for j in judged for v in j["values"]],
                           "missed": sum(len(j["missed"]) for j in judged), "docs": len(judged),
                           "unscored": [u for j in judged for u in j["unscored"]]}
    per_split["all"] = {"values": per_split["gold"]["values"] + per_split["dev"]["values"],
                        "missed": per_split["gold"]["missed"] + per_split["dev"]["missed"],
                        "docs": per_split["gold"]["docs"] + per_split["dev"]["docs"],
                        "unscored": per_split["gold"]["unscored"] + per_split["dev"]["unscored"]}
    results: dict[str, Any] = {
        "command": "python benchmarks/calibration.py" + (" " + " ".join(argv) if argv else ""),
        "model": model_id(args.model),
        "target": {"flag_rate": TARGET[0], "caught": TARGET[1]},
        "layouts": args.layouts,
        "splits": {name: {**summary(s["values"], s["missed"], s["docs"]), "unscored_values": len(s["unscored"])}
                   for name, s in per_split.items()},
    }
    if not args.no_plots and not args.layouts:
        curves = {name: catch_curve(s["values"]) for name, s in per_split.items()}
        results["plots"] = plot(results, args.docs, curves)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.readme:
        update_readme(results, mark="calibration-layouts" if args.layouts else "calibration")
    for name, s in results["splits"].items():
        at5 = s["caught_at"]["5%"]
        print(f"{name}: {s['documents']} docs, {s['values']} values, {s['wrong']} wrong, {s['missed']} missed; "
              f"ECE {s['ece']} (raw score {s['ece_raw_score']}); flag 5 % ({at5['flagged']}) catches "
              f"{at5['caught']}/{at5['wrong']} = {at5['share']} (raw score "
              f"{s['caught_at_raw_score']['5%']['share']}); 80 % needs {s['flag_rate_for_80pct']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
