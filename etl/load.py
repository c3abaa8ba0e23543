"""Load: read → validate → compare → append, as one batch or not at all.

:func:`load_file` is the single path every upload takes: the dashboard's upload page, the
``target-monitor load`` command, and the bundled sample.  A file with any error is rejected and
nothing is written; a file already committed (same SHA-256) is reported as already loaded and
nothing is written; a dry run records the batch and its counts but no reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from etl.read import MAX_BYTES, FileRejected, Table, read_upload
from etl.totals import gap_warnings
from etl.validate import ValidationContext, validate
from etl.validate.units import with_units
from model import clock, paths
from model.catalogue import Catalogue, load_catalogue
from model.issues import Issue, make_issue
from model.jurisdictions import Jurisdictions, bundled, load_jurisdictions
from model.regions import Region, load_regions
from model.unit_file import load_units
from model.units import UNITS, Unit
from warehouse.accounts import User, locks, upload_refusals
from warehouse.audit import audit
from warehouse.connect import connect
from warehouse.facts import BatchRecord, commit_batch, find_committed, unchanged
from warehouse.queries import previous_quarter_values
from warehouse.units import registered_units

Status = Literal["committed", "dry_run", "rejected", "already_loaded"]
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Reference:
    """The catalogue, region list and jurisdictions validation runs against."""

    catalogue: Catalogue
    regions: tuple[Region, ...]
    jurisdictions: Jurisdictions = field(default_factory=bundled)
    units: tuple[Unit, ...] | None = None  # the register without a warehouse (data/units.csv)


@lru_cache(maxsize=4)
def _reference(
    targets: Path, region_files: tuple[Path, ...], jurisdictions: Path, stamp: tuple[int, ...]
) -> Reference:
    del stamp  # part of the cache key only
    return Reference(
        load_catalogue(targets),
        tuple(load_regions(region_files)),
        load_jurisdictions(jurisdictions),
    )


def reference(
    targets: Path = paths.TARGETS,
    region_files: Sequence[Path] = (paths.REGIONS, paths.TOWNS),
    jurisdictions: Path = paths.JURISDICTIONS,
) -> Reference:
    """Load (and cache until the files change) the catalogue, the regions and the
    jurisdictions."""
    files = (targets, *region_files, jurisdictions)
    stamp = tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files)
    return _reference(targets, tuple(region_files), jurisdictions, stamp)


@lru_cache(maxsize=64)
def validation_context(
    ref: Reference, region: str | None, today: dt.date, units: tuple[Unit, ...] = ()
) -> ValidationContext:
    """Built once per reference, uploader scope, day and register of units: building it walks
    every region."""
    ctx = ValidationContext.build(
        ref.catalogue, ref.regions, scope_code=region, today=today, jurisdictions=ref.jurisdictions
    )
    return with_units(ctx, ref.catalogue, ref.regions, units, ref.jurisdictions)


@lru_cache(maxsize=4)
def _bundled_units(ref: Reference, stamp: int) -> tuple[Unit, ...]:
    del stamp  # part of the cache key only
    return tuple(load_units(UNITS, ref.regions))


def register_of(db: Path | None, ref: Reference) -> tuple[Unit, ...]:
    """The register of units an upload is checked against: the warehouse's (data/units.csv,
    the sample's and the admins' units), or without a warehouse the bundled data/units.csv."""
    if db is not None and Path(db).exists():
        with connect(db) as con:
            return tuple(registered_units(con))
    if ref.units is not None:
        return ref.units
    return _bundled_units(ref, UNITS.stat().st_mtime_ns if UNITS.exists() else 0)


@dataclass
class LoadResult:
    status: Status
    file_name: str
    sha256: str
    batch_id: int | None = None
    rows_total: int = 0
    rows_new: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    issues: list[Issue] = field(default_factory=list)
    already_loaded_batch: int | None = None

    @property
    def accepted(self) -> bool:
        return self.status != "rejected"

    def as_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "status": self.status,
            "accepted": self.accepted,
            "batch_id": self.batch_id,
            "file": self.file_name,
            "sha256": self.sha256,
            "rows": self.rows_total,
            "new": self.rows_new,
            "changed": self.rows_changed,
            "unchanged": self.rows_unchanged,
            "rejected": self.rows_rejected,
            "already_loaded_batch": self.already_loaded_batch,
            "issues": [i.as_json(lang) for i in self.issues],
        }


def check_file(
    data: bytes,
    name: str,
    *,
    db: Path | None,
    region: str | None = None,
    today: dt.date | None = None,
    max_bytes: int = MAX_BYTES,
    ref: Reference | None = None,
) -> tuple[list[Issue], pl.DataFrame | None, int, int]:
    """Read and validate without writing: ``(issues, rows or None, rows_total, rows_skipped)``."""
    ref = ref or reference()
    try:
        table = read_upload(data, name, max_bytes=max_bytes)
    except FileRejected as exc:
        return exc.issues, None, 0, 0
    return _check_table(table, db=db, region=region, today=today, ref=ref)


def _check_table(
    table: Table, *, db: Path | None, region: str | None, today: dt.date | None, ref: Reference
) -> tuple[list[Issue], pl.DataFrame | None, int, int]:
    ctx = validation_context(ref, region, today or clock.today(), register_of(db, ref))
    if db is None or not Path(db).exists():
        result = validate(table, ctx)
    else:
        with connect(db) as con:
            result = validate(table, ctx, lambda keys: previous_quarter_values(con, keys=keys))
    rows = result.rows if result.accepted else None
    issues = result.issues
    if rows is not None and rows.height == 0:  # an untouched template: nothing to load
        issues = [*issues, make_issue("no-figures", file=table.file, sheet=table.sheet,
                                      value=result.rows_total)]  # fmt: skip
        rows = None
    return issues, rows, result.rows_total, result.rows_skipped


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_file(
    source: Path | bytes,
    *,
    db: Path,
    name: str | None = None,
    uploader: str = "cli",
    region: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    max_bytes: int = MAX_BYTES,
    source_kind: str = "upload",
    ref: Reference | None = None,
    progress: Progress | None = None,
    submitted_at: dt.datetime | None = None,
    user: User | None = None,
) -> LoadResult:
    """Validate ``source`` and append it to the warehouse at ``db`` as one batch (or not at all).

    With ``user``, that account's role and scope are enforced here, where data is written (a
    bureau writes only its own region and the regions below it; a planner writes nothing), the
    upload is attributed to it, and every outcome, rejections included, goes to the audit log."""
    if user is not None:
        uploader = user.username
        region = user.upload_scope if user.role == "bureau" else region
    result = _load(source, db=db, name=name, uploader=uploader, region=region, dry_run=dry_run,
                   today=today, max_bytes=max_bytes, source_kind=source_kind, ref=ref,
                   progress=progress, submitted_at=submitted_at, user=user)  # fmt: skip
    if result.status in ("rejected", "already_loaded") and Path(db).exists():
        # Every outcome is audited, reader failures included (commits are audited with their
        # batch, in its transaction); without an account the actor is the uploader (the CLI
        # passes the OS user).
        with connect(db, write=True) as con:
            audit(con, at=clock.utc_now(), actor=uploader, action=f"upload_{result.status}",
                  target=result.file_name,
                  detail={"region": region, "errors": [i.rule for i in result.issues
                                                       if i.severity == "error"][:20]})  # fmt: skip
    return result


def _load(
    source: Path | bytes,
    *,
    db: Path,
    name: str | None,
    uploader: str,
    region: str | None,
    dry_run: bool,
    today: dt.date | None,
    max_bytes: int,
    source_kind: str,
    ref: Reference | None,
    progress: Progress | None,
    submitted_at: dt.datetime | None,
    user: User | None,
) -> LoadResult:
    started = clock.utc_now()
    data = source.read_bytes() if isinstance(source, Path) else source
    file_name = name or (source.name if isinstance(source, Path) else "upload")
    ref = ref or reference()
    # hashlib lets go of the GIL: the checksum is computed while the file is parsed.
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(_sha256, data)
        _tell(progress, 0.05, "读取文件 reading")
        try:
            # a file on disk is parsed from disk: the parsing child reads it without a copy
            parsed = source if isinstance(source, Path) else data
            table: Table | None = read_upload(parsed, file_name, max_bytes=max_bytes)
            problems: list[Issue] = []
        except FileRejected as exc:
            table, problems = None, exc.issues
        digest = hashing.result()
    del data  # parsed: the bytes are not needed any more
    result = LoadResult("rejected", file_name, digest)
    if table is not None:  # a refusal before validation still says how many rows were refused
        result.rows_total = result.rows_rejected = table.frame.height
    if user is not None and not user.can_upload:
        role = user.role if user.active else f"{user.role}, disabled"
        result.issues = [make_issue("role-cannot-upload", file=file_name, value=user.username,
                                    role=role)]  # fmt: skip
        return result
    if table is None:
        result.issues = problems
        return result
    issues, rows, total, skipped = _check_table(table, db=db, region=region, today=today, ref=ref)
    table_sheet = table.sheet
    del table
    result.issues, result.rows_total = issues, total
    if rows is None:
        result.rows_rejected = total
        return result
    _tell(progress, 0.6, "比对已有数据 comparing")
    with connect(db, write=True) as con:
        # the account re-read under the write lock: disabled or changed since login, refused
        locked = upload_refusals(con, user, file_name) or _locked_rows(
            con, rows, file_name, table_sheet
        )
        if locked:
            result.issues = [*issues, *locked]
            result.rows_rejected = total
            return result
        if source_kind != "sample":  # the sample reports no totals
            issues = [
                *issues,
                *gap_warnings(
                    con,
                    rows,
                    catalogue=ref.catalogue,
                    regions=ref.regions,
                    jurisdictions=ref.jurisdictions,
                    file=file_name,
                    sheet=table_sheet,
                ),
            ]
            result.issues = issues
        earlier = find_committed(con, digest)
        # "Already loaded" only when every row still equals the current value: a file loaded
        # before a correction, uploaded again, restores its values as a new batch.
        if earlier is not None and unchanged(con, rows):
            result.status, result.already_loaded_batch = "already_loaded", earlier
            result.rows_unchanged = rows.height
            return result
        record = BatchRecord(
            file_name=file_name,
            sha256=digest,
            uploader=uploader,
            region_code=region,
            source=source_kind,
            rows_total=total,
            rows_rejected=skipped,
            issues=issues,
            started_at=started,
            submitted_at=submitted_at,
        )
        _tell(progress, 0.8, "写入 writing")
        result.batch_id = commit_batch(
            con,
            rows,
            record,
            dry_run=dry_run,
            on_written=lambda: _tell(progress, 0.9, "登记批次 recording the batch"),
            audit_actor=None if source_kind == "sample" else uploader,
        )
    result.status = "dry_run" if dry_run else "committed"
    result.rows_new = record.counts.new
    result.rows_changed = record.counts.changed
    result.rows_unchanged = record.counts.unchanged
    result.rows_rejected = skipped
    _tell(progress, 1.0, "完成 done")
    return result


def _locked_rows(
    con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, file_name: str, sheet: str | None
) -> list[Issue]:
    """Rows reporting a quarter an admin has locked (the first few of each quarter)."""
    locked = locks(con)
    if not locked:
        return []
    hit = rows.filter(pl.col("period").is_in(list(locked))).sort("_row")
    issues = []
    for (period,), part in hit.group_by("period", maintain_order=True):
        by, at = locked[str(period)]
        for row in part.head(20).iter_rows(named=True):
            when = clock.to_beijing(at)  # stored as UTC, shown in Beijing time
            issues.append(
                make_issue(
                    "period-locked",
                    file=file_name,
                    sheet=sheet,
                    row=int(row["_row"]),
                    column="period",
                    value=period,
                    by=by,
                    at=f"{when:%Y-%m-%d %H:%M}",
                )
            )
    return issues


def _tell(progress: Progress | None, fraction: float, text: str) -> None:
    if progress is not None:
        progress(fraction, text)
