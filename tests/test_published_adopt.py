"""Published figures adopted as reports (issue 11, item 4): ``published adopt`` and
``init --published`` store each mapped figure at its region's code, for the quarter of its date,
with its URL and quote as its source, in one batch of source ``published``, audited; adopting
again writes nothing; a bureau's report is never written over.  What is stored is tested here,
not the verdicts (the engine's use of totals is tested with the engine)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from etl.adopt import (
    FILE_NAME,
    AdoptError,
    adopt,
    as_at_date,
    figure_id,
    first_url,
    init_published,
)
from etl.load import load_file
from etl.published import SCHEMA, load_published
from service import sources as service
from target_monitor import charts
from tests.cli_runner import Cli
from warehouse import accounts
from warehouse.accounts import AccountError
from warehouse.connect import connect

TOWNS = "specialised_towns"  # 个, a stock reported by the province
AREA = "incubator_floor_area"  # 平方米, Qingdao
PAPER = "http://paper.ce.cn/jjrb/html/2016-06/16/content_303723.htm (经济日报)"
QUOTE = "截至2015年底,广东全省经认定的省级专业镇达399个,实现地区生产总值达2.77万亿元"


def figure(**changes: Any) -> dict[str, Any]:
    """One row of ``published_figures``: Guangdong's 399 specialised towns at the end of 2015."""
    row: dict[str, Any] = {
        "indicator": TOWNS,
        "source_key": "provincial_specialized_towns",
        "region": "广东省",
        "region_code": "440000",
        "year_label": "2015 (end)",
        "year": 2015,
        "value_text": "399",
        "value": 399.0,
        "qualifier": None,
        "unit": "个省级专业镇",
        "source": PAPER,
        "source_date": "2016-06-16",
        "quote": QUOTE,
        "confidence": "high",
    }
    row.update(changes)
    return row


def publish(db: Path, *rows: dict[str, Any]) -> None:
    """Replace the warehouse's published figures with ``rows``."""
    with connect(db, write=True) as con:
        con.execute("DELETE FROM published_figures")
        load_published(con, pl.DataFrame(list(rows), schema=SCHEMA, orient="row"))


def stored(db: Path) -> list[tuple[Any, ...]]:
    with connect(db) as con:
        return con.execute(
            "SELECT r.region_code, r.indicator, r.period, r.revision, r.value, r.source,"
            " b.source, b.uploader FROM reports r JOIN upload_batches b USING (batch_id)"
            " ORDER BY r.region_code, r.indicator, r.period, r.revision"
        ).fetchall()


def audits(db: Path) -> list[tuple[Any, ...]]:
    with connect(db) as con:
        return con.execute(
            "SELECT actor, action, target, batch_id, detail FROM audit_log"
            " WHERE action = 'published_adopt' ORDER BY audit_id"
        ).fetchall()


def source_of(row: dict[str, Any]) -> str:
    return f"{row['source']}；{row['source_date']}；“{row['quote']}”"


def admin(db: Path, name: str = "adm", role: str = "admin") -> accounts.User:
    with connect(db, write=True) as con:
        return accounts.add_user(con, username=name, password="adm-pass-123", role=role,
                                 region_code="440100" if role == "bureau" else None,
                                 actor="test")  # fmt: skip


# --------------------------------------------------------------------------------------------
# ids, dates and links


def test_the_id_is_derived_from_key_region_and_year() -> None:
    text = "provincial_specialized_towns\x1f广东省\x1f2015 (end)"
    expected = "pub-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    assert figure_id("provincial_specialized_towns", "广东省", "2015 (end)") == expected
    assert expected == "pub-4eb5994c10"


@pytest.mark.parametrize(
    ("year", "source_date", "as_at"),
    [
        (2015, "2016-06-16", dt.date(2015, 12, 31)),  # stated after its year: the year's end
        (2017, "2017-09-26", dt.date(2017, 9, 26)),  # within its year: that date
        (2014, "2014-10 (page undated; URL path 2014/ctqd_1024)", dt.date(2014, 10, 1)),
        (2014, "~2022", dt.date(2014, 12, 31)),  # no date to read: the year's end
        (2016, "2015-05-01", None),  # stated before its year: a plan, not an outcome
    ],
)
def test_a_figure_stands_at_its_as_at_date(year: int, source_date: str, as_at: dt.date) -> None:
    assert as_at_date(year, source_date) == as_at


def test_the_link_is_the_first_url_of_a_source() -> None:
    assert first_url(PAPER) == "http://paper.ce.cn/jjrb/html/2016-06/16/content_303723.htm"
    assert first_url("《广东省统计年鉴2016》") is None


