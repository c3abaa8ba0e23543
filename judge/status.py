"""Every goal judged at an as-of date: :func:`evaluate`, the one table of statuses.

For each target it builds the series (:mod:`judge.series`, or :mod:`judge.units` for goals judged
unit by unit), measures reporting completeness and timeliness (:func:`_completeness`, DHIS2-style),
judges it (:func:`judge.attainment.judge`) and writes one row in :data:`RESULT_SCHEMA`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from judge.aggregates import DUE_DAYS, Reporters, _aggregates, _Context, now_quarter
from judge.attainment import Goal, Judgement, judge
from judge.series import _goal_series
from judge.units import _is_unit_goal, _unit_completeness, _unit_goal, unit_register
from model.catalogue import Catalogue, Target
from model.jurisdictions import Jurisdictions
from model.periods import Quarter
from model.regions import Region
from model.reporting import reported_indicators

if TYPE_CHECKING:  # a connection is passed through to warehouse.queries, never used here
    import duckdb


def _completeness(
    ctx: _Context, target: Target, level: str
) -> tuple[float | None, float | None, int, int]:
    """DHIS2-style: reports received ÷ expected, and on time ÷ expected, over the window so far
    (quarters whose due date has passed by the as-of date)."""
    start = Quarter.of(target.start).ordinal
    end = min(Quarter.of(target.deadline).ordinal, ctx.now)
    expected = received = on_time = 0
    for q in range(start, end + 1):
        if Quarter.from_ordinal(q).end + dt.timedelta(days=DUE_DAYS) > ctx.as_of:
            continue
        n_regions = len(ctx.reporters.expected(target.scope.jurisdiction, level, q))
        for key in reported_indicators(target, ctx.catalogue):
            expected += n_regions
            cell = ctx.agg.cells.get((key, target.scope.jurisdiction, level, q))
            if cell is not None:
                received += min(cell[2], n_regions)
                on_time += min(cell[3], n_regions)
    if expected == 0:
        return None, None, 0, 0
    return received / expected, on_time / expected, received, expected


def evaluate(
    con: duckdb.DuckDBPyConnection,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    region: str | None = None,
    jurisdictions: Jurisdictions | None = None,
) -> pl.DataFrame:
    """One row per target (judged on its jurisdiction, or on its units), at the as-of date
    (``jurisdictions``: ``data/jurisdictions.yaml`` unless given)."""
    reporters = Reporters.build(regions, jurisdictions)
    unit_targets = [t for t in catalogue.targets if _is_unit_goal(t)]
    unit_keys = {k for t in unit_targets for k in reported_indicators(t, catalogue)}
    agg = _aggregates(con, reporters, as_of, sorted(unit_keys))
    ctx = _Context(catalogue, reporters, agg, now_quarter(as_of), as_of)
    register = unit_register(con, regions, jurisdictions)
    docs = {d.id: d for d in catalogue.documents}
    rows = []
    for target in catalogue.targets:
        if region is not None and target.scope.jurisdiction != region:
            continue
        short: list[str] = []
        units = 0
        if _is_unit_goal(target):
            goal, series, level, short, units = _unit_goal(ctx, target, register)
        else:
            goal, series, level = _goal_series(ctx, target)
        completeness, timeliness, received, expected = (
            _unit_completeness(ctx, target, register)
            if level == "unit"  # judged on registered units
            else _completeness(ctx, target, level)
        )
        j = judge(goal, series, ctx.now, completeness=completeness)
        rows.append(
            _row(
                target,
                docs[target.document].number,
                j,
                goal,
                completeness,
                timeliness,
                received,
                expected,
                short,
                units,
                as_of,
            )
        )
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")


RESULT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "target_id": pl.String,
    "document": pl.String,
    "document_number": pl.String,
    "article": pl.String,
    "indicator": pl.String,
    "kind": pl.String,
    "region": pl.String,
    "status": pl.String,
    "actual": pl.Float64,
    "planned": pl.Float64,
    "final": pl.Float64,
    "attainment": pl.Float64,
    "attainment_final": pl.Float64,
    "projected": pl.Float64,
    "required_rate": pl.Float64,
    "ratio": pl.Float64,
    "latest_period": pl.String,
    "start": pl.Date,
    "deadline": pl.Date,
    "completeness": pl.Float64,
    "timeliness": pl.Float64,
    "reports_received": pl.Int64,
    "reports_expected": pl.Int64,
    "units_total": pl.Int64,
    "units_short": pl.List(pl.String),
    "unit": pl.String,
    "headline": pl.Boolean,
    "as_of": pl.Date,
    "notes": pl.String,
}


def _row(
    target: Target,
    number: str | None,
    j: Judgement,
    goal: Goal,
    completeness: float | None,
    timeliness: float | None,
    received: int,
    expected: int,
    short: list[str],
    units: int,
    as_of: dt.date,
) -> tuple[object, ...]:
    unit = "%" if _is_unit_goal(target) else target.unit
    return (
        target.id,
        target.document,
        number,
        target.article,
        target.indicator,
        target.kind,
        target.scope.jurisdiction,
        j.status,
        j.actual,
        j.planned,
        goal.value,
        j.attainment,
        j.attainment_final,
        j.projected,
        j.required_rate,
        j.ratio,
        Quarter.from_ordinal(j.latest).label if j.latest is not None else None,
        target.start,
        target.deadline,
        completeness,
        timeliness,
        received,
        expected,
        units,
        short,
        unit,
        target.headline,
        as_of,
        "; ".join(j.notes) or None,
    )
