"""Accounts, roles, quarter locks and the audit log.

* **bureau** — uploads and revises figures for its own region and the regions below it;
* **planner** — reads and exports everything, cannot upload;
* **admin** — manages users, locks and unlocks quarters, may upload for any region.

Passwords are hashed with argon2id (``argon2-cffi``); only the hash is stored.  Scope and locks are
enforced where data is written (:func:`etl.load.load_file`), not by hiding buttons.  The login
form in the dashboard is one way in; an identity provider (``st.login``) can later supply the
username instead, and everything here stays the same.

A session's account is re-read from ``users`` at every action (issue 13): :func:`upload_refusals`
inside the load's write connection, :func:`require_admin` inside every admin action's, so that a
disabled or changed account loses its rights at once.  Logins are throttled
(:mod:`warehouse.throttle`): usernames are validated before anything is read, a name nobody has
is audited as ``unknown``, and a lock-out is audited once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import duckdb
import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from model.clock import utc_now
from model.issues import Issue, make_issue
from warehouse import throttle
from warehouse.audit import audit as write_audit
from warehouse.queries import frame
from warehouse.throttle import Attempts, Policy

Role = Literal["bureau", "planner", "admin"]
ROLES: tuple[Role, ...] = ("bureau", "planner", "admin")
UNKNOWN_ACTOR = "unknown"  # how the audit log names a login for a username nobody has
MAX_PASSWORD = 1024  # longer passwords are refused unhashed
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash of nothing anyone knows, so that an unknown user costs as much time as a wrong
    password; computed on first use, not at import."""
    return _HASHER.hash("not-a-password-anyone-uses")


class AccountError(ValueError):
    """A refused account operation, in Chinese and English."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    region_code: str | None
    display_name: str
    active: bool = True

    @property
    def can_upload(self) -> bool:
        return self.active and self.role in ("bureau", "admin")

    @property
    def upload_scope(self) -> str | None:
        """The region whose subtree this user may write; None means every region (admin)."""
        return self.region_code if self.role == "bureau" else None


def audit(
    con: duckdb.DuckDBPyConnection,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    batch_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one audit row now (in the caller's transaction, if any)."""
    write_audit(
        con,
        at=at or utc_now(),
        actor=actor,
        action=action,
        target=target,
        batch_id=batch_id,
        detail=detail,
    )


def add_user(
    con: duckdb.DuckDBPyConnection,
    *,
    username: str,
    password: str,
    role: str,
    region_code: str | None,
    display_name: str | None = None,
    actor: str,
) -> User:
    if not throttle.valid_username(username):
        raise AccountError(
            "账号名只能由 1-64 位小写字母、数字和 . _ - 组成"
            " / a username is 1-64 characters of a-z, 0-9, '.', '_' and '-'"
        )
    _check_role(role, region_code)
    _check_region(con, region_code)
    if len(password) < 8:
        raise AccountError("密码至少 8 位 / the password needs at least 8 characters")
    if get_user(con, username) is not None:
        raise AccountError(f"账号 {username} 已存在 / user {username} already exists")
    con.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?, true, ?, ?)",
        [username, _HASHER.hash(password), role, region_code, display_name or username,
         utc_now(), actor],
    )  # fmt: skip
    audit(con, actor=actor, action="user_add", target=username,
          detail={"role": role, "region_code": region_code})  # fmt: skip
    user = get_user(con, username)
    assert user is not None
    return user


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    row = con.execute(
        "SELECT username, role, region_code, display_name, active FROM users WHERE username = ?",
        [username],
    ).fetchone()
    if row is None:
        return None
    return User(row[0], row[1], row[2], row[3], bool(row[4]))


