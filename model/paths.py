"""Where the project's files live.  Everything is relative to the repository root."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TARGETS = ROOT / "targets.yaml"
SEEDS = DATA / "seeds"
REGIONS = DATA / "regions.csv"
TOWNS = DATA / "towns.csv"
JURISDICTIONS = DATA / "jurisdictions.yaml"
DEFAULT_DB = DATA / "warehouse.duckdb"
CATALOGUE_DOC = ROOT / "docs" / "catalogue.md"
