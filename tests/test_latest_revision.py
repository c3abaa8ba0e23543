"""One definition of a key's current value (warehouse/queries.py ``latest_revision``): every read
of current values agrees with it, at any cut-off, and with the ``current_reports`` view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import polars as pl
import pytest

from warehouse import queries
from warehouse.migrate import migrate

D = dt.datetime
# (region, indicator, period, revision, value, note, submitted_at as stored: naive UTC)
REPORTS = [
    ("440100", "a", "2018Q1", 1, 10.0, "first", D(2018, 4, 10, 2)),
    ("440100", "a", "2018Q1", 2, 11.0, None, D(2018, 5, 2, 2)),  # the note is not carried over
    ("440100", "a", "2018Q1", 3, 12.0, "third", D(2018, 5, 2, 17)),  # 05-03 01:00 in Beijing
    ("440100", "b", "2018Q1", 1, 5.0, None, D(2018, 4, 11, 2)),
    ("440200", "a", "2018Q1", 1, 7.0, None, D(2018, 4, 12, 2)),
    ("440200", "a", "2018Q2", 1, 8.0, None, D(2018, 7, 12, 2)),
]


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    migrate(connection)
    connection.executemany(
        "INSERT INTO reports (region_code, indicator, period, revision, value, note, batch_id,"
        " source_row, submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, 2, 'test', ?)",
        [(r, i, p, rev, v, n, rev, at) for r, i, p, rev, v, n, at in REPORTS],
    )
    yield connection
    connection.close()


def _values(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return list(
        frame.select("region_code", "indicator", "period", "revision", "value", "note").rows()
    )


def test_current_reports_take_each_keys_latest_revision(con: duckdb.DuckDBPyConnection) -> None:
    assert _values(queries.current_reports(con)) == [
        ("440100", "a", "2018Q1", 3, 12.0, "third"),
        ("440100", "b", "2018Q1", 1, 5.0, None),
        ("440200", "a", "2018Q1", 1, 7.0, None),
        ("440200", "a", "2018Q2", 1, 8.0, None),
    ]
    view = con.sql("SELECT * FROM current_reports ORDER BY ALL").pl()
    assert _values(view) == _values(queries.current_reports(con))


@pytest.mark.parametrize(
    ("as_of", "revision", "value", "note"),
    [
        (dt.date(2018, 4, 30), 1, 10.0, "first"),
        (dt.date(2018, 5, 2), 2, 11.0, None),  # revision 3 came at 01:00 on 05-03 in Beijing
        (dt.date(2018, 5, 3), 3, 12.0, "third"),
    ],
)
def test_as_of_a_day_the_latest_revision_known_by_its_end_in_beijing(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, revision: int, value: float, note: str | None
) -> None:
    current = queries.current_reports(con, known_on=as_of, region_code="440100", indicator="a")
    assert _values(current) == [("440100", "a", "2018Q1", revision, value, note)]


def test_filters_and_keys_read_the_same_values(con: duckdb.DuckDBPyConnection) -> None:
    by_list = queries.current_reports(con, indicators=["a"])
    assert _values(by_list) == [
        ("440100", "a", "2018Q1", 3, 12.0, "third"),
        ("440200", "a", "2018Q1", 1, 7.0, None),
        ("440200", "a", "2018Q2", 1, 8.0, None),
    ]
    keys = pl.DataFrame(
        {"region_code": ["440100", "440200", "440300"], "indicator": ["a", "a", "a"],
         "period": ["2018Q1", "2018Q2", "2018Q1"]}
    )  # fmt: skip
    previous = queries.previous_quarter_values(con, keys=keys).sort("region_code")
    assert previous.rows() == [("440100", "a", "2018Q1", 12.0), ("440200", "a", "2018Q2", 8.0)]


def test_the_aggregate_form_agrees(con: duckdb.DuckDBPyConnection) -> None:
    # report_aggregates computes the latest revision as a hash aggregate: the same values
    con.execute(
        "INSERT INTO periods VALUES ('2018Q1', 'quarter', DATE '2018-01-01', DATE '2018-03-31',"
        " 2018, 1, '2018年第一季度')"
    )
    reporters = pl.DataFrame(
        {"code": ["440100", "440200"], "jurisdiction": ["440000"] * 2, "level": ["city"] * 2}
    )
    for as_of in (dt.date(2018, 4, 30), dt.date(2018, 5, 2), dt.date(2018, 5, 3)):
        totals = queries.report_aggregates(con, reporters=reporters, known_on=as_of, due_days=15)
        current = queries.current_reports(con, known_on=as_of).filter(pl.col("period") == "2018Q1")
        expected = current.group_by("indicator").agg(pl.col("value").sum())
        assert dict(totals.select("indicator", "total").rows()) == dict(expected.rows())
