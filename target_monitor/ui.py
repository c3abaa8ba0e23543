"""Streamlit glue shared by every page: language, as-of date, URL state, cached data.

Cached results are keyed on the warehouse's data version (:func:`warehouse.connect.data_version`),
so a commit from the upload page or the command line invalidates them at once.  Pages import this
module and :mod:`target_monitor.charts`; they never import DuckDB or Polars.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from etl.load import Reference, reference
from judge.engine import GoalDetail
from model import clock, paths
from service import api as service
from service.maps import map_features, map_view
from target_monitor.i18n import Lang, t
from warehouse.accounts import MAX_PASSWORD, LoginResult, User
from warehouse.connect import Warehouse, data_version
from warehouse.connect import check_warehouse as _check_warehouse
from warehouse.throttle import Attempts
from warehouse.throttle import policy as login_policy

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


def as_of_max() -> dt.date:
    """The latest as-of date offered: a year ahead of today in Beijing."""
    return clock.today() + dt.timedelta(days=366)


def _as_of_from_url() -> tuple[dt.date, str | None]:
    """The as-of date the URL asks for, clamped into the offered range, and what was wrong with
    the URL's value (``"invalid"``, ``"range"``) if anything: a crafted link never fails."""
    raw = st.query_params.get("as_of")
    default = _default_as_of(str(db()), version())
    if not raw:
        return default, None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return default, "invalid"
    clamped = min(max(day, AS_OF_MIN), as_of_max())
    return clamped, None if clamped == day else "range"


def as_of() -> dt.date:
    """The as-of date chosen in the sidebar (kept in the URL), or the warehouse's default."""
    return _as_of_from_url()[0]


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


@st.cache_data(show_spinner=False, max_entries=64)
def _status(db_path: str, version: Version, day: dt.date) -> pl.DataFrame:
    del version
    r = ref()
    return service.goal_status(Path(db_path), catalogue=r.catalogue, regions=r.regions, as_of=day)


def goal_status(day: dt.date | None = None) -> pl.DataFrame:
    return _status(str(db()), version(), day or as_of())


@st.cache_data(show_spinner=False, max_entries=128)
def _detail(db_path: str, version: Version, day: dt.date, target_id: str) -> GoalDetail:
    del version
    r = ref()
    return service.goal_detail(
        Path(db_path), catalogue=r.catalogue, regions=r.regions, as_of=day, target_id=target_id
    )


