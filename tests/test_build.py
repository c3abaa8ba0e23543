"""The embedded default: catalogue, regions, the labelled sample, and the published figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl.load import load_file
from warehouse import queries, service
from warehouse.build import SAMPLE_UPLOADER, init_warehouse
from warehouse.connect import connect


def test_sample_is_labelled_and_dated_by_quarter(sample_db: Path) -> None:
    assert service.is_sample(sample_db)
    with connect(sample_db) as con:
        batches = queries.batches(con, limit=1000)
        first = con.execute(
            "SELECT min(submitted_at), count(DISTINCT batch_id) FROM reports "
            "WHERE period = '2011Q1'"
        ).fetchone()
    assert set(batches["source"]) == {"sample"}
    assert set(batches["uploader"]) == {SAMPLE_UPLOADER}
    assert batches.height == 40  # one batch per quarter, 2011Q1 … 2020Q4
    # 15 days after the quarter ended, 09:00 Beijing time (01:00 UTC)
    assert first == (dt.datetime(2011, 4, 15, 1, 0), 1)


def test_as_of_the_sample_knows_only_what_had_been_reported(sample_db: Path) -> None:
    with connect(sample_db) as con:
        then = queries.current_reports(con, as_of=dt.date(2012, 1, 1))
    assert set(then["period"]) == {"2011Q1", "2011Q2", "2011Q3"}


def test_published_figures_keep_source_and_quote(sample_db: Path) -> None:
    with connect(sample_db) as con:
        rows = con.execute(
            "SELECT value_text, value, qualifier, source, quote FROM published_figures "
            "WHERE value_text = '3020 (nearly)'"
        ).fetchall()
    ((text, value, qualifier, source, quote),) = rows
    assert (text, value, qualifier) == ("3020 (nearly)", 3020.0, "nearly")
    assert "China Daily" in source and "3,020" in quote


def test_init_twice_is_harmless_and_never_adds_sample_to_real_data(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    init_warehouse(db)
    path = tmp_path / "q.csv"
    path.write_text(
        "地区代码,指标,报告期,数值\n440100,demo_platforms_provincial,2014Q3,12\n", encoding="utf-8"
    )
    load_file(path, db=db)
    counts = init_warehouse(db, sample=True)
    assert "sample_reports" not in counts
    assert not service.is_sample(db)
    with connect(db) as con:
        assert queries.current_reports(con).height == 1
        assert con.execute("SELECT count(*) FROM published_figures").fetchone() == (41,)
