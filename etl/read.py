"""Read: turn an uploaded CSV or XLSX file into a frame of strings, checking the file itself.

Everything is read as text (``infer_schema=False`` / ``dtypes="string"``) so that region codes keep
their digits; the validate stage decides what each cell means.  The file's type is decided by its
content, not its name; CSV text is decoded as UTF-8 (with or without BOM) or GB18030, never guessed
into mojibake.  Each data row keeps ``_row``: its row number as Excel shows it, header counted.

No upload can take the process down (see ``docs/architecture.md``, "Reading untrusted files"):

1. Cheap checks run first, in this process, in bounded memory: the size; for ``.xlsx`` the zip
   directory, then every member inflated through a counting reader (the sizes an archive declares
   about itself are never trusted) while each worksheet's extent is scanned (``<dimension>``, cell
   and row references, row count); for CSV the header line's length and width.
2. Only then does a parser see the file, and it runs in a child process with an address-space and
   a time limit (:mod:`etl.sandbox`): a parser that aborts or runs away becomes a rejected file
   (``file-unreadable``), never a dead server.  (A file beyond the 20 MB upload limit can only
   come from an operator who raised the limit on the command line; it is parsed in-process.)
"""

from __future__ import annotations

import csv
import io
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import fastexcel
import polars as pl

from etl import sandbox
from etl.issues import Issue, make_issue

MAX_BYTES = 20 * 1024 * 1024  # the one upload limit: the page, the CLI and the reader share it
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_ENTRIES = 2_000
HEADER_SCAN_ROWS = 30
# The template's shape, with room to spare: 8 columns, one row per region × indicator.
MAX_COLUMNS = 64
MAX_ROWS = 200_000
DATA_SHEET = "数据上报"

REQUIRED = ("region_code", "indicator", "period", "value")
OPTIONAL = ("note",)
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


