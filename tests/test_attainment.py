"""Hand-computed cases for :func:`judge.attainment.judge`, one or more per kind of goal.

Every expected number below was worked out by hand (the working is in the comment next to it)
and is written into the test as a literal: nothing is recomputed with the code under test.
Quarters are ordinals, ``year * 4 + quarter - 1``, as the module uses them; ``Q(2014, 2)`` is
only a readable way to write 8057.
"""

from __future__ import annotations

import pytest

from judge.attainment import (
    AT_RISK_R,
    MIN_COMPLETENESS,
    ON_TRACK_R,
    STATUS_RANK,
    Goal,
    classify,
    judge,
    planned_at,
    progress_ratio,
)
from model.periods import Quarter


def Q(year: int, quarter: int) -> int:
    return year * 4 + quarter - 1


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-4, abs=1e-9)


def test_quarter_ordinals_are_the_engines() -> None:
    # Q above is how these tests write an ordinal; the engine makes the goals it judges with
    # Quarter.ordinal, and reads them back with Quarter.from_ordinal: all three must agree.
    for year, quarter, expected in ((2011, 1, 8044), (2014, 2, 8057), (2015, 4, 8063)):
        assert Quarter(year, quarter).ordinal == Q(year, quarter) == expected
        assert Quarter.from_ordinal(expected) == Quarter(year, quarter)
    assert Quarter(2011, 1).previous().ordinal == Q(2011, 1) - 1


def test_thresholds_are_the_published_ones() -> None:
    # UN SDG Progress Chart technical note / Open SDG: R >= 0.95 on track, 0.6 <= R < 0.95 at risk
    assert (ON_TRACK_R, AT_RISK_R, MIN_COMPLETENESS) == (0.95, 0.60, 0.7)
    assert classify(0.95) == "on_track"
    assert classify(0.9499) == "at_risk"
    assert classify(0.60) == "at_risk"
    assert classify(0.5999) == "off_track"
    assert classify(None) == "insufficient_data"
    assert classify(float("nan")) == "insufficient_data"


# --------------------------------------------------------------------------------------------
# cumulative flow: 500 provincial demonstration platforms over 2011-2015 (the worked example)
# --------------------------------------------------------------------------------------------

PLATFORMS = Goal("platforms-500", "cumulative", ">=", 500, Q(2011, 1), Q(2015, 4))
# Running totals since 2011Q1: 23 a quarter for ten quarters (23, 46, ..., 230 at 2013Q2), then
# 20 a quarter: 250 (2013Q3), 270 (2013Q4), 290 (2014Q1), 310 (2014Q2).
PLATFORMS_SERIES = [(Q(2011, 1) + i, 23.0 * (i + 1)) for i in range(10)] + [
    (Q(2013, 3), 250.0),
    (Q(2013, 4), 270.0),
    (Q(2014, 1), 290.0),
    (Q(2014, 2), 310.0),
]


def test_cumulative_flow_500_platforms_with_310_by_2014q2() -> None:
    j = judge(PLATFORMS, PLATFORMS_SERIES, Q(2014, 2))
    # The trajectory runs from 0 at the end of 2010Q4 to 500 at the end of 2015Q4: 20 quarters.
    # By the end of 2014Q2, 14 quarters have passed: planned = 500 × 14/20 = 350.
    assert j.actual == 310
    assert j.planned == approx(350.0)
    assert j.final == 500
    assert j.latest == Q(2014, 2)
    # attainment = 310 / 350 = 0.885714; against the final value 310 / 500 = 0.62
    assert j.attainment == approx(0.885714)
    assert j.attainment_final == approx(0.62)
    # R = observed rate ÷ required rate = (310 / 14) / (500 / 20) = 22.142857 / 25 = 0.885714
    # 0.6 <= R < 0.95: at risk
    assert j.ratio == approx(0.885714)
    assert j.status == "at_risk"
    # 6 quarters left (2014Q3 … 2015Q4): required run-rate = (500 - 310) / 6 = 31.6667 a quarter
    assert j.required_rate == approx(31.666667)
    # least-squares slope of the last four points (250, 270, 290, 310) = 20 a quarter;
    # projected = 310 + 20 × 6 = 430
    assert j.projected == approx(430.0)
    assert j.met_at is None
    assert j.notes == []


