"""Login throttling and the data version (issue 13, audit M3/M4), on real DuckDB files.

The clock is pinned (``now=``) rather than slept through: five failures lock an account for 15
minutes, and the tests step the clock across the lock-out.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from etl.load import Reference, load_file, reference
from service import api as service
from warehouse import accounts, throttle
from warehouse.accounts import User
from warehouse.connect import connect, data_version
from warehouse.throttle import Attempts, Policy

PASSWORD = "jieyang-secret-pass"
ADMIN_PW = "root-secret-pass"
T0 = dt.datetime(2030, 3, 1, 9, 0, 0)  # naive UTC, as the warehouse stores time
RULES = Policy()  # 5 failures → 15 minutes


@pytest.fixture(scope="module")
def ref() -> Reference:
    return reference()


@pytest.fixture
def db(fresh_db: Path) -> Path:
    """A copy of the empty warehouse built for the run, with an admin and a bureau."""
    path = fresh_db
    with connect(path, write=True) as con:
        accounts.add_user(con, username="root", password=ADMIN_PW, role="admin",
                          region_code=None, actor="cli")  # fmt: skip
        accounts.add_user(con, username="jieyang", password=PASSWORD, role="bureau",
                          region_code="445200", actor="root")  # fmt: skip
    return path


def log(db: Path) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    with connect(db) as con:
        rows = con.execute(
            "SELECT actor, action, target, detail FROM audit_log ORDER BY audit_id"
        ).fetchall()
    return [(a, b, c, json.loads(d)) for a, b, c, d in rows]


def attempt(
    db: Path, username: str, password: str, at: dt.datetime, session: Attempts | None = None
) -> accounts.LoginResult:
    with connect(db, write=True) as con:
        return accounts.login(con, username, password, session=session, now=at, rules=RULES)


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.fixture(autouse=True)
def _forget_unknown_names() -> None:
    """Names nobody has are counted in this process's memory: each test starts clean."""
    throttle._unknown.clear()


# --- lock-out --------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_fifteen_minutes(db: Path) -> None:
    logged = len(log(db))
    outcomes = [attempt(db, "jieyang", f"wrong-{i}", T0 + minutes(i)) for i in range(5)]
    assert [(r.outcome, r.remaining) for r in outcomes] == [
        ("failed", 4), ("failed", 3), ("failed", 2), ("failed", 1), ("locked", None)
    ]  # fmt: skip
    assert [r.delay for r in outcomes[:4]] == [0.5, 1.0, 2.0, 4.0]  # the growing delay
    locked_at = T0 + minutes(4)
    assert outcomes[4].locked_until == locked_at + minutes(15)

    # The 6th attempt, with the right password, is refused without checking it.
    sixth = attempt(db, "jieyang", PASSWORD, locked_at + minutes(1))
    assert (sixth.outcome, sixth.user, sixth.locked_until) == (
        "locked", None, locked_at + minutes(15)
    )  # fmt: skip
    just_before = locked_at + minutes(15) - dt.timedelta(seconds=1)
    assert attempt(db, "jieyang", PASSWORD, just_before).outcome == "locked"

    # Once the lock-out has passed, the right password works, and the count starts afresh.
    ok = attempt(db, "jieyang", PASSWORD, locked_at + minutes(15))
    assert ok.outcome == "ok" and ok.user is not None and ok.user.username == "jieyang"
    with connect(db) as con:
        assert con.execute("SELECT count(*) FROM login_failures").fetchone() == (0,)

    rows = log(db)[logged:]
    assert [(a, b, c) for a, b, c, _ in rows] == [
        *[("jieyang", "login_failed", None)] * 5,
        ("jieyang", "login_locked", None),  # exactly one row for the lock-out
        ("jieyang", "login", None),  # refused attempts while locked are not checked or logged
    ]
    assert rows[5][3] == {
        "until": (locked_at + minutes(15)).isoformat(timespec="seconds"),
        "counters": ["account"],  # each attempt here came from a fresh session
        "failures": 5,
    }


def test_each_lock_out_is_logged_once(db: Path) -> None:
    logged = len(log(db))
    at = T0
    for _ in range(2):  # two lock-outs, each reached after the previous one expired
        for _ in range(5):
            attempt(db, "jieyang", "wrong", at)
        for _ in range(3):
            assert attempt(db, "jieyang", "wrong", at + minutes(1)).outcome == "locked"
        at += minutes(16)
    actions = [b for _, b, _, _ in log(db)[logged:]]
    assert actions.count("login_locked") == 2
    assert actions.count("login_failed") == 10


