"""Load the dimensions (documents, indicators, targets, parameters, regions, periods).

Dimensions come from files reviewed like code (``targets.yaml``, ``data/regions.csv``,
``data/towns.csv``); they are replaced as a whole in one transaction whenever the warehouse is
initialised, so the warehouse always describes the catalogue it was built with.  Facts are never
touched here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from model.catalogue import Catalogue
from model.jurisdictions import Jurisdictions
from model.periods import Quarter, quarters_between
from model.regions import Region
from model.reporting import jurisdiction_of

SINCE_EVER = dt.date(1900, 1, 1)
WINDOWS = {"十二五 2011-2015": (2011, 2015), "十三五 2016-2020": (2016, 2020)}
FIRST_YEAR, LAST_YEAR = 2011, 2030


def _documents(c: Catalogue) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (d.id, d.number, d.title, d.issuer, d.date, d.jurisdiction, d.seed_file, d.note)
            for d in c.documents
        ],
        schema=[
            "id",
            "number",
            "title",
            "issuer",
            "issued_on",
            "jurisdiction",
            "seed_file",
            "note",
        ],
        orient="row",
    )


def _indicators(c: Catalogue) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (
                i.key,
                i.name_zh,
                i.name_en,
                i.unit,
                i.measure,
                i.rollup,
                i.numerator,
                i.denominator,
                i.definition,
            )
            for i in c.indicators
        ],
        schema=[
            "key",
            "name_zh",
            "name_en",
            "unit",
            "measure",
            "rollup",
            "numerator",
            "denominator",
            "definition",
        ],
        orient="row",
    )


def _targets(c: Catalogue) -> pl.DataFrame:
    rows = []
    for t in c.targets:
        rows.append(
            {
                "id": t.id,
                "document": t.document,
                "article": t.article,
                "quote": t.quote,
                "indicator": t.indicator,
                "jurisdiction": t.scope.jurisdiction,
                "level": t.scope.level,
                "applies_to": t.scope.applies_to,
                "unit_kind": t.scope.unit_kind,
                "reported_by": list(t.reported_by),
                "kind": t.kind,
                "comparator": t.comparator,
                "value": None if t.value is None else float(t.value),
                "min_value": None if t.min is None else float(t.min),
                "max_value": None if t.max is None else float(t.max),
                "unit": t.unit,
                "start_date": t.start,
                "deadline": t.deadline,
                "recurrence": t.recurrence,
                "reference_indicator": t.reference_indicator,
                "baseline_value": None if t.baseline is None else float(t.baseline.value),
                "baseline_date": None if t.baseline is None else t.baseline.date,
                "lead": list(t.lead),
                "participants": list(t.participants),
                "headline": t.headline,
                "note": t.note,
            }
        )
    return pl.DataFrame(
        rows,
        schema_overrides={
            "value": pl.Float64,
            "min_value": pl.Float64,
            "max_value": pl.Float64,
            "baseline_value": pl.Float64,
            "baseline_date": pl.Date,
            "unit_kind": pl.String,
            "reference_indicator": pl.String,
            "note": pl.String,
            "lead": pl.List(pl.String),
            "participants": pl.List(pl.String),
        },
    )


def _parameters(c: Catalogue) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (
                p.id,
                p.document,
                p.article,
                p.quote,
                p.name_zh,
                None if p.value is None else float(p.value),
                None if p.min is None else float(p.min),
                None if p.max is None else float(p.max),
                p.unit,
                p.note,
            )
            for p in c.parameters
        ],
        schema={
            "id": pl.String,
            "document": pl.String,
            "article": pl.String,
            "quote": pl.String,
            "name_zh": pl.String,
            "value": pl.Float64,
            "min_value": pl.Float64,
            "max_value": pl.Float64,
            "unit": pl.String,
            "note": pl.String,
        },
        orient="row",
    )


def _regions(regions: Sequence[Region], known: Jurisdictions | None) -> pl.DataFrame:
    jurisdictions = jurisdiction_of(regions, known)
    return pl.DataFrame(
        [
            (
                r.code,
                r.valid_from or SINCE_EVER,
                r.valid_to,
                r.name,
                r.level,
                r.parent_code,
                jurisdictions.get(r.code, ""),
                r.province_administered,
                r.source,
                r.note,
            )
            for r in regions
        ],
        schema={
            "code": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "name": pl.String,
            "level": pl.String,
            "parent_code": pl.String,
            "jurisdiction": pl.String,
            "province_administered": pl.Boolean,
            "source": pl.String,
            "note": pl.String,
        },
        orient="row",
    )


def _periods() -> pl.DataFrame:
    rows: list[tuple[object, ...]] = []
    for q in quarters_between(Quarter(FIRST_YEAR, 1), Quarter(LAST_YEAR, 4)):
        rows.append((q.label, "quarter", q.start, q.end, q.year, q.quarter, q.label_zh()))
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        rows.append(
            (str(year), "year", dt.date(year, 1, 1), dt.date(year, 12, 31), year, None, f"{year}年")
        )
    for label, (first, last) in WINDOWS.items():
        rows.append(
            (label, "window", dt.date(first, 1, 1), dt.date(last, 12, 31), None, None, label)
        )
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "kind": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "year": pl.Int32,
            "quarter": pl.Int32,
            "label_zh": pl.String,
        },
        orient="row",
    )


def load_dimensions(
    con: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
    regions: Sequence[Region],
    jurisdictions: Jurisdictions | None = None,
) -> dict[str, int]:
    """Replace every dimension table in one transaction; return row counts per table
    (``jurisdictions``: ``data/jurisdictions.yaml`` unless given)."""
    frames = {
        "documents": _documents(catalogue),
        "indicators": _indicators(catalogue),
        "targets": _targets(catalogue),
        "parameters": _parameters(catalogue),
        "regions": _regions(regions, jurisdictions),
        "periods": _periods(),
    }
    con.execute("BEGIN TRANSACTION")
    try:
        for table, frame in frames.items():
            con.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants above
            con.register("_dim", frame)
            columns = ", ".join(frame.columns)
            con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _dim")  # noqa: S608
            con.unregister("_dim")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {table: frame.height for table, frame in frames.items()}
