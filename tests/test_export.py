"""Exports: Chinese survives in PNG / SVG / PDF; formula-like text stays text in XLSX and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import fastexcel
import pytest
from PIL import Image

from target_monitor import charts, export

TITLE = "各地市新认定省级中小企业公共服务示范平台"
FOOTER = export.footer_line(dt.date(2014, 7, 20), "粤办函〔2012〕624号 （二十一）", sample=True)
NOTES = ['=HYPERLINK("http://x","y")', "+1", "@SUM(1)", "-2+3", "\tx", "\rx", "－1", "普通说明"]


@pytest.fixture(scope="module")
def chart() -> Any:
    rows = [{"name": "广州市", "value": 120.0}, {"name": "深圳市", "value": 95.0}]
    rows.append({"name": "韶关市", "value": -5.0})
    return charts.region_bars(rows, unit="家", title=TITLE, lang="zh")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_register_fonts_once() -> None:
    first = export.register_fonts()
    assert first.is_dir()
    assert export.register_fonts() == first
    assert any(p.parent == first for p in export.cjk_font_files())


def test_png_is_drawn_at_twice_the_size(chart: Any) -> None:
    png = export.chart_png(chart, scale=2)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = export.chart_svg(chart)
    width, height = (float(re.search(rf'{k}="([\d.]+)"', svg)[1]) for k in ("width", "height"))  # type: ignore[index]
    image = Image.open(io.BytesIO(png))
    assert image.size == (round(2 * width), round(2 * height))
    assert Image.open(io.BytesIO(export.chart_png(chart, scale=1))).size == (width, height)
    assert width >= export.EXPORT_WIDTH  # "container" width replaced for export
    counts = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    ink = sum(n for n, rgb in counts if isinstance(rgb, tuple) and sum(rgb) < 600)
    assert ink / (image.width * image.height) > 0.02, "the PNG is (nearly) blank"
    colours = {rgb for _, rgb in counts}
    assert len(colours) > 20  # anti-aliased text and bars, not one flat colour
    bar = tuple(int(charts.SERIES_COLOURS["actual"][i : i + 2], 16) for i in (1, 3, 5))
    assert bar in colours


def test_pdf_has_the_chinese_title_and_footer(chart: Any, tmp_path: Path) -> None:
    path = tmp_path / "chart.pdf"
    path.write_bytes(export.chart_pdf(export.with_footer(chart, FOOTER)))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert TITLE in text
    assert _squash(FOOTER) in _squash(text)
    assert "广州市" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"CJK|Han|WenQuanYi|YaHei|PingFang", fonts.stdout), fonts.stdout


def test_svg_keeps_text_as_text(chart: Any) -> None:
    svg = export.chart_svg(export.with_footer(chart, FOOTER))
    assert f">{TITLE}</text>" in svg
    assert "Noto Sans CJK SC" in svg
    assert "示例数据" in svg and "粤办函〔2012〕624号" in svg


def test_footer_is_added_once_and_the_page_chart_is_unchanged(chart: Any) -> None:
    before = chart.to_dict()
    once = export.with_footer(chart, FOOTER)
    twice = export.with_footer(once, FOOTER)
    assert chart.to_dict() == before
    assert once.to_dict()["title"]["text"] == TITLE
    assert twice.to_dict()["title"]["subtitle"] == [FOOTER]
    assert FOOTER.startswith("示例数据 · 数据截至 2014-07-20")
    assert "示例数据" not in export.footer_line(dt.date(2014, 7, 20), "x", sample=False)


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"地区": "广州市", "数值": float(i), "说明": note} for i, note in enumerate(NOTES)
    ]
    rows.append({"地区": "韶关市", "数值": -5, "说明": None, "期限": dt.date(2015, 12, 31)})
    return rows


def _sheet(data: bytes) -> tuple[str, list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        shared = z.read("xl/sharedStrings.xml").decode()
    strings = [re.sub(r"<[^>]+>", "", s) for s in re.findall(r"<si>(.*?)</si>", shared, re.S)]
    unescape = {"&amp;": "&", "&quot;": '"', "_x000D_": "\r"}
    for escaped, char in unescape.items():
        strings = [s.replace(escaped, char) for s in strings]
    return sheet, strings


def test_xlsx_text_never_becomes_a_formula() -> None:
    data = export.table_xlsx(_rows(), sheet="地区[排名]")
    sheet, strings = _sheet(data)
    assert "<f>" not in sheet
    cells = dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*?t="s"[^>]*><v>(\d+)</v>', sheet))
    notes = [strings[int(cells[f"C{r}"])] for r in range(2, 2 + len(NOTES))]
    assert notes[:7] == ["'" + n for n in NOTES[:7]]
    assert notes[7] == "普通说明"
    numbers = dict(re.findall(r'<c r="(B\d+)"(?: s="\d+")?><v>([-\d.]+)</v>', sheet))
    assert numbers["B10"] == "-5" and numbers["B2"] == "0"
    assert re.search(r'<pane [^>]*ySplit="1"[^>]*state="frozen"', sheet)
    widths = [float(w) for w in re.findall(r'<col min="\d+" max="\d+" width="([\d.]+)"', sheet)]
    assert widths[0] >= 8  # "广州市": three CJK characters count six columns

    frame = fastexcel.read_excel(data).load_sheet(0).to_polars()
    assert frame.columns == ["地区", "数值", "说明", "期限"]
    assert frame["数值"].to_list()[-1] == -5
    assert frame["说明"].to_list()[:3] == ["'" + n for n in NOTES[:3]]


def test_csv_has_a_bom_quotes_text_and_keeps_numbers() -> None:
    data = export.table_csv(_rows())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == '"地区","数值","说明","期限"'
    parsed: list[list[Any]] = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))
    notes = [row[2] for row in parsed[1 : 1 + len(NOTES)]]
    assert notes[:7] == ["'" + n for n in NOTES[:7]]
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in text
    assert parsed[-1][1] == -5.0  # unquoted: a number
    assert parsed[-1][3] == "2015-12-31"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("-2+3", "'-2+3"), ("广州", "广州"), ("a=b", "a=b"), ("", "")],
)
def test_neutralise(value: str, expected: str) -> None:
    assert export.neutralise(value) == expected


def test_display_width_counts_cjk_twice() -> None:
    assert export.display_width("广州市") == 6
    assert export.display_width("ab（1）") == 2 + 2 + 1 + 2
