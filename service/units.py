"""The register of units for the interface: list it, name its units, add to it (admin).

Pages never query: they call these, which read the warehouse through :mod:`warehouse.units` and
add units through :func:`etl.register.add_units` (checked whole, audited).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from etl.register import UnitsAdded, add_units
from model.units import Unit
from warehouse import accounts
from warehouse.connect import connect
from warehouse.units import registered_units, unit_table_or_empty


def units(db: Path | str) -> list[Unit]:
    """The current register (every unit version)."""
    with connect(db) as con:
        return registered_units(con)


def unit_table(db: Path | str) -> pl.DataFrame:
    """The current register as a table for the admin page."""
    with connect(db) as con:
        return unit_table_or_empty(con)


def unit_names(db: Path | str) -> dict[str, str]:
    """Unit code → name, for lists of units short of a goal."""
    return {u.code: u.name for u in units(db)}


def add_unit_file(db: Path | str, data: bytes, name: str, *, actor: accounts.User) -> UnitsAdded:
    """Register the units of a CSV as ``actor`` (an admin), or nothing (every problem listed)."""
    return add_units(data, name, db=Path(db), actor=actor)
