"""Per-unit goals judged on each registered unit (issue 11, item 2; engine-defects D1 second
paragraph and design weakness 7): the share of units meeting the standard, computed by hand,
and the exact list of units short of it, in evaluate's rows, the goal detail, ``status --json``
and the briefing.

The warehouse: a fresh one (no sample) whose register holds the provincial centre
(data/units.csv) and, added by an admin, three city centres and two county centres.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pytest import approx

from etl.build import init_warehouse
from etl.load import load_file, reference
from etl.register import add_units
from etl.sample import generate_sample
from etl.sample.units import sample_units
from judge import engine
from model.periods import Quarter
from model.unit_file import load_units
from model.units import UNITS
from service.maps import map_view
from target_monitor.briefing import build_briefing
from warehouse.accounts import add_user
from warehouse.connect import connect

HEADER = "region_code,indicator,period,value,note\n"
CENTRES = """code,name,kind,level,parent_code,valid_from,valid_to,source,note
440100-FW01,测试广州市中心,service_centre,city,440100,,,tests,
440300-FW01,测试深圳市中心,service_centre,city,440300,,,tests,
440400-FW01,测试珠海市中心,service_centre,city,440400,,,tests,
440103-FW01,测试荔湾区中心,service_centre,county,440103,,,tests,
440104-FW01,测试越秀区中心,service_centre,county,440104,,,tests,
"""
STAFF = "service_centre_staff"  # gdcentre-city-centre-staff: each city centre >= 6 by 2017
REPORTS = "service_centre_sme_reports_published"  # gdcentre-annual-sme-report: >= 1 a year


def _load(db: Path, lines: list[str], q: Quarter, name: str, days: int = 10) -> None:
    data = (HEADER + "\n".join(lines) + "\n").encode("utf-8")
    at = dt.datetime.combine(q.end + dt.timedelta(days=days), dt.time(1))
    result = load_file(data, db=db, name=name, submitted_at=at, today=dt.date(2026, 1, 1))
    assert result.status == "committed", [(i.rule, i.row, i.value) for i in result.issues]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("units") / "w.duckdb"
    init_warehouse(path)
    with connect(path, write=True) as con:
        admin = add_user(con, username="boss", password="secret-pass-1", role="admin",
                         region_code=None, display_name="admin", actor="test")  # fmt: skip
    added = add_units(CENTRES.encode("utf-8"), "centres.csv", db=path, actor=admin)
    assert added.accepted, added.issues
    # staff: 广州 8, 深圳 5 then 7 from 2017Q3, 珠海 4 all year
    staff = {"440100-FW01": (8, 8, 8, 8), "440300-FW01": (5, 5, 7, 7), "440400-FW01": (4,) * 4}
    # SME reports in 2017: one each in Q4, but 深圳's centre and 越秀区's centre publish none
    published = {"440000-FW01": 1, "440100-FW01": 1, "440300-FW01": 0, "440400-FW01": 1,
                 "440103-FW01": 1, "440104-FW01": 0}  # fmt: skip
    for i in range(4):
        q = Quarter(2017, i + 1)
        lines = [f"{code},{STAFF},{q.label},{v[i]}," for code, v in staff.items()]
        if i == 0:  # 珠海's first figure comes late: 30 days after the quarter (due: 15)
            _load(path, [lines.pop()], q, "late.csv", days=30)
        lines += [f"{code},{REPORTS},{q.label},{n if i == 3 else 0}," for code, n in
                  published.items()]  # fmt: skip
        _load(path, lines, q, f"units-{q.label}.csv")
    return path


def _evaluate(db: Path, as_of: dt.date) -> pl.DataFrame:
    ref = reference()
    with connect(db) as con:
        return engine.evaluate(con, catalogue=ref.catalogue, regions=ref.regions, as_of=as_of)


def _row(frame: pl.DataFrame, target_id: str) -> dict[str, Any]:
    return frame.filter(pl.col("target_id") == target_id).row(0, named=True)


def test_city_centre_standard_is_judged_on_each_city_centre(db: Path) -> None:
    r = _row(_evaluate(db, dt.date(2018, 3, 1)), "gdcentre-city-centre-staff")
    # 2017Q4: 广州 8 and 深圳 7 meet >= 6, 珠海 4 does not: 2 of 3 = 66.666667 %
    assert r["units_total"] == 3
    assert r["units_short"] == ["440400-FW01"]
    assert r["actual"] == approx(200 / 3)
    assert r["status"] == "missed"  # the deadline (2017-12-31) has passed short of 100 %
    # figures received / expected: 3 centres × 4 quarters, all received
    assert (r["reports_received"], r["reports_expected"]) == (12, 12)
    assert r["completeness"] == approx(1.0)
    assert r["timeliness"] == approx(11 / 12)  # 珠海's 2017Q1 figure came late
    assert r["unit"] == "%"


def test_mid_year_the_share_and_the_units_short_are_those_of_the_quarter(db: Path) -> None:
    r = _row(_evaluate(db, dt.date(2017, 7, 20)), "gdcentre-city-centre-staff")
    # 2017Q2: only 广州 meets: 1 of 3; planned 100 × 2/4 = 50 (origin 2016Q4, end 2017Q4)
    assert r["units_short"] == ["440300-FW01", "440400-FW01"]
    assert r["actual"] == approx(100 / 3)
    assert r["planned"] == approx(50.0)
    assert r["status"] in ("off_track", "at_risk")
    assert (r["reports_received"], r["reports_expected"]) == (6, 6)
    assert r["timeliness"] == approx(5 / 6)


def test_service_centre_goals_are_judged_at_every_level(db: Path) -> None:
    r = _row(_evaluate(db, dt.date(2018, 1, 20)), "gdcentre-annual-sme-report")
    # the provincial, three city and two county centres (not only the province's, D1):
    # 4 of 6 published their report in 2017 = 66.666667 %; short, by level then code
    assert r["units_total"] == 6
    assert r["units_short"] == ["440300-FW01", "440104-FW01"]
    assert r["actual"] == approx(400 / 6)


def test_the_provincial_centre_goal_has_one_unit(db: Path) -> None:
    r = _row(_evaluate(db, dt.date(2018, 3, 1)), "gdcentre-prov-centre-staff")
    assert r["units_total"] == 1
    assert r["units_short"] == ["440000-FW01"]  # it reported no staff figure
    assert r["completeness"] == approx(0.0)


def test_goal_detail_lists_the_units(db: Path) -> None:
    ref = reference()
    with connect(db) as con:
        detail = engine.goal_detail(con, catalogue=ref.catalogue, regions=ref.regions,
                                    as_of=dt.date(2018, 3, 1),
                                    target_id="gdcentre-city-centre-staff")  # fmt: skip
    assert detail.regions.select("region_code", "name", "value", "meets").rows() == [
        ("440100-FW01", "测试广州市中心", 8.0, True),
        ("440300-FW01", "测试深圳市中心", 7.0, True),
        ("440400-FW01", "测试珠海市中心", 4.0, False),
    ]
    # the map shows each unit on its parent region's area: the share of its units meeting
    shown = map_view(detail.regions.to_dicts(), regions=ref.regions,
                     jurisdiction=ref.jurisdictions.get("440000"), unit_goal=True)  # fmt: skip
    assert shown.metric == {"440100": 100.0, "440300": 100.0, "440400": 0.0}


def test_status_json_lists_the_units_short(db: Path, cli: Any) -> None:
    ran = cli("status", "--db", str(db), "--as-of", "2018-03-01", "--json")
    assert ran.returncode == 0, ran.stderr
    rows = {r["target_id"]: r for r in json.loads(ran.stdout)}
    assert rows["gdcentre-city-centre-staff"]["units_short"] == ["440400-FW01"]
    # the latest quarter ended by 2018-03-01 is 2017Q4: 2017's reports
    assert rows["gdcentre-annual-sme-report"]["units_short"] == ["440300-FW01", "440104-FW01"]


def test_briefing_names_the_units_short(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.pdf"
    build_briefing(db, out, as_of=dt.date(2017, 7, 20), document="gd-2017-centres")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "未达标单位（2/3）：测试深圳市中心、测试珠海市中心" in re.sub(r"\s+", "", text)


def test_the_sample_has_units_at_every_level_reporting_while_valid() -> None:
    ref = reference()
    units = [*load_units(UNITS, ref.regions), *sample_units(ref.regions)]
    kinds = {(u.kind, u.level) for u in units}
    assert kinds == {
        ("service_centre", "province"),
        ("service_centre", "city"),
        ("service_centre", "county"),
        ("platform", "town"),
        ("startup_base", "city"),
    }
    assert len({u.code for u in units if u.kind == "startup_base"}) == 44
    per_town: dict[str, int] = {}
    for u in units:
        if u.kind == "platform":
            per_town[u.parent_code] = per_town.get(u.parent_code, 0) + 1
    assert set(per_town.values()) <= {2, 3}
    assert all(u.source.startswith("示例数据") for u in units if u.origin == "sample")
    sample = generate_sample(ref.catalogue, ref.regions, units=units)
    platform = sample.filter(pl.col("region_code") == "440118101-PT01")["period"]
    assert platform.min() == "2014Q1"  # 新塘镇's code (and so its platforms) from 2014-02-12
    centre = sample.filter(pl.col("region_code") == "440904-FW01")["period"]  # 电白区, 2014-
    assert centre.min() == "2017Q1"  # the centre standards start in 2017
    assert sample.filter(pl.col("region_code").str.contains("-"))["region_code"].n_unique() > 200


def test_status_region_takes_a_unit_code(db: Path, cli: Any) -> None:
    ran = cli("status", "--db", str(db), "--as-of", "2018-03-01", "--region", "440104-FW01",
              "--json")  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    # a county centre: the two yearly goals on every service centre, not the city standards
    assert [r["target_id"] for r in json.loads(ran.stdout)] == [
        "gdcentre-annual-sme-report",
        "gdcentre-annual-evaluation",
    ]
    ran = cli("status", "--db", str(db), "--region", "440104-FW99")
    assert ran.returncode == 1


def test_goal_page_names_the_units_short(db: Path) -> None:
    from tests.test_pages import open_page

    at = open_page(db, "pages/goal.py", target="gdcentre-city-centre-staff", as_of="2018-03-01")
    short = [m.value for m in at.markdown if "未达标单位" in m.value]
    assert short == ["**未达标单位**（1/3）：测试珠海市中心"]
    table = next(d.value for d in at.dataframe if "是否达标" in d.value.columns)
    assert table["地区"].tolist() == ["测试广州市中心", "测试深圳市中心", "测试珠海市中心"]
    assert table["是否达标"].tolist() == [True, True, False]