def sniff(head: bytes) -> str:
    """The file's type by its first bytes: ``xlsx``, ``zip``, ``xls``, ``pdf`` or ``text``."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def read_upload(
    source: Path | bytes,
    name: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    limits: sandbox.Limits | None = None,
) -> Table:
    """Read a file (a path, or the bytes of an upload) into a :class:`Table`.

    Raises :class:`FileRejected` when the file itself is unusable (size, type, bomb, extent,
    encoding, no header, or a parser that failed in its child process); row-level problems are
    left for validation.  ``limits`` bounds the parsing child (default: :meth:`Limits.for_size`).
    """
    file = name or (source.name if isinstance(source, Path) else "upload")
    if isinstance(source, Path):  # a CSV on disk is never read whole by this process
        size = source.stat().st_size
        with source.open("rb") as handle:
            head = handle.read(HEAD_BYTES + 8192)
    else:
        size, head = len(source), source[: HEAD_BYTES + 8192]
    if size > max_bytes:
        raise FileRejected(
            [
                make_issue(
                    "file-too-large",
                    file=file,
                    value=_human_size(size),
                    limit=_human_size(max_bytes),
                )
            ]
        )
    kind = sniff(head[:8192])
    if kind == "zip":
        data = source.read_bytes() if isinstance(source, Path) else source
        problems = check_zip(data, file) or measure_zip(data, file)
    elif kind == "text":
        problems = check_csv_head(head, file, size=size)
    else:
        what = {"xls": "Excel 97-2003 .xls", "pdf": "PDF", "binary": "binary data"}[kind]
        problems = [make_issue("file-type", file=file, value=what)]
    if problems:
        raise FileRejected(problems)
    if size > MAX_BYTES and limits is None:
        # Beyond the upload limit only an operator who raised it on the command line (a bulk
        # back-fill, a benchmark) gets here, in their own process, after the same checks: the
        # parse runs in-process, sparing the copy of hundreds of MB to a child and back.
        data = source.read_bytes() if isinstance(source, Path) else source
        (sheet, issues, flagged, encoding), table = parse_bytes(data, file, kind)
        return Table(file, sheet, table, issues, flagged, encoding)
    limits = limits or _limits(size)
    try:
        if isinstance(source, Path):  # the child reads the file itself: no copy through a pipe
            meta, frame = sandbox.run(parse, str(source), file, kind, limits=limits)
        else:
            with tempfile.NamedTemporaryFile(prefix="tm-upload-") as copy:
                copy.write(source)
                copy.flush()
                meta, frame = sandbox.run(parse, copy.name, file, kind, limits=limits)
    except sandbox.ChildFailed as failed:
        raise FileRejected([unreadable(file, failed)]) from failed
    sheet, issues, flagged, encoding = meta
    assert frame is not None
    return Table(file, sheet, frame, issues, flagged, encoding)


def _limits(size: int) -> sandbox.Limits:
    return sandbox.Limits.for_size(size)


def unreadable(file: str, failed: sandbox.ChildFailed) -> Issue:
    """The ``file-unreadable`` rejection for a parser that died, in both languages."""
    why_zh = {
        "memory": f"读取时所需内存超过上限 {failed.detail}",
        "time": f"读取时间超过上限 {failed.detail}",
        "crash": f"读取程序异常退出（{failed.detail}）",
    }[failed.reason]
    why_en = {
        "memory": f"reading it needed more memory than allowed, {failed.detail}",
        "time": f"reading it took longer than allowed, {failed.detail}",
        "crash": f"the reader stopped abnormally ({failed.detail})",
    }[failed.reason]
    return make_issue(
        "file-unreadable", file=file, value=failed.reason, why_zh=why_zh, why_en=why_en
    )


Meta = tuple[str | None, list[Issue], set[tuple[int, str]], str | None]


def parse(path: str, file: str, kind: str) -> tuple[Meta, pl.DataFrame]:
    """The parsing step alone, as run in the child on the file at ``path``: ``kind`` is ``zip`` or
    ``text``, and the cheap checks of :func:`read_upload` have passed."""
    return parse_bytes(Path(path).read_bytes(), file, kind)


def parse_bytes(data: bytes, file: str, kind: str) -> tuple[Meta, pl.DataFrame]:
    table = _read_xlsx(data, file) if kind == "zip" else _read_csv(data, file)
    return (table.sheet, table.issues, table.flagged, table.encoding), table.frame


# --------------------------------------------------------------------------------------------
# CSV


def decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (BOM or not) or GB18030; raise UnicodeDecodeError otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("gb18030"), "gb18030"


def _find_header(rows: Iterable[list[str | None]]) -> tuple[int, list[str | None]] | None:
    """Index of the first row naming at least three of the required columns, and its cells."""
    for index, cells in enumerate(rows):
        names = {canonical_header(c) for c in cells}
        if len(names & set(REQUIRED)) >= 3:
            return index, cells
        if index >= HEADER_SCAN_ROWS:
            break
    return None


HEAD_BYTES = 64 * 1024


def _read_csv(data: bytes, file: str) -> Table:
    """UTF-8 files go to Polars as they are (no Python-side copy of the text); anything else is
    decoded as GB18030 — strictly, so that nothing is ever silently garbled — and transcoded."""
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    body, start = data, (3 if encoding == "utf-8-sig" else 0)  # the text starts after a BOM
    head = body[start : start + HEAD_BYTES]
    if len(body) - start > HEAD_BYTES:
        head = head[: head.rfind(b"\n") + 1] or head
    try:
        head_text = head.decode("utf-8")
    except UnicodeDecodeError:
        (body, encoding), start = _transcode(data, file), 0
        head_text = body[:HEAD_BYTES].decode("utf-8", errors="ignore")
    try:
        return _parse_csv(body, start, head_text, file, encoding)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower() or encoding == "gb18030":
            raise
        body, encoding = _transcode(data, file)  # invalid UTF-8 past the first 64 KB
        head_text = body[:HEAD_BYTES].decode("utf-8", errors="ignore")
        return _parse_csv(body, 0, head_text, file, encoding)


def check_csv_head(head: bytes, file: str, *, size: int | None = None) -> list[Issue]:
    """Before Polars sees a CSV: the header must end within the first 64 KB and have at most
    :data:`MAX_COLUMNS` cells (Polars sizes every row by the header: 20,000 junk columns times a
    million short rows is hundreds of GB).  ``head`` is the file's start, ``size`` its length."""
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    window = head[start : start + HEAD_BYTES]
    cut = (len(head) if size is None else size) - start > HEAD_BYTES  # may end inside a line
    lines = window.split(b"\n")
    complete = lines[:-1] if cut else lines
    texts = [_decode_loosely(line) for line in complete[: HEADER_SCAN_ROWS + 1]]
    found = _find_header([list(r) for r in csv.reader(texts)])
    if found is not None:
        width = len(found[1])
        if width > MAX_COLUMNS:
            return [make_issue("too-many-columns", file=file, row=found[0] + 1, value=width,
                               limit=MAX_COLUMNS)]  # fmt: skip
        return []
    if cut and len(complete) <= HEADER_SCAN_ROWS:  # a line over 64 KB where the header should be
        row = len(complete) + 1
        return [make_issue("header-too-long", file=file, row=row, limit="64 KB")]
    return []  # no header: the parser reports it as missing columns or an empty file