def test_planned_is_linear_from_zero_at_the_start() -> None:
    # 500 × k / 20 after k quarters; before the window opens, nothing is planned
    assert planned_at(PLATFORMS, Q(2011, 1)) == approx(25.0)
    assert planned_at(PLATFORMS, Q(2012, 4)) == approx(200.0)
    assert planned_at(PLATFORMS, Q(2015, 4)) == approx(500.0)
    assert planned_at(PLATFORMS, Q(2017, 1)) == approx(500.0)  # capped at the final value
    assert planned_at(PLATFORMS, Q(2010, 1)) == approx(0.0)  # floored at the baseline


def test_cumulative_met_early_is_achieved() -> None:
    # 520 by 2015Q2 already meets >= 500 before the deadline: achieved, nothing more required
    series = [(Q(2015, 1), 480.0), (Q(2015, 2), 520.0)]
    j = judge(PLATFORMS, series, Q(2015, 2))
    assert j.status == "achieved"
    assert j.required_rate == 0.0
    assert j.met_at == Q(2015, 2)
    # planned at 2015Q2 = 500 × 18/20 = 450; attainment = 520 / 450 = 1.155556; final 520/500
    assert j.planned == approx(450.0)
    assert j.attainment == approx(1.155556)
    assert j.attainment_final == approx(1.04)
    # slope (480 → 520) = 40; projected = 520 + 40 × 2 = 600
    assert j.projected == approx(600.0)


def test_cumulative_after_the_deadline_achieved_late_and_missed() -> None:
    # value at the deadline (2015Q4) 480 < 500, later 505 in 2016Q2: achieved late
    late = [(Q(2015, 3), 460.0), (Q(2015, 4), 480.0), (Q(2016, 2), 505.0)]
    j = judge(PLATFORMS, late, Q(2016, 2))
    assert j.status == "achieved_late"
    assert j.projected == 480.0  # the value at the deadline
    assert j.met_at == Q(2016, 2)
    # never reaching 500: missed
    j = judge(PLATFORMS, late[:2], Q(2016, 2))
    assert j.status == "missed"
    assert j.actual == 480.0
    # met in the deadline quarter, judged two quarters later: achieved on time
    j = judge(PLATFORMS, [(Q(2015, 4), 501.0)], Q(2016, 2))
    assert j.status == "achieved"


def test_deadline_quarter_just_reported_unmet_is_missed() -> None:
    """``now`` is the last quarter that has *ended*; when it is the deadline quarter the window
    is over, so a goal that is not met is missed — not "on track".

    24 a quarter for 20 quarters: 480 at the end of 2015Q4, judged at now = 2015Q4.
    R would be (480 / 20) / (500 / 20) = 0.96, but there is no time left to close the gap."""
    series = [(Q(2011, 1) + i, 24.0 * (i + 1)) for i in range(20)]
    j = judge(PLATFORMS, series, Q(2015, 4))
    assert j.actual == 480.0
    assert j.planned == approx(500.0)
    assert j.status == "missed"


# --------------------------------------------------------------------------------------------
# yearly flow: 100,000 enterprise visits a year
# --------------------------------------------------------------------------------------------

VISITS = Goal("visits", "rate", ">=", 100_000, Q(2018, 1), Q(2018, 4), yearly=True, flow=True)


def test_yearly_flow_100000_visits_with_61000_by_q3() -> None:
    # year-to-date: 20,000 (Q1), 41,000 (Q2), 61,000 (Q3)
    series = [(Q(2018, 1), 20_000.0), (Q(2018, 2), 41_000.0), (Q(2018, 3), 61_000.0)]
    j = judge(VISITS, series, Q(2018, 3))
    # pro-rata plan: three quarters of the year = 100,000 × 3/4 = 75,000
    assert j.planned == approx(75_000.0)
    assert j.actual == 61_000.0
    assert j.latest == Q(2018, 3)
    # attainment = 61,000 / 75,000 = 0.813333 (this is R for yearly flows); final 0.61
    assert j.attainment == approx(0.813333)
    assert j.attainment_final == approx(0.61)
    assert j.ratio == approx(0.813333)
    assert j.status == "at_risk"
    # projected = year-to-date × 4 ÷ quarters elapsed = 61,000 × 4 / 3 = 81,333.33
    assert j.projected == approx(81_333.333)
    # one quarter left: (100,000 - 61,000) / 1 = 39,000
    assert j.required_rate == approx(39_000.0)


