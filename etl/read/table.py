"""What reading produces: canonical column names, the :class:`Table`, and the rejection."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from model.issues import Issue, make_issue

HEADER_SCAN_ROWS = 30
HEAD_BYTES = 64 * 1024  # the header must end within the file's first 64 KB
DATA_SHEET = "数据上报"

REQUIRED = ("region_code", "indicator", "period", "value")
OPTIONAL = ("note", "source")
# Columns the template shows for the reader's benefit; ignored on the way back in.
INFORMATIONAL = ("region_name", "indicator_name", "unit")

_ALIASES: dict[str, str] = {
    "region_code": "region_code",
    "地区代码": "region_code",
    "行政区划代码": "region_code",
    "区划代码": "region_code",
    "indicator": "indicator",
    "指标": "indicator",
    "指标代码": "indicator",
    "period": "period",
    "期间": "period",
    "报告期": "period",
    "季度": "period",
    "value": "value",
    "数值": "value",
    "数据": "value",
    "note": "note",
    "备注": "note",
    "说明": "note",
    "source": "source",
    "来源": "source",
    "数据来源": "source",
    "资料来源": "source",
    "出处": "source",
    "region_name": "region_name",
    "地区名称": "region_name",
    "地区": "region_name",
    "indicator_name": "indicator_name",
    "指标名称": "indicator_name",
    "unit": "unit",
    "单位": "unit",
    "计量单位": "unit",
}


def canonical_header(text: str | None) -> str | None:
    """The canonical column a header cell names, or None.  ``数值（必填）`` → ``value``."""
    if text is None:
        return None
    key = unicodedata.normalize("NFKC", text).strip().lower()
    key = re.sub(r"[\s*＊]+", "", key)
    key = re.sub(r"[(（\[].*?[)）\]]", "", key)
    return _ALIASES.get(key)


@dataclass
class Table:
    """One upload, read: canonical string columns plus ``_row``, and what reading found."""

    file: str
    sheet: str | None
    frame: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    # (row, column) cells already reported by the reader (error cells, formulas without value)
    flagged: set[tuple[int, str]] = field(default_factory=set)
    encoding: str | None = None


class FileRejected(Exception):
    """Reading could not produce a table; ``issues`` says why."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(i.message_en for i in issues))

    def __reduce__(self) -> tuple[type[FileRejected], tuple[list[Issue]]]:
        return (FileRejected, (self.issues,))  # crosses back from the reading child intact


def _human_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _find_header(rows: Iterable[list[str | None]]) -> tuple[int, list[str | None]] | None:
    """Index of the first row naming at least three of the required columns, and its cells."""
    for index, cells in enumerate(rows):
        names = {canonical_header(c) for c in cells}
        if len(names & set(REQUIRED)) >= 3:
            return index, cells
        if index >= HEADER_SCAN_ROWS:
            break
    return None


def _missing_columns(file: str, sheet: str | None, header: list[str | None]) -> list[Issue]:
    present = {canonical_header(h) for h in header}
    if "indicator_name" in present:
        present.add("indicator")
    return [
        make_issue("missing-column", file=file, sheet=sheet, row=1, column=c, value=c)
        for c in REQUIRED
        if c not in present
    ]


def _tabulate(
    body: pl.DataFrame,
    header: list[str | None],
    header_row: int,
    file: str,
    sheet: str | None,
    encoding: str | None,
) -> Table:
    """Rename columns to canonical names and add ``_row``; report header-level issues."""
    issues: list[Issue] = []
    if header_row > 1:
        issues.append(
            make_issue("title-rows", file=file, sheet=sheet, row=header_row, value=header_row)
        )
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for i, cell in enumerate(header):
        column = f"c{i}"
        name = canonical_header(cell)
        if column not in body.columns:
            continue
        if name is None:
            if cell is not None and cell.strip():
                issues.append(
                    make_issue(
                        "unknown-column",
                        file=file,
                        sheet=sheet,
                        row=header_row,
                        column=cell,
                        value=cell,
                    )
                )
            continue
        if name in seen:
            issues.append(
                make_issue(
                    "duplicate-column",
                    file=file,
                    sheet=sheet,
                    row=header_row,
                    column=cell,
                    value=cell,
                )
            )
            continue
        seen[name] = cell or name
        mapping[column] = name
    # The Chinese indicator name stands in for the key when no key column is given.
    if "indicator" not in seen and "indicator_name" in seen:
        for column, name in mapping.items():
            if name == "indicator_name":
                mapping[column] = "indicator"
    present = set(mapping.values())
    missing = [c for c in REQUIRED if c not in present]
    issues.extend(
        make_issue("missing-column", file=file, sheet=sheet, row=header_row, column=c, value=c)
        for c in missing
    )
    if any(i.severity == "error" for i in issues):
        raise FileRejected(issues)
    frame = body.select([pl.col(c).alias(n) for c, n in mapping.items()])
    for optional in OPTIONAL:
        if optional not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(optional))
    frame = frame.with_row_index("_row", offset=header_row + 1).with_columns(
        pl.col("_row").cast(pl.Int64)
    )
    frame = frame.select("_row", *REQUIRED, *OPTIONAL, *[c for c in INFORMATIONAL if c in present])
    if frame.height == 0:
        raise FileRejected([*issues, make_issue("empty-file", file=file, sheet=sheet)])
    return Table(file=file, sheet=sheet, frame=frame, issues=issues, encoding=encoding)
