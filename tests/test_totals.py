"""Jurisdiction totals and the two dates (issue 11, items 1, 3 and 5), through the command line.

A jurisdiction (440000 广东省, 370200 青岛市) may report the total of a goal on the whole
jurisdiction; per quarter the engine uses that total instead of the roll-up of the level below,
and counts the quarter complete.  ``--as-of`` is the evaluation date (the quarters due by then are
judged), ``--known-on`` the knowledge date (only revisions submitted by the end of that day
count), so history loaded today is judged at its own dates.  Every number below is worked out by
hand in the comments.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from etl.load import load_file, reference
from etl.template import template_rows
from model import clock, paths
from model.periods import Quarter
from service import api as service
from tests.cli_runner import Cli
from tests.test_engine import GD_REPORTERS

QD_AREA = "qd46-incubator-area-2017"  # 孵化面积 ≥ 12,000,000 m², 2012-11-08 … 2017-11-07
PLATFORMS = "gd624-demo-platforms-provincial-2015"  # 500 provincial demonstration platforms
PLAT = "demo_platforms_provincial"  # a flow reported by Guangdong's 22 city-level regions


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-4, abs=1e-9)


def _published_in_use() -> dict[str, dict[str, str]]:
    """青岛's published incubator area in use (data/published/local_actuals.csv), by year label."""
    path = paths.ROOT / "data" / "published" / "local_actuals.csv"
    with path.open(encoding="utf-8", newline="") as file:
        rows = [r for r in csv.DictReader(file) if r["indicator_key"] == "qd_incubator_area_in_use"]
    return {r["year"]: r for r in rows}


def _write(path: Path, header: str, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header.split(","))
        writer.writerows(rows)
    return path


def _status(cli: Cli, db: Path, *args: str) -> dict[str, dict[str, Any]]:
    ran = cli("status", "--db", str(db), "--json", *args)
    assert ran.returncode == 0, ran.stderr
    return {r["target_id"]: r for r in json.loads(ran.stdout)}


