"""Starting as users start: ``streamlit run dashboard.py`` on a fresh clone with no warehouse.

Each test copies the working tree's files into a temporary directory (as a fresh clone has
them: no ``data/warehouse.duckdb``), shares this checkout's ``.venv``, and starts a real server
with the copy's ``.streamlit/config.toml`` (localhost only).  The first start builds the sample
with a progress indicator; a build killed midway leaves nothing in place and the next start
finishes it; eight first visitors at once each get the overview and no exception (the pandas
import race of a cold server, and the one sample build they all wait for).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from etl.build import building_path
from service import api as service
from target_monitor.i18n import t
from tests.checkout import copy_checkout, streamlit
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, _copy_warehouse, settle
from warehouse import accounts, queries
from warehouse.connect import connect

# servers and Chromium run one test at a time per group (make test: --dist loadgroup): two
# groups of them beside the rest, not three at once on two cores
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("servers-a")]

FIRST_START_MS = 300_000  # the sample build (tens of seconds on a busy 2-core machine) and a render
SESSIONS = 8


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(FIRST_START_MS)
    return page


def _overview_without_exception(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("overview.title"), timeout=FIRST_START_MS
    )
    expect(page.get_by_text(t("banner.sample"), exact=True)).to_be_visible()
    settle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "partially initialized" not in body


def _complete_sample(db: Path) -> tuple[int, str | None, int]:
    with connect(db) as con:
        batches = queries.batches(con, limit=1000).height
        users = accounts.list_users(con).height
    return batches, service.info(db).get("sample"), users


def _no_traceback(log: Path) -> None:
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]


def test_streamlit_run_on_a_fresh_clone_builds_the_sample_and_shows_the_overview(
    browser: Browser, tmp_path: Path
) -> None:
    checkout = copy_checkout(tmp_path / "clone")
    db = checkout / "data" / "warehouse.duckdb"
    log = tmp_path / "streamlit.log"
    with streamlit(checkout, log) as (base, _):
        page = _page(browser)
        try:
            page.goto(base + "/")
            expect(page.get_by_text(t("start.building"))).to_be_visible()  # the progress
            _overview_without_exception(page)
        finally:
            page.context.close()
    assert _complete_sample(db) == (40, "true", 3)
    assert not building_path(db).exists()
    _no_traceback(log)


def test_a_first_start_killed_midway_is_finished_by_the_next_start(
    browser: Browser, tmp_path: Path
) -> None:
    checkout = copy_checkout(tmp_path / "clone")
    db = checkout / "data" / "warehouse.duckdb"
    building = building_path(db)
    log = tmp_path / "streamlit.log"
    with streamlit(checkout, log) as (base, server):
        page = _page(browser)
        try:
            page.goto(base + "/", wait_until="commit")  # the first visitor starts the build
            deadline = time.monotonic() + 120
            # midway: the dimensions are in (about 4.7 MB) and quarterly batches are being added
            while not building.exists() or building.stat().st_size < 5_500_000:
                assert server.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, "the build never got under way"
                time.sleep(0.05)  # polling the file the build writes
            os.killpg(server.pid, signal.SIGKILL)  # the server is the building process
            server.wait(timeout=30)
        finally:
            page.context.close()
    assert not db.exists()
    assert building.exists()  # the half-built sample stayed out of place

    with streamlit(checkout, log) as (base, _):
        page = _page(browser)
        try:
            page.goto(base + "/")
            _overview_without_exception(page)
        finally:
            page.context.close()
    assert _complete_sample(db) == (40, "true", 3)
    assert not building.exists()


@pytest.mark.parametrize("warehouse", ["sample", "none"])
def test_eight_first_visitors_at_once_see_no_exception(
    browser: Browser, tmp_path: Path, sample_db: Path, warehouse: str
) -> None:
    """With the sample in place, the eight sessions race to import pandas on a cold server (1 to
    7 of 8 sessions failed before ``dashboard.py`` imported it first); with no warehouse, they
    also wait for one sample build."""
    checkout = copy_checkout(tmp_path / "clone")
    if warehouse == "sample":
        assert _copy_warehouse(sample_db, checkout / "data").name == "warehouse.duckdb"
    log = tmp_path / "streamlit.log"
    goal = "/goal?target=gd624-demo-platforms-provincial-2015"
    with streamlit(checkout, log) as (base, _):
        pages = [_page(browser) for _ in range(SESSIONS)]
        try:
            for page in pages:  # all at once on a cold server, before any warehouse exists
                page.goto(base + "/", wait_until="commit")
            for page in pages:
                _overview_without_exception(page)
            for page in pages:
                page.goto(base + goal, wait_until="commit")
            for page in pages:
                expect(page.locator("blockquote")).to_be_visible(timeout=FIRST_START_MS)
                settle(page)
                expect(page.get_by_test_id("stException")).to_have_count(0)
        finally:
            for page in pages:
                page.context.close()
    assert _complete_sample(checkout / "data" / "warehouse.duckdb") == (40, "true", 3)
    _no_traceback(log)
