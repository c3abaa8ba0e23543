"""Named read queries.  Each takes keyword parameters, binds values (never formats them into
SQL) and returns a Polars frame.  Pages and exports call these and nothing else."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from model.clock import end_of_day_utc

# The one definition of a key's current value: its latest revision among the reports a query
# selects.  :func:`latest_revision` appends it to a SELECT over ``reports`` after the WHERE or
# SEMI JOIN that narrows them (to a cut-off, to some keys), so that the window runs over those
# rows only: DuckDB does not push a filter applied outside it below it.  The view current_reports
# (migrations/002_facts.sql) is this over every report; report_aggregates, which reads every key,
# computes the same value as a hash aggregate, about three times faster there.
_LATEST_REVISION = """
QUALIFY row_number() OVER (
    PARTITION BY region_code, indicator, period ORDER BY revision DESC) = 1
"""


def latest_revision(select: str) -> str:
    """``select`` (``SELECT … FROM reports …``) narrowed to each key's latest revision."""
    return select + _LATEST_REVISION


def frame(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, object] | None = None
) -> pl.DataFrame:
    """Run ``query`` with bound ``params`` and return all rows as a Polars frame."""
    result: pl.DataFrame = con.sql(query, params=params).pl()
    return result


def current_reports(
    con: duckdb.DuckDBPyConnection,
    *,
    known_on: dt.date | None = None,
    region_code: str | None = None,
    indicator: str | None = None,
    indicators: list[str] | None = None,
) -> pl.DataFrame:
    """The current value of every key, or the value known at the end of ``known_on`` (Beijing
    time: only revisions submitted by then count)."""
    cutoff = end_of_day_utc(known_on) if known_on else None
    return frame(
        con,
        latest_revision("""
        SELECT region_code, indicator, period, value, note, revision, batch_id, source_row,
               submitted_by, submitted_at
        FROM reports
        WHERE ($cutoff IS NULL OR submitted_at < $cutoff)
          AND ($region IS NULL OR region_code = $region)
          AND ($indicator IS NULL OR indicator = $indicator)
          AND ($indicators IS NULL OR list_contains($indicators, indicator))
        """),
        {"cutoff": cutoff, "region": region_code, "indicator": indicator, "indicators": indicators},
    ).sort("region_code", "indicator", "period")


def report_aggregates(
    con: duckdb.DuckDBPyConnection,
    *,
    reporters: pl.DataFrame,
    known_on: dt.date | None,
    due_days: int,
) -> pl.DataFrame:
    """Per indicator, reporting group (jurisdiction, level) and quarter, over the revisions known
    at the end of ``known_on`` (None: every revision stored): sum and max of the values, reports
    received, reports on time (the key's first revision submitted by the end of the due day,
    quarter end + ``due_days``, in Beijing time; timestamps are stored as UTC)."""
    con.register("_reporters", reporters)
    try:
        return frame(
            con,
            """
            WITH known AS (  -- each key's latest revision known then (as an aggregate: see
                             -- _LATEST_REVISION), and its first submission
                SELECT region_code, indicator, period,
                       arg_max(value, revision) AS value,
                       min(submitted_at) AS first_submitted
                FROM reports
                WHERE $cutoff IS NULL OR submitted_at < $cutoff
                GROUP BY region_code, indicator, period
            )
            SELECT k.indicator, g.jurisdiction, g.level, k.period,
                   sum(k.value) AS total, max(k.value) AS top, count(*) AS received,
                   count(*) FILTER (
                       WHERE k.first_submitted < p.end_date + to_days($due + 1) - INTERVAL 8 HOUR
                   ) AS on_time
            FROM known k
            JOIN _reporters g ON g.code = k.region_code
            JOIN periods p ON p.period = k.period
            GROUP BY ALL
            """,
            {"cutoff": end_of_day_utc(known_on) if known_on else None, "due": due_days},
        )
    finally:
        con.unregister("_reporters")


