"""Every goal judged at an as-of date: :func:`evaluate`, the one table of statuses.

For each target it builds the series (:mod:`judge.series`, or :mod:`judge.units` for goals judged
unit by unit), measures reporting completeness and timeliness (:func:`_completeness`, DHIS2-style),
judges it (:func:`judge.attainment.judge`) and writes one row in :data:`RESULT_SCHEMA`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from judge.aggregates import (
    DUE_DAYS,
    TOTAL,
    Reporters,
    _aggregates,
    _Context,
    due_quarter,
    now_quarter,
)
from judge.attainment import Goal, Judgement, judge
from judge.series import Basis, _goal_series
from judge.units import (
    _applies_to_unit,
    _is_unit_goal,
    _unit_completeness,
    _unit_goal,
    unit_register,
)
from model.catalogue import Catalogue, Target
from model.jurisdictions import Jurisdictions
from model.periods import Quarter
from model.regions import Region
from model.reporting import reported_indicators
from model.units import is_unit_code

if TYPE_CHECKING:  # a connection is passed through to warehouse.queries, never used here
    import duckdb


def _completeness(
    ctx: _Context, target: Target, level: str
) -> tuple[float | None, float | None, int, int]:
    """DHIS2-style: reports received ÷ expected, and on time ÷ expected, over the window so far
    (quarters whose due date has passed by the as-of date).  A quarter for which the jurisdiction
    reported its own total is complete for that indicator (on time if the total was)."""
    own = ctx.reporters.own_level.get(target.scope.jurisdiction)
    use_totals = own is not None and own != level and target.scope.applies_to == "whole"
    start = Quarter.of(target.start).ordinal
    end = min(Quarter.of(target.deadline).ordinal, ctx.now)
    expected = received = on_time = 0
    for q in range(start, end + 1):
        if Quarter.from_ordinal(q).end + dt.timedelta(days=DUE_DAYS) > ctx.as_of:
            continue
        got, late_free, due = _quarter_counts(ctx, target, level, q, use_totals)
        received, on_time, expected = received + got, on_time + late_free, expected + due
    if expected == 0:
        return None, None, 0, 0
    return received / expected, on_time / expected, received, expected


def _quarter_counts(
    ctx: _Context, target: Target, level: str, q: int, use_totals: bool
) -> tuple[int, int, int]:
    """Reports received, received on time, and expected for one quarter of a goal."""
    due = ctx.reporters.for_goal(target, level, q)
    n_regions = len(due)
    each = target.scope.applies_to == "each"
    expected = received = on_time = 0
    for key in reported_indicators(target, ctx.catalogue):
        expected += n_regions
        if each:  # a goal on each region: count the regions due that reported, one by one
            got = sum(1 for r in due if q in ctx.agg.units.get((key, r.code), {}))
            cell = ctx.agg.cells.get((key, target.scope.jurisdiction, level, q))
            received += got
            on_time += min(cell[3], got) if cell is not None else 0
            continue
        total = (
            ctx.agg.cells.get((key, target.scope.jurisdiction, TOTAL, q)) if use_totals else None
        )
        if total is not None:
            received += n_regions
            on_time += n_regions if total[3] else 0
            continue
        cell = ctx.agg.cells.get((key, target.scope.jurisdiction, level, q))
        if cell is not None:
            received += min(cell[2], n_regions)
            on_time += min(cell[3], n_regions)
    return received, on_time, expected


def _judged_quarter(ctx: _Context, target: Target, level: str) -> tuple[int, list[str]]:
    """The last quarter a goal is judged on: the last one due (15 days after its end); the
    quarter ended since counts only once every reporter has sent it (or the jurisdiction its
    total) — early reporters alone would swing a verdict until the rest arrive."""
    due = due_quarter(ctx.as_of)
    if ctx.now <= due or level == "unit":
        return ctx.now, []
    own = ctx.reporters.own_level.get(target.scope.jurisdiction)
    use_totals = own is not None and own != level and target.scope.applies_to == "whole"
    got, _, expected = _quarter_counts(ctx, target, level, ctx.now, use_totals)
    if expected and got >= expected:
        return ctx.now, []
    return due, (["early_reports_ignored"] if got else [])


def evaluate(
    con: duckdb.DuckDBPyConnection,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    known_on: dt.date | None = None,
    region: str | None = None,
    jurisdictions: Jurisdictions | None = None,
) -> pl.DataFrame:
    """One row per target (judged on its jurisdiction, or on its units): the quarters due by the
    evaluation date ``as_of`` judged on the revisions known at the end of ``known_on`` (None:
    every revision stored).  ``region``: only the goals that apply to that region (its
    jurisdiction's goals it reports for, or all of them for the jurisdiction itself).
    ``jurisdictions``: ``data/jurisdictions.yaml`` unless given."""
    reporters = Reporters.build(regions, jurisdictions)
    unit_targets = [t for t in catalogue.targets if _is_unit_goal(t)]
    unit_keys = {k for t in unit_targets for k in reported_indicators(t, catalogue)}
    agg = _aggregates(con, reporters, known_on, sorted(unit_keys))
    ctx = _Context(catalogue, reporters, agg, now_quarter(as_of), as_of, known_on)
    register = unit_register(con, regions, jurisdictions)
    docs = {d.id: d for d in catalogue.documents}
    applies = _applies_to(region, regions, reporters) if region is not None else None
    if region is not None and is_unit_code(region):  # a registered unit: the goals on its kind
        applies = _applies_to_unit(region, register)
    rows = []
    for target in catalogue.targets:
        if applies is not None and not applies(target):
            continue
        short: list[str] = []
        units = 0
        basis = Basis()
        if _is_unit_goal(target):
            goal, series, level, short, units = _unit_goal(ctx, target, register)
        else:
            goal, series, level, basis = _goal_series(ctx, target)
        completeness, timeliness, received, expected = (
            _unit_completeness(ctx, target, register)
            if level == "unit"  # judged on registered units
            else _completeness(ctx, target, level)
        )
        judged_q, early = _judged_quarter(ctx, target, level)
        flags = _on_a_total(ctx, target, goal, series, basis, judged_q)
        closing = _deadline_due(ctx, target)
        # a stock's level at a quarter needs no earlier quarter: on a total, it is complete
        j = judge(
            goal,
            series,
            judged_q,
            completeness=1.0 if flags else completeness,
            closing=closing,
        )
        judged = Judged(
            j, goal, completeness, timeliness, received, expected, short, units, flags + early
        )
        rows.append(_row(ctx, target, docs[target.document].number, judged, basis))
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")


def _deadline_due(ctx: _Context, target: Target) -> bool:
    """Whether the deadline quarter is due by the evaluation date (a final verdict may be
    given)."""
    end = Quarter.of(target.deadline)
    return end.end + dt.timedelta(days=DUE_DAYS) <= ctx.as_of


def _on_a_total(
    ctx: _Context,
    target: Target,
    goal: Goal,
    series: list[tuple[int, float]],
    basis: Basis,
    judged_q: int,
) -> list[str]:
    """``["judged_on_total"]`` when the goal's figure is a stock (not a running sum) and its
    latest quarter judged comes from the jurisdiction's own total."""
    indicator = ctx.catalogue.indicator(target.indicator)
    if indicator.measure != "stock" or goal.flow:
        return []
    due = [q for q, _ in series if goal.start <= q <= judged_q]
    return ["judged_on_total"] if due and basis.quarters.get(max(due)) == "total" else []


def _applies_to(
    code: str, regions: Sequence[Region], reporters: Reporters
) -> Callable[[Target], bool]:
    """Whether a goal applies to region ``code``: every goal of a jurisdiction applies to the
    jurisdiction itself; a goal applies to a region that reports for it (its level is in the
    goal's ``reported_by``), or that the goal names (each city, each county)."""
    levels: dict[str, set[str]] = {}
    for (jurisdiction, level), group in reporters.by_group.items():
        if level != TOTAL and any(r.code == code for r in group):
            levels.setdefault(jurisdiction, set()).add(level)

    def applies(target: Target) -> bool:
        jurisdiction = target.scope.jurisdiction
        if code == jurisdiction:
            return True
        mine = levels.get(jurisdiction, set())
        return bool(mine & set(target.reported_by)) or target.scope.level in mine

    return applies


@dataclass(frozen=True)
class Judged:
    """A goal's judgement with its reporting completeness and, for goals on each unit, the units
    short of the standard."""

    judgement: Judgement
    goal: Goal
    completeness: float | None
    timeliness: float | None
    received: int
    expected: int
    short: list[str]
    units: int
    flags: list[str] = field(default_factory=list)


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
    "known_on": pl.Date,
    "basis": pl.String,
    "provisional": pl.Boolean,
    "flags": pl.List(pl.String),
    "total_gap": pl.Float64,
    "notes": pl.String,
}

