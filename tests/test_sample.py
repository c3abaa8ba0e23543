"""The bundled sample: deterministic, within the reporting rules, consistent, a mix of outcomes."""

from __future__ import annotations

from collections import Counter

import polars as pl
import pytest

from etl.sample import SCENARIOS, SILENT, generate_sample
from model import paths
from model.catalogue import Catalogue
from model.periods import Quarter
from model.regions import Region, load_regions
from model.reporting import applicable_indicators, jurisdiction_of, reporting_rules

KEY = ["region_code", "indicator", "period"]


@pytest.fixture(scope="module")
def regions() -> list[Region]:
    return load_regions([paths.REGIONS, paths.TOWNS])


@pytest.fixture(scope="module")
def sample(catalogue: Catalogue, regions: list[Region]) -> pl.DataFrame:
    return generate_sample(catalogue, regions)


def _periods(sample: pl.DataFrame, code: str) -> list[str]:
    return sorted(set(sample.filter(pl.col("region_code") == code)["period"]))


def _total(sample: pl.DataFrame, indicator: str, first: str, last: str, codes: set[str]) -> float:
    rows = sample.filter(
        (pl.col("indicator") == indicator)
        & pl.col("period").is_between(pl.lit(first), pl.lit(last))
        & pl.col("region_code").is_in(sorted(codes))
    )
    return float(rows["value"].sum())


def test_same_seed_same_frame_other_seed_other_frame(
    catalogue: Catalogue, regions: list[Region], sample: pl.DataFrame
) -> None:
    again = generate_sample(catalogue, regions)
    assert again.equals(sample)
    assert again.write_csv() == sample.write_csv()
    assert not generate_sample(catalogue, regions, seed=7).equals(sample)


def test_schema_sort_order_and_spelling(sample: pl.DataFrame) -> None:
    assert sample.schema == pl.Schema(
        {
            "region_code": pl.String,
            "indicator": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "note": pl.String,
        }
    )
    assert sample.equals(sample.sort(KEY))
    assert sample.select(KEY).is_unique().all()
    assert sample["region_code"].str.contains(r"^\d{6}(\d{3})?$").all()
    assert sample["period"].str.contains(r"^\d{4}Q[1-4]$").all()
    assert sample["value"].null_count() == 0
    assert 10_000 < sample.height < 200_000


def test_rows_only_while_the_region_exists(sample: pl.DataFrame, regions: list[Region]) -> None:
    versions: dict[str, list[Region]] = {}
    for r in regions:
        versions.setdefault(r.code, []).append(r)
    pairs = sample.select("region_code", "period").unique().iter_rows()
    outside = [
        (code, period)
        for code, period in pairs
        if not any(r.valid_on(Quarter.parse(period).end) for r in versions[code])
    ]
    assert outside == []
    assert _periods(sample, "440116")[-1] < "2014Q1"  # 萝岗区, merged into 黄埔区 on 2014-02-12
    # 电白区 (set up on 2014-01-25) reports only through its service centre now, a unit:
    # tests/test_unit_goals.py checks that 440904-FW01 reports from 2014Q1 only
    assert _periods(sample, "440118101")[0] == "2014Q1"  # 新塘镇's code exists from 2014-02-12
    assert _periods(sample, "370282")[-1] == "2017Q2"  # 即墨市 until 2017-09-20 ...
    assert _periods(sample, "370215")[0] == "2017Q3"  # ... then 即墨区


def test_every_row_is_owed_by_the_reporting_rules(
    sample: pl.DataFrame, catalogue: Catalogue, regions: list[Region]
) -> None:
    rules, jurisdictions = reporting_rules(catalogue), jurisdiction_of(regions)
    owed = {
        (r.code, key) for r in regions for key in applicable_indicators(r, rules, jurisdictions)
    }
    pairs = set(sample.select("region_code", "indicator").unique().iter_rows())
    assert pairs - owed == set()


def test_every_owed_indicator_appears_unless_its_goals_are_unreported(
    sample: pl.DataFrame, catalogue: Catalogue
) -> None:
    rules = reporting_rules(catalogue)
    present = set(sample["indicator"])
    expected = {r.indicator for r in rules if SCENARIOS[r.target_id] != "unreported"}
    assert expected - present == set()
    never = {r.indicator for r in rules} - present
    assert never == {"platform_assessment_rounds", "qd_small_micro_credit_info_updated"}


def test_no_ratio_is_reported_and_numerators_stay_within_denominators(
    sample: pl.DataFrame, catalogue: Catalogue
) -> None:
    ratios = [i for i in catalogue.indicators if i.rollup == "ratio"]
    assert set(sample["indicator"]) & {i.key for i in ratios} == set()
    compared = 0
    for ratio in ratios:
        num = sample.filter(pl.col("indicator") == ratio.numerator)
        den = sample.filter(pl.col("indicator") == ratio.denominator)
        pairs = num.join(den, on=["region_code", "period"], suffix="_den")
        assert pairs.filter(pl.col("value") > pl.col("value_den")).height == 0, ratio.key
        compared += pairs.height
    assert compared > 2_000