# --------------------------------------------------------------------------------------------
# what is stored


def test_adopting_stores_rows_sources_one_batch_and_the_audit(fresh_db: Path) -> None:
    yangjiang = figure(region="阳江市", region_code="441700", year_label="2014", year=2014,
                       value=14.0, value_text="14", source_date="2014-10-17",
                       source="http://www.mmnpw.com/x.htm (阳江日报 转载)", quote="省级专业镇14个",
                       confidence="medium")  # fmt: skip
    unmapped = figure(indicator=None, source_key="cismef_exhibitors", region="中博会(广州)")
    publish(fresh_db, figure(), yangjiang, unmapped)
    user = admin(fresh_db)
    result = adopt(fresh_db, user=user)
    assert result.status == "committed"
    assert (result.new, result.changed, result.unchanged) == (2, 0, 0)
    assert [f.id for f in result.adopted] == [
        figure_id("provincial_specialized_towns", "广东省", "2015 (end)"),
        figure_id("provincial_specialized_towns", "阳江市", "2014"),
    ]
    assert [(f.source_key, f.skip) for f in result.skipped] == [
        ("cismef_exhibitors", "未对应目录指标 not mapped to a catalogue indicator")
    ]
    assert stored(fresh_db) == [
        ("440000", TOWNS, "2015Q4", 1, 399.0, source_of(figure()), "published", "adm"),
        ("441700", TOWNS, "2014Q4", 1, 14.0, source_of(yangjiang), "published", "adm"),
    ]
    with connect(fresh_db) as con:
        batch = con.execute(
            "SELECT batch_id, kind, source, file_name, uploader, region_code, rows_total,"
            " rows_new, rows_rejected FROM upload_batches"
        ).fetchall()
        notes = [n for (n,) in con.execute("SELECT note FROM reports ORDER BY 1").fetchall()]
    assert batch == [
        (result.batch_id, "committed", "published", FILE_NAME,
         "adm", None, 2, 2, 0)
    ]  # fmt: skip
    assert notes[0] == f"公开数据 published {result.adopted[0].id}：399（个省级专业镇）"
    ((actor, action, target, batch_id, detail),) = audits(fresh_db)
    assert (actor, action, target, batch_id) == (
        "adm", "published_adopt", FILE_NAME, result.batch_id
    )  # fmt: skip
    assert json.loads(detail)["ids"] == [f.id for f in result.adopted]
    assert json.loads(detail)["new"] == 2


def test_adopting_again_writes_nothing(fresh_db: Path) -> None:
    publish(fresh_db, figure())
    first = adopt(fresh_db)
    again = adopt(fresh_db)
    assert (first.status, again.status) == ("committed", "unchanged")
    assert (again.batch_id, again.unchanged) == (None, 1)
    assert stored(fresh_db) == [
        ("440000", TOWNS, "2015Q4", 1, 399.0, source_of(figure()), "published", "system")
    ]
    with connect(fresh_db) as con:
        assert con.execute("SELECT count(*) FROM upload_batches").fetchall() == [(1,)]
    assert [(a[0], a[3], json.loads(a[4]).get("unchanged")) for a in audits(fresh_db)] == [
        ("system", first.batch_id, 0),
        ("system", None, 1),
    ]


@pytest.mark.parametrize(
    ("changes", "value", "source"),
    [
        ({"value": 401.0, "value_text": "401"}, 401.0, source_of(figure())),
        (
            {"quote": "全省经认定的省级专业镇399个"},
            399.0,
            source_of(figure(quote="全省经认定的省级专业镇399个")),
        ),
    ],
    ids=["corrected value", "new source, same value"],
)
def test_a_corrected_figure_or_source_is_a_new_revision(
    changes: dict[str, Any], value: float, source: str, fresh_db: Path
) -> None:
    publish(fresh_db, figure())
    adopt(fresh_db)
    publish(fresh_db, figure(**changes))
    result = adopt(fresh_db)
    assert (result.status, result.changed) == ("committed", 1)
    assert stored(fresh_db) == [
        ("440000", TOWNS, "2015Q4", 1, 399.0, source_of(figure()), "published", "system"),
        ("440000", TOWNS, "2015Q4", 2, value, source, "published", "system"),
    ]


