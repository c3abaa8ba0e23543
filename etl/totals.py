"""Jurisdiction totals against the roll-up of the level below: the ``total-rollup-gap`` warning.

A jurisdiction may report its own total for a goal on the whole jurisdiction (``model.reporting.
total_rules``); the engine then uses the total for that quarter.  Where the regions below have
reported too, the two should agree: :func:`gap_warnings` compares them for the indicators and
quarters of a batch about to be loaded (its rows counted as the latest revisions), and warns
where they differ by more than :data:`GAP_WARNING`.  The warning never refuses a batch: the
regions may simply not have reported yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from model.catalogue import Catalogue
from model.issues import Issue, make_issue
from model.jurisdictions import Jurisdictions
from model.regions import Region
from model.reporting import reporter_groups, total_pairs
from warehouse import queries

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb

GAP_WARNING = 0.05  # more than 5 % apart: a warning


def frames(
    catalogue: Catalogue, regions: Sequence[Region], jurisdictions: Jurisdictions | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(reporters, pairs)`` as :func:`warehouse.queries.total_gaps` takes them."""
    reporters = pl.DataFrame(
        reporter_groups(regions, jurisdictions),
        schema={"code": pl.String, "jurisdiction": pl.String, "level": pl.String},
        orient="row",
    )
    pairs = pl.DataFrame(
        total_pairs(catalogue, jurisdictions),
        schema={"jurisdiction": pl.String, "indicator": pl.String, "level": pl.String},
        orient="row",
    )
    return reporters, pairs


def with_gap(gaps: pl.DataFrame) -> pl.DataFrame:
    """``gaps`` with ``gap``: (roll-up − total) ÷ total, and ``large``: more than 5 % apart."""
    gap = (pl.col("rollup") - pl.col("total")) / pl.col("total")
    return gaps.with_columns(
        pl.when(pl.col("total") != 0).then(gap).otherwise(None).alias("gap")
    ).with_columns(
        (pl.col("gap").abs() > GAP_WARNING).fill_null(pl.col("rollup") != 0).alias("large")
    )


def gap_warnings(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    jurisdictions: Jurisdictions | None,
    file: str,
    sheet: str | None,
) -> list[Issue]:
    """``total-rollup-gap`` for each jurisdiction, indicator and quarter of ``rows`` where the
    total and the roll-up (with ``rows`` loaded) are more than 5 % apart; on the total's row
    when the batch holds it."""
    reporters, pairs = frames(catalogue, regions, jurisdictions)
    keys = rows.select("indicator").unique().join(pairs.select("indicator"), on="indicator")
    if keys.is_empty():
        return []
    codes = pairs["jurisdiction"].unique().to_list()
    periods = rows["period"].unique().to_list()
    # only where a total exists, in this batch or stored: a bureau's usual batch costs one probe
    if not rows["region_code"].is_in(codes).any() and not queries.has_reports(
        con, region_codes=codes, periods=periods
    ):
        return []
    gaps = queries.total_gaps(
        con,
        reporters=reporters,
        pairs=pairs,
        indicators=keys["indicator"].unique().to_list(),
        periods=periods,
        batch=rows,
    )
    large = with_gap(gaps).filter(pl.col("large"))
    names = {r.code: r.name for r in regions}
    where = {
        (code, ind, period): row
        for code, ind, period, row in rows.select(
            "region_code", "indicator", "period", "_row"
        ).iter_rows()
    }
    issues = []
    for r in large.iter_rows(named=True):
        gap = r["gap"]
        issues.append(
            make_issue(
                "total-rollup-gap",
                file=file,
                sheet=sheet,
                row=where.get((r["jurisdiction"], r["indicator"], r["period"])),
                column="value",
                value=r["indicator"],
                period=r["period"],
                jurisdiction=names.get(r["jurisdiction"], r["jurisdiction"]),
                total=f"{r['total']:g}",
                rollup=f"{r['rollup']:g}",
                reporters=r["reporters"],
                gap="—" if gap is None else f"{gap:+.1%}",
            )
        )
    return issues
