"""Goals judged unit by unit (``scope.applies_to: each``): the share of units meeting the bar.

A goal on each *registered unit* (``scope.level: unit``: service centres, platforms, startup
bases) is judged on every unit of the register (:mod:`model.units`) of its kind, at every level
``data/unit_kinds.yaml`` gives for its ``unit_kind``, valid in the quarter (:func:`unit_register`
reads the register from the warehouse); a goal on each city / county / town is judged on those
regions, which are its units.  :func:`_unit_goal` builds the share series, quarter by quarter,
over the units due to report, and names the units short of the threshold at the latest quarter;
:func:`_unit_completeness` counts their figures received; :func:`_unit_measure` and
:func:`_unit_value` give one unit's figure in the goal's terms (its latest stock, its flow over
the window or pro-rata over the year, or a ratio of its numerator and denominator).  The
goal-detail view (:mod:`judge.detail`) reuses :func:`_unit_value` for every region's own figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import polars as pl

from judge.aggregates import DUE_DAYS, _Context
from judge.attainment import Goal, meets
from model.catalogue import Target
from model.jurisdictions import Jurisdictions
from model.periods import Quarter
from model.regions import Region
from model.reporting import jurisdiction_of, reported_indicators
from model.units import UnitKinds, UnitRegister, bundled_kinds
from warehouse.units import registered_units, units_on_time

if TYPE_CHECKING:  # a connection is passed through to warehouse.units, never used here
    import duckdb


def _is_unit_goal(target: Target) -> bool:
    return target.scope.applies_to == "each"


def unit_register(
    con: duckdb.DuckDBPyConnection,
    regions: Sequence[Region],
    jurisdictions: Jurisdictions | None = None,
    kinds: UnitKinds | None = None,
) -> UnitRegister:
    """The warehouse's register of units, with each unit's jurisdiction (its parent's) and
    which of their figures came in on time."""
    return UnitRegister(
        tuple(registered_units(con)),
        jurisdiction_of(regions, jurisdictions),
        kinds,
        frozenset(units_on_time(con, due_days=DUE_DAYS)),
    )


def _on_register(target: Target, register: UnitRegister | None) -> tuple[str, tuple[str, ...]]:
    """The register kind and unit levels a goal is judged on; ``("", ())`` for a goal on each
    region (or a per-unit goal whose ``unit_kind`` maps to no kind: judged on its reporters)."""
    if register is None or target.scope.level != "unit":
        return "", ()
    applies = (register.kinds or bundled_kinds()).of_target(target)
    return applies if applies is not None else ("", ())


def _applies_to_unit(code: str, register: UnitRegister) -> Callable[[Target], bool]:
    """Whether a goal applies to the registered unit ``code`` (``status --region``): the
    per-unit goals of its jurisdiction on its kind and level."""
    versions = [u for u in register.units if u.code == code]

    def applies(target: Target) -> bool:
        kind, levels = _on_register(target, register)
        jurisdiction = target.scope.jurisdiction
        return any(
            u.kind == kind and u.level in levels
            and register.jurisdiction.get(u.parent_code) == jurisdiction
            for u in versions
        )  # fmt: skip

    return applies


def _units_due(
    ctx: _Context, target: Target, register: UnitRegister | None, q: int
) -> list[tuple[str, str, str]]:
    """``(code, name, parent)`` of the units due in quarter ``q``: registered units, or
    regions."""
    kind, levels = _on_register(target, register)
    jurisdiction = target.scope.jurisdiction
    if kind and register is not None:
        day = Quarter.from_ordinal(q).end
        units = register.expected(kind, levels, jurisdiction, day)
        return [(u.code, u.name, u.parent_code) for u in units]
    level = target.reported_by[0]
    regions = ctx.reporters.for_goal(target, level, q)
    return [(r.code, r.name, r.parent_code or "") for r in regions]


def _unit_goal(
    ctx: _Context, target: Target, register: UnitRegister | None = None
) -> tuple[Goal, list[tuple[int, float]], str, list[str], int]:
    """Per-unit goals: the share of units meeting the threshold, and who falls short now."""
    indicator = ctx.catalogue.indicator(target.indicator)
    kind, _ = _on_register(target, register)
    level = "unit" if kind else target.reported_by[0]
    start = Quarter.of(target.start).ordinal
    end = Quarter.of(target.deadline).ordinal
    threshold = float(target.value if target.value is not None else target.min or 0.0)
    comparator = ">=" if target.comparator == "between" else target.comparator
    yearly = target.recurrence == "yearly"
    flow = indicator.measure == "flow"
    share: dict[int, float] = {}
    short_by_quarter: dict[int, tuple[str, ...]] = {}
    short_now: list[str] = []
    units_now = 0
    last = min(ctx.now, end) if ctx.now >= start else None
    for q in range(start, (last if last is not None else start - 1) + 1):
        units = _units_due(ctx, target, register, q)
        if not units:
            continue
        meeting = 0
        short: list[str] = []
        for code, _, _ in units:
            value = _unit_measure(ctx, target, code, q, start, yearly, flow)
            if value is not None and meets(comparator, value, threshold):
                meeting += 1
            else:
                short.append(code)
        share[q] = 100.0 * meeting / len(units)
        short_by_quarter[q] = tuple(short)
        if q == last:
            short_now, units_now = short, len(units)
    # a yearly goal on each unit is met year by year: every unit, every year (§6.3, §6.4)
    goal = Goal(
        target.id,
        target.kind,
        ">=",
        100.0,
        start,
        end,
        yearly=yearly,
        short=tuple(sorted(short_by_quarter.items())),
    )
    return goal, sorted(share.items()), level, short_now, units_now


def _unit_completeness(
    ctx: _Context, target: Target, register: UnitRegister
) -> tuple[float | None, float | None, int, int]:
    """A goal on registered units: figures received ÷ expected, and received on time ÷
    expected (each unit, each indicator, each quarter due by the as-of date).  A figure counts
    as received when its revision is known; on time when its first revision was submitted by the
    due day, as for regions."""
    start = Quarter.of(target.start).ordinal
    end = min(Quarter.of(target.deadline).ordinal, ctx.now)
    keys = reported_indicators(target, ctx.catalogue)
    expected = received = on_time = 0
    for q in range(start, end + 1):
        quarter = Quarter.from_ordinal(q)
        if quarter.end + dt.timedelta(days=DUE_DAYS) > ctx.as_of:
            continue
        for code, _, _ in _units_due(ctx, target, register, q):
            for key in keys:
                expected += 1
                if q in ctx.agg.units.get((key, code), {}):
                    received += 1
                    on_time += (code, key, quarter.label) in register.on_time
    if expected == 0:
        return None, None, 0, 0
    return received / expected, on_time / expected, received, expected


def _unit_rows(ctx: _Context, target: Target, register: UnitRegister) -> pl.DataFrame:
    """The goal-detail table of a goal on registered units: each unit due at the latest quarter,
    its figure in the goal's terms, whether it meets the standard, and its parent region (the
    map shows a unit on its parent's area) (``judge.detail``)."""
    indicator = ctx.catalogue.indicator(target.indicator)
    start = Quarter.of(target.start).ordinal
    now = max(min(ctx.now, Quarter.of(target.deadline).ordinal), start)
    threshold = float(target.value if target.value is not None else target.min or 0.0)
    comparator = ">=" if target.comparator == "between" else target.comparator
    yearly, flow = target.recurrence == "yearly", indicator.measure == "flow"
    rows = []
    for code, name, parent in _units_due(ctx, target, register, now):
        value = _unit_measure(ctx, target, code, now, start, yearly, flow)
        met = None if value is None else meets(comparator, value, threshold)
        rows.append((code, name, value, met, parent))
    frame = pl.DataFrame(
        rows,
        schema={"region_code": pl.String, "name": pl.String, "value": pl.Float64,
                "meets": pl.Boolean, "parent_code": pl.String},
        orient="row",
    )  # fmt: skip
    return frame.with_columns(pl.lit(None, pl.Float64).alias("share")).sort(
        "value", descending=True, nulls_last=True
    )


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
