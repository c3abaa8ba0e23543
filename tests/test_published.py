"""Published figures: the copy of the shared file, its parsing, its mapping and its loading."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl.published import (
    INDICATOR_MAP_CSV,
    LOCAL_CSV,
    PUBLISHED_CSV,
    SCHEMA,
    PublishedDataError,
    load_published,
    parse_value,
    parse_year,
    read_published,
)
from model import paths
from model.catalogue import load_catalogue
from model.regions import read_region_frame
from warehouse.migrate import migrate

SHARED_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "published_actuals.csv"


@pytest.fixture(scope="module")
def figures() -> pl.DataFrame:
    return read_published()


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def _one(frame: pl.DataFrame, **where: str) -> dict[str, object]:
    hits = frame.filter(*(pl.col(k) == v for k, v in where.items()))
    assert hits.height == 1, f"{where} matches {hits.height} rows"
    return hits.row(0, named=True)


def test_copy_is_byte_identical_to_the_shared_file() -> None:
    if not SHARED_CSV.is_file():  # outside the repository: absent from a fresh clone
        pytest.skip(f"the shared file is not here: {SHARED_CSV}")
    assert PUBLISHED_CSV.read_bytes() == SHARED_CSV.read_bytes()


def test_every_row_is_read(figures: pl.DataFrame) -> None:
    # 41 rows of the shared research file, then 8 of this project's own (local_actuals.csv)
    assert figures.height == _csv_rows(PUBLISHED_CSV) + _csv_rows(LOCAL_CSV) == 41 + 8


def test_columns_and_types_match_the_warehouse_table(figures: pl.DataFrame) -> None:
    con = duckdb.connect(":memory:")
    migrate(con)
    table = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = 'published_figures' ORDER BY ordinal_position"
    ).fetchall()
    duck_to_polars = {"VARCHAR": pl.String(), "INTEGER": pl.Int32(), "DOUBLE": pl.Float64()}
    assert [(name, duck_to_polars[kind]) for name, kind in table] == list(SCHEMA.items())
    assert list(figures.schema.items()) == list(SCHEMA.items())


def test_qualified_value_keeps_its_qualifier(figures: pl.DataFrame) -> None:
    row = _one(figures, source_key="cismef_exhibitors", year_label="2018 (15th)")
    assert row["value_text"] == "3020 (nearly)"
    assert row["value"] == 3020.0
    assert row["qualifier"] == "nearly"
    assert row["year"] == 2018
    assert row["unit"] == "companies (home and abroad)"
    assert row["confidence"] == "high"
    assert row["indicator"] is None  # the 15th expo is not the 9th


def test_edition_label_gives_the_year(figures: pl.DataFrame) -> None:
    row = _one(figures, source_key="cismef_booths", year_label="2013 (10th)")
    assert row["year"] == 2013
    assert row["value"] == 5135.0
    assert row["qualifier"] is None
    assert row["region"] == "中博会(广州)"
    assert row["region_code"] == "440000"
    assert row["source_date"] == "2013-09-25 (event date)"


def test_yi_yuan_stays_in_yi_yuan(figures: pl.DataFrame) -> None:
    row = _one(figures, source_key="cismef_deal_value", year_label="2013 (10th)")
    assert row["value_text"] == "395.63"
    assert row["value"] == 395.63  # 亿元 as stated, not 39 563 000 000 元
    assert row["unit"] == "亿元(成約額)"
    wan = _one(figures, source_key="sme_service_vouchers_issued")
    assert (wan["value"], wan["unit"], wan["region_code"]) == (
        500.0,
        "万元(可惠及200家以上中小微企业)",
        "441400",
    )


def test_two_figures_in_one_cell_are_not_split(figures: pl.DataFrame) -> None:
    row = _one(figures, source_key="national_and_provincial_demo_platforms_cumulative")
    assert (row["value"], row["qualifier"]) == (703.0, "national / 3800+ provincial")
    assert (row["year_label"], row["year"], row["region_code"]) == (
        "~2022 (MIIT press Q&A)",
        2022,
        None,
    )


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("3020 (nearly)", 3020.0, "nearly"),
        ("4600 (pre-event)", 4600.0, "pre-event"),
        ("3000 (近)", 3000.0, "近"),
        ("877.37", 877.37, None),
        ("6,000 (pre-event)", 6000.0, "pre-event"),
        ("about 300", None, None),
        ("", None, None),
    ],
)
def test_parse_value(text: str, value: float | None, qualifier: str | None) -> None:
    parsed = parse_value(text)
    assert (parsed.value, parsed.qualifier) == (value, qualifier)


@pytest.mark.parametrize(
    ("label", "year"),
    [
        ("2013 (10th)", 2013),
        ("2015 (approx.)", 2015),
        ("2018 (June)", 2018),
        ("2004-2018 (cumulative)", 2018),
        ("2011-2015", 2015),
        ("~2022 (MIIT press Q&A)", 2022),
        ("十二五", None),
        ("20150", None),
    ],
)
def test_parse_year(label: str, year: int | None) -> None:
    assert parse_year(label) == year


def test_mapping_decisions(figures: pl.DataFrame) -> None:
    mapped = {
        (r["source_key"], r["region_code"], r["year_label"]): r["indicator"]
        for r in figures.filter(pl.col("indicator").is_not_null()).iter_rows(named=True)
    }
    assert mapped == {
        ("provincial_specialized_towns", "440000", "2015 (end)"): "specialised_towns",
        ("provincial_specialized_towns", "441700", "2014"): "specialised_towns",
        ("specialized_town_service_platforms", "441700", "2014"): "town_smb_service_platforms",
        # 青岛's incubator area *in use* (the catalogue's 可用于孵化的建筑面积), not built
        ("qd_incubator_area_in_use", "370200", "2016 (Nov; 目前)"): "incubator_floor_area",
        ("qd_incubator_area_in_use", "370200", "2016 (end)"): "incubator_floor_area",
        ("qd_incubator_area_in_use", "370200", "2017 (Sept; 截至目前)"): "incubator_floor_area",
    }
    # No expo edition in the file is the 9th (2012), the only one the catalogue sets goals on.
    expo = figures.filter(pl.col("source_key").str.starts_with("cismef_"))
    assert 2012 not in expo["year"].to_list()
    assert expo["indicator"].null_count() == expo.height


def test_every_mapped_indicator_is_in_the_catalogue() -> None:
    catalogue = load_catalogue(paths.TARGETS)
    keys = {i.key for i in catalogue.indicators}
    mapping = pl.read_csv(INDICATOR_MAP_CSV, infer_schema=False)
    used = set(mapping["indicator"].drop_nulls())
    assert used
    assert used <= keys, used - keys


def test_every_region_code_is_a_listed_region(figures: pl.DataFrame) -> None:
    listed = set(read_region_frame(paths.REGIONS)["code"])
    mapping = pl.read_csv(INDICATOR_MAP_CSV, infer_schema=False)
    for codes in (mapping["region_code"], figures["region_code"]):
        assert codes.dtype == pl.String
        assert set(codes.drop_nulls()) <= listed
    assert set(figures.filter(pl.col("region") == "全国")["region_code"]) == {None}


def test_an_unmapped_key_is_an_error(tmp_path: Path) -> None:
    lines = INDICATOR_MAP_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("sme_service_voucher_cities,")]
    assert len(kept) == len(lines) - 1
    broken = tmp_path / "map.csv"
    broken.write_text("".join(kept), encoding="utf-8")
    with pytest.raises(PublishedDataError, match="sme_service_voucher_cities"):
        read_published(map_path=broken)


def test_a_region_without_its_own_map_row_is_an_error(tmp_path: Path) -> None:
    text = PUBLISHED_CSV.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    rows[1][1] = "佛山市"  # cismef_exhibitors, mapped only for the expo itself
    moved = tmp_path / "published.csv"
    with moved.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(PublishedDataError, match="佛山市"):
        read_published(path=moved)


def test_load_is_idempotent(figures: pl.DataFrame) -> None:
    con = duckdb.connect(":memory:")
    migrate(con)
    con.execute("BEGIN TRANSACTION")
    assert load_published(con) == figures.height
    assert load_published(con) == 0
    con.execute("COMMIT")
    assert load_published(con) == 0
    stored = con.execute(
        "SELECT region_code, year, value, value_text FROM published_figures"
        " WHERE source_key = 'specialized_town_service_platforms'"
    ).fetchall()
    assert stored == [("441700", 2014, 13.0, "13")]
    ((count,),) = con.execute("SELECT count(*) FROM published_figures").fetchall()
    assert count == figures.height


def test_load_leaves_the_transaction_to_the_caller() -> None:
    con = duckdb.connect(":memory:")
    migrate(con)
    con.execute("BEGIN TRANSACTION")
    assert load_published(con) > 0
    con.execute("ROLLBACK")
    ((count,),) = con.execute("SELECT count(*) FROM published_figures").fetchall()
    assert count == 0
