"""The goal page's sources (issue 11, item 4), cached on the warehouse's data version like
:mod:`target_monitor.ui_data`: each figure's source, the source of each region's latest figure,
the quarters that are published figures (公开数据) and one figure's revisions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from model.periods import Quarter
from model.reporting import reported_indicators
from service import sources as service
from target_monitor.ui_state import Version, as_of, db, known_on, ref, version

FIGURES_SHOWN = 500  # the newest figures listed on the goal page; the rest stay in the warehouse


def _goal_keys(target_id: str) -> tuple[tuple[str, ...], str]:
    """A goal's reported indicators and its first quarter."""
    r = ref()
    target = r.catalogue.target(target_id)
    first = Quarter.of(target.start)
    if target.baseline is not None:
        first = min(first, Quarter.of(target.baseline.date))
    return tuple(reported_indicators(target, r.catalogue)), first.label


@st.cache_data(show_spinner=False, max_entries=64)
def _figures(
    db_path: str, version: Version, day: dt.date, known: dt.date | None, target_id: str
) -> pl.DataFrame:
    del version
    indicators, first = _goal_keys(target_id)
    return service.figure_sources(
        Path(db_path), indicators=list(indicators), as_of=day, known_on=known, first_period=first
    ).head(FIGURES_SHOWN)


def goal_figures(target_id: str) -> list[dict[str, Any]]:
    """The goal's figures, newest quarter first, each with its source and revision."""
    return _figures(str(db()), version(), as_of(), known_on(), target_id).to_dicts()


@st.cache_data(show_spinner=False, max_entries=64)
def _region_sources(
    db_path: str, version: Version, day: dt.date, known: dt.date | None, target_id: str
) -> dict[str, dict[str, object]]:
    del version
    indicators, first = _goal_keys(target_id)
    return service.region_sources(
        Path(db_path), indicators=list(indicators), as_of=day, known_on=known, first_period=first
    )


def region_sources(target_id: str) -> dict[str, dict[str, object]]:
    """Per region code, the source of its latest figure of the goal."""
    return _region_sources(str(db()), version(), as_of(), known_on(), target_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _published(
    db_path: str, version: Version, day: dt.date, known: dt.date | None, target_id: str
) -> list[str]:
    del version
    target = ref().catalogue.target(target_id)
    return service.published_periods(
        Path(db_path),
        indicator=target.indicator,
        region_code=target.scope.jurisdiction,
        as_of=day,
        known_on=known,
    )


def published_periods(target_id: str) -> list[str]:
    """The quarters whose figure of the goal's indicator at its jurisdiction is an adopted
    published figure: the chart draws them as 公开数据."""
    return _published(str(db()), version(), as_of(), known_on(), target_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _history(
    db_path: str, version: Version, known: dt.date | None, key: tuple[str, str, str]
) -> pl.DataFrame:
    del version
    region_code, indicator, period = key
    return service.revision_history(
        Path(db_path), region_code=region_code, indicator=indicator, period=period, known_on=known
    )


def revision_history(region_code: str, indicator: str, period: str) -> list[dict[str, Any]]:
    """Every revision of one figure, oldest first, each with its source."""
    key = (region_code, indicator, period)
    return _history(str(db()), version(), known_on(), key).to_dicts()
