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

import tempfile
from pathlib import Path

import polars as pl

from etl import sandbox
from etl.read.guard import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    XLSX_MAX_ENTRIES,
    XLSX_MAX_RATIO,
    XLSX_MAX_UNCOMPRESSED,
    check_csv_head,
    check_zip,
    measure_zip,
    sniff,
)
from etl.read.table import (
    DATA_SHEET,
    HEAD_BYTES,
    INFORMATIONAL,
    OPTIONAL,
    REQUIRED,
    FileRejected,
    Table,
    _human_size,
    canonical_header,
)
from etl.read.text import _read_csv, decode
from etl.read.xlsx import _read_xlsx
from model.issues import Issue, make_issue

__all__ = [
    "DATA_SHEET",
    "INFORMATIONAL",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "OPTIONAL",
    "REQUIRED",
    "XLSX_MAX_ENTRIES",
    "XLSX_MAX_RATIO",
    "XLSX_MAX_UNCOMPRESSED",
    "FileRejected",
    "Table",
    "canonical_header",
    "check_csv_head",
    "check_zip",
    "decode",
    "measure_zip",
    "parse",
    "parse_bytes",
    "read_upload",
    "sniff",
    "unreadable",
]


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
        value, limit = _human_size(size), _human_size(max_bytes)
        if value == limit:  # just over: "20.0 MB over 20.0 MB" would say nothing
            value, limit = f"{size:,} B", f"{max_bytes:,} B"
        raise FileRejected([make_issue("file-too-large", file=file, value=value, limit=limit)])
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
