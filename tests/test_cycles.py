"""Recurring goals judged cycle by cycle, held levels and ceilings (issue 12, rules 5-7).

Every expected value is worked by hand in the comment beside it.  Quarters are ordinals
(year * 4 + quarter - 1); ``judge`` takes the series in the goal's terms (a flow's running sum
restarting each cycle, built by ``judge.series._running``)."""

from __future__ import annotations

from pytest import approx

from judge.attainment import Goal, cycle_of, cycle_quarters, judge
from judge.series import _running
from model.periods import Quarter


def Q(year: int, quarter: int) -> int:
    return Quarter(year, quarter).ordinal


def quarters(first: int, last: int, value: float) -> dict[int, float]:
    return {q: value for q in range(first, last + 1)}


# --------------------------------------------------------------------------------------------
# cycles
# --------------------------------------------------------------------------------------------

# gd624-excellent-units-biennial: ≥ 100 commended in each cycle, 2012-2013 and 2014-2015
BIENNIAL = Goal(
    "excellent-units", "rate", ">=", 100, Q(2012, 1), Q(2015, 4), yearly=True, flow=True, cycle=2
)


def test_cycles_are_calendar_years_counted_from_the_start_year() -> None:
    assert [cycle_of(BIENNIAL, Q(y, 1)) for y in (2012, 2013, 2014, 2015)] == [0, 0, 1, 1]
    assert cycle_quarters(BIENNIAL, 1) == (Q(2014, 1), Q(2015, 4))
    # a yearly goal opening mid-year (2012-08-23 → 2012Q3): its first cycle opens on the start
    staff = Goal("staff", "per_unit", ">=", 100, Q(2012, 3), Q(2015, 4), yearly=True)
    assert cycle_quarters(staff, 0) == (Q(2012, 3), Q(2012, 4))
    assert cycle_quarters(staff, 1) == (Q(2013, 1), Q(2013, 4))


def test_a_flow_restarts_each_cycle() -> None:
    # 10 a quarter 2012Q1-2015Q4: running 10, 20, …, 80 in 2012-13, then again from 10 in 2014
    running = _running(quarters(Q(2012, 1), Q(2015, 4), 10.0), Q(2012, 1), True, 2)
    assert running[Q(2013, 4)] == 80
    assert running[Q(2014, 1)] == 10
    assert running[Q(2015, 4)] == 80
    # yearly (cycle 1): restarts every January
    assert _running(quarters(Q(2012, 1), Q(2013, 2), 10.0), Q(2012, 1), True)[Q(2013, 2)] == 20


def test_biennial_first_cycle_met_is_on_track() -> None:
    # R4: 广州 commends 100 in 2013Q4, nothing else; as of 2014-01-20 (now 2013Q4)
    series = sorted(_running({**quarters(Q(2012, 1), Q(2013, 3), 0.0), Q(2013, 4): 100.0},
                             Q(2012, 1), True, 2).items())  # fmt: skip
    j = judge(BIENNIAL, series, Q(2013, 4), closing=False)
    assert j.status == "on_track"  # 2012-2013 met (100 ≥ 100); the goal runs to 2015
    assert j.actual == 100
    assert j.planned == 100  # 100 × 8/8 quarters of the cycle
    assert j.notes == [] and j.flags == []


def test_biennial_second_cycle_pro_rata() -> None:
    # 2014: 10 a quarter; as of 2014-10-20 (now 2014Q3, 3 of the cycle's 8 quarters)
    raw = {**quarters(Q(2012, 1), Q(2013, 3), 0.0), Q(2013, 4): 100.0}
    raw |= quarters(Q(2014, 1), Q(2014, 3), 10.0)
    j = judge(BIENNIAL, sorted(_running(raw, Q(2012, 1), True, 2).items()), Q(2014, 3))
    assert j.actual == 30  # 3 × 10, the cycle restarted in 2014
    assert j.planned == approx(37.5)  # 100 × 3/8
    assert j.ratio == approx(0.8)  # 30 / 37.5
    assert j.status == "at_risk"  # 0.60 ≤ 0.8 < 0.95
    assert j.projected == approx(80)  # 30 × 8 / 3
    assert j.required_rate == approx(14)  # (100 − 30) / 5 quarters left in the cycle


