"""The briefing pack for the sample warehouse: pages, statuses, as-of date, reproducibility."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polars as pl
import pytest

from etl.build import SAMPLE_AS_OF
from etl.load import reference
from service import api as service
from target_monitor.briefing import BriefingSummary, build_briefing, goal_name
from target_monitor.i18n import status_label, verdict_label

pytestmark = pytest.mark.slow
ATTENTION = ("off_track", "at_risk")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)$", info.stdout, re.M)
    assert match, info.stdout
    return int(match[1])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def status(sample_db: Path) -> pl.DataFrame:
    ref = reference()
    return service.goal_status(
        sample_db, catalogue=ref.catalogue, regions=ref.regions, as_of=SAMPLE_AS_OF
    )


@pytest.fixture(scope="module")
def built(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> BriefingSummary:
    return build_briefing(sample_db, tmp_path_factory.mktemp("briefing") / "briefing.pdf")


def test_page_count(built: BriefingSummary, status: pl.DataFrame) -> None:
    attention = status.filter(pl.col("status").is_in(ATTENTION))
    assert attention.height > 0  # the sample has goals to show
    pages = _pages(built.path)
    assert len(pages) == _page_count(built.path) == built.pages
    goal_pages = [i for i, p in enumerate(pages) if "二、需关注目标（" in p]
    notes_start = next(i for i, p in enumerate(pages) if "附：资料来源与说明" in p)
    summary_pages = goal_pages[0] - 1
    assert "一、重点目标总体情况" in pages[1] and summary_pages == built.summary_pages >= 1
    assert len(goal_pages) == attention.height == len(built.attention)
    assert goal_pages == list(range(1 + summary_pages, 1 + summary_pages + attention.height))
    assert notes_start == goal_pages[-1] + 1
    notes_pages = len(pages) - notes_start
    assert notes_pages == built.notes_pages >= 1
    assert built.pages == 1 + summary_pages + attention.height + notes_pages


def test_every_headline_goal_has_the_engines_status(
    built: BriefingSummary, status: pl.DataFrame
) -> None:
    catalogue = reference().catalogue
    headline = status.filter(pl.col("headline"))
    expected = list(zip(headline["target_id"], headline["status"], strict=True))
    provisional = headline["provisional"].to_list()
    assert [(g.target_id, g.status) for g in built.headline] == expected
    summary = "".join(_pages(built.path)[1 : 1 + built.summary_pages])
    # A table row's number and its status cell share a line (both centred in the row).
    rows = dict(re.findall(r"^ *(\d+) .*? (\S+)$", summary, re.M))
    assert list(rows) == [str(i) for i in range(1, len(expected) + 1)]
    for i, ((target_id, state), early) in enumerate(
        zip(expected, provisional, strict=True), start=1
    ):
        assert rows[str(i)] == verdict_label(state, early), (i, target_id)
        assert goal_name(catalogue, target_id)[:8] in _squash(summary)


def test_goal_pages_show_chart_ranking_rate_and_source(
    built: BriefingSummary, status: pl.DataFrame
) -> None:
    catalogue = reference().catalogue
    order = {s: i for i, s in enumerate(ATTENTION)}
    rows = sorted(
        status.filter(pl.col("status").is_in(ATTENTION)).iter_rows(named=True),
        key=lambda r: order[r["status"]],
    )
    assert [g.target_id for g in built.attention] == [r["target_id"] for r in rows]
    first = 1 + built.summary_pages
    pages = _pages(built.path)[first:]
    images = subprocess.run(
        ["pdfimages", "-list", str(built.path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    charts = [line.split() for line in images if line.split()[2] == "image"]
    assert [int(c[0]) for c in charts] == list(range(first + 1, first + 1 + len(rows)))
    assert all(int(c[12]) >= 150 for c in charts)  # the chart prints sharp (x-ppi)
    for i, (row, page) in enumerate(zip(rows, pages, strict=False), start=1):
        flat = _squash(page)
        target = catalogue.target(row["target_id"])
        assert f"二、需关注目标（{i}/{len(rows)}）" in flat
        assert _squash(goal_name(catalogue, target.id)) in flat
        assert status_label(row["status"]) in flat
        assert "每季度还需" in flat and "分地区排名" in flat and "政策出处" in flat
        assert _squash(target.quote)[:12] in flat
        assert target.article in flat


def test_as_of_date_sample_notice_and_page_numbers(built: BriefingSummary) -> None:
    pages = _pages(built.path)
    assert "数据截至 2014年7月20日" in pages[0]
    # the knowledge date beside it: on the sample, the sample's own date
    assert built.known_on == built.as_of
    assert "按 2014年7月20日 当时已知的数据" in pages[0]
    assert "示例数据" in pages[0]
    assert "广东省工业和信息化厅 中小企业处" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page
        assert "数据截至 2014-07-20 · 按 2014-07-20 当时已知" in page


def test_same_as_of_same_text(built: BriefingSummary, sample_db: Path, tmp_path: Path) -> None:
    again = build_briefing(sample_db, tmp_path / "again.pdf", as_of=SAMPLE_AS_OF)
    assert again.pages == built.pages
    assert _pages(again.path) == _pages(built.path)


def test_one_document(sample_db: Path, status: pl.DataFrame, tmp_path: Path) -> None:
    rows = status.filter(pl.col("document") == "qd-2012-46")
    brief = build_briefing(sample_db, tmp_path / "qd.pdf", document="qd-2012-46")
    assert {g.target_id for g in brief.headline} == set(rows.filter("headline")["target_id"])
    attention = rows.filter(pl.col("status").is_in(ATTENTION))
    assert [g.target_id for g in brief.attention] == attention["target_id"].to_list()
    assert brief.pages == 1 + brief.summary_pages + attention.height + brief.notes_pages
    assert "青政发〔2012〕46号" in _pages(brief.path)[0]
    with pytest.raises(ValueError, match="unknown document"):
        build_briefing(sample_db, tmp_path / "x.pdf", document="no-such-document")
