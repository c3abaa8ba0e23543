"""Hostile uploads (reliability-audit.md H1-H3, M1, M8, L3): each is refused with a named rule, in
seconds and bounded memory, audited, and the process that read it goes on serving.

The files are built here from ``good.xlsx`` the way the audit built them, plus variants: other
far cells, a dimension alone, a cell alone, single-quoted references, lying zip sizes, wide and
long CSV headers.  Where a check is meant to stop a file before any parser runs, the test also
hands the same file straight to the parser in the sandbox and sees the child die of it, not us.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from etl import sandbox
from etl.load import load_file, reference
from etl.read import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    XLSX_MAX_UNCOMPRESSED,
    FileRejected,
    parse_bytes,
    read_upload,
)
from tests.sandbox_targets import crash, noisy, spin
from warehouse import accounts
from warehouse.connect import connect

FIXTURES = Path(__file__).parent / "fixtures" / "uploads"
GOOD = FIXTURES / "good.xlsx"
SHEET = "xl/worksheets/sheet2.xml"  # the 数据上报 sheet of good.xlsx
CLI = Path(sys.executable).with_name("target-monitor")
GB = 1 << 30


def _rezip(sheet_xml: bytes, level: int = 6) -> bytes:
    source = zipfile.ZipFile(GOOD)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out:
        for info in source.infolist():
            out.writestr(info.filename, sheet_xml if info.filename == SHEET else source.read(info))
    return buffer.getvalue()


def _good_sheet() -> bytes:
    return zipfile.ZipFile(GOOD).read(SHEET)


def far_cell(ref: str, *, dimension: bool = True, cell: bool = True, quote: str = '"') -> bytes:
    """good.xlsx with its sheet claiming ``ref`` (the audit's H1 file is ``XFD1048576``)."""
    xml = _good_sheet()
    row = int("".join(ch for ch in ref if ch.isdigit()))
    if dimension:
        xml = xml.replace(b'<dimension ref="A1:H4"/>', f'<dimension ref="A1:{ref}"/>'.encode())
    if cell:
        extra = f"<row r={quote}{row}{quote}><c r={quote}{ref}{quote}><v>1</v></c></row>"
        xml = xml.replace(b"</sheetData>", extra.encode() + b"</sheetData>")
    return _rezip(xml)


def lying_bomb() -> bytes:
    """The audit's H2 file: 300 MB of rows in 0.76 MB, with the sheet's sizes rewritten to 1 MB."""
    head, rest = _good_sheet().replace(b'<dimension ref="A1:H4"/>', b"").split(b"<sheetData>")
    rows, tail = rest.split(b"</sheetData>")
    xml = head + b"<sheetData>" + rows + b"<row><c><v>1</v></c></row>" * 12_000_000
    data = bytearray(_rezip(xml + b"</sheetData>" + tail, level=9))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    struct.pack_into("<I", data, info.header_offset + 22, 1_000_000)  # local header
    directory = data.find(b"PK\x01\x02")
    while directory != -1:
        length = struct.unpack_from("<H", data, directory + 28)[0]
        if data[directory + 46 : directory + 46 + length] == SHEET.encode():
            struct.pack_into("<I", data, directory + 24, 1_000_000)  # central directory
        directory = data.find(b"PK\x01\x02", directory + 4)
    return bytes(data)


def lying_strings() -> bytes:
    """A different liar: one 250 MB inline string (no rows to count), sizes claiming 1 KB."""
    cell = (
        b'<row r="5"><c r="A5" t="inlineStr"><is><t>' + b"ab " * 85_000_000 + b"</t></is></c></row>"
    )
    data = bytearray(_rezip(_good_sheet().replace(b"</sheetData>", cell + b"</sheetData>"), 9))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    struct.pack_into("<I", data, info.header_offset + 22, 1024)
    directory = data.find(b"PK\x01\x02")
    while directory != -1:
        length = struct.unpack_from("<H", data, directory + 28)[0]
        if data[directory + 46 : directory + 46 + length] == SHEET.encode():
            struct.pack_into("<I", data, directory + 24, 1024)
        directory = data.find(b"PK\x01\x02", directory + 4)
    return bytes(data)


def wide_csv(columns: int, rows: int) -> bytes:
    header = "region_code,indicator,period,value" + ",x" * (columns - 4)
    return (header + "\n" + "1,a,2,1\n" * rows).encode()


def _cases() -> dict[str, tuple[bytes, str, str]]:
    return {
        "H1 far corner XFD1048576": (far_cell("XFD1048576"), "sheet-too-large", "A1:XFD1048576"),
        "far cell ZZ1000000, no dimension": (
            far_cell("ZZ1000000", dimension=False),
            "sheet-too-large",
            "702 × 1,000,000",
        ),
        "dimension alone": (far_cell("XFD1048576", cell=False), "sheet-too-large", "XFD"),
        "65th column": (far_cell("BM2", dimension=False), "sheet-too-large", "65 × "),
        "row 200,001": (far_cell("A200001", dimension=False), "sheet-too-large", "200,001"),
        "single quotes": (
            far_cell("XFD1048576", dimension=False, quote="'"),
            "sheet-too-large",
            "16384 × 1,048,576",
        ),
        "H2 lying sizes, rows": (lying_bomb(), "sheet-too-large", "sheet2.xml"),
        "lying sizes, one string": (lying_strings(), "zip-bomb", "uncompressed"),
        "H3 20,000 header cells": (wide_csv(20_004, 900_000), "too-many-columns", "20004"),
        "65 header cells": (wide_csv(65, 10), "too-many-columns", "65"),
        "header over 64 KB": (wide_csv(200_004, 200_000), "header-too-long", ""),
    }


@pytest.fixture(scope="module")
def cases() -> dict[str, tuple[bytes, str, str]]:
    return _cases()


@pytest.fixture
def db(empty_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(empty_db, copy)
    with connect(copy, write=True) as con:
        accounts.add_user(con, username="jieyang", password="jieyang-pass", role="bureau",
                          region_code="445200", display_name="揭阳市", actor="test")  # fmt: skip
    return copy


def _rejections(db: Path) -> list[tuple[str, str, list[str]]]:
    with connect(db) as con:
        rows = con.execute(
            "SELECT actor, target, detail FROM audit_log WHERE action = 'upload_rejected' "
            "ORDER BY audit_id"
        ).fetchall()
    return [(actor, target, json.loads(detail)["errors"]) for actor, target, detail in rows]


@pytest.mark.parametrize("case", sorted(_cases()))
def test_hostile_file_is_refused_by_name_fast_and_audited(
    case: str, cases: dict[str, tuple[bytes, str, str]], db: Path
) -> None:
    data, rule, named = cases[case]
    assert len(data) < 20 << 20  # each fits under the upload limit
    with connect(db) as con:
        user = accounts.get_user(con, "jieyang")
    started = time.perf_counter()
    result = load_file(data, db=db, name=f"{rule}.upload", user=user, ref=reference())
    elapsed = time.perf_counter() - started
    assert result.status == "rejected"
    assert [i.rule for i in result.issues] == [rule]
    assert named in (result.issues[0].value or "")
    assert elapsed < 5.0, f"{case}: {elapsed:.1f} s"
    assert _rejections(db) == [("jieyang", f"{rule}.upload", [rule])]
    # still serving: the same process reads and loads a good file straight after
    good = read_upload(GOOD)
    assert good.frame["region_code"].to_list() == ["440100"] * 3


@pytest.mark.parametrize(
    ("case", "reason"),
    [("H1 far corner XFD1048576", "memory"), ("far cell ZZ1000000, no dimension", "memory")],
)
def test_without_the_checks_the_parser_dies_in_its_child_not_here(
    case: str, reason: str, cases: dict[str, tuple[bytes, str, str]]
) -> None:
    """The defence behind the checks: calamine asked for the H1 file aborts (512 GB), and that
    is a ``file-unreadable`` answer, not the end of this process."""
    data = cases[case][0]
    started = time.perf_counter()
    with pytest.raises(sandbox.ChildFailed) as failed:
        sandbox.run(parse_bytes, data, "sparse.xlsx", "zip")
    assert failed.value.reason == reason
    assert "1024 MB" in failed.value.detail
    assert time.perf_counter() - started < 5.0
    assert read_upload(GOOD).frame.height == 3  # and this process reads on


def test_a_parser_that_fails_under_its_limits_is_file_unreadable() -> None:
    """``file-unreadable``, end to end through :func:`read_upload`: 64 MB of address space is too
    little for Polars to start its threads, and its panic is a rejection, not a traceback."""
    with pytest.raises(FileRejected) as rejected:
        read_upload(GOOD, limits=sandbox.Limits(memory=64 << 20, seconds=10))
    (issue,) = rejected.value.issues
    assert (issue.rule, issue.value, issue.file) == ("file-unreadable", "crash", "good.xlsx")
    assert issue.message_zh.startswith("文件无法安全读取（读取程序异常退出（PanicException")
    assert "could not spawn threads" in issue.message_en
    assert issue.message_en.endswith("it was refused and nothing was written")


def test_a_parser_that_runs_away_is_stopped_at_the_time_limit() -> None:
    started = time.perf_counter()
    with pytest.raises(sandbox.ChildFailed) as failed:
        sandbox.run(spin, 60.0, limits=sandbox.Limits(seconds=1.0))
    assert failed.value.reason == "time"
    assert time.perf_counter() - started < 4.0


def test_a_parser_that_crashes_is_a_crash_with_its_signal() -> None:
    with pytest.raises(sandbox.ChildFailed) as failed:
        sandbox.run(crash, limits=sandbox.Limits(seconds=5.0))
    # an abort under the address-space limit is how a failed Rust allocation ends
    assert (failed.value.reason, failed.value.detail) == ("memory", "> 1024 MB (SIGABRT)")


def test_an_exception_in_the_parser_comes_back_as_itself() -> None:
    with pytest.raises(FileRejected) as rejected:
        read_upload(b"just one line\n", "one.csv")
    assert [i.rule for i in rejected.value.issues] == ["missing-column"] * 4  # all four required


def test_limits_grow_with_the_input_beyond_the_upload_limit() -> None:
    assert sandbox.Limits.for_size(20 << 20) == sandbox.Limits(GB, 20.0)
    assert sandbox.Limits.for_size(400 << 20) == sandbox.Limits(12 * (400 << 20), 400.0)


def test_the_shape_limits_leave_room_for_the_template() -> None:
    assert (MAX_COLUMNS, MAX_ROWS, XLSX_MAX_UNCOMPRESSED) == (64, 200_000, 200 << 20)


@pytest.mark.parametrize("case", ["H1 far corner XFD1048576", "H3 20,000 header cells"])
def test_cli_refuses_in_bounded_memory(
    case: str, cases: dict[str, tuple[bytes, str, str]], db: Path, tmp_path: Path
) -> None:
    """The audit's commands, as a subprocess: exit 1 with the rule, peak RSS well under 1 GB."""
    data, rule, _ = cases[case]
    path = tmp_path / ("sparse.xlsx" if rule == "sheet-too-large" else "wide.csv")
    path.write_bytes(data)
    # Linux carries a forked child's peak RSS across exec, so the CLI is started by a small
    # Python process rather than by this test process (hundreds of MB by now), which then reads
    # the peak of the children it reaped: the CLI's own.
    probe = (
        "import json, resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps([p.returncode, peak, p.stdout, p.stderr]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(CLI), "load", str(path), "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    code, peak_kb, out, err = json.loads(done.stdout)
    assert code == 1, err
    assert f"[{rule}]" in out
    assert peak_kb * 1024 < GB / 2  # ru_maxrss is in KB
    (actor, target, errors) = _rejections(db)[0]
    assert (target, errors) == (path.name, [rule])
    with connect(db) as con:
        (os_user,) = con.execute(
            "SELECT os_user FROM audit_log WHERE action = 'upload_rejected'"
        ).fetchone() or (None,)
    assert actor == os_user and os_user  # no --user: audited as the OS user, who is recorded


def test_one_upload_limit_the_readers(tmp_path: Path) -> None:
    """L5: the page's uploader lets through every file up to the reader's limit (whichever way the
    browser counts a megabyte), so the refusal a user sees is the reader's, in both languages."""
    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1_000_000 > MAX_BYTES == 20 * 1024 * 1024
    too_big = tmp_path / "big.csv"
    too_big.write_bytes(b"region_code,indicator,period,value\n" + b"1" * MAX_BYTES)
    with pytest.raises(FileRejected) as rejected:
        read_upload(too_big)
    (issue,) = rejected.value.issues
    assert (issue.rule, issue.message_zh) == (
        "file-too-large",
        "文件 20,971,555 B 超过上限 20,971,520 B",
    )


def test_a_parser_that_prints_does_not_garble_the_fork_servers_replies() -> None:
    for _ in range(3):
        assert sandbox.run(noisy) == ("done", None)
    assert read_upload(GOOD).frame.height == 3
