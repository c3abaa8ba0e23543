"""The attainment engine end to end, on a real DuckDB warehouse.

Small hand-made CSV files go through :func:`etl.load.load_file` with a chosen ``submitted_at``
(stored as naive UTC, like every timestamp in the warehouse), so that as-of dates are under the
test's control; :func:`judge.engine.evaluate` then judges the real catalogue.  Every expected
number is worked out by hand in the comment beside it.

Who reports (``etl/reporting.py``): a Guangdong-wide goal is reported by the 21 prefecture-level
cities plus 顺德区 (province-administered, reporting beside the cities): 22 reporters.  A goal on
each specialised town is reported by the towns valid in the quarter (``data/towns.csv``).  A
Qingdao goal that rolls up is reported by its districts and county-level cities; one that does not
(a growth rate) by Qingdao itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from etl.build import init_warehouse
from etl.load import load_file, reference
from judge import engine
from model.periods import Quarter
from warehouse.connect import connect

HEADER = "地区代码,指标,报告期,数值,备注\n"
Row = tuple[str, str, str, float]

# The 21 prefecture-level cities of Guangdong and 顺德区 (440606), which reports beside them.
GD_REPORTERS = (
    "440100", "440200", "440300", "440400", "440500", "440600", "440606", "440700", "440800",
    "440900", "441200", "441300", "441400", "441500", "441600", "441700", "441800", "441900",
    "442000", "445100", "445200", "445300",
)  # fmt: skip


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-4, abs=1e-9)


def quarters(first: str, last: str) -> Iterator[Quarter]:
    q, end = Quarter.parse(first), Quarter.parse(last)
    while q <= end:
        yield q
        q = q.next()


def load(db: Path, rows: Iterable[Row], submitted: dt.datetime, name: str) -> None:
    lines = [f"{code},{ind},{period},{value:g}," for code, ind, period, value in rows]
    data = (HEADER + "\n".join(lines) + "\n").encode("utf-8")
    result = load_file(data, db=db, name=name, submitted_at=submitted)
    assert result.status == "committed", [(i.rule, i.row, i.value) for i in result.issues]


def after_quarter(q: Quarter, days: int, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(q.end + dt.timedelta(days=days), dt.time(hour))


def evaluate(db: Path, as_of: dt.date, known_on: dt.date | None = None) -> pl.DataFrame:
    """The goals at evaluation date ``as_of`` as known then: the scenarios here replay a past
    day, so the knowledge date is the evaluation date unless given."""
    ref = reference()
    with connect(db) as con:
        return engine.evaluate(
            con,
            catalogue=ref.catalogue,
            regions=ref.regions,
            as_of=as_of,
            known_on=known_on or as_of,
        )


def row(frame: pl.DataFrame, target_id: str) -> dict[str, Any]:
    found = frame.filter(pl.col("target_id") == target_id)
    assert found.height == 1, target_id
    return found.row(0, named=True)


def new_warehouse(path: Path) -> Path:
    db = path / "w.duckdb"
    init_warehouse(db)
    return db


def test_the_reporters_are_the_22_city_level_regions() -> None:
    # the hand list above agrees with etl/reporting's rules (used for every "expected" below)
    reporters = engine.Reporters.build(reference().regions)
    codes = sorted(r.code for r in reporters.expected("440000", "city", Quarter(2014, 2).ordinal))
    assert codes == sorted(GD_REPORTERS)
    assert len(codes) == 22


# --------------------------------------------------------------------------------------------
# 500 provincial demonstration platforms, 2011-2015: a cumulative flow rolled up from the cities
# --------------------------------------------------------------------------------------------

PLATFORMS = "gd624-demo-platforms-provincial-2015"
PLAT_IND = "demo_platforms_provincial"
# New platforms a quarter, by reporter; everyone else reports 0.
# 2011Q1-2013Q2: 广州 10 + 深圳 8 + 佛山 5 = 23 a quarter
# 2013Q3-2014Q2: 广州 10 + 深圳 6 + 顺德 4 = 20 a quarter
EARLY = {"440100": 10.0, "440300": 8.0, "440600": 5.0}
LATE = {"440100": 10.0, "440300": 6.0, "440606": 4.0}
MISSING = ("445200", "2011Q1")  # 揭阳 never reported 2011Q1
TARDY = ("440200", "2014Q1")  # 韶关 reported 2014Q1 on 2014-04-25: received, not on time
CORRECTED_AT = dt.datetime(2014, 8, 10, 9, 0)  # UTC: 17:00 on 2014-08-10 in Beijing


@pytest.fixture(scope="module")
def platforms_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = new_warehouse(tmp_path_factory.mktemp("platforms"))
    for q in quarters("2011Q1", "2014Q2"):
        flows = EARLY if q <= Quarter(2013, 2) else LATE
        rows = [(code, PLAT_IND, q.label, flows.get(code, 0.0)) for code in GD_REPORTERS
                if (code, q.label) not in (MISSING, TARDY)]  # fmt: skip
        load(db, rows, after_quarter(q, 10), f"platforms-{q.label}.csv")
    load(db, [(TARDY[0], PLAT_IND, TARDY[1], 0.0)], dt.datetime(2014, 4, 25, 9), "late.csv")
    # a correction: 广州 2014Q2 was 15, not 10
    load(db, [("440100", PLAT_IND, "2014Q2", 15.0)], CORRECTED_AT, "fix.csv")
    return db


def test_province_figure_is_the_running_sum_of_the_cities(platforms_db: Path) -> None:
    r = row(evaluate(platforms_db, dt.date(2014, 7, 20)), PLATFORMS)
    # running sum since 2011Q1: 10 × 23 + 4 × 20 = 310 at 2014Q2 (the correction is not known yet)
    assert r["region"] == "440000"
    assert r["latest_period"] == "2014Q2"
    assert r["actual"] == approx(310.0)
    # planned = 500 × 14/20 = 350; attainment 310/350 = 0.885714; final 310/500 = 0.62
    assert r["planned"] == approx(350.0)
    assert r["final"] == approx(500.0)
    assert r["attainment"] == approx(0.885714)
    assert r["attainment_final"] == approx(0.62)
    # R = (310/14)/(500/20) = 0.885714 -> at risk
    assert r["ratio"] == approx(0.885714)
    assert r["status"] == "at_risk"
    # slope of 250, 270, 290, 310 = 20; projected 310 + 20 × 6 = 430; required (500-310)/6
    assert r["projected"] == approx(430.0)
    assert r["required_rate"] == approx(31.666667)
    assert r["deadline"] == dt.date(2015, 12, 31)


def test_completeness_and_timeliness(platforms_db: Path) -> None:
    r = row(evaluate(platforms_db, dt.date(2014, 7, 20)), PLATFORMS)
    # 14 quarters (2011Q1-2014Q2, all due by 2014-07-15) × 22 reporters = 308 expected;
    # 揭阳 2011Q1 missing: 307 received; 韶关 2014Q1 came on 2014-04-25 (due 2014-04-15): late
    assert r["reports_expected"] == 308
    assert r["reports_received"] == 307
    assert r["completeness"] == approx(307 / 308)  # 0.996753
    assert r["timeliness"] == approx(306 / 308)  # 0.993506


def test_completeness_counts_only_quarters_already_due(platforms_db: Path) -> None:
    # as of 2014-07-10, 2014Q2 is not due until 2014-07-15: 13 quarters × 22 = 286 expected,
    # 285 received (揭阳 2011Q1), 284 on time (韶关 2014Q1)
    r = row(evaluate(platforms_db, dt.date(2014, 7, 10)), PLATFORMS)
    assert r["reports_expected"] == 286
    assert r["reports_received"] == 285
    assert r["timeliness"] == approx(284 / 286)


def test_known_on_ignores_a_correction_made_later(platforms_db: Path) -> None:
    before = row(evaluate(platforms_db, dt.date(2014, 8, 9)), PLATFORMS)
    assert before["actual"] == approx(310.0)
    assert before["projected"] == approx(430.0)
    # the correction (广州 2014Q2: 10 -> 15) was submitted on 2014-08-10 (Beijing): used from then
    after = row(evaluate(platforms_db, dt.date(2014, 8, 10)), PLATFORMS)
    # 2014Q2 flow 25: running sum 315; R = (315/14)/25 = 0.9 -> still at risk
    assert after["actual"] == approx(315.0)
    assert after["ratio"] == approx(0.9)
    assert after["attainment"] == approx(0.9)  # 315/350
    assert after["status"] == "at_risk"
    # slope of 250, 270, 290, 315 (mean 281.25): Σxy = (−1.5)(−31.25) + (−0.5)(−11.25)
    # + 0.5 × 8.75 + 1.5 × 33.75 = 107.5,
    # ÷ 5 = 21.5; projected 315 + 21.5 × 6 = 444; required (500-315)/6 = 30.833333
    assert after["projected"] == approx(444.0)
    assert after["required_rate"] == approx(30.833333)
    # a corrected report keeps the date of its first submission: still 306 on time
    assert after["timeliness"] == approx(306 / 308)
    # and a knowledge date in the past reproduces the old figure exactly, whatever came since
    again = row(evaluate(platforms_db, dt.date(2014, 8, 9)), PLATFORMS)
    assert again == before
    # the same evaluation date on everything known now uses the correction (two dates, not one)
    today = row(evaluate(platforms_db, dt.date(2014, 8, 9), dt.date(2026, 12, 7)), PLATFORMS)
    assert today["actual"] == approx(315.0)
    assert today["as_of"] == dt.date(2014, 8, 9) and today["known_on"] == dt.date(2026, 12, 7)


# --------------------------------------------------------------------------------------------
# every specialised town with at least 5 platforms by 2015 (per unit)
# --------------------------------------------------------------------------------------------

# Towns valid since before 2012Q3 (27): data/towns.csv without 440118101 (from 2014-02-12),
# 445103100/108/110 (from 2013-06-28) and 442000118 (from 2021-07-19).
TOWNS_2012 = (
    "440114109", "440513106", "440514105", "440604100", "440605122", "440605123", "440605125",
    "440606101", "440606102", "440606103", "440606104", "440606106", "440783117", "441900101",
    "441900102", "441900113", "441900118", "441900119", "441900121", "441900122", "442000100",
    "442000101", "442000103", "442000105", "442000106", "442000111", "442000116",
)  # fmt: skip
TOWNS_2013Q2 = ("445103100", "445103108", "445103110")
TOWNS_2014Q1 = ("440118101",)
SHORT_TOWNS = {"440114109": 4.0, "440606101": 3.0, "441900101": 0.0}


def towns_valid(q: Quarter) -> tuple[str, ...]:
    towns: tuple[str, ...] = TOWNS_2012
    if q >= Quarter(2013, 2):
        towns += TOWNS_2013Q2
    if q >= Quarter(2014, 1):
        towns += TOWNS_2014Q1
    return towns


def test_per_unit_goal_is_judged_on_its_towns(tmp_path: Path) -> None:
    db = new_warehouse(tmp_path)
    for q in quarters("2012Q3", "2014Q2"):
        # 5 or 6 platforms in every town but the three short ones
        rows = [
            (code, "town_smb_service_platforms", q.label, SHORT_TOWNS.get(code, 5.0 + i % 2))
            for i, code in enumerate(towns_valid(q))
        ]
        load(db, rows, after_quarter(q, 10), f"towns-{q.label}.csv")
    frame = evaluate(db, dt.date(2014, 7, 20))
    r = row(frame, "gdtown-platforms-per-town-2015")
    assert r["units_total"] == 31
    assert sorted(r["units_short"]) == ["440114109", "440606101", "441900101"]
    assert r["unit"] == "%"
    # share of towns with >= 5: 24/27 (2012Q3-2013Q1), 27/30 (2013Q2-Q4), 28/31 (2014Q1-Q2)
    # actual 28/31 = 90.322581 %; planned 100 × 8/14 = 57.142857 (origin 2012Q2, end 2015Q4)
    assert r["actual"] == approx(90.322581)
    assert r["planned"] == approx(57.142857)
    assert r["attainment"] == approx(1.580645)  # 90.322581 / 57.142857
    # R = (90.322581/8)/(100/14) = 1.580645 -> on track
    assert r["ratio"] == approx(1.580645)
    assert r["status"] == "on_track"
    # last four: 90, 90, 2800/31, 2800/31 (2800/31 − 90 = 10/31): deviations from the mean
    # ∓5/31, Σxy = (1.5 + 0.5) × 5/31 × 2 = 20/31, Σx² = 5: slope 4/31 = 0.129032 a quarter;
    # projected 2800/31 + 6 × 4/31 = 2824/31 = 91.096774; required (100 − 2800/31)/6 = 50/31
    assert r["projected"] == approx(91.096774)
    assert r["required_rate"] == approx(1.612903)
    # expected reports: 27 × 3 + 30 × 3 + 31 × 2 = 233, all received
    assert r["reports_expected"] == 233
    assert r["completeness"] == approx(1.0)
    # the first stage (2-3 platforms by 2013, min 2 counts): at 2013Q4 only 441900101 (0) is
    # short: 29/30 = 96.666667 % at the deadline -> missed
    first = row(frame, "gdtown-platforms-per-town-2013")
    assert first["units_short"] == ["441900101"]
    assert first["units_total"] == 30
    assert first["actual"] == approx(96.666667)
    assert first["status"] == "missed"


# --------------------------------------------------------------------------------------------
# 100,000 enterprise visits a year (yearly flow)
# --------------------------------------------------------------------------------------------

VISITS = "gdcentre-enterprise-visits-2018"
VISIT_IND = "sme_enterprise_visits_served"


def test_yearly_flow_is_judged_pro_rata(tmp_path: Path) -> None:
    db = new_warehouse(tmp_path)
    by_quarter = {  # 广州 + 深圳: 20,000, 21,000, 20,000 -> year to date 20k, 41k, 61k
        "2018Q1": {"440100": 12_000.0, "440300": 8_000.0},
        "2018Q2": {"440100": 12_000.0, "440300": 9_000.0},
        "2018Q3": {"440100": 11_000.0, "440300": 9_000.0},
    }
    for label, values in by_quarter.items():
        q = Quarter.parse(label)
        rows = [(c, VISIT_IND, label, values.get(c, 0.0)) for c in GD_REPORTERS]
        load(db, rows, after_quarter(q, 5), f"visits-{label}.csv")
    r = row(evaluate(db, dt.date(2018, 10, 20)), VISITS)
    assert r["actual"] == approx(61_000.0)
    assert r["planned"] == approx(75_000.0)  # 100,000 × 3/4
    assert r["attainment"] == approx(0.813333)  # 61,000 / 75,000
    assert r["attainment_final"] == approx(0.61)
    assert r["status"] == "at_risk"
    assert r["projected"] == approx(81_333.333)  # 61,000 × 4 / 3
    assert r["required_rate"] == approx(39_000.0)  # (100,000 − 61,000) / 1
    assert r["completeness"] == approx(1.0)  # 3 × 22 = 66 of 66
    assert r["reports_expected"] == 66


def test_on_time_means_by_the_end_of_the_due_day_in_beijing(tmp_path: Path) -> None:
    """2018Q1 is due on 2018-04-15.  21 reporters submit at 15:00 UTC (23:00 Beijing, on the due
    day); 韶关 at 17:00 UTC, which is 01:00 on 2018-04-16 in Beijing: late.  The warehouse's as-of
    day is a Beijing day (``clock.end_of_day_utc``): as of 2018-04-15 韶关's report has not
    arrived, so it cannot count as on time."""
    db = new_warehouse(tmp_path)
    rows = [(c, VISIT_IND, "2018Q1", 1_000.0) for c in GD_REPORTERS if c != "440200"]
    load(db, rows, dt.datetime(2018, 4, 15, 15, 0), "on-time.csv")
    load(db, [("440200", VISIT_IND, "2018Q1", 1_000.0)], dt.datetime(2018, 4, 15, 17), "late.csv")
    on_the_day = row(evaluate(db, dt.date(2018, 4, 15)), VISITS)
    assert on_the_day["reports_received"] == 21  # 韶关's is not in yet
    later = row(evaluate(db, dt.date(2018, 4, 20)), VISITS)
    assert later["reports_received"] == 22
    assert later["completeness"] == approx(1.0)
    assert later["timeliness"] == approx(21 / 22)  # 0.954545


# --------------------------------------------------------------------------------------------
# staged goals: 5,000 service providers by 2018, 10,000 by 2020
# --------------------------------------------------------------------------------------------

PROVIDERS_IND = "integrated_service_providers"
# province totals (a stock): 广州 half, 深圳 half − 200, 东莞 200, the rest 0
PROVIDERS = {
    "2017Q1": 2_000, "2017Q2": 2_300, "2017Q3": 2_700, "2017Q4": 3_100, "2018Q1": 3_600,
    "2018Q2": 4_000, "2018Q3": 4_500, "2018Q4": 5_000, "2019Q1": 5_600, "2019Q2": 6_100,
    "2019Q3": 6_500,
}  # fmt: skip


@pytest.fixture(scope="module")
def providers_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = new_warehouse(tmp_path_factory.mktemp("providers"))
    for label, total in PROVIDERS.items():
        split = {"440100": total / 2, "440300": total / 2 - 200, "441900": 200.0}
        rows = [(c, PROVIDERS_IND, label, split.get(c, 0.0)) for c in GD_REPORTERS]
        load(db, rows, after_quarter(Quarter.parse(label), 10), f"providers-{label}.csv")
    return db


def test_second_stage_starts_where_the_first_ends(providers_db: Path) -> None:
    frame = evaluate(providers_db, dt.date(2019, 10, 20))
    second = row(frame, "gdcentre-providers-2020")
    # baseline 5,000 at 2018Q4 (the first stage's value and deadline), 10,000 at 2020Q4 (8
    # quarters); 2019Q3 is 3 quarters in: planned = 5,000 + 5,000 × 3/8 = 6,875
    assert second["planned"] == approx(6_875.0)
    assert second["actual"] == approx(6_500.0)
    assert second["attainment"] == approx(0.945455)  # 6,500 / 6,875
    assert second["attainment_final"] == approx(0.65)
    # a level from a positive baseline: CAGR form
    # observed (6,500/5,000)^(1/3) − 1 = 0.091393; required 2^(1/8) − 1 = 0.090508; R = 1.009780
    assert second["ratio"] == approx(1.009780)
    assert second["status"] == "on_track"
    # slope of 5,000, 5,600, 6,100, 6,500: deviations from 5,800 are −800, −200, 300, 700;
    # Σxy = 1,200 + 100 + 150 + 1,050 = 2,500, ÷ 5 = 500 a quarter; 5 quarters left:
    # projected 6,500 + 2,500 = 9,000; required (10,000 − 6,500)/5 = 700
    assert second["projected"] == approx(9_000.0)
    assert second["required_rate"] == approx(700.0)
    # 11 quarters (2017Q1-2019Q3) × 22 reporters, all in
    assert second["reports_expected"] == 242
    assert second["completeness"] == approx(1.0)
    # the first stage: 5,000 at its deadline (2018Q4) -> achieved; projected = value at deadline
    first = row(frame, "gdcentre-providers-2018")
    assert first["status"] == "achieved"
    assert first["projected"] == approx(5_000.0)


def test_first_stage_in_progress(providers_db: Path) -> None:
    first = row(evaluate(providers_db, dt.date(2018, 7, 20)), "gdcentre-providers-2018")
    # a stock starts from its observed value, never from 0 (issue 12, rule 2): 2,000 at the
    # window's first quarter 2017Q1 → 5,000 at 2018Q4 (7 quarters); 2018Q2 is 5 in:
    # planned 2,000 + 3,000 × 5/7 = 4,142.857
    assert first["planned"] == approx(4_142.857143)
    assert first["actual"] == approx(4_000.0)
    assert first["attainment"] == approx(0.965517)  # 4,000 / 4,142.857
    # a level from a positive baseline: CAGR form; observed (4,000/2,000)^(1/5) − 1 = 0.148698,
    # required (5,000/2,000)^(1/7) − 1 = 0.139852: R = 1.063253 -> on track
    assert first["ratio"] == approx(1.063253)
    assert first["status"] == "on_track"
    assert first["flags"] == []  # observed at the window's first quarter, not a later report
    # slope of 2,700, 3,100, 3,600, 4,000: Σxy = 975 + 125 + 125 + 975 = 2,200, ÷ 5 = 440;
    # projected 4,000 + 440 × 2 = 4,880; required (5,000 − 4,000)/2 = 500
    assert first["projected"] == approx(4_880.0)
    assert first["required_rate"] == approx(500.0)


def test_second_stage_before_the_first_ends_is_not_insufficient_data(
    providers_db: Path,
) -> None:
    """Every report is in (completeness 100 %), so the status cannot be "insufficient data": that
    label is for missing reports only.  Before 2018Q4 the second stage has either not started
    (it "starts where the first ends") or follows the first stage's trajectory."""
    second = row(evaluate(providers_db, dt.date(2018, 7, 20)), "gdcentre-providers-2020")
    assert second["completeness"] == approx(1.0)  # 6 quarters × 22 = 132 of 132
    assert second["reports_expected"] == 132
    assert second["status"] != "insufficient_data"


