"""One whole-jurisdiction goal's quarterly series, built from the aggregates, and its goal.

:func:`_goal_series` turns a target into the :class:`judge.attainment.Goal` it is judged as and
the series it is judged on, following its kind's ``Series`` in :data:`model.kinds.KINDS`: the
sum or the highest of the reporters' figures, a ratio of two reported indicators (in %), the
difference from a reference indicator, or a running total of a flow (:func:`_running`).  A staged
goal starts from its earlier stage (:func:`_predecessor`: 5,000 by 2018 before 10,000 by 2020);
otherwise from the catalogue's baseline, if any.  Where the jurisdiction reported its own total
for a quarter, that total stands for the quarter instead of the roll-up (:func:`_with_totals`),
and :class:`Basis` records which quarters came from which.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from judge.aggregates import TOTAL, _Context
from judge.attainment import Goal
from model.catalogue import RECURRENCE_YEARS, Catalogue, Target
from model.kinds import KINDS
from model.periods import Quarter


def _predecessor(target: Target, catalogue: Catalogue) -> Target | None:
    """The earlier stage a staged goal names (``follows`` in the catalogue: 5,000 by 2018 before
    10,000 by 2020).  Nothing is inferred: goals without ``follows`` stand alone."""
    return catalogue.target(target.follows) if target.follows else None


def _origin(target: Target, catalogue: Catalogue) -> int:
    """The quarter a staged goal's running sums start from: its first stage's start, so that a
    later stage's actual and its baseline (the earlier stage's value) share one origin."""
    first, seen = target, {target.id}
    while first.follows and first.follows not in seen:
        seen.add(first.follows)
        first = catalogue.target(first.follows)
    return Quarter.of(first.start).ordinal


def _series_for(
    ctx: _Context, target: Target, level: str, indicator: str, how: str
) -> dict[int, float]:
    """One indicator's quarterly figures for a reporting group of the target's jurisdiction."""
    cells = ctx.agg.cells
    jurisdiction = target.scope.jurisdiction
    out: dict[int, float] = {}
    for (ind, jur, lvl, q), (total, top, _, _) in cells.items():
        if ind == indicator and jur == jurisdiction and lvl == level:
            out[q] = top if how == "max" else total
    return out


@dataclass
class Basis:
    """Where each quarter's figures came from: the jurisdiction's own total, the roll-up of the
    level below, or both (a ratio's numerator from one and denominator from the other); and, per
    quarter where both a total and a roll-up exist, the roll-up's gap from the total (a fraction,
    e.g. -0.08: the roll-up is 8 % below the total), for the main indicator."""

    quarters: dict[int, str] = field(default_factory=dict)  # q → total | rollup | mixed
    totals: dict[int, float] = field(default_factory=dict)  # the main indicator's totals
    rollups: dict[int, float] = field(default_factory=dict)  # … and its roll-ups

    def gaps(self) -> dict[int, float]:
        return {
            q: (self.rollups[q] - total) / total
            for q, total in self.totals.items()
            if q in self.rollups and total
        }

    def overall(self, until: int) -> str:
        """``total``, ``rollup`` or ``mixed`` over the quarters up to ``until``."""
        seen = {b for q, b in self.quarters.items() if q <= until}
        return seen.pop() if len(seen) == 1 else ("mixed" if seen else "rollup")

    def add(self, q: int, basis: str) -> None:
        before = self.quarters.get(q)
        self.quarters[q] = basis if before in (None, basis) else "mixed"


def _with_totals(
    ctx: _Context,
    target: Target,
    level: str,
    indicator: str,
    how: str,
    basis: Basis,
    main: bool = False,
) -> dict[int, float]:
    """The roll-up of ``level``, with each quarter the jurisdiction reported a total for taken
    from that total instead (it is authoritative for its quarter)."""
    rollup = _series_for(ctx, target, level, indicator, how)
    own = ctx.reporters.own_level.get(target.scope.jurisdiction)
    totals = {} if own in (None, level) else _series_for(ctx, target, TOTAL, indicator, "max")
    merged = {**rollup, **totals}
    for q in merged:
        basis.add(q, "total" if q in totals else "rollup")
    if main:
        basis.totals, basis.rollups = totals, rollup
    return merged


def _goal_series(ctx: _Context, target: Target) -> tuple[Goal, list[tuple[int, float]], str, Basis]:
    catalogue, series = ctx.catalogue, KINDS[target.kind].series
    indicator = catalogue.indicator(target.indicator)
    level = target.reported_by[0]
    start = Quarter.of(target.start).ordinal
    origin = _origin(target, catalogue)  # where running sums start (a staged goal's first stage)
    end = Quarter.of(target.deadline).ordinal
    yearly = target.recurrence != "once"  # recurring: judged cycle by cycle
    cycle = RECURRENCE_YEARS[target.recurrence] or 1
    flow = indicator.measure == "flow"
    final = float(target.value if target.value is not None else target.min or 0.0)
    comparator = target.comparator
    how = "max" if indicator.rollup in ("max", "none") or series.highest else "sum"

    basis = Basis()
    if indicator.numerator and indicator.denominator:
        num = _with_totals(ctx, target, level, indicator.numerator, "sum", basis)
        den = _with_totals(ctx, target, level, indicator.denominator, "sum", basis)
        if flow or catalogue.indicator(indicator.numerator).measure == "flow":
            num, den = _running(num, origin, yearly, cycle), _running(den, origin, yearly, cycle)
        raw = {q: 100.0 * num[q] / den[q] for q in num if den.get(q)}
    else:
        raw = _with_totals(ctx, target, level, target.indicator, how, basis, main=True)
        if series.against_reference and target.reference_indicator:
            ref = _with_totals(ctx, target, level, target.reference_indicator, how, basis)
            raw = {q: raw[q] - ref[q] for q in raw if q in ref}
            final, comparator = 0.0, ">="
        elif flow and series.running:
            raw = _running(raw, origin, yearly, cycle)
    goal = Goal(
        target.id,
        target.kind,
        comparator,
        final,
        start,
        end,
        yearly=yearly,
        flow=yearly and flow and series.running,
        cumulative=not yearly and flow and series.running and not series.against_reference,
        cycle=cycle,
        hold=target.hold,
    )
    return _with_baseline(goal, target, catalogue, raw, flow), sorted(raw.items()), level, basis


def _with_baseline(
    goal: Goal, target: Target, catalogue: Catalogue, raw: dict[int, float], flow: bool
) -> Goal:
    """Where the trajectory starts (issue 12, rules 1 and 2): a later stage from its earlier
    stage's value at that stage's deadline; else the catalogue's baseline at its date; else a
    stock or a share from the value observed at the window's first quarter (or the first report
    after it: ``baseline_from_first_report``), never from 0.  Flows and relational, recurring and
    milestone goals start from 0."""
    predecessor = _predecessor(target, catalogue)
    if predecessor is not None and not goal.yearly:
        return replace(
            goal,
            baseline=float(predecessor.value or 0),
            baseline_at=Quarter.of(predecessor.deadline).ordinal,
            staged=True,
        )
    if target.baseline is not None:
        at = Quarter.of(target.baseline.date).ordinal
        return replace(goal, baseline=float(target.baseline.value), baseline_at=min(at, goal.start))
    series = KINDS[target.kind].series
    judging = KINDS[target.kind].judging
    observed = not (
        flow or goal.yearly or series.against_reference or judging.progress == "on_time"
    )
    first = [q for q in sorted(raw) if q >= goal.start]
    if not observed or not first:
        return goal
    q0 = first[0]
    note = "baseline_from_first_report" if q0 > goal.start else "baseline_observed"
    return replace(goal, baseline=raw[q0], baseline_at=q0, baseline_note=note)


def _running(
    series: dict[int, float], start: int, yearly: bool, cycle: int = 1
) -> dict[int, float]:
    """Running totals of a flow from the window's first quarter (restarting each cycle of
    ``cycle`` calendar years, counted from the start's year, for recurring goals)."""
    out: dict[int, float] = {}
    total, current = 0.0, None
    for q in sorted(series):
        if q < start:
            continue
        if yearly and (q // 4 - start // 4) // cycle != current:
            total, current = 0.0, (q // 4 - start // 4) // cycle
        total += series[q]
        out[q] = total
    return out
