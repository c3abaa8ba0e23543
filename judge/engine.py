"""The attainment engine: every goal judged at any as-of date, from the revisions known then.

Heavy lifting happens in DuckDB (one aggregate query over the reports known at the as-of date);
the per-goal judgement (:mod:`judge.attainment`) runs over those small aggregates.  Every page,
export and the ``target-monitor status`` command use :func:`evaluate`, so a status is the same
wherever it shows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import polars as pl

from judge.attainment import Goal, Judgement, judge, meets, planned_at
from model.catalogue import Catalogue, Target
from model.jurisdictions import Jurisdictions
from model.kinds import KINDS
from model.periods import Quarter
from model.regions import Region
from model.reporting import jurisdiction_of, reported_indicators, reporter_levels
from warehouse import queries

if TYPE_CHECKING:  # a connection is passed through to warehouse.queries, never used here
    import duckdb

DUE_DAYS = 15  # a quarter's report is due on the 15th day after the quarter ends


def now_quarter(as_of: dt.date) -> int:
    """The last quarter that had ended before the as-of date."""
    return Quarter.of(as_of).ordinal - 1


@dataclass(frozen=True)
class Reporters:
    """Who reports for whom: (jurisdiction, level) → the regions, with their validity."""

    by_group: dict[tuple[str, str], tuple[Region, ...]]
    _expected: dict[tuple[str, str, int], list[Region]] = field(default_factory=dict)

    @classmethod
    def build(cls, regions: Sequence[Region], known: Jurisdictions | None = None) -> Reporters:
        jurisdictions = jurisdiction_of(regions, known)
        groups: dict[tuple[str, str], list[Region]] = defaultdict(list)
        for region in regions:
            jurisdiction = jurisdictions.get(region.code)
            if jurisdiction is None:
                continue
            for level in reporter_levels(region):
                groups[(jurisdiction, level)].append(region)
        return cls({k: tuple(v) for k, v in groups.items()})

    def frame(self) -> pl.DataFrame:
        rows = [
            (r.code, jurisdiction, level)
            for (jurisdiction, level), regions in self.by_group.items()
            for r in regions
        ]
        return pl.DataFrame(
            rows,
            schema={"code": pl.String, "jurisdiction": pl.String, "level": pl.String},
            orient="row",
        ).unique()

    def expected(self, jurisdiction: str, level: str, quarter: int) -> list[Region]:
        """The regions due to report for a group in a quarter (memoised: asked per goal)."""
        key = (jurisdiction, level, quarter)
        if key not in self._expected:
            end = Quarter.from_ordinal(quarter).end
            group = self.by_group.get((jurisdiction, level), ())
            self._expected[key] = [r for r in group if r.valid_on(end)]
        return self._expected[key]


@dataclass
class Aggregates:
    """Per (indicator, jurisdiction, level, quarter): sum, max, reports received / on time; and
    per region values for the indicators judged unit by unit."""

    cells: dict[tuple[str, str, str, int], tuple[float, float, int, int]]
    units: dict[tuple[str, str], dict[int, float]]  # (indicator, region) → quarter → value


def _aggregates(
    con: duckdb.DuckDBPyConnection,
    reporters: Reporters,
    as_of: dt.date,
    unit_indicators: Sequence[str],
) -> Aggregates:
    frame = queries.report_aggregates(
        con, reporters=reporters.frame(), as_of=as_of, due_days=DUE_DAYS
    )
    ordinals: dict[str, int] = {}

    def q(label: str) -> int:
        if label not in ordinals:
            ordinals[label] = Quarter.parse(label).ordinal
        return ordinals[label]

    cells = {
        (ind, jur, lvl, q(period)): (total, top, received, on_time)
        for ind, jur, lvl, period, total, top, received, on_time in frame.iter_rows()
    }
    units: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    if unit_indicators:
        values = queries.current_reports(con, as_of=as_of, indicators=list(unit_indicators))
        for code, ind, period, value in values.select(
            "region_code", "indicator", "period", "value"
        ).iter_rows():
            units[(ind, code)][q(period)] = value
    return Aggregates(cells, units)


def _predecessor(target: Target, catalogue: Catalogue) -> Target | None:
    """The earlier stage of a staged goal (5,000 by 2018 before 10,000 by 2020)."""
    earlier = [
        t
        for t in catalogue.targets
        if t.id != target.id
        and t.indicator == target.indicator
        and t.scope == target.scope
        and t.recurrence == target.recurrence
        and t.deadline < target.deadline
        and t.deadline >= target.start - dt.timedelta(days=1)
        and t.value is not None
    ]
    return max(earlier, key=lambda t: t.deadline) if earlier else None


@dataclass
class _Context:
    catalogue: Catalogue
    reporters: Reporters
    agg: Aggregates
    now: int
    as_of: dt.date


def _series_for(
    ctx: _Context, target: Target, level: str, indicator: str, how: str
) -> dict[int, float]:
    cells = ctx.agg.cells
    jurisdiction = target.scope.jurisdiction
    out: dict[int, float] = {}
    for (ind, jur, lvl, q), (total, top, _, _) in cells.items():
        if ind == indicator and jur == jurisdiction and lvl == level:
            out[q] = top if how == "max" else total
    return out


def _goal_series(ctx: _Context, target: Target) -> tuple[Goal, list[tuple[int, float]], str]:
    catalogue, series = ctx.catalogue, KINDS[target.kind].series
    indicator = catalogue.indicator(target.indicator)
    level = target.reported_by[0]
    start = Quarter.of(target.start).ordinal
    end = Quarter.of(target.deadline).ordinal
    yearly = target.recurrence == "yearly"
    flow = indicator.measure == "flow"
    final = float(target.value if target.value is not None else target.min or 0.0)
    comparator = target.comparator
    how = "max" if indicator.rollup in ("max", "none") or series.highest else "sum"

    if indicator.numerator and indicator.denominator:
        num = _series_for(ctx, target, level, indicator.numerator, "sum")
        den = _series_for(ctx, target, level, indicator.denominator, "sum")
        if flow or catalogue.indicator(indicator.numerator).measure == "flow":
            num, den = _running(num, start, yearly), _running(den, start, yearly)
        raw = {q: 100.0 * num[q] / den[q] for q in num if den.get(q)}
    else:
        raw = _series_for(ctx, target, level, target.indicator, how)
        if series.against_reference and target.reference_indicator:
            ref = _series_for(ctx, target, level, target.reference_indicator, how)
            raw = {q: raw[q] - ref[q] for q in raw if q in ref}
            final, comparator = 0.0, ">="
        elif flow and series.running:
            raw = _running(raw, start, yearly)
    goal = Goal(
        target.id,
        target.kind,
        comparator,
        final,
        start,
        end,
        yearly=yearly,
        flow=yearly and flow and series.running,
    )
    predecessor = _predecessor(target, catalogue)
    if predecessor is not None and not goal.yearly:
        goal = replace(
            goal,
            baseline=float(predecessor.value or 0),
            baseline_at=Quarter.of(predecessor.deadline).ordinal,
        )
    elif target.baseline is not None:
        goal = replace(goal, baseline=float(target.baseline.value))
    return goal, sorted(raw.items()), level


def _running(series: dict[int, float], start: int, yearly: bool) -> dict[int, float]:
    """Running totals of a flow from the window's first quarter (restarting each year)."""
    out: dict[int, float] = {}
    total, year = 0.0, None
    for q in sorted(series):
        if q < start:
            continue
        if yearly and q // 4 != year:
            total, year = 0.0, q // 4
        total += series[q]
        out[q] = total
    return out


