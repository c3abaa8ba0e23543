"""The dashboard's door to the warehouse: open a connection, run a named query, close.

Pages never import DuckDB or Polars-producing SQL; they call these functions, which take the
warehouse path and keyword parameters.  Caching (keyed on :func:`warehouse.connect.data_version`)
lives next to the UI, in ``target_monitor/ui.py``.
"""

from __future__ import annotations

from pathlib import Path

from warehouse import queries
from warehouse.connect import connect


def info(db: Path) -> dict[str, str]:
    """``warehouse_info`` as a dict; empty when the warehouse does not exist yet."""
    if not db.exists():
        return {}
    with connect(db) as con:
        return queries.warehouse_info(con)


def is_sample(db: Path) -> bool:
    return info(db).get("sample") == "true"