def test_a_bureau_report_is_never_written_over(fresh_db: Path) -> None:
    flow = "demo_platforms_provincial"
    publish(fresh_db, figure(indicator=flow, region="广州市", region_code="440100",
                             unit="家", year_label="2014", year=2014,
                             source_date="2015-01-20"))  # fmt: skip
    csv = f"地区代码,指标,报告期,数值,备注\n440100,{flow},2014Q4,12,\n".encode()
    loaded = load_file(csv, db=fresh_db, name="gz.csv", submitted_at=dt.datetime(2015, 1, 10))
    assert loaded.status == "committed"
    result = adopt(fresh_db)
    assert result.status == "nothing"
    assert [f.skip for f in result.skipped] == [
        f"已有上报数据（批次 {loaded.batch_id}），不覆盖 / reported in batch {loaded.batch_id}"
    ]
    assert stored(fresh_db) == [("440100", flow, "2014Q4", 1, 12.0, None, "upload", "cli")]


def test_two_figures_for_one_quarter_the_later_one_wins(fresh_db: Path) -> None:
    november = figure(indicator=AREA, source_key="qd_incubator_area_in_use", region="青岛市",
                      region_code="370200", year_label="2016 (Nov; 目前)", year=2016,
                      value=8820000.0, value_text="8820000", unit="平方米(投入运营面积)",
                      source_date="2016-11-24", confidence="medium")  # fmt: skip
    year_end = figure(**{**november, "year_label": "2016 (end)", "value": 8940000.0,
                         "value_text": "8940000", "source_date": "2017-01-19"})  # fmt: skip
    publish(fresh_db, november, year_end)
    result = adopt(fresh_db)
    end_id = figure_id("qd_incubator_area_in_use", "青岛市", "2016 (end)")
    assert [f.id for f in result.adopted] == [end_id]
    assert [f.skip for f in result.skipped] == [
        f"被同季度的 {end_id} 取代 / superseded by {end_id}"
    ]
    assert [r[:5] for r in stored(fresh_db)] == [("370200", AREA, "2016Q4", 1, 8940000.0)]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"unit": "万平方米"}, "单位 万平方米 不是 个 / unit is not the indicator's"),
        ({"value": None, "value_text": "many"}, "没有可读的数值 no number"),
        ({"region_code": None, "region": "全国"}, "没有地区代码 no region code in the region list"),
        ({"year": 2009, "year_label": "2009", "source_date": "2010-01-01"},
         "2009Q4 不在 2011Q1 至 "),
        ({"source_date": "2014-05-01"},
         "来源日期早于数据年份（计划或预告） stated before its year (a plan)"),
    ],
)  # fmt: skip
def test_figures_that_cannot_be_adopted_say_why(
    changes: dict[str, Any], reason: str, fresh_db: Path
) -> None:
    publish(fresh_db, figure(**changes))
    result = adopt(fresh_db)
    assert result.status == "nothing"
    (skipped,) = result.skipped
    assert skipped.skip is not None and skipped.skip.startswith(reason)
    assert stored(fresh_db) == []


def test_adopting_by_id_takes_only_those_and_refuses_unknown_ones(fresh_db: Path) -> None:
    yangjiang = figure(region="阳江市", region_code="441700", year_label="2014", year=2014,
                       value=14.0, source_date="2014-10-17")  # fmt: skip
    publish(fresh_db, figure(), yangjiang)
    with pytest.raises(AdoptError, match="pub-0000000000"):
        adopt(fresh_db, ids=["pub-0000000000"])
    assert stored(fresh_db) == []
    wanted = figure_id("provincial_specialized_towns", "阳江市", "2014")
    result = adopt(fresh_db, ids=[wanted])
    assert [f.id for f in result.adopted] == [wanted]
    assert [r[:3] for r in stored(fresh_db)] == [("441700", TOWNS, "2014Q4")]


def test_only_an_admin_may_adopt(fresh_db: Path) -> None:
    publish(fresh_db, figure())
    bureau = admin(fresh_db, "gz", role="bureau")
    with pytest.raises(AccountError):
        adopt(fresh_db, user=bureau)
    with pytest.raises(AccountError):
        service.adopt_published(fresh_db, actor=bureau)
    assert stored(fresh_db) == []
    assert audits(fresh_db) == []


# --------------------------------------------------------------------------------------------
# init --published, the command line, the chart's marks


def test_init_published_builds_a_warehouse_of_published_figures_only(tmp_path: Path) -> None:
    db = tmp_path / "published.duckdb"
    counts, _ = init_published(db)
    assert counts["created"] == 1 and "sample_reports" not in counts
    rows = stored(db)
    assert rows and {(r[6], r[7]) for r in rows} == {("published", "system")}
    guangdong = [r for r in rows if r[:3] == ("440000", TOWNS, "2015Q4")]
    assert guangdong == [("440000", TOWNS, "2015Q4", 1, 399.0, source_of(figure()), "published",
                          "system")]  # fmt: skip
    qingdao = {r[2]: r[4] for r in rows if r[:2] == ("370200", AREA)}
    assert qingdao["2016Q4"] == 8940000.0  # the year-end figure, not November's
    with connect(db) as con:
        info = dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
    assert info.get("sample") != "true"
    # run again: nothing new
    _, again = init_published(db)
    assert again.status == "unchanged" and stored(db) == rows
    assert service.published_periods(db, indicator=AREA, region_code="370200",
                                     as_of=dt.date(2018, 1, 1))[:1] == ["2016Q4"]  # fmt: skip