def _unit_goal(
    ctx: _Context, target: Target
) -> tuple[Goal, list[tuple[int, float]], str, list[str], int]:
    """Per-unit goals: the share of units meeting the threshold, and who falls short now."""
    indicator = ctx.catalogue.indicator(target.indicator)
    level = target.reported_by[0]
    start = Quarter.of(target.start).ordinal
    end = Quarter.of(target.deadline).ordinal
    threshold = float(target.value if target.value is not None else target.min or 0.0)
    comparator = ">=" if target.comparator == "between" else target.comparator
    yearly = target.recurrence == "yearly"
    flow = indicator.measure == "flow"
    share: dict[int, float] = {}
    short_now: list[str] = []
    units_now = 0
    last = min(ctx.now, end) if ctx.now >= start else None
    for q in range(start, (last if last is not None else start - 1) + 1):
        units = ctx.reporters.expected(target.scope.jurisdiction, level, q)
        if not units:
            continue
        meeting = 0
        short: list[str] = []
        for unit in units:
            value = _unit_measure(ctx, target, unit.code, q, start, yearly, flow)
            if value is not None and meets(comparator, value, threshold):
                meeting += 1
            else:
                short.append(unit.code)
        share[q] = 100.0 * meeting / len(units)
        if q == last:
            short_now, units_now = short, len(units)
    goal = Goal(target.id, target.kind, ">=", 100.0, start, end)
    return goal, sorted(share.items()), level, short_now, units_now


