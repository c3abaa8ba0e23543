"""Shared fixtures: the real catalogue, the shared source documents, sample and empty warehouses,
and the command line run in this process."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from etl.build import init_warehouse
from model import paths
from model.catalogue import Catalogue, load_catalogue
from tests.cli_runner import Cli, Ran, run_main
from tests.warehouses import copy_warehouse
from warehouse import audit

SHARED_SEEDS = paths.ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def shared_seeds() -> Path:
    """The originals of ``data/seeds/``, outside the repository: only the test that compares the
    bundled copies with them uses this, and it is skipped where they are absent (a fresh clone)."""
    if not SHARED_SEEDS.is_dir():
        pytest.skip(f"the shared source documents are not here: {SHARED_SEEDS}")
    return SHARED_SEEDS


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The catalogue, its quotes checked against the bundled copies of the documents
    (``data/seeds/``; one test checks those against the shared originals)."""
    return load_catalogue(paths.TARGETS, seeds_dir=paths.SEEDS)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the bundled sample, built once per test run (about 4 s).  Tests that
    write take a copy (``tests/warehouses.py``)."""
    db = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    init_warehouse(db, sample=True)
    return db


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with dimensions and published figures but no reports, built once per run.
    Tests that write take a copy (``fresh_db``)."""
    db = tmp_path_factory.mktemp("empty") / "warehouse.duckdb"
    init_warehouse(db)
    return db


@pytest.fixture
def fresh_db(empty_db: Path, tmp_path: Path) -> Path:
    """This test's own empty warehouse (no reports, no accounts): a copy of ``empty_db``."""
    return copy_warehouse(empty_db, tmp_path / "warehouse.duckdb")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``cli("load", path, "--db", db)``: ``target-monitor`` run in this process, with what it
    printed captured (see ``tests/cli_runner.py``).  ``stdin`` feeds ``--password-stdin``."""
    # main() names the OS user for the audit log, process-wide: undone after the test
    monkeypatch.setattr(audit, "_process_user", audit.process_user())

    def run(*args: str, stdin: str | None = None) -> Ran:
        capsys.readouterr()  # only this command's output
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = run_main(args)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run
