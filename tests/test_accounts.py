"""Accounts, roles, quarter locks and the audit log (issue 7), on real DuckDB files.

Every role's permissions are checked where data is written (``load_file``), through the
``target-monitor`` command (run in this process) and through the dashboard (AppTest); passwords are
stored only as argon2id hashes; every login, upload, lock, unlock and account change leaves an
audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from etl.build import DEMO_ACCOUNTS
from etl.load import Reference, load_file, reference
from model import paths
from target_monitor.i18n import t
from tests.cli_runner import Cli
from tests.warehouses import copy_warehouse
from warehouse import accounts
from warehouse.accounts import AccountError, User
from warehouse.connect import connect

APP = str(paths.ROOT / "dashboard.py")
FIXTURES = paths.ROOT / "tests" / "fixtures" / "uploads"
HEADER = "地区代码,指标,报告期,数值,备注\n"
PLATFORMS = "demo_platforms_provincial"  # reported by cities
ACTIVITIES = "local_service_activities"  # reported by cities and by counties
JIEYANG, JIEXI, SHANTOU = "445200", "445222", "440500"  # 揭阳市, 揭西县 (揭阳), 汕头市

ADMIN_PW = "root-secret-pass"
BUREAU_PW = "jieyang-secret-pass"
PLANNER_PW = "planner-secret-pass"


# --------------------------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module")
def ref() -> Reference:
    return reference()


@pytest.fixture
def db(fresh_db: Path) -> Path:
    """A fresh warehouse (no sample, no accounts) of this test's own: a copy of the one built
    for the run."""
    return fresh_db


@pytest.fixture
def users(db: Path) -> dict[str, User]:
    """An admin, a 揭阳 bureau and a planner, created as the README says."""
    with connect(db, write=True) as con:
        admin = accounts.add_user(con, username="root", password=ADMIN_PW, role="admin",
                                  region_code=None, actor="cli")  # fmt: skip
        bureau = accounts.add_user(con, username="jieyang", password=BUREAU_PW, role="bureau",
                                   region_code=JIEYANG, display_name="揭阳市工信局",
                                   actor="root")  # fmt: skip
        planner = accounts.add_user(con, username="planner", password=PLANNER_PW,
                                    role="planner", region_code=None, actor="root")  # fmt: skip
    return {"admin": admin, "bureau": bureau, "planner": planner}


def write(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def content(db: Path) -> dict[str, str]:
    """A digest of every table's rows except the audit log's: equal dicts, equal data."""
    out = {}
    with connect(db) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        for table in sorted(set(tables) - {"audit_log"}):
            rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
            out[table] = hashlib.sha256("\n".join(sorted(map(repr, rows))).encode()).hexdigest()
    return out


def audit_rows(db: Path) -> list[dict[str, Any]]:
    """The audit log, oldest first, detail parsed; without init's own row for the bundled
    register of units (tests/test_units.py checks it)."""
    with connect(db) as con:
        rows = con.execute(
            "SELECT actor, action, target, batch_id, detail, logged_at FROM audit_log "
            "WHERE NOT (actor = 'init' AND action = 'units_add') ORDER BY audit_id"
        ).fetchall()
    return [
        {"actor": a, "action": b, "target": c, "batch_id": d, "detail": json.loads(e), "at": f}
        for a, b, c, d, e, f in rows
    ]


def new_audit_rows(db: Path, before: int) -> list[tuple[str, str, str | None]]:
    return [(r["actor"], r["action"], r["target"]) for r in audit_rows(db)[before:]]


def rules(result: Any) -> list[tuple[str, int | None]]:
    return [(i.rule, i.row) for i in result.issues]


def copy_db(source: Path, tmp_path: Path) -> Path:
    """A private copy of a warehouse (logins write audit rows: the shared one stays as built)."""
    return copy_warehouse(source, tmp_path / "copy.duckdb")


# --------------------------------------------------------------------------------------------
# passwords and logins


def test_password_is_stored_only_as_an_argon2id_hash(db: Path) -> None:
    password = "Zebra-Quokka-7319-unique"
    with connect(db, write=True) as con:
        accounts.add_user(con, username="jieyang", password=password, role="bureau",
                          region_code=JIEYANG, actor="root")  # fmt: skip
        assert accounts.authenticate(con, "jieyang", password) is not None
        ((stored,),) = con.execute(
            "SELECT password_hash FROM users WHERE username = 'jieyang'"
        ).fetchall()
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        found = [
            table
            for table in tables
            if password in repr(con.execute(f'SELECT * FROM "{table}"').fetchall())
        ]
        con.execute("CHECKPOINT")
    assert stored.startswith("$argon2id$")
    assert password not in stored
    assert PasswordHasher().verify(stored, password)
    assert found == []  # no column of any table holds the password
    assert not db.with_name(db.name + ".wal").exists()
    assert password.encode() not in db.read_bytes()
    assert password.encode("utf-16-le") not in db.read_bytes()


def test_wrong_password_unknown_user_and_disabled_user_are_refused_and_audited(
    db: Path, users: dict[str, User]
) -> None:
    before = len(audit_rows(db))
    with connect(db, write=True) as con:
        assert accounts.authenticate(con, "jieyang", "not-the-password") is None
        assert accounts.authenticate(con, "nobody", BUREAU_PW) is None
        assert accounts.authenticate(con, "jieyang", "") is None
        assert accounts.authenticate(con, "jieyang", BUREAU_PW) == users["bureau"]
        accounts.set_active(con, "jieyang", active=False, actor="root")
        assert accounts.authenticate(con, "jieyang", BUREAU_PW) is None
        accounts.set_active(con, "jieyang", active=True, actor="root")
        assert accounts.authenticate(con, "jieyang", BUREAU_PW) == users["bureau"]
    assert new_audit_rows(db, before) == [
        ("jieyang", "login_failed", None),
        ("unknown", "login_failed", None),  # a name nobody has: never the typed text
        ("jieyang", "login_failed", None),
        ("jieyang", "login", None),
        ("root", "user_disable", "jieyang"),
        ("jieyang", "login_failed", None),
        ("root", "user_enable", "jieyang"),
        ("jieyang", "login", None),
    ]


def test_account_changes_are_audited(db: Path, users: dict[str, User]) -> None:
    log = audit_rows(db)
    assert [(r["actor"], r["action"], r["target"], r["detail"]) for r in log] == [
        ("cli", "user_add", "root", {"role": "admin", "region_code": None}),
        ("root", "user_add", "jieyang", {"role": "bureau", "region_code": JIEYANG}),
        ("root", "user_add", "planner", {"role": "planner", "region_code": None}),
    ]
    with connect(db, write=True) as con:
        accounts.set_password(con, "jieyang", "a-brand-new-pass", actor="root")
        assert accounts.authenticate(con, "jieyang", BUREAU_PW) is None
        assert accounts.authenticate(con, "jieyang", "a-brand-new-pass") == users["bureau"]
        with pytest.raises(AccountError):
            accounts.add_user(con, username="jieyang", password="another-pass", role="bureau",
                              region_code=JIEYANG, actor="root")  # fmt: skip
        with pytest.raises(AccountError):
            accounts.add_user(con, username="shantou", password="shantou-pass", role="bureau",
                              region_code=None, actor="root")  # fmt: skip
    assert new_audit_rows(db, len(log)) == [
        ("root", "user_passwd", "jieyang"),
        ("jieyang", "login_failed", None),
        ("jieyang", "login", None),
    ]


# --------------------------------------------------------------------------------------------
# roles and scope, where data is written


def test_planner_cannot_upload_and_nothing_is_written(
    db: Path, users: dict[str, User], tmp_path: Path, ref: Reference
) -> None:
    path = write(tmp_path, "planner.csv", f"{JIEYANG},{PLATFORMS},2018Q3,2,")
    before, logged = content(db), len(audit_rows(db))
    result = load_file(path, db=db, user=users["planner"], ref=ref)
    assert result.status == "rejected"
    assert rules(result) == [("role-cannot-upload", None)]
    assert content(db) == before
    (row,) = audit_rows(db)[logged:]
    assert (row["actor"], row["action"], row["target"], row["batch_id"]) == (
        "planner",
        "upload_rejected",
        "planner.csv",
        None,
    )
    assert row["detail"]["errors"] == ["role-cannot-upload"]


def test_bureau_row_outside_its_region_is_rejected_naming_the_row(
    db: Path, users: dict[str, User], ref: Reference
) -> None:
    before, logged = content(db), len(audit_rows(db))
    result = load_file(FIXTURES / "region-out-of-scope.csv", db=db, user=users["bureau"], ref=ref)
    assert result.status == "rejected"
    assert rules(result) == [("region-out-of-scope", 3)]  # 440500 汕头, Excel row 3
    (issue,) = result.issues
    assert (issue.column, issue.value) == ("region_code", SHANTOU)
    assert issue.message("zh") == "地区“440500”不在您的上报范围（445200 揭阳市）内"
    assert content(db) == before
    (row,) = audit_rows(db)[logged:]
    assert (row["actor"], row["action"], row["target"], row["batch_id"]) == (
        "jieyang",
        "upload_rejected",
        "region-out-of-scope.csv",
        None,
    )
    assert row["detail"] == {"region": JIEYANG, "errors": ["region-out-of-scope"]}


def test_bureau_scope_cannot_be_widened_by_the_region_argument(
    db: Path, users: dict[str, User], ref: Reference
) -> None:
    before = content(db)
    result = load_file(
        FIXTURES / "region-out-of-scope.csv", db=db, user=users["bureau"], region="440000", ref=ref
    )
    assert rules(result) == [("region-out-of-scope", 3)]
    assert content(db) == before


def test_bureau_commits_its_own_region_and_counties_attributed_and_audited(
    db: Path, users: dict[str, User], tmp_path: Path, ref: Reference
) -> None:
    path = write(
        tmp_path,
        "jieyang-2018Q3.csv",
        f"{JIEYANG},{ACTIVITIES},2018Q3,3,",
        f"{JIEXI},{ACTIVITIES},2018Q3,1,",
    )
    logged = len(audit_rows(db))
    dry = load_file(path, db=db, user=users["bureau"], dry_run=True, ref=ref)
    assert (dry.status, rules(dry)) == ("dry_run", [])
    result = load_file(path, db=db, user=users["bureau"], ref=ref)
    assert (result.status, result.rows_new, rules(result)) == ("committed", 2, [])
    assert result.batch_id is not None and dry.batch_id is not None
    with connect(db) as con:
        reports = con.execute(
            "SELECT region_code, batch_id, submitted_by FROM reports "
            "WHERE indicator = ? ORDER BY region_code",
            [ACTIVITIES],
        ).fetchall()
        batches = con.execute(
            "SELECT batch_id, kind, uploader, region_code, finished_at FROM upload_batches "
            "ORDER BY batch_id"
        ).fetchall()
    assert reports == [
        (JIEYANG, result.batch_id, "jieyang"),
        (JIEXI, result.batch_id, "jieyang"),
    ]
    assert [b[:4] for b in batches] == [
        (dry.batch_id, "dry_run", "jieyang", JIEYANG),
        (result.batch_id, "committed", "jieyang", JIEYANG),
    ]
    log = audit_rows(db)[logged:]
    assert [(r["actor"], r["action"], r["target"], r["batch_id"]) for r in log] == [
        ("jieyang", "upload_dry_run", "jieyang-2018Q3.csv", dry.batch_id),
        ("jieyang", "upload_commit", "jieyang-2018Q3.csv", result.batch_id),
    ]
    # written in the batch's own transaction: the audit row carries the batch's finishing time
    assert log[1]["at"] == batches[1][4]
    assert log[1]["detail"] == {"region": JIEYANG, "new": 2, "changed": 0, "unchanged": 0}


def test_admin_uploads_for_any_region(db: Path, users: dict[str, User], ref: Reference) -> None:
    result = load_file(FIXTURES / "region-out-of-scope.csv", db=db, user=users["admin"], ref=ref)
    assert (result.status, result.rows_new, rules(result)) == ("committed", 2, [])
    with connect(db) as con:
        rows = con.execute(
            "SELECT region_code, submitted_by FROM reports ORDER BY region_code"
        ).fetchall()
    assert rows == [(SHANTOU, "root"), (JIEYANG, "root")]
    assert audit_rows(db)[-1]["action"] == "upload_commit"
    assert audit_rows(db)[-1]["batch_id"] == result.batch_id


def test_disabled_bureau_cannot_upload(
    db: Path, users: dict[str, User], tmp_path: Path, ref: Reference
) -> None:
    with connect(db, write=True) as con:
        accounts.set_active(con, "jieyang", active=False, actor="root")
        disabled = accounts.get_user(con, "jieyang")
    assert disabled is not None and not disabled.can_upload
    path = write(tmp_path, "own.csv", f"{JIEYANG},{ACTIVITIES},2018Q3,3,")
    before = content(db)
    result = load_file(path, db=db, user=disabled, ref=ref)
    assert rules(result) == [("role-cannot-upload", None)]
    assert content(db) == before


@pytest.mark.parametrize("dry_run", [False, True])
def test_session_of_a_disabled_account_cannot_upload(
    db: Path, users: dict[str, User], tmp_path: Path, ref: Reference, dry_run: bool
) -> None:
    """The audit's H4: the session still holds the account as it was at login (active); an admin
    disables it; the upload is refused where it is written, the account re-read there."""
    session = users["bureau"]
    with connect(db, write=True) as con:
        accounts.set_active(con, "jieyang", active=False, actor="root")
    path = write(tmp_path, "own.csv", f"{JIEYANG},{ACTIVITIES},2018Q3,3,")
    before, logged = content(db), len(audit_rows(db))
    result = load_file(path, db=db, user=session, dry_run=dry_run, ref=ref)
    assert (result.status, result.batch_id, rules(result)) == (
        "rejected",
        None,
        [("account-disabled", None)],
    )
    (issue,) = result.issues
    assert (
        issue.message("zh") == "账号 jieyang 已被停用（或已不存在），不能上报数据，本次上传未保存"
    )
    assert issue.fix("en") == "ask an admin to enable the account again"
    assert content(db) == before
    (row,) = audit_rows(db)[logged:]
    assert (row["actor"], row["action"], row["target"], row["batch_id"]) == (
        "jieyang",
        "upload_rejected",
        "own.csv",
        None,
    )
    assert row["detail"]["errors"] == ["account-disabled"]


def test_session_of_an_account_whose_rights_changed_cannot_upload(
    db: Path, users: dict[str, User], tmp_path: Path, ref: Reference
) -> None:
    """A bureau moved to another region (or made a planner) while logged in: the upload checked
    against the old rights is refused, and succeeds once the session has the new account."""
    session = users["bureau"]
    path = write(tmp_path, "own.csv", f"{JIEYANG},{ACTIVITIES},2018Q3,3,")
    with connect(db, write=True) as con:
        accounts.set_role(con, "jieyang", role="bureau", region_code=SHANTOU, actor="root")
        moved = accounts.get_user(con, "jieyang")
    before = content(db)
    result = load_file(path, db=db, user=session, ref=ref)
    assert rules(result) == [("account-changed", None)]
    assert result.issues[0].message("en") == (
        "account jieyang's rights were changed by an admin (was bureau 445200, now bureau"
        " 440500); nothing was saved"
    )
    assert content(db) == before
    assert moved is not None
    again = load_file(path, db=db, user=moved, ref=ref)  # the new scope: 揭阳 is outside it
    assert rules(again) == [("region-out-of-scope", 2)]

    with connect(db, write=True) as con:
        accounts.set_role(con, "jieyang", role="planner", region_code=None, actor="root")
    before = content(db)
    shantou = write(tmp_path, "shantou.csv", f"{SHANTOU},{ACTIVITIES},2018Q3,3,")
    assert rules(load_file(shantou, db=db, user=moved, ref=ref)) == [("account-changed", None)]
    assert content(db) == before
    assert [(r["actor"], r["action"], r["target"], r["detail"]) for r in audit_rows(db)[3:5]] == [
        ("root", "user_role", "jieyang", {"role": "bureau", "region_code": SHANTOU}),
        ("jieyang", "upload_rejected", "own.csv",
         {"region": JIEYANG, "errors": ["account-changed"]}),
    ]  # fmt: skip


def test_a_disabled_or_demoted_admin_loses_admin_actions_at_once(
    db: Path, users: dict[str, User]
) -> None:
    """The session's admin copy is re-read inside every admin action."""
    from service import api as service

    session = users["admin"]
    with connect(db, write=True) as con:
        accounts.add_user(con, username="root2", password=ADMIN_PW, role="admin",
                          region_code=None, actor="root")  # fmt: skip
        accounts.set_role(con, "root", role="planner", region_code=None, actor="root2")
    before, logged = content(db), len(audit_rows(db))
    refusals: dict[str, Callable[[], object]] = {
        "add_user": lambda: service.add_user(
            db,
            actor=session,
            username="shantou",
            password="shantou-pass",
            role="bureau",
            region_code=SHANTOU,
        ),
        "set_active": lambda: service.set_active(db, "jieyang", active=False, actor=session),
        "set_role": lambda: service.set_role(
            db, "jieyang", role="planner", region_code=None, actor=session
        ),
        "set_lock": lambda: service.set_lock(db, "2018Q3", locked=True, actor=session),
    }
    for name, action in refusals.items():
        with pytest.raises(AccountError, match="only an admin"):
            action()
        assert content(db) == before, name
    with connect(db, write=True) as con, pytest.raises(AccountError, match="only an admin"):
        accounts.set_lock(con, "2018Q3", locked=True, actor=session)
    assert len(audit_rows(db)) == logged
    assert content(db) == before


