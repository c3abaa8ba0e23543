"""CSV: decoded as UTF-8 (with or without BOM) or GB18030, strictly, and parsed by Polars."""

from __future__ import annotations

import csv

import polars as pl

from etl.read.table import (
    HEAD_BYTES,
    HEADER_SCAN_ROWS,
    FileRejected,
    Table,
    _find_header,
    _missing_columns,
    _tabulate,
)
from model.issues import make_issue


def decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (BOM or not) or GB18030; raise UnicodeDecodeError otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("gb18030"), "gb18030"


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
