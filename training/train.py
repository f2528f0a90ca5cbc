"""Train the character tagger from a YAML config: ``train(config_path)`` (``govreport train CONFIG``).

Every hyperparameter and Trainer setting is in the config (training/config.py checks it; see
configs/default.yaml). Relative paths in it (output_dir,
checkpoint_dir, data directories: runs/, annotations/train, ...) resolve against the current directory,
so run it from the repository root as the README does. The run builds the vocabulary, cuts documents
into windows, trains with the HF Trainer (periodic evaluation on a synthetic dev split, early stopping,
checkpoints, ``resume``) and saves a model directory that ``govreport.inference.tagger.Tagger.from_pretrained`` loads.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govreport.core import labels as labelset
from govreport.core import schema
from govreport.core.document import Document, load_documents
from govreport.core.normalize import NormalizeOptions
from govreport.core.scores import span_scores, value_outcome, value_prf
from govreport.core.vocab import Vocab
from govreport.inference.decode import DecodeOptions
from govreport.inference.extract import Extractor
from govreport.inference.geometry import TYPE_VOCAB_SIZE
from govreport.inference.tagger import CONFIG_KEY, Tagger, TaggerSettings
from govreport.paths import is_model_dir
from govreport.training.config import load_config
from govreport.training.data_mix import load_annotated, mix
from govreport.training.dataset import WindowCollator, WindowSpec, build_dataset
from govreport.training.onnx_export import export_onnx
from govreport.training.synth import generate, recipe

log = logging.getLogger(__name__)

def tagger_settings(cfg: dict[str, Any]) -> TaggerSettings:
    """What the model directory records about its inputs and decoding (see inference.tagger)."""
    return TaggerSettings(window=int(cfg["window"]), stride=int(cfg["infer_stride"]),
                          normalize=NormalizeOptions.from_dict(cfg["normalize"]),
                          geometry=bool(cfg["features"]["geometry"]),
                          blank_line_cells=bool(cfg["features"].get("blank_line_cells", False)),
                          decode=DecodeOptions(**{k: bool(v) for k, v in cfg["decode"].items()}))


def synthetic_documents(n: int, seed: int, recipe_changes: dict[str, Any] | None = None) -> list[Document]:
    """Documents 0..n-1 of the synthetic corpus `seed`, generated with the recipe changed as given."""
    with recipe.overridden(recipe_changes):
        return [doc for doc, _layout in generate(n, seed)]


def corpus(cfg: dict[str, Any]) -> tuple[list[tuple[Document, int]], list[Document], list[Document]]:
    """Training ``(document, copies)`` pairs, synthetic dev documents and real dev documents
    (``data.dev_dir``: annotated reports kept for model selection, never trained on)."""
    data = cfg["data"]
    synth = data.get("synthetic")
    train_docs: list[Document] = []
    synthetic_dev: list[Document] = []
    if synth:
        changes = synth.get("recipe")
        train_docs += synthetic_documents(int(synth["n_train"]), int(synth["train_seed"]), changes)
        synthetic_dev += synthetic_documents(int(synth["n_dev"]), int(synth["dev_seed"]), changes)
    for d in data.get("train_dirs") or []:
        train_docs += list(load_documents(Path(d)))
    real_dev = list(load_documents(Path(data["dev_dir"]))) if data.get("dev_dir") else []
    annotated_cfg = data.get("annotated") or {}
    annotated = load_annotated(Path(annotated_cfg["dir"])) if annotated_cfg.get("dir") else []
    dev_ids = {d.id for d in real_dev}
    if any(d.id in dev_ids for d in annotated):
        raise ValueError("a real dev document is also in the annotated training data")
    pairs = mix(train_docs, annotated, float(annotated_cfg.get("weight", 1.0)), seed=int(cfg["seed"]))
    if not pairs:
        raise ValueError("the config gives no training documents")
    if not synthetic_dev and not real_dev:
        raise ValueError("the config gives no dev documents (data.synthetic.n_dev or data.dev_dir)")
    return pairs, synthetic_dev, real_dev


def build_model(cfg: dict[str, Any], vocab: Vocab, settings: TaggerSettings):
    """A freshly initialised token-classification encoder (no pretrained weights)."""
    from transformers import AlbertConfig, AlbertForTokenClassification, BertConfig, BertForTokenClassification

    m = cfg["model"]
    common = {
        "vocab_size": len(vocab), "hidden_size": int(m["hidden_size"]),
        "num_hidden_layers": int(m["num_hidden_layers"]), "num_attention_heads": int(m["num_attention_heads"]),
        "intermediate_size": int(m["intermediate_size"]), "max_position_embeddings": int(cfg["window"]),
        "hidden_dropout_prob": float(m["dropout"]), "attention_probs_dropout_prob": float(m["dropout"]),
        "type_vocab_size": TYPE_VOCAB_SIZE if settings.geometry else 1, "pad_token_id": vocab.pad_id,
        "id2label": labelset.id2label(), "label2id": labelset.label2id(),
    }
    if m["type"] == "bert":
        config = BertConfig(**common)
        cls = BertForTokenClassification
    elif m["type"] == "albert":  # factorised embeddings: vocab x embedding_size, then a projection
        config = AlbertConfig(**common, embedding_size=int(m["embedding_size"] or 64),
                              num_hidden_groups=int(m["num_hidden_layers"]),
                              classifier_dropout_prob=float(m["dropout"]))
        cls = AlbertForTokenClassification
    else:
        raise ValueError(f"unknown model type {m['type']!r} (bert or albert)")
    setattr(config, CONFIG_KEY, settings.to_dict())
    return cls(config)


def load_init_model(init_dir: Path, settings: TaggerSettings, adapt_inputs: bool = False):
    """The model to fine-tune and its vocabulary; refuses a model whose inputs or labels differ, unless
    ``adapt_inputs`` (a training stage that refines the inputs: the model learns them as it trains)."""
    from transformers import AutoModelForTokenClassification

    if not is_model_dir(init_dir):
        raise FileNotFoundError(f"init_from: {init_dir} is not a model directory (no config.json)")
    model = AutoModelForTokenClassification.from_pretrained(init_dir)
    saved = TaggerSettings.from_dict(getattr(model.config, CONFIG_KEY, None))
    # a refining stage may also read shorter windows: the positions it uses are trained
    shorter = adapt_inputs and settings.window <= int(model.config.max_position_embeddings)
    same_shape = saved.geometry == settings.geometry and (saved.window == settings.window or shorter)
    if not same_shape or (not adapt_inputs and (saved.normalize, saved.blank_line_cells) != (
            settings.normalize, settings.blank_line_cells)):
        raise ValueError(f"init_from: {init_dir} was trained with other inputs (normalize, features, window) "
                         "than this config; fine-tune with the config it was trained with")
    if {int(k): v for k, v in model.config.id2label.items()} != labelset.id2label():
        raise ValueError(f"init_from: {init_dir} has another label set")
    setattr(model.config, CONFIG_KEY, settings.to_dict())
    return model, Vocab.load(init_dir)


def record_metrics(model: Any, vocab: Vocab, settings: TaggerSettings, docs: list[Document]) -> dict[str, float]:
    """The figures ``govreport evaluate`` reports, for the dev documents: value-level cell F1 and
    seqeval-strict span F1 of the full pipeline (tagging, decoding, assembly) -- the one scorer."""
    extractor = Extractor(tagger=Tagger(model, vocab, settings))
    counts = {"tp": 0, "fp": 0, "fn": 0}
    pairs = []
    for doc in docs:
        result = extractor.extract(doc.text)
        pairs.append((len(doc.text), doc.spans, list(result.spans)))
        for path in schema.cell_paths(doc.record.get("template")) if doc.record else ():
            outcome = value_outcome(schema.get_path(doc.record, path), schema.get_path(result.record, path))
            for key, n in outcome.items():
                counts[key] += n
    model.train()
    return {"value_f1": value_prf(counts)["f1"] or 0.0,
            "span_f1": span_scores(pairs)["overall"]["f1"] or 0.0}


def record_metric_callback(vocab: Vocab, settings: TaggerSettings, real_dev: list[Document],
                           synthetic_dev: list[Document]) -> Any:
    """Adds the pipeline's figures to every evaluation, before the best checkpoint is chosen."""
    from transformers import TrainerCallback

    class RecordMetrics(TrainerCallback):
        def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None,
                        model: Any = None, **kwargs: Any) -> Any:
            if metrics is None or model is None:
                return control
            for prefix, docs in (("eval_", real_dev), ("eval_synthetic_", synthetic_dev)):
                if docs:
                    metrics.update({prefix + k: v for k, v in record_metrics(model, vocab, settings, docs).items()})
            # value_f1 on a small real dev split saturates (0.997 = one value in 300): the synthetic figure,
            # weighted so that it can never outweigh one real value, breaks the ties
            metrics["eval_selection"] = metrics.get("eval_value_f1", 0.0) + \
                1e-3 * metrics.get("eval_synthetic_value_f1", 0.0)
            # the Trainer logged its metrics before this callback ran: log the pipeline's figures here
            log.info("step %d: %s", state.global_step,
                     {k: round(v, 4) for k, v in metrics.items() if k.endswith(("value_f1", "span_f1"))})
            return control

    return RecordMetrics()


