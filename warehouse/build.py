"""Create or migrate a warehouse, refresh its dimensions, and load the bundled data.

``target-monitor init`` and the dashboard's start command call :func:`init_warehouse`.  The
bundled sample (示例数据) goes through the same validate-and-load path as any upload, one batch per
quarter, each dated 15 days after its quarter ended, so that as-of views have a history to show.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from etl.load import Reference, load_file, reference
from etl.periods import Quarter
from etl.published import load_published
from etl.sample import generate_sample
from warehouse import accounts
from warehouse.connect import connect
from warehouse.dimensions import load_dimensions
from warehouse.facts import utc_now
from warehouse.migrate import migrate

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


def init_warehouse(
    db: Path, *, sample: bool = False, ref: Reference | None = None
) -> dict[str, int]:
    """Migrate ``db``, reload dimensions and published figures; load the sample if asked and
    the warehouse holds no reports yet."""
    ref = ref or reference()
    db.parent.mkdir(parents=True, exist_ok=True)
    with connect(db, write=True) as con:
        migrate(con)
        counts = load_dimensions(con, ref.catalogue, ref.regions)
        con.execute("BEGIN TRANSACTION")
        counts["published_figures"] = load_published(con)
        con.execute(
            "INSERT OR REPLACE INTO warehouse_info VALUES ('dimensions_loaded_at', ?)",
            [utc_now().isoformat(timespec="seconds")],
        )
        con.execute("COMMIT")
        row = con.execute("SELECT count(*) FROM reports").fetchone()
        empty = row is not None and row[0] == 0
    # The sample only ever goes into an empty warehouse: never mixed with real reports.
    if sample and empty:
        counts["sample_reports"] = load_sample(db, ref)
    return counts


def load_sample(db: Path, ref: Reference) -> int:
    """Load the generated sample, quarter by quarter; mark the warehouse as holding sample data."""
    frame = generate_sample(ref.catalogue, ref.regions)
    loaded = 0
    for (period,), part in frame.sort("period").group_by("period", maintain_order=True):
        quarter = Quarter.parse(str(period))
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
    with connect(db, write=True) as con:
        con.execute("INSERT OR REPLACE INTO warehouse_info VALUES ('sample', 'true')")
        for username, password, role, region, name in DEMO_ACCOUNTS:
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
        con.execute(
            "INSERT OR REPLACE INTO warehouse_info VALUES ('default_as_of', ?)",
            [SAMPLE_AS_OF.isoformat()],
        )
    return loaded
