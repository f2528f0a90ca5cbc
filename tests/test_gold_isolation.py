"""The gold set is for evaluation only: no training text may carry a passage of a gold document.

A passage is a sentence of a gold text with at least MIN_CHARS characters once whitespace, table
separators, digits and the template's fixed wording (the schema's row and column labels, the note under
table 2's title, the statistics-period sentence, in either script) are cut out: that wording is common
to every report. Training text = the synthetic corpus the default config draws from, plus every annotated
document under annotations/train/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from opencc import OpenCC

from govreport.core import schema
from govreport.core.document import load_documents
from govreport.paths import GOLD_DIR, TRAIN_ANNOTATIONS_DIR
from govreport.training.synth import generate

MIN_CHARS = 24
REPO = Path(__file__).resolve().parent.parent
_TEMPLATE = re.compile(r"[（(]?本列数据的[勾钩鉤]稽[关關]系[为為][^）)]*[）)]?|[（(]二[）)]部分公[开開][^）)]*[）)]"
                       r"|本报告中所列数据的统计期限[^。\n]*|第二十[条條]\s*第[（(][一二三四五六七八九十][）)][项項]")


def _template_wording() -> list[str]:
    words = set(schema.T2_COLUMNS.values()) | set(schema.T3_GROUPS.values()) | set(schema.T3_COLUMNS.values())
    for spec in (*schema.T1["2019"].values(), *schema.T1["2021"].values()):
        words |= set(spec["rows"].values()) | set(spec["cols"].values())
    for rows in schema.T2_ROWS.values():
        words |= {re.sub(r"^[（(][一二三四五六七][）)]|^[一二三四]、|^\d\.", "", w) for w in rows.values()}
    words |= {re.sub(r"^[（(][一二三四五六七][）)]|^[一二三四]、", "", w) for w in schema.T2_GROUP_HEADERS.values()}
    words |= {"信息内容", "申请人情况", "法人或其他组织", "行政诉讼", "危及三安全一稳定"}
    words |= set(schema.SECTIONS.values())  # the six section headings
    return sorted(words, key=len, reverse=True)


_WORDING = _template_wording()
_T2S = OpenCC("t2s")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _prose(sentence: str) -> str:
    s = re.sub(r"[\s|\d\-/.,，、（）()“”\"]+", "", _T2S.convert(sentence))
    for w in _WORDING:
        s = s.replace(re.sub(r"[\s|\d\-/.,，、（）()“”\"]+", "", w), "")
    return s


def gold_passages() -> list[tuple[str, str]]:
    out = []
    for doc in load_documents(GOLD_DIR):
        for sentence in re.split(r"[。！？!?\n；;]", _TEMPLATE.sub("", doc.text)):
            s = _squash(sentence)
            if len(_prose(s)) >= MIN_CHARS:
                out.append((doc.id, s))
    return out


def test_gold_has_passages_to_check():
    assert len(gold_passages()) > 100


def leaks(texts: list[str]) -> list[tuple[str, str]]:
    """(gold doc id, passage) of every gold passage found in any of the texts."""
    corpus = "\x00".join(_squash(t) for t in texts)
    return [(doc_id, p) for doc_id, p in gold_passages() if p in corpus]


def training_synthetic_texts() -> list[str]:
    """Every synthetic training document of the shipped model's configuration (configs/default.yaml):
    the generator is deterministic per (seed, i), so this is exactly what training reads. All 3,000
    take about 35 s on the shared 2-core machine (15 s idle), so no sample is needed."""
    cfg = yaml.safe_load((REPO / "configs" / "default.yaml").read_text(encoding="utf-8"))
    synth = cfg["data"]["synthetic"]
    return [doc.text for doc, _ in generate(int(synth["n_train"]), int(synth["train_seed"]))]


@pytest.mark.parametrize("source", ["synthetic", "annotated"])
def test_no_training_text_shares_a_gold_passage(source):
    if source == "synthetic":
        texts = training_synthetic_texts()
        assert len(texts) >= 3000  # the full training configuration, not a sample
    else:
        texts = [d.text for d in load_documents(TRAIN_ANNOTATIONS_DIR)] if TRAIN_ANNOTATIONS_DIR.exists() else []
    found = leaks(texts)
    assert not found, f"{len(found)} gold passages found in {source} training text, e.g. {found[:3]}"


def test_the_check_would_catch_a_copied_gold_document():
    """The real check, fed a training corpus into which one gold passage (and one whole gold text) was
    pasted among synthetic documents."""
    doc_id, passage = gold_passages()[0]
    synthetic = [doc.text for doc, _ in generate(5, 1)]
    assert leaks(synthetic) == []
    pasted = [*synthetic[:2], "前言。" + passage + "。结尾", *synthetic[2:]]
    assert (doc_id, passage) in leaks(pasted)
    gold_text = next(d.text for d in load_documents(GOLD_DIR) if d.id == doc_id)
    assert {d for d, _ in leaks([*synthetic, gold_text])} == {doc_id}