def test_values_are_in_range(sample: pl.DataFrame, catalogue: Catalogue) -> None:
    unit = {i.key: i.unit for i in catalogue.indicators}
    measure = {i.key: i.measure for i in catalogue.indicators}
    frame = sample.with_columns(
        unit=pl.col("indicator").replace_strict(unit),
        measure=pl.col("indicator").replace_strict(measure),
    )
    growth = (pl.col("unit") == "%") & pl.col("indicator").str.contains("growth")
    assert frame.filter(growth).height > 0
    assert frame.filter(~growth & (pl.col("value") < 0)).height == 0
    assert frame.filter((pl.col("unit") == "%") & (pl.col("value") > 100)).height == 0
    milestones = frame.filter((pl.col("unit") == "项") & (pl.col("measure") == "stock"))
    assert set(milestones["value"]) == {0.0, 1.0}
    whole = frame.filter(pl.col("unit").is_in(["元", "家", "个", "人", "人次", "场", "项"]))
    assert (whole["value"] == whole["value"].round()).all()


def test_counted_stocks_only_fall_in_rare_noted_corrections(
    sample: pl.DataFrame, catalogue: Catalogue
) -> None:
    stocks = [
        i.key
        for i in catalogue.indicators
        if i.measure == "stock" and i.unit not in ("%", "工作日")
    ]
    rows = sample.filter(pl.col("indicator").is_in(stocks)).sort(KEY)
    previous = pl.col("value").shift(1).over(["region_code", "indicator"])
    falls = rows.filter(pl.col("value") < previous)
    assert falls["note"].null_count() == 0
    assert falls.height <= 0.01 * rows.height


def test_hand_computed_demo_platforms_goal_is_achieved(
    sample: pl.DataFrame, regions: list[Region]
) -> None:
    # gd624-demo-platforms-provincial-2015: 500 platforms recognised over 2011-2015, a flow
    # reported by Guangdong's cities and 顺德; the cities' quarters add up to the province's count.
    assert SCENARIOS["gd624-demo-platforms-provincial-2015"] == "achieved_on_time"
    guangdong = {code for code, j in jurisdiction_of(regions).items() if j == "440000"}
    total = _total(sample, "demo_platforms_provincial", "2011Q1", "2015Q4", guangdong)
    assert 500 <= total <= 500 * 1.25


def test_hand_computed_procurement_shares(sample: pl.DataFrame, regions: list[Region]) -> None:
    # gd624-procurement-sme-share (>= 30 % every year 2012-2015) is achieved;
    # gd624-procurement-small-micro-share (>= 60 % of the SME budget every year) is missed.
    assert SCENARIOS["gd624-procurement-sme-share"] == "achieved_on_time"
    assert SCENARIOS["gd624-procurement-small-micro-share"] == "missed"
    guangdong = {code for code, j in jurisdiction_of(regions).items() if j == "440000"}
    shares = {}
    for year in range(2012, 2016):
        total, sme, small = (
            _total(sample, f"gov_procurement_budget_{part}", f"{year}Q1", f"{year}Q4", guangdong)
            for part in ("total", "sme", "small_micro")
        )
        shares[year] = (sme / total, small / sme)
    assert all(sme >= 0.30 for sme, _ in shares.values())
    assert any(small < 0.60 for _, small in shares.values())


def test_hand_computed_village_banks_reach_every_city_late(sample: pl.DataFrame) -> None:
    # gd2012act-village-bank-coverage-2015: every prefecture city by 2015-04-27, reached late.
    assert SCENARIOS["gd2012act-village-bank-coverage-2015"] == "achieved_late"
    covered = sample.filter(pl.col("indicator") == "cities_with_village_bank")
    cities = sample.filter(pl.col("indicator") == "prefecture_cities_total")
    by_quarter = dict(covered.group_by("period").agg(pl.col("value").sum()).iter_rows())
    assert (
        _total(cities, "prefecture_cities_total", "2015Q2", "2015Q2", set(cities["region_code"]))
        == 21
    )
    assert by_quarter["2015Q2"] < 21
    assert by_quarter["2016Q2"] == 21
    assert "2016Q3" not in by_quarter  # the late year's reports stop a year after the deadline


def test_goals_in_progress_stop_at_their_latest_report(sample: pl.DataFrame) -> None:
    # gdcentre-providers-2020 is on track: its reports stop 60 % into 2017-2020, in 2019Q2.
    assert SCENARIOS["gdcentre-providers-2020"] == "on_track"
    periods = sample.filter(pl.col("indicator") == "integrated_service_providers")["period"]
    assert periods.max() == "2019Q2"


def test_scenarios_cover_the_catalogue_and_each_is_used_at_least_three_times(
    catalogue: Catalogue,
) -> None:
    assert set(SCENARIOS) == {t.id for t in catalogue.targets}
    counts = Counter(SCENARIOS.values())
    assert set(counts) == {
        "achieved_on_time",
        "achieved_late",
        "on_track",
        "at_risk",
        "off_track",
        "missed",
        "unreported",
    }
    assert min(counts.values()) >= 3
    assert {SCENARIOS[t] for t in SILENT} == {"unreported"}


def test_last_quarter_bounds_the_sample(catalogue: Catalogue, regions: list[Region]) -> None:
    early = generate_sample(catalogue, regions, last_quarter=Quarter(2013, 4))
    assert early["period"].max() == "2013Q4"
    assert early["period"].min() == "2011Q1"
