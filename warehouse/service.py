"""The dashboard's door to the warehouse: open a connection, run a named query, close.

Pages never import DuckDB or Polars-producing SQL; they call these functions, which take the
warehouse path and keyword parameters.  Caching (keyed on :func:`warehouse.connect.data_version`)
lives next to the UI, in ``target_monitor/ui.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from etl.catalogue import Catalogue
from etl.regions import Region
from warehouse import engine, queries
from warehouse.connect import connect


def info(db: Path) -> dict[str, str]:
    """``warehouse_info`` as a dict; empty when the warehouse does not exist yet."""
    if not db.exists():
        return {}
    with connect(db) as con:
        return queries.warehouse_info(con)


def is_sample(db: Path) -> bool:
    return info(db).get("sample") == "true"


def default_as_of(db: Path) -> dt.date:
    """Today, or the sample's own "today" when the warehouse holds the bundled sample."""
    value = info(db).get("default_as_of")
    return dt.date.fromisoformat(value) if value else dt.date.today()


def goal_status(
    db: Path,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    region: str | None = None,
) -> pl.DataFrame:
    """Every goal judged at ``as_of`` (see :func:`warehouse.engine.evaluate`)."""
    with connect(db) as con:
        return engine.evaluate(
            con, catalogue=catalogue, regions=regions, as_of=as_of, region=region
        )