def test_biennial_second_cycle_short_is_missed_at_the_deadline() -> None:
    # D2 / R4: 100 in 2013Q4, 40 in 2014 (10 a quarter), nothing in 2015; as of 2016-01-20
    raw = {**quarters(Q(2012, 1), Q(2015, 4), 0.0), Q(2013, 4): 100.0}
    raw |= quarters(Q(2014, 1), Q(2014, 4), 10.0)
    j = judge(BIENNIAL, sorted(_running(raw, Q(2012, 1), True, 2).items()), Q(2015, 4))
    assert j.status == "missed"  # 2014-2015 reached 40 < 100
    assert j.actual == 40  # the deadline cycle's sum: 4 × 10 + 0
    assert j.latest == Q(2015, 4)
    assert j.attainment == approx(0.4)  # 40 / 100 (planned 100 × 8/8)
    assert j.notes == ["missed in 2014-2015"]
    assert j.flags == ["missed_cycle"]


def test_a_missed_cycle_makes_the_goal_off_track_until_missed() -> None:
    # yearly 10,000 trainees 2012-2015: 8,000 in 2012; 2013Q1 3,000 (ahead of 2,500 pro rata)
    goal = Goal("training", "rate", ">=", 10_000, Q(2012, 1), Q(2015, 4), yearly=True, flow=True)
    series = [(Q(2012, q), 2000.0 * q) for q in range(1, 5)] + [(Q(2013, 1), 3000.0)]
    j = judge(goal, series, Q(2013, 1))
    assert j.status == "off_track"  # 2012 is missed for good
    assert (j.actual, j.planned) == (3000, 2500)  # this year's figures: 10,000 × 1/4
    assert j.notes == ["missed in 2012"] and j.flags == ["missed_cycle"]
    # the closed year itself, before the next begins: missed, and said so
    j = judge(goal, series[:4], Q(2012, 4))
    assert j.status == "off_track" and j.notes == ["missed in 2012"]


def test_an_unreported_cycle_is_missed_at_the_deadline() -> None:
    goal = Goal("training", "rate", ">=", 100, Q(2012, 1), Q(2013, 4), yearly=True, flow=True)
    j = judge(goal, [(Q(2012, 4), 120.0)], Q(2013, 4))  # 2012 met; nothing for 2013
    assert j.status == "missed"
    assert j.actual is None and j.attainment is None  # the deadline cycle has no figure
    assert j.notes == ["no report for 2013"] and j.flags == ["unreported_cycle"]


# --------------------------------------------------------------------------------------------
# after the deadline (D4, design weakness 6)
# --------------------------------------------------------------------------------------------

VISITS = Goal("visits", "rate", ">=", 100_000, Q(2018, 1), Q(2018, 4), yearly=True, flow=True)


def test_a_later_year_never_shows_after_a_yearly_deadline() -> None:
    # R7: 2018: 15,000 + 20,000 + 26,000 + 43,000 = 104,000; 2019 restarts: 20,000, 40,000
    raw = {Q(2018, 1): 15_000.0, Q(2018, 2): 20_000.0, Q(2018, 3): 26_000.0}
    raw |= {Q(2018, 4): 43_000.0, Q(2019, 1): 20_000.0, Q(2019, 2): 20_000.0}
    series = sorted(_running(raw, Q(2018, 1), True).items())
    j = judge(VISITS, series, Q(2019, 2))
    assert j.status == "achieved"
    assert j.actual == 104_000  # 2018's, not 2019's 40,000
    assert j.latest == Q(2018, 4)
    assert j.planned == 100_000  # 100,000 × 4/4
    assert j.attainment == approx(1.04)  # 104,000 / 100,000


def test_a_short_year_is_not_achieved_late_by_the_next_year() -> None:
    # 2018: 90,000 (short); 2019: 120,000 — the 2018 goal stays missed, on 2018's figure
    raw = {Q(2018, 4): 90_000.0, Q(2019, 4): 120_000.0}
    series = sorted(_running(raw, Q(2018, 1), True).items())
    j = judge(VISITS, series, Q(2019, 4))
    assert j.status == "missed"
    assert (j.actual, j.latest) == (90_000, Q(2018, 4))
    assert j.attainment == approx(0.9)  # 90,000 / 100,000


# --------------------------------------------------------------------------------------------
# ceilings on the worst quarter, held levels
# --------------------------------------------------------------------------------------------

DAYS = Goal("days", "ceiling", "<=", 7, Q(2013, 1), Q(2015, 4), yearly=True)


