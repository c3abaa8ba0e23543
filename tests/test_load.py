"""Loading into a real DuckDB file: one transaction per batch, append-only revisions, no loss."""

from __future__ import annotations

import datetime as dt
import hashlib
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl.build import init_warehouse
from etl.load import load_file
from warehouse import queries
from warehouse.connect import connect
from warehouse.facts import BatchRecord, commit_batch
from warehouse.migrate import migrate, migrations

HEADER = "地区代码,指标,报告期,数值,备注\n"
IND = "demo_platforms_provincial"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    init_warehouse(path)
    return path


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def content(db: Path) -> str:
    """Every table's rows but the audit log's, sorted: equal strings mean equal content.  (Every
    outcome, a refusal included, appends an audit row: the tests check those rows apart.)"""
    with connect(db) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        parts = []
        for table in sorted(set(tables) - {"audit_log"}):
            rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
            parts.append(f"{table}:{sorted(map(repr, rows))}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def test_migrations_are_recorded_and_harmless_twice() -> None:
    con = duckdb.connect(":memory:")
    every = [(m.version, m.name) for m in migrations()]
    assert migrate(con) == [v for v, _ in every]
    assert migrate(con) == []
    rows = con.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
    assert rows == every
    assert rows[:7] == [
        (1, "dimensions"),
        (2, "facts"),
        (3, "meta"),
        (4, "accounts"),
        (5, "login_throttle"),
        (6, "audit_os_user"),
        (7, "batch_counter"),
    ]


def test_init_loads_dimensions_from_the_catalogue(db: Path) -> None:
    with connect(db) as con:
        counts = dict(queries.table_counts(con).iter_rows())
        reported_by = con.execute(
            "SELECT reported_by FROM targets WHERE id = 'gd624-demo-platforms-provincial-2015'"
        ).fetchone()
    assert counts["documents"] == 5
    assert counts["targets"] == 95  # 90, and the five the catalogue audit found missing (K1-K5)
    assert counts["reports"] == 0
    assert reported_by == (["city"],)


def test_first_load_then_correction_is_a_new_revision(db: Path, tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", f"440100,{IND},2014Q3,12,首报\n440300,{IND},2014Q3,7,\n")
    result = load_file(first, db=db, uploader="广州市局")
    assert (result.status, result.rows_new, result.rows_changed) == ("committed", 2, 0)

    fix = write(tmp_path, "b.csv", f"440100,{IND},2014Q3,13,更正\n")
    result = load_file(fix, db=db, uploader="广州市局")
    assert (result.rows_new, result.rows_changed, result.rows_unchanged) == (0, 1, 0)

    with connect(db) as con:
        history = queries.report_history(con, region_code="440100", indicator=IND, period="2014Q3")
        current = queries.current_reports(con)
    assert history.select("revision", "value", "note", "file_name").rows() == [
        (1, 12.0, "首报", "a.csv"),
        (2, 13.0, "更正", "b.csv"),
    ]
    # the partial resubmission revised only the key it sent
    assert current.select("region_code", "value", "revision").rows() == [
        ("440100", 13.0, 2),
        ("440300", 7.0, 1),
    ]


def test_same_file_twice_is_already_loaded_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", f"440100,{IND},2014Q3,12,\n")
    first = load_file(path, db=db)
    before = content(db)
    again = load_file(path, db=db)
    assert again.status == "already_loaded"
    assert again.already_loaded_batch == first.batch_id
    assert content(db) == before
    assert audit_actions(db) == [("upload_commit", "a.csv"), ("upload_already_loaded", "a.csv")]


def test_rejected_file_leaves_the_warehouse_unchanged(db: Path, tmp_path: Path) -> None:
    load_file(write(tmp_path, "ok.csv", f"440100,{IND},2014Q3,12,\n"), db=db)
    before = content(db)
    bad = write(tmp_path, "bad.csv", f"440100,{IND},2014Q4,15,\n449999,{IND},2014Q4,1,\n")
    result = load_file(bad, db=db)
    assert result.status == "rejected"
    assert [(i.rule, i.row) for i in result.issues] == [("region-unknown", 3)]
    assert content(db) == before
    assert audit_actions(db) == [("upload_commit", "ok.csv"), ("upload_rejected", "bad.csv")]


def audit_actions(db: Path) -> list[tuple[str, str]]:
    with connect(db) as con:
        rows = con.execute(  # init's own row for the bundled register of units left out
            "SELECT action, target FROM audit_log "
            "WHERE NOT (actor = 'init' AND action = 'units_add') ORDER BY audit_id"
        ).fetchall()
    return [(str(a), str(t)) for a, t in rows]


def test_dry_run_records_the_batch_but_no_reports(db: Path, tmp_path: Path) -> None:
    result = load_file(write(tmp_path, "a.csv", f"440100,{IND},2014Q3,12,\n"), db=db, dry_run=True)
    assert (result.status, result.rows_new) == ("dry_run", 1)
    with connect(db) as con:
        assert queries.current_reports(con).height == 0
        assert queries.batches(con)["kind"].to_list() == ["dry_run"]


def test_scope_is_enforced_where_data_is_written(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", f"445200,{IND},2014Q3,3,\n440500,{IND},2014Q3,4,\n")
    result = load_file(path, db=db, region="445200", uploader="揭阳市局")
    assert result.status == "rejected"
    assert [(i.rule, i.row, i.value) for i in result.issues] == [
        ("region-out-of-scope", 3, "440500")
    ]
    with connect(db) as con:
        assert queries.current_reports(con).height == 0


def test_as_of_reproduces_what_was_known(db: Path, tmp_path: Path) -> None:
    early = dt.datetime(2015, 1, 10, 1, 0)
    load_file(write(tmp_path, "a.csv", f"440100,{IND},2014Q4,12,\n"), db=db, submitted_at=early)
    late = dt.datetime(2015, 3, 1, 1, 0)
    load_file(write(tmp_path, "b.csv", f"440100,{IND},2014Q4,20,\n"), db=db, submitted_at=late)
    with connect(db) as con:
        then = queries.current_reports(con, known_on=dt.date(2015, 2, 1))
        now = queries.current_reports(con)
    assert then["value"].to_list() == [12.0]
    assert now["value"].to_list() == [20.0]


KILLER = """
import os, signal, sys
from pathlib import Path
from etl.load import load_file
def progress(fraction, text):
    print(text, flush=True)
    if text.startswith("登记批次"):
        os.kill(os.getpid(), signal.SIGKILL)
load_file(Path(sys.argv[1]), db=Path(sys.argv[2]), progress=progress)
print("survived", flush=True)
"""


def test_killed_load_leaves_no_partial_batch(db: Path, tmp_path: Path) -> None:
    load_file(write(tmp_path, "first.csv", f"440100,{IND},2014Q3,12,\n"), db=db)
    before = content(db)
    cities = ["440100", "440200", "440300", "440400", "440500", "440600", "440700"]
    body = "".join(
        f"{c},{IND},{y}Q{q},{y - 2000},\n"
        for c in cities
        for y in range(2011, 2021)
        for q in range(1, 5)
    )
    big = write(tmp_path, "big.csv", body)
    # The loader kills itself (SIGKILL: no cleanup, no rollback) at the moment its reports are
    # inserted and the batch marker is not yet written: the worst place to die.
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(big), str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "登记批次" in proc.stdout
    assert content(db) == before
    with connect(db) as con:
        assert queries.batches(con).height == 1
        assert queries.current_reports(con).height == 1
    # and the warehouse still takes the same file afterwards
    again = load_file(big, db=db)
    assert (again.rows_new, again.rows_changed) == (len(cities) * 40 - 1, 1)


WRITER = """
import sys
from pathlib import Path
from etl.load import load_file
r = load_file(Path(sys.argv[1]), db=Path(sys.argv[2]), uploader=sys.argv[3])
print(r.status, r.rows_new)
"""


REVISIONS = """
SELECT region_code, indicator, period,
       list(revision ORDER BY revision), list(batch_id ORDER BY revision)
FROM reports GROUP BY ALL ORDER BY ALL
"""


def test_two_writers_at_once_both_land_as_revisions_1_and_2(db: Path, tmp_path: Path) -> None:
    """Two processes correcting the same 40 keys at once: both commit, and every key ends with
    revisions 1 and 2 (the later batch's value on top), never two revision 1s."""
    files = []
    for n, uploader in enumerate(("440100", "440300"), 1):
        body = "".join(
            f"440100,{IND},{y}Q{q},{100 * n + y - 2010},\n"
            for y in range(2011, 2021)
            for q in range(1, 5)
        )
        files.append(write(tmp_path, f"{uploader}.csv", body))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(f), str(db), f.stem],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert sorted(o[0].strip() for o in outputs) == ["committed 0", "committed 40"]
    with connect(db) as con:
        current = queries.current_reports(con)
        uploaders = set(queries.batches(con)["uploader"].to_list())
        keys = con.execute(REVISIONS).fetchall()
    assert current.height == 40
    assert uploaders == {"440100", "440300"}
    assert len(keys) == 40
    assert {(tuple(revisions), batches[0] < batches[1]) for *_, revisions, batches in keys} == {
        ((1, 2), True)
    }


def _one_key(value: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region_code": ["440100"],
            "indicator": [IND],
            "period": ["2014Q3"],
            "value": [value],
            "note": [None],
            "_row": [2],
        },
        schema_overrides={"note": pl.String},
    )


def _record(name: str) -> BatchRecord:
    return BatchRecord(
        file_name=name,
        sha256=name,
        uploader=name,
        region_code=None,
        source="upload",
        rows_total=1,
        rows_rejected=0,
        issues=[],
        started_at=dt.datetime(2026, 1, 1),
    )


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A migrated warehouse file without dimensions: facts need none."""
    path = tmp_path / "bare.duckdb"
    with connect(path, write=True, create=True) as con:
        migrate(con)
    return path


def test_a_load_that_overlaps_another_is_refused_not_revision_1_twice(bare: Path) -> None:
    """Two connections of one process (no process lock, no file lock between them: as two
    servers sharing one database would be) load the same new key while both transactions are
    open.  The second claim of the batch counter conflicts, so the second load cannot also write
    revision 1; run again after the first commits, it writes revision 2."""
    with connect(bare) as first, connect(bare) as second:

        def overlapping() -> None:  # runs inside the first load's open transaction
            with pytest.raises(duckdb.TransactionException, match="Conflict"):
                commit_batch(second, _one_key(2.0), _record("second"), dry_run=False, retry_for=0)

        assert commit_batch(first, _one_key(1.0), _record("first"), dry_run=False,
                            on_written=overlapping) == 1  # fmt: skip
        assert commit_batch(second, _one_key(2.0), _record("second"), dry_run=False) == 2
        rows = first.execute(
            "SELECT revision, value, batch_id, submitted_by FROM reports ORDER BY revision"
        ).fetchall()
    assert rows == [(1, 1.0, 1, "first"), (2, 2.0, 2, "second")]


def test_an_overlapping_load_retries_until_its_turn(bare: Path) -> None:
    """The same overlap on two threads: the second load retries with back-off and lands as
    revision 2 once the first has committed."""
    landed: list[int] = []

    def second_load() -> None:
        with connect(bare) as second:
            landed.append(commit_batch(second, _one_key(2.0), _record("second"), dry_run=False))

    thread = threading.Thread(target=second_load)

    def overlapping() -> None:
        thread.start()
        time.sleep(0.5)  # the second load claims, conflicts and backs off meanwhile

    with connect(bare) as first:
        commit_batch(first, _one_key(1.0), _record("first"), dry_run=False, on_written=overlapping)
    thread.join(timeout=60)
    assert landed == [2]
    with connect(bare) as con:
        assert con.execute(REVISIONS).fetchall() == [("440100", IND, "2014Q3", [1, 2], [1, 2])]


def test_trend_warnings_compare_with_the_warehouse(db: Path, tmp_path: Path) -> None:
    stock = "ipo_reserve_pool_firms"  # a stock: a fall is suspicious
    first = write(tmp_path, "q2.csv", f"440100,{stock},2014Q2,120,\n440100,{IND},2014Q2,3,\n")
    assert load_file(first, db=db).status == "committed"
    second = write(tmp_path, "q3.csv", f"440100,{stock},2014Q3,100,\n440100,{IND},2014Q3,40,\n")
    result = load_file(second, db=db, dry_run=True)
    assert result.status == "dry_run"  # warnings do not reject
    assert [(i.rule, i.row, i.message_zh) for i in result.issues] == [
        ("stock-fell", 2, "存量指标比上季度下降（120 → 100）"),
        ("flow-jump", 3, "比上季度增长十倍以上（3 → 40）"),
    ]
