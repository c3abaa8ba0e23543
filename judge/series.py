"""One whole-jurisdiction goal's quarterly series, built from the aggregates, and its goal.

:func:`_goal_series` turns a target into the :class:`judge.attainment.Goal` it is judged as and
the series it is judged on, following its kind's ``Series`` in :data:`model.kinds.KINDS`: the
sum or the highest of the reporters' figures, a ratio of two reported indicators (in %), the
difference from a reference indicator, or a running total of a flow (:func:`_running`).  A staged
goal starts from its earlier stage (:func:`_predecessor`: 5,000 by 2018 before 10,000 by 2020);
otherwise from the catalogue's baseline, if any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from judge.aggregates import _Context
from judge.attainment import Goal
from model.catalogue import Catalogue, Target
from model.kinds import KINDS
from model.periods import Quarter


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
