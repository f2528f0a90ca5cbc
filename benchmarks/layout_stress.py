"""Value-level cell F1 of real reports re-laid out the ways real text reaches users.

    python benchmarks/layout_stress.py [--sets train dev gold] [--model models/default]

The hand-corrected records stay the truth: every layout below changes how the text prints, never a
number, so each document's gold record still holds (names and contacts converted where the layout
converts them: traditional characters, full-width digits in phones and e-mails). Record fields of a cut
excerpt can move for no fault of the model: debris after a last heading whose text was cut gives that
section text. The layouts: table cells split by tabs, by spaces, one cell per line; the whole text on
one line; the whole text in traditional characters; pasted twice; web-page debris before and after;
full-width digits; one CJK character in fifty lost. The model has learnt annotations/train's texts but not
these layouts of them; annotations/dev chose the checkpoints; the gold set is for measurement only (do not
write rules from its figures here). Writes benchmarks/results/layout_stress.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

from govreport.annotations.evaluate import Prediction, evaluate
from govreport.core.document import Document, Span, load_documents
from govreport.core.sections import section_texts
from govreport.inference.extract import Extractor

REPO = Path(__file__).resolve().parents[1]
_PIPE = re.compile(r"[ \t]*\|[ \t]*")
_DEBRIS_HEAD = ("首页 | 政务公开 | 政府信息公开年报\n当前位置:首页 > 政府信息公开 > 年度报告\n"
                "【字体:大 中 小】 打印本页\n")
_DEBRIS_TAIL = ("\n上一篇:关于公布政务服务事项的通知\n下一篇:无\n主办单位:本站 技术支持:某网络科技有限公司\n"
                "【关闭窗口】\n")


_WIDE = {ord(d): 0xFF10 + int(d) for d in "0123456789"}


def _s2t() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("s2t").convert


_ROW = re.compile(r"^[^\n]*\|[^\n]*\|[^\n]*$", re.MULTILINE)  # a line of two or more cells


def _cells_on_lines(row: re.Match[str]) -> str:
    """A table row printed one cell per line, a blank cell an empty line (the pipes at its ends no cell)."""
    cells = [c.strip() for c in row.group(0).split("|")]
    if cells and not cells[0]:
        cells = cells[1:]
    if cells and not cells[-1]:
        cells = cells[:-1]
    return "\n".join(cells)


def _lose(text: str, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(ch for ch in text if not ("\u4e00" <= ch <= "\u9fff" and rng.random() < 0.02))


LAYOUTS: dict[str, Callable[[str, int], str]] = {
    "as printed": lambda t, _: t,
    "tabs": lambda t, _: _PIPE.sub("\t", t),
    "spaces": lambda t, _: _PIPE.sub(" ", t),
    "cell per line": lambda t, _: _ROW.sub(_cells_on_lines, t),
    "one line": lambda t, _: re.sub(r"\s*\n\s*", " ", t),
    "traditional": lambda t, _: _s2t()(t),
    "pasted twice": lambda t, _: t + "\n\n" + t,
    "web debris": lambda t, _: _DEBRIS_HEAD + t + _DEBRIS_TAIL,
    "full-width digits": lambda t, _: t.translate(_WIDE),
    "lost characters": _lose,
}


def _gold_as_printed(record: dict, label: str) -> dict:
    """The gold record of a re-laid-out text where the layout changed how text prints (the spec: text
    keeps the document's own characters; phones and e-mails as printed); numbers and dates never change."""
    if label not in ("traditional", "full-width digits"):
        return record
    convert = _s2t() if label == "traditional" else (lambda t: t.translate(_WIDE))
    out = dict(record)
    out["agency"] = convert(out["agency"]) if isinstance(out.get("agency"), str) else out.get("agency")
    for key in ("agency_aliases", "phones", "emails", "addresses", "postcodes", "urls", "doc_numbers"):
        out[key] = [convert(a) if isinstance(a, str) else a for a in out.get(key) or []]
    out["leaders"] = [{k: convert(v) if isinstance(v, str) else v for k, v in ld.items()}
                      for ld in out.get("leaders") or []]
    return out


def relaid(doc: Document, label: str, i: int) -> Document:
    """``doc`` in layout ``label`` (``i`` seeds the lost characters) with the record that is its truth: the
    layout's conversions (above), sections laid out as the text is. Pasted twice and web debris: sections
    read by the spec's rule (a section runs to the next heading, the last one to the end) from the gold
    headings in the new text, so the first copy's last section runs into the second copy's opening, and
    the page's tail into the last section. Spans are left out (their offsets no longer hold);
    ``meta["layout"]`` names the layout."""
    text = LAYOUTS[label](doc.text, i)
    record = _gold_as_printed(doc.record or {}, label)
    heads = [s for s in doc.spans if s.label.startswith("H.")]
    if label in ("pasted twice", "web debris") and heads and record:
        shifts = (0, len(doc.text) + 2) if label == "pasted twice" else (len(_DEBRIS_HEAD),)
        moved = [Span(s.start + k, s.end + k, s.label) for k in shifts for s in heads]
        record = {**record, "sections": section_texts(text, moved)}
    elif label != "lost characters" and record:  # a section's text is laid out as the whole text is
        record = {**record, "sections": {k: v if v is None else LAYOUTS[label](v, i).strip()
                                         for k, v in (record.get("sections") or {}).items()}}
    return dataclasses.replace(doc, text=text, spans=[], record=record, meta={**doc.meta, "layout": label})


def score(extractor: Extractor, docs: list[Document], label: str) -> dict:
    moved = [relaid(d, label, i) for i, d in enumerate(docs)]
    preds = {d.id: Prediction([], extractor.extract(d.text).record) for d in moved}
    rec = evaluate(moved, preds)["record"]
    v = rec["values"]["overall"]
    return {"value_f1": round(v["f1"], 4), "tp_fp_fn": [v["tp"], v["fp"], v["fn"]],
            "record_fields": round(rec["key_fields"]["accuracy"], 4), "fields_wrong": rec["key_fields"]["wrong"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(REPO / "models" / "default"))
    ap.add_argument("--sets", nargs="+", default=["train", "dev", "gold"])
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "layout_stress.json")
    args = ap.parse_args(argv)
    extractor = Extractor(args.model)
    results: dict[str, dict] = {}
    for name in args.sets:
        docs = list(load_documents(REPO / "annotations" / name))
        results[name] = {}
        for label in LAYOUTS:
            results[name][label] = score(extractor, docs, label)
            s = results[name][label]
            print(f"{name:6s} {label:18s} value F1 {s['value_f1']:.4f} {s['tp_fp_fn']}  record fields "
                  f"{s['record_fields']:.3f}", file=sys.stderr, flush=True)
    args.out.write_text(json.dumps({"command": "python benchmarks/layout_stress.py " + " ".join(argv or []),
                                    "model": args.model, "sets": results}, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
