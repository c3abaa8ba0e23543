"""Streamlit session and URL state shared by every page: the language, the warehouse the app
shows and its data version, the reference data, the as-of date (clamped, with a notice for a bad
link), URL parameters, and :func:`shell`, which every page calls first.

A crafted or stale link never fails: a bad value falls back to a default and a notice says so.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from etl.load import Reference, reference
from model import clock, paths
from service import api as service
from target_monitor.i18n import Lang, t
from warehouse.connect import Warehouse, data_version

Version = tuple[int, ...]


def lang() -> Lang:
    return "en" if st.query_params.get("lang") == "en" else "zh"


def _argv_db() -> Path:
    """``streamlit run dashboard.py -- --db PATH`` (or ``--db duckdb:///PATH``) points the app at
    another warehouse; another URL scheme stops at the error boundary with what is supported."""
    args = sys.argv[1:]
    if "--db" in args and args.index("--db") + 1 < len(args):
        return Warehouse.from_url(args[args.index("--db") + 1]).path
    return paths.DEFAULT_DB


def db() -> Path:
    path: Path = st.session_state.setdefault("db_path", _argv_db())
    return Path(path)


def version() -> Version:
    return data_version(db())


@st.cache_resource(show_spinner=False)
def ref() -> Reference:
    return reference()


AS_OF_MIN = dt.date(2011, 1, 1)  # the first quarter anyone reports


def today() -> dt.date:
    """Today in Beijing (:mod:`model.clock`)."""
    return clock.today()


def as_of_max() -> dt.date:
    """The latest as-of date offered: a year ahead of today in Beijing."""
    return clock.today() + dt.timedelta(days=366)


def _date_from_url(name: str, low: dt.date, high: dt.date) -> tuple[dt.date | None, str | None]:
    """The date URL parameter ``name`` asks for, clamped into [low, high], and what was wrong
    with it (``"invalid"``, ``"range"``) if anything; None when the URL has none or no date."""
    raw = st.query_params.get(name)
    if not raw:
        return None, None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None, "invalid"
    clamped = min(max(day, low), high)
    return clamped, None if clamped == day else "range"


def _as_of_from_url() -> tuple[dt.date, str | None]:
    """The as-of date the URL asks for, clamped into the offered range, and what was wrong with
    the URL's value (``"invalid"``, ``"range"``) if anything: a crafted link never fails."""
    day, problem = _date_from_url("as_of", AS_OF_MIN, as_of_max())
    return (day or _default_as_of(str(db()), version())), problem


def as_of() -> dt.date:
    """The evaluation date chosen in the sidebar (kept in the URL), or the warehouse's default."""
    return _as_of_from_url()[0]


def _known_on_from_url() -> tuple[dt.date | None, str | None]:
    """The knowledge date the URL asks for (None: everything known now), and what was wrong
    with it, if anything (``"invalid"``; a future date is today)."""
    day, problem = _date_from_url("known_on", AS_OF_MIN, clock.today())
    if day is None:
        return _default_known_on(str(db()), version(), as_of()), problem
    return day, None  # out of range is clamped without a notice


def known_on() -> dt.date | None:
    """The knowledge date ("按…当时已知"): only revisions submitted by the end of that day
    (Beijing time) count.  The default: everything known now (None), or the sample's own date
    on the sample."""
    return _known_on_from_url()[0]


def known_on_pinned() -> bool:
    """Whether the URL pins a knowledge date (the sidebar's "as known on" is switched on)."""
    return bool(st.query_params.get("known_on")) and _known_on_from_url()[1] is None


@st.cache_data(show_spinner=False, max_entries=8)
def _default_known_on(db_path: str, version: Version, day: dt.date) -> dt.date | None:
    del version
    return service.default_known_on(Path(db_path), day)


def shown_value(raw: str) -> str:
    """A value from the URL as a notice may quote it: short, and no Markdown in it."""
    return re.sub(r"[^\w.:-]", "?", raw)[:40] or "?"


def notice(text: str) -> None:
    """A visible note about a link that was corrected (a crafted or stale URL parameter)."""
    st.info(text, icon=":material/link_off:")


def check_url(language: Lang) -> None:
    """Called by ``dashboard.py`` on every run: a bad ``as_of`` in the URL is replaced by the
    date shown, and a notice saying so waits for the page (:func:`shell` shows it), so that
    the address always reproduces the view."""
    known_raw = st.query_params.get("known_on")
    if known_raw and _known_on_from_url()[1] == "invalid":
        del st.query_params["known_on"]
        text = t("param.known_on_invalid", language, value=shown_value(known_raw))
        st.session_state.setdefault("_notices", []).append(text)
    raw = st.query_params.get("as_of")
    day, problem = _as_of_from_url()
    if problem is None or raw is None:
        return
    if problem == "invalid":
        del st.query_params["as_of"]
        text = t("param.as_of_invalid", language, value=shown_value(raw), day=day.isoformat())
    else:
        st.query_params["as_of"] = day.isoformat()
        text = t(
            "param.as_of_range",
            language,
            value=shown_value(raw),
            low=AS_OF_MIN.isoformat(),
            high=as_of_max().isoformat(),
            day=day.isoformat(),
        )
    st.session_state.setdefault("_notices", []).append(text)


def choice_param(name: str, options: Sequence[str], default: str, language: Lang) -> str:
    """A URL parameter that must be one of ``options``: a value that is not falls back to
    ``default`` (or the first option) with a notice."""
    fallback = default if default in options or not options else options[0]
    value = st.query_params.get(name)
    if not value:
        return fallback
    if value in options:
        return value
    notice(t("param.unknown", language, name=name, value=shown_value(value)))
    return fallback


@st.cache_data(show_spinner=False, max_entries=8)
def _default_as_of(db_path: str, version: Version) -> dt.date:
    del version
    return service.default_as_of(Path(db_path))


@st.cache_data(show_spinner=False, max_entries=8)
def is_sample(db_path: str, version: Version) -> bool:
    del version
    return service.is_sample(Path(db_path))


def param(name: str, default: str = "") -> str:
    value = st.query_params.get(name)
    return value if isinstance(value, str) and value else default


def set_param(name: str, value: str | None) -> None:
    """Keep a filter in the URL so that a link reproduces the view."""
    if value:
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def shell(url_path: str) -> None:
    """Call first in every page: when the page runs without ``dashboard.py`` around it (a deep
    link before any session ran the entry point, which Streamlit serves as the page alone), go
    through the entry point, which brings the visitor back here with the same parameters.
    Shows the notices about corrected URL parameters that the entry point left for the page."""
    if not st.session_state.get("_shell"):
        st.switch_page("dashboard.py", query_params={**st.query_params.to_dict(), "goto": url_path})
    for text in st.session_state.pop("_notices", []):
        notice(text)
