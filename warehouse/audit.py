"""The audit log's one writer: who did what, when, to which file, quarter or account."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb


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
        "INSERT INTO audit_log VALUES (nextval('audit_id_seq'), ?, ?, ?, ?, ?, ?)",
        [at, actor, action, target, batch_id, json.dumps(detail or {}, ensure_ascii=False)],
    )
