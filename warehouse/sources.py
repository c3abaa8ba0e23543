"""Named queries about where figures came from: each report's source and batch, its revisions,
the published figures and which quarters came from them (issue 11, item 4).

Like :mod:`warehouse.queries`: keyword parameters, values bound (never formatted into SQL),
Polars frames back.  ``known_on`` keeps the revisions submitted by the end of that day (Beijing
time), as :func:`warehouse.queries.current_reports` does; None keeps every revision.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from model.clock import end_of_day_utc
from warehouse.queries import frame, latest_revision

PUBLISHED = "published"  # upload_batches.source of a batch of adopted published figures

_CURRENT_WITH_SOURCE = latest_revision("""
    SELECT region_code, indicator, period, value, note, source, revision, batch_id,
           submitted_by, submitted_at
    FROM reports
    WHERE ($cutoff IS NULL OR submitted_at < $cutoff)
      AND list_contains($indicators, indicator)
      AND ($region IS NULL OR region_code = $region)
""")

_CURRENT_OF_KEYS = latest_revision("""
    SELECT region_code, indicator, period, value, source, batch_id
    FROM reports SEMI JOIN _keys USING (region_code, indicator, period)
""")


def _cutoff(known_on: dt.date | None) -> dt.datetime | None:
    return end_of_day_utc(known_on) if known_on else None


def figure_sources(
    con: duckdb.DuckDBPyConnection,
    *,
    indicators: list[str],
    known_on: dt.date | None = None,
    region_code: str | None = None,
) -> pl.DataFrame:
    """The current figure of every key of ``indicators`` (at one region, or all): value, note,
    source, revision, and the batch it came from (file, batch source: upload, sample or
    published)."""
    return frame(
        con,
        f"""
        WITH current AS ({_CURRENT_WITH_SOURCE})
        SELECT c.region_code, c.indicator, c.period, c.value, c.note, c.source, c.revision,
               c.batch_id, b.file_name, b.source AS batch_source, c.submitted_by,
               c.submitted_at
        FROM current c JOIN upload_batches b USING (batch_id)
        ORDER BY c.region_code, c.indicator, c.period
        """,  # noqa: S608 - fixed SQL text; values are bound
        {"cutoff": _cutoff(known_on), "indicators": indicators, "region": region_code},
    )


def revision_history(
    con: duckdb.DuckDBPyConnection,
    *,
    region_code: str,
    indicator: str,
    period: str,
    known_on: dt.date | None = None,
) -> pl.DataFrame:
    """Every revision of one key, oldest first: value, note, source, who and when, and the
    batch and file it came from."""
    return frame(
        con,
        """
        SELECT r.revision, r.value, r.note, r.source, r.submitted_by, r.submitted_at,
               r.batch_id, b.file_name, b.source AS batch_source, r.source_row
        FROM reports r JOIN upload_batches b USING (batch_id)
        WHERE r.region_code = $region AND r.indicator = $indicator AND r.period = $period
          AND ($cutoff IS NULL OR r.submitted_at < $cutoff)
        ORDER BY r.revision
        """,
        {
            "region": region_code,
            "indicator": indicator,
            "period": period,
            "cutoff": _cutoff(known_on),
        },
    )


def published_periods(
    con: duckdb.DuckDBPyConnection,
    *,
    indicators: list[str],
    region_code: str,
    known_on: dt.date | None = None,
) -> pl.DataFrame:
    """The quarters whose current figure of ``indicators`` at ``region_code`` came from a batch
    of adopted published figures (``upload_batches.source = 'published'``): indicator, period,
    value, source."""
    return frame(
        con,
        f"""
        WITH current AS ({_CURRENT_WITH_SOURCE})
        SELECT c.indicator, c.period, c.value, c.source
        FROM current c JOIN upload_batches b USING (batch_id)
        WHERE b.source = $published
        ORDER BY c.indicator, c.period
        """,  # noqa: S608 - fixed SQL text; values are bound
        {
            "cutoff": _cutoff(known_on),
            "indicators": indicators,
            "region": region_code,
            "published": PUBLISHED,
        },
    )


def published_figures(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every row of ``published_figures`` (data/published/), in a stable order."""
    return frame(
        con,
        """
        SELECT indicator, source_key, region, region_code, year_label, year, value_text, value,
               qualifier, unit, source, source_date, quote, confidence
        FROM published_figures
        ORDER BY source_key, region, year_label
        """,
    )


def current_batch_sources(con: duckdb.DuckDBPyConnection, *, keys: pl.DataFrame) -> pl.DataFrame:
    """For ``keys`` (region_code, indicator, period): the current revision's value, source and
    the source of its batch (upload, sample or published); keys never reported are absent."""
    con.register("_keys", keys.select("region_code", "indicator", "period").unique())
    try:
        return frame(
            con,
            f"""
            WITH current AS ({_CURRENT_OF_KEYS})
            SELECT c.region_code, c.indicator, c.period, c.value, c.source, c.batch_id,
                   b.source AS batch_source
            FROM current c JOIN upload_batches b USING (batch_id)
            """,  # noqa: S608 - fixed SQL text
        )
    finally:
        con.unregister("_keys")


def non_published_reports(con: duckdb.DuckDBPyConnection) -> int:
    """How many reports came from a batch other than adopted published figures."""
    ((count,),) = con.execute(
        "SELECT count(*) FROM reports r JOIN upload_batches b USING (batch_id) WHERE b.source <> ?",
        [PUBLISHED],
    ).fetchall()
    return int(count)
