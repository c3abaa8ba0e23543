"""Indicators: named (by key or Chinese name), in the catalogue, and reported by the region."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from etl.validate.columnar import Lookup, dense_ids, within
from etl.validate.context import IndicatorInfo, ValidationContext, alias_key
from etl.validate.regions import Codes, RegionPairs
from etl.validate.sheet import Sheet
from model.labels import level_label


@dataclass(frozen=True)
class Indicators:
    """The file's indicators."""

    keys: list[str | None]  # per distinct cell: the catalogue key it names, or None
    info: list[IndicatorInfo | None]  # per distinct cell
    ids: dict[str, int]  # key → 0, 1, 2, …
    id: Lookup  # per row: the id of its indicator (null: none)
    id_rows: pl.Series


def check_indicators(sheet: Sheet) -> Indicators:
    """indicator-missing and indicator-unknown; the file's indicators."""
    ind, out, ctx = sheet.ind, sheet.out, sheet.ctx
    cells = sheet.ind_norm.to_list()
    no_indicator = [not v for v in cells]
    keys = [None if not v else ctx.aliases.get(alias_key(v)) for v in cells]
    out.fire("indicator-missing", within(ind.lookup(no_indicator).mask(), sheet.alive), "indicator")
    unknown = [not m and k is None for m, k in zip(no_indicator, keys, strict=True)]
    out.fire(
        "indicator-unknown",
        within(ind.lookup(unknown).mask(), sheet.alive),
        "indicator",
        {"indicator": ind.lookup(sheet.ind_norm).at},
        "indicator",
    )
    ids = dense_ids(keys)
    ind_id = ind.lookup([None if k is None else ids[k] for k in keys], pl.UInt32)
    info = [None if k is None else ctx.indicators[k] for k in keys]
    return Indicators(keys, info, ids, ind_id, ind_id.rows())


def check_applicable(
    sheet: Sheet, codes: Codes, indicators: Indicators, pairs: RegionPairs
) -> None:
    """indicator-not-applicable: the region, valid in that quarter, does not report it."""
    not_applicable = _not_applicable(sheet.ctx, list(codes.ids), list(indicators.ids))
    if not not_applicable.any():
        return
    reports = Lookup(
        not_applicable,
        codes.id_rows * len(indicators.ids) + indicators.id_rows,
        not_applicable.len(),
    )
    valid = pairs.lookup("_valid").mask()  # None: no row names a region valid then
    fired = None if valid is None else within(within(reports.mask(), valid), sheet.alive)
    sheet.out.fire(
        "indicator-not-applicable",
        fired,
        "indicator",
        {
            "_indicator": sheet.ind.lookup(indicators.keys, pl.String).at,
            "_level": pairs.lookup("_level").at,
            "_region_name": pairs.lookup("_region_name").at,
        },
        "_indicator",
        lambda r: {
            "level": level_label(str(r["_level"])),
            "level_en": level_label(str(r["_level"]), "en"),
            "region": r["_region_name"],
        },
    )


def _not_applicable(ctx: ValidationContext, codes: list[str], keys: list[str]) -> pl.Series:
    """For each (region, indicator), region-major: True when the region does not report it."""
    reports = ctx.reported_by
    nothing: frozenset[str] = frozenset()
    flags: list[bool] = []
    for code in codes:
        reported = reports.get(code, nothing)
        flags.extend(k not in reported for k in keys)
    return pl.Series(flags, dtype=pl.Boolean)
