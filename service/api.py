"""The dashboard's door to the warehouse: open a connection, run a named query, close.

Pages never import DuckDB or Polars-producing SQL; they call these functions, which take the
warehouse path and keyword parameters.  Caching (keyed on :func:`warehouse.connect.data_version`)
lives next to the UI, in ``target_monitor/ui_data.py``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from etl import totals
from judge import engine
from model import clock
from model.catalogue import Catalogue
from model.jurisdictions import Jurisdictions
from model.periods import Quarter
from model.regions import Region
from model.reporting import applicable_indicators, jurisdiction_of, reporting_rules
from warehouse import accounts, queries, throttle
from warehouse.connect import connect


def info(db: Path) -> dict[str, str]:
    """``warehouse_info`` as a dict; empty when the warehouse does not exist yet."""
    if not db.exists():
        return {}
    with connect(db) as con:
        return queries.warehouse_info(con)


def is_sample(db: Path) -> bool:
    return info(db).get("sample") == "true"


def default_as_of(db: Path) -> dt.date:
    """Today, or the sample's own "today" when the warehouse holds the bundled sample."""
    value = info(db).get("default_as_of")
    return dt.date.fromisoformat(value) if value else clock.today()


def default_known_on(db: Path, as_of: dt.date) -> dt.date | None:
    """The default knowledge date: everything known now (None), except on the bundled sample,
    whose batches are stamped as if submitted over 2011-2021: there the evaluation date is also
    the knowledge date (what had been reported by then)."""
    return as_of if is_sample(db) else None


def goal_status(
    db: Path,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    known_on: dt.date | None = None,
    region: str | None = None,
    jurisdictions: Jurisdictions | None = None,
) -> pl.DataFrame:
    """Every goal judged at the evaluation date ``as_of`` on the revisions known at the end of
    ``known_on`` (None: all; see :func:`judge.engine.evaluate`)."""
    with connect(db) as con:
        return engine.evaluate(
            con,
            catalogue=catalogue,
            regions=regions,
            as_of=as_of,
            known_on=known_on,
            region=region,
            jurisdictions=jurisdictions,
        )


def goal_detail(
    db: Path,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    target_id: str,
    known_on: dt.date | None = None,
    jurisdictions: Jurisdictions | None = None,
) -> engine.GoalDetail:
    with connect(db) as con:
        return engine.goal_detail(
            con,
            catalogue=catalogue,
            regions=regions,
            as_of=as_of,
            target_id=target_id,
            known_on=known_on,
            jurisdictions=jurisdictions,
        )


def year_matrix(
    db: Path,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    known_on: dt.date | None = None,
    jurisdictions: Jurisdictions | None = None,
) -> pl.DataFrame:
    """Every goal's status at the end of each year of its window (evaluated on 20 January of the
    next year, when its Q4 is due, or at ``as_of`` if earlier), on the revisions known at the end
    of ``known_on`` (None: all): target_id, year, status, actual, planned, provisional (that
    year's verdict came before the deadline quarter was due)."""
    first = min(t.start.year for t in catalogue.targets)
    last = min(as_of.year, max(t.deadline.year for t in catalogue.targets))
    frames = []
    with connect(db) as con:
        for year in range(first, last + 1):
            cutoff = min(as_of, dt.date(year + 1, 1, 20))
            status = engine.evaluate(
                con,
                catalogue=catalogue,
                regions=regions,
                as_of=cutoff,
                known_on=known_on,
                jurisdictions=jurisdictions,
            )
            frames.append(
                status.select(
                    "target_id", "status", "actual", "planned", "provisional", "start", "deadline"
                )
                .filter(
                    (pl.col("start").dt.year() <= year) & (pl.col("deadline").dt.year() >= year)
                )
                .with_columns(pl.lit(year).alias("year"))
            )
    return pl.concat(frames).select(
        "target_id", "year", "status", "actual", "planned", "provisional"
    )


def reporting_grid(
    db: Path,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    as_of: dt.date,
    known_on: dt.date | None = None,
    jurisdictions: Jurisdictions | None = None,
) -> pl.DataFrame:
    """DHIS2-style completeness and timeliness per region and quarter due by ``as_of``: reports
    received (and on time) ÷ the indicators the region was due to report that quarter, over the
    reports known at the end of ``known_on`` (None: all)."""
    with connect(db) as con:
        counts = queries.region_period_counts(con, known_on=known_on, due_days=engine.DUE_DAYS)
    got = {(c, p): (n, on) for c, p, n, on in counts.iter_rows()}
    rules = reporting_rules(catalogue)
    members = jurisdiction_of(regions, jurisdictions)
    last = Quarter.of(as_of).previous()
    rows = []
    for region in regions:
        quarter = Quarter(2011, 1)
        while quarter <= last:
            due = quarter.end + dt.timedelta(days=engine.DUE_DAYS)
            if region.valid_on(quarter.end) and due <= as_of:
                expected = len(
                    applicable_indicators(
                        region, rules, members, within=(quarter.start, quarter.end)
                    )
                )
                if expected:
                    received, on_time = got.get((region.code, quarter.label), (0, 0))
                    rows.append(
                        (
                            region.code,
                            region.name,
                            region.level,
                            quarter.label,
                            expected,
                            min(received, expected),
                            min(on_time, expected),
                        )
                    )
            quarter = quarter.next()
    return pl.DataFrame(
        rows,
        schema={
            "region_code": pl.String,
            "name": pl.String,
            "level": pl.String,
            "period": pl.String,
            "expected": pl.Int64,
            "received": pl.Int64,
            "on_time": pl.Int64,
        },
        orient="row",
    ).with_columns(
        (pl.col("received") / pl.col("expected")).alias("completeness"),
        (pl.col("on_time") / pl.col("expected")).alias("timeliness"),
    )