# --------------------------------------------------------------------------------------------
# quarter locks


def test_locked_quarter_is_rejected_naming_who_and_when_then_unlocked(
    db: Path, users: dict[str, User], tmp_path: Path, ref: Reference
) -> None:
    path = write(
        tmp_path,
        "jieyang-2018Q3.csv",
        f"{JIEYANG},{ACTIVITIES},2018Q3,3,",
        f"{JIEXI},{ACTIVITIES},2018Q3,1,",
    )
    with connect(db, write=True) as con:
        accounts.set_lock(con, "2018Q3", locked=True, actor=users["admin"], reason="approved")
        locked = accounts.locks(con)
    assert list(locked) == ["2018Q3"]
    by, at = locked["2018Q3"]
    assert by == "root"

    before, logged = content(db), len(audit_rows(db))
    result = load_file(path, db=db, user=users["bureau"], ref=ref)
    assert result.status == "rejected"
    assert rules(result) == [("period-locked", 2), ("period-locked", 3)]
    for issue in result.issues:
        assert issue.severity == "error"
        assert "root" in issue.message("zh") and "root" in issue.message("en")
        beijing = at + dt.timedelta(hours=8)  # stored as UTC, shown in Beijing time
        assert f"{beijing:%Y-%m-%d %H:%M}（北京时间）" in issue.message("zh")
        assert f"{beijing:%Y-%m-%d %H:%M} (Beijing time)" in issue.message("en")
    assert content(db) == before
    assert new_audit_rows(db, logged) == [("jieyang", "upload_rejected", "jieyang-2018Q3.csv")]

    with connect(db, write=True) as con:
        accounts.set_lock(con, "2018Q3", locked=False, actor=users["admin"])
        assert accounts.locks(con) == {}
    unlock = audit_rows(db)[-1]
    assert (unlock["actor"], unlock["action"], unlock["target"]) == ("root", "unlock", "2018Q3")
    lock = [r for r in audit_rows(db) if r["action"] == "lock"]
    assert [(r["actor"], r["target"], r["detail"]) for r in lock] == [
        ("root", "2018Q3", {"reason": "approved"})
    ]

    again = load_file(path, db=db, user=users["bureau"], ref=ref)
    assert (again.status, again.rows_new, rules(again)) == ("committed", 2, [])