def test_failures_are_shared_by_every_process(db: Path, tmp_path: Path) -> None:
    """The per-username counter lives in the warehouse: four failures in another process and
    one here lock the account for this process too."""
    script = (
        "import sys, datetime as dt\n"
        "from pathlib import Path\n"
        "from warehouse import accounts\n"
        "from warehouse.connect import connect\n"
        "at = dt.datetime.fromisoformat(sys.argv[2])\n"
        "with connect(Path(sys.argv[1]), write=True) as con:\n"
        "    for _ in range(4):\n"
        "        assert accounts.login(con, 'jieyang', 'wrong', now=at).outcome == 'failed'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(db), T0.isoformat()],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert attempt(db, "jieyang", "wrong", T0 + minutes(1)).outcome == "locked"
    assert attempt(db, "jieyang", PASSWORD, T0 + minutes(2)).outcome == "locked"


def test_failures_older_than_the_lock_out_window_are_forgotten(db: Path) -> None:
    for i in range(4):
        attempt(db, "jieyang", "wrong", T0 + minutes(i))
    later = attempt(db, "jieyang", "wrong", T0 + minutes(3 + 15))
    assert (later.outcome, later.remaining) == ("failed", 4)


def test_a_session_spraying_usernames_is_locked_out(db: Path) -> None:
    session: Attempts | None = None
    names = ["jieyang", "root", "nobody", "planner-x", "guangzhou"]
    for i, name in enumerate(names):
        result = attempt(db, name, "wrong", T0 + minutes(i), session)
        session = result.session
    assert result.outcome == "locked"
    assert session is not None and session.locked(T0 + minutes(5))
    # the session cannot log in even with a right password; another session can
    assert attempt(db, "root", ADMIN_PW, T0 + minutes(6), session).outcome == "locked"
    assert attempt(db, "root", ADMIN_PW, T0 + minutes(6)).outcome == "ok"
    locked = [(a, d["counters"]) for a, b, _, d in log(db) if b == "login_locked"]
    assert locked == [("unknown", ["session"])]  # guangzhou has no account


# --- what a visitor can write ------------------------------------------------------------------


@pytest.mark.parametrize(
    "username",
    ["x" * 200_000, "Jieyang", "jie yang", "demo admin pass", "", "jieyang\n", "揭阳", "a" * 65],
)
def test_an_invalid_username_touches_nothing(db: Path, username: str) -> None:
    before = log(db)
    with connect(db) as con:
        failures = con.execute("SELECT count(*) FROM login_failures").fetchone()
    slept: list[float] = []
    result = service.login(db, username, "whatever-password", sleep=slept.append)
    assert (result.outcome, result.user, result.session) == ("invalid", None, Attempts())
    assert attempt(db, username, "whatever-password", T0).outcome == "invalid"
    assert log(db) == before
    with connect(db) as con:
        assert con.execute("SELECT count(*) FROM login_failures").fetchone() == failures
    assert slept == []
    # never opened: a path that is not a warehouse does not matter
    missing = db.with_name("missing.duckdb")
    assert service.login(missing, username, "x").outcome == "invalid"
    assert not missing.exists()


def test_unknown_usernames_are_audited_as_unknown_and_never_stored(db: Path) -> None:
    typed = "demo-admin-pass"  # a password typed into the username box
    for i in range(6):
        attempt(db, typed, "whatever", T0 + minutes(i))
    rows = log(db)
    assert [(a, b) for a, b, _, _ in rows[-6:]] == [
        *[("unknown", "login_failed")] * 5,
        ("unknown", "login_locked"),
    ]  # the 6th attempt is refused as locked, like a real account's: no oracle
    assert attempt(db, typed, "whatever", T0 + minutes(7)).outcome == "locked"
    with connect(db, write=True) as con:
        stored = [
            table
            for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            if typed in repr(con.execute(f'SELECT * FROM "{table}"').fetchall())
        ]
    assert stored == []


def test_a_long_password_is_refused_unhashed(db: Path) -> None:
    result = attempt(db, "jieyang", "p" * 200_000, T0)
    assert result.outcome == "failed"
    assert log(db)[-1][:2] == ("jieyang", "login_failed")


def test_service_login_waits_the_growing_delay_after_a_failure(db: Path) -> None:
    slept: list[float] = []
    session = None
    for _ in range(4):
        result = service.login(db, "jieyang", "wrong", session=session, sleep=slept.append)
        session = result.session
    assert slept == [0.5, 1.0, 2.0, 4.0]
    result = service.login(db, "jieyang", PASSWORD, session=session, sleep=slept.append)
    assert result.user is not None and result.session == Attempts()
    assert slept == [0.5, 1.0, 2.0, 4.0]


def test_lockout_is_configurable_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(throttle.LOCKOUT_ENV, raising=False)
    assert throttle.policy() == Policy(max_failures=5, lockout=minutes(15))
    monkeypatch.setenv(throttle.LOCKOUT_ENV, "20")
    assert throttle.policy().lockout == dt.timedelta(seconds=20)
    monkeypatch.setenv(throttle.LOCKOUT_ENV, "soon")
    with pytest.raises(ValueError, match=throttle.LOCKOUT_ENV):
        throttle.policy()


def test_the_dummy_hash_is_computed_on_first_use_not_at_import() -> None:
    script = (
        "from warehouse import accounts\n"
        "assert accounts._dummy_hash.cache_info().currsize == 0\n"
        "print(accounts._dummy_hash().startswith('$argon2id$'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr


# --- the data version ----------------------------------------------------------------------------


def test_logins_leave_the_data_version_alone_and_changes_move_it(
    db: Path, tmp_path: Path, ref: Reference
) -> None:
    with connect(db) as con:
        admin = accounts.get_user(con, "root")
        bureau = accounts.get_user(con, "jieyang")
    assert admin is not None and bureau is not None
    start = data_version(db)
    assert isinstance(start, tuple) and hash(start) is not None

    for password in ("wrong", "", PASSWORD, "wrong-again"):  # failed logins and a success
        attempt(db, "jieyang", password, T0)
    attempt(db, "nobody", "wrong", T0)
    service.login(db, "Not A Name", "x")
    assert data_version(db) == start

    def moved(change: Any) -> None:
        before = data_version(db)
        change()
        after = data_version(db)
        assert after != before
        assert data_version(db) == after  # stable until the next change

    csv = tmp_path / "jieyang.csv"
    csv.write_text(
        "地区代码,指标,报告期,数值\n445200,local_service_activities,2018Q3,3\n", encoding="utf-8"
    )

    def commit() -> None:
        assert load_file(csv, db=db, user=bureau, ref=ref).status == "committed"

    def dry_run() -> None:
        assert load_file(csv, db=db, user=bureau, dry_run=True, ref=ref).status == "dry_run"

    moved(dry_run)  # the batch list shows dry runs
    moved(commit)
    moved(lambda: service.set_lock(db, "2018Q3", locked=True, actor=admin))
    moved(lambda: service.set_lock(db, "2018Q3", locked=False, actor=admin))
    moved(lambda: service.set_active(db, "jieyang", active=False, actor=admin))
    moved(lambda: service.set_active(db, "jieyang", active=True, actor=admin))
    moved(lambda: service.set_role(db, "jieyang", role="planner", region_code=None, actor=admin))
    moved(lambda: service.add_user(db, actor=admin, username="shantou",
                                   password="shantou-pass", role="bureau",
                                   region_code="440500"))  # fmt: skip

    def passwd() -> None:
        with connect(db, write=True) as con:
            accounts.set_password(con, "shantou", "another-pass", actor="root")

    moved(passwd)
    settled = data_version(db)
    for i in range(6):  # failures, a lock-out and its audit row
        attempt(db, "shantou", "wrong", T0 + minutes(i))
    assert data_version(db) == settled


def test_data_version_of_a_missing_warehouse_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.duckdb"
    assert data_version(missing) == (0, 0, 0, 0)
    assert not missing.exists()


def test_the_upload_account_check_sees_the_user_as_stored(db: Path) -> None:
    with connect(db) as con:
        stored = accounts.get_user(con, "jieyang")
        assert stored is not None
        assert accounts.upload_refusals(con, stored, "f.csv") == []
        assert accounts.upload_refusals(con, None, "f.csv") == []
        ghost = User("ghost", "bureau", "445200", "ghost")
        assert [i.rule for i in accounts.upload_refusals(con, ghost, "f.csv")] == [
            "account-disabled"
        ]
