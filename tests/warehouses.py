"""Warehouse files for tests: built once per run (``tests/conftest.py``), copied where a test
writes; copying takes milliseconds where building takes a second or more."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_warehouse(source: Path, target: Path) -> Path:
    """A private copy of a warehouse file, and of its WAL if one is left beside it."""
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target