def test_other_quarters_stay_open_while_one_is_locked(
    db: Path, users: dict[str, User], tmp_path: Path, ref: Reference
) -> None:
    with connect(db, write=True) as con:
        accounts.set_lock(con, "2018Q2", locked=True, actor=users["admin"])
    path = write(tmp_path, "q3.csv", f"{JIEYANG},{ACTIVITIES},2018Q3,3,")
    result = load_file(path, db=db, user=users["bureau"], ref=ref)
    assert (result.status, rules(result)) == ("committed", [])


@pytest.mark.parametrize("role", ["bureau", "planner"])
def test_only_an_admin_can_lock(db: Path, users: dict[str, User], role: str) -> None:
    logged = len(audit_rows(db))
    with connect(db, write=True) as con:
        with pytest.raises(AccountError, match="only an admin"):
            accounts.set_lock(con, "2018Q3", locked=True, actor=users[role])
        accounts.set_lock(con, "2018Q3", locked=True, actor=users["admin"])
        with pytest.raises(AccountError, match="only an admin"):
            accounts.set_lock(con, "2018Q3", locked=False, actor=users[role])
        assert con.execute("SELECT period, action, actor FROM period_lock_events").fetchall() == [
            ("2018Q3", "lock", "root")
        ]
        assert list(accounts.locks(con)) == ["2018Q3"]
    assert new_audit_rows(db, logged) == [("root", "lock", "2018Q3")]