# --------------------------------------------------------------------------------------------
# Qingdao: a ceiling rolled up by max, and a relational goal reported by the city itself
# --------------------------------------------------------------------------------------------

# Qingdao's districts and county-level cities from 2012-12-01 (after the 2012 re-division)
QD_COUNTIES = ("370202", "370203", "370211", "370212", "370213", "370214", "370281", "370282",
               "370283", "370285")  # fmt: skip


def test_ceiling_7_working_days_is_judged_on_the_slowest_district(tmp_path: Path) -> None:
    db = new_warehouse(tmp_path)
    ind = "enterprise_registration_processing_days"
    for q in quarters("2013Q1", "2014Q2"):
        rows = [(c, ind, q.label, 9.0 if (c, q.label) == ("370214", "2014Q2") else 5.0)
                for c in QD_COUNTIES]  # fmt: skip
        load(db, rows, after_quarter(q, 10), f"days-{q.label}.csv")
    # as of 2014-04-20 every district takes 5 days: met this year -> on track; 7/5 = 1.4
    r = row(evaluate(db, dt.date(2014, 4, 20)), "qd46-registration-days")
    assert r["actual"] == approx(5.0)
    assert r["status"] == "on_track"
    assert r["attainment"] == approx(1.4)
    # in 2014Q2 城阳 took 9 days: the city figure is the max, 9 > 7 -> off track; 7/9
    r = row(evaluate(db, dt.date(2014, 7, 20)), "qd46-registration-days")
    assert r["actual"] == approx(9.0)
    assert r["planned"] == approx(7.0)
    assert r["attainment"] == approx(0.777778)
    assert r["status"] == "off_track"
    assert r["reports_expected"] == 60  # 6 quarters × 10
    assert r["completeness"] == approx(1.0)