def goal_detail(target_id: str) -> GoalDetail:
    return _detail(str(db()), version(), as_of(), target_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _years(db_path: str, version: Version, day: dt.date) -> pl.DataFrame:
    del version
    r = ref()
    return service.year_matrix(Path(db_path), catalogue=r.catalogue, regions=r.regions, as_of=day)


def year_matrix() -> pl.DataFrame:
    return _years(str(db()), version(), as_of())


@st.cache_data(show_spinner=False, max_entries=16)
def _grid(db_path: str, version: Version, day: dt.date) -> pl.DataFrame:
    del version
    r = ref()
    return service.reporting_grid(
        Path(db_path), catalogue=r.catalogue, regions=r.regions, as_of=day
    )


def reporting_grid() -> pl.DataFrame:
    return _grid(str(db()), version(), as_of())


@st.cache_data(show_spinner=False, max_entries=32)
def _batches(
    db_path: str, version: Version, region: str | None, day: dt.date | None
) -> pl.DataFrame:
    del version
    return service.batches(Path(db_path), region_code=region, as_of=day)


def batches(region: str | None = None, *, as_of: dt.date | None = None) -> pl.DataFrame:
    """Upload batches, newest first; with ``as_of``, only those finished by that day's end."""
    return _batches(str(db()), version(), region, as_of)


@st.cache_resource(show_spinner=False)
@st.cache_resource(show_spinner=False)
def geojson(jurisdiction: str) -> list[dict[str, Any]]:
    """The map features of ``jurisdiction`` (its ``map_file`` in data/jurisdictions.yaml)."""
    return map_features(ref().jurisdictions.get(jurisdiction))


def goal_name(target_id: str, language: Lang) -> str:
    r = ref()
    target = r.catalogue.target(target_id)
    indicator = r.catalogue.indicator(target.indicator)
    name = indicator.name_zh if language == "zh" else indicator.name_en
    return (
        f"{name}（{target.deadline.year}）"
        if language == "zh"
        else f"{name} ({target.deadline.year})"
    )


def goal_choice(target_id: str, language: Lang) -> str:
    """How a goal reads in a selector: its name and its source, no internal id."""
    return f"{goal_name(target_id, language)} · {source_of(target_id)}"


def beijing(moment: dt.datetime | None) -> str:
    """A stored (UTC) timestamp as Beijing time, labelled."""
    if moment is None:
        return "—"
    return f"{clock.to_beijing(moment):%Y-%m-%d %H:%M}"


def source_of(target_id: str) -> str:
    r = ref()
    target = r.catalogue.target(target_id)
    document = r.catalogue.document(target.document)
    return f"{document.number or '《' + document.title + '》'} {target.article}"


def footer(target_id: str | None, language: Lang) -> str:
    """The line under every chart: as-of date, sample label, source clause."""
    source = source_of(target_id) if target_id else "目标监测 Target Monitor"
    text = t("footer.source", language, as_of=as_of().isoformat(), source=source)
    if is_sample(str(db()), version()):
        text = f"{t('footer.sample', language)} · {text}"
    return text


def template_bytes(region_code: str, period: str, suffix: str) -> bytes:
    """A pre-filled template for a region and quarter, as the bytes of an .xlsx or .csv."""
    import tempfile

    from etl.template import write_template
    from model.periods import Quarter

    r = ref()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"template{suffix}"
        write_template(r.catalogue, r.regions, region_code, Quarter.parse(period), out)
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


@st.cache_data(show_spinner=False, max_entries=256)
def _account(db_path: str, version: Version, username: str) -> User | None:
    del version  # part of the key: every account change moves the data version
    return service.user(Path(db_path), username)


def current_user() -> User | None:
    """The logged-in account as the warehouse has it now.  The session keeps only the username;
    the account (active, role, region) is re-read at every script run, cached only until the
    data version moves, which every account change does.  A disabled (or vanished) account is
    logged out here, and the login box says why."""
    username = st.session_state.get("user")
    if not isinstance(username, str):
        return None
    user = _account(str(db()), version(), username)
    if user is None or not user.active:
        del st.session_state["user"]
        st.session_state["login_notice"] = "login.disabled"
        return None
    return user


def _duration(span: dt.timedelta, language: Lang) -> str:
    seconds = round(span.total_seconds())
    if seconds >= 60 and seconds % 60 == 0:
        return t("duration.minutes", language, n=seconds // 60)
    return t("duration.seconds", language, n=seconds)


def _login_refusal(result: LoginResult, language: Lang) -> str:
    """What the login box says about a refused login: the truth about the throttle too."""
    if result.outcome == "invalid":
        return t("login.invalid", language)
    if result.outcome == "locked" and result.locked_until is not None:
        until = clock.to_beijing(result.locked_until)  # stored as UTC, shown in Beijing
        return t("login.locked", language, until=f"{until:%H:%M:%S}")
    text = t("login.failed", language)
    if result.remaining is not None:
        lockout = _duration(login_policy().lockout, language)
        text += t("login.left", language, n=result.remaining, duration=lockout)
    return text


def login_box(language: Lang) -> None:
    """The sidebar's login form (or who is logged in, with a logout button).  Logins are
    throttled per username and per session (:mod:`warehouse.throttle`); the session's counter
    lives in the session state."""
    user = current_user()
    notice = st.session_state.get("login_notice")  # why the session was logged out, until the
    if user is not None:  # next login attempt
        role = t(f"role.{user.role}", language)
        st.caption(t("login.as", language, name=user.display_name, role=role))
        if st.button(t("login.out", language), key="logout"):
            del st.session_state["user"]
            st.rerun()
        return
    with st.form("login", border=True):
        st.markdown(f"**{t('login.title', language)}**")
        if notice:
            st.warning(t(notice, language))
        username = st.text_input(t("login.user", language), key="login_user", max_chars=64)
        password = st.text_input(
            t("login.password", language), type="password", key="login_pw", max_chars=MAX_PASSWORD
        )
        if st.form_submit_button(t("login.submit", language)):
            st.session_state.pop("login_notice", None)
            attempts = st.session_state.get("login_attempts")
            with st.spinner(t("login.checking", language)):
                result = service.login(
                    db(),
                    username,
                    password,
                    session=attempts if isinstance(attempts, Attempts) else None,
                )
            st.session_state["login_attempts"] = result.session
            if result.user is not None:
                st.session_state["user"] = result.user.username
                st.rerun()
            st.error(_login_refusal(result, language))
    if is_sample(str(db()), version()):
        st.caption(t("login.demo", language))


def scope_codes(root: str) -> set[str]:
    """A region and every region below it (a bureau's upload scope)."""
    from model.regions import descendants

    return descendants(ref().regions, root)


def locks() -> dict[str, tuple[str, dt.datetime]]:
    return service.locks(db())


def chart(figure: Any, name: str, *, target_id: str | None = None) -> None:
    """Show a chart, with PNG (2×), SVG and PDF downloads rendered server-side from the same
    spec, each carrying the footer (as-of date, 示例数据, source clause).  Rendering happens
    only when a button is pressed."""
    from target_monitor import export

    language = lang()
    # The spec is built once, without Altair's schema validation: validating a map's inline
    # GeoJSON costs hundreds of milliseconds a run.  The charts module builds valid specs (the
    # exports below validate when they render).
    st.vega_lite_chart(figure.to_dict(validate=False), width="stretch")
    note = footer(target_id, language)

    def stamped() -> Any:
        return export.with_footer(figure, note)

    stem = f"{name}-{as_of().isoformat()}"
    with st.popover(t("export.menu", language), icon=":material/download:"):
        st.download_button(
            t("export.png", language),
            data=lambda: export.chart_png(stamped()),
            file_name=f"{stem}.png",
            mime="image/png",
            key=f"png-{name}",
        )
        st.download_button(
            t("export.svg", language),
            data=lambda: export.chart_svg(stamped()),
            file_name=f"{stem}.svg",
            mime="image/svg+xml",
            key=f"svg-{name}",
            help=t("export.svg_help", language),
        )
        st.caption(t("export.svg_help", language))
        st.download_button(
            t("export.pdf", language),
            data=lambda: export.chart_pdf(stamped()),
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key=f"pdf-{name}",
        )


def table(data: list[dict[str, Any]] | pl.DataFrame, name: str, **options: Any) -> Any:
    """Show a table (a list of rows, or a frame for long tables: it reaches the browser faster)
    with XLSX and CSV (UTF-8 with BOM) downloads; cells that look like formulas are neutralised
    in both."""
    from target_monitor import export

    language = lang()
    shown = st.dataframe(data, hide_index=True, **options)
    stem = f"{name}-{as_of().isoformat()}"
    with st.popover(t("export.menu", language), icon=":material/download:"):
        st.download_button(
            t("export.xlsx", language),
            data=lambda: export.table_xlsx(
                data.to_dicts() if isinstance(data, pl.DataFrame) else data, sheet=name[:31]
            ),
            file_name=f"{stem}.xlsx",
            key=f"xlsx-{name}",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        st.download_button(
            t("export.csv", language),
            data=lambda: export.table_csv(
                data.to_dicts() if isinstance(data, pl.DataFrame) else data
            ),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"csv-{name}",
        )
    return shown


def briefing_pdf() -> bytes:
    """The leadership briefing for the current as-of date, as PDF bytes."""
    import tempfile

    from target_monitor.briefing import build_briefing

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "briefing.pdf"
        build_briefing(db(), out, as_of=as_of())
        return out.read_bytes()


def shell(url_path: str) -> None:
    """Call first in every page: when the page runs without ``dashboard.py`` around it (a deep
    link before any session ran the entry point, which Streamlit serves as the page alone), go
    through the entry point, which brings the visitor back here with the same parameters.
    Shows the notices about corrected URL parameters that the entry point left for the page."""
    if not st.session_state.get("_shell"):
        st.switch_page("dashboard.py", query_params={**st.query_params.to_dict(), "goto": url_path})
    for text in st.session_state.pop("_notices", []):
        notice(text)


@st.cache_data(show_spinner=False, max_entries=8)
def _checked(db_path: str, version: Version) -> bool:
    del version
    _check_warehouse(db_path)
    return True


def check_warehouse() -> None:
    """Raise the error that explains why the warehouse cannot be shown (missing, not DuckDB,
    not initialised); checked once per data version, so it costs nothing on most runs."""
    _checked(str(db()), version())


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


def goal_selector(default: str, key: str) -> str:
    """The goal picker the detail, regions and years pages share; the choice lives in the URL."""
    language = lang()
    targets = [target.id for target in ref().catalogue.targets]
    chosen = param("target", default)
    if chosen not in targets:
        notice(t("param.goal_unknown", language, value=shown_value(chosen)))
        chosen = default
    target_id: str = st.selectbox(
        t("goal.select", language),
        targets,
        index=targets.index(chosen) if chosen in targets else 0,
        format_func=lambda x: goal_choice(x, language),
        key=key,
    )
    set_param("target", target_id)
    return target_id


def batch_rows(batches_: pl.DataFrame, language: Lang) -> list[dict[str, Any]]:
    """Upload batches as the reporting and upload pages list them."""
    return [
        {
            t("col.batch", language): b["batch_id"],
            t("col.kind", language): t(f"batch.{b['kind']}", language),
            t("col.file", language): b["file_name"],
            t("col.uploader", language): b["uploader"],
            t("col.when", language): beijing(b["finished_at"]),
            t("col.new", language): b["rows_new"],
            t("col.changed", language): b["rows_changed"],
            t("col.unchanged", language): b["rows_unchanged"],
        }
        for b in batches_.to_dicts()
    ]


GRID_REGIONS = 40  # a regions × quarters grid stays readable (and fast) up to about this many


@st.cache_data(show_spinner=False, max_entries=32)
def _reporting_view(
    db_path: str, version: Version, day: dt.date, level: str
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]], int]:
    del db_path, version
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
    return _reporting_view(str(db()), version(), as_of(), level)


@st.cache_data(show_spinner=False, max_entries=32)
def levels_reporting(db_path: str, version: Version, day: dt.date) -> list[str]:
    del db_path, version
    present = set(reporting_grid()["level"].unique().to_list())
    return [x for x in ("province", "city", "county", "town") if x in present]


@st.cache_data(show_spinner=False, max_entries=128)
def _region_view(
    db_path: str, version: Version, day: dt.date, target_id: str
) -> tuple[dict[str, float | None], dict[str, list[dict[str, Any]]], str]:
    del db_path, version, day
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
    return _region_view(str(db()), version(), as_of(), target_id)


@st.cache_resource(show_spinner=False)
def region_names() -> dict[str, str]:
    return {region.code: region.name for region in reversed(ref().regions)}


@st.cache_data(show_spinner=False, max_entries=128)
def _league(
    db_path: str, version: Version, day: dt.date, target_id: str, language: Lang
) -> pl.DataFrame:
    del db_path, version, day
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
    return _league(str(db()), version(), as_of(), target_id, lang())
