"""The pages' data, cached on the warehouse's data version (:func:`warehouse.connect.data_version`):
goal status and detail, the year matrix, the reporting grid and its per-level view, upload
batches, the regions page's map figures and ranking, map features; and the actions that go
through the load path (templates, uploads, the briefing PDF).  A commit from the upload page or
the command line moves the version, so every cached result is recomputed at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from judge.engine import GoalDetail
from service import api as service
from service import units as service_units
from service.maps import map_features, map_view
from target_monitor.i18n import Lang, t
from target_monitor.ui_state import Version, as_of, db, known_on, lang, ref, version
from warehouse.accounts import User
from warehouse.connect import check_warehouse as _check_warehouse


@st.cache_data(show_spinner=False, max_entries=64)
def _status(db_path: str, version: Version, day: dt.date, known: dt.date | None) -> pl.DataFrame:
    del version
    r = ref()
    return service.goal_status(
        Path(db_path), catalogue=r.catalogue, regions=r.regions, as_of=day, known_on=known
    )


def goal_status(day: dt.date | None = None) -> pl.DataFrame:
    return _status(str(db()), version(), day or as_of(), known_on())


@st.cache_data(show_spinner=False, max_entries=128)
def _detail(
    db_path: str, version: Version, day: dt.date, known: dt.date | None, target_id: str
) -> GoalDetail:
    del version
    r = ref()
    return service.goal_detail(
        Path(db_path),
        catalogue=r.catalogue,
        regions=r.regions,
        as_of=day,
        known_on=known,
        target_id=target_id,
    )


def goal_detail(target_id: str) -> GoalDetail:
    return _detail(str(db()), version(), as_of(), known_on(), target_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _years(db_path: str, version: Version, day: dt.date, known: dt.date | None) -> pl.DataFrame:
    del version
    r = ref()
    return service.year_matrix(
        Path(db_path), catalogue=r.catalogue, regions=r.regions, as_of=day, known_on=known
    )


def year_matrix() -> pl.DataFrame:
    return _years(str(db()), version(), as_of(), known_on())


@st.cache_data(show_spinner=False, max_entries=16)
def _grid(db_path: str, version: Version, day: dt.date, known: dt.date | None) -> pl.DataFrame:
    del version
    r = ref()
    return service.reporting_grid(
        Path(db_path), catalogue=r.catalogue, regions=r.regions, as_of=day, known_on=known
    )


def reporting_grid() -> pl.DataFrame:
    return _grid(str(db()), version(), as_of(), known_on())


@st.cache_data(show_spinner=False, max_entries=32)
def _batches(
    db_path: str, version: Version, region: str | None, day: dt.date | None
) -> pl.DataFrame:
    del version
    return service.batches(Path(db_path), region_code=region, known_on=day)


def batches(region: str | None = None, *, known: dt.date | None = None) -> pl.DataFrame:
    """Upload batches, newest first; with ``known``, only those finished by that day's end."""
    return _batches(str(db()), version(), region, known)


@st.cache_resource(show_spinner=False)
@st.cache_resource(show_spinner=False)
def geojson(jurisdiction: str) -> list[dict[str, Any]]:
    """The map features of ``jurisdiction`` (its ``map_file`` in data/jurisdictions.yaml)."""
    return map_features(ref().jurisdictions.get(jurisdiction))


def template_bytes(region_code: str, period: str, suffix: str) -> bytes:
    """A pre-filled template for a region and quarter, as the bytes of an .xlsx or .csv."""
    import tempfile

    from etl.template import write_template
    from model.periods import Quarter

    r = ref()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"template{suffix}"
        units = service_units.units(db())  # the register: the template lists the region's units
        write_template(r.catalogue, r.regions, region_code, Quarter.parse(period), out, units=units)
        return out.read_bytes()


def load_upload(
    data: bytes, name: str, *, user: User, region: str, dry_run: bool, progress: Any = None
) -> Any:
    """Validate and (dry-)load an upload through the one load path as ``user``, whose role,
    scope and the quarter locks are enforced there; returns its LoadResult."""
    from etl.load import load_file

    return load_file(
        data,
        db=db(),
        name=name,
        user=user,
        region=region,
        dry_run=dry_run,
        ref=ref(),
        progress=progress,
    )


def scope_codes(root: str) -> set[str]:
    """A region and every region below it (a bureau's upload scope)."""
    from model.regions import descendants

    return descendants(ref().regions, root)


def locks() -> dict[str, tuple[str, dt.datetime]]:
    return service.locks(db())


def briefing_pdf() -> bytes:
    """The leadership briefing for the current as-of date, as PDF bytes."""
    import tempfile

    from target_monitor.briefing import build_briefing

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "briefing.pdf"
        build_briefing(db(), out, as_of=as_of(), known_on=known_on())
        return out.read_bytes()


@st.cache_data(show_spinner=False, max_entries=8)
def _checked(db_path: str, version: Version) -> bool:
    del version
    _check_warehouse(db_path)
    return True