def total_gaps(
    db: Path,
    *,
    catalogue: Catalogue,
    regions: Sequence[Region],
    known_on: dt.date | None = None,
    jurisdictions: Jurisdictions | None = None,
) -> pl.DataFrame:
    """Every jurisdiction total beside the roll-up of the level below (known at the end of
    ``known_on``): jurisdiction, indicator, period, total, rollup, reporters, gap (a fraction),
    large (over 5 % apart), largest gaps first."""
    reporters, pairs = totals.frames(catalogue, regions, jurisdictions)
    with connect(db) as con:
        gaps = queries.total_gaps(con, reporters=reporters, pairs=pairs, known_on=known_on)
    return totals.with_gap(gaps).sort(
        pl.col("gap").abs(), "period", descending=[True, True], nulls_last=True
    )


def batches(
    db: Path, *, region_code: str | None = None, known_on: dt.date | None = None, limit: int = 50
) -> pl.DataFrame:
    if not db.exists():
        return pl.DataFrame()
    with connect(db) as con:
        return queries.batches(con, region_code=region_code, known_on=known_on, limit=limit)


def region_reports(db: Path, *, region_code: str, known_on: dt.date | None = None) -> pl.DataFrame:
    """The current value of every key of a region (with revision and batch)."""
    with connect(db) as con:
        return queries.current_reports(con, region_code=region_code, known_on=known_on)


# ----------------------------------------------------------------------------------------------
# accounts, locks, audit (issue #7)


def login(
    db: Path,
    username: str,
    password: str,
    *,
    session: throttle.Attempts | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> accounts.LoginResult:
    """A throttled login (:func:`warehouse.accounts.login`).  An invalid username never opens
    the warehouse; a failure is answered only after its growing delay, waited with the
    warehouse closed."""
    if not throttle.valid_username(username):
        return accounts.LoginResult("invalid", session=session or throttle.Attempts())
    with connect(db, write=True) as con:
        result = accounts.login(con, username, password, session=session)
    if result.delay:
        sleep(result.delay)
    return result


def user(db: Path, username: str) -> accounts.User | None:
    """The account as the warehouse has it now (None when there is none, or no warehouse)."""
    if not db.exists() or not throttle.valid_username(username):
        return None
    with connect(db) as con:
        return accounts.get_user(con, username)


def users(db: Path) -> pl.DataFrame:
    with connect(db) as con:
        return accounts.list_users(con)


def add_user(db: Path, *, actor: accounts.User, **fields: str | None) -> accounts.User:
    _require_admin(actor)
    with connect(db, write=True) as con:
        admin = accounts.require_admin(con, actor)
        return accounts.add_user(
            con, username=str(fields["username"]), password=str(fields["password"]),
            role=str(fields["role"]), region_code=fields.get("region_code"),
            display_name=fields.get("display_name"), actor=admin.username,
        )  # fmt: skip


def set_active(db: Path, username: str, *, active: bool, actor: accounts.User) -> None:
    _require_admin(actor)
    with connect(db, write=True) as con:
        admin = accounts.require_admin(con, actor)
        accounts.set_active(con, username, active=active, actor=admin.username)


def set_role(
    db: Path, username: str, *, role: str, region_code: str | None, actor: accounts.User
) -> None:
    _require_admin(actor)
    with connect(db, write=True) as con:
        admin = accounts.require_admin(con, actor)
        accounts.set_role(con, username, role=role, region_code=region_code, actor=admin.username)


def locks(db: Path) -> dict[str, tuple[str, dt.datetime]]:
    if not db.exists():
        return {}
    with connect(db) as con:
        return accounts.locks(con)


def set_lock(db: Path, period: str, *, locked: bool, actor: accounts.User) -> None:
    """Lock or unlock a quarter; the actor is re-read inside the write (see ``set_lock``)."""
    with connect(db, write=True) as con:
        accounts.set_lock(con, period, locked=locked, actor=actor)


def audit_log(db: Path, *, actor: str | None = None, action: str | None = None) -> pl.DataFrame:
    with connect(db) as con:
        return accounts.audit_log(con, actor=actor, action=action)


def _require_admin(user: accounts.User) -> None:
    """A quick refusal on the session's copy before the write connection is opened; the account
    is then re-read inside it (:func:`warehouse.accounts.require_admin`)."""
    if user.role != "admin" or not user.active:
        raise accounts.AccountError("只有管理员可以管理账号 / only an admin can manage accounts")
