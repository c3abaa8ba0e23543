"""``target-monitor``: the command line.

Each subcommand is a thin layer over a function in ``etl/`` or ``warehouse/``; scripting and tests
depend on the exact forms documented in the README.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from etl.catalogue import Problem, read_catalogue
from etl.regions import read_regions
from target_monitor import __version__, paths
from target_monitor.catalogue_doc import render_catalogue_doc

Handler = Callable[[argparse.Namespace], int]


def _check_targets(args: argparse.Namespace) -> int:
    seeds: Path | None = args.seeds
    if seeds is None and paths.SEEDS.is_dir():
        seeds = paths.SEEDS
    catalogue, problems = read_catalogue(args.path, seeds_dir=seeds)
    region_problems: list[Problem] = []
    if catalogue is not None and args.path == paths.TARGETS:
        _, region_problems = read_regions([paths.REGIONS, paths.TOWNS])
    problems = [*problems, *region_problems]
    if args.json:
        print(json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=2))
    elif problems:
        print(f"✗ {args.path}: {len(problems)} problem(s)\n")
        for p in problems:
            print(p)
    elif catalogue is not None:
        print(
            f"✓ {args.path}: {len(catalogue.documents)} documents, "
            f"{len(catalogue.indicators)} indicators, {len(catalogue.targets)} targets, "
            f"{len(catalogue.parameters)} parameters"
            + (f"; every quote found in {seeds}" if seeds else "")
        )
    return 1 if problems else 0


def _catalogue_doc(args: argparse.Namespace) -> int:
    catalogue, problems = read_catalogue(args.path)
    if catalogue is None:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    text = render_catalogue_doc(catalogue)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="target-monitor",
        description="目标监测 Target Monitor — 中小微企业服务体系目标监测",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser(
        "check-targets",
        help="validate a targets catalogue and print every problem",
        description="Validate a targets catalogue; exit 1 and list every problem if any.",
    )
    check.add_argument("path", nargs="?", type=Path, default=paths.TARGETS, metavar="PATH")
    check.add_argument(
        "--seeds",
        type=Path,
        default=None,
        help="folder of source documents to check quotes against (default: data/seeds)",
    )
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.set_defaults(handler=_check_targets)

    doc = sub.add_parser("catalogue-doc", help="write docs/catalogue.md from the catalogue")
    doc.add_argument("path", nargs="?", type=Path, default=paths.TARGETS, metavar="PATH")
    doc.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    doc.set_defaults(handler=_catalogue_doc)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