def report_history(
    con: duckdb.DuckDBPyConnection, *, region_code: str, indicator: str, period: str
) -> pl.DataFrame:
    """Every revision of one key, oldest first, with the batch and file it came from."""
    return frame(
        con,
        """
        SELECT r.revision, r.value, r.note, r.submitted_by, r.submitted_at, r.batch_id,
               b.file_name, r.source_row
        FROM reports r JOIN upload_batches b USING (batch_id)
        WHERE r.region_code = $region AND r.indicator = $indicator AND r.period = $period
        ORDER BY r.revision
        """,
        {"region": region_code, "indicator": indicator, "period": period},
    )


def previous_quarter_values(con: duckdb.DuckDBPyConnection, *, keys: pl.DataFrame) -> pl.DataFrame:
    """Current values of ``keys`` (region_code, indicator, period): used for trend warnings."""
    con.register("_keys", keys.select("region_code", "indicator", "period").unique())
    try:
        return frame(
            con,
            latest_revision("""
            SELECT region_code, indicator, period, value
            FROM reports SEMI JOIN _keys USING (region_code, indicator, period)
            """),
        )
    finally:
        con.unregister("_keys")


def batches(
    con: duckdb.DuckDBPyConnection,
    *,
    region_code: str | None = None,
    known_on: dt.date | None = None,
    limit: int = 100,
) -> pl.DataFrame:
    """Upload batches, newest first; for a region, those uploaded for it or touching it or one
    of its registered units; with ``known_on``, those finished by the end of that day."""
    return frame(
        con,
        """
        SELECT batch_id, kind, source, file_name, sha256, uploader, region_code, rows_total,
               rows_new, rows_changed, rows_unchanged, rows_rejected, started_at, finished_at,
               json_array_length(issues) AS issue_count
        FROM upload_batches b
        WHERE ($region IS NULL OR b.region_code = $region
               OR EXISTS (SELECT 1 FROM reports r
                          WHERE r.batch_id = b.batch_id AND r.region_code = $region)
               OR EXISTS (SELECT 1 FROM reports r JOIN current_units u ON u.code = r.region_code
                          WHERE r.batch_id = b.batch_id AND u.parent_code = $region))
          AND ($cutoff IS NULL OR b.finished_at < $cutoff)
        ORDER BY batch_id DESC
        LIMIT $limit
        """,
        {
            "region": region_code,
            "limit": limit,
            "cutoff": end_of_day_utc(known_on) if known_on else None,
        },
    )


def batch_issues(con: duckdb.DuckDBPyConnection, *, batch_id: int) -> pl.DataFrame:
    """The full issue list recorded with a batch."""
    return frame(
        con,
        """
        SELECT i.rule, i.severity, i.file, i.sheet, i.row, i.column, i.value,
               i.message_zh, i.message_en, i.fix_zh, i.fix_en
        FROM (SELECT unnest(from_json(issues, '[{"rule": "VARCHAR", "severity": "VARCHAR",
                 "file": "VARCHAR", "sheet": "VARCHAR", "row": "INTEGER", "column": "VARCHAR",
                 "value": "VARCHAR", "message_zh": "VARCHAR", "message_en": "VARCHAR",
                 "fix_zh": "VARCHAR", "fix_en": "VARCHAR"}]')) AS i
              FROM upload_batches WHERE batch_id = $batch)
        """,
        {"batch": batch_id},
    )


def warehouse_info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())