def make_compute_metrics(id2label: dict[int, str]):
    """Window-level diagnostics only; checkpoints are chosen by the pipeline's figures (record_metrics)."""
    import numpy as np

    def compute(eval_pred: Any) -> dict[str, float]:
        preds = np.asarray(eval_pred.predictions)
        label_ids = np.asarray(eval_pred.label_ids)
        keep = label_ids != -100
        tagged = keep & (label_ids != labelset.label2id()["O"])
        return {
            "token_accuracy": float((preds[keep] == label_ids[keep]).mean()) if keep.any() else 0.0,
            "tagged_token_recall": float((preds[tagged] == label_ids[tagged]).mean()) if tagged.any() else 0.0,
        }

    return compute


def weighted_loss(o_weight: float, num_labels: int) -> Any:
    """Cross-entropy with the O label down-weighted: ~92% of characters are O, and without this a
    small model sits for hundreds of steps predicting nothing but O."""
    import torch

    weight = torch.ones(num_labels)
    weight[labelset.label2id()["O"]] = o_weight

    def loss(outputs: Any, labels: Any, num_items_in_batch: Any = None) -> Any:
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs.logits
        return torch.nn.functional.cross_entropy(logits.reshape(-1, num_labels).float(), labels.reshape(-1),
                                                 weight=weight.to(logits.device), ignore_index=-100)

    return loss


