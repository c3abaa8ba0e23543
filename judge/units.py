"""Goals judged unit by unit (``scope.applies_to: each``): the share of units meeting the bar.

:func:`_unit_goal` builds the share series, quarter by quarter, over the units due to report,
and names the units short of the threshold at the latest quarter; :func:`_unit_measure` and
:func:`_unit_value` give one unit's figure in the goal's terms (its latest stock, its flow over
the window or pro-rata over the year, or a ratio of its numerator and denominator).  The
goal-detail view (:mod:`judge.detail`) reuses :func:`_unit_value` for every region's own figure.
"""

from __future__ import annotations

from judge.aggregates import _Context
from judge.attainment import Goal, meets
from model.catalogue import Target
from model.periods import Quarter


def _is_unit_goal(target: Target) -> bool:
    return target.scope.applies_to == "each"


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