def _decode_loosely(line: bytes) -> str:
    """A line's text for recognising header names only (the parser decodes strictly)."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("gb18030", errors="replace")


def _transcode(data: bytes, file: str) -> tuple[bytes, str]:
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        raise FileRejected(
            [make_issue("encoding", file=file, value=f"byte {exc.start}: {exc.reason}")]
        ) from exc
    return text.encode("utf-8"), encoding


def _parse_csv(body: bytes, start: int, head_text: str, file: str, encoding: str) -> Table:
    """Parse ``body``, whose text starts at byte ``start`` (after a BOM), from its header on."""
    head_lines = head_text.splitlines()[: HEADER_SCAN_ROWS + 1]
    head: list[list[str | None]] = [list(r) for r in csv.reader(head_lines)]
    found = _find_header(head)
    if found is None:
        if not any(any(c and c.strip() for c in row) for row in head):
            raise FileRejected([make_issue("empty-file", file=file)])
        raise FileRejected(_missing_columns(file, None, head[0] if head else []))
    header_index, header = found
    offset = start
    for _ in range(header_index):  # skip the title rows above the header, byte-exactly
        offset = body.index(b"\n", offset) + 1
    width = len(header)
    # Polars keeps empty lines as rows of nulls, so row numbers hold as Excel shows them.  With
    # no title rows the bytes go as they are, not copied: Polars skips a BOM, and the header
    # row's cells are replaced by ``new_columns`` anyway.
    frame = pl.read_csv(
        body[offset:] if offset > start else body,
        has_header=True,
        infer_schema=False,
        truncate_ragged_lines=True,
        new_columns=[f"c{i}" for i in range(width)],
    )
    return _tabulate(frame, header, header_index + 1, file, None, encoding)


# --------------------------------------------------------------------------------------------
# XLSX


def check_zip(data: bytes, file: str) -> list[Issue]:
    """Decompression-bomb and macro checks, from the zip directory alone (nothing inflated)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        return [make_issue("file-type", file=file, value=f"damaged zip: {exc}")]
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            kind = "xlsm/xlsb" if "xl/workbook.bin" in names else "a zip archive, not a workbook"
            return [make_issue("file-type", file=file, value=kind)]
        if len(infos) > XLSX_MAX_ENTRIES:
            return [make_issue("zip-bomb", file=file, value=f"{len(infos)} entries")]
        total = sum(i.file_size for i in infos)
        if total > XLSX_MAX_UNCOMPRESSED:
            return [make_issue("zip-bomb", file=file, value=f"{_human_size(total)} uncompressed")]
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > XLSX_MAX_RATIO:
                value = f"{info.filename} ×{ratio:.0f}"
                return [make_issue("zip-bomb", file=file, value=value)]
        macros = [n for n in names if n.lower().endswith("vbaproject.bin")]
        if macros:
            return [make_issue("xlsx-macros", file=file, value=macros[0])]
    return []


