"""Streamlit's AppTest drives the dashboard script itself, page by page, on a real warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import reference
from model import clock, paths
from model.catalogue import Catalogue
from service import api as service
from target_monitor.i18n import status_label, t

APP = str(paths.ROOT / "dashboard.py")
SAMPLE_AS_OF = dt.date(2014, 7, 20)


def open_page(db: Path, page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["db_path"] = db
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def engine_status(sample_db: Path) -> dict[str, str]:
    ref = reference()
    frame = service.goal_status(
        sample_db, catalogue=ref.catalogue, regions=ref.regions, as_of=SAMPLE_AS_OF
    )
    return dict(frame.select("target_id", "status").iter_rows())


def test_overview_counts_equal_the_engine(sample_db: Path, engine_status: dict[str, str]) -> None:
    at = open_page(sample_db)
    assert at.title[0].value == "目标总览"
    metrics = {m.label: int(m.value) for m in at.metric}
    for status in ("off_track", "on_track", "achieved", "missed", "not_started"):
        expected = sum(1 for s in engine_status.values() if s == status)
        assert metrics[status_label(status)] == expected, status
    table = at.dataframe[0].value
    assert len(table) == len(engine_status)
    assert at.caption[0].value.startswith("截至 2014-07-20")


def test_overview_status_filter_lives_in_the_url(
    sample_db: Path, engine_status: dict[str, str]
) -> None:
    at = open_page(sample_db, status="off_track")
    table = at.dataframe[0].value
    assert len(table) == sum(1 for s in engine_status.values() if s == "off_track")
    assert set(table["状态"]) <= {"进度滞后", "进度滞后（暂定）"}  # provisional before the deadline
    assert at.query_params["status"] == "off_track"


def test_goal_detail_shows_chart_source_and_numbers(sample_db: Path, catalogue: Catalogue) -> None:
    target_id = "gd624-demo-platforms-provincial-2015"
    at = open_page(sample_db, "pages/goal.py", target=target_id)
    assert len(at.get("vega_lite_chart")) == 2
    target = catalogue.target(target_id)
    assert any(target.quote in m.value for m in at.markdown)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["目标值"] == "500家"
    data = at.dataframe[-1].value
    assert list(data.columns) == ["报告期", "实际", "计划进度", "预测"]
    assert data.iloc[0]["报告期"] == "2011Q1"


def test_regions_page_maps_and_ranks_cities(sample_db: Path) -> None:
    at = open_page(sample_db, "pages/regions.py", target="gd624-demo-platforms-provincial-2015")
    league = at.dataframe[0].value
    assert len(league) == 21
    assert list(league["#"])[:3] == [1, 2, 3]


def test_years_page_has_a_matrix_and_a_goal(sample_db: Path) -> None:
    at = open_page(sample_db, "pages/years.py", target="gd624-executive-training-yearly")
    assert len(at.get("vega_lite_chart")) == 2
    table = at.dataframe[0].value
    assert list(table["年度"]) == [2012, 2013, 2014]


def test_reporting_page_lists_uploads(sample_db: Path) -> None:
    at = open_page(sample_db, "pages/reporting.py")
    assert len(at.get("vega_lite_chart")) == 1
    uploads = at.dataframe[-1].value
    assert len(uploads) == 14  # the batches finished by the as-of date: 2011Q1 … 2014Q2
    assert uploads.iloc[0]["文件"] == "sample-2014Q2.csv"
    assert uploads.iloc[0]["时间（北京时间）"] == "2014-07-15 09:00"


def test_upload_page_offers_templates(sample_db: Path) -> None:
    at = open_page(sample_db, "pages/upload.py", region="440100")
    assert at.selectbox(key="upload_region").value == "440100"
    assert at.selectbox(key="upload_quarter").value == "2014Q2"
    history = at.dataframe[0].value
    assert len(history) == 40  # every quarterly sample batch holds figures for 广州


def test_catalogue_page_lists_every_goal(sample_db: Path, catalogue: Catalogue) -> None:
    at = open_page(sample_db, "pages/catalogue.py")
    goals, params = at.dataframe[0].value, at.dataframe[1].value
    assert len(goals) == len(catalogue.targets)
    assert len(params) == len(catalogue.parameters)
    assert "gd624-demo-platforms-provincial-2015" in set(goals["编号"])


def test_catalogue_search_filters_and_lands_in_the_url(sample_db: Path) -> None:
    at = open_page(sample_db, "pages/catalogue.py")
    at.text_input(key="q").input("专业镇").run()
    goals = at.dataframe[0].value
    assert len(goals) > 0
    assert all("专业镇" in " ".join(str(v) for v in row) for row in goals.itertuples(index=False))
    assert at.query_params["q"] == "专业镇"


def test_english_toggle_switches_the_labels(sample_db: Path) -> None:
    at = open_page(sample_db, lang="en")
    assert at.title[0].value == "Goals at a glance"
    assert "Off track" in {m.label for m in at.metric}


def test_sample_banner_shows_only_on_sample_data(sample_db: Path, empty_db: Path) -> None:
    at = open_page(sample_db)
    assert [w.value for w in at.warning] == [
        "示例数据：当前显示的是系统自带的模拟数据，仅供演示，不代表真实上报情况。"
        "演示账号（每种角色一个）见左侧登录框。"
    ]
    at = open_page(empty_db)
    assert [w.value for w in at.warning] == []


# --- crafted links and storage faults: a notice or one line, never a traceback (issue 13) ----


def _info(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


@pytest.mark.parametrize(
    ("raw", "shown", "key"),
    [
        ("9999-12-31", clock.today() + dt.timedelta(days=366), "param.as_of_range"),
        ("2010-06-30", dt.date(2011, 1, 1), "param.as_of_range"),
        ("garbage", SAMPLE_AS_OF, "param.as_of_invalid"),
        ("2014-02-30", SAMPLE_AS_OF, "param.as_of_invalid"),
    ],
)
def test_a_crafted_as_of_falls_back_with_a_notice(
    sample_db: Path, raw: str, shown: dt.date, key: str
) -> None:
    at = open_page(sample_db, as_of=raw)
    assert at.title[0].value == "目标总览"
    assert at.caption[0].value.startswith(f"截至 {shown.isoformat()}")
    assert at.date_input(key="as_of_input").value == shown
    values: dict[str, object] = {"value": raw, "day": shown.isoformat()}
    if key == "param.as_of_range":
        high = clock.today() + dt.timedelta(days=366)
        values |= {"low": "2011-01-01", "high": high.isoformat()}
    assert _info(at) == [t(key, "zh", **values)]
    # the address now reproduces what is shown
    assert at.query_params.get("as_of") == (shown.isoformat() if "range" in key else None)


def test_a_crafted_as_of_notice_reaches_a_deep_linked_page(sample_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["db_path"] = sample_db
    at.session_state["_shell"] = True  # as after the first run: dashboard.py wraps the page
    at.query_params["as_of"] = "1999-01-01"
    at.query_params["goto"] = "goal"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _info(at)[0] == t(
        "param.as_of_range",
        value="1999-01-01",
        low="2011-01-01",
        high=(clock.today() + dt.timedelta(days=366)).isoformat(),
        day="2011-01-01",
    )


@pytest.mark.parametrize(
    ("page", "params", "notice", "check"),
    [
        (None, {"status": "zzz"}, ("param.unknown", "status", "zzz"), "overview"),
        (None, {"doc": "[x](http://e.test)"}, ("param.unknown", "doc", "?x??http:??e.test?"), ""),
        ("pages/reporting.py", {"level": "x"}, ("param.unknown", "level", "x"), "level"),
        ("pages/goal.py", {"target": "no-such-goal"}, ("param.goal_unknown", "", ""), "goal"),
        ("pages/regions.py", {"target": "no-such-goal"}, ("param.goal_unknown", "", ""), "map"),
        ("pages/years.py", {"target": "x'--"}, ("param.goal_unknown", "", ""), "years"),
        ("pages/upload.py", {"region": "999999"}, ("param.unknown", "region", "999999"), ""),
    ],
)
def test_a_crafted_parameter_falls_back_to_the_default_with_a_notice(
    sample_db: Path,
    catalogue: Catalogue,
    page: str | None,
    params: dict[str, str],
    notice: tuple[str, str, str],
    check: str,
) -> None:
    at = open_page(sample_db, page, **params)
    key, name, shown = notice
    (raw,) = params.values()
    if key == "param.goal_unknown":
        expected = t(key, value=raw.replace("'", "?"))
    else:
        expected = t(key, name=name, value=shown)
    assert _info(at)[0] == expected
    if check == "overview":  # every goal, unfiltered
        assert len(at.dataframe[0].value) == len(catalogue.targets)
    elif check == "level":
        assert at.query_params["level"] == "city"
        assert len(at.get("vega_lite_chart")) == 1
    elif check == "goal":
        assert at.query_params["target"] == catalogue.targets[0].id
    elif check == "map":
        assert at.query_params["target"] == "gd624-demo-platforms-provincial-2015"
        assert len(at.dataframe[0].value) == 21
    elif check == "years":
        assert at.query_params["target"] == "gd624-executive-training-yearly"


def test_a_missing_warehouse_is_one_line_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.duckdb"
    at = open_page(missing)
    assert [e.value for e in at.error] == [
        "没有找到数据仓库 typo.duckdb：请运行 `make run` 或 `.venv/bin/target-monitor init` / "
        "no warehouse at typo.duckdb: run `make run` or `.venv/bin/target-monitor init`"
    ]
    assert str(tmp_path) not in at.error[0].value  # no server paths in the browser
    assert list(tmp_path.iterdir()) == []


def test_an_uninitialised_file_is_one_line(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    at = open_page(path)
    assert [e.value for e in at.error] == [
        "empty.duckdb 不是已初始化的数据仓库（或版本过旧）：请运行 `make run` 或 "
        "`.venv/bin/target-monitor init` / empty.duckdb is not an initialised warehouse (or is "
        "out of date): run `make run` or `.venv/bin/target-monitor init`"
    ]


def test_a_read_only_warehouse_is_shown_read_only(
    sample_db: Path, tmp_path: Path, engine_status: dict[str, str]
) -> None:
    from tests.checkout import immutable

    copy = tmp_path / "published.duckdb"
    copy.write_bytes(sample_db.read_bytes())
    with immutable(copy):
        at = open_page(copy)
        assert at.title[0].value == "目标总览"
        assert len(at.dataframe[0].value) == len(engine_status)
        assert t("readonly.notice") in _info(at)
        at = open_page(copy, "pages/goal.py", target="gd624-demo-platforms-provincial-2015")
        assert len(at.get("vega_lite_chart")) == 2