def test_yearly_flow_planned_is_pro_rata() -> None:
    assert planned_at(VISITS, Q(2018, 1)) == approx(25_000.0)
    assert planned_at(VISITS, Q(2018, 2)) == approx(50_000.0)
    assert planned_at(VISITS, Q(2018, 4)) == approx(100_000.0)


TRAINING = Goal("training", "rate", ">=", 10_000, Q(2012, 1), Q(2015, 4), yearly=True, flow=True)


def test_yearly_flow_met_so_far_is_on_track_and_a_closed_short_year_is_off_track() -> None:
    # 2013 year-to-date: 5,200 by Q2 -> planned 10,000 × 2/4 = 5,000; 5,200 < 10,000 is not met
    # yet; R = 5,200 / 5,000 = 1.04 -> on track; projected 5,200 × 4 / 2 = 10,400
    series = [(Q(2012, 4), 10_500.0), (Q(2013, 1), 2_400.0), (Q(2013, 2), 5_200.0)]
    j = judge(TRAINING, series, Q(2013, 2))
    assert j.status == "on_track"
    assert j.ratio == approx(1.04)
    assert j.projected == approx(10_400.0)
    assert j.required_rate == approx(2_400.0)  # (10,000 - 5,200) / 2
    # 2013 closes at 9,500: the year is short -> off track; attainment 9,500 / 10,000 = 0.95
    series = [*series, (Q(2013, 3), 7_000.0), (Q(2013, 4), 9_500.0)]
    j = judge(TRAINING, series, Q(2013, 4))
    assert j.status == "off_track"
    assert j.attainment == approx(0.95)
    assert j.projected == approx(9_500.0)  # 9,500 × 4 / 4
    assert j.required_rate is None  # no quarter left in the year
    # 10,000 reached in 2014Q4 -> this year met (on track: the goal runs to 2015)
    j = judge(TRAINING, [(Q(2014, 3), 8_000.0), (Q(2014, 4), 10_000.0)], Q(2014, 4))
    assert j.status == "on_track"
    assert j.required_rate == 0.0