_LOCAL_HEADER = b"PK\x03\x04"
_CHUNK = 1 << 20
# Worksheet XML, scanned as bytes while it is inflated.  Namespace prefixes (``<x:c>``) allowed.
# Patterns start with a literal where they can: a pattern starting with ``<`` is tried at every
# tag of a dense sheet, which costs seconds on 300 MB of ``<row><c><v>1</v></c></row>``.
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref\s*=\s*["\']([^"\']*)')
_ROW_REF = re.compile(rb'row\s[^>]*?\br\s*=\s*["\'](\d+)')  # literal first: Python's re scans fast
# Only references that may be out of bounds, so that a normal sheet costs no Python per cell:
# two or more column letters (beyond Z), or a row number of six digits from 200000, or seven+.
_WIDE_CELL = re.compile(rb'\sr\s*=\s*["\']([A-Z]{2,})\d')
_DEEP_CELL = re.compile(rb'\sr\s*=\s*["\'][A-Z]+([2-9]\d{5}|\d{7,})["\']')


@dataclass
class _Extent:
    """The furthest row and column a worksheet's XML mentions, and how many rows it holds."""

    sheet: str
    rows: int = 0  # <row> elements
    max_row: int = 0
    max_col: int = 0  # 1-based
    dimension: str | None = None

    def feed(self, text: bytes) -> None:
        self.rows += text.count(b"<row") + text.count(b":row ") + text.count(b":row>")
        if self.dimension is None and b"dimension" in text and (m := _DIMENSION.search(text)):
            self.dimension = m[1].decode("ascii", errors="replace")[:40]
            for corner in self.dimension.split(":"):
                self._cell(corner)
        for m in _ROW_REF.finditer(text):
            self.max_row = max(self.max_row, int(m[1][:9]))
        for letters in set(_WIDE_CELL.findall(text)):
            self.max_col = max(self.max_col, _column_index(letters[:4].decode()) + 1)
        for digits in _DEEP_CELL.findall(text):
            self.max_row = max(self.max_row, int(digits[:9]))

    def _cell(self, ref: str) -> None:
        letters = re.match(r"[A-Z]*", ref)
        digits = re.sub(r"\D", "", ref)
        if letters and letters[0]:
            self.max_col = max(self.max_col, _column_index(letters[0][:4]) + 1)
        if digits:
            self.max_row = max(self.max_row, int(digits[:9]))

    def problem(self) -> str | None:
        """What is out of bounds, named as the sheet says it (its dimension) or as counted."""
        rows = max(self.rows, self.max_row)
        if self.max_col <= MAX_COLUMNS and rows <= MAX_ROWS:
            return None
        claimed = _Extent(self.sheet)
        for corner in (self.dimension or "").split(":"):
            claimed._cell(corner)
        if claimed.max_col > MAX_COLUMNS or claimed.max_row > MAX_ROWS:
            return f"{self.sheet}: {self.dimension}"
        return f"{self.sheet}: {max(self.max_col, 1)} × {rows:,}"


