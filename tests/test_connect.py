"""Opening the warehouse: only init creates one, read-only files are viewed read-only, a busy
file names who holds it, and DuckDB never looks a table up among Python variables."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from service import api as service
from target_monitor.errors import explain
from tests.checkout import immutable
from warehouse.connect import (
    WarehouseBusy,
    WarehouseInvalid,
    WarehouseMissing,
    WarehouseNotInitialised,
    WarehouseReadOnly,
    check_warehouse,
    connect,
    is_writable,
)


@pytest.mark.parametrize("write", [False, True])
def test_a_missing_path_is_refused_and_not_created(tmp_path: Path, write: bool) -> None:
    path = tmp_path / "typo.duckdb"
    with pytest.raises(WarehouseMissing) as raised, connect(path, write=write):
        pass
    assert str(raised.value) == (
        f"没有找到数据仓库 {path}：请运行 `make run` 或 `.venv/bin/target-monitor init` / "
        f"no warehouse at {path}: run `make run` or `.venv/bin/target-monitor init`"
    )
    assert list(tmp_path.iterdir()) == []


def test_only_create_makes_a_file(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with connect(path, write=True, create=True) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    assert path.exists()


def test_replacement_scans_are_off(empty_db: Path) -> None:
    missing_table = [1, 2, 3]  # a Python variable named like the table the query asks for
    with connect(empty_db) as con, pytest.raises(duckdb.CatalogException):
        con.sql("SELECT * FROM missing_table").fetchall()
    del missing_table


def test_an_uninitialised_or_foreign_file_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(WarehouseNotInitialised):
        check_warehouse(empty)
    zero = tmp_path / "zero.duckdb"
    zero.write_bytes(b"")
    with pytest.raises(WarehouseInvalid), connect(zero):
        pass
    assert zero.read_bytes() == b""


def test_a_read_only_file_is_read_read_only_and_refuses_writes(
    empty_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(empty_db.read_bytes())
    with immutable(copy):
        assert not is_writable(copy)
        check_warehouse(copy)
        with connect(copy) as con:
            assert con.execute("SELECT count(*) FROM documents").fetchone() == (5,)
        assert service.info(copy)["dimensions_loaded_at"]
        with pytest.raises(WarehouseReadOnly) as raised, connect(copy, write=True):
            pass
        assert explain(raised.value, full_paths=False) == (
            "数据仓库 copy.duckdb 为只读文件：可以查看，但无法保存改动；请管理员恢复写权限后重试"
            " / the warehouse copy.duckdb is read-only: it can be viewed but changes cannot be"
            " saved; ask an administrator to make it writable and retry"
        )
    assert is_writable(copy)


def test_readers_and_a_writer_share_one_process(empty_db: Path) -> None:
    """Why readers open a writable file read-write too: DuckDB refuses a read-only open of a file
    this process already has open read-write (and the reverse), and the dashboard's sessions
    read while another session writes."""
    with connect(empty_db, write=True) as writer:
        writer.execute("SELECT 1").fetchall()
        with connect(empty_db) as reader:
            assert reader.execute("SELECT count(*) FROM documents").fetchone() == (5,)
        with pytest.raises(duckdb.ConnectionException, match="different configuration"):
            duckdb.connect(str(empty_db), read_only=True)
        seen: list[object] = []
        thread = threading.Thread(
            target=lambda: seen.append(service.info(empty_db).get("dimensions_loaded_at"))
        )
        thread.start()
        thread.join(timeout=30)
        assert seen and seen[0]


def test_a_busy_warehouse_names_the_holder(empty_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "busy.duckdb"
    copy.write_bytes(empty_db.read_bytes())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(60)",
            str(copy),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(WarehouseBusy) as raised, connect(copy, timeout=0.5):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=15)
    busy = raised.value
    assert busy.holder is not None and busy.holder.endswith(f"PID {holder.pid}")
    line = explain(busy, full_paths=False)
    assert line is not None and "\n" not in line
    assert line.startswith(f"数据仓库 busy.duckdb 正被另一个程序（{busy.holder}）占用")
    assert re.search(
        rf"in use by another program \({re.escape(busy.holder)}\); waited \d+ s: try again", line
    )
    assert str(tmp_path) not in line
