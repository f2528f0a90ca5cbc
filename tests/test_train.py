"""Dataset building (labels aligned once), the data mix, the config, and a tiny end-to-end training run."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml

from govreport.core import labels as label_set
from govreport.core.document import Document, Span, save_documents
from govreport.core.normalize import NormalizeOptions, normalize
from govreport.core.vocab import Vocab
from govreport.inference.tagger import TaggerSettings
from govreport.paths import CONFIGS, GOLD_DIR
from govreport.training.data_mix import load_annotated, mix
from govreport.training.dataset import IGNORE, WindowCollator, WindowSpec, align_labels, build_dataset, valid_spans
from govreport.training.train import load_config

L2I = label_set.label2id()
I2L = label_set.id2label()


def handmade(i: int, rng: random.Random) -> Document:
    """A short report with headings, two table numbers, a phone and the agency: all in fixed places."""
    parts: list[str] = []
    spans: list[Span] = []

    def add(text: str, label: str | None = None) -> None:
        start = sum(len(p) for p in parts)
        parts.append(text)
        if label:
            spans.append(Span(start, start + len(text), label))

    add(rng.choice(["拉堡镇", "花街镇", "崔桥镇"]) + "人民政府", "AGENCY")
    add("2020", "REPORT_YEAR")
    add("年政府信息公开工作年度报告\n")
    add("一、总体情况", "H.overview")
    add("\n本年度我镇认真落实条例。联系电话:")
    add(f"0772-{rng.randrange(1000000, 9999999)}", "PHONE")
    add("。\n")
    add("二、主动公开政府信息情况", "H.proactive")
    add("\n| 规章 | ")
    add(str(rng.randrange(100)), "T1.art20_1.rules.new_made")
    add(" |\n")
    add("三、收到和处理政府信息公开申请情况", "H.requests")
    add("\n本年新收申请 ")
    add(str(rng.randrange(100)), "T2.new_received.total")
    add(" 件。\n")
    return Document(f"hand-{i:03d}", "".join(parts), spans, meta={"split": "train"})


def test_labels_are_aligned_to_normalised_characters() -> None:
    text = "電話：０７７２-１２３　４\n總體情況"
    spans = [Span(3, 13, "PHONE"), Span(14, 18, "H.overview")]
    norm = normalize(text)
    ids = align_labels(norm, spans, L2I)
    tags = [I2L[i] for i in ids]
    assert norm.text == "电话:0772-123 4\n总体情况"
    assert tags[:3] == ["O"] * 3
    assert tags[3] == "B-PHONE" and set(tags[4:13]) == {"I-PHONE"}  # the full-width space inside too
    assert tags[13] == "O"
    assert tags[14:] == ["B-H.overview"] + ["I-H.overview"] * 3


def test_invalid_spans_are_skipped_not_fatal() -> None:
    doc = Document("x", "abcdef", [Span(0, 2, "PHONE"), Span(1, 3, "EMAIL"), Span(4, 9, "URL"), Span(3, 4, "NOPE")])
    assert valid_spans(doc) == [Span(0, 2, "PHONE")]


def test_windows_fit_the_model_and_keep_every_label() -> None:
    rng = random.Random(3)
    docs = [handmade(i, rng) for i in range(3)]
    options = NormalizeOptions()
    vocab = Vocab.build((d.text for d in docs), options, include_ranges=False)
    spec = WindowSpec(window=32, stride=20)
    ds = build_dataset(docs, vocab, options, spec)
    for row in ds:
        assert len(row["input_ids"]) == len(row["labels"]) <= 32
        assert row["input_ids"][0] == vocab.cls_id and row["input_ids"][-1] == vocab.sep_id
        assert row["labels"][0] == row["labels"][-1] == IGNORE
    # every B- label of every document survives windowing at least once
    begins = {I2L[i] for row in ds for i in row["labels"] if i != IGNORE and I2L[i].startswith("B-")}
    assert begins == {"B-" + s.label for d in docs for s in d.spans}
    # copies are cut at other offsets: more windows, not the same ones again
    doubled = build_dataset([(d, 2) for d in docs], vocab, options, WindowSpec(32, 20, random_offset=True, seed=1))
    assert len(doubled) > len(ds)
    batch = WindowCollator(vocab.pad_id)([ds[0], ds[len(ds) - 1]])
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape
    assert int(batch["attention_mask"][1].sum()) == len(ds[len(ds) - 1]["input_ids"])


def test_windows_without_spans_can_be_thinned_out() -> None:
    rng = random.Random(5)
    doc = handmade(1, rng)
    pad = "无关页面内容。" * 60
    doc = Document(doc.id, pad + doc.text, [Span(s.start + len(pad), s.end + len(pad), s.label) for s in doc.spans])
    options = NormalizeOptions()
    vocab = Vocab.build([doc.text], options, include_ranges=False)
    o_id = L2I["O"]

    def empty(row: dict) -> bool:
        return all(x in (IGNORE, o_id) for x in row["labels"])

    full = build_dataset([doc], vocab, options, WindowSpec(32, 30))
    thin = build_dataset([doc], vocab, options, WindowSpec(32, 30, keep_empty=0.0))
    assert sum(map(empty, full)) > 5
    assert not any(map(empty, thin))
    assert len(thin) == len(full) - sum(map(empty, full))


def test_weighted_loss_down_weights_o() -> None:
    from types import SimpleNamespace

    import torch

    from govreport.training.train import weighted_loss

    n = len(label_set.bio_labels())
    logits = torch.zeros((1, 2, n))
    logits[0, 0, L2I["O"]] = 5.0  # right on the O character, wrong (uniform) on the PHONE one
    labels = torch.tensor([[L2I["O"], L2I["B-PHONE"]]])
    plain = weighted_loss(1.0, n)(SimpleNamespace(logits=logits), labels)
    light = weighted_loss(0.1, n)(SimpleNamespace(logits=logits), labels)
    assert light > plain  # the badly predicted non-O character now dominates the mean


def test_annotated_documents_only_from_the_train_split_never_gold(tmp_path: Path) -> None:
    rng = random.Random(0)
    train_doc, gold_like = handmade(1, rng), handmade(2, rng)
    gold_like.meta["split"] = "gold"
    save_documents([train_doc, gold_like], tmp_path)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert [d.id for d in load_annotated(tmp_path)] == [train_doc.id]
    assert load_annotated(tmp_path / "missing") == []
    with pytest.raises(ValueError):
        load_annotated(GOLD_DIR)
    with pytest.raises(ValueError):
        load_annotated(tmp_path, gold_dir=tmp_path / "gold")


def test_mix_weights_annotated_documents() -> None:
    rng = random.Random(0)
    synth = [handmade(i, rng) for i in range(3)]
    annotated = [handmade(10 + i, rng) for i in range(200)]
    pairs = mix(synth, annotated, 1.5, seed=4)
    assert [c for _, c in pairs[:3]] == [1, 1, 1]
    copies = [c for _, c in pairs[3:]]
    assert set(copies) == {1, 2} and 250 < sum(copies) < 350
    assert len(mix(synth, annotated, 0.0)) == 3
    with pytest.raises(ValueError):
        mix(synth, annotated, -1)


def test_configs_parse_and_unknown_keys_are_refused(tmp_path: Path) -> None:
    for name in ("tiny.yaml", "default.yaml"):
        cfg = load_config(CONFIGS / name)
        assert cfg["window"] <= 512 and cfg["infer_stride"] < cfg["window"] - 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("windw: 12\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_config(bad)
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "none.yaml")


def _tiny_config(tmp_path: Path, max_steps: int) -> Path:
    rng = random.Random(0)
    save_documents([handmade(i, rng) for i in range(12)], tmp_path / "train")
    save_documents([handmade(100 + i, rng) for i in range(3)], tmp_path / "dev")
    cfg = yaml.safe_load((CONFIGS / "tiny.yaml").read_text(encoding="utf-8"))
    cfg.update(output_dir=str(tmp_path / "model"), checkpoint_dir=str(tmp_path / "ckpt"))
    cfg["data"].update(synthetic=None, train_dirs=[str(tmp_path / "train")], dev_dir=str(tmp_path / "dev"),
                       annotated={"dir": None})
    cfg["training"].update(max_steps=max_steps, eval_steps=20)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.slow
def test_tiny_training_learns_the_handmade_reports_and_resumes(tmp_path: Path) -> None:
    from govreport.inference.tagger import Tagger
    from govreport.training.train import train

    config = _tiny_config(tmp_path, max_steps=40)
    summary = train(config)
    assert summary["steps"] == 40
    model_dir = tmp_path / "model"
    assert {"config.json", "model.safetensors", "vocab.json", "training.json"} <= {p.name for p in model_dir.iterdir()}
    cfg = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    assert len(cfg["id2label"]) == len(label_set.bio_labels())

    tagger = Tagger.from_pretrained(model_dir)
    held_out = handmade(500, random.Random(99))
    assert sorted(tagger.tag(held_out.text)) == sorted(held_out.spans)
    # the same text with full-width digits and traditional characters: same spans, original offsets
    variant = held_out.text.translate(str.maketrans("0123456789总体报", "０１２３４５６７８９總體報"))
    assert sorted(tagger.tag(variant)) == sorted(held_out.spans)

    # resume: continue from the step-40 checkpoint to 60 steps
    cfg = yaml.safe_load(config.read_text(encoding="utf-8"))
    cfg["training"]["max_steps"] = 60
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    resumed = train(config, resume=True)
    assert resumed["steps"] == 60

    # fine-tune from the trained model: same vocabulary, weights as the starting point, value F1 recorded
    tuned = train(config, output_dir=tmp_path / "tuned", init_from=model_dir)
    assert tuned["init_from"] == str(model_dir)
    assert Vocab.load(tmp_path / "tuned").tokens == Vocab.load(model_dir).tokens
    assert "eval_value_f1" in tuned["dev_metrics"]


def test_fine_tuning_refuses_a_model_with_other_inputs(tmp_path: Path) -> None:
    from govreport.training.train import load_init_model, tagger_settings

    config = load_config(_tiny_config(tmp_path, max_steps=1))
    other = tagger_settings(config)
    import dataclasses

    with pytest.raises(FileNotFoundError):
        load_init_model(tmp_path / "nowhere", other)
    model_dir = Path(__file__).resolve().parents[1] / "models" / "default"
    with pytest.raises(ValueError, match=r"other inputs|label set"):
        load_init_model(model_dir, dataclasses.replace(other, window=64))
    # a stage that refines the inputs may change the normalisation, never the window
    shipped = TaggerSettings.from_dict(json.loads((model_dir / "config.json").read_text())["govreport"])
    refined = dataclasses.replace(shipped, normalize=dataclasses.replace(shipped.normalize, max_newlines=99))
    with pytest.raises(ValueError, match="other inputs"):
        load_init_model(model_dir, refined)
    assert load_init_model(model_dir, refined, adapt_inputs=True)[0] is not None
    with pytest.raises(ValueError, match="other inputs"):
        load_init_model(model_dir, dataclasses.replace(refined, window=1024), adapt_inputs=True)
    assert load_init_model(model_dir, dataclasses.replace(refined, window=256), adapt_inputs=True)[0] is not None


def test_a_real_dev_document_in_the_training_annotations_is_refused(tmp_path: Path) -> None:
    from govreport.training.train import corpus

    config = load_config(_tiny_config(tmp_path, max_steps=1))
    doc = handmade(7, random.Random(3))
    save_documents([doc], tmp_path / "dev2")
    save_documents([doc], tmp_path / "annotated")
    config["data"].update(dev_dir=str(tmp_path / "dev2"), annotated={"dir": str(tmp_path / "annotated")})
    with pytest.raises(ValueError, match="real dev document"):
        corpus(config)


def test_the_finetune_config_reads_the_shipped_models_inputs() -> None:
    from govreport.training.train import tagger_settings

    config = load_config(CONFIGS / "finetune.yaml")
    model_dir = Path(__file__).resolve().parents[1] / "models" / "default"
    shipped = TaggerSettings.from_dict(json.loads((model_dir / "config.json").read_text())["govreport"])
    mine = tagger_settings(config)
    assert (mine.normalize, mine.geometry, mine.blank_line_cells, mine.window, mine.stride) == (
        shipped.normalize, shipped.geometry, shipped.blank_line_cells, shipped.window, shipped.stride)