def test_relational_loan_growth_against_all_loans(tmp_path: Path) -> None:
    db = new_warehouse(tmp_path)
    small = [16.5, 17.0, 16.0, 15.5, 13.0, 15.0]
    total = [15.0, 15.0, 15.0, 15.0, 14.0, 14.5]
    for q, s, t in zip(quarters("2013Q1", "2014Q2"), small, total, strict=True):
        rows = [("370200", "small_micro_loan_growth_rate", q.label, s),
                ("370200", "total_loan_growth_rate", q.label, t)]  # fmt: skip
        load(db, rows, after_quarter(q, 10), f"loans-{q.label}.csv")
    # 2014Q1: 13.0 − 14.0 = −1.0 < 0 -> off track
    r = row(evaluate(db, dt.date(2014, 4, 20)), "qd46-small-micro-loan-growth")
    assert r["actual"] == approx(-1.0)
    assert r["status"] == "off_track"
    # 2014Q2: 15.0 − 14.5 = 0.5 >= 0 -> this year's standard held: on track
    r = row(evaluate(db, dt.date(2014, 7, 20)), "qd46-small-micro-loan-growth")
    assert r["actual"] == approx(0.5)
    assert r["status"] == "on_track"
    assert r["final"] == 0.0
    assert r["reports_expected"] == 12  # 6 quarters × 2 indicators × Qingdao
    assert r["completeness"] == approx(1.0)