def check_warehouse() -> None:
    """Raise the error that explains why the warehouse cannot be shown (missing, not DuckDB,
    not initialised); checked once per data version, so it costs nothing on most runs."""
    _checked(str(db()), version())


GRID_REGIONS = 40  # a regions × quarters grid stays readable (and fast) up to about this many


@st.cache_data(show_spinner=False, max_entries=32)
def _reporting_view(
    db_path: str, version: Version, day: dt.date, known: dt.date | None, level: str
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]], int]:
    del db_path, version, known
    grid = reporting_grid().filter(pl.col("level") == level)
    periods = sorted(grid["period"].unique().to_list())[-12:]
    recent = grid.filter(pl.col("period").is_in(periods))
    worst = (
        recent.group_by("region_code")
        .agg(pl.col("completeness").mean().alias("_mean"))
        .sort("_mean", "region_code")
        .head(GRID_REGIONS)["region_code"]
    )
    shown = recent.filter(pl.col("region_code").is_in(worst.implode()))
    latest = periods[-1] if periods else None
    late = grid.filter((pl.col("period") == latest) & (pl.col("on_time") < pl.col("expected")))
    regions = recent["region_code"].n_unique()
    return (
        periods,
        shown.sort("region_code", "period").to_dicts(),
        late.sort("completeness").to_dicts(),
        regions,
    )


def reporting_view(
    level: str,
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]], int]:
    """For the reporting page, per level: the last 12 quarters, the grid rows of the (at most
    GRID_REGIONS) regions with the lowest completeness, the late or missing regions of the
    latest quarter, and how many regions there are."""
    return _reporting_view(str(db()), version(), as_of(), known_on(), level)


@st.cache_data(show_spinner=False, max_entries=32)
def levels_reporting(
    db_path: str, version: Version, day: dt.date, known: dt.date | None = None
) -> list[str]:
    del db_path, version, known
    present = set(reporting_grid()["level"].unique().to_list())
    return [x for x in ("province", "city", "county", "town") if x in present]


@st.cache_data(show_spinner=False, max_entries=128)
def _region_view(
    db_path: str, version: Version, day: dt.date, known: dt.date | None, target_id: str
) -> tuple[dict[str, float | None], dict[str, list[dict[str, Any]]], str]:
    del db_path, version, day, known
    r = ref()
    target = r.catalogue.target(target_id)
    detail = goal_detail(target_id)
    view = map_view(
        detail.regions.to_dicts(),
        regions=r.regions,
        jurisdiction=r.jurisdictions.get(target.scope.jurisdiction),
        unit_goal=bool(detail.status.row(0, named=True)["units_total"]),
    )
    return view.metric, view.grouped, view.legend


def region_view(
    target_id: str,
) -> tuple[dict[str, float | None], dict[str, list[dict[str, Any]]], str]:
    """The regions page's figures for a goal, by its jurisdiction's map unit (``map_level``):
    the map metric, the regions grouped under each unit, and which metric it is (attainment %
    for per-unit goals, share of the total, or the value)."""
    return _region_view(str(db()), version(), as_of(), known_on(), target_id)


@st.cache_resource(show_spinner=False)
def _region_names() -> dict[str, str]:
    return {region.code: region.name for region in reversed(ref().regions)}


def region_names() -> dict[str, str]:
    """Region and registered unit code → name (the units of this warehouse, at its version)."""
    return {**_region_names(), **_unit_names(str(db()), version())}


@st.cache_data(show_spinner=False)
def _unit_names(db_path: str, version: Version) -> dict[str, str]:
    del version  # part of the cache key only
    return service_units.unit_names(db_path)


@st.cache_data(show_spinner=False, max_entries=128)
def _league(
    db_path: str,
    version: Version,
    day: dt.date,
    known: dt.date | None,
    target_id: str,
    language: Lang,
) -> pl.DataFrame:
    del db_path, version, day, known
    metric, _, legend_key = region_view(target_id)
    names = region_names()
    ranked = sorted(((c, v) for c, v in metric.items() if v is not None), key=lambda x: -x[1])
    return pl.DataFrame(
        {
            "#": list(range(1, len(ranked) + 1)),
            "code": [c for c, _ in ranked],
            t("col.region", language): [names[c] for c, _ in ranked],
            t(f"regions.metric.{legend_key}", language): [round(v, 2) for _, v in ranked],
        }
    )


def league(target_id: str) -> pl.DataFrame:
    """The regions page's ranking (a frame: at national scale it has thousands of rows)."""
    return _league(str(db()), version(), as_of(), known_on(), target_id, lang())


@st.cache_data(show_spinner=False, max_entries=16)
def _total_gaps(db_path: str, version: Version, known: dt.date | None) -> pl.DataFrame:
    del version
    r = ref()
    return service.total_gaps(
        Path(db_path),
        catalogue=r.catalogue,
        regions=r.regions,
        known_on=known,
        jurisdictions=r.jurisdictions,
    )


def total_gaps() -> pl.DataFrame:
    """Jurisdiction totals beside the roll-ups of the level below, largest gaps first."""
    return _total_gaps(str(db()), version(), known_on())
