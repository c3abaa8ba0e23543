"""The audit log's one writer: who did what, when, to which file, quarter or account.

A command-line process names its OS user once (:func:`set_process_user`); every row it writes then
records that user beside the account it claimed, since the CLI takes ``--user`` without a password.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb

_process_user: str | None = None


def set_process_user(name: str | None) -> None:
    """Record ``name`` (``getpass.getuser()`` in the CLI) on every audit row this process writes."""
    global _process_user
    _process_user = name


def process_user() -> str | None:
    return _process_user


def audit(
    con: duckdb.DuckDBPyConnection,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    target: str | None = None,
    batch_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit row, inside the caller's transaction if one is open."""
    con.execute(
        "INSERT INTO audit_log (audit_id, logged_at, actor, action, target, batch_id, detail,"
        " os_user) VALUES (nextval('audit_id_seq'), ?, ?, ?, ?, ?, ?, ?)",
        [
            at,
            actor,
            action,
            target,
            batch_id,
            json.dumps(detail or {}, ensure_ascii=False),
            _process_user,
        ],
    )
