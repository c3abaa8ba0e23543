"""Benchmark: the attainment engine against the same numbers written directly in DuckDB SQL.

Builds a national-scale warehouse once (``bench/load.py``'s file: 3,000 synthetic city-level
reporters under 440000 × 40 indicators × 40 quarters = 4.8 M rows, loaded through
:func:`etl.load.load_file`), then, on one connection, times with several repetitions each:

* ``engine``: :func:`judge.engine.evaluate` — every target at the latest quarter;
* ``sql``: one DuckDB query over ``reports`` joined to the ``targets``, ``indicators``, ``regions``
  and ``periods`` tables that computes, per target:

  - the **actual** — for goals on the whole jurisdiction, the province-level (or Qingdao-level)
    figure at the latest quarter: the running sum of the flow since the window opened for
    cumulative / rate goals (restarting each year for yearly ones), the latest sum (max for
    ceilings and non-additive indicators) for stocks, numerator ÷ denominator for ratio
    indicators; for goals on each unit, the share of units meeting the threshold;
  - the **planned** value: linear from 0 (or the earlier stage's value) at the window's start to
    the value at the deadline;
  - **attainment** = actual ÷ planned (planned ÷ actual for ceilings);
  - **completeness** and timeliness: reports received (on time) ÷ expected reporter-quarters.

  It does not judge a status, project, or compute R; it leaves out the actual of relational
  goals (2) and planned / attainment of yearly whole-jurisdiction goals (their year-to-date
  rules).  Every number it does compute is asserted equal to the engine's.

The data are loaded as submitted on 2021-01-15, so that at the as-of date (2021-01-20, the latest
quarter 2020Q4) every report is known; loaded "now", none would be, and both sides would time an
empty warehouse.

Prints median and p95 per side (the two alternate, after one untimed first run each), the ratio,
the rows in the warehouse, the engine's time split into its two DuckDB queries and Python, the
peak RSS per phase in this process, and the RSS of one run of each side in a fresh process.
Usage::

    .venv/bin/python bench/status.py [--regions 3000] [--repeat 20] [--db PATH]
    .venv/bin/python bench/status.py --quick          # 100 regions, 3 runs: a smoke test
    .venv/bin/python bench/status.py --check-sample   # also check the SQL on the bundled sample
    .venv/bin/python bench/status.py --profile        # also cProfile one engine run
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import math
import os
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

from bench.load import city_indicators, generate, national_reference  # noqa: E402
from etl.build import init_warehouse  # noqa: E402
from etl.load import Reference, load_file, reference  # noqa: E402
from etl.sample import generate_sample  # noqa: E402
from judge.engine import DUE_DAYS, evaluate, now_quarter  # noqa: E402
from model.clock import end_of_day_utc  # noqa: E402
from warehouse import queries  # noqa: E402
from warehouse.connect import connect  # noqa: E402

AS_OF = dt.date(2021, 1, 20)
SUBMITTED_AT = dt.datetime(2021, 1, 15, 9, 0)  # every quarter 2011Q1-2020Q4 known at AS_OF
QUICK_REGIONS = 100
REL_TOL = 1e-9  # sums may be added in another order; the generated values are integers anyway

# ---------------------------------------------------------------------------------------------
# The SQL side: one query.  Parameters: $cutoff (the as-of timestamp the warehouse stores),
# $now (the latest quarter as an ordinal year * 4 + quarter - 1), $as_of, $due (days).

STATUS_SQL = """
WITH
reporter_versions AS (  -- one row per region version and level it reports as (engine.Reporters)
    SELECT code, jurisdiction, valid_from, valid_to,
           unnest(CASE WHEN province_administered OR code = '370200'
                       THEN list_distinct([level, 'city']) ELSE [level] END) AS level
    FROM regions
    WHERE jurisdiction <> ''
),
reporters AS (SELECT DISTINCT code, jurisdiction, level FROM reporter_versions),
quarters AS (
    SELECT period, end_date, year * 4 + quarter - 1 AS q FROM periods WHERE kind = 'quarter'
),
known AS (  -- every key's latest revision known at the as-of date, and when it first came in
    SELECT r.region_code, r.indicator, p.q, p.end_date,
           arg_max(r.value, r.revision) AS value, min(r.submitted_at) AS first_submitted
    FROM reports r
    JOIN quarters p ON p.period = r.period
    WHERE r.submitted_at < $cutoff
    GROUP BY ALL
),
cells AS (  -- per indicator, reporting group and quarter: the jurisdiction's figures
    SELECT k.indicator, g.jurisdiction, g.level, k.q,
           sum(k.value) AS total, max(k.value) AS top, count(*) AS received,
           count(*) FILTER (  -- by the end of the due day in Beijing; stored as UTC
               WHERE k.first_submitted < k.end_date + to_days($due + 1) - INTERVAL 8 HOUR
           ) AS on_time
    FROM known k
    JOIN reporters g ON g.code = k.region_code
    GROUP BY ALL
),
tg AS (  -- the targets, with what their actual is made of
    SELECT t.id, t.indicator, t.jurisdiction, t.reported_by[1] AS level, t.kind,
           t.applies_to = 'each' AS unit,
           CASE WHEN t.applies_to = 'each' THEN '>=' ELSE t.comparator END AS comparator,
           CASE WHEN t.comparator = 'between' THEN '>=' ELSE t.comparator END AS unit_comparator,
           t.recurrence = 'yearly' AS yearly,
           i.measure = 'flow' AS flow,
           coalesce(t.value, t.min_value, 0) AS threshold,
           CASE WHEN t.applies_to = 'each' THEN 100 ELSE coalesce(t.value, t.min_value, 0)
                END AS final,
           CASE WHEN t.applies_to = 'whole' THEN t.baseline_value END AS baseline,
           year(t.start_date) * 4 + quarter(t.start_date) - 1 AS start_q,
           year(t.deadline) * 4 + quarter(t.deadline) - 1 AS end_q,
           i.numerator IS NOT NULL AND i.denominator IS NOT NULL AS ratio,
           CASE WHEN i.numerator IS NOT NULL AND i.denominator IS NOT NULL
                THEN i.numerator ELSE t.indicator END AS x_ind,
           CASE WHEN i.numerator IS NOT NULL AND i.denominator IS NOT NULL
                THEN i.denominator END AS d_ind,
           CASE WHEN i.numerator IS NOT NULL AND i.denominator IS NOT NULL
                THEN i.measure = 'flow' OR n.measure = 'flow'
                ELSE i.measure = 'flow' AND t.kind IN ('cumulative', 'rate') END AS running,
           i.rollup IN ('max', 'none') OR t.kind = 'ceiling' AS use_max,
           t.kind <> 'relational' AS actual_covered,
           t.applies_to = 'each' OR (t.kind <> 'relational' AND t.recurrence <> 'yearly')
               AS planned_covered
    FROM targets t
    JOIN indicators i ON i.key = t.indicator
    LEFT JOIN indicators n ON n.key = i.numerator
),
stage AS (  -- the earlier stage of a staged goal: its value is the later stage's baseline
    SELECT t.id, arg_max(e.value, e.deadline) AS base,
           arg_max(year(e.deadline) * 4 + quarter(e.deadline) - 1, e.deadline) AS base_q
    FROM targets t
    JOIN targets e
      ON e.id <> t.id AND e.indicator = t.indicator AND e.jurisdiction = t.jurisdiction
     AND e.level = t.level AND e.applies_to = t.applies_to
     AND e.unit_kind IS NOT DISTINCT FROM t.unit_kind AND e.recurrence = t.recurrence
     AND e.deadline < t.deadline AND e.deadline >= t.start_date - INTERVAL 1 DAY
     AND e.value IS NOT NULL
    WHERE t.applies_to = 'whole'
    GROUP BY t.id
),
series AS (  -- whole-jurisdiction goals: per window quarter so far, the figure (or num, den)
    SELECT t.id, c.q,
           sum(CASE WHEN c.indicator = t.x_ind
                    THEN CASE WHEN t.use_max AND NOT t.ratio THEN c.top ELSE c.total END END) AS x,
           sum(CASE WHEN c.indicator = t.d_ind THEN c.total END) AS d
    FROM tg t
    JOIN cells c
      ON c.jurisdiction = t.jurisdiction AND c.level = t.level
     AND (c.indicator = t.x_ind OR c.indicator = t.d_ind)
     AND c.q BETWEEN t.start_q AND $now
    WHERE t.actual_covered AND NOT t.unit
    GROUP BY t.id, c.q
),
valued AS (  -- running totals where the goal counts a flow since the window (or year) opened
    SELECT s.id, s.q,
           CASE WHEN t.ratio THEN
                CASE WHEN s.x IS NOT NULL AND s.d IS NOT NULL
                          AND (CASE WHEN t.running THEN sum(s.d) OVER w ELSE s.d END) <> 0
                     THEN 100.0 * (CASE WHEN t.running THEN sum(s.x) OVER w ELSE s.x END)
                          / (CASE WHEN t.running THEN sum(s.d) OVER w ELSE s.d END) END
                WHEN s.x IS NOT NULL
                THEN CASE WHEN t.running THEN sum(s.x) OVER w ELSE s.x END END AS v
    FROM series s JOIN tg t USING (id)
    WINDOW w AS (PARTITION BY s.id, CASE WHEN t.yearly THEN s.q // 4 END ORDER BY s.q
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
unit_last AS (  -- per-unit goals: the latest window quarter so far with any unit expected
    SELECT t.id, max(p.q) AS q
    FROM tg t
    JOIN quarters p ON p.q BETWEEN t.start_q AND least($now, t.end_q)
    JOIN reporter_versions v
      ON v.jurisdiction = t.jurisdiction AND v.level = t.level
     AND v.valid_from <= p.end_date AND (v.valid_to IS NULL OR p.end_date < v.valid_to)
    WHERE t.unit
    GROUP BY t.id
),
unit_parts AS (  -- each unit expected then: its latest level, or its flow since the window
    SELECT t.id, v.code,                        -- (or the year, pro rata) opened; num and den
           CASE WHEN NOT t.flow THEN arg_max(k.value, k.q) FILTER (WHERE k.indicator = t.x_ind)
                WHEN t.yearly
                THEN sum(k.value) FILTER (WHERE k.indicator = t.x_ind AND k.q >= u.first_q) * 4
                     / (u.q - u.first_q + 1)
                ELSE sum(k.value) FILTER (WHERE k.indicator = t.x_ind AND k.q >= u.first_q)
                END AS x,
           CASE WHEN NOT t.flow THEN arg_max(k.value, k.q) FILTER (WHERE k.indicator = t.d_ind)
                WHEN t.yearly
                THEN sum(k.value) FILTER (WHERE k.indicator = t.d_ind AND k.q >= u.first_q) * 4
                     / (u.q - u.first_q + 1)
                ELSE sum(k.value) FILTER (WHERE k.indicator = t.d_ind AND k.q >= u.first_q)
                END AS d
    FROM tg t
    JOIN (SELECT id, q, CASE WHEN t.yearly THEN greatest(t.start_q, q - q % 4) ELSE t.start_q
                        END AS first_q
          FROM unit_last JOIN tg t USING (id)) u USING (id)
    JOIN quarters p ON p.q = u.q
    JOIN reporter_versions v
      ON v.jurisdiction = t.jurisdiction AND v.level = t.level
     AND v.valid_from <= p.end_date AND (v.valid_to IS NULL OR p.end_date < v.valid_to)
    LEFT JOIN known k
      ON k.region_code = v.code AND (k.indicator = t.x_ind OR k.indicator = t.d_ind)
     AND k.q <= u.q
    GROUP BY t.id, v.code, t.flow, t.yearly, u.q, u.first_q
),
unit_values AS (
    SELECT u.id, u.code,
           CASE WHEN NOT t.ratio THEN u.x
                WHEN u.x IS NOT NULL AND u.d IS NOT NULL AND u.d <> 0 THEN 100.0 * u.x / u.d
                END AS value
    FROM unit_parts u JOIN tg t USING (id)
),
latest AS (  -- the actual: the last point of the series (whole goals) or the share of units
    SELECT id, max(q) AS latest_q, arg_max(v, q) AS actual FROM valued WHERE v IS NOT NULL
    GROUP BY id
    UNION ALL
    SELECT u.id, u.q, 100.0 * count(*) FILTER (
               WHERE uv.value IS NOT NULL AND CASE t.unit_comparator
                   WHEN '>=' THEN uv.value >= t.threshold WHEN '>' THEN uv.value > t.threshold
                   WHEN '<=' THEN uv.value <= t.threshold ELSE uv.value < t.threshold END
           ) / count(*)
    FROM unit_last u JOIN unit_values uv USING (id) JOIN tg t USING (id)
    GROUP BY u.id, u.q
),
reported AS (  -- the indicators a reporter fills in for each target
    SELECT r.id,
           unnest(CASE WHEN i.numerator IS NOT NULL AND i.denominator IS NOT NULL
                       THEN [i.numerator, i.denominator] ELSE [i.key] END) AS indicator
    FROM (SELECT id, indicator AS key FROM targets
          UNION ALL
          SELECT id, reference_indicator FROM targets WHERE reference_indicator IS NOT NULL) r
    JOIN indicators i ON i.key = r.key
),
due AS (  -- window quarters whose reports were due by the as-of date, and who was expected
    SELECT t.id, t.jurisdiction, t.level, p.q, count(v.code) AS n
    FROM tg t
    JOIN quarters p
      ON p.q BETWEEN t.start_q AND least(t.end_q, $now)
     AND p.end_date + to_days($due) <= $as_of
    LEFT JOIN reporter_versions v
      ON v.jurisdiction = t.jurisdiction AND v.level = t.level
     AND v.valid_from <= p.end_date AND (v.valid_to IS NULL OR p.end_date < v.valid_to)
    GROUP BY ALL
),
completeness AS (
    SELECT d.id, sum(d.n) AS expected,
           sum(least(coalesce(c.received, 0), d.n)) AS received,
           sum(least(coalesce(c.on_time, 0), d.n)) AS on_time
    FROM due d
    JOIN reported r ON r.id = d.id
    LEFT JOIN cells c
      ON c.indicator = r.indicator AND c.jurisdiction = d.jurisdiction AND c.level = d.level
     AND c.q = d.q
    GROUP BY d.id
),
planned AS (  -- linear from the baseline (0, or the earlier stage's value) to the final value,
              -- at the quarter the actual is from (the latest quarter when there is none)
    SELECT t.id, l.latest_q, l.actual,
           CASE WHEN t.planned_covered AND $now >= t.start_q THEN
                CASE WHEN t.end_q - coalesce(s.base_q, t.start_q - 1) <= 0 THEN t.final
                     ELSE coalesce(s.base, t.baseline, 0)
                          + (t.final - coalesce(s.base, t.baseline, 0))
                          * least(greatest(
                                (least(coalesce(l.latest_q, $now), t.end_q)
                                 - coalesce(s.base_q, t.start_q - 1))
                                / (t.end_q - coalesce(s.base_q, t.start_q - 1)), 0), 1) END
           END AS planned
    FROM tg t
    LEFT JOIN latest l USING (id)
    LEFT JOIN stage s USING (id)
)
SELECT t.id AS target_id, t.actual_covered, t.planned_covered,
       p.latest_q, p.actual, p.planned,
       CASE WHEN p.actual IS NULL OR p.planned IS NULL THEN NULL
            WHEN t.comparator IN ('<=', '<') THEN CASE WHEN p.actual > 0
                                                       THEN p.planned / p.actual END
            WHEN p.planned <> 0 THEN p.actual / p.planned END AS attainment,
       CASE WHEN coalesce(c.expected, 0) > 0 THEN c.received / c.expected END AS completeness,
       CASE WHEN coalesce(c.expected, 0) > 0 THEN c.on_time / c.expected END AS timeliness,
       CASE WHEN coalesce(c.expected, 0) > 0 THEN c.received ELSE 0 END AS reports_received,
       coalesce(c.expected, 0) AS reports_expected
FROM tg t
JOIN planned p USING (id)
LEFT JOIN completeness c USING (id)
ORDER BY t.id
"""


def sql_status(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pl.DataFrame:
    """The SQL side: one query, every target, returned as a Polars frame like the engine's."""
    params: dict[str, object] = {
        "cutoff": end_of_day_utc(as_of),
        "now": now_quarter(as_of),
        "as_of": as_of,
        "due": DUE_DAYS,
    }
    result: pl.DataFrame = con.sql(STATUS_SQL, params=params).pl()
    return result


# ---------------------------------------------------------------------------------------------
# Checking the SQL against the engine


@dataclass
class Coverage:
    targets: int = 0
    actual: int = 0  # targets whose actual the SQL computes
    actual_known: int = 0  # ... of which the actual is not None (there are reports)
    planned: int = 0
    attainment: int = 0  # ... with a number on both sides
    completeness: int = 0
    mismatches: list[str] = field(default_factory=list)


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-12)
    return a == b


def compare(engine: pl.DataFrame, sql: pl.DataFrame) -> Coverage:
    """Where the SQL covers a target, its numbers must equal the engine's."""
    cov = Coverage(targets=engine.height)
    mine = {str(row["target_id"]): row for row in sql.iter_rows(named=True)}
    for row in engine.iter_rows(named=True):
        tid = str(row["target_id"])
        other = mine.get(tid)
        if other is None:
            cov.mismatches.append(f"{tid}: missing from the SQL result")
            continue
        latest = other["latest_q"]
        label = f"{latest // 4}Q{latest % 4 + 1}" if latest is not None else None
        checks: list[tuple[str, object, object]] = [
            ("completeness", row["completeness"], other["completeness"]),
            ("timeliness", row["timeliness"], other["timeliness"]),
            ("reports_received", row["reports_received"], other["reports_received"]),
            ("reports_expected", row["reports_expected"], other["reports_expected"]),
        ]
        cov.completeness += 1
        if other["actual_covered"]:
            cov.actual += 1
            cov.actual_known += row["actual"] is not None
            checks += [("actual", row["actual"], other["actual"])]
            checks += [("latest_period", row["latest_period"], label)]
        if other["planned_covered"]:
            cov.planned += 1
            cov.attainment += row["attainment"] is not None
            checks += [("planned", row["planned"], other["planned"])]
            checks += [("attainment", row["attainment"], other["attainment"])]
        for name, theirs, ours in checks:
            if not _same(theirs, ours):
                cov.mismatches.append(f"{tid}: {name} engine={theirs!r} sql={ours!r}")
    return cov


# ---------------------------------------------------------------------------------------------
# Timing and memory


def _status_kb(key: str) -> int | None:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match[1]) if match else None


def _reset_peak() -> bool:
    """Reset the process's RSS high-water mark (Linux ≥ 4.0); False when it cannot be."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    hwm = _status_kb("VmHWM")
    if hwm is None:  # not Linux: the whole run's peak so far
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return hwm / 1024


def _rss_mb() -> float:
    rss = _status_kb("VmRSS")
    return rss / 1024 if rss is not None else float("nan")


@dataclass
class Phase:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: float = 0.0  # the highest RSS while a run of the phase ran (in this process)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile (the maximum when there are fewer than 20 runs)."""
        ordered = sorted(self.seconds)
        return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


@contextmanager
def measured(phase: Phase) -> Iterator[None]:
    """Time one run of ``phase`` and record its peak RSS (exact per run on Linux)."""
    gc.collect()
    _reset_peak()
    start = time.perf_counter()
    try:
        yield
    finally:
        phase.seconds.append(time.perf_counter() - start)
        phase.peak_mb = max(phase.peak_mb, _peak_mb())


# ---------------------------------------------------------------------------------------------
# Building the warehouse


def build(db: Path, ref: Reference, codes: list[str], args: argparse.Namespace) -> list[Phase]:
    indicators = city_indicators(ref.catalogue, args.indicators)
    gen, load = Phase("generate CSV"), Phase("init_warehouse + load_file")
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "national.csv"
        with measured(gen):
            rows = generate(csv, codes, indicators, args.quarters)
        with measured(load):
            init_warehouse(db, ref=ref)
            result = load_file(
                csv,
                db=db,
                ref=ref,
                max_bytes=1 << 34,
                uploader="bench",
                submitted_at=SUBMITTED_AT,
            )
    if result.status != "committed" or result.rows_new != rows:
        problems = [(i.rule, i.row, i.value) for i in result.issues[:10]]
        raise SystemExit(f"load {result.status}: {result.rows_new} of {rows} rows; {problems}")
    return [gen, load]


def _reusable(db: Path, ref: Reference) -> bool:
    if not db.exists():
        return False
    with connect(db) as con:
        regions, reports = con.execute(
            "SELECT (SELECT count(*) FROM regions), (SELECT count(*) FROM reports)"
        ).fetchall()[0]
    return bool(regions == len(ref.regions) and reports > 0)


def check_sample() -> None:
    """The national file is uniform (every reporter, every quarter, one revision, one batch).
    The bundled sample is not: real regions with validity dates, two jurisdictions, 顺德, one
    batch per quarter.  Add corrections (revision 2) and compare at several as-of dates."""
    ref = reference()
    frame = generate_sample(ref.catalogue, ref.regions)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.duckdb"
        init_warehouse(db, sample=True, ref=ref)
        fixes = (("2013Q2", dt.datetime(2014, 3, 1, 9)), ("2013Q4", dt.datetime(2014, 5, 1, 9)))
        for seed, (period, when) in enumerate(fixes):
            part = frame.filter(pl.col("period") == period).sample(fraction=0.5, seed=seed)
            buffer = io.BytesIO()
            part.select("region_code", "indicator", "period", "value", "note").with_columns(
                value=pl.col("value") * 1.5 + 1
            ).write_csv(buffer)
            result = load_file(buffer.getvalue(), db=db, name=f"fix-{period}.csv", ref=ref,
                               submitted_at=when, uploader="bench")  # fmt: skip
            assert result.status == "committed" and result.rows_changed > 0, result.status
        days = (dt.date(2012, 4, 15), dt.date(2014, 4, 1), dt.date(2014, 7, 20), AS_OF)
        with connect(db) as con:
            for day in days:
                theirs = evaluate(con, catalogue=ref.catalogue, regions=ref.regions, as_of=day)
                cov = compare(theirs, sql_status(con, day))
                if cov.mismatches:
                    raise SystemExit(f"sample, as of {day}:\n  " + "\n  ".join(cov.mismatches))
                print(
                    f"sample as of {day}: SQL = engine on {cov.actual_known} actuals, "
                    f"{cov.attainment} attainments, {cov.completeness} completeness figures"
                )


# ---------------------------------------------------------------------------------------------
# Running

QUERIES = ("report_aggregates", "current_reports")  # the engine's two calls into DuckDB


@contextmanager
def engine_split(parts: dict[str, list[float]]) -> Iterator[None]:
    """While inside, time the engine's two queries as it calls them (``judge.aggregates`` calls
    them as ``queries.<name>``), adding each call's seconds to the last entry of ``parts[name]``:
    the rest of an engine run is Python."""
    originals: dict[str, Callable[..., pl.DataFrame]] = {n: getattr(queries, n) for n in QUERIES}

    def timed(name: str, call: Callable[..., pl.DataFrame]) -> Callable[..., pl.DataFrame]:
        def wrapper(*args: Any, **kwargs: Any) -> pl.DataFrame:
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                parts[name][-1] += time.perf_counter() - start

        return wrapper

    for name, call in originals.items():
        setattr(queries, name, timed(name, call))
    try:
        yield
    finally:
        for name, call in originals.items():
            setattr(queries, name, call)


def run(
    con: duckdb.DuckDBPyConnection, ref: Reference, repeat: int
) -> tuple[list[Phase], dict[str, list[float]]]:
    def call_engine() -> pl.DataFrame:
        return evaluate(con, catalogue=ref.catalogue, regions=ref.regions, as_of=AS_OF)

    def call_sql() -> pl.DataFrame:
        return sql_status(con, AS_OF)

    # A first run of each (kept out of the figures) reads the file into DuckDB's buffer cache;
    # then the two sides alternate, so neither gets a warmer cache or a quieter machine.
    first_engine, first_sql = Phase("engine, first run"), Phase("sql, first run")
    with measured(first_engine):
        theirs = call_engine()
    with measured(first_sql):
        ours = call_sql()
    cov = compare(theirs, ours)
    if cov.mismatches:
        raise SystemExit("the SQL disagrees with the engine:\n  " + "\n  ".join(cov.mismatches))
    print(
        f"SQL checked against the engine on {cov.targets} targets, all equal "
        f"(rel. tol. {REL_TOL:g}): actual on {cov.actual} ({cov.actual_known} with reports), "
        f"planned and attainment on {cov.planned} ({cov.attainment} with a number), "
        f"completeness and timeliness on {cov.completeness}"
    )
    statuses = theirs.group_by("status").len().sort("len", descending=True)
    print("engine statuses:", ", ".join(f"{s} {n}" for s, n in statuses.iter_rows()))

    engine, sql = Phase("engine evaluate()"), Phase("sql, one query")
    parts: dict[str, list[float]] = {name: [] for name in QUERIES}
    for _ in range(repeat):
        for times in parts.values():
            times.append(0.0)
        with engine_split(parts), measured(engine):
            call_engine()
        with measured(sql):
            call_sql()
    parts["Python (the rest)"] = [
        total - sum(times[i] for times in parts.values()) for i, total in enumerate(engine.seconds)
    ]
    return [first_engine, first_sql, engine, sql], parts


CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from bench.status import child
child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
"""


def child(db: str, side: str, regions: int) -> None:
    """In a fresh process: RSS once connected, then one run of ``side`` and its peak RSS."""
    ref, _ = national_reference(regions)
    with connect(Path(db)) as con:
        gc.collect()
        ready = _rss_mb()
        start = time.perf_counter()
        if side == "engine":
            evaluate(con, catalogue=ref.catalogue, regions=ref.regions, as_of=AS_OF)
        else:
            sql_status(con, AS_OF)
        seconds = time.perf_counter() - start
    print(ready, _peak_mb(), seconds)


def _revision() -> str:
    """The commit the engine was measured at (``-dirty``: with uncommitted changes)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def fresh_process(db: Path, side: str, regions: int) -> tuple[float, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), str(db), side, str(regions)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    ready, peak, seconds = out.stdout.split()[-3:]
    return float(ready), float(peak), float(seconds)


def profile(con: duckdb.DuckDBPyConnection, ref: Reference) -> None:
    """One engine run under cProfile: where the Python time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    evaluate(con, catalogue=ref.catalogue, regions=ref.regions, as_of=AS_OF)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--regions", type=int, default=3000, help="reporters (default 3000)")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_REGIONS} regions and 3 runs: a smoke test"
    )
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per side (default 20)")
    parser.add_argument("--db", type=Path, help="keep the warehouse here; reuse it if it exists")
    parser.add_argument(
        "--check-sample",
        action="store_true",
        help="also compare SQL and engine on the bundled sample with corrections",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one engine run")
    args = parser.parse_args()  # fmt: skip
    if args.quick:
        args.regions, args.repeat = QUICK_REGIONS, min(args.repeat, 3)
    if args.check_sample:
        check_sample()

    ref, codes = national_reference(args.regions)
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "national.duckdb"
        if args.db is not None and _reusable(db, ref):
            print(f"reusing {db}")
        elif db.exists():
            raise SystemExit(f"{db} exists but was not built for {args.regions} regions")
        else:
            phases += build(db, ref, codes, args)
        with connect(db) as con:
            rows, batches = con.execute(
                "SELECT count(*), count(DISTINCT batch_id) FROM reports"
            ).fetchall()[0]
            threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
            load_before = os.getloadavg()
            timed, parts = run(con, ref, args.repeat)
            load_after = os.getloadavg()
            phases += timed
            if args.profile:
                profile(con, ref)
        fresh = {side: fresh_process(db, side, args.regions) for side in ("engine", "sql")}
    print(
        f"warehouse: {rows:,} rows in reports ({batches} batch), {args.regions:,} reporters + "
        f"the province, as of {AS_OF} (latest quarter 2020Q4); repo at {_revision()}\n"
        f"python {platform.python_version()}, duckdb {duckdb.__version__} ({threads} threads), "
        f"polars {pl.__version__}, {os.cpu_count()} CPUs, load average "
        f"{load_before[0]:.2f} before the timed runs, {load_after[0]:.2f} after"
    )
    report(phases, parts, fresh)


def report(
    phases: list[Phase], parts: dict[str, list[float]], fresh: dict[str, tuple[float, float, float]]
) -> None:
    by_name = {p.name: p for p in phases}
    engine, sql = by_name["engine evaluate()"], by_name["sql, one query"]
    print(f"{'phase':<34}{'runs':>5}{'median s':>10}{'p95 s':>9}{'min s':>8}{'peak RSS MB':>13}")
    for p in phases:
        print(
            f"{p.name:<34}{len(p.seconds):>5}{p.median:>10.3f}{p.p95:>9.3f}"
            f"{min(p.seconds):>8.3f}{p.peak_mb:>13,.0f}"
        )
        if p is engine:
            for name, times in parts.items():
                label = f"  of which {name}"
                print(
                    f"{label:<34}{len(times):>5}{statistics.median(times):>10.3f}"
                    f"{'':>9}{min(times):>8.3f}"
                )
    print(
        f"engine ÷ sql: {engine.median / sql.median:.1f}× at the median, "
        f"{engine.p95 / sql.p95:.1f}× at p95 (p95: nearest rank)"
    )
    print("memory, one run in a fresh process (RSS connected → peak, MB; seconds, cold cache):")
    for side, (ready, peak, seconds) in fresh.items():
        print(f"  {side:<7}{ready:>7,.0f} → {peak:>6,.0f}  (+{peak - ready:,.0f})  {seconds:.2f} s")


if __name__ == "__main__":
    main()
