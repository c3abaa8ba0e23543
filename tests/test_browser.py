"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against a live
``streamlit run`` of ``dashboard.py`` on a copy of the sample warehouse.

Streamlit renders asynchronously (the script runs on the server, elements are then mounted, some
lazily), so every check waits for a visible outcome with Playwright's auto-waiting ``expect``;
:func:`settle` waits until the run has finished and every chart and table has been drawn.
Screenshots of every page land in ``tests/artifacts/`` (git-ignored) for a human to look at.

Dataframes are drawn on a canvas; their visible cells are mirrored in an accessibility ``<table>``
inside the canvas, which is what the assertions on table contents read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect, sync_playwright

from etl.build import DEMO_ACCOUNTS
from etl.load import check_file, reference
from etl.template import template_rows, write_template
from model import paths
from model.catalogue import Catalogue
from model.periods import Quarter, quarters_between
from service import api as service
from target_monitor.charts import format_number
from target_monitor.i18n import t
from target_monitor.pinned import pinned_goals
from tests.checkout import wait_healthy
from warehouse import accounts, queries, throttle
from warehouse.connect import connect

ARTIFACTS = paths.ROOT / "tests" / "artifacts"
pytestmark = pytest.mark.xdist_group("servers-b")  # see tests/test_start.py
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SAMPLE_AS_OF = dt.date(2014, 7, 20)  # the sample warehouse's default as-of date
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
TIMEOUT_MS = 30_000
# The dashboard is deployed in China: its server clock runs on Beijing time, the time zone the
# warehouse's as-of cut-off uses.  (On a UTC clock the two disagree from 16:00 to 24:00 UTC; see
# test_as_of_after_the_server_date_does_not_crash.)  A POSIX TZ string needs no tzdata.
SERVER_TZ = "CST-8"
BEIJING = dt.timezone(dt.timedelta(hours=8))

UPLOAD_REGION = "440100"
UPLOAD_QUARTER = "2014Q2"
UPLOAD_INDICATOR = "demo_platforms_provincial"
UPLOAD_TARGET = "gd624-demo-platforms-provincial-2015"
UPLOAD_VALUE = 99.0
BUREAU_USER, BUREAU_PASSWORD = "guangzhou-bureau", "guangzhou-pass"

expect.set_options(timeout=TIMEOUT_MS)


# --- server and browser ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _copy_warehouse(source: Path, folder: Path) -> Path:
    """A private copy of the warehouse (and its WAL, if any): uploads must not leak out."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copy2(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + ".wal"))
    return target


@contextmanager
def _serve(db: Path, log: Path) -> Iterator[str]:
    """``streamlit run dashboard.py -- --db DB`` on a free loopback port; yields the base URL."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(paths.ROOT / "dashboard.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--",
        "--db",
        str(db),
    ]
    env = {**os.environ, "TZ": SERVER_TZ}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=paths.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log, timeout=60)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def warehouse_copy(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_warehouse(sample_db, tmp_path_factory.mktemp("browser-warehouse"))


@pytest.fixture(scope="module")
def server(
    warehouse_copy: Path, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The dashboard on the module's warehouse copy; yields its base URL."""
    log = tmp_path_factory.mktemp("browser-server") / "streamlit.log"
    with _serve(warehouse_copy, log) as base:
        # Streamlit treats an app with a pages/ folder as a v1 multipage app until some session
        # has run dashboard.py (whose st.navigation switches the process to v2).  Open the root
        # once so that the deep links below behave as they do on a server that has been up a
        # while; test_deep_link_as_first_visit_runs_the_app_shell covers the cold start.
        page = browser.new_page(viewport=VIEWPORT)
        try:
            page.goto(base + "/")
            expect(page.get_by_text(t("banner.sample"), exact=True)).to_be_visible()
            settle(page)
        finally:
            page.close()
        yield base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (and so a fresh Streamlit session) per test."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()


# --- helpers --------------------------------------------------------------------------------

_SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
    const shown = (selector) =>
        [...document.querySelectorAll(selector)].filter((e) => e.checkVisibility());
    // Charts and tables inside a collapsed expander are never drawn: only the shown ones count.
    return shown('[data-testid="stVegaLiteChart"]').every((c) => c.querySelector('canvas, svg'))
        && shown('[data-testid="stDataFrame"]').every((g) => g.querySelector('canvas'));
}"""

_NEXT_FRAME = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def settle(page: Page) -> None:
    """Wait until the script run has finished and every chart and table has been drawn."""
    page.wait_for_function(_SETTLED, timeout=TIMEOUT_MS)
    page.evaluate(_NEXT_FRAME)


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in tests/artifacts/.  The app scrolls inside its main section, not
    the document, so the viewport is stretched to the content's height for the shot."""
    settle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.documentElement.scrollHeight; }"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    settle(page)
    out = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return out