def _argmax_logits(logits: Any, _labels: Any) -> Any:
    # Keep only the argmax: full logits of a dev set (windows x 512 x ~500 labels) would not fit in memory.
    return logits.argmax(dim=-1)


def time_limit_callback(minutes: float) -> Any:
    """A callback that stops training (evaluating and saving first) once the wall-clock budget is spent."""
    from transformers import TrainerCallback

    class TimeLimit(TrainerCallback):
        def __init__(self) -> None:
            self.deadline = time.monotonic() + minutes * 60

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if time.monotonic() > self.deadline:
                log.warning("time budget of %.1f min reached: stopping", minutes)
                control.should_training_stop = True
                control.should_evaluate = True
                control.should_save = True
            return control

    return TimeLimit()


def _warmup(value: float | int) -> float | int:
    """Warm-up as the Trainer takes it: below 1 a fraction of max_steps, else a number of steps."""
    value = float(value)
    return value if value < 1 else int(value)


def dev_window_spec(cfg: dict[str, Any]) -> WindowSpec:
    """Windows of the dev split: ``dev_stride`` apart, by default window - 2 (no overlap, each character once)."""
    window = int(cfg["window"])
    return WindowSpec(window, int(cfg["dev_stride"] or window - 2))


def training_arguments(cfg: dict[str, Any], ckpt_dir: Path) -> Any:
    """The Trainer's arguments, every one from the config (training.*, seed)."""
    from transformers import TrainingArguments

    t, seed = cfg["training"], int(cfg["seed"])
    return TrainingArguments(
        output_dir=str(ckpt_dir), max_steps=int(t["max_steps"]), per_device_train_batch_size=int(t["batch_size"]),
        per_device_eval_batch_size=int(t["batch_size"]), learning_rate=float(t["learning_rate"]),
        warmup_steps=_warmup(t["warmup"]), weight_decay=float(t["weight_decay"]),
        lr_scheduler_type=str(t["lr_scheduler"]),
        eval_strategy="steps", eval_steps=int(t["eval_steps"]), save_strategy="steps", save_steps=int(t["eval_steps"]),
        save_total_limit=int(t["save_total_limit"]), load_best_model_at_end=True,
        metric_for_best_model=str(t["best_metric"]), greater_is_better=bool(t["greater_is_better"]),
        logging_steps=int(t["logging_steps"]), seed=seed, data_seed=seed, use_cpu=bool(t["use_cpu"]),
        report_to="none", dataloader_num_workers=int(t["dataloader_workers"]), remove_unused_columns=True,
    )


