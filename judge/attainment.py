"""The judgement: trajectory, attainment, projection and status of one goal, from its series.

Pure functions over small inputs (a goal and its quarterly series); no database.  The method is
written out for planners in ``docs/methodology.md``; the thresholds follow the progress assessment
of the UN Sustainable Development Goals Report and Open SDG ("anticipated versus required
progress": R = observed rate ÷ required rate; R ≥ 0.95 on track, 0.6 ≤ R < 0.95 at risk, R < 0.6
off track; a goal is met when its latest value meets the target).  Reference: United Nations
Statistics Division, *SDG Progress Chart 2023 — Technical Note*, section "Measuring progress
towards targets: the ratio of actual to required growth"; Open SDG ``progress`` calculation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from model.kinds import KINDS, LOWER_IS_BETTER, Comparator, Kind

Status = Literal[
    "achieved",
    "achieved_late",
    "on_track",
    "at_risk",
    "off_track",
    "missed",
    "not_started",
    "insufficient_data",
]
STATUSES: tuple[Status, ...] = get_args(Status)
# For "status never improves when the actual falls": higher is better.
STATUS_RANK: dict[Status, int] = {
    "missed": 0,
    "off_track": 1,
    "at_risk": 2,
    "on_track": 3,
    "achieved_late": 4,
    "achieved": 5,
    "not_started": -1,
    "insufficient_data": -1,
}
ON_TRACK_R = 0.95
AT_RISK_R = 0.60
MIN_COMPLETENESS = 0.7
TREND_QUARTERS = 4


@dataclass(frozen=True)
class Goal:
    """What the judgement needs of a target, in quarter ordinals (year * 4 + quarter - 1)."""

    target_id: str
    kind: Kind
    comparator: Comparator
    value: float  # the final value (the lower bound of a range)
    start: int  # first quarter of the window
    end: int  # the quarter holding the deadline
    yearly: bool = False  # met year by year
    flow: bool = False  # with yearly: the series is a year-to-date running total
    baseline: float = 0.0
    baseline_at: int | None = None  # quarter the baseline holds at (default: start - 1)
    cumulative: bool = False  # a running total of a non-negative flow over the window
    cycle: int = 1  # with yearly: a cycle's length in years (biennial: 2), from start's year
    hold: bool = False  # a level to be held in every quarter of the window (保持…以上)
    staged: bool = False  # a later stage (catalogue follows): baseline = the earlier stage's end
    baseline_note: str | None = None  # how the baseline was found: a machine code for notes
    short: tuple[tuple[int, tuple[str, ...]], ...] = ()  # per-unit goals: units short by quarter


@dataclass
class Judgement:
    status: Status
    actual: float | None
    planned: float | None
    final: float
    attainment: float | None  # actual ÷ planned-now (inverse for ceilings), as a fraction
    attainment_final: float | None  # actual ÷ final value (inverse for ceilings)
    projected: float | None
    required_rate: float | None  # per quarter, over the quarters left
    ratio: float | None  # R, observed ÷ required progress
    latest: int | None  # the quarter the actual is from
    met_at: int | None = None  # first quarter the target was met
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # machine codes (status --json notes)


def meets(comparator: Comparator, actual: float, value: float) -> bool:
    if comparator in (">=", "between"):
        return actual >= value
    if comparator == ">":
        return actual > value
    if comparator == "<=":
        return actual <= value
    return actual < value


def lower_is_better(goal: Goal) -> bool:
    return goal.comparator in LOWER_IS_BETTER


def planned_at(goal: Goal, quarter: int) -> float:
    """The trajectory: linear from the baseline to the value at the deadline.

    Yearly goals plan the pro-rata share of the year: a quarter of the value per quarter."""
    if goal.yearly and goal.flow:
        return goal.value * _cycle_elapsed(goal, quarter) / (4 * goal.cycle)
    if goal.yearly:
        return goal.value
    origin = goal.baseline_at if goal.baseline_at is not None else goal.start - 1
    span = goal.end - origin
    if span <= 0:
        return goal.value
    fraction = min(max((quarter - origin) / span, 0.0), 1.0)
    return goal.baseline + (goal.value - goal.baseline) * fraction


def _slope(points: Sequence[tuple[int, float]]) -> float | None:
    """Least-squares slope per quarter over the most recent points."""
    recent = list(points)[-TREND_QUARTERS:]
    if len(recent) < 2:
        return None
    xs = [float(q) for q, _ in recent]
    ys = [v for _, v in recent]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else None


def progress_ratio(goal: Goal, actual: float, quarter: int) -> float | None:
    """R: observed progress ÷ the progress required by now.

    Most kinds use the linear form (observed change per quarter ÷ required change per quarter);
    kinds judged by ``compound`` progress (levels) with a positive baseline use compound growth
    (observed CAGR ÷ required CAGR), as the UN SDG progress assessment does."""
    origin = goal.baseline_at if goal.baseline_at is not None else goal.start - 1
    elapsed, total = quarter - origin, goal.end - origin
    if elapsed <= 0 or total <= 0:
        return None
    base = goal.baseline
    compound = KINDS[goal.kind].judging.progress == "compound"
    if compound and base > 0 and actual > 0 and goal.value > base:
        observed = (actual / base) ** (1 / elapsed) - 1
        required = (goal.value / base) ** (1 / total) - 1
        return observed / required if required > 0 else None
    required_change = (goal.value - base) / total
    if required_change == 0:
        return None
    # Open SDG's form: direction × observed ÷ |required|, so that moving away from the target is
    # negative even when the baseline already lay beyond it.
    direction = -1.0 if lower_is_better(goal) else 1.0
    return direction * ((actual - base) / elapsed) / abs(required_change)


def classify(ratio: float | None) -> Status:
    if ratio is None or math.isnan(ratio):
        return "insufficient_data"
    if ratio >= ON_TRACK_R:
        return "on_track"
    if ratio >= AT_RISK_R:
        return "at_risk"
    return "off_track"


def judge(
    goal: Goal,
    series: Sequence[tuple[int, float]],
    now: int,
    *,
    completeness: float | None = 1.0,
    closing: bool = True,
) -> Judgement:
    """Judge ``goal`` at quarter ``now`` (the last quarter judged at the as-of date) from its
    actual ``series`` of (quarter, value), oldest first, known at the as-of date.  ``closing``:
    whether the deadline quarter is due, so that a final verdict (achieved / missed) may be
    given; until then a goal whose deadline quarter has ended is judged in progress.

    ``series`` is already in the goal's terms: the running total for cumulative flows, the level
    for stocks, the share in % for shares and per-unit goals, the year-to-date sum for yearly goals
    (restarting each year)."""
    final, judging = goal.value, KINDS[goal.kind].judging
    points = [(q, v) for q, v in series if goal.start <= q <= max(now, goal.start)]
    points = [(q, v) for q, v in points if q <= now]
    latest_q, actual = points[-1] if points else (None, None)
    # planned at the quarter the actual is from, so attainment compares like with like
    plan_q = min(latest_q if latest_q is not None else now, goal.end)
    planned = planned_at(goal, plan_q) if now >= goal.start else None
    if judging.progress == "on_time":
        planned = None  # a milestone is done or not: no linear path to plan
    judgement = Judgement(
        "insufficient_data", actual, planned, final, None, None, None, None, None, latest_q
    )
    closed = now >= goal.end and closing  # the deadline quarter is due: a final verdict
    if now < goal.start:
        judgement.status = "not_started"
        judgement.planned = None
        return judgement
    met = [q for q, v in points if meets(goal.comparator, v, final)]
    judgement.met_at = met[0] if met else None
    if actual is not None:
        judgement.attainment = _ratio(goal, actual, planned)
        judgement.attainment_final = _ratio(goal, actual, final)
    if completeness is not None and completeness < MIN_COMPLETENESS and not _proven(goal, actual):
        judgement.notes.append(f"completeness {completeness:.0%} < {MIN_COMPLETENESS:.0%}")
        return judgement  # insufficient data, never red
    if actual is None or latest_q is None:
        return judgement

    if goal.yearly:
        return _judge_cycles(goal, points, now, judgement, closed)
    if goal.hold:
        return _judge_held(goal, points, judgement, closed)

    if closed:  # the deadline quarter is due: final verdict on the value at it
        return _judge_closed(goal, points, judgement)

    return _judge_in_progress(goal, points, now, judgement)


def _judge_closed(goal: Goal, points: list[tuple[int, float]], judgement: Judgement) -> Judgement:
    """The final verdict, on the figure at the deadline quarter (or the last before it): the
    actual, planned and attainment shown are that quarter's.  A later figure that meets the goal
    makes it "achieved late" for a multi-year goal or a milestone (done late), never for a goal of
    one year or less (its year is over: a flow that goes on counting into the next year would
    turn every "missed" into "achieved late")."""
    final = goal.value
    at_deadline = [(q, v) for q, v in points if q <= goal.end]
    later = [v for q, v in points if q > goal.end]
    if at_deadline:
        q, v = at_deadline[-1]
        judgement.actual, judgement.latest = v, q
        judgement.planned = None if judgement.planned is None else planned_at(goal, q)
        judgement.attainment = _ratio(goal, v, judgement.planned)
        judgement.attainment_final = _ratio(goal, v, final)
    judgement.projected = at_deadline[-1][1] if at_deadline else None
    # a milestone done late is still done late, whatever its window
    late_counts = goal.end - goal.start >= 4 or KINDS[goal.kind].judging.progress == "on_time"
    if at_deadline and meets(goal.comparator, at_deadline[-1][1], final):
        judgement.status = "achieved"
    elif late_counts and later and meets(goal.comparator, later[-1], final):
        judgement.status = "achieved_late"
        judgement.notes.append(f"met after the deadline: {later[-1]:g}")
    else:
        judgement.status = "missed"
    return judgement


def _judge_in_progress(
    goal: Goal, points: list[tuple[int, float]], now: int, judgement: Judgement
) -> Judgement:
    """Before a final verdict: met already, or on track / at risk / off track by R."""
    final, judging = goal.value, KINDS[goal.kind].judging
    latest_q, actual = points[-1]
    left = goal.end - latest_q
    judgement.required_rate = (final - actual) / left if left > 0 else None
    slope = _slope(points)
    if slope is not None:
        projected = actual + slope * left
        if judging.percent:
            projected = min(projected, 100.0)
        judgement.projected = max(projected, 0.0)
    if meets(goal.comparator, actual, final):
        judgement.status = "achieved"
        judgement.required_rate = 0.0
        return judgement
    if goal.staged and goal.baseline_at is not None and latest_q <= goal.baseline_at:
        # a later stage of a staged goal: it starts where the earlier stage ends
        judgement.status = "not_started"
        judgement.notes.append("the earlier stage is still running")
        return judgement
    if judging.progress == "on_time":  # done or not: no path to measure progress on
        # at risk once the deadline quarter is the next one due (or has ended, not yet due)
        judgement.status = "on_track" if goal.end - now > 1 else "at_risk"
        return judgement
    if judging.progress == "none" or (lower_is_better(goal) and goal.baseline == 0):
        judgement.status = "off_track"
        return judgement
    judgement.ratio = progress_ratio(goal, actual, latest_q)
    judgement.status = classify(judgement.ratio)
    return judgement


def _proven(goal: Goal, actual: float | None) -> bool:
    """A running sum of non-negative flows only grows: a partial sum that already meets a "≥"
    value proves the goal met, however few reports are in."""
    return (
        goal.cumulative
        and goal.comparator in (">=", ">")
        and actual is not None
        and meets(goal.comparator, actual, goal.value)
    )


def cycle_of(goal: Goal, quarter: int) -> int:
    """The cycle holding ``quarter`` (0 for the first): cycles are ``goal.cycle`` calendar years
    counted from the calendar year of the start."""
    return (quarter // 4 - goal.start // 4) // goal.cycle


def cycle_quarters(goal: Goal, k: int) -> tuple[int, int]:
    """The first and last quarter of cycle ``k`` within the window (the first opens on the
    start, which may be mid-year)."""
    first = (goal.start // 4 + k * goal.cycle) * 4
    return max(first, goal.start), min(first + 4 * goal.cycle - 1, goal.end)


def _cycle_elapsed(goal: Goal, quarter: int) -> int:
    """Quarters of the cycle up to ``quarter`` (counted from the cycle's calendar start)."""
    return quarter - (goal.start // 4 + cycle_of(goal, quarter) * goal.cycle) * 4 + 1


def _label(q: int) -> str:
    return f"{q // 4}Q{q % 4 + 1}"


def _cycle_label(goal: Goal, k: int) -> str:
    first, last = cycle_quarters(goal, k)
    return str(first // 4) if first // 4 == last // 4 else f"{first // 4}-{last // 4}"


def _worst_quarter(goal: Goal) -> bool:
    """A ceiling (lower is better) on a reported level is judged on its worst quarter."""
    return lower_is_better(goal) and not goal.flow


def _cycle_value(goal: Goal, points: list[tuple[int, float]]) -> tuple[int, float]:
    """The quarter and figure a cycle is judged on: a ceiling's worst (highest) quarter, the
    latest of equals; otherwise the cycle's last figure (a flow's total for the cycle)."""
    if _worst_quarter(goal):
        return max(points, key=lambda p: (p[1], p[0]))
    return points[-1]


def _cycle_results(goal: Goal, points: list[tuple[int, float]], now: int) -> dict[int, bool]:
    """Each cycle decided by ``now``: met or missed.  A cycle is decided once it is closed (its
    last quarter reported, or ``now`` past it); a ceiling's cycle is missed as soon as a quarter
    exceeds it (its worst quarter can only get worse).  A missed cycle is final."""
    results: dict[int, bool] = {}
    for k in sorted({cycle_of(goal, q) for q, _ in points}):
        cycle = [(q, v) for q, v in points if cycle_of(goal, q) == k]
        _, last = cycle_quarters(goal, k)
        ok = meets(goal.comparator, _cycle_value(goal, cycle)[1], goal.value)
        if cycle[-1][0] == last or now > last or (_worst_quarter(goal) and not ok):
            results[k] = ok
    return results


def _missed_note(goal: Goal, k: int) -> str:
    """``2013``, or ``2013 (units short: …)`` for a goal on each unit."""
    short = dict(goal.short)
    cycle = cycle_quarters(goal, k)
    q = max((q for q in short if cycle[0] <= q <= cycle[1]), default=None)
    units = short.get(q, ()) if q is not None else ()
    suffix = f" (units short: {', '.join(units)})" if units else ""
    return _cycle_label(goal, k) + suffix


def _show_cycle(goal: Goal, points: list[tuple[int, float]], judgement: Judgement) -> None:
    """Actual, planned, attainment, projection and run-rate of one cycle's figures."""
    judged_q, value = _cycle_value(goal, points)
    latest_q = points[-1][0]
    _, last = cycle_quarters(goal, cycle_of(goal, latest_q))
    judgement.actual, judgement.latest = value, judged_q
    judgement.planned = planned_at(goal, latest_q)
    judgement.attainment = _ratio(goal, value, judgement.planned)
    judgement.attainment_final = _ratio(goal, value, goal.value)
    judgement.projected, judgement.required_rate = value, None
    if goal.flow:
        left = last - latest_q
        judgement.projected = value * 4 * goal.cycle / _cycle_elapsed(goal, latest_q)
        judgement.required_rate = (goal.value - value) / left if left else None


def _judge_cycles(
    goal: Goal, points: list[tuple[int, float]], now: int, judgement: Judgement, closed: bool
) -> Judgement:
    """A recurring goal (yearly, biennial) is met cycle by cycle: each cycle is judged on its own
    figures (a flow restarts each cycle; a ceiling on its worst quarter); a missed cycle is final
    and makes the goal off track, and missed once the deadline quarter is due.  The status speaks
    for the current cycle (the deadline's once it is due); a figure after the deadline never
    counts, so a recurring goal is never achieved late."""
    points = [(q, v) for q, v in points if q <= goal.end]
    results = _cycle_results(goal, points, now)
    missed = [k for k, ok in sorted(results.items()) if not ok]
    if missed:
        judgement.notes.append("missed in " + ", ".join(_missed_note(goal, k) for k in missed))
        judgement.flags.append("missed_cycle")
    current = cycle_of(goal, min(now, goal.end))
    cycle_points = [(q, v) for q, v in points if cycle_of(goal, q) == current]
    if closed:
        return _close_cycles(goal, cycle_points, results, judgement)
    if cycle_points:
        _show_cycle(goal, cycle_points, judgement)
    if missed:
        judgement.status = "off_track"  # every cycle must be met: the goal can no longer be
        return judgement
    if not cycle_points or judgement.actual is None:
        judgement.status = "insufficient_data"
        return judgement
    if meets(goal.comparator, judgement.actual, goal.value):
        judgement.status = "on_track"  # this cycle is met so far; the goal runs to its deadline
        judgement.required_rate = 0.0 if goal.flow else None
        return judgement
    if goal.flow or KINDS[goal.kind].series.each_unit:
        # within the cycle: a flow against its pro-rata plan; a goal on each unit by the share
        # of units on pace (each unit's year to date pro rata)
        planned = judgement.planned
        judgement.ratio = judgement.actual / planned if planned else None
        judgement.status = classify(judgement.ratio)
        return judgement
    judgement.status = "off_track"  # a standard not held now
    return judgement


def _close_cycles(
    goal: Goal, points: list[tuple[int, float]], results: dict[int, bool], judgement: Judgement
) -> Judgement:
    """The final verdict of a recurring goal: achieved when every cycle of the window was met,
    else missed; the figures shown are the deadline cycle's (none if it has no report)."""
    unreported = [k for k in range(cycle_of(goal, goal.end) + 1) if k not in results]
    if unreported:
        judgement.notes.append(
            "no report for " + ", ".join(_cycle_label(goal, k) for k in unreported)
        )
        judgement.flags.append("unreported_cycle")
    if points:
        _show_cycle(goal, points, judgement)
        judgement.required_rate = None
    else:
        judgement.actual = judgement.latest = judgement.projected = None
        judgement.attainment = judgement.attainment_final = None
    broken = unreported or not all(results.values())
    judgement.status = "missed" if broken else "achieved"
    return judgement


def _judge_held(
    goal: Goal, points: list[tuple[int, float]], judgement: Judgement, closed: bool
) -> Judgement:
    """A level to be held ("保持…以上", ``hold``): every quarter of the window is judged; a
    quarter short of the level breaks it (off track while running, missed once the deadline
    quarter is due).  Held so far: on track; held throughout: achieved at the deadline."""
    window = [(q, v) for q, v in points if q <= goal.end]
    broken = [q for q, v in window if not meets(goal.comparator, v, goal.value)]
    if broken:
        judgement.notes.append("not held in " + ", ".join(_label(q) for q in broken))
        judgement.flags.append("held_level_broken")
    if window:
        q, v = window[-1]
        judgement.actual, judgement.latest = v, q
        judgement.planned = goal.value  # the level is due in every quarter
        judgement.attainment = _ratio(goal, v, goal.value)
        judgement.attainment_final = judgement.attainment
        judgement.projected = v if closed else judgement.projected
    if closed:
        judgement.status = "missed" if broken or not window else "achieved"
    else:
        judgement.status = "off_track" if broken else "on_track"
        judgement.required_rate = None
    return judgement


def _ratio(goal: Goal, actual: float, reference: float | None) -> float | None:
    if reference is None:
        return None
    if lower_is_better(goal):
        return reference / actual if actual > 0 else None
    return actual / reference if reference else None
