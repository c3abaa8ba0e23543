"""One goal in detail, for the goal-detail page and the briefing: :func:`goal_detail`.

Its row of :func:`judge.status.evaluate`; its quarterly series over the window with the planned
trajectory (:func:`_planned`) and the straight-line projection from the latest figure to the
deadline; and each reporting region's own figure at the latest quarter, whether it meets the
threshold (goals judged unit by unit) and its share of an additive total (:func:`_region_values`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from judge.aggregates import Reporters, _aggregates, _Context, now_quarter
from judge.attainment import Goal, meets, planned_at
from judge.series import Basis, _goal_series
from judge.status import evaluate
from judge.units import _is_unit_goal, _unit_goal, _unit_rows, _unit_value, unit_register
from model.catalogue import Catalogue, Target
from model.jurisdictions import Jurisdictions
from model.kinds import KINDS
from model.periods import Quarter
from model.regions import Region
from model.reporting import reported_indicators

if TYPE_CHECKING:  # a connection is passed through to warehouse.queries, never used here
    import duckdb


@dataclass
class GoalDetail:
    """Everything the goal-detail page and the briefing show for one goal."""

    status: pl.DataFrame  # the goal's row of :func:`evaluate`
    # period, quarter_end, actual, planned, projected; basis, total, rollup, gap (totals)
    series: pl.DataFrame
    regions: pl.DataFrame  # region_code, name, value, meets (per-unit goals), share


def goal_detail(
    con: duckdb.DuckDBPyConnection,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    target_id: str,
    known_on: dt.date | None = None,
    jurisdictions: Jurisdictions | None = None,
) -> GoalDetail:
    target = catalogue.target(target_id)
    status = evaluate(
        con,
        catalogue=catalogue,
        regions=regions,
        as_of=as_of,
        known_on=known_on,
        jurisdictions=jurisdictions,
    ).filter(pl.col("target_id") == target_id)
    reporters = Reporters.build(regions, jurisdictions)
    unit = _is_unit_goal(target)
    keys = reported_indicators(target, catalogue)
    agg = _aggregates(con, reporters, known_on, keys)
    ctx = _Context(catalogue, reporters, agg, now_quarter(as_of), as_of, known_on)
    basis = Basis()
    if unit:
        register = unit_register(con, regions, jurisdictions)
        goal, series, level, _, _ = _unit_goal(ctx, target, register)
    else:
        goal, series, level, basis = _goal_series(ctx, target)
    row = status.row(0, named=True)
    rows = []
    first = goal.start if goal.baseline_at is None else min(goal.start, goal.baseline_at)
    last = max(goal.end, ctx.now if series else goal.end)
    actual = dict(series)
    latest = row["latest_period"]
    latest_q = Quarter.parse(latest).ordinal if latest else None
    for q in range(first, last + 1):
        projected = None
        if latest_q is not None and row["projected"] is not None and latest_q <= q <= goal.end:
            span = goal.end - latest_q
            start_value = actual.get(latest_q)
            if start_value is not None:
                step = (row["projected"] - start_value) / span if span else 0.0
                projected = start_value + step * (q - latest_q)
        value = actual.get(q) if q <= ctx.now else None
        quarter = Quarter.from_ordinal(q)
        shown = q <= ctx.now
        rows.append(
            (
                quarter.label,
                quarter.end,
                value,
                _planned(goal, q),
                projected,
                basis.quarters.get(q) if shown else None,
                basis.totals.get(q) if shown else None,
                basis.rollups.get(q) if shown and q in basis.totals else None,
            )
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "quarter_end": pl.Date,
            "actual": pl.Float64,
            "planned": pl.Float64,
            "projected": pl.Float64,
            "basis": pl.String,  # total | rollup | mixed: where the quarter's figure came from
            "total": pl.Float64,  # the jurisdiction's own total that quarter, if reported
            "rollup": pl.Float64,  # the level below's roll-up, where a total exists beside it
        },
        orient="row",
    ).with_columns(
        ((pl.col("rollup") - pl.col("total")) / pl.col("total")).alias("gap"),
    )
    if level == "unit":  # judged on registered units: the table lists them
        return GoalDetail(status, frame, _unit_rows(ctx, target, register))
    return GoalDetail(status, frame, _region_values(ctx, target, level, unit))


def _planned(goal: Goal, q: int) -> float | None:
    if q < goal.start and goal.baseline_at is None:
        return None
    return planned_at(goal, q) if q <= goal.end else None


def _region_values(ctx: _Context, target: Target, level: str, unit: bool) -> pl.DataFrame:
    """Each reporting region's own figure at the latest quarter, in the goal's terms."""
    indicator = ctx.catalogue.indicator(target.indicator)
    start = Quarter.of(target.start).ordinal
    now = min(ctx.now, Quarter.of(target.deadline).ordinal)
    yearly = target.recurrence == "yearly"
    regions = ctx.reporters.for_goal(target, level, max(now, start))
    threshold = float(target.value if target.value is not None else target.min or 0.0)
    comparator = ">=" if target.comparator == "between" else target.comparator
    rows = []
    for region in regions:
        if indicator.numerator and indicator.denominator:
            num = _unit_value(
                ctx.agg.units.get((indicator.numerator, region.code), {}), now, start, yearly, True
            )
            den = _unit_value(
                ctx.agg.units.get((indicator.denominator, region.code), {}),
                now,
                start,
                yearly,
                True,
            )
            value = 100.0 * num / den if num is not None and den else None
        else:
            values = ctx.agg.units.get((target.indicator, region.code), {})
            # a flow adds up over the window for running kinds and kinds judged unit by unit
            series = KINDS[target.kind].series
            flow = indicator.measure == "flow" and (series.running or series.each_unit)
            value = _unit_value(values, now, start, yearly and not unit, flow)
            if unit and yearly and flow:
                value = _unit_value(values, now, start, True, True)
        met = None if value is None or not unit else meets(comparator, value, threshold)
        rows.append((region.code, region.name, value, met))
    frame = pl.DataFrame(
        rows,
        schema={
            "region_code": pl.String,
            "name": pl.String,
            "value": pl.Float64,
            "meets": pl.Boolean,
        },
        orient="row",
    )
    additive = indicator.rollup == "sum" and not indicator.numerator and not unit
    total = frame["value"].sum() if additive else None
    share = pl.col("value") / total if total else pl.lit(None, pl.Float64)
    return frame.with_columns(share.alias("share")).sort("value", descending=True, nulls_last=True)
