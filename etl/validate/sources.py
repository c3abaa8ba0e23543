"""Sources: the optional ``source`` column (来源 / 数据来源), where each figure came from.

A source is free text (a URL, or a document's title and date) kept with the row as the uploader
wrote it, trimmed; an empty cell, or one of the empty markers (``-``, ``无``, …), is no source.
Two things refuse the batch:

* ``source-too-long``: over :data:`MAX_SOURCE_CHARS` characters (a source names a document, it
  does not hold it);
* ``source-formula``: text that a spreadsheet would run as a formula when the data is exported
  and opened again (it starts with ``=``, ``+``, ``-`` or ``@``, full-width forms included: CSV
  or formula injection, OWASP).  A formula *cell* of an XLSX file is found by the reader, from
  the sheet's XML (:mod:`etl.read.xlsx`), and is not reported twice.
"""

from __future__ import annotations

import polars as pl

from etl.validate.cells import EMPTY_MARKERS
from etl.validate.columnar import positions
from etl.validate.sheet import Sheet

MAX_SOURCE_CHARS = 2000
FORMULA_START = r"^[=+\-@＝＋－＠]"


def clean_sources(cells: pl.Series) -> pl.Series:
    """The sources as stored: trimmed; empty cells and empty markers are none."""
    trimmed = cells.str.strip_chars()
    empty = trimmed.is_null() | trimmed.str.to_lowercase().is_in(EMPTY_MARKERS)
    return trimmed.set(empty.fill_null(True), None).alias("source")


def check_sources(sheet: Sheet) -> None:
    """source-too-long and source-formula, on the rows that are still data."""
    if "source" not in sheet.raw.columns:  # a table built without one (tests, benchmarks)
        return
    raw = sheet.raw["source"]
    if raw.null_count() == raw.len():  # no source column, or an empty one: nothing to check
        return
    alive = positions(sheet.alive, sheet.n)
    cells = clean_sources(raw.gather(alive))
    flagged = {row for row, column in sheet.table.flagged if column == "source"}
    rows = sheet.raw["_row"].gather(alive)
    not_flagged = ~rows.is_in(list(flagged)) if flagged else pl.repeat(True, rows.len(), eager=True)
    length = cells.str.len_chars().fill_null(0)
    too_long = alive.filter((length > MAX_SOURCE_CHARS) & not_flagged)
    sheet.out.fire_at(
        "source-too-long",
        too_long,
        "source",
        {"_length": lambda at: _length_at(sheet, at)},
        "_length",
        lambda _: {"limit": f"{MAX_SOURCE_CHARS:,}"},
    )
    formula = cells.str.contains(FORMULA_START).fill_null(False) & not_flagged
    sheet.out.fire_at(
        "source-formula",
        alive.filter(formula),
        "source",
        {"_shown": lambda at: _shown_at(sheet, at)},
        "_shown",
    )


def _length_at(sheet: Sheet, at: pl.Series) -> pl.Series:
    return clean_sources(sheet.raw["source"].gather(at)).str.len_chars().cast(pl.String)


def _shown_at(sheet: Sheet, at: pl.Series) -> pl.Series:
    """The start of a cell, as a message can show it."""
    return clean_sources(sheet.raw["source"].gather(at)).str.slice(0, 60)
