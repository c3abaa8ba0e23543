"""Write facts: compare a validated batch with what is known, then append it in one transaction.

Nothing here updates or deletes a report.  A key reported again with a different value becomes a
new revision; an identical value is counted as unchanged and not written.  The ``upload_batches``
row that marks a batch committed is inserted last, inside the same transaction as its reports, so
a batch is either wholly there (with its marker) or not there at all.

Revisions ("current + 1") are computed inside the load's transaction from what it reads, which is
right only if no other writer computes them for the same key at the same time.  So the first
statement of every load claims its batch id from the one-row ``batch_counter``
(``migrations/007_batch_counter.sql``): two loads open at once both update that row, DuckDB
refuses the second ("Conflict on update"), and :func:`commit_batch` rolls it back and runs it
again, now reading the first load's revisions.  This does not rely on the process lock or on
DuckDB's one-writing-process file lock, and it is how PostgreSQL would serialise the loads too
(the second ``UPDATE`` waits for the first transaction to commit).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import polars as pl

from model.clock import utc_now
from model.issues import Issue
from warehouse.audit import audit
from warehouse.queries import latest_revision

BatchKind = Literal["committed", "dry_run"]

_CURRENT = latest_revision("""
    SELECT region_code, indicator, period, value, note, source, revision
    FROM reports
    SEMI JOIN _incoming USING (region_code, indicator, period)
""")
# The incoming keys' current values, as warehouse.queries defines them (fixed SQL text, no values)
_COMPARE = f"""
WITH latest AS ({_CURRENT})
SELECT
    i.region_code, i.indicator, i.period, i.value, i.note, i.source, i._row,
    l.value AS current_value,
    coalesce(l.revision, 0) AS current_revision,
    CASE
        WHEN l.revision IS NULL THEN 'new'
        WHEN l.value <> i.value OR (i.note IS NOT NULL AND i.note IS DISTINCT FROM l.note)
            -- a new source for the same value is a new revision: provenance is part of the
            -- figure (docs/methodology.md, "Sources"); a row without a source keeps the old one
            OR (i.source IS NOT NULL AND i.source IS DISTINCT FROM l.source)
            THEN 'changed'
        ELSE 'unchanged'
    END AS status
FROM _incoming i
LEFT JOIN latest l USING (region_code, indicator, period)
"""  # noqa: S608

_INSERT_REPORTS = """
INSERT INTO reports (region_code, indicator, period, revision, value, note, batch_id,
                     source_row, submitted_by, submitted_at, source)
SELECT region_code, indicator, period, current_revision + 1, value, note, ?, _row, ?, ?, source
FROM _compared
WHERE status IN ('new', 'changed')
"""

# Every row new (no report of any of its quarters yet): revision 1, straight from the frame.
_INSERT_NEW = """
INSERT INTO reports (region_code, indicator, period, revision, value, note, batch_id,
                     source_row, submitted_by, submitted_at, source)