GAP_WARNING = 0.05  # a roll-up more than 5 % off the jurisdiction's own total is flagged


def _row(
    ctx: _Context, target: Target, number: str | None, judged: Judged, basis: Basis
) -> tuple[object, ...]:
    j, goal = judged.judgement, judged.goal
    unit = "%" if _is_unit_goal(target) else target.unit
    end = Quarter.of(target.deadline).ordinal
    due = Quarter.from_ordinal(end).end + dt.timedelta(days=DUE_DAYS)
    last = min(ctx.now, end)
    gaps = {q: g for q, g in basis.gaps().items() if q <= last}
    latest_gap = gaps[max(gaps)] if gaps else None
    flags = [*judged.flags, *j.flags]  # the judgement's own codes (missed_cycle, …)
    if goal.baseline_note == "baseline_from_first_report" and j.actual is not None:
        flags.append("baseline_from_first_report")
    if any(abs(g) > GAP_WARNING for g in gaps.values()):
        flags.append("total_and_rollup_differ")
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
        judged.completeness,
        judged.timeliness,
        judged.received,
        judged.expected,
        judged.units,
        judged.short,
        unit,
        target.headline,
        ctx.as_of,
        ctx.known_on,
        basis.overall(last),
        due > ctx.as_of,  # the deadline quarter is not due yet: the verdict may still change
        flags,
        latest_gap,
        "; ".join(j.notes) or None,
    )
