"""XLSX: the first sheet with a header, read by calamine (fastexcel); error cells and formulas
without a cached value found in the sheet's XML (calamine reports both as empty)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import fastexcel

from etl.read.guard import _column_index, check_zip
from etl.read.table import (
    DATA_SHEET,
    HEADER_SCAN_ROWS,
    OPTIONAL,
    REQUIRED,
    FileRejected,
    Table,
    _find_header,
    _tabulate,
    canonical_header,
)
from model.issues import make_issue

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))  # size-checked above
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out: dict[str, str] = {}
    for sheet in workbook.iter(f"{_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        out[sheet.get("name", "")] = path
    return out


@dataclass
class _SheetScan:
    first_row: int | None = None  # the first row (1-based) holding a value
    first_col: int | None = None  # the first column (0-based) holding a value
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # row, col, "#DIV/0!"
    uncached: list[tuple[int, int]] = field(default_factory=list)  # formulas without a value
    # formulas with a cached value: (row, col, the formula's text); flagged in the source column
    formulas: list[tuple[int, int, str]] = field(default_factory=list)


def _scan_sheet(archive: zipfile.ZipFile, path: str) -> _SheetScan:
    """Stream the sheet's XML once: error cells, formulas with no cached value, first row."""
    scan = _SheetScan()
    with archive.open(path) as handle:
        for _, elem in ET.iterparse(handle, events=("end",)):  # size-checked
            if elem.tag != f"{_NS}c":
                if elem.tag == f"{_NS}row":
                    elem.clear()
                continue
            ref = elem.get("r", "")
            row = int(re.sub(r"[A-Z]+", "", ref) or 0)
            value = elem.find(f"{_NS}v")
            inline = elem.find(f"{_NS}is")
            formula = elem.find(f"{_NS}f")
            has_value = (value is not None and value.text not in (None, "")) or inline is not None
            col = _column_index(ref)
            if has_value and (scan.first_row is None or row < scan.first_row):
                scan.first_row = row
            if has_value and (scan.first_col is None or col < scan.first_col):
                scan.first_col = col
            if elem.get("t") == "e":
                text = value.text if value is not None and value.text else "#ERROR"
                scan.errors.append((row, col, text))
            elif formula is not None and not has_value:
                scan.uncached.append((row, col))
            elif formula is not None:
                scan.formulas.append((row, col, formula.text or ""))
    return scan


def _read_xlsx(data: bytes, file: str) -> Table:
    problems = check_zip(data, file)
    if problems:
        raise FileRejected(problems)
    try:
        return _read_workbook(data, file)
    except FileRejected:
        raise
    except Exception as exc:  # a damaged workbook: calamine, zip or XML errors alike
        detail = f"damaged workbook: {type(exc).__name__}: {exc}"[:200]
        raise FileRejected([make_issue("file-type", file=file, value=detail)]) from exc


def _read_workbook(data: bytes, file: str) -> Table:
    archive = zipfile.ZipFile(io.BytesIO(data))
    paths = _sheet_paths(archive)
    reader = fastexcel.read_excel(data)
    names = list(reader.sheet_names)
    order = sorted(names, key=lambda n: (n != DATA_SHEET, names.index(n)))
    for sheet_name in order:
        sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string", n_rows=None)
        raw = sheet.to_polars()
        if raw.height == 0:
            continue
        head = [list(r) for r in raw.head(HEADER_SCAN_ROWS + 1).iter_rows()]
        found = _find_header(head)
        if found is None:
            continue
        scan = _scan_sheet(archive, paths[sheet_name]) if sheet_name in paths else _SheetScan()
        offset = scan.first_row or 1  # fastexcel starts at the first row holding a value
        header_index, header = found
        body = raw.slice(header_index + 1)
        body.columns = [f"c{i}" for i in range(body.width)]
        table = _tabulate(body, header, offset + header_index, file, sheet_name, None)
        _flag_cells(table, header, scan)
        return table
    raise FileRejected([make_issue("wrong-sheet", file=file, value="、".join(names) or "(none)")])


def _flag_cells(table: Table, header: list[str | None], scan: _SheetScan) -> None:
    # fastexcel's columns start at the first column holding a value; the XML counts from A.
    shift = scan.first_col or 0
    columns = {i + shift: canonical_header(h) for i, h in enumerate(header)}
    for row, col, text in scan.errors:
        name = columns.get(col)
        if name in REQUIRED or name in OPTIONAL:
            table.issues.append(
                make_issue(
                    "excel-error",
                    file=table.file,
                    sheet=table.sheet,
                    row=row,
                    column=name,
                    value=text,
                )
            )
            table.flagged.add((row, name))
    for row, col in scan.uncached:
        name = columns.get(col)
        if name == "source":
            _source_formula(table, row, "")
        elif name in REQUIRED or name in OPTIONAL:
            table.issues.append(
                make_issue(
                    "formula-no-value", file=table.file, sheet=table.sheet, row=row, column=name
                )
            )
            table.flagged.add((row, name))
    for row, col, text in scan.formulas:
        if columns.get(col) == "source":
            _source_formula(table, row, text)


def _source_formula(table: Table, row: int, text: str) -> None:
    """source-formula: a formula cell in the source column (what it shows is computed, and a
    formula in a source is how spreadsheet formula injection starts); see
    :mod:`etl.validate.sources` for text that reads as one."""
    table.issues.append(
        make_issue(
            "source-formula",
            file=table.file,
            sheet=table.sheet,
            row=row,
            column="source",
            value=f"={text}"[:60],
        )
    )
    table.flagged.add((row, "source"))
