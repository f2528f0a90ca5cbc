"""The `govreport` command: a thin layer over library functions (each importable from Python).

The library is imported inside the handlers (marked "lazy") so that `--help` and the light
subcommands do not load what the others need (torch, transformers, datasets, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# Choices come from the library's own constants (light modules: no torch, no model).
from govreport.core.document import TASK_FORMATS
from govreport.inference.batch import EXTRACT_FORMATS
from govreport.inference.export_tables import FORMATS as TABLE_FORMATS
from govreport.paths import DEFAULT_MODEL, GOLD_DIR, TRAIN_ANNOTATIONS_DIR


def _schema(args: argparse.Namespace) -> int:
    from govreport.core.schema import json_schema  # lazy: keeps --help fast

    if args.validate:
        from govreport.annotations.validate import validate_record_file  # lazy: keeps --help fast

        errors = validate_record_file(Path(args.validate))
        for e in errors:
            print(e, file=sys.stderr)
        return 1 if errors else 0
    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    return 0


def _annotate_validate(args: argparse.Namespace) -> int:
    from govreport.annotations.validate import validate_path  # lazy: keeps --help fast

    result = validate_path(Path(args.path))
    for p in result.problems:
        print(p, file=sys.stderr)
    if result.problems:
        print(f"invalid: {len(result.problems)} problem(s) in {result.documents} documents", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _annotate_config(args: argparse.Namespace) -> int:
    from govreport.annotations.formats import labelstudio_config  # lazy: keeps --help fast

    print(labelstudio_config(), end="")
    return 0


def _annotate_export(args: argparse.Namespace) -> int:
    from govreport.annotations.formats import export_documents  # lazy: keeps --help fast
    from govreport.core.document import load_documents  # lazy: keeps --help fast

    try:
        n = export_documents(load_documents(Path(args.path)), args.format, Path(args.out), args.predictions)
    except (OSError, ValueError, KeyError) as e:
        print(f"error: cannot export {args.path}: {e}", file=sys.stderr)
        return 1
    print(f"wrote {n} documents to {args.out} ({args.format})")
    return 0


def _annotate_import(args: argparse.Namespace) -> int:
    from govreport.annotations.formats import import_export  # lazy: keeps --help fast

    out = Path(args.out) if args.out else TRAIN_ANNOTATIONS_DIR
    result = import_export(Path(args.export), out, split=args.split)
    for note in result.notes:
        print(note, file=sys.stderr)
    for p in result.problems:
        print(p, file=sys.stderr)
    if result.problems:
        print(f"nothing written: {len(result.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"wrote {len(result.written)} documents to {out}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from govreport.annotations.evaluate import evaluate_paths, format_report, write_json  # lazy: keeps --help fast

    try:
        report = evaluate_paths(Path(args.gold), Path(args.pred), Path(args.save_pred) if args.save_pred else None)
    except (OSError, ValueError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(format_report(report, per_label=not args.no_labels), end="")
    if args.json:
        write_json(report, Path(args.json))
        print(f"figures written to {args.json}")
    return 0


def _extract(args: argparse.Namespace) -> int:
    from govreport.inference.batch import BatchError, extract_command  # lazy: keeps --help fast

    runner = None
    if args.ray is not None:
        from govreport.inference.ray_batch import ray_runner  # lazy: ray is an optional extra

        if args.jobs != 1:
            print("govreport extract: --jobs is for local workers; with --ray use --ray-actors", file=sys.stderr)
            return 2
        try:
            runner = ray_runner(args.ray or None, args.ray_actors)
        except BatchError as e:
            print(f"govreport extract: {e}", file=sys.stderr)
            return 2
    return extract_command(args.inputs, model=args.model, out=args.out, fmt=args.format, offsets=args.offsets,
                           jobs=args.jobs, max_bytes=args.max_bytes, runner=runner)


def _export(args: argparse.Namespace) -> int:
    from govreport.inference.export_tables import ExportError, export_tables  # lazy: keeps --help fast

    try:
        result = export_tables(Path(args.results), Path(args.out), args.format)
    except ExportError as e:
        print(f"govreport export: {e}", file=sys.stderr)
        return 1
    if result["skipped_lines"]:
        print(f"govreport export: skipped {result['skipped_lines']} malformed line(s)", file=sys.stderr)
    for name, path in result["files"].items():
        print(f"wrote {path} ({result[name]} rows)")
    return 0

def _train(args: argparse.Namespace) -> int:
    import logging

    from govreport.training.train import train  # lazy: keeps --help fast

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        summary = train(Path(args.config), resume=args.resume, output_dir=args.out, init_from=args.init_from,
                        overrides=args.overrides)
    except (OSError, ValueError) as e:
        print(f"govreport train: {e}", file=sys.stderr)
        return 1
    print(json.dumps({k: summary[k] for k in ("steps", "train_minutes", "parameters", "dev_metrics")}, indent=1))
    return 0


def _export_onnx(args: argparse.Namespace) -> int:
    from govreport.training.onnx_export import export_onnx, quantize_int8  # lazy: pulls in torch

    try:
        path = export_onnx(Path(args.model_dir))
        print(path)
        if args.int8:
            print(quantize_int8(path))
    except (OSError, ValueError) as e:
        print(f"govreport export-onnx: {e}", file=sys.stderr)
        return 1
    return 0


def _annotate_pre(args: argparse.Namespace) -> int:
    from govreport.annotations.pre import PreError, pre_annotate  # lazy: keeps --help fast

    try:
        result = pre_annotate([Path(f) for f in args.files], Path(args.out), args.format,
                              Path(args.model) if args.model else None)
    except (PreError, OSError) as e:
        print(f"govreport annotate pre: {e}", file=sys.stderr)
        return 1
    for s in result.skipped:
        print(f"skipped {s}", file=sys.stderr)
    print(f"wrote {result.documents} task(s), {result.spans} pre-annotated span(s), to {result.out}"
          + (f"; labelling config: {result.config}" if result.config else ""))
    return 0


def _queue(args: argparse.Namespace) -> int:
    from govreport.annotations.pre import PreError  # lazy: keeps --help fast
    from govreport.annotations.queue import QueueError, queue  # lazy: keeps --help fast

    try:
        result = queue([Path(f) for f in args.inputs], args.top, Path(args.out), args.format,
                       Path(args.model) if args.model else None)
    except (QueueError, PreError) as e:
        print(f"govreport queue: {e}", file=sys.stderr)
        return 1
    for note in result.notes:
        print(f"govreport queue: {note}", file=sys.stderr)
    for i, c in enumerate(result.queued, 1):
        parts = c.parts
        print(f"{i:3d}. gain {c.gain:7.3f}  {c.name}  (lowest confidence {parts['lowest_confidence']}, "
              f"identity checks failed {parts['identity_checks_failed']}, text checks failed "
              f"{parts['text_checks_failed']}{', template unknown' if parts['template_unknown'] else ''})")
    print(f"wrote {len(result.queued)} of {result.ranked} ranked document(s) to {result.out}"
          + (f"; labelling config: {result.config}" if result.config else ""))
    return 0


def _review(args: argparse.Namespace) -> int:
    from govreport.inference.review import ReviewError, write_review  # lazy: keeps --help fast

    try:
        out = write_review(Path(args.file), Path(args.html), Path(args.model) if args.model else None)
    except (ReviewError, OSError) as e:
        print(f"govreport review: {e}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


def _synth(args: argparse.Namespace) -> int:
    from govreport.training.synth import write_dataset  # lazy: keeps --help fast

    if args.n < 0:
        print("govreport synth: --n must be >= 0", file=sys.stderr)
        return 2
    try:
        out = write_dataset(args.n, args.seed, Path(args.out), progress=not args.quiet)
    except OSError as e:
        print(f"govreport synth: cannot write {args.out}: {e}", file=sys.stderr)
        return 1
    print(f"wrote {args.n} synthetic documents (seed {args.seed}) to {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govreport", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("schema", help="print the JSON Schema of the record, or validate a record file")
    p.add_argument("--validate", metavar="RECORD_JSON", help="validate a record (JSON or JSONL) instead")
    p.set_defaults(handler=_schema)

    p = sub.add_parser("annotate", help="validate annotations; Label Studio / doccano config, export, import")
    asub = p.add_subparsers(dest="annotate_command", required=True)
    a = asub.add_parser("validate", help="check Document JSON files (offsets, labels, record vs spans)")
    a.add_argument("path", help="a Document JSON file or a directory of them")
    a.set_defaults(handler=_annotate_validate)
    a = asub.add_parser("config", help="print the Label Studio labelling config XML for the label set")
    a.set_defaults(handler=_annotate_config)
    a = asub.add_parser("export", help="write Documents as Label Studio tasks or doccano JSONL")
    a.add_argument("path", help="a Document JSON file or a directory of them")
    a.add_argument("--format", choices=TASK_FORMATS, required=True)
    a.add_argument("--out", required=True, help="output file (.json for Label Studio, .jsonl for doccano)")
    a.add_argument("--predictions", action="store_true",
                   help="Label Studio: put the spans in predictions[] (pre-annotations) instead of annotations[]")
    a.set_defaults(handler=_annotate_export)
    a = asub.add_parser("import", help="validate a Label Studio / doccano export and write Documents (split=train)")
    a.add_argument("export", help="Label Studio JSON export or doccano JSONL")
    a.add_argument("--out", help="output directory (default annotations/train/)")
    a.add_argument("--split", choices=["train", "dev"], default="train",
                   help="meta.split of the written Documents: dev documents are kept for model selection "
                        "(annotations/dev/), never trained on")
    a.set_defaults(handler=_annotate_import)
    a = asub.add_parser("pre", help="pre-annotate report files with the model: Label Studio tasks or doccano JSONL")
    a.add_argument("files", nargs="+", metavar="FILE",
                   help="report files (.txt .html .pdf .docx), Document JSON, or directories of them")
    a.add_argument("--out", required=True, help="tasks file (Label Studio: the config goes beside, *.config.xml)")
    a.add_argument("--format", choices=TASK_FORMATS, default="labelstudio")
    a.add_argument("--model", help="model directory (default models/default)")
    a.set_defaults(handler=_annotate_pre)

    p = sub.add_parser("evaluate", help="score predictions (or a model) against the gold set")
    p.add_argument("--gold", default=str(GOLD_DIR), help="directory of gold Documents (default annotations/gold)")
    p.add_argument("--pred", default=str(DEFAULT_MODEL),
                   help="directory of predicted Documents, or a model directory (default models/default)")
    p.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    p.add_argument("--save-pred", metavar="DIR", help="with a model: save its predicted Documents here")
    p.add_argument("--no-labels", action="store_true", help="leave the per-label table out of the terminal report")
    p.set_defaults(handler=_evaluate)

    p = sub.add_parser("extract", help="extract records from report files (.txt .html .pdf .docx), one or a batch")
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR_OR_GLOB", help="files, directories, globs; - for stdin")
    p.add_argument("--model", default=str(DEFAULT_MODEL), help="model directory (default models/default)")
    p.add_argument("--out", help="output file; with JSONL a re-run resumes it (inputs already done are skipped)")
    p.add_argument("--format", choices=EXTRACT_FORMATS,
                   help="json: one pretty record (default for one file); jsonl: one line per input")
    p.add_argument("--offsets", action="store_true",
                   help="add provenance offsets to the record and the text they point into")
    p.add_argument("--jobs", type=int, default=1, help="worker processes, each loading the model once (default 1)")
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run the batch on a Ray cluster (needs the ray extra): alone, attach to this machine's "
                        "cluster or start one; or auto, HOST:6379, ray://HOST:10001. Put inputs before it")
    p.add_argument("--ray-actors", type=int, default=None, metavar="N",
                   help="with --ray: actors, each loading the model once (default one per CPU of the cluster)")
    p.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024,
                   help="refuse input files larger than this (default 20 MB)")
    p.set_defaults(handler=_extract)

    p = sub.add_parser("export", help="turn extract's results.jsonl into analyst tables (cells + documents)")
    p.add_argument("results", help="JSONL written by govreport extract --out")
    p.add_argument("--format", choices=TABLE_FORMATS, default="csv")
    p.add_argument("--out", required=True, help="output directory (cells.<fmt>, documents.<fmt>)")
    p.set_defaults(handler=_export)

    p = sub.add_parser("train", help="train the tagger model from a YAML config (e.g. configs/default.yaml)",
                       epilog="Any config key can be overridden after the config: --training.max_steps 100, "
                              "--data.synthetic.recipe.layout.pdf 20, --data.dev_dir null (values read as YAML).",
                       allow_abbrev=False)
    p.add_argument("config", help="training config (YAML); relative paths in it are relative to the current directory")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint in checkpoint_dir")
    p.add_argument("--out", help="model directory to write (default: output_dir of the config)")
    p.add_argument("--init-from", metavar="MODEL_DIR",
                   help="fine-tune this model (e.g. models/default) instead of starting from scratch")
    p.set_defaults(handler=_train)

    p = sub.add_parser("export-onnx", help="write MODEL_DIR/model.onnx: extract, review, evaluate then run on "
                                           "ONNX Runtime, without torch")
    p.add_argument("model_dir", help="a trained model directory (config.json, model.safetensors, vocab.json)")
    p.add_argument("--int8", action="store_true",
                   help="also write model.int8.onnx (dynamic int8 quantisation), which extract then runs "
                        "instead of model.onnx: check the model's F1 first (benchmarks/compare_onnx.py)")
    p.set_defaults(handler=_export_onnx)

    p = sub.add_parser("queue", help="the reports a person should correct first (least certain), as annotation "
                                     "tasks with the model's scores")
    p.add_argument("inputs", nargs="+", metavar="RESULTS_JSONL_OR_DIR",
                   help="govreport extract's JSONL (ranked from its records; the top N tagged again from their "
                        "files), or report files / directories (run through the model)")
    p.add_argument("--top", type=int, default=20, help="how many documents to queue (default 20)")
    p.add_argument("--out", required=True, help="tasks file (Label Studio: the config goes beside, *.config.xml)")
    p.add_argument("--format", choices=TASK_FORMATS, default="labelstudio")
    p.add_argument("--model", help="model directory (default models/default)")
    p.set_defaults(handler=_queue)

    p = sub.add_parser("review", help="write an HTML page to check one extraction: text with spans beside the tables")
    p.add_argument("file", help="a report file (run through the model) or a Document JSON with spans (and record)")
    p.add_argument("--html", required=True, help="output HTML file")
    p.add_argument("--model", help="model directory for report files (default models/default)")
    p.set_defaults(handler=_review)

    p = sub.add_parser("synth", help="generate synthetic messy reports with exact spans as a datasets dataset")
    p.add_argument("--n", type=int, required=True, help="number of documents")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (document i depends only on seed and i)")
    p.add_argument("--out", required=True, help="output directory (datasets save_to_disk)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_synth)
    return parser


def quiet_third_party() -> None:
    """No progress bars or notices from Hugging Face libraries on stderr (the "Loading weights" bar of
    every model load): set before they are imported, inherited by batch worker processes."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:  # imported already (Python callers): switch its bars off too
        sys.modules["transformers"].utils.logging.disable_progress_bar()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "train":  # the rest are config overrides (--training.max_steps 100)
        args.overrides = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler = args.handler
    if args.command != "synth":  # synth's own progress bar is its output (--quiet turns it off)
        quiet_third_party()
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except OSError as e:  # an output that cannot be written: one line, not a traceback
        name = getattr(e, "filename", None)
        print(f"govreport {args.command}: {f'{name}: ' if name else ''}{e.strerror or e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