# --------------------------------------------------------------------------------------------
# the command line


def test_cli_manages_accounts_locks_and_prints_the_audit_log(db: Path, cli: Cli) -> None:
    d = ("--db", str(db))
    add = cli("users", "add", "root", "--role", "admin", "--password-stdin", *d,
              stdin=f"{ADMIN_PW}\n")  # fmt: skip
    assert add.returncode == 0, add.stderr
    assert add.stdout.strip() == "✓ root: admin"
    add = cli("users", "add", "jieyang", "--role", "bureau", "--region", JIEYANG,
              "--display-name", "揭阳市工信局", "--password-stdin", "--by", "root", *d,
              stdin=f"{BUREAU_PW}\n")  # fmt: skip
    assert add.returncode == 0, add.stderr
    assert add.stdout.strip() == f"✓ jieyang: bureau {JIEYANG}"
    dup = cli("users", "add", "jieyang", "--role", "bureau", "--region", JIEYANG,
              "--password-stdin", *d, stdin=f"{BUREAU_PW}\n")  # fmt: skip
    assert dup.returncode == 1 and "already exists" in dup.stderr

    listed = cli("users", "list", *d)
    assert listed.returncode == 0, listed.stderr
    assert [line.split() for line in listed.stdout.splitlines()] == [
        ["jieyang", "bureau", JIEYANG, "active", "揭阳市工信局"],
        ["root", "admin", "—", "active", "root"],
    ]
    with connect(db) as con:
        ((stored,),) = con.execute(
            "SELECT password_hash FROM users WHERE username = 'root'"
        ).fetchall()
    assert isinstance(stored, str) and stored.startswith("$argon2id$")

    off = cli("users", "disable", "jieyang", "--by", "root", *d)
    assert (off.returncode, off.stdout.strip()) == (0, "✓ jieyang: disabled"), off.stderr
    listed = cli("users", "list", *d)
    assert listed.stdout.splitlines()[0].split() == [
        "jieyang", "bureau", JIEYANG, "disabled", "揭阳市工信局"
    ]  # fmt: skip
    with connect(db, write=True) as con:
        assert accounts.authenticate(con, "jieyang", BUREAU_PW) is None
    on = cli("users", "enable", "jieyang", "--by", "root", *d)
    assert (on.returncode, on.stdout.strip()) == (0, "✓ jieyang: enabled"), on.stderr

    new_pw = "jieyang-changed-pass"
    passwd = cli("users", "passwd", "jieyang", "--password-stdin", "--by", "root", *d,
                 stdin=f"{new_pw}\n")  # fmt: skip
    assert passwd.returncode == 0, passwd.stderr
    assert passwd.stdout.strip() == "✓ jieyang: password changed"
    with connect(db, write=True) as con:
        assert accounts.authenticate(con, "jieyang", BUREAU_PW) is None
        user = accounts.authenticate(con, "jieyang", new_pw)
    assert user is not None and (user.role, user.region_code) == ("bureau", JIEYANG)
    missing = cli("users", "disable", "nobody", *d)
    assert missing.returncode == 1 and "no user nobody" in missing.stderr

    refused = cli("lock", "--period", "2018Q3", "--user", "jieyang", *d)
    assert refused.returncode == 1 and "only an admin" in refused.stderr
    lock = cli("lock", "--period", "2018Q3", "--user", "root", "--reason", "approved", *d)
    assert (lock.returncode, lock.stdout.strip()) == (0, "✓ 2018Q3: locked by root"), lock.stderr
    with connect(db) as con:
        assert list(accounts.locks(con)) == ["2018Q3"]
    unlock = cli("unlock", "--period", "2018Q3", "--user", "root", *d)
    assert unlock.returncode == 0, unlock.stderr
    assert unlock.stdout.strip() == "✓ 2018Q3: unlocked by root"
    with connect(db) as con:
        assert accounts.locks(con) == {}

    log = cli("audit", "--json", *d)
    assert log.returncode == 0, log.stderr
    records = json.loads(log.stdout)
    assert isinstance(records, list) and all(isinstance(r, dict) for r in records)
    got = [(r["actor"], r["action"], r["target"]) for r in records]
    assert got == [  # newest first
        ("root", "unlock", "2018Q3"),
        ("root", "lock", "2018Q3"),
        ("jieyang", "login", None),
        ("jieyang", "login_failed", None),
        ("root", "user_passwd", "jieyang"),
        ("root", "user_enable", "jieyang"),
        ("jieyang", "login_failed", None),
        ("root", "user_disable", "jieyang"),
        ("root", "user_add", "jieyang"),
        ("cli", "user_add", "root"),
        ("init", "units_add", "units.csv"),  # init registered the bundled units
    ]
    assert [r["audit_id"] for r in records] == sorted(
        (r["audit_id"] for r in records), reverse=True
    )
    assert json.loads(records[1]["detail"]) == {"reason": "approved"}
    only = json.loads(cli("audit", "--json", "--actor", "root", "--action", "lock", *d).stdout)
    assert [(r["actor"], r["action"], r["target"]) for r in only] == [("root", "lock", "2018Q3")]