def title(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def banner(page: Page) -> Locator:
    return page.get_by_text(t("banner.sample"), exact=True)


def grid_with_column(page: Page, header: str) -> Locator:
    """The dataframe whose header row has a column called ``header``."""
    return page.get_by_test_id("stDataFrame").filter(
        has=page.locator("th", has_text=re.compile(f"^{re.escape(header)}$"))
    )


def grid_cell(grid: Locator, row_label: str, column: str) -> Locator:
    """The cell in column ``column`` of the grid row whose first cell reads ``row_label``."""
    header = grid.locator("th", has_text=re.compile(f"^{re.escape(column)}$"))
    expect(header).to_have_count(1)
    index = header.get_attribute("aria-colindex")
    row = grid.locator("tbody tr").filter(
        has=grid.page.locator(
            'td[aria-colindex="1"]', has_text=re.compile(f"^{re.escape(row_label)}$")
        )
    )
    return row.locator(f'td[aria-colindex="{index}"]')


def log_in(page: Page, role: str) -> None:
    """Log in with the sample warehouse's demo account of ``role`` through the sidebar form."""
    username, password, _, _, display_name = next(a for a in DEMO_ACCOUNTS if a[2] == role)
    log_in_as(page, username, password, display_name, role)


def log_in_as(page: Page, username: str, password: str, display_name: str, role: str) -> None:
    """Log in through the sidebar form and wait for the greeting."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_label(t("login.user"), exact=True).fill(username)
    sidebar.get_by_label(t("login.password"), exact=True).fill(password)
    sidebar.get_by_role("button", name=t("login.submit"), exact=True).click()
    logged_in = t("login.as", name=display_name, role=t(f"role.{role}"))
    expect(sidebar.get_by_text(logged_in, exact=True)).to_be_visible()


def goal_name(catalogue: Catalogue, target_id: str) -> str:
    """The goal's Chinese name as the pages show it (``ui.goal_name`` without Streamlit)."""
    target = catalogue.target(target_id)
    return f"{catalogue.indicator(target.indicator).name_zh}（{target.deadline.year}）"


def beijing_today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def plain(value: float) -> str:
    """A number as the dataframe shows a float column: no trailing .0 on whole numbers."""
    return str(int(value)) if float(value).is_integer() else str(value)


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_every_page_opens_with_its_title_and_the_sample_banner(server: str, page: Page) -> None:
    catalogue = reference().catalogue
    pages = {
        # The default page is served at the root; /overview is covered by
        # test_overview_url_path_opens_without_page_not_found.
        "overview": ("/", t("overview.title")),
        "goal": ("/goal", goal_name(catalogue, catalogue.targets[0].id)),
        "regions": ("/regions", t("regions.title")),
        "years": ("/years", t("years.title")),
        "catalogue": ("/catalogue", t("catalogue.title")),
        "reporting": ("/reporting", t("reporting.title")),
        "upload": ("/upload", t("upload.title")),
        "admin": ("/admin", t("admin.title")),
    }
    assert t("banner.sample").startswith("示例数据")
    for name, (path, heading) in pages.items():
        page.goto(server + path)
        expect(title(page)).to_have_text(heading)
        expect(banner(page)).to_be_visible()
        settle(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        screenshot(page, name)


@pytest.mark.browser
def test_language_from_the_url_and_from_the_sidebar(server: str, page: Page) -> None:
    page.goto(server + "/?lang=en")
    expect(title(page)).to_have_text("Goals at a glance")
    expect(page.get_by_text(t("banner.sample", "en"), exact=True)).to_be_visible()
    screenshot(page, "overview-en")

    page.goto(server + "/")
    expect(title(page)).to_have_text("目标总览")
    settle(page)
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    expect(title(page)).to_have_text("Goals at a glance")
    expect(page).to_have_url(re.compile(r"[?&]lang=en(&|$)"))
    expect(page.get_by_test_id("stSidebar").get_by_text("Goal detail", exact=True)).to_be_visible()


@pytest.mark.browser
def test_a_row_of_the_overview_opens_that_goal(
    server: str, page: Page, warehouse_copy: Path
) -> None:
    ref = reference()
    order = service.goal_status(
        warehouse_copy, catalogue=ref.catalogue, regions=ref.regions, as_of=SAMPLE_AS_OF
    )["target_id"].to_list()
    # the overview lists the pinned headline goals first, then the rest in catalogue order
    pinned = pinned_goals(ref.catalogue)
    shown = sorted(order, key=lambda x: pinned.index(x) if x in pinned else len(pinned))
    row = 3
    target_id = shown[row]
    target = ref.catalogue.target(target_id)

    page.goto(server + "/")
    expect(title(page)).to_have_text("目标总览")
    settle(page)
    table = grid_with_column(page, t("col.goal_name"))
    # column 1 is the pin (置顶), column 2 the goal's name
    expect(table.locator(f'td[data-testid="glide-cell-2-{row}"]')).to_have_text(
        goal_name(ref.catalogue, target_id)
    )
    box = table.get_by_test_id("data-grid-canvas").bounding_box()
    assert box is not None
    # The grid is a canvas: the row's selection checkbox sits in the marker column at the left,
    # below a header row; Streamlit's rows and header are 35 px high.
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 35 * row + 17)

    expect(page).to_have_url(re.compile(rf"/goal\?(.*&)?target={re.escape(target_id)}(&|$)"))
    expect(title(page)).to_have_text(goal_name(ref.catalogue, target_id))
    expect(page.locator("blockquote")).to_have_text(target.quote)
    screenshot(page, "goal-from-overview")


@pytest.mark.browser
def test_upload_a_filled_template_and_see_the_new_figure(
    server: str, page: Page, warehouse_copy: Path, tmp_path: Path
) -> None:
    ref = reference()
    quarter = Quarter.parse(UPLOAD_QUARTER)
    today = beijing_today()
    goal_url = f"{server}/goal?target={UPLOAD_TARGET}&as_of={today.isoformat()}"
    target = ref.catalogue.target(UPLOAD_TARGET)
    region_name = next(r.name for r in ref.regions if r.code == UPLOAD_REGION)
    with connect(warehouse_copy, write=True) as con:  # an admin creates the bureau's account
        accounts.add_user(
            con,
            username=BUREAU_USER,
            password=BUREAU_PASSWORD,
            role="bureau",
            region_code=UPLOAD_REGION,
            display_name="广州市工信局",
            actor="demo-admin",
        )

    # What the warehouse holds before the upload: the region's running sum over the goal's
    # window, and every figure the region reported for the quarter (the upload repeats them,
    # changing one).
    with connect(warehouse_copy) as con:
        reports = queries.current_reports(con, region_code=UPLOAD_REGION)
    window = {
        q.label for q in quarters_between(Quarter.of(target.start), Quarter.of(target.deadline))
    }
    own = {
        row["period"]: row["value"]
        for row in reports.filter(reports["indicator"] == UPLOAD_INDICATOR).to_dicts()
        if row["period"] in window
    }
    old = own[UPLOAD_QUARTER]
    assert old != UPLOAD_VALUE, "pick a value the sample does not already hold"
    before_sum = sum(own.values())
    after_sum = before_sum - old + UPLOAD_VALUE
    held = {
        row["indicator"]: row["value"]
        for row in reports.filter(reports["period"] == UPLOAD_QUARTER).to_dicts()
    }
    rows = template_rows(ref.catalogue, ref.regions, UPLOAD_REGION, quarter)
    rows_by_row = {i + 2: r.indicator for i, r in enumerate(rows)}  # Excel rows, header is 1
    values = {r.indicator: held.get(r.indicator, 0.0) for r in rows}
    values[UPLOAD_INDICATOR] = UPLOAD_VALUE
    new = sum(1 for r in rows if r.indicator not in held)
    unchanged = len(rows) - new - 1
    upload = tmp_path / f"{region_name}-{UPLOAD_QUARTER}-已填报.xlsx"
    assert write_template(ref.catalogue, ref.regions, UPLOAD_REGION, quarter, upload, values=values)

    # The goal page before: the region's figure is the sample's running sum.
    page.goto(goal_url)
    expect(title(page)).to_have_text(goal_name(ref.catalogue, UPLOAD_TARGET))
    settle(page)
    regions_grid = grid_with_column(page, t("col.share"))
    expect(grid_cell(regions_grid, region_name, t("col.actual"))).to_have_text(plain(before_sum))
    actual_metric = (
        page.get_by_test_id("stMetric")
        .filter(has_text=t("goal.metric.actual"))
        .get_by_test_id("stMetricValue")
    )
    actual_text = actual_metric.text_content() or ""
    before_total = float(actual_text.removesuffix(target.unit).replace(",", ""))
    assert format_number(before_total, target.unit) == actual_text

    # Upload, check, commit as the bureau of that region: an account an admin creates (the
    # running server opens the warehouse per operation, so it can be added now).  Logging in
    # lives in the Streamlit session: no reloads from here until the commit.
    page.goto(f"{server}/upload?region={UPLOAD_REGION}")
    expect(title(page)).to_have_text(t("upload.title"))
    settle(page)
    expect(page.get_by_text(t("upload.login"), exact=True)).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_count(0)
    log_in_as(page, BUREAU_USER, BUREAU_PASSWORD, "广州市工信局", "bureau")
    expect(title(page)).to_have_text(t("upload.title"))
    settle(page)
    expect(page.get_by_role("combobox", name=t("upload.region"))).to_have_value(
        f"{region_name} {UPLOAD_REGION}"
    )
    expect(page.get_by_role("combobox", name=t("upload.quarter"))).to_have_value(UPLOAD_QUARTER)
    # What validation will say, asked of the same load path first: jumping to 99 platforms in
    # a quarter is more than ten times the previous quarter the warehouse holds, so the upload
    # carries warnings that the bureau must confirm.
    warnings = [
        i
        for i in check_file(
            upload.read_bytes(), upload.name, db=warehouse_copy, region=UPLOAD_REGION, ref=ref
        )[0]
        if i.severity == "warning"
    ]
    assert ("flow-jump", UPLOAD_INDICATOR) in {
        (i.rule, rows_by_row.get(i.row or 0)) for i in warnings
    }
    page.locator("input[type=file]").set_input_files(upload)
    expect(page.get_by_text(t("upload.warnings", n=len(warnings)), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=t("upload.commit"))).to_be_disabled()
    page.get_by_text(t("upload.confirm"), exact=True).click()
    counts = t("upload.counts", new=new, changed=1, unchanged=unchanged, rejected=0)
    expect(page.get_by_text(counts, exact=True)).to_be_visible()
    expect(page.get_by_text(t("upload.dry"), exact=True)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    screenshot(page, "upload-before-commit")

    page.get_by_role("button", name=t("upload.commit")).click()
    committed = re.escape(t("upload.committed", batch="{batch}")).replace(
        re.escape("{batch}"), r"(\d+)"
    )
    saved = page.get_by_text(re.compile(f"^{committed}$"))
    expect(saved).to_be_visible()
    expect(page.get_by_role("button", name=t("upload.commit"))).to_have_count(0)
    match = re.fullmatch(committed, saved.text_content() or "")
    assert match is not None
    batch = match[1]
    # The region's history lists the new batch with the file and its counts.
    history = grid_with_column(page, t("col.file"))
    for column, value in (
        (t("col.file"), upload.name),
        (t("col.new"), str(new)),
        (t("col.changed"), "1"),
        (t("col.unchanged"), str(unchanged)),
    ):
        expect(grid_cell(history, batch, column)).to_have_text(value)
    screenshot(page, "upload-after-commit")

    # The goal page after: the region's running sum with 2014Q2 replaced, and the provincial total.
    page.goto(goal_url)
    expect(title(page)).to_have_text(goal_name(ref.catalogue, UPLOAD_TARGET))
    settle(page)
    regions_grid = grid_with_column(page, t("col.share"))
    expect(grid_cell(regions_grid, region_name, t("col.actual"))).to_have_text(plain(after_sum))
    expect(actual_metric).to_have_text(
        format_number(before_total - old + UPLOAD_VALUE, target.unit)
    )
    screenshot(page, "goal-after-upload")


# --- defects found by these tests, fixed: they stay as regression tests -----------------------


@pytest.mark.browser
def test_deep_link_as_first_visit_runs_the_app_shell(
    browser: Browser, sample_db: Path, tmp_path: Path
) -> None:
    db = _copy_warehouse(sample_db, tmp_path / "cold")
    with _serve(db, tmp_path / "streamlit.log") as base:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{base}/goal?target={UPLOAD_TARGET}")
            # a cold server's first run imports everything: generous on a loaded 2-core machine
            expect(title(page)).to_be_visible(timeout=3 * TIMEOUT_MS)
            settle(page)
            screenshot(page, "cold-deep-link")
            expect(banner(page)).to_be_visible(timeout=2_000)
            expect(
                page.get_by_test_id("stSidebar").get_by_text("English", exact=True)
            ).to_be_visible(timeout=2_000)
        finally:
            context.close()


@pytest.mark.browser
def test_overview_url_path_opens_without_page_not_found(server: str, page: Page) -> None:
    page.goto(server + "/overview")
    expect(title(page)).to_have_text(t("overview.title"))
    settle(page)
    screenshot(page, "overview-url-path")
    expect(page.get_by_text("Page not found")).to_have_count(0, timeout=1_000)


@pytest.mark.browser
def test_as_of_after_the_server_date_does_not_crash(server: str, page: Page) -> None:
    tomorrow = beijing_today() + dt.timedelta(days=1)  # the server's clock runs on Beijing time
    page.goto(f"{server}/?as_of={tomorrow.isoformat()}")
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    settle(page)
    screenshot(page, "as-of-tomorrow")
    expect(page.get_by_test_id("stException")).to_have_count(0, timeout=1_000)
    expect(title(page)).to_have_text(t("overview.title"), timeout=1_000)


# --- accounts checked at every action, and login throttling (issue 13) -------------------------

# Counts finished script runs, so that a test can wait for the run its click started even when
# the page looks the same afterwards (a second "locked" message reads like the first).
_COUNT_RUNS = """() => {
    window.__runs = 0;
    new MutationObserver((changes) => {
        if (changes.some((c) => c.target.getAttribute('data-test-script-state') === 'notRunning'))
            window.__runs += 1;
    }).observe(document.body, {
        attributes: true, subtree: true, attributeFilter: ['data-test-script-state'],
    });
}"""


def _click_and_wait_for_the_run(page: Page, button: Locator) -> None:
    runs = page.evaluate("() => window.__runs")
    button.click()
    page.wait_for_function(f"() => window.__runs > {runs}")
    settle(page)


def _poll(check: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.2)  # polling the warehouse, which the server writes


@pytest.mark.browser
def test_an_admin_disables_a_bureau_whose_open_session_then_cannot_commit(
    browser: Browser, sample_db: Path, tmp_path: Path
) -> None:
    """The audit's H4 in two browser contexts: the bureau's dry run is on screen, an admin
    disables the account, the bureau presses 确认提交 — and nothing is committed; the bureau's
    session is logged out with a notice saying why."""
    db = _copy_warehouse(sample_db, tmp_path / "accounts")
    ref = reference()
    region, indicator = "445200", "local_service_activities"  # 揭阳市, the demo bureau's city
    with connect(db) as con:
        reports = queries.current_reports(con, region_code=region)
    held = {
        row["indicator"]: row["value"]
        for row in reports.filter(reports["period"] == UPLOAD_QUARTER).to_dicts()
    }
    upload = tmp_path / f"揭阳市-{UPLOAD_QUARTER}.csv"
    value = held.get(indicator, 0.0) + 1
    upload.write_text(
        f"地区代码,指标,报告期,数值\n{region},{indicator},{UPLOAD_QUARTER},{value}\n",
        encoding="utf-8",
    )
    issues, *_ = check_file(upload.read_bytes(), upload.name, db=db, region=region, ref=ref)
    assert not [i for i in issues if i.severity == "error"], issues
    warned = any(i.severity == "warning" for i in issues)

    with _serve(db, tmp_path / "streamlit.log") as base:
        contexts = [browser.new_context(viewport=VIEWPORT, locale="zh-CN") for _ in range(2)]
        try:
            bureau, admin = (context.new_page() for context in contexts)
            for page in (bureau, admin):
                page.set_default_timeout(TIMEOUT_MS)

            bureau.goto(f"{base}/upload?region={region}")
            expect(title(bureau)).to_have_text(t("upload.title"))
            settle(bureau)
            log_in(bureau, "bureau")
            settle(bureau)
            expect(bureau.get_by_role("combobox", name=t("upload.region"))).to_have_value(
                f"揭阳市 {region}"
            )
            bureau.locator("input[type=file]").set_input_files(upload)
            expect(bureau.get_by_text(t("upload.dry"), exact=True)).to_be_visible()
            if warned:
                bureau.get_by_text(t("upload.confirm"), exact=True).click()
            commit = bureau.get_by_role("button", name=t("upload.commit"))
            expect(commit).to_be_enabled()
            bureau.evaluate(_COUNT_RUNS)

            admin.goto(f"{base}/admin")
            expect(title(admin)).to_have_text(t("admin.title"))
            settle(admin)
            log_in(admin, "admin")
            settle(admin)
            admin.get_by_role("combobox", name=t("admin.disable")).click()
            admin.get_by_role("option", name="demo-bureau", exact=True).click()
            admin.get_by_role("button", name=t("admin.disable"), exact=True).click()
            _poll(
                lambda: not getattr(service.user(db, "demo-bureau"), "active", True),
                "the admin's 停用账号 reaches the warehouse",
            )

            _click_and_wait_for_the_run(bureau, commit)  # the bureau's next action
            sidebar = bureau.get_by_test_id("stSidebar")
            expect(sidebar.get_by_text(t("login.disabled"), exact=True)).to_be_visible()
            expect(bureau.get_by_text(t("upload.login"), exact=True)).to_be_visible()
            expect(bureau.get_by_role("button", name=t("upload.commit"))).to_have_count(0)
            expect(bureau.locator("input[type=file]")).to_have_count(0)
            expect(bureau.get_by_test_id("stException")).to_have_count(0)
            screenshot(bureau, "disabled-bureau-logged-out")
        finally:
            for context in contexts:
                context.close()

    with connect(db) as con:
        committed = con.execute(
            "SELECT count(*) FROM upload_batches WHERE uploader = 'demo-bureau'"
            " AND kind = 'committed'"
        ).fetchone()
        log = con.execute(
            "SELECT actor, action, target FROM audit_log"
            " WHERE actor IN ('demo-bureau', 'demo-admin') ORDER BY audit_id"
        ).fetchall()
    assert committed == (0,)
    assert log == [
        ("demo-bureau", "login", None),
        ("demo-bureau", "upload_dry_run", upload.name),
        ("demo-admin", "login", None),
        ("demo-admin", "user_disable", "demo-bureau"),
    ]


LOCKOUT_SECONDS = 15  # the test server's lock-out (15 minutes in production)


@pytest.mark.browser
def test_six_wrong_passwords_then_the_right_one_is_refused_until_the_lock_out_ends(
    browser: Browser, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(throttle.LOCKOUT_ENV, str(LOCKOUT_SECONDS))  # read by the server
    db = _copy_warehouse(sample_db, tmp_path / "throttle")
    username, password, role, _, display_name = next(a for a in DEMO_ACCOUNTS if a[2] == "planner")
    lockout = t("duration.seconds", n=LOCKOUT_SECONDS)
    locked = re.compile(
        "^"
        + re.escape(t("login.locked", until="HH:MM:SS")).replace("HH:MM:SS", r"\d\d:\d\d:\d\d")
        + "$"
    )
    logged_in = t("login.as", name=display_name, role=t(f"role.{role}"))

    with _serve(db, tmp_path / "streamlit.log") as base:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(base + "/")
            expect(title(page)).to_have_text(t("overview.title"))
            settle(page)
            page.evaluate(_COUNT_RUNS)
            sidebar = page.get_by_test_id("stSidebar")

            def submit(secret: str) -> None:
                sidebar.get_by_label(t("login.user"), exact=True).fill(username)
                sidebar.get_by_label(t("login.password"), exact=True).fill(secret)
                submit_button = sidebar.get_by_role("button", name=t("login.submit"), exact=True)
                _click_and_wait_for_the_run(page, submit_button)

            for left in (4, 3, 2, 1):  # each answered after a growing delay
                submit(f"wrong-{left}")
                failed = t("login.failed") + t("login.left", n=left, duration=lockout)
                expect(sidebar.get_by_text(failed, exact=True)).to_be_visible()
            submit("wrong-0")  # the 5th failure locks the account
            locked_at = time.monotonic()
            expect(sidebar.get_by_text(locked)).to_be_visible()
            submit("wrong-again")  # the 6th wrong password
            expect(sidebar.get_by_text(locked)).to_be_visible()
            submit(password)  # the right one, still locked out
            expect(sidebar.get_by_text(locked)).to_be_visible()
            expect(sidebar.get_by_text(logged_in, exact=True)).to_have_count(0)
            assert time.monotonic() - locked_at < LOCKOUT_SECONDS, "the checks above were slow"
            screenshot(page, "login-locked")
            with connect(db) as con:
                actions = con.execute(
                    "SELECT action FROM audit_log WHERE actor = ? ORDER BY audit_id", [username]
                ).fetchall()
            # one row per checked attempt and one for the lock-out; refusals are not checked
            assert [a for (a,) in actions] == ["login_failed"] * 5 + ["login_locked"]

            time.sleep(max(0.0, locked_at + LOCKOUT_SECONDS + 1 - time.monotonic()))
            submit(password)  # the lock-out has ended
            expect(sidebar.get_by_text(logged_in, exact=True)).to_be_visible()
        finally:
            context.close()