def test_a_ceiling_year_is_judged_on_its_worst_quarter() -> None:
    # R18: 5 days every quarter 2013-2015, except 12 in 2014Q2
    series = [(q, 12.0 if q == Q(2014, 2) else 5.0) for q in range(Q(2013, 1), Q(2015, 5))]
    j = judge(DAYS, series, Q(2014, 4))  # as of 2015-01-20: 2014's worst quarter is 12 > 7
    assert j.status == "off_track"
    assert (j.actual, j.latest) == (12, Q(2014, 2))
    assert j.attainment == approx(7 / 12)  # 0.583333, inverse for a ceiling
    assert j.notes == ["missed in 2014"]
    j = judge(DAYS, series, Q(2015, 4))  # as of 2016-01-20: final
    assert j.status == "missed"
    assert (j.actual, j.latest) == (5, Q(2015, 4))  # the deadline year's worst quarter: 5
    assert j.notes == ["missed in 2014"] and j.flags == ["missed_cycle"]


# gd624-ipo-reserve-pool-2015: 保持300家以上 over 2011-2015
POOL = Goal("pool", "level", ">=", 300, Q(2011, 1), Q(2015, 4), hold=True)


def test_a_held_level_is_judged_in_every_quarter() -> None:
    series = [(q, 290.0 if q == Q(2012, 2) else 310.0) for q in range(Q(2011, 1), Q(2016, 1))]
    j = judge(POOL, series[:6], Q(2012, 2), closing=False)  # 2011Q1-2012Q2: 290 in 2012Q2
    assert j.status == "off_track"
    assert (j.actual, j.planned) == (290, 300)  # the level is due in every quarter
    assert j.notes == ["not held in 2012Q2"] and j.flags == ["held_level_broken"]
    j = judge(POOL, series[:5], Q(2012, 1), closing=False)  # held in all five quarters so far
    assert j.status == "on_track"  # not "achieved": it must hold to the end
    assert j.attainment == approx(310 / 300)
    j = judge(POOL, series, Q(2015, 4))  # 2015Q4 due: final, back at 310 but broken once
    assert j.status == "missed"
    assert (j.actual, j.latest) == (310, Q(2015, 4))
    held = [(q, 310.0) for q in range(Q(2011, 1), Q(2016, 1))]
    assert judge(POOL, held, Q(2015, 4)).status == "achieved"


# --------------------------------------------------------------------------------------------
# per-unit goals year by year (D1)
# --------------------------------------------------------------------------------------------


def test_a_yearly_goal_on_each_unit_is_met_every_year() -> None:
    # two platforms, ≥ 50 SMEs a year each; B serves 20 in 2014.  The share of units meeting
    # the standard at each year's Q4 is 100, 50, 100 %
    short = ((Q(2013, 4), ()), (Q(2014, 4), ("B",)), (Q(2015, 4), ()))
    goal = Goal("smes", "per_unit", ">=", 100, Q(2013, 1), Q(2015, 4), yearly=True, short=short)
    series = [(Q(2013, 4), 100.0), (Q(2014, 4), 50.0), (Q(2015, 1), 100.0), (Q(2015, 4), 100.0)]
    j = judge(goal, series[:3], Q(2015, 1), closing=False)
    assert j.status == "off_track"  # 2014 missed: the goal can no longer be met
    assert j.actual == 100  # 2015 so far: both units on pace
    assert j.notes == ["missed in 2014 (units short: B)"]
    j = judge(goal, series, Q(2015, 4))
    assert j.status == "missed"
    assert j.actual == 100  # the deadline year's share
    assert j.flags == ["missed_cycle"]


def test_a_unit_goal_within_the_year_is_judged_by_the_share_on_pace() -> None:
    # one unit of two on pace in 2014Q3: R = 50 / 100 = 0.5 < 0.60 → off track; 3 of 4: at risk
    goal = Goal("smes", "per_unit", ">=", 100, Q(2013, 1), Q(2015, 4), yearly=True)
    j = judge(goal, [(Q(2013, 4), 100.0), (Q(2014, 3), 50.0)], Q(2014, 3))
    assert j.status == "off_track" and j.ratio == approx(0.5)
    j = judge(goal, [(Q(2013, 4), 100.0), (Q(2014, 3), 75.0)], Q(2014, 3))
    assert j.status == "at_risk" and j.ratio == approx(0.75)