def test_cli_load_applies_the_users_scope(db: Path, users: dict[str, User], cli: Cli) -> None:
    before, logged = content(db), len(audit_rows(db))
    path = str(FIXTURES / "region-out-of-scope.csv")
    result = cli("load", path, "--db", str(db), "--user", "jieyang", "--json")
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["status"], summary["accepted"], summary["batch_id"]) == (
        "rejected",
        False,
        None,
    )
    assert [(i["rule"], i["row"], i["value"]) for i in summary["issues"]] == [
        ("region-out-of-scope", 3, SHANTOU)
    ]
    # --region cannot widen the account's scope
    wider = cli("load", path, "--db", str(db), "--user", "jieyang", "--region", "440000", "--json")
    assert wider.returncode == 1, wider.stderr
    assert [i["rule"] for i in json.loads(wider.stdout)["issues"]] == ["region-out-of-scope"]
    assert content(db) == before
    assert new_audit_rows(db, logged) == [
        ("jieyang", "upload_rejected", "region-out-of-scope.csv"),
        ("jieyang", "upload_rejected", "region-out-of-scope.csv"),
    ]

    unknown = cli("load", path, "--db", str(db), "--user", "nobody", "--json")
    assert unknown.returncode == 1 and "no user nobody" in unknown.stderr
    assert content(db) == before

    admin = cli("load", path, "--db", str(db), "--user", "root", "--json")
    assert admin.returncode == 0, admin.stderr
    done = json.loads(admin.stdout)
    assert (done["status"], done["new"]) == ("committed", 2)
    assert new_audit_rows(db, logged)[-1] == ("root", "upload_commit", "region-out-of-scope.csv")
    assert audit_rows(db)[-1]["batch_id"] == done["batch_id"]


