"""Sources on figures (issue 11, item 4): the optional source column of an upload (CSV and
XLSX) is kept with every row in ``reports.source``; a new source for an unchanged value is a new
revision; a source over 2,000 characters, or one that is a formula, refuses the batch whole; the
template carries the column with its hint; the goal page shows each figure's source."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import pytest
import xlsxwriter
from streamlit.testing.v1 import AppTest

from etl.load import LoadResult, Reference, check_file, load_file, reference
from etl.template import HEADERS, SOURCE_HINT, write_template
from model import paths
from model.issues import RULES
from model.periods import Quarter
from service import sources as service
from warehouse.connect import connect
from warehouse.migrate import migrate, migrations
from warehouse.sources import revision_history

FLOW = "demo_platforms_provincial"  # 家, a flow reported by Guangdong's cities
TODAY = dt.date(2019, 1, 20)
URL = "http://gdii.gd.gov.cn/zxft3285/content/post_948420.html"
TITLE = "《广州市中小企业发展情况通报》2018-10-15"
FIXTURES = Path(__file__).parent / "fixtures" / "uploads"


@pytest.fixture(scope="module")
def ref() -> Reference:
    return reference()


def _csv(header: str, *rows: str) -> bytes:
    return (header + "\n" + "".join(f"{r}\n" for r in rows)).encode("utf-8")


def _stored(db: Path) -> list[tuple[str, str, str, int, float, str | None]]:
    with connect(db) as con:
        rows = con.execute(
            "SELECT region_code, indicator, period, revision, value, source FROM reports"
            " ORDER BY region_code, period, revision"
        ).fetchall()
    return [(c, i, p, int(r), float(v), s) for c, i, p, r, v, s in rows]


def _load(db: Path, data: bytes, name: str, ref: Reference) -> LoadResult:
    return load_file(data, db=db, name=name, today=TODAY, ref=ref)


# --------------------------------------------------------------------------------------------
# kept with every row


@pytest.mark.parametrize("header", ["source", "来源", "数据来源", "资料来源", "出处（选填）"])
def test_a_csv_source_column_is_stored_with_every_row(
    header: str, fresh_db: Path, ref: Reference
) -> None:
    data = _csv(
        f"地区代码,指标,报告期,数值,备注,{header}",
        f"440100,{FLOW},2018Q3,12,,{URL}",
        f"440300,{FLOW},2018Q3,7,,  {TITLE}  ",  # trimmed
        f"440500,{FLOW},2018Q3,3,,",  # none
        f"440600,{FLOW},2018Q3,4,,-",  # an empty marker: none
    )
    result = load_file(data, db=fresh_db, name="q3.csv", today=TODAY, ref=ref)
    assert result.status == "committed", [i.rule for i in result.issues]
    assert _stored(fresh_db) == [
        ("440100", FLOW, "2018Q3", 1, 12.0, URL),
        ("440300", FLOW, "2018Q3", 1, 7.0, TITLE),
        ("440500", FLOW, "2018Q3", 1, 3.0, None),
        ("440600", FLOW, "2018Q3", 1, 4.0, None),
    ]


def test_an_xlsx_source_column_is_stored(fresh_db: Path, ref: Reference, tmp_path: Path) -> None:
    out = tmp_path / "q3.xlsx"
    with xlsxwriter.Workbook(str(out)) as book:
        sheet = book.add_worksheet("数据上报")
        sheet.write_row(0, 0, ["地区代码", "指标", "报告期", "数值", "备注", "数据来源"])
        sheet.write_row(1, 0, ["440100", FLOW, "2018Q3"])
        sheet.write_number(1, 3, 12)
        sheet.write_string(1, 5, URL)
        sheet.write_row(2, 0, ["440300", FLOW, "2018Q3"])
        sheet.write_number(2, 3, 7)
    result = load_file(out, db=fresh_db, today=TODAY, ref=ref)
    assert result.status == "committed", [i.rule for i in result.issues]
    assert _stored(fresh_db) == [
        ("440100", FLOW, "2018Q3", 1, 12.0, URL),
        ("440300", FLOW, "2018Q3", 1, 7.0, None),
    ]


def test_a_new_source_for_the_same_value_is_a_new_revision(fresh_db: Path, ref: Reference) -> None:
    header = "地区代码,指标,报告期,数值,备注,来源"
    first = _load(fresh_db, _csv(header, f"440100,{FLOW},2018Q3,12,,{TITLE}"), "a.csv", ref)
    assert first.rows_new == 1
    again = _load(fresh_db, _csv(header, f"440100,{FLOW},2018Q3,12,,{URL}"), "b.csv", ref)
    assert (again.rows_changed, again.rows_unchanged) == (1, 0)
    # a file without the column leaves the source as it is: no revision
    bare = _load(fresh_db, _csv("地区代码,指标,报告期,数值,备注", f"440100,{FLOW},2018Q3,12,"),
                 "c.csv", ref)  # fmt: skip
    assert (bare.rows_changed, bare.rows_unchanged) == (0, 1)
    # the same source again: unchanged
    same = _load(fresh_db, _csv(header, f"440100,{FLOW},2018Q3,12,,{URL} "), "d.csv", ref)
    assert (same.rows_changed, same.rows_unchanged) == (0, 1)
    assert _stored(fresh_db) == [
        ("440100", FLOW, "2018Q3", 1, 12.0, TITLE),
        ("440100", FLOW, "2018Q3", 2, 12.0, URL),
    ]
    with connect(fresh_db) as con:
        history = revision_history(con, region_code="440100", indicator=FLOW, period="2018Q3")
    assert history.select("revision", "source", "file_name", "batch_source").rows() == [
        (1, TITLE, "a.csv", "upload"),
        (2, URL, "b.csv", "upload"),
    ]


def test_migration_008_adds_the_column_and_keeps_every_report(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    for m in migrations()[:7]:
        con.execute(m.sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    [m.version, m.name])  # fmt: skip
    con.execute(
        "INSERT INTO reports VALUES ('440100', 'x', '2014Q1', 1, 5, NULL, 1, 2, 'u', "
        "TIMESTAMP '2014-04-15 01:00:00')"
    )
    applied = migrate(con)
    assert applied[0] == 8
    assert con.execute(
        "SELECT region_code, revision, value, source FROM current_reports"
    ).fetchall() == [("440100", 1, 5.0, None)]
    assert migrate(con) == []


# --------------------------------------------------------------------------------------------
# bad sources refuse the batch whole


def test_source_too_long_names_row_column_length_and_fix(fresh_db: Path, ref: Reference) -> None:
    long = "广东省中小企业发展报告" * 200  # 2,200 characters
    data = _csv(
        "region_code,indicator,period,value,note,source",
        f"440100,{FLOW},2018Q3,12,,{URL}",
        f"440300,{FLOW},2018Q3,7,,{long}",
    )
    result = load_file(data, db=fresh_db, name="long.csv", today=TODAY, ref=ref)
    assert result.status == "rejected"
    (issue,) = result.issues
    assert (issue.rule, issue.file, issue.sheet, issue.row, issue.column, issue.value) == (
        "source-too-long", "long.csv", None, 3, "source", "2200"
    )  # fmt: skip
    assert issue.message_zh == "“来源”有 2200 个字符，超过上限 2,000 个字符"
    assert issue.message_en == "the source is 2200 characters long, over the limit of 2,000"
    assert issue.fix_zh == RULES["source-too-long"].fix_zh
    assert _stored(fresh_db) == []  # row 2 was fine, and is not written either


def test_a_source_of_exactly_2000_characters_is_accepted(ref: Reference) -> None:
    data = _csv("region_code,indicator,period,value,note,source",
                f"440100,{FLOW},2018Q3,12,,{'x' * 2000}")  # fmt: skip
    issues, rows, _, _ = check_file(data, "ok.csv", db=None, today=TODAY, ref=ref)
    assert issues == []
    assert rows is not None and rows["source"].str.len_chars().to_list() == [2000]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('"=HYPERLINK(""http://evil.example"",""x"")"', '=HYPERLINK("http://evil.example","x")'),
        ("+1+2", "+1+2"),
        ("-1+2", "-1+2"),
        ("@SUM(A1)", "@SUM(A1)"),
        (" =1+1", "=1+1"),  # after blanks, too
        ("＝1+1", "＝1+1"),  # a full-width equals sign
    ],
)
def test_source_formula_names_the_cell_and_refuses_the_batch(
    cell: str, shown: str, fresh_db: Path, ref: Reference
) -> None:
    data = _csv(
        "地区代码,指标,报告期,数值,备注,来源",
        f"440100,{FLOW},2018Q3,12,,{URL}",
        f"440300,{FLOW},2018Q3,7,,{cell}",
    )
    result = load_file(data, db=fresh_db, name="f.csv", today=TODAY, ref=ref)
    assert result.status == "rejected"
    assert [(i.rule, i.row, i.column, i.value) for i in result.issues] == [
        ("source-formula", 3, "source", shown)
    ]
    assert "= + - @" in result.issues[0].message_zh
    assert "paste formula cells as values" in result.issues[0].fix_en
    assert _stored(fresh_db) == []


def test_an_xlsx_formula_cell_in_the_source_column_is_refused_by_its_xml(
    fresh_db: Path, ref: Reference
) -> None:
    name = "source-formula.xlsx"  # F2 is =HYPERLINK(...), its cached text plain
    result = load_file(FIXTURES / name, db=fresh_db, today=TODAY, ref=ref)
    assert result.status == "rejected"
    assert [(i.rule, i.sheet, i.row, i.column) for i in result.issues] == [
        ("source-formula", "数据上报", 2, "source")
    ]
    assert result.issues[0].value == '=HYPERLINK("http://evil.example","广东省统计局")'
    assert _stored(fresh_db) == []


# --------------------------------------------------------------------------------------------
# the template


def test_the_template_has_the_source_column_last_with_its_hint(
    ref: Reference, tmp_path: Path
) -> None:
    assert HEADERS[-1] == "来源"
    out = tmp_path / "t.xlsx"
    n = write_template(ref.catalogue, ref.regions, "440100", Quarter(2018, 3), out)
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(out) as archive:
        sheet = ET.fromstring(archive.read("xl/worksheets/sheet2.xml"))
        instructions = archive.read("xl/sharedStrings.xml").decode()
    hints = {v.get("sqref"): v for v in sheet.iter(f"{ns}dataValidation")}
    hint = hints[f"I2:I{n + 1}"]
    assert hint.get("promptTitle") == "来源（选填）"
    assert hint.get("prompt") == SOURCE_HINT[3:]
    assert "“来源”列选填" in instructions


def test_a_filled_csv_template_loads_its_sources(
    ref: Reference, tmp_path: Path, fresh_db: Path
) -> None:
    out = tmp_path / "t.csv"
    write_template(ref.catalogue, ref.regions, "440100", Quarter(2018, 3), out)
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert lines[0] == list(HEADERS)
    first = lines[1]  # the first indicator of the template, filled with a source
    text = io.StringIO()
    csv.writer(text).writerows([lines[0], [*first[:6], "12", "", URL]])
    result = load_file(text.getvalue().encode(), db=fresh_db, name="t.csv", today=TODAY, ref=ref)
    assert result.status == "committed", [i.rule for i in result.issues]
    assert _stored(fresh_db) == [("440100", first[2], "2018Q3", 1, 12.0, URL)]


# --------------------------------------------------------------------------------------------
# shown on the goal page


def test_the_service_gives_each_figure_its_source_and_link(fresh_db: Path, ref: Reference) -> None:
    header = "地区代码,指标,报告期,数值,备注,来源"
    cited = f"广州日报 {URL} 第3版"
    rows = (f"440100,{FLOW},2018Q3,12,,{TITLE}", f"440300,{FLOW},2018Q3,7,,{cited}")
    _load(fresh_db, _csv(header, *rows), "a.csv", ref)
    found = service.figure_sources(fresh_db, indicators=[FLOW], as_of=TODAY)
    assert found.select("region_code", "period", "source", "url", "published").rows() == [
        ("440100", "2018Q3", TITLE, None, False),
        ("440300", "2018Q3", cited, URL, False),
    ]
    assert service.region_sources(fresh_db, indicators=[FLOW], as_of=TODAY)["440300"] == {
        "period": "2018Q3",
        "source": cited,
        "url": URL,
        "published": False,
    }
    # before the quarter ended, nothing is shown
    assert service.figure_sources(fresh_db, indicators=[FLOW], as_of=dt.date(2018, 9, 1)).is_empty()


def test_the_goal_page_shows_sources_next_to_the_figures(fresh_db: Path, ref: Reference) -> None:
    target_id = "gd624-demo-platforms-provincial-2015"
    header = "地区代码,指标,报告期,数值,备注,来源"
    result = load_file(
        _csv(header, f"440100,{FLOW},2014Q1,12,,{URL}", f"440300,{FLOW},2014Q1,7,,{TITLE}"),
        db=fresh_db,
        name="2014q1.csv",
        ref=ref,
        submitted_at=dt.datetime(2014, 4, 10, 1, 0),
    )
    assert result.status == "committed"
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["db_path"] = fresh_db
    at.query_params["target"] = target_id
    at.query_params["as_of"] = "2014-07-20"
    at.run()
    at.switch_page("pages/goal.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe]

    def table_with(*columns: str) -> list[list[object]]:
        (found,) = [d for d in tables if set(columns) <= set(d.columns)]
        rows = found[list(columns)].values.tolist()
        return [[None if v != v else v for v in row] for row in rows]  # NaN (pandas) → None

    # the table by region: each region's latest figure, its source and, for a URL, a link
    by_region = table_with("地区", "实际", "来源", "链接")
    assert ["广州市", 12.0, URL, URL] in by_region
    assert ["深圳市", 7.0, TITLE, None] in by_region
    # every figure of the goal, with revision, batch and whether it is a published figure
    assert table_with("地区", "报告期", "数值", "版本", "来源", "链接", "公开数据", "文件") == [
        ["广州市", "2014Q1", 12.0, 1, URL, URL, False, "2014q1.csv"],
        ["深圳市", "2014Q1", 7.0, 1, TITLE, None, False, "2014q1.csv"],
    ]
    # the revision history of the figure picked (the first listed), with its source
    assert table_with("版本", "数值", "来源", "说明", "文件") == [
        [1, 12.0, URL, None, "2014q1.csv"]
    ]
