"""Login throttling: failure counters, a growing delay and a lock-out.

Two counters are kept for every attempt, and a login is refused while either is locked out:

* **per username**, in the warehouse (``login_failures``), so that every server process and the
  command line share it.  Only existing accounts get a row; for a name nobody has, the counter
  lives in this process's memory under the name's SHA-256, so that what a visitor types (it may
  be a mistyped password) is never written anywhere;
* **per session**, kept by the caller (the dashboard keeps it in the Streamlit session) and passed
  in and out as an :class:`Attempts` value, so that one visitor cannot spray many usernames.

After ``max_failures`` consecutive failures (5) the counter is locked for ``lockout`` (15 min);
while locked, no password is checked.  A success, an expired lock-out or ``lockout`` without a
failure starts the count afresh.  Each failure also earns a growing delay (0.5 s, 1 s, 2 s, …) that
the caller waits before answering.  The lock-out can be shortened for tests with
``TARGET_MONITOR_LOGIN_LOCKOUT_SECONDS`` (read in :func:`policy`, nowhere else).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import duckdb

USERNAME = re.compile(r"[a-z0-9._-]{1,64}")
LOCKOUT_ENV = "TARGET_MONITOR_LOGIN_LOCKOUT_SECONDS"
_UNKNOWN_KEEP = 4096  # names nobody has, remembered by hash (oldest forgotten first)


def valid_username(name: object) -> bool:
    """1-64 characters of ``a-z 0-9 . _ -``: checked before anything touches the warehouse."""
    return isinstance(name, str) and USERNAME.fullmatch(name) is not None


@dataclass(frozen=True)
class Policy:
    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    first_delay: float = 0.5  # seconds after the first failure, doubling with each one
    max_delay: float = 8.0

    def delay(self, failures: int) -> float:
        """How long to wait before answering the ``failures``-th consecutive failure."""
        if failures <= 0:
            return 0.0
        return float(min(self.first_delay * 2 ** (failures - 1), self.max_delay))


def policy() -> Policy:
    """The policy in force: 5 failures lock out for 15 minutes, unless the environment variable
    ``TARGET_MONITOR_LOGIN_LOCKOUT_SECONDS`` gives another lock-out (the browser tests use it)."""
    raw = os.environ.get(LOCKOUT_ENV, "").strip()
    if not raw:
        return Policy()
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{LOCKOUT_ENV} must be a number of seconds, not {raw!r}") from None
    if seconds <= 0:
        raise ValueError(f"{LOCKOUT_ENV} must be positive, not {raw!r}")
    return Policy(lockout=dt.timedelta(seconds=seconds))


@dataclass(frozen=True)
class Attempts:
    """Consecutive failed logins of one username or one session."""

    failures: int = 0
    last_failed_at: dt.datetime | None = None  # naive UTC, as the warehouse stores time
    locked_until: dt.datetime | None = None

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def current(self, now: dt.datetime, rules: Policy) -> Attempts:
        """This record as it stands at ``now``: an expired lock-out, or failures older than the
        lock-out window, start the count afresh."""
        if self.locked_until is not None:
            return self if now < self.locked_until else Attempts()
        if self.last_failed_at is not None and now - self.last_failed_at >= rules.lockout:
            return Attempts()
        return self

    def failed(self, now: dt.datetime, rules: Policy) -> Attempts:
        """The record after one more failure at ``now`` (locked once the limit is reached)."""
        count = self.failures + 1
        until = now + rules.lockout if count >= rules.max_failures else None
        return Attempts(count, now, until)


# --- per-username counters --------------------------------------------------------------------

_unknown: OrderedDict[str, Attempts] = OrderedDict()
_unknown_lock = threading.Lock()


def _digest(username: str) -> str:
    return hashlib.sha256(username.encode()).hexdigest()


def load(con: duckdb.DuckDBPyConnection, username: str, *, known: bool) -> Attempts:
    """The stored counter of ``username`` (of an existing account when ``known``)."""
    if not known:
        with _unknown_lock:
            return _unknown.get(_digest(username), Attempts())
    row = con.execute(
        "SELECT failures, last_failed_at, locked_until FROM login_failures WHERE username = ?",
        [username],
    ).fetchone()
    return Attempts(int(row[0]), row[1], row[2]) if row is not None else Attempts()


def save(con: duckdb.DuckDBPyConnection, username: str, attempts: Attempts, *, known: bool) -> None:
    """Store (or, when it is empty, forget) the counter of ``username``."""
    if not known:
        key = _digest(username)
        with _unknown_lock:
            _unknown.pop(key, None)
            if attempts.failures:
                _unknown[key] = attempts
                while len(_unknown) > _UNKNOWN_KEEP:
                    _unknown.popitem(last=False)
        return
    if not attempts.failures:
        con.execute("DELETE FROM login_failures WHERE username = ?", [username])
        return
    # An upsert on the key, not DuckDB's non-portable insert `OR REPLACE`: one atomic statement
    # in DuckDB, PostgreSQL and SQLite alike, so two servers counting a failure for the same name
    # at once cannot both find no row and then collide on the key (as DELETE + INSERT could).
    con.execute(
        "INSERT INTO login_failures (username, failures, last_failed_at, locked_until)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET failures = excluded.failures,"
        " last_failed_at = excluded.last_failed_at, locked_until = excluded.locked_until",
        [username, attempts.failures, attempts.last_failed_at, attempts.locked_until],
    )