def test_cli_load_refuses_a_planner(db: Path, users: dict[str, User], cli: Cli) -> None:
    before, logged = content(db), len(audit_rows(db))
    path = str(FIXTURES / "region-out-of-scope.csv")
    planner = cli("load", path, "--db", str(db), "--user", "planner", "--json")
    assert planner.returncode == 1
    assert planner.stdout, planner.stderr[-800:]  # a verdict, not a traceback
    summary = json.loads(planner.stdout)
    assert summary["status"] == "rejected"
    assert [(i["rule"], i["row"]) for i in summary["issues"]] == [("role-cannot-upload", None)]
    assert content(db) == before
    assert new_audit_rows(db, logged) == [("planner", "upload_rejected", "region-out-of-scope.csv")]


# --------------------------------------------------------------------------------------------
# sample mode and the demo accounts


def test_demo_accounts_log_in_on_the_sample_warehouse_only(
    sample_db: Path, db: Path, tmp_path: Path
) -> None:
    sample = copy_db(sample_db, tmp_path)
    with connect(sample, write=True) as con:
        for username, password, role, region, name in DEMO_ACCOUNTS:
            user = accounts.authenticate(con, username, password)
            assert user is not None, username
            assert (user.username, user.role, user.region_code, user.display_name, user.active) == (
                username, role, region, name, True
            )  # fmt: skip
            assert accounts.authenticate(con, username, f"{password}-wrong") is None
    assert [(a, b) for a, b, _ in new_audit_rows(sample, 0)][-6:] == [
        ("demo-bureau", "login"),
        ("demo-bureau", "login_failed"),
        ("demo-planner", "login"),
        ("demo-planner", "login_failed"),
        ("demo-admin", "login"),
        ("demo-admin", "login_failed"),
    ]

    before = len(audit_rows(db))
    with connect(db, write=True) as con:
        assert accounts.list_users(con).height == 0
        for username, password, *_ in DEMO_ACCOUNTS:
            assert accounts.authenticate(con, username, password) is None
    assert new_audit_rows(db, before) == [("unknown", "login_failed", None)] * len(DEMO_ACCOUNTS)


