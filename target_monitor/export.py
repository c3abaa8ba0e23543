"""Exports: every chart as PNG / SVG / PDF, every table as XLSX / CSV.

Charts are rendered server-side by vl-convert from the same Altair object the page shows
(``chart.to_dict()``); the charts name "Noto Sans CJK SC" first, and :func:`register_fonts` makes
a CJK font directory known to vl-convert so that Chinese is drawn rather than boxes.  SVG keeps
text as text, so the reader's machine needs the font too.

Tables are written with numbers as numbers.  Every text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return (and their full-width forms) gets a leading ``'`` (OWASP, *CSV
Injection*), so that Excel never evaluates it; in XLSX text is written with ``write_string``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc
import xlsxwriter

from target_monitor.charts import FONT
from target_monitor.i18n import Lang, t

DEBIAN_NOTO = Path("/usr/share/fonts/opentype/noto")
# Where fonts live (Linux, macOS, Windows), and what CJK font files are called.
FONT_DIRS = "/usr/share/fonts /usr/local/share/fonts ~/.local/share/fonts ~/.fonts /Library/Fonts"
FONT_DIRS += " /System/Library/Fonts C:/Windows/Fonts"
CJK_NAMES = (
    "notosanscjk notoserifcjk sourcehansans sourcehanserif notosanssc wqy msyh simhei simsun"
)
EXPORT_WIDTH = 720  # px, for charts the page sizes to its container
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
BOM = b"\xef\xbb\xbf"

_lock = threading.Lock()
_registered: Path | None = None


class NoCJKFont(RuntimeError):
    def __init__(self) -> None:
        super().__init__(f"{t('export.nofont', 'zh')}\n{t('export.nofont', 'en')}")


def _font_files(directory: Path, pattern: str = "*") -> list[Path]:
    return sorted(
        p for p in directory.glob(pattern) if p.suffix.lower() in (".ttf", ".ttc", ".otf")
    )


def cjk_font_files() -> list[Path]:
    """CJK font files on this machine, best first: $TARGET_MONITOR_FONT_DIR, Debian's Noto
    directory, what fontconfig lists for Chinese, then a scan of the usual font directories."""
    override = os.environ.get("TARGET_MONITOR_FONT_DIR")
    found = _font_files(Path(override)) if override else []
    found += _font_files(DEBIAN_NOTO, "NotoSansCJK-*")
    if fc_list := shutil.which("fc-list"):
        command = [fc_list, ":lang=zh", "file"]
        out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        found += sorted(Path(line.split(":")[0].strip()) for line in out.stdout.splitlines())
    for directory in (Path(d).expanduser() for d in FONT_DIRS.split()):
        names = CJK_NAMES.split()
        found += [
            p
            for p in _font_files(directory, "**/*")
            if any(n in p.name.lower().replace("-", "") for n in names)
        ]
    return list(dict.fromkeys(p for p in found if p.is_file()))


def register_fonts() -> Path:
    """Register a CJK font directory with vl-convert, once per process; return it."""
    global _registered
    with _lock:
        if _registered is None:
            files = cjk_font_files()
            if not files:
                raise NoCJKFont()
            _registered = files[0].parent
            vlc.register_font_directory(str(_registered))
        return _registered


def _vl_version() -> str | None:
    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return version if version in vlc.get_vegalite_versions() else None


def _fixed_width(spec: Any, width: int) -> Any:
    """Replace ``width: "container"`` (which only a browser can resolve) with pixels."""
    if isinstance(spec, dict):
        return {
            k: width if k == "width" and v == "container" else _fixed_width(v, width)
            for k, v in spec.items()
        }
    if isinstance(spec, list):
        return [_fixed_width(v, width) for v in spec]
    return spec


def chart_spec(chart: Any, *, width: int = EXPORT_WIDTH) -> dict[str, Any]:
    spec: dict[str, Any] = _fixed_width(chart.to_dict(), width)
    return spec


def _convert(kind: str, chart: Any, width: int, **options: Any) -> Any:
    """vl-convert with the CJK fonts registered; no data is fetched from any URL."""
    register_fonts()
    convert = getattr(vlc, f"vegalite_to_{kind}")
    spec = chart_spec(chart, width=width)
    return convert(spec, vl_version=_vl_version(), allowed_base_urls=[], **options)


def chart_png(chart: Any, scale: float = 2, *, width: int = EXPORT_WIDTH) -> bytes:
    return bytes(_convert("png", chart, width, scale=scale))


def chart_svg(chart: Any, *, width: int = EXPORT_WIDTH) -> str:
    return str(_convert("svg", chart, width))


def chart_pdf(chart: Any, *, width: int = EXPORT_WIDTH) -> bytes:
    return bytes(_convert("pdf", chart, width))


def footer_line(as_of: dt.date, source: str | None, *, sample: bool, lang: Lang = "zh") -> str:
    """As-of date, 示例数据 when the data is the sample, and the source clause."""
    text = t(
        "footer.source", lang, as_of=as_of.isoformat(), source=source or "目标监测 Target Monitor"
    )
    return f"{t('footer.sample', lang)} · {text}" if sample else text


def with_footer(chart: Any, footer: str) -> Any:
    """A copy of ``chart`` whose title carries ``footer`` as a subtitle line (once)."""
    copy = chart.copy(deep=True)
    if not footer:
        return copy
    title = chart.to_dict().get("title", "")
    params: dict[str, Any] = dict(title) if isinstance(title, dict) else {"text": title or ""}
    if not params.get("text"):  # Vega draws no subtitle without a title: the footer is the title
        copy.title = alt.TitleParams(
            text=footer, font=FONT, fontSize=11, fontWeight="normal", color="#555555"
        )
        return copy
    subtitle = params.get("subtitle", [])
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    if footer not in lines:
        lines.append(footer)
    params["subtitle"] = lines
    params.setdefault("subtitleFont", FONT)
    params.setdefault("subtitleColor", "#555555")
    copy.title = alt.TitleParams(**params)
    return copy


# ---------------------------------------------------------------------------------------------
# Tables


def neutralise(text: str) -> str:
    """OWASP CSV-injection guidance: a leading ``'`` makes a formula-like cell plain text."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def display_width(text: str) -> int:
    """Columns a string takes in Excel: CJK (wide / full-width) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _headers(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: object) -> str:
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value)
    return str(value)


def table_xlsx(rows: Sequence[Mapping[str, Any]], sheet: str = "数据") -> bytes:
    """One sheet: bold frozen header row, numbers as numbers, text never a formula."""
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "remove_timezone": True,
    }
    with xlsxwriter.Workbook(buffer, options) as book:
        name = "".join(c for c in sheet if c not in "[]:*?/\\")[:31].strip("'") or "Sheet1"
        ws = book.add_worksheet(name)
        bold = book.add_format({"bold": True, "bg_color": "#EDEDED", "bottom": 1})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        headers = _headers(rows)
        widths = [display_width(h) for h in headers]
        for c, header in enumerate(headers):
            ws.write_string(0, c, neutralise(header), bold)
        for r, row in enumerate(rows, start=1):
            for c, key in enumerate(headers):
                value = row.get(key)
                shown = _write_cell(ws, r, c, value, date_fmt, time_fmt)
                widths[c] = max(widths[c], display_width(shown))
        for c, width in enumerate(widths):
            ws.set_column(c, c, min(width + 2, 60))
        ws.freeze_panes(1, 0)
        if headers:
            ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    return buffer.getvalue()


def _write_cell(ws: Any, r: int, c: int, value: object, date_fmt: Any, time_fmt: Any) -> str:
    """Write one cell; return how it shows (for the column width)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        ws.write_blank(r, c, None)
        return ""
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
        return "FALSE"
    if _is_number(value):
        ws.write_number(r, c, value)
        return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
    if isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, time_fmt)
        return "0000-00-00 00:00:00"
    if isinstance(value, dt.date):
        ws.write_datetime(r, c, value, date_fmt)
        return "0000-00-00"
    text = neutralise(_text(value))
    ws.write_string(r, c, text)
    return max(text.splitlines() or [""], key=display_width)


def _csv_value(value: object) -> object:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if _is_number(value):
        return value
    if isinstance(value, dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return neutralise(_text(value))


def table_csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """UTF-8 with BOM (so that Excel on Chinese Windows reads it); text quoted, numbers bare."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    headers = _headers(rows)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(row.get(h)) for h in headers])
    return BOM + buffer.getvalue().encode("utf-8")


def rows_of(frame: Any, columns: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """A Polars frame as rows for :func:`table_xlsx` / :func:`table_csv`, optionally keeping and
    renaming ``columns`` (source name → header)."""
    rows: Iterable[dict[str, Any]] = frame.to_dicts()
    if columns is None:
        return list(rows)
    return [{header: row.get(name) for name, header in columns.items()} for row in rows]
