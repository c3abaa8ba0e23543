"""History: a stock that fell or a flow that jumped tenfold against the previous quarter, taken
from the file when it holds that quarter and from the warehouse when it does not."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from etl.validate.collector import ISSUE_CAP
from etl.validate.columnar import Lookup, Mask
from etl.validate.context import IndicatorInfo
from etl.validate.duplicates import Key
from etl.validate.indicators import Indicators
from etl.validate.periods import Periods
from etl.validate.sheet import Sheet
from model.periods import Quarter

# the current warehouse values of given keys: region_code, indicator, period → … value
PreviousLookup = Callable[[pl.DataFrame], pl.DataFrame]

NO_FALL_UNITS = {"%", "工作日"}  # a falling processing time or growth rate is not suspicious
STOCK_FELL = 1
FLOW_JUMP = 2


def trend_kind(info: IndicatorInfo | None) -> int:
    """Warn when its stock falls (1), when its flow jumps (2), or neither (0)."""
    if info is not None and info.measure == "stock" and info.unit not in NO_FALL_UNITS:
        return STOCK_FELL
    if info is not None and info.measure == "flow":
        return FLOW_JUMP
    return 0


def trend_rules(kind: pl.Expr, value: pl.Expr, previous: pl.Expr) -> list[pl.Expr]:
    """The one definition of both rules, as a flag per row named after the rule."""
    fell = (kind == STOCK_FELL) & (value < previous)
    jumped = (kind == FLOW_JUMP) & (previous > 0) & (value > 10 * previous)
    return [fell.fill_null(False).alias("stock-fell"), jumped.fill_null(False).alias("flow-jump")]


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)


def _context(record: dict[str, object]) -> dict[str, object]:
    return {"previous": _fmt(record["_prev_value"])}


def check_in_file(
    sheet: Sheet,
    clean: Mask,
    key: Key,
    indicators: Indicators,
    periods: Periods,
    numbers: pl.Series,
) -> None:
    """stock-fell and flow-jump against the clean row with the same region and indicator one
    quarter earlier (``key - 1``, unless the file does not hold the quarter before)."""
    trend = [trend_kind(i) for i in indicators.info]
    if not any(trend):
        return
    first = periods.first()
    rows = None if clean is None else clean.arg_true()
    keys = key.values if rows is None else key.values.gather(rows)
    values = numbers if rows is None else numbers.gather(rows)
    if key.size is not None:
        prev = _previous_by_array(keys, values, key.size, first)
    else:
        first_of = Lookup(pl.Series(first, dtype=pl.Boolean), periods.id_rows, len(first))
        is_first = first_of.rows() if rows is None else first_of.at(rows)
        prev = _previous_by_join(keys, values, is_first)
    kind = sheet.ind.lookup(trend, pl.UInt8)
    kinds = kind.rows() if rows is None else kind.at(rows)
    hits = pl.DataFrame({"kind": kinds, "value": values, "prev": prev}).select(
        trend_rules(pl.col("kind"), pl.col("value"), pl.col("prev"))
    )
    for hit in hits.get_columns():
        fired = hit.arg_true()
        if fired.len() == 0:
            continue
        head = fired.head(ISSUE_CAP)
        at = head if rows is None else rows.gather(head)
        listed = pl.DataFrame(
            {
                "_row": sheet.out.row.gather(at),
                "value": sheet.shown_value(at),
                "_prev_value": prev.gather(head),
            }
        )
        sheet.out.add(hit.name, listed, "value", "value", _context, count=fired.len())


def _previous_by_array(
    keys: pl.Series, values: pl.Series, size: int, first: list[bool]
) -> pl.Series:
    """Each value's previous quarter's, by an array indexed by key."""
    at = pl.repeat(None, size, dtype=pl.Float64, eager=True).scatter(keys, values)
    before = at.shift(1)
    width = len(first)  # the keys of quarter p are p, p + width, p + 2 * width, …
    cleared = [
        pl.int_range(p, size, width, dtype=pl.UInt32, eager=True)
        for p, is_first in enumerate(first)
        if is_first
    ]
    if cleared:
        before = before.scatter(pl.concat(cleared), None)
    return before.gather(keys)


def _previous_by_join(keys: pl.Series, values: pl.Series, is_first: pl.Series) -> pl.Series:
    """Each value's previous quarter's, by a hash join on key + 1."""
    known = pl.DataFrame({"k": keys + 1, "prev": values})
    prev = keys.to_frame("k").join(known, on="k", how="left", maintain_order="left")["prev"]
    return prev.set(is_first.fill_null(True), None)


def check_against_warehouse(
    sheet: Sheet, rows: pl.DataFrame, previous: PreviousLookup | None
) -> None:
    """stock-fell and flow-jump against the warehouse, for the file's quarters whose previous
    quarter the file does not hold (a quarterly upload: every row; a multi-year file: its first
    quarter).  One lookup, of just those keys."""
    if previous is None or rows.height == 0:
        return
    labels = rows["period"].unique().to_list()
    prev_of = {p: Quarter.parse(p).previous().label for p in labels}
    need = [p for p in labels if prev_of[p] not in prev_of]
    if not need:
        return
    asked = rows.filter(pl.col("period").is_in(need)).with_columns(
        pl.col("period").replace_strict(prev_of, return_dtype=pl.String).alias("_prev")
    )
    stored = previous(asked.select("region_code", "indicator", pl.col("_prev").alias("period")))
    if stored.height == 0:
        return
    kinds = pl.DataFrame(
        [(i.key, trend_kind(i)) for i in sheet.ctx.indicators.values()],
        schema={"indicator": pl.String, "_kind": pl.UInt8},
        orient="row",
    )
    joined = asked.join(
        stored.select(
            "region_code",
            "indicator",
            pl.col("period").alias("_prev"),
            pl.col("value").alias("_prev_value"),
        ),
        on=["region_code", "indicator", "_prev"],
    ).join(kinds, on="indicator")
    flags = trend_rules(pl.col("_kind"), pl.col("value"), pl.col("_prev_value"))
    for flag in flags:
        rule = flag.meta.output_name()
        hits = joined.filter(flag).sort("_row")
        listed = hits.head(ISSUE_CAP)
        shown = pl.DataFrame(
            {
                "_row": listed["_row"],
                "_value": [_fmt(v) for v in listed["value"].to_list()],
                "_prev_value": listed["_prev_value"],
            }
        )
        sheet.out.add(rule, shown, "value", "_value", _context, count=hits.height)