def test_init_published_refuses_a_warehouse_with_other_reports(sample_db: Path) -> None:
    with pytest.raises(AdoptError, match="not published figures"):
        init_published(sample_db)


def test_the_command_line_lists_and_adopts(fresh_db: Path, cli: Cli, tmp_path: Path) -> None:
    publish(fresh_db, figure())
    fid = figure_id("provincial_specialized_towns", "广东省", "2015 (end)")
    listed = cli("published", "list", "--json", "--db", str(fresh_db))
    assert listed.returncode == 0
    assert [(f["id"], f["period"], f["adoptable"]) for f in json.loads(listed.stdout)] == [
        (fid, "2015Q4", True)
    ]
    assert cli("published", "adopt", "--db", str(fresh_db), "--user", "x").returncode == 2
    assert cli("published", "adopt", fid, "--db", str(fresh_db), "--user", "nobody").returncode == 1
    cli("users", "add", "adm", "--role", "admin", "--password-stdin", "--db", str(fresh_db),
        stdin="adm-pass-123\n")  # fmt: skip
    ran = cli("published", "adopt", fid, "--user", "adm", "--db", str(fresh_db))
    assert ran.returncode == 0, ran.stderr
    assert f"✓ {fid} 440000 {TOWNS} 2015Q4 = 399" in ran.stdout
    again = cli("published", "adopt", "--all", "--user", "adm", "--db", str(fresh_db), "--json")
    assert json.loads(again.stdout)["status"] == "unchanged"
    built = cli("init", "--published", "--db", str(tmp_path / "p.duckdb"))
    assert built.returncode == 0 and "公开数据 published adopted" in built.stdout
    assert (
        cli("init", "--published", "--sample", "--db", str(tmp_path / "q.duckdb")).returncode == 2
    )


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec["layer"])


def test_published_quarters_get_their_own_mark_on_the_goal_chart() -> None:
    rows = [
        {"period": p, "quarter_end": end, "actual": a, "planned": None, "projected": None}
        for p, end, a in (
            ("2016Q3", dt.date(2016, 9, 30), 8000000.0),
            ("2016Q4", dt.date(2016, 12, 31), 8940000.0),
        )
    ]
    common: dict[str, Any] = {
        "final": 12e6,
        "deadline": dt.date(2017, 11, 8),
        "unit": "平方米",
        "title": "t",
    }
    plain = charts.goal_trajectory(rows, lang="zh", **common).to_dict()
    marked = charts.goal_trajectory(rows, lang="zh", published=["2016Q4"], **common).to_dict()
    assert len(_layers(marked)) == len(_layers(plain)) + 1
    layer = _layers(marked)[-1]
    assert layer["mark"]["type"] == "point" and layer["mark"]["color"] == charts.PUBLISHED_COLOUR
    shape = layer["encoding"]["shape"]
    assert shape["scale"] == {"domain": ["公开数据"], "range": ["diamond"]}
    assert shape["legend"] is not None
    points = layer["data"]["values"]
    assert [(p["period"], p["value"]) for p in points] == [("2016Q4", 8940000.0)]
    english = charts.goal_trajectory(rows, lang="en", published=["2016Q4"], **common).to_dict()
    assert _layers(english)[-1]["encoding"]["shape"]["scale"]["domain"] == ["published"]


def test_the_admin_page_adopts_with_one_button(fresh_db: Path) -> None:
    from tests.test_accounts import dashboard, log_in

    publish(fresh_db, figure())
    admin(fresh_db)
    at = log_in(dashboard(fresh_db), "adm", "adm-pass-123")
    at.switch_page("pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    listed = next(d.value for d in at.dataframe if "可采用" in d.value.columns)
    assert listed[["编号", "报告期", "可采用"]].values.tolist() == [
        [figure_id("provincial_specialized_towns", "广东省", "2015 (end)"), "2015Q4", True]
    ]
    at.button(key="adopt_published").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success][-1].startswith("已采用：批次 ")
    assert [r[:4] + r[6:] for r in stored(fresh_db)] == [
        ("440000", TOWNS, "2015Q4", 1, "published", "adm")
    ]
