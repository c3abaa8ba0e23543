"""Streamlit's AppTest drives the dashboard script itself."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from etl.catalogue import Catalogue
from target_monitor import paths

APP = str(paths.ROOT / "dashboard.py")


def test_catalogue_page_lists_every_goal(catalogue: Catalogue) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "目标库"
    goals, params = at.dataframe[0].value, at.dataframe[1].value
    assert len(goals) == len(catalogue.targets)
    assert len(params) == len(catalogue.parameters)
    assert list(goals.columns[:3]) == ["编号", "文件", "条款"]
    assert "gd624-demo-platforms-provincial-2015" in set(goals["编号"])


def test_catalogue_search_filters_and_lands_in_the_url() -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="q").input("专业镇").run()
    goals = at.dataframe[0].value
    assert len(goals) > 0
    assert all("专业镇" in " ".join(str(v) for v in row) for row in goals.itertuples(index=False))
    assert at.query_params["q"] == "专业镇"


def test_english_toggle_switches_the_labels() -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Catalogue of goals"
    assert list(at.dataframe[0].value.columns[:2]) == ["ID", "Document"]


def test_sample_banner_shows_only_on_sample_data(sample_db: Path, empty_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["db_path"] = sample_db
    at.run()
    assert [w.value for w in at.warning] == [
        "示例数据：当前显示的是系统自带的模拟数据，仅供演示，不代表真实上报情况。"
    ]
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["db_path"] = empty_db
    at.run()
    assert [w.value for w in at.warning] == []
