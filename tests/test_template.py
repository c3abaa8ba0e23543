"""The pre-filled upload template: which rows, what the XLSX enforces, and the round trip."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import fastexcel
import polars as pl
import pytest

from etl.read import DATA_SHEET, canonical_header, read_upload
from etl.template import (
    HEADERS,
    INSTRUCTIONS_SHEET,
    _validation,
    resolve_region,
    template_rows,
    write_template,
)
from model import paths
from model.catalogue import Catalogue
from model.periods import Quarter
from model.regions import Region, load_regions
from model.reporting import applicable_indicators, jurisdiction_of, reporting_rules, total_rules

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
Q3_2018 = Quarter(2018, 3)
Q3_2014 = Quarter(2014, 3)
# A town's own indicator; its platforms (registered units) report theirs on rows of their own
# (tests/test_unit_goals.py), and data/units.csv registers no platform.
TOWN_INDICATORS = ["town_smb_service_platforms"]


@pytest.fixture(scope="module")
def regions() -> list[Region]:
    return load_regions([paths.REGIONS, paths.TOWNS])


def _expected(catalogue: Catalogue, regions: list[Region], code: str, q: Quarter) -> list[str]:
    region = resolve_region(regions, code, q)
    # what the region is due to report, and for a jurisdiction the totals it may report
    rules = [*reporting_rules(catalogue), *total_rules(catalogue)]
    jurisdictions = jurisdiction_of(regions)
    return applicable_indicators(region, rules, jurisdictions, within=(q.start, q.end))


def _xml(path: Path, member: str) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read(member))


def _cells(sheet: ET.Element) -> dict[str, ET.Element]:
    return {c.get("r", ""): c for c in sheet.iter(f"{NS}c")}


def _validations(sheet: ET.Element) -> dict[str, ET.Element]:
    return {v.get("sqref", ""): v for v in sheet.iter(f"{NS}dataValidation")}


@pytest.mark.parametrize(
    ("code", "quarter", "name"),
    [
        ("440100", Q3_2018, "广州市"),
        ("440606", Q3_2018, "顺德区"),
        ("370200", Q3_2014, "青岛市"),
        ("370211", Q3_2014, "黄岛区"),
        ("440114109", Q3_2014, "狮岭镇"),
    ],
)
def test_rows_are_the_applicable_indicators(
    catalogue: Catalogue, regions: list[Region], code: str, quarter: Quarter, name: str
) -> None:
    rows = template_rows(catalogue, regions, code, quarter)
    expected = _expected(catalogue, regions, code, quarter)
    assert expected
    assert [r.indicator for r in rows] == expected
    for row in rows:
        indicator = catalogue.indicator(row.indicator)
        assert (row.region_code, row.region_name, row.period) == (code, name, quarter.label)
        assert (row.indicator_name, row.unit) == (indicator.name_zh, indicator.unit)
        assert (row.value, row.note) == (None, "")


def test_specialised_town_gets_the_town_indicators(
    catalogue: Catalogue, regions: list[Region]
) -> None:
    rows = template_rows(catalogue, regions, "440114109", Q3_2014)
    assert [r.indicator for r in rows] == TOWN_INDICATORS


def test_the_version_valid_at_quarter_end_is_chosen(regions: list[Region]) -> None:
    old = resolve_region(regions, "370211", Quarter(2012, 3))
    new = resolve_region(regions, "370211", Quarter(2012, 4))
    assert (old.valid_from, old.valid_to) == (None, dt.date(2012, 12, 1))
    assert (new.valid_from, new.valid_to) == (dt.date(2012, 12, 1), None)


def test_headers_are_the_ones_the_reader_knows() -> None:
    assert [canonical_header(h) for h in HEADERS] == [
        "region_code",
        "region_name",
        "indicator",
        "indicator_name",
        "unit",
        "period",
        "value",
        "note",
        "source",
    ]


def test_xlsx_reads_back_without_issues(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "440100-2018Q3.xlsx"
    n = write_template(catalogue, regions, "440100", Q3_2018, out)
    expected = _expected(catalogue, regions, "440100", Q3_2018)
    assert n == len(expected)
    table = read_upload(out)
    assert table.issues == []
    assert table.sheet == DATA_SHEET
    frame = table.frame
    assert frame.height == n
    assert frame["_row"].to_list() == list(range(2, n + 2))
    assert frame["region_code"].dtype == pl.String
    assert frame["region_code"].to_list() == ["440100"] * n
    assert frame["period"].to_list() == ["2018Q3"] * n
    assert frame["indicator"].to_list() == expected
    assert frame["value"].null_count() == n
    assert frame["note"].null_count() == n
    assert frame["region_name"].to_list() == ["广州市"] * n


def test_town_codes_read_back_as_nine_digit_text(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "town.xlsx"
    write_template(catalogue, regions, "440114109", Q3_2014, out)
    table = read_upload(out)
    assert table.issues == []
    assert table.frame["region_code"].to_list() == ["440114109"] * len(TOWN_INDICATORS)
    assert table.frame["indicator"].to_list() == TOWN_INDICATORS


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_filled_values_come_back_as_written(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path, suffix: str
) -> None:
    keys = _expected(catalogue, regions, "440100", Q3_2018)
    values = {keys[0]: 0, keys[1]: 1234, keys[2]: 12.5, keys[3]: 1_200_000_000}
    out = tmp_path / f"filled{suffix}"
    write_template(catalogue, regions, "440100", Q3_2018, out, values=values)
    table = read_upload(out)
    assert table.issues == []
    got = dict(zip(table.frame["indicator"], table.frame["value"], strict=True))
    assert {k: float(v) for k, v in got.items() if v is not None} == values
    assert [k for k, v in got.items() if v is None] == keys[4:]


def test_values_for_indicators_not_in_the_template_are_refused(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "t.xlsx"
    with pytest.raises(ValueError, match="town_smb_service_platforms"):
        write_template(
            catalogue, regions, "440100", Q3_2018, out, values={"town_smb_service_platforms": 3}
        )
    assert not out.exists()


def test_xlsx_sheets_protection_and_styles(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "t.xlsx"
    n = write_template(catalogue, regions, "440100", Q3_2018, out)
    workbook = _xml(out, "xl/workbook.xml")
    assert [s.get("name") for s in workbook.iter(f"{NS}sheet")] == [INSTRUCTIONS_SHEET, DATA_SHEET]
    assert next(workbook.iter(f"{NS}workbookView")).get("activeTab") == "1"
    with zipfile.ZipFile(out) as archive:
        raw = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<sheetProtection" in raw and "<dataValidation " in raw
    sheet = ET.fromstring(raw)
    protection = next(sheet.iter(f"{NS}sheetProtection"))
    assert protection.get("password") is None
    assert protection.get("sheet") == "1"
    assert (protection.get("formatColumns"), protection.get("formatRows")) == ("0", "0")
    assert protection.get("autoFilter") == "0"
    assert next(sheet.iter(f"{NS}pane")).get("state") == "frozen"
    assert next(sheet.iter(f"{NS}autoFilter")).get("ref") == f"A1:I{n + 1}"

    xfs = list(next(_xml(out, "xl/styles.xml").iter(f"{NS}cellXfs")))

    def locked(cell: ET.Element, style: str = "s") -> bool:
        protection = xfs[int(cell.get(style, "0"))].find(f"{NS}protection")
        return protection is None or protection.get("locked") != "0"

    cells = _cells(sheet)
    for r in range(2, n + 2):
        assert [locked(cells[f"{c}{r}"]) for c in "ABCDEFGH"] == [True] * 6 + [False] * 2
        assert cells[f"A{r}"].get("t") == "s"  # the region code is a text cell
    columns = {(c.get("min"), c.get("max")): c for c in sheet.iter(f"{NS}col")}
    assert not locked(columns["7", "7"], "style") and not locked(
        columns["8", "8"], "style"
    )  # 数值 and 备注 stay editable below the rows
    header_xf = xfs[int(cells["A1"].get("s", "0"))]
    assert header_xf.get("applyFill") == "1" and header_xf.get("fontId") != "0"


def test_value_validation_names_the_unit(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "t.xlsx"
    write_template(catalogue, regions, "440100", Q3_2018, out)
    rows = template_rows(catalogue, regions, "440100", Q3_2018)
    validations = _validations(_xml(out, "xl/worksheets/sheet2.xml"))
    validations.pop(f"I2:I{len(rows) + 1}")  # the source column's hint (tests/test_sources.py)
    assert sorted(validations) == sorted(f"G{i}" for i in range(2, len(rows) + 2))
    for i, row in enumerate(rows, start=2):
        v = validations[f"G{i}"]
        assert (v.get("type"), v.get("operator")) == ("decimal", "greaterThanOrEqual")
        assert v.findtext(f"{NS}formula1") == "0"
        assert f"单位：{row.unit}。" in v.get("prompt", "")


def test_milestones_get_a_one_zero_list(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "t.xlsx"
    quarter = Quarter(2012, 2)
    write_template(catalogue, regions, "440100", quarter, out)
    rows = template_rows(catalogue, regions, "440100", quarter)
    cell = {r.indicator: f"G{i}" for i, r in enumerate(rows, start=2)}
    validations = _validations(_xml(out, "xl/worksheets/sheet2.xml"))
    milestone = validations[cell["gd2012_action_contacts_submitted"]]
    assert milestone.get("type") == "list"
    assert milestone.findtext(f"{NS}formula1") == '"1,0"'
    assert "单位：项。1 = 已完成，0 = 未完成" in milestone.get("prompt", "")
    # 项 is also the unit of plain counts (activities held): those take any number >= 0.
    count = validations[cell["sme_service_promotion_activities"]]
    assert (count.get("type"), count.findtext(f"{NS}formula1")) == ("decimal", "0")


def test_percent_rules(catalogue: Catalogue) -> None:
    share = _validation(catalogue.indicator("service_centre_coverage"))
    assert (share["criteria"], share["minimum"], share["maximum"]) == ("between", 0, 100)
    growth = _validation(catalogue.indicator("small_micro_loan_growth_rate"))
    assert (growth["criteria"], growth["value"]) == (">=", -100)


def test_instructions_sheet(catalogue: Catalogue, regions: list[Region], tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(catalogue, regions, "440100", Q3_2018, out, generated=dt.date(2018, 10, 2))
    sheet = fastexcel.read_excel(out.read_bytes()).load_sheet(INSTRUCTIONS_SHEET, header_row=None)
    text = "\n".join(str(v) for v in sheet.to_polars().to_series(0).drop_nulls())
    for needle in (
        "广州市（440100）",
        "2018Q3（2018年第三季度",
        "上报截止日期：2018-10-15",
        "模板生成日期：2018-10-02",
        "需填报指标：4 项",  # 广州市's centre reports its standards under its own code
        "不用“万”“亿”",
        "不带 %",
        "请勿填 0",
        "新的修订版本",
        "1 = 已完成，0 = 未完成",
    ):
        assert needle in text


def test_csv_has_bom_and_reads_back(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "t.csv"
    n = write_template(catalogue, regions, "440100", Q3_2018, out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(HEADERS).encode() + b"\r\n")
    assert data.count(b"\r\n") == n + 1
    table = read_upload(out)
    assert (table.issues, table.encoding, table.frame.height) == ([], "utf-8-sig", n)
    assert table.frame["region_code"].to_list() == ["440100"] * n
    assert table.frame["period"].to_list() == ["2018Q3"] * n


def test_quarter_without_goals_gives_an_empty_template(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    assert write_template(catalogue, regions, "370200", Q3_2018, tmp_path / "t.csv") == 0
    assert (tmp_path / "t.csv").read_bytes().count(b"\r\n") == 1


@pytest.mark.parametrize(
    ("code", "quarter", "zh", "en"),
    [
        ("449999", Q3_2018, "不存在", "does not exist"),
        ("440116", Q3_2018, "不是有效区划", "was not in use"),  # 萝岗区, merged 2014-02-12
        ("440118", Quarter(2013, 4), "不是有效区划", "was not in use"),  # 增城区 from 2014
    ],
)
def test_unknown_or_invalid_region_is_refused(
    catalogue: Catalogue,
    regions: list[Region],
    tmp_path: Path,
    code: str,
    quarter: Quarter,
    zh: str,
    en: str,
) -> None:
    out = tmp_path / "t.xlsx"
    with pytest.raises(ValueError, match=code) as info:
        write_template(catalogue, regions, code, quarter, out)
    assert zh in str(info.value) and en in str(info.value)
    assert not out.exists()


def test_the_merged_district_works_before_the_merger(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path
) -> None:
    out = tmp_path / "t.csv"
    n = write_template(catalogue, regions, "440116", Quarter(2012, 3), out)
    assert n == len(_expected(catalogue, regions, "440116", Quarter(2012, 3)))
    assert read_upload(out).frame["region_code"].to_list() == ["440116"] * n


@pytest.mark.parametrize("name", ["t.xls", "t.ods", "template"])
def test_other_suffixes_are_refused(
    catalogue: Catalogue, regions: list[Region], tmp_path: Path, name: str
) -> None:
    with pytest.raises(ValueError, match=r"\.xlsx 或 \.csv.*use \.xlsx or \.csv"):
        write_template(catalogue, regions, "440100", Q3_2018, tmp_path / name)
    assert list(tmp_path.iterdir()) == []
