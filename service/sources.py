"""The pages' door to where figures came from (issue 11, item 4): each figure's source and
revisions, the quarters that came from published figures, and adopting published figures.

Like :mod:`service.api`: open a connection, run a named query (:mod:`warehouse.sources`), close.
A source that holds a URL gets it in ``url`` (the first http(s) address in the text), so that a
page can show it as a link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from etl import adopt
from etl.load import Reference
from model.periods import Quarter
from warehouse import accounts, sources
from warehouse.connect import connect


def _with_urls(frame: pl.DataFrame) -> pl.DataFrame:
    urls = [adopt.first_url(s) for s in frame["source"].to_list()]
    return frame.with_columns(pl.Series("url", urls, dtype=pl.String))


def figure_sources(
    db: Path,
    *,
    indicators: list[str],
    as_of: dt.date,
    known_on: dt.date | None = None,
    first_period: str | None = None,
) -> pl.DataFrame:
    """The current figure of every key of ``indicators`` for the quarters from ``first_period``
    to the last one ended by ``as_of`` (revisions known by ``known_on``), newest quarter first,
    with its source, ``url``, revision, batch and whether it is a published figure
    (``published``)."""
    last = Quarter.of(as_of).previous().label
    with connect(db) as con:
        found = sources.figure_sources(con, indicators=indicators, known_on=known_on)
    found = found.filter(pl.col("period") <= last)
    if first_period is not None:
        found = found.filter(pl.col("period") >= first_period)
    found = found.with_columns(
        (pl.col("batch_source") == sources.PUBLISHED).alias("published")
    ).sort(["period", "region_code", "indicator"], descending=[True, False, False])
    return _with_urls(found)


def region_sources(
    db: Path,
    *,
    indicators: list[str],
    as_of: dt.date,
    known_on: dt.date | None = None,
    first_period: str | None = None,
) -> dict[str, dict[str, object]]:
    """Per region code: the source of its latest figure (of ``indicators``, by ``as_of``) — the
    ``period``, ``source``, ``url`` and ``published``, for the goal page's table by region."""
    found = figure_sources(
        db, indicators=indicators, as_of=as_of, known_on=known_on, first_period=first_period
    )
    latest = found.unique("region_code", keep="first", maintain_order=True)  # newest first
    return {
        row["region_code"]: {k: row[k] for k in ("period", "source", "url", "published")}
        for row in latest.iter_rows(named=True)
    }


def revision_history(
    db: Path, *, region_code: str, indicator: str, period: str, known_on: dt.date | None = None
) -> pl.DataFrame:
    """Every revision of one key, oldest first, each with its source and ``url``."""
    with connect(db) as con:
        history = sources.revision_history(
            con, region_code=region_code, indicator=indicator, period=period, known_on=known_on
        )
    history = history.with_columns((pl.col("batch_source") == sources.PUBLISHED).alias("published"))
    return _with_urls(history)


def published_periods(
    db: Path,
    *,
    indicator: str,
    region_code: str,
    as_of: dt.date,
    known_on: dt.date | None = None,
) -> list[str]:
    """The quarters (ended by ``as_of``) whose figure of ``indicator`` at ``region_code`` (the
    goal's jurisdiction) is an adopted published figure: the chart marks them 公开数据."""
    last = Quarter.of(as_of).previous().label
    with connect(db) as con:
        found = sources.published_periods(
            con, indicators=[indicator], region_code=region_code, known_on=known_on
        )
    return [p for p in found["period"].to_list() if p <= last]


def published_figures(db: Path, *, ref: Reference | None = None) -> list[adopt.Figure]:
    """Every published figure with its id, quarter and whether it can be adopted (and why not)."""
    if not db.exists():
        return []
    return adopt.list_figures(db, ref=ref)


def adopt_published(
    db: Path,
    *,
    actor: accounts.User,
    ids: Sequence[str] | None = None,
    ref: Reference | None = None,
) -> adopt.AdoptResult:
    """Adopt published figures as ``actor`` (an admin, re-read inside the write)."""
    if actor.role != "admin" or not actor.active:  # a quick refusal before the write
        raise accounts.AccountError(
            "只有管理员可以采用公开数据 / only an admin can adopt published figures"
        )
    return adopt.adopt(db, ids=ids, user=actor, ref=ref)
