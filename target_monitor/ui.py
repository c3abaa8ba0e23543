"""Streamlit glue shared by every page: language, as-of date, URL state, cached data.

Cached results are keyed on the warehouse's data version (:func:`warehouse.connect.data_version`),
so a commit from the upload page or the command line invalidates them at once.  Pages import this
module and :mod:`target_monitor.charts`; they never import DuckDB or Polars.

Pages call everything as ``ui.<name>``; the names are defined in :mod:`target_monitor.ui_state`
(session and URL state), :mod:`target_monitor.ui_data` (cached data and the load path),
:mod:`target_monitor.ui_login` (accounts) and :mod:`target_monitor.ui_widgets` (what pages
show), and re-exported here.  This module keeps the page's error boundary and the first start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from model import paths
from target_monitor.i18n import Lang, t
from target_monitor.ui_data import (
    GRID_REGIONS,
    batches,
    briefing_pdf,
    check_warehouse,
    geojson,
    goal_detail,
    goal_status,
    league,
    levels_reporting,
    load_upload,
    locks,
    region_names,
    region_view,
    reporting_grid,
    reporting_view,
    scope_codes,
    template_bytes,
    total_gaps,
    year_matrix,
)
from target_monitor.ui_login import current_user, login_box
from target_monitor.ui_sources import (
    goal_figures,
    published_periods,
    region_sources,
    revision_history,
)
from target_monitor.ui_state import (
    AS_OF_MIN,
    Version,
    as_of,
    as_of_max,
    check_url,
    choice_param,
    db,
    is_sample,
    known_on,
    known_on_pinned,
    lang,
    notice,
    param,
    ref,
    set_param,
    shell,
    shown_value,
    today,
    version,
)
from target_monitor.ui_widgets import (
    batch_rows,
    beijing,
    chart,
    footer,
    goal_choice,
    goal_name,
    goal_selector,
    source_of,
    table,
)

__all__ = [
    "AS_OF_MIN",
    "GRID_REGIONS",
    "Version",
    "as_of",
    "as_of_max",
    "batch_rows",
    "batches",
    "beijing",
    "boundary",
    "briefing_pdf",
    "chart",
    "check_url",
    "check_warehouse",
    "choice_param",
    "current_user",
    "db",
    "first_start",
    "footer",
    "geojson",
    "goal_choice",
    "goal_detail",
    "goal_figures",
    "goal_name",
    "goal_selector",
    "goal_status",
    "is_sample",
    "known_on",
    "known_on_pinned",
    "lang",
    "league",
    "levels_reporting",
    "load_upload",
    "locks",
    "login_box",
    "notice",
    "param",
    "published_periods",
    "ref",
    "region_names",
    "region_sources",
    "region_view",
    "reporting_grid",
    "reporting_view",
    "revision_history",
    "scope_codes",
    "set_param",
    "shell",
    "shown_value",
    "source_of",
    "table",
    "template_bytes",
    "today",
    "total_gaps",
    "version",
    "year_matrix",
]


@contextmanager
def boundary() -> Iterator[None]:
    """The page's error boundary: a storage or input error (warehouse missing, not initialised,
    busy, read-only; a file that cannot be read) is shown as one bilingual line saying what to
    do, and the run stops.  Anything else is a bug: it propagates (and the server's
    ``showErrorDetails = "none"`` keeps its traceback in the server log)."""
    from target_monitor.errors import explain

    try:
        yield
    except Exception as exc:
        line = explain(exc, full_paths=False)
        if line is None:
            raise
        st.error(line, icon=":material/error:")
        st.stop()


def first_start(language: Lang) -> None:
    """On the first start of a fresh checkout (no ``data/warehouse.duckdb``), build the embedded
    default exactly as ``make run`` does (``init --sample``), with a progress bar.  Concurrent
    first visitors wait for the one build (``etl.build`` holds a lock); another ``--db``
    that does not exist is never created: the boundary says how to create it."""
    path = db()
    if path.exists() or path.resolve() != paths.DEFAULT_DB.resolve():
        return
    from etl.build import init_warehouse

    with st.empty(), st.status(t("start.building", language), expanded=True) as status:
        bar = st.progress(0.0, text=t("start.waiting", language))

        def step(fraction: float, what: str) -> None:
            bar.progress(min(fraction, 1.0), text=t("start.step", language, step=what))

        init_warehouse(path, sample=True, if_missing=True, progress=step)
        status.update(label=t("start.done", language), state="complete", expanded=False)
