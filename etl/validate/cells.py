"""How a cell is read: NFKC (全角 → 半角), trimmed, and what counts as empty, a unit, a thousands
separator or a totals label."""

from __future__ import annotations

import re

import polars as pl

EMPTY_MARKERS = [
    "",
    "-",
    "--",
    "—",
    "——",
    "–",
    "/",
    "n/a",
    "na",
    "null",
    "none",
    "暂无",
    "无",
    "空",
]
TOTAL_WORDS = r"(合计|总计|小计|^total$|^sum$)"
UNIT_CHARS = r"[万亿千百%‰元个家人次项场期份平方米㎡]"
THOUSANDS = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"


def nfkc(column: pl.Expr) -> pl.Expr:
    """NFKC (全角 → 半角) where a cell has non-ASCII characters; ASCII cells pass untouched."""
    return (
        pl.when(column.str.contains(r"[^\x00-\x7f]"))
        .then(column.str.normalize("NFKC"))
        .otherwise(column)
    )


def normalised(cells: pl.Series) -> pl.Series:
    """Keys and values are read through NFKC (全角 digits) and trimmed."""
    return cells.to_frame("v").select(nfkc(pl.col("v")).str.strip_chars()).to_series()


def changed(cells: pl.Series, normalised: pl.Series) -> pl.Series:
    """Where NFKC changed more than surrounding blanks: the cell had full-width characters."""
    differs = pl.DataFrame({"raw": cells, "v": normalised}).select(
        pl.col("v").is_not_null()
        & (pl.col("v").str.len_chars() > 0)
        & (pl.col("v") != pl.col("raw").str.strip_chars())
    )
    return differs.to_series().fill_null(False)


def is_blank(cells: pl.Series) -> pl.Series:
    return (cells.is_null() | (cells == "")).fill_null(False)


def is_total(labels: pl.Series) -> list[bool]:
    return [bool(v) and re.search(TOTAL_WORDS, v.lower()) is not None for v in labels.to_list()]


def read_values(cells: pl.Series) -> pl.DataFrame:
    """The value rules' view of each cell: ``value`` (normalised), ``_empty``, ``_unit``,
    ``_thousands``, ``_clean`` (separators removed) and ``_value`` (the number, or null)."""
    value = pl.col("value")
    thousands = value.str.contains(THOUSANDS)
    clean = pl.when(thousands).then(value.str.replace_all(",", "")).otherwise(value)
    number = clean.cast(pl.Float64, strict=False)
    return (
        normalised(cells)
        .to_frame("value")
        .with_columns(
            (value.is_null() | value.str.to_lowercase().is_in(EMPTY_MARKERS))
            .fill_null(False)
            .alias("_empty"),
            value.str.contains(UNIT_CHARS).fill_null(False).alias("_unit"),
            thousands.fill_null(False).alias("_thousands"),
            clean.alias("_clean"),
            pl.when(number.is_finite()).then(number).otherwise(None).alias("_value"),
        )
    )
