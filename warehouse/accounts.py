"""Accounts, roles, quarter locks and the audit log.

* **bureau** — uploads and revises figures for its own region and the regions below it;
* **planner** — reads and exports everything, cannot upload;
* **admin** — manages users, locks and unlocks quarters, may upload for any region.

Passwords are hashed with argon2id (``argon2-cffi``); only the hash is stored.  Scope and locks are
enforced where data is written (:func:`etl.load.load_file`), not by hiding buttons.  The login
form in the dashboard is one way in; an identity provider (``st.login``) can later supply the
username instead, and everything here stays the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from warehouse.audit import audit as write_audit
from warehouse.facts import utc_now
from warehouse.queries import frame

Role = Literal["bureau", "planner", "admin"]
ROLES: tuple[Role, ...] = ("bureau", "planner", "admin")
_HASHER = PasswordHasher()
# A hash of nothing anyone knows, so that an unknown user costs as much time as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-password-anyone-uses")


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
    if role not in ROLES:
        raise AccountError(f"角色只能是 {'/'.join(ROLES)} / role must be one of {', '.join(ROLES)}")
    if role == "bureau" and not region_code:
        raise AccountError("地方账号必须指定地区 / a bureau account needs --region")
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


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    """The user when the password matches an active account; every attempt is audited."""
    row = con.execute(
        "SELECT password_hash, active FROM users WHERE username = ?", [username]
    ).fetchone()
    stored = row[0] if row else _DUMMY_HASH
    try:
        ok = _HASHER.verify(stored, password) and row is not None and bool(row[1])
    except (VerifyMismatchError, InvalidHashError):
        ok = False
    audit(con, actor=username, action="login" if ok else "login_failed")
    return get_user(con, username) if ok else None


def set_active(con: duckdb.DuckDBPyConnection, username: str, *, active: bool, actor: str) -> None:
    if get_user(con, username) is None:
        raise AccountError(f"没有账号 {username} / no user {username}")
    con.execute("UPDATE users SET active = ? WHERE username = ?", [active, username])
    audit(con, actor=actor, action="user_enable" if active else "user_disable", target=username)


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
    if actor.role != "admin":
        raise AccountError(
            "只有管理员可以锁定或解锁季度 / only an admin can lock or unlock quarters"
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
        SELECT audit_id, logged_at, actor, action, target, batch_id, detail
        FROM audit_log
        WHERE ($actor IS NULL OR actor = $actor)
          AND ($action IS NULL OR action = $action)
          AND ($since IS NULL OR logged_at >= $since)
        ORDER BY audit_id DESC
        LIMIT $limit
        """,
        {"actor": actor, "action": action, "since": since, "limit": limit},
    )
