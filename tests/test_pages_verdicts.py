"""What the planner sees of a verdict (issue 12): provisional verdicts, the engine's flags in
words, unverified figures, stages, baselines and held levels, and the pinned headline goals, on
the pages, in the table exports and in the briefing.

The provisional and flag cases run on a small warehouse built here (no sample), so each status
is known by hand:

* 500 provincial demonstration platforms (2011-01-01 … 2015-12-31, a flow summed from 0 over 20
  quarters): 广州 reports 30 new platforms every quarter 2011Q1-2014Q1 and the other 21 reporters
  0, each ten days after the quarter ends (on time).  At 2014Q1 the running sum is 13 × 30 = 390;
  R = (390 / 13) / (500 / 20) = 30 / 25 = 1.2 ≥ 0.95: on track.  Three cities send 2014Q2 early
  (2014-07-05: 50 + 30 + 20).  On 2014-07-10 the quarter is not due (07-15) and 3 of 22 are in:
  the verdict stays on 2014Q1, flagged ``early_reports_ignored``.  The deadline quarter (2015Q4)
  is due only on 2016-01-15: every verdict before then is provisional.
* 青岛's incubator area (≥ 12,000,000 m² by 2017-11-07, a stock): 青岛市 reports its own total,
  8,940,000 m², for 2016Q4 (on 2017-01-10) and 2017Q3 (on 2017-10-10).  On 2017-01-20 (hand
  worked in tests/test_totals.py) R = (8,940,000 / 17) / (12,000,000 / 21) = 0.920: at risk,
  provisional, ``judged_on_total``.  On 2018-01-20 the deadline quarter is due: 8,940,000 <
  12,000,000, missed, final.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load_file, reference
from model import paths
from model.catalogue import Catalogue
from model.periods import Quarter
from target_monitor import export
from target_monitor.briefing import build_briefing
from target_monitor.i18n import flag_text, flags_text, status_label, verdict_label
from target_monitor.pinned import CLIENT_FIRST, pinned_goals
from tests.test_pages import open_page
from tests.warehouses import copy_warehouse

PLATFORMS = "gd624-demo-platforms-provincial-2015"
QD_AREA = "qd46-incubator-area-2017"
FUND = "gdtown-tech-sme-innovation-fund-2012-2014"  # the 25亿 (catalogue audit Q4): unverified
GD_REPORTERS = (
    "440100", "440200", "440300", "440400", "440500", "440600", "440606", "440700", "440800",
    "440900", "441200", "441300", "441400", "441500", "441600", "441700", "441800", "441900",
    "442000", "445100", "445200", "445300",
)  # fmt: skip
Row = tuple[str, str, str, float]

EARLY = "早报地区的数据暂不计入：本季度尚未到报送期限"
ON_TOTAL = "依据全辖区合计"
FIRST_REPORT = "基期值取自期内第一次上报的数值"
PROVISIONAL_HELP = "暂定：期限所在季度尚未到报送期限（季度结束后15天），结论仍可能改变。"


def _load(db: Path, rows: Iterable[Row], submitted: dt.datetime, name: str) -> None:
    lines = "".join(f"{code},{ind},{period},{value:g}\n" for code, ind, period, value in rows)
    data = ("region_code,indicator,period,value\n" + lines).encode("utf-8")
    result = load_file(data, db=db, name=name, submitted_at=submitted)
    assert result.status == "committed", [(i.rule, i.row, i.message) for i in result.issues]


@pytest.fixture(scope="module")
def small_db(empty_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = copy_warehouse(empty_db, tmp_path_factory.mktemp("verdicts") / "warehouse.duckdb")
    q = Quarter(2011, 1)
    while q <= Quarter(2014, 1):
        rows = [(c, "demo_platforms_provincial", q.label, 30.0 if c == "440100" else 0.0)
                for c in GD_REPORTERS]  # fmt: skip
        _load(db, rows, dt.datetime.combine(q.end + dt.timedelta(days=10), dt.time(9)), q.label)
        q = q.next()
    early = [("440100", "demo_platforms_provincial", "2014Q2", 50.0),
             ("440300", "demo_platforms_provincial", "2014Q2", 30.0),
             ("440600", "demo_platforms_provincial", "2014Q2", 20.0)]  # fmt: skip
    _load(db, early, dt.datetime(2014, 7, 5, 9), "early.csv")
    area = "incubator_floor_area"
    _load(db, [("370200", area, "2016Q4", 8_940_000)], dt.datetime(2017, 1, 10, 9), "q4.csv")
    _load(db, [("370200", area, "2017Q3", 8_940_000)], dt.datetime(2017, 10, 10, 9), "q3.csv")
    return db


def _goal_name(catalogue: Catalogue, target_id: str, lang: str = "zh") -> str:
    target = catalogue.target(target_id)
    indicator = catalogue.indicator(target.indicator)
    if lang == "zh":
        return f"{indicator.name_zh}（{target.deadline.year}）"
    return f"{indicator.name_en} ({target.deadline.year})"


def _overview_row(at: AppTest, catalogue: Catalogue, target_id: str) -> dict[str, object]:
    table = at.dataframe[0].value
    found = table[table["目标"] == _goal_name(catalogue, target_id)]
    assert len(found) == 1, target_id
    row: dict[str, object] = found.iloc[0].to_dict()
    return row


# --- 1, 2: provisional verdicts and flags in words ------------------------------------------


def test_overview_marks_provisional_and_names_the_flag(
    small_db: Path, catalogue: Catalogue
) -> None:
    at = open_page(small_db, as_of="2014-07-10")
    row = _overview_row(at, catalogue, PLATFORMS)
    assert row["状态"] == "进度正常（暂定）"
    assert row["说明"] == EARLY
    # the counts still count the engine's status, provisional or not
    metrics = {m.label: int(m.value) for m in at.metric}
    assert metrics["进度正常"] >= 1


def test_overview_final_verdict_on_a_total(small_db: Path, catalogue: Catalogue) -> None:
    at = open_page(small_db, as_of="2018-01-20")
    row = _overview_row(at, catalogue, QD_AREA)
    assert row["状态"] == "未实现"  # the deadline quarter is due: final, no （暂定）
    # on the city's total; the trajectory starts from the first report (2016Q4, no baseline)
    assert row["说明"] == f"{ON_TOTAL}；{FIRST_REPORT}"


def test_overview_table_export_keeps_the_marks(small_db: Path, catalogue: Catalogue) -> None:
    at = open_page(small_db, as_of="2014-07-10")
    rows = at.dataframe[0].value.to_dict("records")
    csv = export.table_csv(rows).decode("utf-8-sig")
    name = _goal_name(catalogue, PLATFORMS)
    line = next(x for x in csv.splitlines() if x.startswith(f"{PLATFORMS},") or name in x)
    assert "进度正常（暂定）" in line and EARLY in line
    with zipfile.ZipFile(io.BytesIO(export.table_xlsx(rows))) as book:
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
    cells = set(re.findall(r"<t[^>]*>([^<]*)</t>", strings))
    assert {"进度正常（暂定）", EARLY, "状态", "说明"} <= cells


def test_goal_page_badge_provisional_and_flag_in_words(small_db: Path) -> None:
    at = open_page(small_db, "pages/goal.py", target=PLATFORMS, as_of="2014-07-10")
    assert any(">进度正常（暂定）</span>" in m.value for m in at.markdown)
    captions = [c.value for c in at.caption]
    assert PROVISIONAL_HELP in captions
    assert EARLY in captions


def test_goal_page_in_english(small_db: Path) -> None:
    at = open_page(small_db, "pages/goal.py", target=PLATFORMS, as_of="2014-07-10", lang="en")
    assert any(">On track (provisional)</span>" in m.value for m in at.markdown)
    assert "Early reports not counted yet: this quarter is not due" in [c.value for c in at.caption]


def test_goal_page_on_a_total_then_final(small_db: Path) -> None:
    # 2017-01-20: one figure (8,940,000 at 2016Q4, the first report, where the trajectory
    # starts): no progress to measure yet; 2017-10-20: still 8,940,000 at 2017Q3, R = 0
    at = open_page(small_db, "pages/goal.py", target=QD_AREA, as_of="2017-01-20")
    assert any(">数据不足</span>" in m.value for m in at.markdown)
    assert ON_TOTAL in [c.value for c in at.caption]
    at = open_page(small_db, "pages/goal.py", target=QD_AREA, as_of="2017-10-20")
    assert any(">进度滞后（暂定）</span>" in m.value for m in at.markdown)
    at = open_page(small_db, "pages/goal.py", target=QD_AREA, as_of="2018-01-20")
    assert any(">未实现</span>" in m.value for m in at.markdown)
    assert PROVISIONAL_HELP not in [c.value for c in at.caption]


def test_regions_page_shows_the_verdict(small_db: Path, catalogue: Catalogue) -> None:
    at = open_page(small_db, "pages/regions.py", target=PLATFORMS, as_of="2014-07-10")
    name = _goal_name(catalogue, PLATFORMS)
    assert f"**{name}** · 状态：进度正常（暂定）" in [m.value for m in at.markdown]
    assert EARLY in [c.value for c in at.caption]


def test_years_table_marks_each_year_provisional(small_db: Path) -> None:
    # each year's end (20 January after): 4, 8, 12 quarters × 30 against 25 a quarter, R 1.2;
    # 2014 at 07-20: 390 + 100 = 490 over 14 quarters, R 1.4; the deadline (2015Q4) not due
    at = open_page(small_db, "pages/years.py", target=PLATFORMS, as_of="2014-07-20")
    table = at.dataframe[-1].value
    assert table["年度"].tolist() == [2011, 2012, 2013, 2014]
    assert table["状态"].tolist() == ["进度正常（暂定）"] * 4


# --- 1: the briefing ---------------------------------------------------------------------------


def _pdf_text(pdf: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text


@pytest.mark.slow
def test_briefing_marks_provisional_and_unverified(small_db: Path, tmp_path: Path) -> None:
    day = dt.date(2014, 7, 10)
    built = build_briefing(small_db, tmp_path / "b.pdf", as_of=day, known_on=day)
    line = next(g for g in built.headline if g.target_id == PLATFORMS)
    assert (line.status, line.label) == ("on_track", "进度正常（暂定）")
    pages = _pdf_text(built.path).split("\f")
    summary = "".join(pages[1 : 1 + built.summary_pages])
    assert re.search(r"^ *\d+ .*? 进度正常（暂定）$", summary, re.M)
    notes = re.sub(r"\s+", "", "".join(pages[-1 - built.notes_pages :]))
    assert re.sub(r"\s+", "", PROVISIONAL_HELP) in notes
    assert "未核实的目标数值" in notes
    assert not reference().catalogue.target(FUND).verified
    assert f"（{FUND}）的数值尚未与公开发布的文本核对。" in notes
    assert "在2与5之间有一个私用区字符（U+E010）" in notes  # the reason, as the catalogue says


# --- 3: unverified figures -------------------------------------------------------------------


def test_goal_page_says_unverified_with_the_reason(sample_db: Path, catalogue: Catalogue) -> None:
    fund = catalogue.target(FUND)
    assert not fund.verified and fund.unverified_reason
    at = open_page(sample_db, "pages/goal.py", target=FUND)
    assert [w.value for w in at.warning] == [
        "未核实：本目标的数值尚未与公开发布的文本核对，核对前请勿引用。" + fund.unverified_reason
    ]
    at = open_page(sample_db, "pages/goal.py", target=PLATFORMS)
    assert not [w for w in at.warning if "未核实" in w.value]


def test_catalogue_page_says_unverified(sample_db: Path, catalogue: Catalogue) -> None:
    fund = catalogue.target(FUND)
    at = open_page(sample_db, "pages/catalogue.py")
    name = _goal_name(catalogue, FUND)
    expected = f"未核实：{name}（{FUND}）的数值尚未与公开发布的文本核对。{fund.unverified_reason}"
    assert expected in [w.value for w in at.warning]
    table = at.dataframe[0].value
    flagged = table[table["核实"] == "未核实"]["编号" if "编号" in table else table.columns[0]]
    assert flagged.tolist() == [t.id for t in catalogue.targets if not t.verified]


# --- 4: stages, baselines, held levels -------------------------------------------------------


def test_goal_page_links_a_later_stage_to_the_earlier(
    sample_db: Path, catalogue: Catalogue
) -> None:
    at = open_page(sample_db, "pages/goal.py", target="gdcentre-providers-2020")
    links = at.get("page_link")
    labels = [link.proto.label for link in links]
    earlier = _goal_name(catalogue, "gdcentre-providers-2018")
    assert f"本目标为第二阶段，接续：{earlier}" in labels
    link = links[labels.index(f"本目标为第二阶段，接续：{earlier}")]
    assert "target=gdcentre-providers-2018" in link.proto.page + link.proto.query_string


def test_goal_page_shows_the_baseline_with_date_and_source(
    sample_db: Path, catalogue: Catalogue
) -> None:
    target = catalogue.target("gd2012act-startup-bases-5yr")
    assert target.baseline is not None
    at = open_page(sample_db, "pages/goal.py", target=target.id)
    assert f"基期值：44家（2012-04-28；来源：{target.baseline.source}）" in [
        m.value for m in at.markdown
    ]


def test_goal_page_says_a_level_must_hold(sample_db: Path) -> None:
    at = open_page(sample_db, "pages/goal.py", target="gd624-ipo-reserve-pool-2015")
    assert "**须在期内每个季度保持**" in [m.value for m in at.markdown]
    at = open_page(sample_db, "pages/goal.py", target=PLATFORMS)
    assert "**须在期内每个季度保持**" not in [m.value for m in at.markdown]


# --- 5: headline goals pinned ----------------------------------------------------------------


def test_overview_pins_the_client_goals_first_by_default(
    sample_db: Path, catalogue: Catalogue
) -> None:
    at = open_page(sample_db)
    assert at.toggle[0].label == "置顶重点目标" and at.toggle[0].value is True
    table = at.dataframe[0].value
    pinned = pinned_goals(catalogue)
    names = table["目标"].tolist()
    assert names[: len(CLIENT_FIRST)] == [_goal_name(catalogue, i) for i in CLIENT_FIRST]
    assert names[: len(pinned)] == [_goal_name(catalogue, i) for i in pinned]
    assert table["重点"].tolist() == [True] * len(pinned) + [False] * (len(names) - len(pinned))
    assert "pin" not in at.query_params  # the default is not written into the URL


def test_overview_unpinned_keeps_catalogue_order_in_the_url(
    sample_db: Path, catalogue: Catalogue
) -> None:
    at = open_page(sample_db, pin="0")
    assert at.toggle[0].value is False
    names = at.dataframe[0].value["目标"].tolist()
    assert names == [_goal_name(catalogue, t.id) for t in catalogue.targets]
    at = open_page(sample_db)
    at.toggle[0].set_value(False).run()
    assert at.query_params["pin"] == ["0"] or at.query_params["pin"] == "0"


# --- 2: every flag the engine writes has words --------------------------------------------------


def _engine_flags() -> set[str]:
    """The flag codes written in judge/: ``flags.append("code")`` and ``["code"] if …``."""
    found: set[str] = set()
    for path in (paths.ROOT / "judge").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'flags\.append\("(\w+)"\)', text))
        found |= set(re.findall(r'\["(\w+)"\] if ', text))
    return found


def test_every_engine_flag_is_said_in_words() -> None:
    coming = {"carried_forward", "baseline_from_first_report", "missed_cycle"}  # issue 12
    codes = _engine_flags() | coming
    assert {"early_reports_ignored", "judged_on_total", "total_and_rollup_differ"} <= codes
    for code in sorted(codes):
        zh, en = flag_text(code, "zh"), flag_text(code, "en")
        assert zh != code and en != code, code  # described in both languages
        assert zh != en, code


def test_a_flag_without_words_shows_as_its_code() -> None:
    assert flag_text("something_new") == "something_new"
    assert flags_text(["judged_on_total", "something_new"]) == "依据全辖区合计；something_new"
    assert flags_text(["judged_on_total"], "en") == "Judged on the jurisdiction's own total"


@pytest.mark.parametrize("status", ["not_started", "insufficient_data"])
def test_no_verdict_is_never_marked_provisional(status: str) -> None:
    assert verdict_label(status, True) == status_label(status)
    assert verdict_label("at_risk", True, "en") == "At risk (provisional)"
    assert verdict_label("achieved", False) == "已实现"
