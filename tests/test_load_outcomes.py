"""What a load answers and records (reliability-audit.md M1, M8, L2, L3): "already loaded" only when
nothing would change, every outcome audited with who ran it, counts that match the file."""

from __future__ import annotations

import getpass
import json
import shutil
from pathlib import Path

import pytest

from etl.load import load_file
from target_monitor.cli import main
from warehouse import accounts
from warehouse.connect import connect

HEADER = "region_code,indicator,period,value,note\n"
IND = "demo_platforms_provincial"  # a flow Guangdong's cities report


@pytest.fixture
def db(empty_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(empty_db, copy)
    return copy


def csv(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def revisions(db: Path, region: str, period: str) -> list[tuple[int, float]]:
    with connect(db) as con:
        rows = con.execute(
            "SELECT revision, value FROM reports WHERE region_code = ? AND indicator = ? "
            "AND period = ? ORDER BY revision",
            [region, IND, period],
        ).fetchall()
    return [(int(r), float(v)) for r, v in rows]


def audit_rows(db: Path) -> list[tuple[str, str | None, str, str | None]]:
    with connect(db) as con:
        rows = con.execute(
            "SELECT actor, os_user, action, target FROM audit_log "
            "WHERE action LIKE 'upload_%' ORDER BY audit_id"
        ).fetchall()
    return [(a, o, act, t) for a, o, act, t in rows]


def test_an_earlier_file_after_a_correction_restores_its_values(db: Path, tmp_path: Path) -> None:
    """M1: A, then A corrected, then A again: the third load is a new batch holding A's value."""
    a = csv(tmp_path, "A.csv", f"440100,{IND},2018Q3,42,", f"440300,{IND},2018Q3,7,")
    fix = csv(tmp_path, "A_fix.csv", f"440100,{IND},2018Q3,777,", f"440300,{IND},2018Q3,7,")
    first = load_file(a, db=db)
    second = load_file(fix, db=db)
    third = load_file(a, db=db)
    assert (first.status, first.rows_new) == ("committed", 2)
    assert (second.status, second.rows_changed, second.rows_unchanged) == ("committed", 1, 1)
    assert (third.status, third.rows_changed, third.rows_unchanged) == ("committed", 1, 1)
    assert third.batch_id is not None and second.batch_id is not None
    assert third.batch_id > second.batch_id
    assert revisions(db, "440100", "2018Q3") == [(1, 42.0), (2, 777.0), (3, 42.0)]
    # and a fourth time, now that nothing would change, it is "already loaded" (batch 1)
    fourth = load_file(a, db=db)
    assert (fourth.status, fourth.already_loaded_batch) == ("already_loaded", first.batch_id)
    assert fourth.rows_unchanged == 2
    assert revisions(db, "440100", "2018Q3") == [(1, 42.0), (2, 777.0), (3, 42.0)]


def test_an_untouched_template_is_refused_not_committed_empty(db: Path, tmp_path: Path) -> None:
    """L3: every value empty is no-figures (an error), and no batch is written."""
    path = csv(tmp_path, "blank.csv", f"440100,{IND},2018Q3,,", f"440300,{IND},2018Q3,,")
    result = load_file(path, db=db)
    assert result.status == "rejected"
    assert [i.rule for i in result.issues] == ["value-missing", "value-missing", "no-figures"]
    assert result.issues[-1].message_zh == "文件中没有任何可导入的数值（2 行的数值均为空）"
    with connect(db) as con:
        assert con.execute("SELECT count(*) FROM upload_batches").fetchone() == (0,)


def test_a_planners_refusal_counts_the_files_rows(db: Path, tmp_path: Path) -> None:
    """L3: a refusal before validation still says how many rows were not loaded."""
    with connect(db, write=True) as con:
        planner = accounts.add_user(con, username="planner", password="planner-pass",
                                    role="planner", region_code=None, display_name="规划处",
                                    actor="test")  # fmt: skip
    path = csv(tmp_path, "p.csv", f"440100,{IND},2018Q3,4,", f"440300,{IND},2018Q3,5,")
    result = load_file(path, db=db, user=planner)
    assert [i.rule for i in result.issues] == ["role-cannot-upload"]
    assert (result.rows_total, result.rows_rejected) == (2, 2)


def test_cli_loads_without_an_account_are_audited_as_the_os_user(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """M8 and L2: a commit, an already-loaded answer and a rejection, each with the OS user."""
    good = csv(tmp_path, "good.csv", f"440100,{IND},2018Q3,4,")
    bad = csv(tmp_path, "bad.csv", f"999999,{IND},2018Q3,4,")
    assert main(["load", str(good), "--db", str(db)]) == 0
    assert main(["load", str(good), "--db", str(db)]) == 0
    assert main(["load", str(bad), "--db", str(db)]) == 1
    me = getpass.getuser()
    assert audit_rows(db) == [
        (me, me, "upload_commit", "good.csv"),
        (me, me, "upload_already_loaded", "good.csv"),
        (me, me, "upload_rejected", "bad.csv"),
    ]
    capsys.readouterr()


def test_cli_records_the_os_user_beside_the_claimed_account(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(db, write=True) as con:
        accounts.add_user(con, username="gz", password="gz-password", role="bureau",
                          region_code="440100", display_name="广州市", actor="test")  # fmt: skip
    good = csv(tmp_path, "gz.csv", f"440100,{IND},2018Q3,4,")
    assert main(["load", str(good), "--db", str(db), "--user", "gz"]) == 0
    assert audit_rows(db) == [("gz", getpass.getuser(), "upload_commit", "gz.csv")]
    capsys.readouterr()
    assert main(["audit", "--db", str(db), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed[0]["actor"], printed[0]["os_user"]) == ("gz", getpass.getuser())
    assert main(["audit", "--db", str(db)]) == 0
    assert f"gz (os: {getpass.getuser()})" in capsys.readouterr().out.splitlines()[0]
