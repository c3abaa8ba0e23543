"""The audit's H1 file dropped on the real upload page (reliability-audit.md H1): refused by name,
audited, and the server goes on serving every user.  Before the fix this file ended the process.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from target_monitor.i18n import t
from tests.test_browser import (  # the same real server, browser and helpers
    browser,
    log_in,
    page,
    server,
    settle,
    title,
    warehouse_copy,
)
from tests.test_hostile_uploads import far_cell
from warehouse.connect import connect

__all__ = ["browser", "page", "server", "warehouse_copy"]  # fixtures, used by name

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("servers-b")]  # see test_start.py


def test_a_far_corner_workbook_is_refused_and_the_server_keeps_serving(
    server: str, browser: Browser, warehouse_copy: Path, tmp_path: Path
) -> None:
    hostile = tmp_path / "揭阳-2014Q2.xlsx"
    hostile.write_bytes(far_cell("XFD1048576"))
    bystander = browser.new_context(locale="zh-CN").new_page()  # another user, on the overview
    bystander.goto(f"{server}/overview")
    expect(title(bystander)).to_have_text(t("overview.title"))

    uploader = browser.new_context(locale="zh-CN").new_page()
    uploader.goto(f"{server}/upload")
    settle(uploader)
    log_in(uploader, "bureau")
    settle(uploader)
    uploader.locator("input[type=file]").set_input_files(hostile)
    expect(uploader.get_by_text(t("upload.rejected", n=1), exact=True)).to_be_visible()

    with urllib.request.urlopen(f"{server}/_stcore/health", timeout=5) as response:
        assert response.read().strip() == b"ok"
    bystander.reload()
    expect(title(bystander)).to_have_text(t("overview.title"))
    with connect(warehouse_copy) as con:
        rows = con.execute(
            "SELECT actor, target, detail FROM audit_log WHERE action = 'upload_rejected'"
        ).fetchall()
    assert [(a, tgt, json.loads(d)["errors"]) for a, tgt, d in rows] == [
        ("demo-bureau", hostile.name, ["sheet-too-large"])
    ]
