"""Validate: check every row of a read table and normalise what can be normalised safely.

Every rule in :data:`model.issues.RULES` that concerns rows fires here, one module per group of
rules (:data:`REGISTRY` says which check fires which rule, and where the file and account rules
fire instead).  The work is vectorised with Polars and kept narrow, because files run to millions
of rows:

* A key column (region code, indicator, period) becomes its *distinct* values (a few thousand at
  most) and, per row, the index of its value.  Each rule is decided once per distinct value, or
  per pair of them (a region in a quarter, a region and an indicator), and looked up per row by
  index: the wide frame is never joined, copied or sorted (:mod:`etl.validate.columnar`).
* A value cell that reads as a finite number as it stands is taken as it is; only the other
  cells go through NFKC, trimming and the empty, unit and thousands checks.
* Region, indicator and quarter together make one dense integer per row, so duplicates and the
  previous quarter are found by indexing an array (hash joins when the combinations are too
  many for one; :class:`Strategy` can force either way).
* A rule that can fire on no distinct value costs nothing per row; when one fires, only the rows
  listed in the report are looked at beyond their count.

Every issue is collected; a rule that fires on very many rows lists the first :data:`ISSUE_CAP`
and counts the rest, so that a broken 4-million-row file still gets a readable report.
"""

from __future__ import annotations

from etl.read import Table
from etl.validate import (
    duplicates,
    history,
    indicators,
    layout,
    periods,
    regions,
    sources,
    units,
    values,
)
from etl.validate.cells import EMPTY_MARKERS, THOUSANDS, TOTAL_WORDS, UNIT_CHARS
from etl.validate.collector import ISSUE_CAP
from etl.validate.columnar import Strategy, dense_limit
from etl.validate.context import IndicatorInfo, ValidationContext, may_be_negative
from etl.validate.history import NO_FALL_UNITS, PreviousLookup
from etl.validate.periods import PLAN_START
from etl.validate.regions import normalise_region_code
from etl.validate.registry import REGISTRY, Check
from etl.validate.result import Validated, clean_rows
from etl.validate.sheet import Sheet

__all__ = [
    "EMPTY_MARKERS",
    "ISSUE_CAP",
    "NO_FALL_UNITS",
    "PLAN_START",
    "REGISTRY",
    "THOUSANDS",
    "TOTAL_WORDS",
    "UNIT_CHARS",
    "Check",
    "IndicatorInfo",
    "PreviousLookup",
    "Strategy",
    "Validated",
    "ValidationContext",
    "dense_limit",
    "may_be_negative",
    "normalise_region_code",
    "validate",
]


def validate(
    table: Table,
    ctx: ValidationContext,
    previous: PreviousLookup | None = None,
    *,
    strategy: Strategy | None = None,
) -> Validated:
    """Check every row.  ``previous`` is asked, once, for the current warehouse values of the
    previous quarter of the rows whose previous quarter the file does not hold
    (``region_code, indicator, period`` → ``… value``); they feed the stock-fell and flow-jump
    warnings, as the file's own earlier quarters do.  ``strategy`` forces how the work is done
    (tests); the issues and rows never depend on it."""
    sheet = Sheet.read(table, ctx, strategy or Strategy())
    layout.check_full_width(sheet)
    cells = values.read_cells(sheet)
    layout.check_skipped_rows(sheet)
    sources.check_sources(sheet)
    codes = regions.check_codes(sheet)
    quarters = periods.check_periods(sheet)
    pairs = regions.check_regions_in_time(sheet, codes, quarters)
    units.check_units(sheet, codes, quarters, pairs)
    named = indicators.check_indicators(sheet)
    indicators.check_applicable(sheet, codes, named, pairs)
    valued = values.check_cells(sheet, cells)
    values.check_ranges(sheet, cells, named, valued)
    keyed = duplicates.keyed_rows(sheet, cells, valued, codes, named, quarters)
    key = duplicates.composite_key(sheet, codes, named, quarters)
    clean = duplicates.check_duplicates(sheet, cells, keyed, key)
    history.check_in_file(sheet, clean, key, named, quarters, cells.numbers)
    rows = clean_rows(
        table.frame,
        clean,
        [
            ("region_code", sheet.code, codes.final),
            ("indicator", sheet.ind, named.keys),
            ("period", sheet.per, quarters.labels),
        ],
        cells.numbers,
    )
    history.check_against_warehouse(sheet, rows, previous)
    issues = sorted(sheet.out.issues, key=lambda i: (i.row is not None, i.row or 0, i.column or ""))
    result = Validated(issues, rows, sheet.rows_total, sheet.skipped)
    if not result.accepted:
        result.rows_skipped = sheet.rows_total
    return result