def train(config_path: str | Path, resume: bool = False, output_dir: str | Path | None = None,
          init_from: str | Path | None = None, overrides: Sequence[str] | dict[str, Any] = ()) -> dict[str, Any]:
    """Train as the config says (``overrides``: see training.config); returns a summary (also written to
    ``<output_dir>/training.json``)."""
    import torch
    from transformers import EarlyStoppingCallback, Trainer, set_seed

    started = time.monotonic()
    cfg = load_config(config_path, overrides)
    if init_from is not None:
        cfg["init_from"] = str(init_from)
    torch.set_num_threads(int(cfg["threads"]))
    seed = int(cfg["seed"])
    set_seed(seed)
    out_dir = Path(output_dir or cfg["output_dir"])
    ckpt_dir = Path(cfg["checkpoint_dir"])
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    settings = tagger_settings(cfg)
    options = settings.normalize

    pairs, synthetic_dev, real_dev = corpus(cfg)
    dev_docs = synthetic_dev + real_dev
    log.info("corpus: %d training documents (%d with copies), %d synthetic dev, %d real dev", len(pairs),
             sum(c for _, c in pairs), len(synthetic_dev), len(real_dev))
    init_dir = Path(cfg["init_from"]) if cfg.get("init_from") else None
    vocab_path = ckpt_dir / "vocab.json"
    if init_dir is not None:
        model, vocab = load_init_model(init_dir, settings, bool(cfg.get("init_adapt_inputs", False)))
    elif resume and vocab_path.is_file():  # the checkpoint's embedding rows belong to this vocabulary
        vocab = Vocab.load(ckpt_dir)
    else:
        vocab = Vocab.build((d.text for d, _ in pairs), options, min_count=int(cfg["data"]["vocab_min_count"]),
                           include_ranges=bool(cfg["data"]["vocab_ranges"]))
    vocab.save(ckpt_dir)
    train_ds = build_dataset(pairs, vocab, options,
                             WindowSpec(int(cfg["window"]), int(cfg["train_stride"]), random_offset=True, seed=seed,
                                        keep_empty=float(cfg["data"]["keep_empty_windows"])),
                             settings.geometry, settings.blank_line_cells)
    dev_spec = dev_window_spec(cfg)
    dev_ds = build_dataset(dev_docs, vocab, options, dev_spec, settings.geometry, settings.blank_line_cells)

    if init_dir is None:
        model = build_model(cfg, vocab, settings)
    n_params = sum(p.numel() for p in model.parameters())
    log.info("model: %s, %.2fM parameters, vocabulary %d", cfg["model"]["type"], n_params / 1e6, len(vocab))

    t = cfg["training"]
    args = training_arguments(cfg, ckpt_dir)
    # The record callback goes first: it adds value_f1 to the metrics the early stopping then reads.
    primary, secondary = (real_dev, synthetic_dev) if real_dev else (synthetic_dev, [])
    callbacks = [record_metric_callback(vocab, settings, primary, secondary),
                 EarlyStoppingCallback(early_stopping_patience=int(t["early_stopping_patience"]))]
    if t.get("max_minutes"):
        callbacks.append(time_limit_callback(float(t["max_minutes"])))
    o_weight = float(t.get("o_weight", 1.0))
    o_loss = weighted_loss(o_weight, len(labelset.bio_labels())) if o_weight != 1.0 else None
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=dev_ds,
                      data_collator=WindowCollator(vocab.pad_id),
                      compute_metrics=make_compute_metrics(labelset.id2label()),
                      preprocess_logits_for_metrics=_argmax_logits, callbacks=callbacks,
                      compute_loss_func=o_loss)
    has_ckpt = any(ckpt_dir.glob("checkpoint-*"))
    if resume and not has_ckpt:
        log.warning("--resume: no checkpoint in %s, starting from scratch", ckpt_dir)
    trainer.train(resume_from_checkpoint=bool(resume and has_ckpt))
    metrics = trainer.evaluate()

    out_dir.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(out_dir))
    (out_dir / "training_args.bin").unlink(missing_ok=True)  # a pickle of the Trainer's args: not part of the model
    vocab.save(out_dir)
    # model.onnx beside the weights: extract, review, annotate pre and evaluate then run on ONNX Runtime
    onnx_path = export_onnx(out_dir)
    summary = {
        "config": str(config_path), "resolved_config": cfg, "steps": trainer.state.global_step,
        "train_minutes": round((time.monotonic() - started) / 60, 2), "parameters": n_params,
        "vocab_size": len(vocab), "train_documents": len(pairs), "train_windows": len(train_ds),
        "dev_documents": len(dev_docs), "real_dev_documents": len(real_dev), "dev_windows": len(dev_ds),
        "init_from": str(cfg["init_from"]) if cfg.get("init_from") else None, "onnx": onnx_path.name,
        "dev_metrics": {k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()},
    }
    (out_dir / "training.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary
