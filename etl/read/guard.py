"""The cheap checks that run before any parser, in the caller's process and in bounded memory.

Nothing here parses a workbook or a CSV body: the size and type, the zip directory, each member
inflated through a counting reader (never trusting the sizes the archive declares), each
worksheet's extent scanned as bytes, and the CSV header line's length and width.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from etl.read.table import HEAD_BYTES, HEADER_SCAN_ROWS, _find_header, _human_size
from model.issues import Issue, make_issue

MAX_BYTES = 20 * 1024 * 1024  # the one upload limit: the page, the CLI and the reader share it
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_ENTRIES = 2_000
# The template's shape, with room to spare: 8 columns, one row per region × indicator.
MAX_COLUMNS = 64
MAX_ROWS = 200_000


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


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    index = 0
    for ch in letters[0] if letters else "":
        index = index * 26 + ord(ch) - 64
    return index - 1
