"""Rows that hold no data (blank rows, totals rows: skipped) and cells written in full-width
characters (read as their half-width forms)."""

from __future__ import annotations

import polars as pl

from etl.validate.cells import changed, is_blank, is_total, normalised
from etl.validate.columnar import Distinct, any_of, at_positions, distinct, without
from etl.validate.sheet import Sheet


def check_full_width(sheet: Sheet) -> None:
    """full-width: NFKC changed more than the blanks around a key or a value."""
    out = sheet.out
    for column, keys, norm in (
        ("region_code", sheet.code, sheet.code_norm),
        ("period", sheet.per, sheet.per_norm),
    ):
        fired = keys.lookup(changed(keys.values, norm)).mask()
        out.fire("full-width", fired, column, {"_orig": keys.lookup(keys.values).at}, "_orig")
    wide = sheet.non_ascii.arg_true()
    if wide.len():
        cells = sheet.value.gather(wide)
        changed_cells = wide.filter(changed(cells, normalised(cells)))
        out.fire_at("full-width", changed_cells, "value", {"_orig": sheet.value.gather}, "_orig")


def check_skipped_rows(sheet: Sheet) -> None:
    """blank-row and totals-row: both are skipped; ``sheet.alive`` is what remains."""
    blank_rows = _blank_rows(sheet)
    sheet.out.fire_at("blank-row", blank_rows, None)
    blank = at_positions(sheet.n, blank_rows)
    sheet.rows_total = sheet.n - blank_rows.len()

    labels: list[tuple[Distinct, pl.Series]] = [
        (sheet.code, sheet.code_norm),
        (sheet.ind, sheet.ind_norm),
    ]
    if "region_name" in sheet.raw.columns:
        (names,) = distinct(sheet.raw, "region_name", runs=sheet.strategy.runs)
        labels.append((names, names.values))
    # decided once per distinct label, not once per row
    total = any_of(keys.lookup(is_total(v)).mask() for keys, v in labels)
    if total is not None and blank is not None:
        total = total & ~blank

    def label_at(positions: pl.Series) -> pl.Series:
        parts = {f"l{i}": keys.lookup(v).at(positions) for i, (keys, v) in enumerate(labels)}
        return pl.DataFrame(parts).select(pl.coalesce(*parts)).to_series()

    fields = {"_label": label_at}
    sheet.skipped += sheet.out.fire("totals-row", total, "region_code", fields, "_label")
    sheet.alive = without(without(None, blank), total)


def _blank_rows(sheet: Sheet) -> pl.Series:
    """The positions of rows whose every cell is blank."""
    empty = [
        keys.lookup(is_blank(norm)).mask()
        for keys, norm in (
            (sheet.code, sheet.code_norm),
            (sheet.ind, sheet.ind_norm),
            (sheet.per, sheet.per_norm),
        )
    ]
    if empty[0] is None or empty[1] is None or empty[2] is None:
        return pl.Series([], dtype=pl.UInt32)
    candidates = (empty[0] & empty[1] & empty[2]).arg_true()
    note = sheet.raw["note"].gather(candidates).str.strip_chars()
    blank_cells = is_blank(sheet.shown_value(candidates)) & is_blank(note)
    return candidates.filter(blank_cells)