def test_yearly_after_the_deadline_is_judged_year_by_year() -> None:
    every_year = [(Q(y, 4), 10_000.0 + y) for y in range(2012, 2016)]
    j = judge(TRAINING, every_year, Q(2016, 1))
    assert j.status == "achieved"
    # 2013 closed at 9,800: missed, and the note names the year
    short = [(Q(2012, 4), 10_500.0), (Q(2013, 4), 9_800.0), (Q(2014, 4), 10_200.0),
             (Q(2015, 4), 11_000.0)]  # fmt: skip
    j = judge(TRAINING, short, Q(2016, 1))
    assert j.status == "missed"
    assert j.notes == ["missed in 2013"]
    # no report at all for 2014: missed too
    gap = [p for p in every_year if p[0] // 4 != 2014]
    j = judge(TRAINING, gap, Q(2016, 1))
    assert j.status == "missed"
    assert j.notes == ["no report for 2014"]


def test_yearly_after_the_deadline_ignores_years_outside_the_window() -> None:
    """Met in every year 2012-2015: achieved.  A report for 2016 (the indicator is still being
    reported) lies outside the goal's window and cannot turn the verdict into "missed"."""
    every_year = [(Q(y, 4), 10_500.0) for y in range(2012, 2016)]
    j = judge(TRAINING, [*every_year, (Q(2016, 4), 3_000.0)], Q(2017, 1))
    assert j.status == "achieved"
    assert j.notes == []


# --------------------------------------------------------------------------------------------
# share: 90 % coverage
# --------------------------------------------------------------------------------------------


def test_share_19_of_21_cities_meets_90_percent() -> None:
    goal = Goal("coverage", "share", ">=", 90, Q(2017, 1), Q(2018, 4))
    # 19 / 21 = 90.476 % >= 90 in 2017Q4, a year early: achieved
    j = judge(goal, [(Q(2017, 3), 100 * 17 / 21), (Q(2017, 4), 100 * 19 / 21)], Q(2017, 4))
    assert j.actual == approx(90.476190)
    assert j.status == "achieved"
    assert j.met_at == Q(2017, 4)
    # planned: 0 → 90 over 8 quarters, 4 elapsed: 45; attainment 90.476 / 45 = 2.010582
    assert j.planned == approx(45.0)
    assert j.attainment == approx(2.010582)
    assert j.attainment_final == approx(1.005291)  # 90.476 / 90
    # slope (80.952 → 90.476) = 9.524 a quarter; 90.476 + 9.524 × 4 = 128.6 -> capped at 100 %
    assert j.projected == approx(100.0)
    # 18 / 21 = 85.714 % does not meet 90 %
    j = judge(goal, [(Q(2017, 4), 100 * 18 / 21)], Q(2017, 4))
    assert j.status != "achieved"


def test_share_with_a_baseline_at_risk() -> None:
    # baseline 60 % at the end of 2016Q4; 90 % by 2018Q4 (8 quarters)
    goal = Goal("coverage", "share", ">=", 90, Q(2017, 1), Q(2018, 4), baseline=60)
    series = [(Q(2017, q), 100 * (11 + q) / 21) for q in range(1, 5)]  # 12/21 … 15/21
    j = judge(goal, series, Q(2017, 4))
    # actual 15/21 = 71.428571 %; planned 60 + 30 × 4/8 = 75; attainment 71.4286/75 = 0.952381
    assert j.actual == approx(71.428571)
    assert j.planned == approx(75.0)
    assert j.attainment == approx(0.952381)
    # linear form (a share): R = ((71.428571 - 60) / 4) / (30 / 8) = 2.857143 / 3.75 = 0.761905
    assert j.ratio == approx(0.761905)
    assert j.status == "at_risk"
    # slope 100/21 = 4.761905 a quarter, 4 left: 71.428571 + 19.047619 = 90.476190 (= 19/21)
    assert j.projected == approx(90.476190)
    # (90 - 71.428571) / 4 = 4.642857 points a quarter
    assert j.required_rate == approx(4.642857)


# --------------------------------------------------------------------------------------------
# per unit: every specialised town with at least 5 platforms
# --------------------------------------------------------------------------------------------


def test_per_unit_every_town_five_platforms_three_short() -> None:
    # The series is the share of towns meeting the threshold; the goal is 100 % of the towns.
    goal = Goal("towns", "per_unit", ">=", 100, Q(2012, 3), Q(2015, 4))
    # 32 towns: 24, 26, 27, 29 meeting -> 75 %, 81.25 %, 84.375 %, 90.625 % (three short)
    series = [(Q(2013, 3), 75.0), (Q(2013, 4), 81.25), (Q(2014, 1), 84.375),
              (Q(2014, 2), 90.625)]  # fmt: skip
    j = judge(goal, series, Q(2014, 2))
    # window: origin 2012Q2 (start − 1), deadline 2015Q4: 14 quarters, 8 elapsed
    # planned = 100 × 8/14 = 57.142857; attainment = 90.625 / 57.142857 = 1.5859375
    assert j.planned == approx(57.142857)
    assert j.attainment == approx(1.5859375)
    assert j.attainment_final == approx(0.90625)
    # R = (90.625 / 8) / (100 / 14) = 11.328125 / 7.142857 = 1.5859375 -> on track
    assert j.ratio == approx(1.5859375)
    assert j.status == "on_track"
    # slope: x = -1.5, -0.5, 0.5, 1.5; y - mean(82.8125) = -7.8125, -1.5625, 1.5625, 7.8125;
    # Σxy = 25, Σx² = 5 -> 5 points a quarter; 90.625 + 5 × 6 = 120.625 -> capped at 100
    assert j.projected == approx(100.0)
    # (100 - 90.625) / 6 = 1.5625 points a quarter
    assert j.required_rate == approx(1.5625)


# --------------------------------------------------------------------------------------------
# ceilings: registration in at most 7 working days
# --------------------------------------------------------------------------------------------

CEILING = Goal("days", "ceiling", "<=", 7, Q(2013, 1), Q(2015, 4), baseline=15)


def test_ceiling_7_days_met() -> None:
    # baseline 15 days at 2012Q4, 7 by 2015Q4 (12 quarters); 2014Q2: 6 elapsed
    # planned = 15 - 8 × 6/12 = 11 days; 6.5 <= 7: achieved
    j = judge(CEILING, [(Q(2014, 1), 8.0), (Q(2014, 2), 6.5)], Q(2014, 2))
    assert j.status == "achieved"
    assert j.planned == approx(11.0)
    # inverse sense for ceilings: attainment = planned / actual = 11 / 6.5 = 1.692308;
    # against the final value 7 / 6.5 = 1.076923
    assert j.attainment == approx(1.692308)
    assert j.attainment_final == approx(1.076923)
    assert j.required_rate == 0.0


def test_ceiling_7_days_not_met_on_track_and_off_track() -> None:
    # 10 days at 2014Q2: R = ((10 - 15) / 6) / ((7 - 15) / 12) = -0.833333 / -0.666667 = 1.25
    j = judge(CEILING, [(Q(2014, 2), 10.0)], Q(2014, 2))
    assert j.ratio == approx(1.25)
    assert j.status == "on_track"
    assert j.attainment == approx(1.1)  # 11 / 10
    assert j.attainment_final == approx(0.7)  # 7 / 10
    assert j.required_rate == approx(-0.5)  # (7 - 10) / 6: half a day less each quarter
    # 13 days: R = (-2 / 6) / (-8 / 12) = 0.5 -> off track; attainment 11 / 13 = 0.846154
    j = judge(CEILING, [(Q(2014, 2), 13.0)], Q(2014, 2))
    assert j.ratio == approx(0.5)
    assert j.status == "off_track"
    assert j.attainment == approx(0.846154)


def test_ceiling_without_baseline_not_met_is_off_track() -> None:
    # with no baseline there is no trajectory to measure progress on: not met means off track
    goal = Goal("days", "ceiling", "<=", 7, Q(2013, 1), Q(2015, 4))
    j = judge(goal, [(Q(2014, 2), 9.0)], Q(2014, 2))
    assert j.status == "off_track"
    assert j.ratio is None
    j = judge(goal, [(Q(2014, 2), 7.0)], Q(2014, 2))
    assert j.status == "achieved"


def test_yearly_ceiling_7_days() -> None:
    # The catalogue's ceilings are yearly standards: the limit holds every year.
    goal = Goal("days", "ceiling", "<=", 7, Q(2013, 1), Q(2015, 4), yearly=True)
    j = judge(goal, [(Q(2014, 1), 6.0), (Q(2014, 2), 8.0)], Q(2014, 2))
    assert j.status == "off_track"  # the standard is not held this year
    assert j.planned == 7.0
    assert j.attainment == approx(0.875)  # 7 / 8
    # a ceiling's year is judged on its worst quarter (issue 12 rule 6): 8 days in Q1 miss 2014
    # for good, whatever Q2 does; the actual is the worst quarter's
    j = judge(goal, [(Q(2014, 1), 8.0), (Q(2014, 2), 6.0)], Q(2014, 2))
    assert j.status == "off_track"
    assert (j.actual, j.latest) == (8.0, Q(2014, 1))
    assert j.attainment == approx(0.875)  # 7 / 8
    assert j.flags == ["missed_cycle"] and j.notes == ["missed in 2014"]
    j = judge(goal, [(Q(2014, 1), 6.0), (Q(2014, 2), 5.0)], Q(2014, 2))
    assert j.status == "on_track"
    assert j.attainment == approx(1.166667)  # 7 / 6, the worst quarter so far


def test_ceiling_whose_baseline_already_meets_it_is_off_track_when_exceeded() -> None:
    """A ceiling of 7 days where the baseline (5 days) already met it: exceeding it is off
    track.  The required change (7 - 5)/12 is positive, so the linear ratio reads a *worse*
    actual as *more* progress: 20 days gives R = ((20 - 5)/6)/((7 - 5)/12) = 15."""
    goal = Goal("days", "ceiling", "<=", 7, Q(2013, 1), Q(2015, 4), baseline=5)
    j = judge(goal, [(Q(2014, 2), 20.0)], Q(2014, 2))
    assert j.status == "off_track"


# --------------------------------------------------------------------------------------------
# relational: small and micro loan growth not below the growth of all loans
# --------------------------------------------------------------------------------------------


def test_relational_loan_growth_against_all_loans() -> None:
    # the engine passes the series of differences (small-micro growth − all-loan growth), >= 0
    goal = Goal("loans", "relational", ">=", 0.0, Q(2013, 1), Q(2015, 4))
    # 16.5 − 15.0 = 1.5; 15.5 − 15.0 = 0.5: met
    j = judge(goal, [(Q(2013, 1), 1.5), (Q(2013, 2), 0.5)], Q(2013, 2))
    assert j.status == "achieved"
    assert j.actual == 0.5
    # 13.0 − 14.0 = −1.0: not met -> off track (no trajectory for a comparison)
    j = judge(goal, [(Q(2013, 1), 1.5), (Q(2013, 2), -1.0)], Q(2013, 2))
    assert j.status == "off_track"
    assert j.ratio is None
    assert j.attainment is None  # nothing to divide by: the reference value is 0


def test_relational_yearly_speaks_for_the_current_year() -> None:
    goal = Goal("loans", "relational", ">=", 0.0, Q(2013, 1), Q(2015, 4), yearly=True)
    series = [(Q(2013, 4), 0.5), (Q(2014, 1), -1.0)]
    assert judge(goal, series, Q(2014, 1)).status == "off_track"
    assert judge(goal, [*series, (Q(2014, 2), 0.5)], Q(2014, 2)).status == "on_track"
    # after the deadline: 2014 closed below 0 -> missed
    closed = [(Q(2013, 4), 0.5), (Q(2014, 4), -0.2), (Q(2015, 4), 1.0)]
    j = judge(goal, closed, Q(2016, 1))
    assert j.status == "missed"
    assert j.notes == ["missed in 2014"]


# --------------------------------------------------------------------------------------------
# milestones: done (1) or not (0) by the deadline
# --------------------------------------------------------------------------------------------

MILESTONE = Goal("report", "milestone", ">=", 1, Q(2012, 2), Q(2012, 4))


def test_milestone_done_on_time_is_achieved() -> None:
    j = judge(MILESTONE, [(Q(2012, 3), 0.0), (Q(2012, 4), 1.0)], Q(2013, 2))
    assert j.status == "achieved"
    assert j.met_at == Q(2012, 4)


def test_milestone_done_late_is_achieved_late() -> None:
    j = judge(MILESTONE, [(Q(2012, 4), 0.0), (Q(2013, 1), 1.0)], Q(2013, 2))
    assert j.status == "achieved_late"
    assert j.met_at == Q(2013, 1)


def test_milestone_not_done_after_the_deadline_is_missed() -> None:
    j = judge(MILESTONE, [(Q(2012, 4), 0.0), (Q(2013, 1), 0.0)], Q(2013, 2))
    assert j.status == "missed"


def test_milestone_not_done_two_quarters_before_the_deadline_is_on_track() -> None:
    j = judge(MILESTONE, [(Q(2012, 1), 0.0), (Q(2012, 2), 0.0)], Q(2012, 2))
    assert j.status == "on_track"
    assert j.planned is None  # a milestone has no linear path (issue 12, rule 8)
    assert j.required_rate == approx(0.5)  # (1 − 0) / 2 quarters left


def test_milestone_not_done_with_the_deadline_quarter_next_is_at_risk() -> None:
    # due in 2012Q4; judged at 2012Q3: the deadline quarter is the next one due
    j = judge(MILESTONE, [(Q(2012, 2), 0.0), (Q(2012, 3), 0.0)], Q(2012, 3))
    assert j.status == "at_risk"
    assert j.required_rate == approx(1.0)  # (1 − 0) / 1 quarter left


def test_no_final_verdict_before_the_deadline_quarter_is_due() -> None:
    # the deadline quarter 2012Q4 has ended and reported 0, but is not due yet: in progress
    j = judge(MILESTONE, [(Q(2012, 3), 0.0), (Q(2012, 4), 0.0)], Q(2012, 4), closing=False)
    assert j.status == "at_risk"
    done = judge(MILESTONE, [(Q(2012, 4), 1.0)], Q(2012, 4), closing=False)
    assert done.status == "achieved"


def test_a_partial_running_sum_that_meets_a_floor_is_achieved_whatever_the_completeness() -> None:
    goal = Goal("sum", "cumulative", ">=", 100, Q(2012, 1), Q(2013, 4), cumulative=True)
    # 40 % of the reports are in, and their sum, 120, already exceeds 100: flows never go negative
    j = judge(goal, [(Q(2012, 1), 60.0), (Q(2012, 2), 120.0)], Q(2012, 2), completeness=0.4)
    assert j.status == "achieved"
    # the same sum short of the floor is still insufficient data
    short = judge(goal, [(Q(2012, 1), 60.0), (Q(2012, 2), 90.0)], Q(2012, 2), completeness=0.4)
    assert short.status == "insufficient_data"
    # and a stock (not a running sum) proves nothing from partial reports
    stock = Goal("level", "level", ">=", 100, Q(2012, 1), Q(2013, 4))
    assert judge(stock, [(Q(2012, 2), 120.0)], Q(2012, 2), completeness=0.4).status == (
        "insufficient_data"
    )


def test_milestone_not_done_when_the_deadline_quarter_has_ended_is_missed() -> None:
    """A milestone due in 2012Q4, judged at now = 2012Q4 (the quarter has ended), not done:
    the deadline has passed, so it is missed, not merely "at risk"."""
    j = judge(MILESTONE, [(Q(2012, 3), 0.0), (Q(2012, 4), 0.0)], Q(2012, 4))
    assert j.status == "missed"


# --------------------------------------------------------------------------------------------
# not started, insufficient data
# --------------------------------------------------------------------------------------------


def test_not_started_before_the_window() -> None:
    goal = Goal("later", "cumulative", ">=", 10_000, Q(2016, 1), Q(2020, 4))
    j = judge(goal, [(Q(2015, 4), 500.0)], Q(2015, 4))
    assert j.status == "not_started"
    assert j.planned is None
    assert j.actual is None  # reports before the window do not count
    assert STATUS_RANK[j.status] == -1


def test_insufficient_data_when_completeness_below_70_percent_never_red() -> None:
    # 10 of 500 by 2014Q2 would be off track (R = (10/14)/(500/20) = 0.0286) — but only half the
    # reports came in: the status is "insufficient data", never red
    j = judge(PLATFORMS, [(Q(2014, 2), 10.0)], Q(2014, 2), completeness=0.5)
    assert j.status == "insufficient_data"
    assert j.actual == 10.0
    assert j.planned == approx(350.0)
    assert j.attainment == approx(0.028571)  # 10 / 350, still shown
    assert j.notes == ["completeness 50% < 70%"]
    # exactly 70 % is enough to judge
    j = judge(PLATFORMS, [(Q(2014, 2), 10.0)], Q(2014, 2), completeness=0.7)
    assert j.status == "off_track"
    assert j.ratio == approx(0.028571)


def test_no_report_at_all_is_insufficient_data() -> None:
    j = judge(PLATFORMS, [], Q(2014, 2))
    assert j.status == "insufficient_data"
    assert j.actual is None
    assert j.planned == approx(350.0)


# --------------------------------------------------------------------------------------------
# levels: compound growth from a positive baseline
# --------------------------------------------------------------------------------------------


def test_level_with_positive_baseline_uses_the_cagr_form() -> None:
    # IPO reserve pool: 100 firms at the end of 2010, 300 by 2015Q4 (20 quarters); 180 by 2014Q2
    goal = Goal("pool", "level", ">=", 300, Q(2011, 1), Q(2015, 4), baseline=100)
    j = judge(goal, [(Q(2014, 2), 180.0)], Q(2014, 2))
    # observed CAGR per quarter = (180/100)^(1/14) − 1: ln 1.8 = 0.587787, /14 = 0.041985,
    #   e^0.041985 = 1.042879 -> 0.042879
    # required CAGR per quarter = (300/100)^(1/20) − 1: ln 3 = 1.098612, /20 = 0.054931,
    #   e^0.054931 = 1.056467 -> 0.056467
    # R = 0.042879 / 0.056467 = 0.759352 -> at risk
    # (the linear form would say (80/14)/(200/20) = 0.571429, off track)
    assert j.ratio == approx(0.759352)
    assert j.status == "at_risk"
    # planned = 100 + 200 × 14/20 = 240; attainment = 180 / 240 = 0.75
    assert j.planned == approx(240.0)
    assert j.attainment == approx(0.75)
    assert progress_ratio(goal, 180.0, Q(2014, 2)) == approx(0.759352)


def test_level_without_baseline_uses_the_linear_form() -> None:
    goal = Goal("pool", "level", ">=", 300, Q(2011, 1), Q(2015, 4))
    # R = (180 / 14) / (300 / 20) = 12.857143 / 15 = 0.857143
    assert progress_ratio(goal, 180.0, Q(2014, 2)) == approx(0.857143)


def test_staged_goal_chains_from_the_first_stage() -> None:
    # 5,000 service providers by 2018, 10,000 by 2020: the second stage starts at 5,000 at 2018Q4
    second = Goal("providers-2020", "level", ">=", 10_000, Q(2017, 1), Q(2020, 4),
                  baseline=5_000, baseline_at=Q(2018, 4))  # fmt: skip
    # planned at 2019Q3 = 5,000 + 5,000 × 3/8 = 6,875; at 2020Q2 = 5,000 + 5,000 × 6/8 = 8,750
    assert planned_at(second, Q(2019, 3)) == approx(6_875.0)
    assert planned_at(second, Q(2020, 2)) == approx(8_750.0)
    j = judge(second, [(Q(2018, 4), 5_000.0), (Q(2019, 3), 6_500.0)], Q(2019, 3))
    # CAGR: observed 1.3^(1/3) − 1 = 0.091393; required 2^(1/8) − 1 = 0.090508; R = 1.009780
    assert j.ratio == approx(1.009780)
    assert j.status == "on_track"
    assert j.attainment == approx(0.945455)  # 6,500 / 6,875


# --------------------------------------------------------------------------------------------
# after the deadline (issue 12, rule 7)
# --------------------------------------------------------------------------------------------


def test_after_the_deadline_the_figures_shown_are_the_deadline_quarters() -> None:
    # a level goal of 100 by 2013Q4 (window 2012Q1…2013Q4): 80 at 2013Q4, 127 in 2014Q2
    goal = Goal("level", "level", ">=", 100, Q(2012, 1), Q(2013, 4))
    j = judge(goal, [(Q(2013, 4), 80.0), (Q(2014, 2), 127.0)], Q(2014, 2))
    assert j.status == "achieved_late"  # a multi-year level met later
    # actual, planned and attainment are those of 2013Q4, never "missed" beside 127 %
    assert (j.actual, j.latest, j.planned) == (80.0, Q(2013, 4), 100.0)
    assert j.attainment == approx(0.8)
    short = judge(goal, [(Q(2013, 4), 80.0), (Q(2014, 2), 90.0)], Q(2014, 2))
    assert (short.status, short.actual, short.attainment) == ("missed", 80.0, approx(0.8))


def test_a_one_year_flow_goal_is_never_achieved_late() -> None:
    # 20 new platforms in 2012 (a running sum over 2012Q1…2012Q4): 16 by 2012Q4, and the running
    # sum reaching 24 in 2013Q1 does not make 2012's goal achieved late
    goal = Goal("2012", "cumulative", ">=", 20, Q(2012, 1), Q(2012, 4), cumulative=True)
    j = judge(goal, [(Q(2012, 4), 16.0), (Q(2013, 1), 24.0)], Q(2013, 1))
    assert (j.status, j.actual) == ("missed", 16.0)
