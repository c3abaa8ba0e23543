"""Duplicates: a region, indicator and quarter reported twice (the same row again, another value,
or the same value with another note)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from etl.validate.columnar import Mask, at_positions, positions, without
from etl.validate.indicators import Indicators
from etl.validate.periods import Periods
from etl.validate.regions import Codes
from etl.validate.sheet import Sheet
from etl.validate.sources import clean_sources
from etl.validate.values import Cells


@dataclass(frozen=True)
class Key:
    """One integer per row for (region, indicator, quarter), dense: quarters are numbered in
    order, so a row's previous quarter, when the file has it, is ``key - 1``."""

    values: pl.Series  # per row; null without a known region, indicator and quarter
    size: int | None  # how many keys there can be, when arrays indexed by key are used
    periods: int  # the keys of quarter p are p, p + periods, p + 2 * periods, …


def composite_key(sheet: Sheet, codes: Codes, indicators: Indicators, periods: Periods) -> Key:
    width_i, width_p = len(indicators.ids), len(periods.ids)
    size = len(codes.ids) * width_i * width_p
    arrays = sheet.use_arrays(size)  # else too many combinations for arrays: hash joins
    key_type = pl.UInt32 if arrays else pl.Int64
    key = (codes.id_rows.cast(key_type) * width_i + indicators.id_rows.cast(key_type)) * width_p
    key = key + periods.id_rows.cast(key_type)
    return Key(key, size if arrays else None, width_p)


def keyed_rows(
    sheet: Sheet, cells: Cells, valued: Mask, codes: Codes, indicators: Indicators, periods: Periods
) -> Mask:
    """The rows with a value, a known region, indicator and quarter, and a number."""
    keyed = valued
    for ids in (codes.id, indicators.id, periods.id):
        keyed = without(keyed, ids.missing())
    no_number = cells.odd.filter(cells.odd_cells["_value"].is_null())
    return without(keyed, at_positions(sheet.n, no_number))


def check_duplicates(sheet: Sheet, cells: Cells, keyed: Mask, key: Key) -> Mask:
    """duplicate-row, duplicate-key, duplicate-key-note, duplicate-key-source; the rows left to
    load (the first of each key)."""
    rows = positions(keyed, sheet.n)
    repeated = _repeated(key.values if keyed is None else key.values.gather(rows), rows, key.size)
    if not repeated.len():
        return keyed
    later = _later(sheet, repeated, key.values, cells.numbers)
    same_value = pl.col("_value") == pl.col("_first_value")
    same_note = pl.col("note").eq_missing(pl.col("_first_note"))
    same_source = pl.col("source").eq_missing(pl.col("_first_source"))
    same = same_value & same_note & same_source
    identical = later.filter(same)

    def first(record: dict[str, Any]) -> dict[str, object]:
        return {"other": record["_first_row"]}

    out = sheet.out
    out.add("duplicate-row", identical, None, None, first)
    out.add("duplicate-key", later.filter(~same & ~same_value), "value", "value", first)
    out.add("duplicate-key-note", later.filter(same_value & ~same_note), "note", "note", first)
    # same value and note, another source: which source the figure has is the bureau's call
    out.add("duplicate-key-source", later.filter(same_value & same_note & ~same_source),
            "source", "source", first)  # fmt: skip
    sheet.skipped += identical.height
    return without(keyed, at_positions(sheet.n, later["_pos"].sort()))


def _repeated(keys: pl.Series, positions: pl.Series, size: int | None) -> pl.Series:
    """Those of ``positions`` (rows with ``keys``, below ``size`` when given) whose key occurs
    more than once."""
    if size is None:
        return positions.filter(keys.is_duplicated())
    # Scatter each row's position at its key: one row owns each key, and a row that does not
    # own its key shares it with another.
    owner = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(keys, positions)
    lost = (owner.gather(keys) != positions).fill_null(True)
    if not lost.any():
        return positions.clear()
    return positions.filter(keys.is_in(keys.filter(lost).unique().implode()))


def _later(sheet: Sheet, repeated: pl.Series, key: pl.Series, numbers: pl.Series) -> pl.DataFrame:
    """The rows of ``repeated`` after the first of their key, beside that first row's ``_row``,
    ``_value`` and ``note``."""
    raw = sheet.raw
    note = raw["note"].gather(repeated).str.strip_chars()
    frame = pl.DataFrame(
        {
            "_pos": repeated,
            "_row": raw["_row"].gather(repeated),
            "_key": key.gather(repeated),
            "_value": numbers.gather(repeated),
            "note": note.set(note == "", None),  # an empty note is none, as when loaded
            "source": _sources(raw, repeated),
            "value": sheet.shown_value(repeated),
        }
    ).sort("_row")
    frame = frame.with_columns(
        pl.col("_row").first().over("_key").alias("_first_row"),
        pl.col("_value").first().over("_key").alias("_first_value"),
        pl.col("note").first().over("_key").alias("_first_note"),
        pl.col("source").first().over("_key").alias("_first_source"),
    )
    return frame.filter(pl.col("_row") != pl.col("_first_row"))


def _sources(raw: pl.DataFrame, rows: pl.Series) -> pl.Series:
    """The sources of ``rows`` as they would be stored (none where the table has no column)."""
    if "source" not in raw.columns:
        return pl.repeat(None, rows.len(), dtype=pl.String, eager=True)
    return clean_sources(raw["source"].gather(rows))
