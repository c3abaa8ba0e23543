"""The outcome of validation: every issue, and the rows that would be loaded."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from etl.validate.columnar import Distinct, Mask
from etl.validate.sources import clean_sources
from model.issues import Issue


@dataclass
class Validated:
    """The outcome: every issue, and the rows that would be loaded (typed and normalised)."""

    issues: list[Issue]
    rows: pl.DataFrame  # _row, region_code, indicator, period, value (Float64), note, source
    rows_total: int
    rows_skipped: int

    @property
    def accepted(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


def clean_rows(
    raw: pl.DataFrame,
    clean: Mask,
    keys: list[tuple[str, Distinct, list[str | None]]],
    numbers: pl.Series,
) -> pl.DataFrame:
    """The rows to load: ``_row``, the normalised keys, the value, the note and the source."""

    def rows_of(series: pl.Series) -> pl.Series:
        return series if clean is None else series.filter(clean)

    columns = [rows_of(raw["_row"])]
    for name, distinct, normalised in keys:
        cells = distinct.values.to_list()
        as_written = all(v is None or v == c for v, c in zip(normalised, cells, strict=True))
        # A string of up to 12 bytes sits inside its view: sharing the column read costs nothing.
        # Longer ones are copied from the distinct values, so that the column's buffer goes.
        if as_written and bool((distinct.values.str.len_bytes() <= 12).all()):
            columns.append(rows_of(raw[name]))
        else:
            entries = pl.Series(name, normalised, dtype=pl.String)
            columns.append(entries.gather(rows_of(distinct.slot)))
    columns.append(rows_of(numbers).alias("value"))
    note = rows_of(raw["note"])
    if note.null_count() < note.len():  # trimmed, and empty notes are none
        note = note.str.strip_chars()
        note = note.set(note == "", None)
    columns.append(note)
    source = rows_of(raw["source"]) if "source" in raw.columns else None
    if source is None or source.null_count() == source.len():
        columns.append(pl.repeat(None, len(note), dtype=pl.String, eager=True).alias("source"))
    else:  # trimmed, and empty sources are none (etl.validate.sources)
        columns.append(clean_sources(source))
    return pl.DataFrame(columns)
