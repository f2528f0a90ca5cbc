"""The `govreport` command: a thin layer over library functions (each importable from Python).

Heavy imports (torch, transformers, datasets) happen inside the handlers so that `--help` and the
light subcommands start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path


def _schema(args: argparse.Namespace) -> int:
    from annotations.schema import json_schema

    if args.validate:
        from annotations.validate import validate_record_file

        errors = validate_record_file(Path(args.validate))
        for e in errors:
            print(e, file=sys.stderr)
        return 1 if errors else 0
    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"schema": _schema}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govreport", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("schema", help="print the JSON Schema of the record, or validate a record file")
    p.add_argument("--validate", metavar="RECORD_JSON", help="validate a record (JSON or JSONL) instead")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", None) or HANDLERS[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
