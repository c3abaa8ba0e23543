"""Create or migrate a warehouse, refresh its dimensions, and load the bundled data.

``target-monitor init`` (and so ``make run``) and the dashboard's first start call
:func:`init_warehouse`, the only function that creates a warehouse.  The bundled sample (示例数据)
goes through the same validate-and-load path as any upload, one batch per quarter, each dated 15
days after its quarter ended, so that as-of views have a history to show.

A new warehouse, and the sample, are built atomically: into ``DB.building`` next to the
warehouse, then renamed into place, so that Ctrl-C or a kill leaves either no warehouse (and the
next start builds it again) or a complete one, never half a sample.  One builder at a time:
an exclusive ``flock`` on ``DB.lock`` (across processes) and a lock inside the process (across the
dashboard's sessions); whoever waited finds the warehouse built and does nothing.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl.load import Reference, load_file, reference
from etl.published import load_published
from etl.sample import generate_sample
from etl.sample.units import sample_units
from model.clock import utc_now
from model.periods import Quarter
from model.unit_file import load_units
from model.units import UNITS
from warehouse import accounts
from warehouse.connect import (
    WarehouseNotInitialised,
    WarehouseReadOnly,
    check_warehouse,
    connect,
    is_writable,
)
from warehouse.dimensions import load_dimensions
from warehouse.meta import set_info
from warehouse.migrate import migrate
from warehouse.units import register_units, registered_units, unit_register

SAMPLE_UPLOADER = "示例数据 sample"
# Demo accounts exist only in the sample warehouse (documented in the README and shown on the
# login form there); outside sample mode no default password works.
DEMO_ACCOUNTS = (
    ("demo-bureau", "demo-bureau-pass", "bureau", "445200", "揭阳市工信局（演示）"),
    ("demo-planner", "demo-planner-pass", "planner", None, "省工信厅规划处（演示）"),
    ("demo-admin", "demo-admin-pass", "admin", None, "系统管理员（演示）"),
)
# The sample's "today": 2014Q2 has just been reported, so the 十二五 goals are in progress, the
# 2012 goals are settled and the 2016-2020 goals have not started — every status shows.
SAMPLE_AS_OF = dt.date(2014, 7, 20)
REPORTING_LAG = dt.timedelta(days=15)

Progress = Callable[[float, str], None]
"""Called with the fraction done (0–1) and what is being done (a quarter such as ``2014Q2``)."""

_BUILDING = threading.Lock()


def building_path(db: Path) -> Path:
    """Where a new warehouse is built before it is renamed to ``db``."""
    return db.with_name(db.name + ".building")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@contextmanager
def build_lock(db: Path) -> Iterator[None]:
    """Hold the right to build ``db``: one builder per warehouse across processes and threads."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with _BUILDING:
        fd = os.open(db.with_name(db.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock


def init_warehouse(
    db: Path,
    *,
    sample: bool = False,
    ref: Reference | None = None,
    if_missing: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Create ``db`` (atomically) or migrate it in place; reload dimensions and published
    figures; load the sample if asked and the warehouse holds no reports yet.

    With ``if_missing``, a warehouse that exists and is initialised is left alone (and ``{}``
    returned).  The result counts rows per table, plus ``created`` (1 for a new warehouse),
    ``migrations`` applied now, ``published_figures_new`` and ``sample_reports`` when loaded."""
    if not is_writable(db):
        raise WarehouseReadOnly(db)
    with build_lock(db):
        if db.exists():
            if if_missing:
                try:
                    check_warehouse(db)
                except WarehouseNotInitialised:
                    pass  # an empty DuckDB file: initialise it below, as init would
                else:
                    return {}
            counts = _refresh(db, ref or reference())
            counts["created"] = 0
            if sample and counts["reports"] == 0:
                # The sample only ever goes into an empty warehouse: never mixed with real
                # reports.  It is loaded into a copy that replaces the warehouse when complete.
                building = _fresh_building(db)
                shutil.copyfile(db, building)
                counts.update(_sample_into(building, ref or reference(), progress))
                _move_into_place(building, db)
            return counts
        building = _fresh_building(db)
        _wal(db).unlink(missing_ok=True)  # a WAL without its database must never be replayed
        counts = _refresh(building, ref or reference(), create=True)
        counts["created"] = 1
        if sample:
            counts.update(_sample_into(building, ref or reference(), progress))
        _move_into_place(building, db)
        return counts


def _fresh_building(db: Path) -> Path:
    """The build file, with anything a killed build left there removed (we hold the lock)."""
    building = building_path(db)
    building.unlink(missing_ok=True)
    _wal(building).unlink(missing_ok=True)
    return building


def _refresh(db: Path, ref: Reference, *, create: bool = False) -> dict[str, int]:
    with connect(db, write=True, create=create) as con:
        applied = migrate(con)
        counts = load_dimensions(con, ref.catalogue, ref.regions, ref.jurisdictions)
        counts["units"] = _register(con, ref)
        con.execute("BEGIN TRANSACTION")
        counts["published_figures_new"] = load_published(con)
        set_info(con, "dimensions_loaded_at", utc_now().isoformat(timespec="seconds"))
        con.execute("COMMIT")
        for table in ("published_figures", "reports"):
            row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - constant
            counts[table] = row[0] if row else 0
    counts["migrations"] = len(applied)
    return counts


def _register(con: duckdb.DuckDBPyConnection, ref: Reference) -> int:
    """Synchronise the register with ``data/units.csv`` (a changed unit is a new revision);
    return the number of units registered (the file's, the sample's and the admins')."""
    units = load_units(UNITS, ref.regions)
    register_units(con, units, actor="init", file_name=UNITS.name, at=utc_now(),
                   origin="register", quiet=True)  # fmt: skip
    return len(unit_register(con))


def _sample_into(building: Path, ref: Reference, progress: Progress | None) -> dict[str, int]:
    loaded = load_sample(building, ref, progress=progress)
    return {"sample_reports": loaded, "reports": loaded}


def _move_into_place(building: Path, db: Path) -> None:
    """Rename the finished build to ``db``: durable first, then atomic."""
    if _wal(building).exists():  # every connection is closed, so DuckDB has checkpointed
        with connect(building, write=True) as con:
            con.execute("CHECKPOINT")
    with building.open("rb") as file:
        os.fsync(file.fileno())
    building.replace(db)
    directory = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load_sample(db: Path, ref: Reference, *, progress: Progress | None = None) -> int:
    """Load the generated sample, quarter by quarter; mark the warehouse as holding sample data.

    Call it on a warehouse being built (:func:`init_warehouse` does): it is not atomic itself."""
    with connect(db, write=True) as con:  # the sample's units (示例单位), registered first
        real = registered_units(con)
        register_units(con, sample_units(ref.regions, real), actor=SAMPLE_UPLOADER,
                       file_name="sample", at=utc_now(), origin="sample")  # fmt: skip
        units = registered_units(con)
    frame = generate_sample(
        ref.catalogue, ref.regions, jurisdictions=ref.jurisdictions, units=units
    )
    loaded = 0
    parts = frame.sort("period").group_by("period", maintain_order=True)
    total = frame["period"].n_unique()
    for done, ((period,), part) in enumerate(parts):
        quarter = Quarter.parse(str(period))
        if progress is not None:
            progress(done / (total + 1), quarter.label)
        buffer = io.BytesIO()
        part.select("region_code", "indicator", "period", "value", "note").write_csv(buffer)
        # 09:00 Beijing time (stored as UTC) on the 15th day after the quarter ended
        submitted = dt.datetime.combine(quarter.end + REPORTING_LAG, dt.time(1, 0))
        result = load_file(
            buffer.getvalue(),
            db=db,
            name=f"sample-{quarter.label}.csv",
            uploader=SAMPLE_UPLOADER,
            source_kind="sample",
            ref=ref,
            submitted_at=submitted,
            max_bytes=1 << 30,
        )
        if result.status != "committed":
            problems = "; ".join(f"{i.row} {i.rule} {i.value}" for i in result.issues[:5])
            raise RuntimeError(f"the bundled sample for {quarter.label} was rejected: {problems}")
        loaded += result.rows_new
    if progress is not None:
        progress(total / (total + 1), "accounts")
    with connect(db, write=True) as con:
        set_info(con, "sample", "true")
        known = {r.code for r in ref.regions}
        for username, password, role, region, name in DEMO_ACCOUNTS:
            if region is not None and region not in known:
                continue  # a region list without 揭阳市 (another jurisdiction's) has no demo bureau
            if accounts.get_user(con, username) is None:
                accounts.add_user(
                    con,
                    username=username,
                    password=password,
                    role=role,
                    region_code=region,
                    display_name=name,
                    actor="sample",
                )
        set_info(con, "default_as_of", SAMPLE_AS_OF.isoformat())
    if progress is not None:
        progress(1.0, "done")
    return loaded