def table_counts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Rows per table: a quick health check for ``target-monitor init``."""
    return frame(
        con,
        """
        SELECT 'documents' AS "table", count(*) AS "rows" FROM documents
        UNION ALL SELECT 'indicators', count(*) FROM indicators
        UNION ALL SELECT 'targets', count(*) FROM targets
        UNION ALL SELECT 'parameters', count(*) FROM parameters
        UNION ALL SELECT 'regions', count(*) FROM regions
        UNION ALL SELECT 'periods', count(*) FROM periods
        UNION ALL SELECT 'reports', count(*) FROM reports
        UNION ALL SELECT 'upload_batches', count(*) FROM upload_batches
        UNION ALL SELECT 'published_figures', count(*) FROM published_figures
        """,
    )


def region_period_counts(
    con: duckdb.DuckDBPyConnection, *, known_on: dt.date | None, due_days: int
) -> pl.DataFrame:
    """Reports received and received on time per region and quarter, known at the end of
    ``known_on`` (None: every report stored)."""
    return frame(
        con,
        """
        WITH known AS (
            SELECT region_code, indicator, period,
                   min(submitted_at) AS first_submitted
            FROM reports
            WHERE $cutoff IS NULL OR submitted_at < $cutoff
            GROUP BY ALL
        )
        SELECT k.region_code, k.period, count(*) AS received,
               count(*) FILTER (
                   WHERE k.first_submitted < p.end_date + to_days($due + 1) - INTERVAL 8 HOUR
               ) AS on_time
        FROM known k JOIN periods p USING (period)
        GROUP BY ALL
        """,
        {"cutoff": end_of_day_utc(known_on) if known_on else None, "due": due_days},
    )


def total_gaps(
    con: duckdb.DuckDBPyConnection,
    *,
    reporters: pl.DataFrame,
    pairs: pl.DataFrame,
    indicators: list[str] | None = None,
    periods: list[str] | None = None,
    known_on: dt.date | None = None,
    batch: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Where a jurisdiction's own total and the roll-up of the level below both exist for an
    indicator and quarter: ``jurisdiction, indicator, period, total, rollup, reporters`` (how
    many regions the roll-up adds up).  ``reporters``: code, jurisdiction, level; ``pairs``:
    jurisdiction, indicator, level (the level whose roll-up a total is compared with);
    ``batch`` (region_code, indicator, period, value): rows about to be loaded, counted as the
    latest revision of their keys."""
    overlay = batch if batch is not None else pl.DataFrame(
        schema={"region_code": pl.String, "indicator": pl.String, "period": pl.String,
                "value": pl.Float64}
    )  # fmt: skip
    con.register("_groups", reporters)
    con.register("_pairs", pairs)
    con.register("_batch", overlay.select("region_code", "indicator", "period", "value"))
    try:
        return frame(
            con,
            """
            WITH stored AS (
                SELECT region_code, indicator, period, arg_max(value, revision) AS value
                FROM reports
                WHERE ($cutoff IS NULL OR submitted_at < $cutoff)
                  AND ($indicators IS NULL OR list_contains($indicators, indicator))
                  AND ($periods IS NULL OR list_contains($periods, period))
                GROUP BY ALL
            ), cur AS (
                SELECT * FROM stored ANTI JOIN _batch USING (region_code, indicator, period)
                UNION ALL
                SELECT region_code, indicator, period, value FROM _batch
            ), totals AS (
                SELECT p.jurisdiction, p.level, c.indicator, c.period, c.value AS total
                FROM cur c JOIN _pairs p
                  ON c.region_code = p.jurisdiction AND c.indicator = p.indicator
            ), rollups AS (
                SELECT g.jurisdiction, g.level, c.indicator, c.period,
                       sum(c.value) AS rollup, count(*) AS reporters
                FROM cur c JOIN _groups g ON g.code = c.region_code
                GROUP BY ALL
            )
            SELECT t.jurisdiction, t.indicator, t.period, t.total, r.rollup, r.reporters
            FROM totals t JOIN rollups r USING (jurisdiction, level, indicator, period)
            ORDER BY ALL
            """,
            {
                "cutoff": end_of_day_utc(known_on) if known_on else None,
                "indicators": indicators,
                "periods": periods,
            },
        )
    finally:
        for name in ("_groups", "_pairs", "_batch"):
            con.unregister(name)


def has_reports(
    con: duckdb.DuckDBPyConnection, *, region_codes: list[str], periods: list[str]
) -> bool:
    """Whether any report of these regions for these quarters is stored."""
    rows = con.execute(  # fetchall: a result left unread would hold the connection
        """
        SELECT EXISTS (SELECT 1 FROM reports
                       WHERE list_contains($codes, region_code)
                         AND list_contains($periods, period))
        """,
        {"codes": region_codes, "periods": periods},
    ).fetchall()
    return bool(rows and rows[0][0])