SELECT region_code, indicator, period, 1, value, note, ?, _row, ?, ?, source
FROM _incoming
"""

_ANY_OF_PERIODS = """
SELECT count(*) FROM (
    SELECT 1 FROM reports WHERE period IN (SELECT unnest(?::VARCHAR[])) LIMIT 1
)
"""

_INSERT_BATCH = """
INSERT INTO upload_batches (batch_id, kind, source, file_name, sha256, uploader, region_code,
    rows_total, rows_new, rows_changed, rows_unchanged, rows_rejected, issues, started_at,
    finished_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


@dataclass
class BatchCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class BatchRecord:
    """What is written to ``upload_batches`` for one file."""

    file_name: str
    sha256: str
    uploader: str
    region_code: str | None
    source: str
    rows_total: int
    rows_rejected: int
    issues: Sequence[Issue]
    started_at: dt.datetime
    submitted_at: dt.datetime | None = None  # set only for back-filled data such as the sample
    counts: BatchCounts = field(default_factory=BatchCounts)


def find_committed(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    """The batch that already committed a file with this checksum, if any."""
    row = con.execute(
        "SELECT min(batch_id) FROM upload_batches WHERE sha256 = ? AND kind = 'committed'",
        [sha256],
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def unchanged(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> bool:
    """Whether every row equals the current value of its key (nothing new, nothing changed)."""
    if _all_new(con, rows):
        return rows.height == 0
    counts = _compare(con, rows)
    con.execute("DROP TABLE _compared")
    return counts.new == 0 and counts.changed == 0


def _incoming(rows: pl.DataFrame) -> pl.DataFrame:
    if "source" not in rows.columns:  # a frame from before sources (or without any)
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("source"))
    return rows.select("region_code", "indicator", "period", "value", "note", "source", "_row")


def _compare(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> BatchCounts:
    con.register("_incoming", _incoming(rows))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _compared AS {_COMPARE}")
    con.unregister("_incoming")
    counts = dict(con.execute("SELECT status, count(*) FROM _compared GROUP BY 1").fetchall())
    return BatchCounts(counts.get("new", 0), counts.get("changed", 0), counts.get("unchanged", 0))


def _all_new(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> bool:
    """True when ``reports`` holds no report of any quarter in ``rows``: then no row's key is
    known and every row is new, with nothing to compare.  (A cheap, sufficient test: when it
    says False, the rows are compared key by key.)"""
    periods = rows["period"].unique().to_list()
    ((found,),) = con.execute(_ANY_OF_PERIODS, [periods]).fetchall()
    return int(found) == 0


def compare(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> pl.DataFrame:
    """Each incoming row with its current value and status (new / changed / unchanged)."""
    _compare(con, rows)
    frame: pl.DataFrame = con.sql("SELECT * FROM _compared ORDER BY _row").pl()
    con.execute("DROP TABLE _compared")
    return frame


def _record(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    kind: BatchKind,
    rec: BatchRecord,
    finished: dt.datetime,
) -> None:
    issues: list[dict[str, Any]] = [i.as_dict() for i in rec.issues]
    con.execute(
        _INSERT_BATCH,
        [
            batch_id,
            kind,
            rec.source,
            rec.file_name,
            rec.sha256,
            rec.uploader,
            rec.region_code,
            rec.rows_total,
            rec.counts.new,
            rec.counts.changed,
            rec.counts.unchanged,
            rec.rows_rejected,
            json.dumps(issues, ensure_ascii=False),
            rec.started_at,
            finished,
        ],
    )


_CLAIM_BATCH = "UPDATE batch_counter SET last_batch_id = last_batch_id + 1 RETURNING last_batch_id"


def _claim_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    """The next batch id, claimed by updating the one counter row: the point where concurrent
    loads meet (see the module's docstring).  It must be the transaction's first statement."""
    ((batch_id,),) = con.execute(_CLAIM_BATCH).fetchall()
    return int(batch_id)


def _is_conflict(exc: duckdb.Error) -> bool:
    """DuckDB's write-write conflict ("Conflict on update!", "Transaction conflict …")."""
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()


def commit_batch(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    record: BatchRecord,
    *,
    dry_run: bool,
    on_written: Callable[[], None] | None = None,
    audit_actor: str | None = None,
    retry_for: float = 60.0,
    audit_action: str | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> int:
    """Compare and (unless ``dry_run``) append ``rows`` and the batch marker in one transaction.

    ``rows`` has ``region_code, indicator, period, value, note, _row`` and optionally
    ``source`` (where each figure came from; null when not given).  Returns the batch id;
    ``record.counts`` is filled in.  When ``reports`` holds nothing of the batch's quarters yet
    (the usual case for a new quarter), every row is new: there is nothing to compare, and the
    rows go in straight from the frame.

    A transaction refused because another load was writing at the same time is rolled back and
    run again (compare included) with back-off, for up to ``retry_for`` seconds; after that the
    conflict is raised.
    """
    start = time.monotonic()
    delay = 0.05
    while True:
        try:
            return _commit_once(
                con,
                rows,
                record,
                dry_run=dry_run,
                on_written=on_written,
                audit_actor=audit_actor,
                audit_action=audit_action,
                audit_detail=audit_detail,
            )
        except duckdb.TransactionException as exc:
            if not _is_conflict(exc) or time.monotonic() - start >= retry_for:
                raise
        time.sleep(delay * (1 + random.random()))  # jitter, not cryptography
        delay = min(delay * 2, 1.0)


def _commit_once(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    record: BatchRecord,
    *,
    dry_run: bool,
    on_written: Callable[[], None] | None,
    audit_actor: str | None,
    audit_action: str | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> int:
    con.execute("BEGIN TRANSACTION")
    try:
        batch_id = _claim_batch_id(con)  # first: a concurrent load conflicts here
        all_new = _all_new(con, rows)
        if all_new:
            record.counts = BatchCounts(new=rows.height)
        else:
            record.counts = _compare(con, rows)
        finished = record.submitted_at or utc_now()
        if not dry_run and all_new:
            con.register("_incoming", _incoming(rows))
            try:
                con.execute(_INSERT_NEW, [batch_id, record.uploader, finished])
            finally:
                con.unregister("_incoming")
        elif not dry_run:
            con.execute(_INSERT_REPORTS, [batch_id, record.uploader, finished])
        if on_written is not None:
            on_written()  # reports are in, the batch marker is not: the transaction is open
        if not all_new:
            con.execute("DROP TABLE _compared")
        _record(con, batch_id, "dry_run" if dry_run else "committed", record, finished)
        if audit_actor is not None:  # in the same transaction as the batch it records
            audit(
                con,
                at=finished,
                actor=audit_actor,
                action=audit_action or ("upload_dry_run" if dry_run else "upload_commit"),
                target=record.file_name,
                batch_id=batch_id,
                detail={
                    "region": record.region_code,
                    "new": record.counts.new,
                    "changed": record.counts.changed,
                    "unchanged": record.counts.unchanged,
                    **(audit_detail or {}),
                },
            )
        con.execute("COMMIT")
    except BaseException:
        # a refused COMMIT has already rolled back, and then there is nothing to roll back
        with contextlib.suppress(duckdb.TransactionException):
            con.execute("ROLLBACK")
        raise
    return batch_id
