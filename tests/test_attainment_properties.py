"""Property tests (hypothesis) for the judgement and for as-of views.

* attainment is monotone in the actual: non-decreasing for ">=" goals, non-increasing for
  ceilings;
* the status never improves when the latest actual gets worse (falls for ">=" goals, rises for
  ceilings), comparing :data:`STATUS_RANK` where both ranks are >= 0;
* an as-of date before a revision ignores that revision — on a real DuckDB warehouse.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.build import init_warehouse
from etl.load import load_file, reference
from judge import engine
from judge.attainment import STATUS_RANK, Goal, Judgement, judge
from model.kinds import Kind
from warehouse import queries
from warehouse.connect import connect

FAST = settings(max_examples=100, deadline=None)
PLAN_FIRST = 2011 * 4  # 2011Q1
AT_LEAST: tuple[Kind, ...] = (
    "cumulative",
    "level",
    "share",
    "per_unit",
    "rate",
    "milestone",
    "relational",
)
MOVING_AWAY: tuple[Kind, ...] = ("cumulative", "level", "share", "per_unit", "ceiling")


@dataclass(frozen=True)
class Case:
    goal: Goal
    now: int
    earlier: list[tuple[int, float]]  # the series before the varied latest point (at ``now``)

    def judge(self, latest: float, completeness: float = 1.0) -> Judgement:
        return judge(self.goal, [*self.earlier, (self.now, latest)], self.now,
                     completeness=completeness)  # fmt: skip


values = st.floats(min_value=-1e3, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def at_least_cases(draw: st.DrawFn) -> Case:
    """A ">=" goal with its window, a baseline below the target, a date inside or after the
    window and a history of earlier values."""
    kind = draw(st.sampled_from(AT_LEAST))
    start = PLAN_FIRST + draw(st.integers(0, 20))
    end = start + draw(st.integers(0, 20))
    yearly = kind == "rate" and draw(st.booleans())
    if yearly:  # yearly goals run over whole years
        start, end = start - start % 4, end - end % 4 + 3
    value = 1.0 if kind == "milestone" else draw(st.floats(1.0, 1e6))
    if kind == "relational":
        value = 0.0
    # levels may start from a positive baseline (the CAGR form); counts and shares from zero
    baseline = draw(st.floats(0.0, value * 0.99)) if kind == "level" else 0.0
    goal = Goal("g", kind, ">=", value, start, end, yearly=yearly, flow=yearly, baseline=baseline)
    now = draw(st.integers(start, end + 6))
    history = draw(st.lists(values, max_size=8))
    earlier = [
        (q, v) for q, v in zip(range(now - len(history), now), history, strict=True) if q >= start
    ]
    return Case(goal, now, earlier)


@st.composite
def ceiling_cases(draw: st.DrawFn) -> Case:
    """A ceiling with no baseline or a baseline above it (the goal asks for a reduction)."""
    start = PLAN_FIRST + draw(st.integers(0, 20))
    end = start + draw(st.integers(0, 20))
    yearly = draw(st.booleans())
    if yearly:
        start, end = start - start % 4, end - end % 4 + 3
    value = draw(st.floats(1.0, 100.0))
    baseline = draw(st.one_of(st.just(0.0), st.floats(value * 1.01, value * 5)))
    goal = Goal("g", "ceiling", "<=", value, start, end, yearly=yearly, baseline=baseline)
    now = draw(st.integers(start, end + 6))
    history = draw(st.lists(st.floats(0.01, 500.0), max_size=8))
    earlier = [
        (q, v) for q, v in zip(range(now - len(history), now), history, strict=True) if q >= start
    ]
    return Case(goal, now, earlier)


def no_better(worse: Judgement, better: Judgement) -> bool:
    """The status for the worse actual ranks no higher (only ranks >= 0 are comparable)."""
    a, b = STATUS_RANK[worse.status], STATUS_RANK[better.status]
    return a < 0 or b < 0 or a <= b


def _close_le(a: float, b: float) -> bool:
    return a <= b + 1e-9 * max(1.0, abs(a), abs(b))


# --------------------------------------------------------------------------------------------
# attainment is monotone in the actual
# --------------------------------------------------------------------------------------------


@FAST
@given(case=at_least_cases(), low=values, high=values)
def test_attainment_non_decreasing_in_the_actual(case: Case, low: float, high: float) -> None:
    low, high = min(low, high), max(low, high)
    lo, hi = case.judge(low), case.judge(high)
    for a, b in ((lo.attainment, hi.attainment), (lo.attainment_final, hi.attainment_final)):
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert _close_le(a, b), (case, low, high, a, b)


@FAST
@given(case=ceiling_cases(), low=st.floats(0.01, 500.0), high=st.floats(0.01, 500.0))
def test_ceiling_attainment_non_increasing_in_the_actual(
    case: Case, low: float, high: float
) -> None:
    low, high = min(low, high), max(low, high)
    lo, hi = case.judge(low), case.judge(high)
    for a, b in ((lo.attainment, hi.attainment), (lo.attainment_final, hi.attainment_final)):
        if a is not None and b is not None:
            assert _close_le(b, a), (case, low, high, a, b)


# --------------------------------------------------------------------------------------------
# the status never improves when the actual gets worse
# --------------------------------------------------------------------------------------------


@FAST
@given(case=at_least_cases(), low=values, high=values)
def test_status_never_improves_when_the_actual_falls(case: Case, low: float, high: float) -> None:
    low, high = min(low, high), max(low, high)
    lo, hi = case.judge(low), case.judge(high)
    assert no_better(lo, hi), (case, low, lo.status, high, hi.status)


@FAST
@given(case=ceiling_cases(), low=st.floats(0.01, 500.0), high=st.floats(0.01, 500.0))
def test_ceiling_status_never_improves_when_the_actual_rises(
    case: Case, low: float, high: float
) -> None:
    low, high = min(low, high), max(low, high)
    lo, hi = case.judge(low), case.judge(high)
    assert no_better(hi, lo), (case, low, lo.status, high, hi.status)


@st.composite
def moving_away(draw: st.DrawFn) -> tuple[Case, float]:
    """A goal with a baseline anywhere (below the target, or already meeting it), judged on an
    actual that misses the target and is *worse than the baseline*."""
    kind = draw(st.sampled_from(MOVING_AWAY))
    start = PLAN_FIRST + draw(st.integers(0, 20))
    end = start + draw(st.integers(0, 20))
    now = draw(st.integers(start, end + 6))
    if kind == "ceiling":
        value = draw(st.floats(1.0, 100.0))
        baseline = draw(st.floats(0.01, 500.0))
        actual = draw(st.floats(max(value, baseline), 1_000.0, exclude_min=True))
        goal = Goal("g", kind, "<=", value, start, end, baseline=baseline)
    else:
        value = draw(st.floats(1.0, 1e6))
        baseline = draw(st.floats(0.0, 3 * value))
        actual = draw(st.floats(-1e3, min(value, baseline), exclude_max=True))
        goal = Goal("g", kind, ">=", value, start, end, baseline=baseline)
    return Case(goal, now, []), actual


@FAST
@given(case_actual=moving_away())
def test_moving_away_from_the_target_is_never_on_track(case_actual: tuple[Case, float]) -> None:
    """Worse than the baseline and short of the target: off track (or missed), whatever the
    baseline — including a baseline that already met the target ("keep at least 300", "stay
    within 7 days"), where the required change has the other sign."""
    case, actual = case_actual
    status = case.judge(actual).status
    assert status in ("off_track", "missed", "insufficient_data"), (case, actual, status)


@FAST
@given(case=at_least_cases(), actual=values, completeness=st.floats(0.0, 0.6999))
def test_low_completeness_is_never_red(case: Case, actual: float, completeness: float) -> None:
    status = case.judge(actual, completeness).status
    assert status in ("insufficient_data", "not_started")


# --------------------------------------------------------------------------------------------
# as of a date before a revision, the revision is ignored
# --------------------------------------------------------------------------------------------

IND = "demo_platforms_provincial"
TARGET = "gd624-demo-platforms-provincial-2015"
HEADER = "地区代码,指标,报告期,数值,备注\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty warehouse (dimensions only), copied for each example."""
    db = tmp_path_factory.mktemp("template") / "w.duckdb"
    init_warehouse(db)
    return db


def _load(db: Path, value: int, submitted: dt.datetime, name: str) -> None:
    data = f"{HEADER}440100,{IND},2014Q2,{value},\n".encode()
    result = load_file(data, db=db, name=name, submitted_at=submitted)
    assert result.status == "committed", result.issues


def _known(db: Path, as_of: dt.date) -> pl.DataFrame:
    with connect(db) as con:
        return queries.current_reports(con, known_on=as_of, indicator=IND)


def _actual(db: Path, known_on: dt.date) -> float | None:
    """The goal's actual as known on a day, evaluated when 2014Q2 is due (2014-07-15)."""
    ref = reference()
    with connect(db) as con:
        frame = engine.evaluate(
            con,
            catalogue=ref.catalogue,
            regions=ref.regions,
            as_of=dt.date(2014, 7, 20),
            known_on=known_on,
        )
    value = frame.filter(pl.col("target_id") == TARGET)["actual"].item()
    return None if value is None else float(value)


@settings(max_examples=12, deadline=None)
@given(
    first=st.integers(0, 10_000),
    second=st.integers(0, 10_000),
    days=st.integers(1, 60),  # first submission: days after 2014Q2 ended
    gap=st.integers(1, 60),  # the correction: days after the first submission
    hour=st.integers(0, 15),  # UTC hour of the correction: still the same day in Beijing
)
def test_known_on_before_a_revision_ignores_it(
    template: Path, first: int, second: int, days: int, gap: int, hour: int
) -> None:
    if first == second:
        second = first + 1  # an identical value is not a revision
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        shutil.copy(template, db)
        submitted = dt.datetime(2014, 6, 30, 9) + dt.timedelta(days=days)
        corrected = dt.datetime.combine(submitted.date() + dt.timedelta(days=gap), dt.time(hour))
        _load(db, first, submitted, "first.csv")
        day_before = corrected.date() - dt.timedelta(days=1)
        before_correction = _actual(db, day_before)
        _load(db, second, corrected, "correction.csv")

        # before the first submission: nothing known
        assert _known(db, submitted.date() - dt.timedelta(days=1)).height == 0
        # the day before the correction: the first value, revision 1
        known = _known(db, day_before)
        assert known.select("value", "revision").rows() == [(float(first), 1)]
        # from the correction's (Beijing) day on: the corrected value, revision 2
        known = _known(db, corrected.date())
        assert known.select("value", "revision").rows() == [(float(second), 2)]
        # the engine agrees: the province figure (a running sum of this one report)
        assert _actual(db, day_before) == float(first)
        assert _actual(db, corrected.date()) == float(second)
        # and the past view is the same as it was before the correction was loaded
        assert before_correction == float(first)