def _unit_measure(
    ctx: _Context, target: Target, code: str, q: int, start: int, yearly: bool, flow: bool
) -> float | None:
    """One unit's figure in the goal's terms; a ratio from its reported numerator and
    denominator (e.g. qualified staff ÷ staff, in %)."""
    indicator = ctx.catalogue.indicator(target.indicator)
    if indicator.numerator and indicator.denominator:
        num = _unit_value(
            ctx.agg.units.get((indicator.numerator, code), {}), q, start, yearly, flow
        )
        den = _unit_value(
            ctx.agg.units.get((indicator.denominator, code), {}), q, start, yearly, flow
        )
        return 100.0 * num / den if num is not None and den else None
    return _unit_value(ctx.agg.units.get((target.indicator, code), {}), q, start, yearly, flow)


def _unit_value(
    values: dict[int, float], q: int, start: int, yearly: bool, flow: bool
) -> float | None:
    if not flow:
        known = [v for k, v in values.items() if k <= q]
        return [values[k] for k in sorted(values) if k <= q][-1] if known else None
    first = max(start, q - q % 4) if yearly else start
    reported = [values[k] for k in range(first, q + 1) if k in values]
    if not reported:
        return None
    total = sum(reported)
    return total * 4 / (q - first + 1) if yearly else total  # yearly: pro-rata to a full year


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
    docs = {d.id: d for d in catalogue.documents}
    rows = []
    for target in catalogue.targets:
        if region is not None and target.scope.jurisdiction != region:
            continue
        short: list[str] = []
        units = 0
        if _is_unit_goal(target):
            goal, series, level, short, units = _unit_goal(ctx, target)
        else:
            goal, series, level = _goal_series(ctx, target)
        completeness, timeliness, received, expected = _completeness(ctx, target, level)
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


def _is_unit_goal(target: Target) -> bool:
    return target.scope.applies_to == "each"


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


@dataclass
class GoalDetail:
    """Everything the goal-detail page and the briefing show for one goal."""

    status: pl.DataFrame  # the goal's row of :func:`evaluate`
    series: pl.DataFrame  # period, quarter, actual, planned, projected
    regions: pl.DataFrame  # region_code, name, value, meets (per-unit goals), share


def goal_detail(
    con: duckdb.DuckDBPyConnection,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    target_id: str,
    jurisdictions: Jurisdictions | None = None,
) -> GoalDetail:
    target = catalogue.target(target_id)
    status = evaluate(
        con, catalogue=catalogue, regions=regions, as_of=as_of, jurisdictions=jurisdictions
    ).filter(pl.col("target_id") == target_id)
    reporters = Reporters.build(regions, jurisdictions)
    unit = _is_unit_goal(target)
    keys = reported_indicators(target, catalogue)
    agg = _aggregates(con, reporters, as_of, keys)
    ctx = _Context(catalogue, reporters, agg, now_quarter(as_of), as_of)
    if unit:
        goal, series, level, _, _ = _unit_goal(ctx, target)
    else:
        goal, series, level = _goal_series(ctx, target)
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
        rows.append((quarter.label, quarter.end, value, _planned(goal, q), projected))
    frame = pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "quarter_end": pl.Date,
            "actual": pl.Float64,
            "planned": pl.Float64,
            "projected": pl.Float64,
        },
        orient="row",
    )
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
    regions = ctx.reporters.expected(target.scope.jurisdiction, level, max(now, start))
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