def measure_zip(data: bytes, file: str) -> list[Issue]:
    """Inflate every member of the archive through a counting reader, in bounded memory.

    The sizes an archive declares are the attacker's to write; what counts is what inflating
    yields.  Each member's deflate stream is fed from its local header to the stream's own end;
    worksheets are scanned for their extent on the way.  Stops at the first limit exceeded."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    total = 0
    for info in infos:
        offset = info.header_offset
        if data[offset : offset + 4] != _LOCAL_HEADER:
            return [make_issue("file-type", file=file, value=f"damaged zip: {info.filename}")]
        name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
        start = offset + 30 + name_len + extra_len
        is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        extent = _Extent(info.filename.rsplit("/", 1)[-1]) if is_sheet else None
        if info.compress_type == zipfile.ZIP_STORED:
            size, used = info.compress_size, info.compress_size
            if extent is not None:
                extent.feed(data[start : start + size])
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            measured = _inflate_counting(data, start, XLSX_MAX_UNCOMPRESSED - total, extent)
            if measured is None:
                total = XLSX_MAX_UNCOMPRESSED + 1
                value = f"> {_human_size(XLSX_MAX_UNCOMPRESSED)} uncompressed"
                return [make_issue("zip-bomb", file=file, value=value)]
            size, used = measured
        else:
            value = f"{info.filename}: compression method {info.compress_type}"
            return [make_issue("file-type", file=file, value=value)]
        total += size
        if total > XLSX_MAX_UNCOMPRESSED:
            return [make_issue("zip-bomb", file=file, value=f"{_human_size(total)} uncompressed")]
        if size > 1024 * 1024 and size / max(used, 1) > XLSX_MAX_RATIO:
            value = f"{info.filename} ×{size / max(used, 1):.0f}"
            return [make_issue("zip-bomb", file=file, value=value)]
        if extent is not None and (where := extent.problem()):
            limit = f"{MAX_COLUMNS} 列 columns × {MAX_ROWS:,} 行 rows"
            return [make_issue("sheet-too-large", file=file, value=where, limit=limit)]
    return []


def _inflate_counting(
    data: bytes, start: int, budget: int, extent: _Extent | None
) -> tuple[int, int] | None:
    """Inflate the raw deflate stream at ``start`` to its end: (bytes out, bytes in), or None as
    soon as more than ``budget`` bytes come out.  Output is counted (and scanned), never kept."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced, position, carry = 0, start, b""
    while not inflater.eof and position < len(data):
        pending = data[position : position + _CHUNK]
        position += len(pending)
        while pending and not inflater.eof:
            try:
                out = inflater.decompress(pending, _CHUNK)
            except zlib.error:
                return produced, position - start  # damaged: the parser will say so
            pending = inflater.unconsumed_tail
            produced += len(out)
            if produced > budget:
                return None
            if extent is not None:
                text = carry + out
                cut = text.rfind(b">") + 1  # scan whole tags only; the rest waits for more
                extent.feed(text[:cut])
                carry = text[cut:][-4096:]
                if extent.problem():  # no need to read further: the sheet is refused
                    return produced, position - start
    used = position - start - len(inflater.unused_data)
    return produced, used


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


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    index = 0
    for ch in letters[0] if letters else "":
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass
class _SheetScan:
    first_row: int | None = None  # the first row (1-based) holding a value
    first_col: int | None = None  # the first column (0-based) holding a value
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # row, col, "#DIV/0!"
    uncached: list[tuple[int, int]] = field(default_factory=list)  # formulas without a value


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
        if name in REQUIRED or name in OPTIONAL:
            table.issues.append(
                make_issue(
                    "formula-no-value", file=table.file, sheet=table.sheet, row=row, column=name
                )
            )
            table.flagged.add((row, name))


# --------------------------------------------------------------------------------------------
# Common


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
    if "note" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("note"))
    frame = frame.with_row_index("_row", offset=header_row + 1).with_columns(
        pl.col("_row").cast(pl.Int64)
    )
    frame = frame.select("_row", *REQUIRED, "note", *[c for c in INFORMATIONAL if c in present])
    if frame.height == 0:
        raise FileRejected([*issues, make_issue("empty-file", file=file, sheet=sheet)])
    return Table(file=file, sheet=sheet, frame=frame, issues=issues, encoding=encoding)
