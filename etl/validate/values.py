"""Values: filled in, a plain number (no unit, no thousands separators), and within the range of
what the indicator measures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from etl.validate.cells import read_values
from etl.validate.columnar import Mask, at_positions, in_scope, within, without
from etl.validate.indicators import Indicators
from etl.validate.sheet import Sheet


@dataclass(frozen=True)
class Cells:
    """The value column read as numbers.

    A value that reads as a finite number as it stands, in plain ASCII, has no blanks to trim,
    nothing for NFKC to change, no unit, no separator, and is no empty marker.  Only the other
    ("odd") cells are read the long way, by :func:`etl.validate.cells.read_values`."""

    odd: pl.Series  # the positions of the odd cells, ascending
    odd_cells: pl.DataFrame  # read_values of the odd cells
    numbers: pl.Series  # per row: the number (Float64), or null

    def field(self, column: str) -> Callable[[pl.Series], pl.Series]:
        """A column of ``odd_cells`` at given (odd) positions."""
        return lambda positions: self.odd_cells[column].gather(self.odd.search_sorted(positions))

    def odd_where(self, column: str) -> pl.Series:
        """The positions of the odd cells whose flag ``column`` is set."""
        return self.odd.filter(self.odd_cells[column])


def read_cells(sheet: Sheet) -> Cells:
    value = sheet.value
    number = value.cast(pl.Float64, strict=False)
    odd = (~(number.is_finite() & ~sheet.non_ascii).fill_null(False)).arg_true()
    odd_cells = read_values(value.gather(odd))
    numbers = number.scatter(odd, odd_cells["_value"]) if odd.len() else number
    return Cells(odd, odd_cells, numbers)


def check_cells(sheet: Sheet, cells: Cells) -> Mask:
    """value-missing, value-unit, value-thousands and value-not-number: only odd cells can be
    empty, carry a unit or separators, or fail to read.  The rows alive with a value filled in."""
    out, odd, flags = sheet.out, cells.odd, cells.odd_cells
    odd_alive = in_scope(sheet.alive, odd)
    flagged = [r for r, c in sheet.table.flagged if c == "value"]  # reported by the reader
    unflagged = ~sheet.raw["_row"].gather(odd).is_in(flagged) if flagged else odd_alive
    missing_rows = odd.filter(flags["_empty"] & odd_alive & unflagged)
    shown = {"value": sheet.shown_value}
    out.fire_at("value-missing", missing_rows, "value", shown, "value")
    sheet.skipped += missing_rows.len()
    valued = without(sheet.alive, at_positions(sheet.n, cells.odd_where("_empty")))
    odd_valued = odd_alive & ~flags["_empty"]
    out.fire_at("value-unit", odd.filter(odd_valued & flags["_unit"]), "value", shown, "value")
    out.fire_at(
        "value-thousands",
        odd.filter(odd_valued & flags["_thousands"]),
        "value",
        {"value": sheet.shown_value, "_clean": cells.field("_clean")},
        "value",
        lambda r: {"normalised": r["_clean"]},
    )
    not_number = odd_valued & flags["_value"].is_null() & ~flags["_unit"]
    out.fire_at("value-not-number", odd.filter(not_number), "value", shown, "value")
    return valued


def check_ranges(sheet: Sheet, cells: Cells, indicators: Indicators, valued: Mask) -> None:
    """negative-count (a count or level below zero) and percent-over-100 (a share above 100)."""
    info = indicators.info
    never_negative = [i is not None and not i.allows_negative for i in info]
    percent = [i is not None and i.unit == "%" and not i.allows_negative for i in info]
    numbers = cells.numbers
    for rule_id, out_of_range, applies in (
        ("negative-count", numbers < 0, never_negative),
        ("percent-over-100", numbers > 100, percent),
    ):
        if out_of_range.any():
            fired = within(sheet.ind.lookup(applies).mask(), valued)
            fired = within(fired, out_of_range.fill_null(False))
            sheet.out.fire(rule_id, fired, "value", {"value": sheet.shown_value}, "value")