# --------------------------------------------------------------------------------------------
# the dashboard (AppTest)


def dashboard(db: Path) -> AppTest:
    """The dashboard with its sidebar, on the warehouse at ``db``.

    AppTest resets Streamlit's "pages directory" flag before every run, so with ``pages/`` beside
    ``dashboard.py`` a rerun executes only the current page, without ``dashboard.py`` (and so
    without the sidebar's login form).  Switching to the main script, which a page-only run
    registers, runs ``dashboard.py`` whole again, and keeps doing so until the next switch."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["db_path"] = db
    at.run()
    at.run()
    at.switch_page("dashboard.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_pw").input(password)
    (submit,) = [b for b in at.button if b.label == t("login.submit") and b.form_id == "login"]
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(f"{r}\n" for r in rows)).encode()


def uploaded_as_bureau(sample_db: Path, tmp_path: Path) -> tuple[AppTest, Path]:
    db = copy_db(sample_db, tmp_path)
    at = log_in(dashboard(db), "demo-bureau", "demo-bureau-pass")
    assert t("login.as", name="揭阳市工信局（演示）", role=t("role.bureau")) in [
        c.value for c in at.sidebar.caption
    ]
    at.switch_page("pages/upload.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at, db


def test_login_form_refuses_a_wrong_password(sample_db: Path, tmp_path: Path) -> None:
    db = copy_db(sample_db, tmp_path)
    at = log_in(dashboard(db), "demo-bureau", "wrong-password")
    # (The form's error is not asserted: under AppTest this run lands on the hidden home page,
    # whose switch to the overview reruns the script without the submitted form.)
    assert "user" not in at.session_state
    assert [w.key for w in at.sidebar.text_input] == ["login_user", "login_pw"]  # still the form
    assert t("login.demo") in [c.value for c in at.sidebar.caption]  # sample mode: documented
    assert new_audit_rows(db, 0)[-1] == ("demo-bureau", "login_failed", None)


def test_upload_page_rejects_a_bureau_row_outside_its_region(
    sample_db: Path, tmp_path: Path
) -> None:
    at, db = uploaded_as_bureau(sample_db, tmp_path)
    region = at.selectbox(key="upload_region")
    assert region.options == [
        "揭阳市 445200", "榕城区 445202", "揭东区 445203", "揭西县 445222", "惠来县 445224",
        "普宁市 445281",
    ]  # fmt: skip
    region.set_value(JIEYANG).run()
    assert at.selectbox(key="upload_quarter").value == "2014Q2"
    before = content(db)
    data = csv_bytes(f"{JIEYANG},{PLATFORMS},2014Q2,2,", f"{SHANTOU},{PLATFORMS},2014Q2,3,")
    at.file_uploader(key="upload_file").set_value(("jieyang-2014Q2.csv", data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    issues = at.dataframe[0].value
    assert issues[[t("col.row"), t("col.column"), t("col.rule"), t("col.message")]].to_dict(
        "records"
    ) == [
        {
            t("col.row"): 3,
            t("col.column"): "region_code",
            t("col.rule"): "region-out-of-scope",
            t("col.message"): "地区“440500”不在您的上报范围（445200 揭阳市）内",
        }
    ]
    assert [e.value for e in at.main.error] == [t("upload.rejected", n=1)]
    assert not [b for b in at.button if b.key == "upload_commit"]
    assert content(db) == before


def test_upload_page_audits_uploads_as_the_logged_in_account(
    sample_db: Path, tmp_path: Path
) -> None:
    at, db = uploaded_as_bureau(sample_db, tmp_path)
    at.selectbox(key="upload_region").set_value(JIEYANG).run()
    logged = len(audit_rows(db))
    bad = csv_bytes(f"{JIEYANG},{PLATFORMS},2014Q2,2,", f"{SHANTOU},{PLATFORMS},2014Q2,3,")
    at.file_uploader(key="upload_file").set_value(("bad.csv", bad, "text/csv")).run()
    good = csv_bytes(f"{JIEYANG},{ACTIVITIES},2014Q2,2,")
    at.file_uploader(key="upload_file").set_value(("good.csv", good, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    with connect(db) as con:
        batch = con.execute(
            "SELECT batch_id, kind, uploader FROM upload_batches WHERE file_name = 'good.csv'"
        ).fetchall()
    assert [b[1:] for b in batch] == [("dry_run", "demo-bureau")]
    log = audit_rows(db)[logged:]
    assert [(r["actor"], r["action"], r["target"], r["batch_id"]) for r in log] == [
        ("demo-bureau", "upload_rejected", "bad.csv", None),
        ("demo-bureau", "upload_dry_run", "good.csv", batch[0][0]),
    ]


def test_upload_page_tells_a_planner_and_offers_no_uploader(
    sample_db: Path, tmp_path: Path
) -> None:
    db = copy_db(sample_db, tmp_path)
    at = log_in(dashboard(db), "demo-planner", "demo-planner-pass")
    at.switch_page("pages/upload.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [t("upload.planner")]
    assert len(at.file_uploader) == 0


def test_admin_page_refuses_others_and_lists_users_for_the_admin(
    sample_db: Path, tmp_path: Path
) -> None:
    db = copy_db(sample_db, tmp_path)
    at = dashboard(db)
    at.switch_page("pages/admin.py").run()
    assert [i.value for i in at.info] == [t("admin.only")]
    assert len(at.dataframe) == 0

    at = log_in(dashboard(db), "demo-bureau", "demo-bureau-pass")
    at.switch_page("pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [t("admin.only")]
    assert len(at.dataframe) == 0

    at = log_in(dashboard(db), "demo-admin", "demo-admin-pass")
    at.switch_page("pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.info) == 0
    table = at.dataframe[0].value
    assert list(table["username"]) == ["demo-admin", "demo-bureau", "demo-planner"]
    assert list(table["role"]) == ["admin", "bureau", "planner"]


def test_a_disabled_accounts_open_session_is_logged_out_with_a_notice(
    sample_db: Path, tmp_path: Path
) -> None:
    at, db = uploaded_as_bureau(sample_db, tmp_path)
    assert at.session_state["user"] == "demo-bureau"  # the session keeps only the username
    assert len(at.file_uploader) == 1
    with connect(db, write=True) as con:  # an admin, elsewhere, disables the account
        accounts.set_active(con, "demo-bureau", active=False, actor="demo-admin")
    at.run()  # the bureau's next action, on the same page
    assert not at.exception, [e.value for e in at.exception]
    assert "user" not in at.session_state
    assert len(at.file_uploader) == 0
    assert [i.value for i in at.info] == [t("upload.login")]
    at.switch_page("dashboard.py").run()  # the login box says why, until the next login
    assert [w.value for w in at.sidebar.warning] == [t("login.disabled")]
    assert [w.key for w in at.sidebar.text_input] == ["login_user", "login_pw"]
    log_in(at, "demo-planner", "demo-planner-pass")
    assert at.session_state["user"] == "demo-planner"
    assert "login_notice" not in at.session_state


def test_an_open_session_follows_a_role_change_at_once(sample_db: Path, tmp_path: Path) -> None:
    at, db = uploaded_as_bureau(sample_db, tmp_path)
    with connect(db, write=True) as con:
        accounts.set_role(con, "demo-bureau", role="planner", region_code=None, actor="demo-admin")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["user"] == "demo-bureau"
    assert [i.value for i in at.info] == [t("upload.planner")]
    assert len(at.file_uploader) == 0


# --------------------------------------------------------------------------------------------
# upload hardening


def test_xlsx_bomb_is_rejected_quickly_without_inflating(
    db: Path, users: dict[str, User], ref: Reference
) -> None:
    data = (FIXTURES / "zip-bomb.xlsx").read_bytes()
    before = content(db)
    started = time.perf_counter()
    result = load_file(data, db=db, name="zip-bomb.xlsx", user=users["bureau"], ref=ref)
    elapsed = time.perf_counter() - started
    assert rules(result) == [("zip-bomb", None)]
    assert elapsed < 1.0, f"{elapsed:.2f}s"
    tracemalloc.start()
    try:
        again = load_file(data, db=db, name="zip-bomb.xlsx", user=users["bureau"], ref=ref)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rules(again) == [("zip-bomb", None)]
    assert peak < 32 << 20, f"peak {peak / (1 << 20):.1f} MB"  # the sheet inflates to 210 MB
    assert content(db) == before
    assert [r["detail"]["errors"] for r in audit_rows(db)[-2:]] == [["zip-bomb"], ["zip-bomb"]]


def test_a_bureau_for_a_region_that_does_not_exist_is_refused(db: Path) -> None:
    """L3: an account scoped to ``4452`` would see every upload refused as out of scope."""
    with connect(db, write=True) as con, pytest.raises(AccountError) as refused:
        accounts.add_user(con, username="typo", password="typo-password", role="bureau",
                          region_code="4452", display_name=None, actor="test")  # fmt: skip
    assert str(refused.value) == (
        "没有地区代码 4452：请使用 6 位行政区划代码（如 445200 揭阳市）"
        " / no region 4452: use a 6-digit region code (e.g. 445200 for 揭阳市)"
    )
    with connect(db) as con:
        assert accounts.get_user(con, "typo") is None


def test_the_audit_table_shows_beijing_time_and_the_os_user(
    sample_db: Path, tmp_path: Path
) -> None:
    """L3: the admin page's audit log is in Beijing time, labelled, like every other page."""
    db = copy_db(sample_db, tmp_path)
    at = log_in(dashboard(db), "demo-admin", "demo-admin-pass")
    at.switch_page("pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    audit_table = next(d.value for d in at.dataframe if t("col.os_user") in d.value.columns)
    with connect(db) as con:
        (logged_at,) = con.execute(
            "SELECT logged_at FROM audit_log WHERE action = 'login' ORDER BY audit_id DESC LIMIT 1"
        ).fetchone() or (None,)
    assert logged_at is not None
    first = audit_table.iloc[0]
    assert first[t("col.action")] == "login"
    assert first[t("col.when")] == f"{logged_at + dt.timedelta(hours=8):%Y-%m-%d %H:%M}"
    assert t("col.os_user") in audit_table.columns
