"""``check-targets`` and ``catalogue-doc``: the targets catalogue checked against its sources,
the jurisdictions and the regions (or the ``reported_by`` each scope suggests), and written out
as ``docs/catalogue.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from model import paths
from model.catalogue import read_catalogue, read_yaml
from model.jurisdictions import check_against_regions, read_jurisdictions
from model.regions import read_regions
from model.reporting import Suggestion, check_reported_by, suggest_reported_by
from model.unit_file import check_unit_file
from model.units import UNITS, check_unit_kinds


def _check_targets(args: argparse.Namespace) -> int:
    seeds: Path | None = args.seeds
    if seeds is None and paths.SEEDS.is_dir():
        seeds = paths.SEEDS
    if args.suggest_reported_by:
        return _suggest_reported_by(args)
    catalogue, problems = read_catalogue(args.path, seeds_dir=seeds)
    jurisdictions, more = read_jurisdictions(args.jurisdictions)
    if catalogue is not None and args.path == paths.TARGETS:
        regions, region_problems = read_regions([paths.REGIONS, paths.TOWNS])
        more += region_problems
        if jurisdictions is not None and not region_problems:
            more += check_against_regions(jurisdictions, regions)
            more += check_reported_by(catalogue, regions, jurisdictions)
            more += check_unit_file(UNITS, regions)
    if catalogue is not None:
        more += check_unit_kinds(catalogue)
    problems = [*problems, *more]
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


def _suggest_reported_by(args: argparse.Namespace) -> int:
    """Print the ``reported_by`` derived from each target's scope, marking where the catalogue
    says something else or nothing."""
    jurisdictions, problems = read_jurisdictions(args.jurisdictions)
    data, read_problems = read_yaml(args.path)
    suggestions: list[Suggestion] = []
    if jurisdictions is not None and not read_problems:
        suggestions, problems = suggest_reported_by(data, jurisdictions)
    problems = [*problems, *read_problems]
    if args.json:
        rows = [
            {
                "path": f"targets[{s.index}].reported_by",
                "target": s.target_id,
                "written": None if s.written is None else list(s.written),
                "suggested": list(s.suggested),
            }
            for s in suggestions
        ]
        print(json.dumps(rows or [asdict(p) for p in problems], ensure_ascii=False, indent=2))
        return 1 if problems else 0
    for p in problems:
        print(p)
    differ = [s for s in suggestions if s.written != s.suggested]
    for s in differ:
        now = "missing" if s.written is None else f"[{', '.join(s.written)}]"
        print(
            f"targets[{s.index}] {s.target_id}: reported_by: [{', '.join(s.suggested)}]"
            f"  (written: {now})"
        )
    if suggestions:
        print(
            f"{len(suggestions) - len(differ)} of {len(suggestions)} targets say what the scope "
            "suggests; the suggestion is derived from the scope and data/jurisdictions.yaml, "
            "the catalogue decides"
        )
    return 1 if problems else 0


def _catalogue_doc(args: argparse.Namespace) -> int:
    from target_monitor.catalogue_doc import render_catalogue_doc

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
