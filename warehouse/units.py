"""The register of units in the warehouse (``009_units.sql``): read it, add to it.

:func:`register_units` appends the units of a checked file (:mod:`model.unit_file`) in one
transaction: a unit not registered yet is revision 1, a registered version given again with other
fields is its next revision, an identical one is left alone; the addition is audited in the same
transaction.  :func:`unit_register` returns the current register (each version's latest revision).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from model.units import Unit, units_of_frame
from warehouse.audit import audit

SINCE_EVER = dt.date(1900, 1, 1)
_FIELDS = ("valid_to", "name", "kind", "level", "parent_code", "source", "note")


@dataclass(frozen=True)
class Registered:
    new: int
    changed: int
    unchanged: int


def unit_register(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The current register: code, valid_from (1900-01-01: since ever), valid_to, name, kind,
    level, parent_code, source, note, origin, file_name, added_by, added_at, revision."""
    rows = con.execute(
        "SELECT code, valid_from, valid_to, name, kind, level, parent_code, source, note, origin,"
        " file_name, added_by, added_at, revision FROM current_units ORDER BY code, valid_from"
    ).fetchall()
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "code": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "name": pl.String,
    "kind": pl.String,
    "level": pl.String,
    "parent_code": pl.String,
    "source": pl.String,
    "note": pl.String,
    "origin": pl.String,
    "file_name": pl.String,
    "added_by": pl.String,
    "added_at": pl.Datetime("us"),
    "revision": pl.Int32,
}


def units_on_time(con: duckdb.DuckDBPyConnection, *, due_days: int) -> set[tuple[str, str, str]]:
    """``(unit code, indicator, period)`` of the registered units' figures whose first revision
    was submitted by the end of the due day (quarter end + ``due_days``, Beijing time), as
    :func:`warehouse.queries.report_aggregates` counts a region's report on time."""
    try:
        rows = con.execute(
            """
            SELECT r.region_code, r.indicator, r.period
            FROM reports r JOIN periods p ON p.period = r.period
            WHERE r.region_code IN (SELECT code FROM units)
            GROUP BY r.region_code, r.indicator, r.period, p.end_date
            HAVING min(r.submitted_at) < p.end_date + to_days(? + 1) - INTERVAL 8 HOUR
            """,
            [due_days],
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse from before 009_units
        return set()
    return {(str(c), str(i), str(p)) for c, i, p in rows}


def unit_table_or_empty(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """:func:`unit_register`, or an empty register in a warehouse from before ``009_units``."""
    try:
        return unit_register(con)
    except duckdb.CatalogException:
        return pl.DataFrame(schema=_SCHEMA)


def registered_units(con: duckdb.DuckDBPyConnection) -> list[Unit]:
    """The current register as :class:`model.units.Unit` objects (none in a warehouse from
    before ``009_units``, opened read-only and not yet migrated)."""
    return units_of_frame(unit_table_or_empty(con).iter_rows(named=True))


def register_units(
    con: duckdb.DuckDBPyConnection,
    units: Sequence[Unit],
    *,
    actor: str,
    file_name: str,
    at: dt.datetime,
    origin: str,
    quiet: bool = False,
) -> Registered:
    """Append ``units`` (checked already) as one transaction, audited; return the counts.
    ``quiet``: no audit row when nothing changed (``init`` synchronising ``data/units.csv``)."""
    con.execute("BEGIN TRANSACTION")
    try:
        counts = _append(con, units, actor=actor, file_name=file_name, at=at, origin=origin)
        if not quiet or counts.new or counts.changed:
            audit(con, at=at, actor=actor, action="units_add", target=file_name,
                  detail={"origin": origin, "new": counts.new, "changed": counts.changed,
                          "unchanged": counts.unchanged,
                          "codes": [u.code for u in units][:50]})  # fmt: skip
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _append(
    con: duckdb.DuckDBPyConnection,
    units: Sequence[Unit],
    *,
    actor: str,
    file_name: str,
    at: dt.datetime,
    origin: str,
) -> Registered:
    current = {(r["code"], r["valid_from"]): r for r in unit_register(con).iter_rows(named=True)}
    rows = []
    new = changed = 0
    for u in units:
        since = u.valid_from or SINCE_EVER
        fields = (u.valid_to, u.name, u.kind, u.level, u.parent_code, u.source, u.note)
        old = current.get((u.code, since))
        if old is not None and tuple(old[f] for f in _FIELDS) == fields:
            continue
        revision = 1 if old is None else int(old["revision"]) + 1
        new, changed = (new + 1, changed) if old is None else (new, changed + 1)
        rows.append((u.code, since, revision, *fields, origin, file_name, actor, at))
    if rows:
        con.executemany(
            "INSERT INTO units (code, valid_from, revision, valid_to, name, kind, level,"
            " parent_code, source, note, origin, file_name, added_by, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return Registered(new, changed, len(units) - new - changed)
