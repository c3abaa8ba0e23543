"""Shared fixtures: the real catalogue, the shared source documents, sample and empty warehouses."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.build import init_warehouse
from model import paths
from model.catalogue import Catalogue, load_catalogue

SHARED_SEEDS = paths.ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def shared_seeds() -> Path:
    assert SHARED_SEEDS.is_dir(), f"the shared source documents are missing: {SHARED_SEEDS}"
    return SHARED_SEEDS


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The catalogue, its quotes checked against the bundled copies of the documents
    (``data/seeds/``; one test checks those against the shared originals)."""
    return load_catalogue(paths.TARGETS, seeds_dir=paths.SEEDS)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the bundled sample, built once per test run (about 4 s)."""
    db = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    init_warehouse(db, sample=True)
    return db


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with dimensions and published figures but no reports."""
    db = tmp_path_factory.mktemp("empty") / "warehouse.duckdb"
    init_warehouse(db)
    return db
