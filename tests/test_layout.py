"""House rules that keep the layout honest: pages lay out, they do not query."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from model import paths

FORBIDDEN_IN_PAGES = {"duckdb", "polars", "sqlite3"}
PAGE_FILES = [*sorted((paths.ROOT / "pages").glob("*.py")), paths.ROOT / "dashboard.py"]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("page", PAGE_FILES, ids=lambda p: p.name)
def test_pages_import_no_database_or_dataframe_library(page: Path) -> None:
    assert _imported_modules(page) & FORBIDDEN_IN_PAGES == set()


@pytest.mark.parametrize("page", PAGE_FILES, ids=lambda p: p.name)
def test_pages_hold_no_sql(page: Path) -> None:
    text = page.read_text(encoding="utf-8").upper()
    for keyword in ("SELECT ", "INSERT INTO", "CREATE TABLE", " FROM "):
        assert keyword not in text, f"{page.name} contains SQL ({keyword.strip()})"


@pytest.mark.parametrize("package", ["model", "warehouse", "etl", "judge", "service"])
def test_core_packages_import_without_streamlit(package: str) -> None:
    for module in (paths.ROOT / package).glob("*.py"):
        assert "streamlit" not in _imported_modules(module), module.name
