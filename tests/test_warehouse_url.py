"""The warehouse behind one door: built from a URL or a path, it opens connections and reads the
data version; other schemes are refused by name; the SQL stays portable where that costs nothing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from model import paths
from target_monitor.errors import explain
from warehouse import Warehouse
from warehouse.connect import (
    WarehouseMissing,
    WarehouseNotInitialised,
    WarehouseURLError,
    check_warehouse,
    connect,
    data_version,
)
from warehouse.facts import BatchRecord, commit_batch
from warehouse.meta import set_info
from warehouse.migrate import migrate, migrations

UNSUPPORTED = (
    "暂不支持 postgresql:// 类型的数据仓库地址：目前只支持 DuckDB 文件"
    "（duckdb:///相对路径、duckdb:////绝对路径，或直接写文件路径）；"
    "多台服务器共用 PostgreSQL 尚在计划中，见 docs/architecture.md#beyond-one-machine"
    " / warehouse URLs starting postgresql:// are not supported yet: only DuckDB files are"
    " (duckdb:///relative/path, duckdb:////absolute/path, or a plain file path);"
    " several servers sharing PostgreSQL is planned, see docs/architecture.md#beyond-one-machine"
)
NO_FILE = (
    "duckdb:// 地址须指向一个文件：duckdb:///相对路径 或 duckdb:////绝对路径"
    " / a duckdb:// URL names a file: duckdb:///relative/path or duckdb:////absolute/path"
)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("duckdb:///data/warehouse.duckdb", "data/warehouse.duckdb"),  # relative to the cwd
        ("duckdb:////srv/monitor/warehouse.duckdb", "/srv/monitor/warehouse.duckdb"),
        ("DuckDB:///data/warehouse.duckdb", "data/warehouse.duckdb"),  # schemes ignore case
        ("duckdb:///%E5%B9%BF%E4%B8%9C%20w.duckdb", "广东 w.duckdb"),  # a URL is percent-decoded
        ("duckdb:///:memory:", ":memory:"),
        ("data/warehouse.duckdb", "data/warehouse.duckdb"),  # a plain path, as --db passes it
        ("/srv/monitor/广东 w%20.duckdb", "/srv/monitor/广东 w%20.duckdb"),  # taken as it is
        (Path("/srv/monitor/warehouse.duckdb"), "/srv/monitor/warehouse.duckdb"),
        (":memory:", ":memory:"),
    ],
)
def test_a_url_or_a_path_names_the_file(url: str | Path, path: str) -> None:
    warehouse = Warehouse.from_url(url)
    assert warehouse.path == Path(path)
    assert Warehouse.from_url(warehouse) is warehouse
    assert Warehouse.from_url(warehouse.url) == warehouse  # its URL reads back as itself


def test_the_url_reads_back() -> None:
    assert Warehouse(Path("data/warehouse.duckdb")).url == "duckdb:///data/warehouse.duckdb"
    assert Warehouse(Path("/srv/w.duckdb")).url == "duckdb:////srv/w.duckdb"
    assert Warehouse(Path("广东 w.duckdb")).url == "duckdb:///%E5%B9%BF%E4%B8%9C%20w.duckdb"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://monitor:s3cret@db.example.cn:5432/monitor",
        "PostgreSQL://db.example.cn/monitor",
        "postgresql:///monitor",
    ],
)
def test_another_scheme_is_refused_by_name_without_the_password(url: str) -> None:
    with pytest.raises(WarehouseURLError) as raised:
        Warehouse.from_url(url)
    assert str(raised.value) == UNSUPPORTED
    assert explain(raised.value, full_paths=False) == UNSUPPORTED  # the error boundary's line
    assert "s3cret" not in str(raised.value)
    with pytest.raises(WarehouseURLError), connect(url):  # the function API refuses it too
        pass


@pytest.mark.parametrize("url", ["ducklake://catalog.duckdb", "md://monitor", "sqlite:///w.db"])
def test_every_other_scheme_is_refused(url: str) -> None:
    scheme = url.split("://")[0]
    with pytest.raises(WarehouseURLError, match=f"starting {scheme}:// are not supported yet"):
        Warehouse.from_url(url)


@pytest.mark.parametrize("url", ["duckdb://", "duckdb:///", "duckdb://host/warehouse.duckdb"])
def test_a_duckdb_url_without_a_file_is_refused(url: str) -> None:
    with pytest.raises(WarehouseURLError) as raised:
        Warehouse.from_url(url)
    assert str(raised.value) == NO_FILE


def test_the_docs_section_the_error_points_at_exists() -> None:
    text = (paths.ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert re.search(r"^## Beyond one machine$", text, re.MULTILINE)
    assert "docs/architecture.md#beyond-one-machine" in UNSUPPORTED


def _record(name: str) -> BatchRecord:
    return BatchRecord(
        file_name=name,
        sha256=name,
        uploader="test",
        region_code=None,
        source="upload",
        rows_total=1,
        rows_rejected=0,
        issues=[],
        started_at=dt.datetime(2026, 1, 1),
    )


ROW = pl.DataFrame(
    {
        "region_code": ["440100"],
        "indicator": ["x"],
        "period": ["2014Q3"],
        "value": [1.0],
        "note": [None],
        "_row": [2],
    },
    schema_overrides={"note": pl.String},
)


def test_the_object_connects_and_versions_a_real_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    warehouse = Warehouse.from_url("duckdb:///w.duckdb")
    assert not warehouse.exists()
    with pytest.raises(WarehouseMissing), warehouse.connect():
        pass
    assert warehouse.data_version() == (0, 0, 0, 0)
    assert list(tmp_path.iterdir()) == []  # nothing created by a read

    with warehouse.connect(write=True, create=True) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    assert (tmp_path / "w.duckdb").exists()
    with pytest.raises(WarehouseNotInitialised):
        warehouse.check()
    assert warehouse.data_version() == (-1, 0, 0, 0)  # not initialised: nothing to cache

    with warehouse.connect(write=True) as con:
        migrate(con)
    warehouse.check()
    check_warehouse("duckdb:///w.duckdb")
    empty = warehouse.data_version()
    assert empty[:2] == (0, 0)

    with warehouse.connect(write=True) as con:
        batch = commit_batch(con, ROW, _record("a.csv"), dry_run=False)
    assert batch == 1
    committed = warehouse.data_version()
    assert committed[0] == 1 and committed[2:] == empty[2:]
    with warehouse.connect(write=True) as con:
        set_info(con, "sample", "true")
        set_info(con, "sample", "false")  # replaced, not a second row
        assert con.execute("SELECT key, value FROM warehouse_info").fetchall() == [
            ("sample", "false")
        ]
    versioned = warehouse.data_version()
    assert versioned[:3] == committed[:3] and versioned[3] != committed[3]
    assert data_version(tmp_path / "w.duckdb") == versioned  # the function API agrees
    with warehouse.connect() as con:  # a reader of a writable file
        assert con.execute("SELECT revision FROM reports").fetchall() == [(1,)]


def test_existing_warehouses_keep_their_batch_ids(tmp_path: Path) -> None:
    """Migration 7 replaces the batch id sequence with the counter, starting after every id the
    sequence handed out (a dry run's or a rolled-back load's included)."""
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    for migration in migrations()[:6]:
        con.execute(migration.sql)
        con.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
            [migration.version, migration.name],
        )
    for _ in range(3):
        con.execute("SELECT nextval('batch_id_seq')")
    assert migrate(con) == [7, 8, 9]  # 8 and 9 (sources, units) came later
    assert con.execute("SELECT * FROM batch_counter").fetchall() == [(3,)]
    assert con.execute(
        "SELECT count(*) FROM duckdb_sequences() WHERE sequence_name = 'batch_id_seq'"
    ).fetchall() == [(0,)]
    assert commit_batch(con, ROW, _record("b.csv"), dry_run=True) == 4


_NOT_PORTABLE = re.compile(r"INSERT\s+OR\s+(REPLACE|IGNORE)", re.IGNORECASE)


def test_no_insert_or_replace_anywhere() -> None:
    """DuckDB's and SQLite's insert ``OR REPLACE`` (and ``OR IGNORE``) is neither PostgreSQL
    nor DuckLake: upserts are ``INSERT … ON CONFLICT`` on a key (see ``warehouse/meta.py``)."""
    files = [paths.ROOT / "dashboard.py"]
    for package in ("model", "warehouse", "etl", "judge", "service", "target_monitor", "pages"):
        files += (paths.ROOT / package).rglob("*.py")
    for folder in ("scripts", "bench", "tests"):
        files += (paths.ROOT / folder).rglob("*.py")
    sql = sorted((paths.ROOT / "warehouse" / "migrations").glob("*.sql"))
    assert len(sql) >= 7  # the migrations are read, not skipped
    found = [
        f"{file.relative_to(paths.ROOT)}:{n}"
        for file in [*files, *sql]
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
        if _NOT_PORTABLE.search(line)
    ]
    assert found == []