def list_users(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(
        con,
        "SELECT username, role, region_code, display_name, active, created_at, created_by "
        "FROM users ORDER BY username",
    )


def _check_role(role: str, region_code: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"角色只能是 {'/'.join(ROLES)} / role must be one of {', '.join(ROLES)}")
    if role == "bureau" and not region_code:
        raise AccountError("地方账号必须指定地区 / a bureau account needs --region")


def _check_region(con: duckdb.DuckDBPyConnection, region_code: str | None) -> None:
    """A scope must be a region the warehouse knows (in use now or once), or every upload by
    the account would be refused as out of scope with no hint why."""
    if region_code is None:
        return
    row = con.execute(
        "SELECT name FROM regions WHERE code = ? ORDER BY valid_to DESC NULLS FIRST LIMIT 1",
        [region_code],
    ).fetchone()
    if row is None:
        raise AccountError(
            f"没有地区代码 {region_code}：请使用 6 位行政区划代码（如 445200 揭阳市）"
            f" / no region {region_code}: use a 6-digit region code (e.g. 445200 for 揭阳市)"
        )


# ----------------------------------------------------------------------------------------------
# logging in (throttled)

Outcome = Literal["ok", "invalid", "failed", "locked"]


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to, with what the login form needs to say so honestly."""

    outcome: Outcome
    user: User | None = None
    session: Attempts = field(default_factory=Attempts)  # the session's counter, updated
    locked_until: dt.datetime | None = None  # UTC; when logging in is possible again
    remaining: int | None = None  # failures left before a lock-out
    delay: float = 0.0  # seconds to wait before answering (the growing delay)


def login(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    *,
    session: Attempts | None = None,
    now: dt.datetime | None = None,
    rules: Policy | None = None,
) -> LoginResult:
    """Check a login against the account and the throttle (see :mod:`warehouse.throttle`).

    An invalid username is refused before anything is read or written.  While the username or
    the session is locked out, no password is checked and nothing is written.  Every checked
    attempt is audited, as ``login`` or ``login_failed``, under the username when an account has
    it and as ``unknown`` otherwise; the failure that locks a counter also writes one
    ``login_locked`` row."""
    session = session or Attempts()
    if not throttle.valid_username(username):
        return LoginResult("invalid", session=session)
    now = now or utc_now()
    rules = rules or throttle.policy()
    session = session.current(now, rules)
    row = con.execute(
        "SELECT password_hash, active FROM users WHERE username = ?", [username]
    ).fetchone()
    known = row is not None
    account = throttle.load(con, username, known=known).current(now, rules)
    if account.locked(now) or session.locked(now):
        until = max(c.locked_until for c in (account, session) if c.locked_until and c.locked(now))
        return LoginResult("locked", session=session, locked_until=until)
    stored, active = (str(row[0]), bool(row[1])) if row is not None else (_dummy_hash(), False)
    ok = _verify(stored, password) and active
    actor = username if known else UNKNOWN_ACTOR
    after, session_after = (
        (Attempts(), Attempts()) if ok else (account.failed(now, rules), session.failed(now, rules))
    )
    newly = [
        name
        for name, before, later in (
            ("account", account, after),
            ("session", session, session_after),
        )
        if not before.locked(now) and later.locked(now)
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        throttle.save(con, username, after, known=known)
        audit(con, actor=actor, action="login" if ok else "login_failed", at=now)
        if newly:
            until = now + rules.lockout
            audit(con, actor=actor, action="login_locked", at=now,
                  detail={"until": until.isoformat(timespec="seconds"), "counters": newly,
                          "failures": max(after.failures, session_after.failures)})  # fmt: skip
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if ok:
        return LoginResult("ok", user=get_user(con, username), session=session_after)
    if newly:
        return LoginResult("locked", session=session_after, locked_until=now + rules.lockout)
    failures = max(after.failures, session_after.failures)
    return LoginResult("failed", session=session_after,
                       remaining=rules.max_failures - failures,
                       delay=rules.delay(failures))  # fmt: skip


def _verify(stored: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return bool(_HASHER.verify(stored, password))
    except (VerifyMismatchError, InvalidHashError):
        return False


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    """The user when the password matches an active account (see :func:`login`)."""
    return login(con, username, password).user


# ----------------------------------------------------------------------------------------------
# account changes, and the account as it is now


def set_active(con: duckdb.DuckDBPyConnection, username: str, *, active: bool, actor: str) -> None:
    if get_user(con, username) is None:
        raise AccountError(f"没有账号 {username} / no user {username}")
    con.execute("UPDATE users SET active = ? WHERE username = ?", [active, username])
    audit(con, actor=actor, action="user_enable" if active else "user_disable", target=username)


def set_role(
    con: duckdb.DuckDBPyConnection,
    username: str,
    *,
    role: str,
    region_code: str | None,
    actor: str,
) -> None:
    """Change an account's role and region (a bureau's scope); audited as ``user_role``."""
    if get_user(con, username) is None:
        raise AccountError(f"没有账号 {username} / no user {username}")
    _check_role(role, region_code)
    _check_region(con, region_code)
    region_code = region_code if role == "bureau" else None
    con.execute(
        "UPDATE users SET role = ?, region_code = ? WHERE username = ?",
        [role, region_code, username],
    )
    audit(con, actor=actor, action="user_role", target=username,
          detail={"role": role, "region_code": region_code})  # fmt: skip


def require_admin(
    con: duckdb.DuckDBPyConnection,
    actor: User,
    message: str = "只有管理员可以管理账号 / only an admin can manage accounts",
) -> User:
    """``actor`` as the warehouse has it now, if it is still an active admin; else refuse."""
    now = get_user(con, actor.username)
    if now is None or not now.active or now.role != "admin":
        raise AccountError(message)
    return now


def upload_refusals(
    con: duckdb.DuckDBPyConnection, user: User | None, file_name: str
) -> list[Issue]:
    """Why ``user``, as the session knew it, may not write now: the account is re-read (the
    caller holds the write connection, so it cannot change before the batch is written) and must
    still be active with the same role and region.  Empty when nothing changed, or no user."""
    if user is None:
        return []
    now = get_user(con, user.username)
    if now is None or not now.active:
        return [make_issue("account-disabled", file=file_name, value=user.username)]
    if (now.role, now.region_code) != (user.role, user.region_code):
        return [make_issue("account-changed", file=file_name, value=user.username,
                           was=_rights(user), now=_rights(now))]  # fmt: skip
    return []


def _rights(user: User) -> str:
    return f"{user.role} {user.region_code}" if user.region_code else user.role


def set_password(
    con: duckdb.DuckDBPyConnection, username: str, password: str, *, actor: str
) -> None:
    if get_user(con, username) is None:
        raise AccountError(f"没有账号 {username} / no user {username}")
    if len(password) < 8:
        raise AccountError("密码至少 8 位 / the password needs at least 8 characters")
    con.execute(
        "UPDATE users SET password_hash = ? WHERE username = ?", [_HASHER.hash(password), username]
    )
    audit(con, actor=actor, action="user_passwd", target=username)


# ----------------------------------------------------------------------------------------------
# quarter locks (as DHIS2 locks approved periods)


def locks(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dt.datetime]]:
    """Quarters locked now: period → (who locked it, when)."""
    rows = con.execute(
        """
        SELECT period, action, actor, logged_at FROM period_lock_events
        QUALIFY row_number() OVER (PARTITION BY period ORDER BY logged_at DESC, rowid DESC) = 1
        """
    ).fetchall()
    return {period: (actor, at) for period, action, actor, at in rows if action == "lock"}


def set_lock(
    con: duckdb.DuckDBPyConnection, period: str, *, locked: bool, actor: User,
    reason: str | None = None,
) -> None:  # fmt: skip
    actor = require_admin(
        con, actor, "只有管理员可以锁定或解锁季度 / only an admin can lock or unlock quarters"
    )
    action = "lock" if locked else "unlock"
    at = utc_now()
    con.execute(
        "INSERT INTO period_lock_events VALUES (?, ?, ?, ?, ?)",
        [period, action, actor.username, at, reason],
    )
    audit(con, actor=actor.username, action=action, target=period, at=at,
          detail={"reason": reason} if reason else None)  # fmt: skip


def audit_log(
    con: duckdb.DuckDBPyConnection,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    limit: int = 500,
) -> pl.DataFrame:
    return frame(
        con,
        """
        SELECT audit_id, logged_at, actor, os_user, action, target, batch_id, detail
        FROM audit_log
        WHERE ($actor IS NULL OR actor = $actor)
          AND ($action IS NULL OR action = $action)
          AND ($since IS NULL OR logged_at >= $since)
        ORDER BY audit_id DESC
        LIMIT $limit
        """,
        {"actor": actor, "action": action, "since": since, "limit": limit},
    )