# --------------------------------------------------------------------------------------------
# a quarter counts once it is due (issue 12, rule 3): early reporters do not swing a verdict
# --------------------------------------------------------------------------------------------


def test_early_reporters_alone_do_not_move_the_verdict_until_the_quarter_is_due(
    tmp_path: Path,
) -> None:
    db = new_warehouse(tmp_path)
    # every reporter sends 2014Q1 (广州 10 new platforms, the others 0) on time
    q1 = [(c, PLAT_IND, "2014Q1", 10.0 if c == "440100" else 0.0) for c in GD_REPORTERS]
    load(db, q1, after_quarter(Quarter(2014, 1), 10), "q1.csv")
    # three cities send 2014Q2 early, on 2014-07-05: 100 new platforms between them
    early = [("440100", PLAT_IND, "2014Q2", 50.0), ("440300", PLAT_IND, "2014Q2", 30.0),
             ("440600", PLAT_IND, "2014Q2", 20.0)]  # fmt: skip
    load(db, early, after_quarter(Quarter(2014, 2), 5), "early.csv")

    # 2014-07-10: 2014Q2 has ended but is due only on 07-15, and 3 of 22 reporters are in: the
    # verdict stays on 2014Q1 (running sum 10), and says why
    before = row(evaluate(db, dt.date(2014, 7, 10)), PLATFORMS)
    assert (before["latest_period"], before["actual"]) == ("2014Q1", approx(10.0))
    assert before["flags"] == ["early_reports_ignored"]
    # 2014-07-20: 2014Q2 is due; its figures count, whoever is missing (running sum 110)
    after = row(evaluate(db, dt.date(2014, 7, 20)), PLATFORMS)
    assert (after["latest_period"], after["actual"]) == ("2014Q2", approx(110.0))
    assert after["flags"] == []
    # the deadline quarter (2015Q4) is not due: provisional, before and after
    assert before["provisional"] and after["provisional"]


