"""The region list: codes as strings, the hierarchy, and divisions merged since 2012."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from model import paths
from model.regions import Region, load_regions, read_regions


@pytest.fixture(scope="module")
def regions() -> list[Region]:
    return load_regions([paths.REGIONS, paths.TOWNS])


def _current(regions: list[Region], code: str, day: dt.date = dt.date(2020, 1, 1)) -> Region:
    (region,) = [r for r in regions if r.code == code and r.valid_on(day)]
    return region


def test_guangdong_has_21_cities_and_122_counties_today(regions: list[Region]) -> None:
    today = dt.date(2024, 1, 1)
    cities = [r for r in regions if r.level == "city" and r.parent_code == "440000"]
    assert len(cities) == 21
    assert {c.code for c in cities} >= {"440100", "440300", "441900", "442000", "445300"}
    counties = [
        r for r in regions if r.level == "county" and r.code.startswith("44") and r.valid_on(today)
    ]
    assert len(counties) == 122


def test_codes_stay_strings(regions: list[Region]) -> None:
    assert all(isinstance(r.code, str) and r.code.isdigit() for r in regions)
    assert _current(regions, "440100").name == "广州市"


def test_shunde_is_province_administered(regions: list[Region]) -> None:
    flagged = [r.code for r in regions if r.province_administered]
    assert flagged == ["440606"]


@pytest.mark.parametrize(
    ("code", "name", "valid_in_2013", "valid_in_2015"),
    [
        ("440116", "萝岗区", True, False),
        ("440903", "茂港区", True, False),
        ("440923", "电白县", True, False),
        ("440904", "电白区", False, True),
        ("440118", "增城区", False, True),
    ],
)
def test_merged_divisions_keep_their_dates(
    regions: list[Region], code: str, name: str, valid_in_2013: bool, valid_in_2015: bool
) -> None:
    versions = [r for r in regions if r.code == code]
    assert {r.name for r in versions} == {name}
    assert any(r.valid_on(dt.date(2013, 6, 30)) for r in versions) is valid_in_2013
    assert any(r.valid_on(dt.date(2015, 6, 30)) for r in versions) is valid_in_2015


def test_reused_code_has_one_version_valid_on_any_day(regions: list[Region]) -> None:
    huangpu = sorted((r for r in regions if r.code == "440112"), key=lambda r: str(r.valid_from))
    assert len(huangpu) == 2
    switch = dt.date(2014, 2, 12)
    for day in (switch - dt.timedelta(days=1), switch, dt.date(2020, 1, 1)):
        assert sum(r.valid_on(day) for r in huangpu) == 1


def test_qingdao_districts(regions: list[Region]) -> None:
    qingdao = _current(regions, "370200")
    assert (qingdao.level, qingdao.parent_code) == ("city", None)
    jimo_city = [r for r in regions if r.code == "370282"]
    assert jimo_city and not any(r.valid_on(dt.date(2018, 1, 1)) for r in jimo_city)
    now = [r for r in regions if r.parent_code == "370200" and r.valid_on(dt.date(2024, 1, 1))]
    assert len(now) == 10


def test_towns_hang_under_counties_or_cities_without_counties(regions: list[Region]) -> None:
    towns = [r for r in regions if r.level == "town"]
    assert len(towns) >= 30
    by_code = {r.code: r for r in regions}
    assert all(by_code[t.parent_code or ""].level in ("county", "city") for t in towns)
    guzhen = [t for t in towns if t.name == "古镇镇"]
    assert guzhen and guzhen[0].parent_code == "442000"


def test_a_town_registered_later_is_accepted(tmp_path: Path) -> None:
    extra = tmp_path / "towns.csv"
    extra.write_text(
        paths.TOWNS.read_text(encoding="utf-8")
        + "440606199,示例专业镇,town,440606,2020-01-01,,false,registered by admin,\n",
        encoding="utf-8",
    )
    regions, problems = read_regions([paths.REGIONS, extra])
    assert problems == []
    assert any(r.code == "440606199" and r.parent_code == "440606" for r in regions)


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        ("440606199.0,坏镇,town,440606,,,false,x,", "invalid-code"),
        ("440606198,坏镇,village,440606,,,false,x,", "invalid-choice"),
        ("440606197,坏镇,town,449999,,,false,x,", "unknown-parent"),
        ("440606196,坏镇,town,440606,2020-01-01,2019-01-01,false,x,", "invalid-date"),
        ("440100,又一个广州,city,440000,2020-01-01,,false,x,", "overlapping-versions"),
    ],
)
def test_bad_region_rows_are_named(tmp_path: Path, row: str, rule: str) -> None:
    extra = tmp_path / "towns.csv"
    extra.write_text(
        "code,name,level,parent_code,valid_from,valid_to,province_administered,source,note\n"
        + row
        + "\n",
        encoding="utf-8",
    )
    _, problems = read_regions([paths.REGIONS, extra])
    assert [(p.rule, p.path.split(" ")[0]) for p in problems] == [(rule, "towns.csv:2")]