@pytest.fixture
def qingdao_db(fresh_db: Path, tmp_path: Path, cli: Cli) -> Path:
    """A warehouse without the sample holding 青岛's published in-use incubator area as city
    totals, with their sources, loaded today: 8,940,000 m² at the end of 2016 (2016Q4) and
    still 8,940,000 m² in September 2017 (2017Q3)."""
    published = _published_in_use()
    end_2016, sept_2017 = published["2016 (end)"], published["2017 (Sept; 截至目前)"]
    rows = [
        ["370200", "incubator_floor_area", "2016Q4", end_2016["value"],
         f"{end_2016['source_url_or_title']} {end_2016['source_date']}: {end_2016['quote']}"],
        ["370200", "incubator_floor_area", "2017Q3", sept_2017["value"],
         f"{sept_2017['source_url_or_title']} {sept_2017['source_date']}: {sept_2017['quote']}"],
    ]  # fmt: skip
    assert [r[3] for r in rows] == ["8940000", "8940000"]
    path = _write(tmp_path / "qingdao.csv", "region_code,indicator,period,value,source", rows)
    added = cli("users", "add", "qingdao", "--role", "bureau", "--region", "370200",
                "--password-stdin", "--db", str(fresh_db), stdin="qingdao-pass-1\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    ran = cli("load", str(path), "--db", str(fresh_db), "--user", "qingdao", "--json")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert json.loads(ran.stdout)["new"] == 2
    return fresh_db


def test_qingdao_published_totals_replay_the_record_at_their_own_dates(
    qingdao_db: Path, cli: Cli
) -> None:
    # 2016-12-31: 2016Q4 is not due until 2017-01-15, so the last quarter judged is 2016Q3,
    # for which nothing was published: no figure, no verdict
    before = _status(cli, qingdao_db, "--as-of", "2016-12-31")[QD_AREA]
    assert (before["status"], before["actual"]) == ("insufficient_data", None)

    # 2017-01-20: 2016Q4's total, 8,940,000, loaded today but judged at its own date.  The
    # document gives no base area, so the trajectory starts from the first report (issue 12,
    # rule 2): one figure measures no progress yet
    mid = _status(cli, qingdao_db, "--as-of", "2017-01-20")[QD_AREA]
    assert mid["status"] == "insufficient_data"
    assert (mid["actual"], mid["planned"], mid["ratio"]) == (
        approx(8_940_000),
        approx(8_940_000),
        None,
    )
    assert mid["latest_period"] == "2016Q4"
    assert mid["basis"] == "total"
    assert mid["notes"] == ["judged_on_total", "baseline_from_first_report"]
    assert mid["provisional"] is True  # the deadline quarter (2017Q4) is due on 2018-01-15
    assert mid["as_of"] == "2017-01-20"

    # 2017-10-20: 2017Q3's total is the same 8,940,000: no growth in three quarters, R = 0, off
    # track; planned 8,940,000 + 3,060,000 × 3/4 = 11,235,000 (2016Q4 → 2017Q4: 4 quarters)
    late = _status(cli, qingdao_db, "--as-of", "2017-10-20")[QD_AREA]
    assert (late["status"], late["ratio"]) == ("off_track", approx(0.0))
    assert late["planned"] == approx(11_235_000)

    # 2018-01-20: the deadline quarter is due; the last figure by the deadline is 2017Q3's
    # 8,940,000 < 12,000,000: missed, as the published record says (894万 in use of 1,200万)
    after = _status(cli, qingdao_db, "--as-of", "2018-01-20")[QD_AREA]
    assert (after["status"], after["latest_period"]) == ("missed", "2017Q3")
    assert after["actual"] == approx(8_940_000)
    assert after["provisional"] is False
    assert after["basis"] == "total"


def test_known_on_before_the_load_shows_nothing_known(qingdao_db: Path, cli: Cli) -> None:
    yesterday = clock.today() - dt.timedelta(days=1)
    then = _status(cli, qingdao_db, "--as-of", "2018-01-20", "--known-on", yesterday.isoformat())
    assert (then[QD_AREA]["status"], then[QD_AREA]["actual"]) == ("insufficient_data", None)
    assert then[QD_AREA]["known_on"] == yesterday.isoformat()
    now = _status(cli, qingdao_db, "--as-of", "2018-01-20", "--known-on", clock.today().isoformat())
    assert now[QD_AREA]["status"] == "missed"


def test_region_option_returns_the_goals_that_apply_to_a_region(qingdao_db: Path, cli: Cli) -> None:
    ref = reference()
    qingdao = {t.id for t in ref.catalogue.targets if t.scope.jurisdiction == "370200"}
    assert set(_status(cli, qingdao_db, "--region", "370200")) == qingdao
    # 市南区 reports for Qingdao's goals rolled up from the districts: a subset of them
    district = set(_status(cli, qingdao_db, "--region", "370202"))
    assert QD_AREA in district and district < qingdao
    # 广州 reports for Guangdong's goals, none of Qingdao's
    guangzhou = set(_status(cli, qingdao_db, "--region", "440100"))
    assert PLATFORMS in guangzhou and not guangzhou & qingdao
    unknown = cli("status", "--db", str(qingdao_db), "--region", "999999")
    assert unknown.returncode == 1 and "999999" in unknown.stderr


def _load_rows(db: Path, rows: list[tuple[str, str, str, float]], day: dt.datetime, name: str):
    text = "region_code,indicator,period,value\n" + "".join(
        f"{code},{ind},{period},{value:g}\n" for code, ind, period, value in rows
    )
    return load_file(text.encode(), db=db, name=name, submitted_at=day)


def test_a_province_total_stands_for_its_quarter_beside_the_roll_up(fresh_db: Path) -> None:
    # hand-made figures (no published count of recognised platforms exists for these quarters)
    cities_q1 = [(c, PLAT, "2014Q1", 10.0 if c == "440100" else 0.0) for c in GD_REPORTERS]
    cities_q2 = [(c, PLAT, "2014Q2", 20.0 if c == "440300" else 0.0) for c in GD_REPORTERS]
    assert _load_rows(fresh_db, cities_q1 + cities_q2, dt.datetime(2014, 7, 10, 1), "c.csv").status
    # the province's own totals: 12 for 2014Q1 (the cities' roll-up says 10) and 15 for 2014Q3,
    # which no city reported
    totals = [("440000", PLAT, "2014Q1", 12.0), ("440000", PLAT, "2014Q3", 15.0)]
    loaded = _load_rows(fresh_db, totals, dt.datetime(2014, 10, 10, 1), "province.csv")
    assert loaded.status == "committed"
    # the gap is a warning on the total's row: (10 − 12) ÷ 12 = −16.7 %
    (gap,) = [i for i in loaded.issues if i.rule == "total-rollup-gap"]
    assert (gap.severity, gap.row, gap.column, gap.value) == ("warning", 2, "value", PLAT)
    assert gap.message_zh == (
        "2014Q1“demo_platforms_provincial”：广东省全辖区合计 12，下级汇总 10（22 个地区），"
        "相差 -16.7%"
    )

    # the cities' 2014Q3 arriving after the province's total: compared with it on the way in
    # (广州 15, the rest 0: the roll-up equals the total, so no warning), and committed
    cities_q3 = [(c, PLAT, "2014Q3", 15.0 if c == "440100" else 0.0) for c in GD_REPORTERS]
    late = _load_rows(fresh_db, cities_q3, dt.datetime(2014, 10, 12, 1), "c3.csv")
    assert late.status == "committed"
    assert [i.rule for i in late.issues if i.rule == "total-rollup-gap"] == []

    ref = reference()
    status = service.goal_status(
        fresh_db, catalogue=ref.catalogue, regions=ref.regions, as_of=dt.date(2014, 10, 20)
    ).filter(service_target(PLATFORMS))
    row = status.row(0, named=True)
    # running sum of the quarters: 12 (the total, not the cities' 10) + 20 + 15 = 47
    assert row["actual"] == approx(47.0)
    assert row["basis"] == "mixed"
    assert row["flags"] == ["total_and_rollup_differ"]
    assert row["total_gap"] == approx(0.0)  # the latest quarter with both, 2014Q3; 2014Q1 flags
    # completeness over 2011Q1…2014Q3 (15 quarters × 22 reporters = 330 expected): 2014Q1 and
    # 2014Q3 complete on the totals, 2014Q2 from the 22 cities: 66 ÷ 330 = 0.2 (2014Q3 has both:
    # the total stands for it)
    assert (row["reports_received"], row["reports_expected"]) == (66, 330)
    assert row["completeness"] == approx(0.2)

    detail = service.goal_detail(
        fresh_db,
        catalogue=ref.catalogue,
        regions=ref.regions,
        as_of=dt.date(2014, 10, 20),
        target_id=PLATFORMS,
    ).series
    shown = {
        r["period"]: (r["basis"], r["total"], r["rollup"], r["gap"])
        for r in detail.iter_rows(named=True)
        if r["period"] in ("2014Q1", "2014Q2", "2014Q3")
    }
    assert shown["2014Q1"][:3] == ("total", 12.0, 10.0)
    assert shown["2014Q1"][3] == approx(-1 / 6)
    assert shown["2014Q2"] == ("rollup", None, None, None)
    assert shown["2014Q3"] == ("total", 15.0, 15.0, 0.0)  # both, no gap


def test_the_goal_and_reporting_pages_show_total_and_roll_up_side_by_side(
    fresh_db: Path,
) -> None:
    from streamlit.testing.v1 import AppTest

    cities = [(c, PLAT, "2014Q1", 10.0 if c == "440100" else 0.0) for c in GD_REPORTERS]
    total = [("440000", PLAT, "2014Q1", 12.0)]
    assert _load_rows(fresh_db, cities + total, dt.datetime(2014, 4, 10, 1), "q1.csv").status
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["db_path"] = fresh_db
    at.query_params.update({"as_of": "2014-04-20", "target": PLATFORMS})
    at.run()
    at.switch_page("pages/goal.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "全辖区合计与下级汇总" in [h.value for h in at.subheader]
    (warning,) = [w.value for w in at.warning if "5%" in w.value]
    assert warning == "有 1 个季度的下级汇总与全辖区合计相差超过 5%，请核对。"
    table = next(d.value for d in at.dataframe if "全辖区合计" in d.value.columns)
    assert table.to_dict("records") == [
        {"报告期": "2014Q1", "全辖区合计": 12.0, "下级汇总": 10.0, "汇总与合计之差": -1 / 6}
    ]
    assert any("本目标的依据：全辖区合计" in c.value for c in at.caption)

    at.switch_page("pages/reporting.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [w.value for w in at.warning if "5%" in w.value] == [
        "1 处差异超过 5%（按差异大小排列）。"
    ]
    gaps = next(d.value for d in at.dataframe if "汇总地区数" in d.value.columns)
    assert gaps.to_dict("records") == [
        {
            "地区": "广东省",
            "指标": "新认定的省级中小企业公共服务示范平台",
            "报告期": "2014Q1",
            "全辖区合计": 12.0,
            "下级汇总": 10.0,
            "汇总地区数": 22,
            "汇总与合计之差": -1 / 6,
        }
    ]


def test_a_published_only_warehouse_shows_real_verdicts_where_real_data_exist(
    tmp_path: Path, cli: Cli
) -> None:
    from streamlit.testing.v1 import AppTest

    from target_monitor.i18n import status_label, t

    db = tmp_path / "published.duckdb"
    built = cli("init", "--published", "--db", str(db))
    assert built.returncode == 0, built.stderr
    rows = _status(cli, db, "--as-of", "2018-01-20")
    # 青岛's in-use incubator area, adopted as city totals: 8,940,000 m² by 2017Q3 < 12,000,000
    area = rows[QD_AREA]
    assert (area["status"], area["basis"], area["latest_period"]) == ("missed", "total", "2017Q3")
    assert area["actual"] == approx(8_940_000)
    # no reported figure anywhere else: nothing else is judged on data
    judged = {k for k, r in rows.items() if r["status"] not in ("insufficient_data", "not_started")}
    assert judged == {QD_AREA}

    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["db_path"] = db
    at.query_params.update({"as_of": "2018-01-20", "target": QD_AREA})
    at.run()
    at.switch_page("pages/goal.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert status_label("missed", "zh") in at.markdown[0].value
    assert t("banner.sample", "zh") not in [w.value for w in at.warning]


def service_target(target_id: str) -> Any:
    import polars as pl

    return pl.col("target_id") == target_id


def test_totals_scope_city_bureau_refused_province_bureau_accepted(
    fresh_db: Path, tmp_path: Path, cli: Cli
) -> None:
    for name, region in (("guangzhou", "440100"), ("guangdong", "440000")):
        added = cli("users", "add", name, "--role", "bureau", "--region", region,
                    "--password-stdin", "--db", str(fresh_db),
                    stdin=f"{name}-pass-1\n")  # fmt: skip
        assert added.returncode == 0, added.stderr
    path = _write(tmp_path / "t.csv", "region_code,indicator,period,value", [
        ["440000", PLAT, "2014Q1", 12],
    ])  # fmt: skip
    refused = cli("load", str(path), "--db", str(fresh_db), "--user", "guangzhou", "--json")
    assert refused.returncode == 1
    issues = json.loads(refused.stdout)["issues"]
    assert [(i["rule"], i["row"], i["column"]) for i in issues] == [
        ("total-out-of-scope", 2, "region_code")
    ]
    accepted = cli("load", str(path), "--db", str(fresh_db), "--user", "guangdong", "--json")
    assert accepted.returncode == 0, accepted.stdout
    assert json.loads(accepted.stdout)["new"] == 1


def test_a_jurisdictions_template_lists_the_totals_it_may_report() -> None:
    ref = reference()
    keys = [
        r.indicator for r in template_rows(ref.catalogue, ref.regions, "440000", Quarter(2014, 1))
    ]
    assert PLAT in keys  # a total of a goal rolled up from the cities
    city = [
        r.indicator for r in template_rows(ref.catalogue, ref.regions, "440100", Quarter(2014, 1))
    ]
    assert PLAT in city
    qingdao = [
        r.indicator for r in template_rows(ref.catalogue, ref.regions, "370200", Quarter(2016, 4))
    ]
    assert "incubator_floor_area" in qingdao