def test_a_goal_is_staged_only_by_follows_never_across_documents(tmp_path: Path) -> None:
    """D3 (R10): the 2012 action plan's one-year tech platforms goal is not an earlier stage of
    the 十二五 goal (150 by 2015, open since 2011-01-01): no follows, so no inferred stage."""
    goal = "gd624-tech-demo-platforms-2015"
    assert reference().catalogue.target(goal).follows is None
    db = new_warehouse(tmp_path)
    ind = "tech_service_demo_platforms"
    for first, last, when in (("2011Q1", "2012Q3", dt.datetime(2012, 10, 10, 2)),
                              ("2012Q4", "2013Q2", dt.datetime(2013, 7, 10, 2))):  # fmt: skip
        rows = [(c, ind, q.label, 4.0 if c == "440100" else 0.0)
                for q in quarters(first, last) for c in GD_REPORTERS]  # fmt: skip
        load(db, rows, when, f"{first}.csv")
    # 2012-10-20: 7 quarters × 4 = 28 against 150 × 7/20 = 52.5 (2011Q1…2015Q4 is 20 quarters);
    # R = (28/7) / (150/20) = 4/7.5 = 0.5333: off track (was "not started", baseline 20)
    then = row(evaluate(db, dt.date(2012, 10, 20)), goal)
    assert then["status"] == "off_track"
    assert (then["actual"], then["planned"]) == (approx(28.0), approx(52.5))
    assert then["ratio"] == approx(4 / 7.5)
    # 2013-07-20: 10 quarters × 4 = 40 against 75; R = 0.5333 still
    later = row(evaluate(db, dt.date(2013, 7, 20)), goal)
    assert (later["status"], later["actual"], later["planned"]) == (
        "off_track",
        approx(40.0),
        approx(75.0),
    )


def test_shunde_is_not_a_city_in_a_goal_on_each_city(tmp_path: Path) -> None:
    """D6 (R6): the 21 prefecture-level cities each held their 2012 activity; 顺德区 (reporting
    beside them for the province's totals) did not.  21 of 21 cities: achieved, none short."""
    db = new_warehouse(tmp_path)
    ind = "local_service_activities"
    rows = [(c, ind, q.label, 1.0 if q == Quarter(2012, 2) and c != "440606" else 0.0)
            for q in quarters("2012Q1", "2012Q4") for c in GD_REPORTERS]  # fmt: skip
    load(db, rows, dt.datetime(2013, 1, 10, 2), "activities.csv")
    r = row(evaluate(db, dt.date(2013, 1, 20)), "gd2012act-city-service-activities-2012")
    assert (r["status"], r["units_total"], r["units_short"]) == ("achieved", 21, [])
    assert r["actual"] == approx(100.0)
    # completeness over the 21 cities: 4 quarters × 21 reports, all in
    assert (r["reports_received"], r["reports_expected"]) == (84, 84)
