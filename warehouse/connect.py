"""Opening the warehouse safely from the dashboard's threads and from the command line.

DuckDB lets one process write a database file at a time, and a process that has the file open
holds its lock.  The choice here (see ``docs/architecture.md``):

* Every operation opens a connection, does its work and closes it: nobody holds the lock while
  idle, so the dashboard and the CLI take turns instead of locking each other out.
* Inside one process, DuckDB shares one database instance between connections to the same file;
  :func:`connect` additionally serialises writers with a process-wide lock, and every thread gets
  its own connection (connections are not thread-safe).
* When another process holds the file, :func:`connect` waits and retries with back-off for up to
  ``timeout`` seconds; only then does the user see :class:`WarehouseBusy`, in Chinese and English.
* Only ``init`` creates a warehouse (``create=True``): every other open of a missing path raises
  :class:`WarehouseMissing` instead of leaving an empty file behind.  A file that cannot be written
  (a read-only copy, ``chattr +i``, a read-only mount) is opened ``read_only`` for viewing; a write
  to it raises :class:`WarehouseReadOnly`.  Every problem a user can fix is a
  :class:`WarehouseError` whose text is one bilingual line saying what to do.
* DuckDB's Python replacement scans are off on every connection: a missing table is an error,
  never a lookup of a Python variable that happens to share its name.
* Readers cache query results keyed on :func:`data_version` (the latest batch id, the quarter
  locks and a fingerprint of the accounts, read by a query), so a commit, lock or account change
  from any process invalidates every cache, and a login or a failed one does not.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

_WRITE_LOCK = threading.RLock()


FIX = "请运行 `make run` 或 `.venv/bin/target-monitor init`"
FIX_EN = "run `make run` or `.venv/bin/target-monitor init`"


class WarehouseError(RuntimeError):
    """A problem with the warehouse file that the user can fix.  ``str()`` is one bilingual line
    (Chinese, then English) saying what is wrong and what to do; :meth:`line` can show only the
    file's name, for pages that must not reveal server paths."""

    def __init__(self, path: Path | str, zh: str, en: str) -> None:
        self.path, self.zh, self.en = Path(path), zh, en
        super().__init__(self.line())

    def line(self, *, full_path: bool = True) -> str:
        shown = str(self.path) if full_path else self.path.name
        return f"{self.zh.format(path=shown)} / {self.en.format(path=shown)}"


class WarehouseMissing(WarehouseError):
    """No file at the path: only ``init`` creates a warehouse."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path, f"没有找到数据仓库 {{path}}：{FIX}", f"no warehouse at {{path}}: {FIX_EN}"
        )


class WarehouseNotInitialised(WarehouseError):
    """A DuckDB file without the warehouse's schema (or an older schema than this code's)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            f"{{path}} 不是已初始化的数据仓库（或版本过旧）：{FIX}",
            f"{{path}} is not an initialised warehouse (or is out of date): {FIX_EN}",
        )


class WarehouseInvalid(WarehouseError):
    """The file exists but is not a DuckDB database at all."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            "{path} 不是 DuckDB 数据仓库文件：请检查 --db 路径，或将该文件移走后重新初始化",
            "{path} is not a DuckDB warehouse file: check the --db path, or move the file away"
            " and initialise again",
        )


class WarehouseReadOnly(WarehouseError):
    """A write was asked of a warehouse file this process may not write."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            "数据仓库 {path} 为只读文件：可以查看，但无法保存改动；请管理员恢复写权限后重试",
            "the warehouse {path} is read-only: it can be viewed but changes cannot be saved;"
            " ask an administrator to make it writable and retry",
        )


class WarehouseBusy(WarehouseError):
    """Another process kept the warehouse locked for longer than we were willing to wait."""

    def __init__(self, path: Path | str, waited: float, holder: str | None = None) -> None:
        self.waited, self.holder = waited, holder
        who_zh = f"（{holder}）" if holder else ""
        who_en = f" ({holder})" if holder else ""
        super().__init__(
            path,
            f"数据仓库 {{path}} 正被另一个程序{who_zh}占用，等待 {waited:.0f} 秒后仍未释放："
            "请稍后重试，或先结束该程序",
            f"the warehouse {{path}} is in use by another program{who_en}; waited {waited:.0f} s:"
            " try again shortly, or close that program first",
        )


_HOLDER = re.compile(r"held in (?P<exe>\S+) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+))?")


def _lock_holder(exc: duckdb.Error) -> str | None:
    """Who holds the lock, when DuckDB's message says: ``python3.11, PID 4242``."""
    match = _HOLDER.search(str(exc))
    if match is None:
        return None
    holder = f"{Path(match['exe']).name}, PID {match['pid']}"
    return f"{holder}, user {match['user'].rstrip('.')}" if match["user"] else holder


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting lock" in text)


def _is_permission_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return any(
        reason in text
        for reason in ("Permission denied", "Operation not permitted", "Read-only file system")
    )


def _writable(path: Path) -> bool:
    """May this process write the file (and create its WAL next to it)?  ``os.access`` knows
    about root, ``chattr +i`` and read-only mounts."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _open(target: str, *, read_only: bool, path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        if "not a valid DuckDB database file" in str(exc):
            raise WarehouseInvalid(path) from exc
        raise


@contextmanager
def connect(
    path: Path | str, *, write: bool = False, timeout: float = 60.0, create: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse at ``path``; ``write=True`` for one writer per process.

    Without ``create`` a missing file raises :class:`WarehouseMissing` (nothing is created).  A
    file this process may not write is opened ``read_only`` for reading, and raises
    :class:`WarehouseReadOnly` for ``write=True``.  Within one process DuckDB refuses to mix
    read-only and read-write opens of one file, so a writable file is always opened read-write,
    by readers too (see ``docs/architecture.md``)."""
    target = str(path)
    file = Path(target)
    memory = target == ":memory:"
    if not memory and not create and not file.exists():
        raise WarehouseMissing(file)
    read_only = not memory and file.exists() and not _writable(file)
    if read_only and write:
        raise WarehouseReadOnly(file)
    start = time.monotonic()
    delay = 0.05
    lock = _WRITE_LOCK if write else None
    if lock is not None:
        lock.acquire()
    try:
        while True:
            try:
                con = _open(target, read_only=read_only, path=file)
                break
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                waited = time.monotonic() - start
                if _is_permission_error(exc) and not read_only:
                    if write:
                        raise WarehouseReadOnly(file) from exc
                    read_only = True  # os.access said yes, the file system said no
                    continue
                if not _is_lock_error(exc):
                    raise
                if waited >= timeout:
                    raise WarehouseBusy(file, waited, _lock_holder(exc)) from exc
                time.sleep(delay * (1 + random.random()))  # jitter, not cryptography
                delay = min(delay * 2, 1.0)
        try:
            con.execute("SET python_enable_replacements = false")
            con.execute("SET enable_progress_bar = false")
            yield con
        finally:
            con.close()
    finally:
        if lock is not None:
            lock.release()


def is_writable(path: Path | str) -> bool:
    """Whether :func:`connect` can write the warehouse (pages show a read-only notice if not)."""
    file = Path(path)
    return not file.exists() or _writable(file)


def check_warehouse(path: Path | str) -> None:
    """Raise the :class:`WarehouseError` that explains why ``path`` cannot be used as a
    warehouse (missing, not DuckDB, not initialised); return quietly when it can."""
    with connect(path) as con:
        row = con.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE schema_name = 'main' AND table_name IN ('schema_migrations', 'warehouse_info')"
        ).fetchone()
    if row is None or row[0] < 2:
        raise WarehouseNotInitialised(path)


# What cached views depend on: the latest batch, the quarter locks, the accounts, the warehouse's
# own facts (sample flag, default date, dimensions reload).  Not logins, failed logins, the
# throttle's counters or the audit log: those change often and change no view.
_VERSION_SQL = """
SELECT
    (SELECT coalesce(max(batch_id), 0) FROM upload_batches),
    (SELECT count(*) FROM period_lock_events),
    (SELECT coalesce(hash(list(row(username, role, region_code, display_name, active,
                                   password_hash) ORDER BY username)), 0) FROM users),
    (SELECT coalesce(hash(list(row(key, value) ORDER BY key)), 0) FROM warehouse_info)
"""
_versions: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}
_versions_lock = threading.Lock()


def _file_stamp(path: Path) -> tuple[int, ...]:
    parts: list[int] = []
    for file in (path, Path(f"{path}.wal")):
        try:
            stat = file.stat()
        except FileNotFoundError:
            parts += [0, 0, 0]
        else:
            parts += [stat.st_ino, stat.st_mtime_ns, stat.st_size]
    return tuple(parts)


def data_version(path: Path | str) -> tuple[int, ...]:
    """The key cached views are stored under: ``(latest batch id, lock events, accounts
    fingerprint, warehouse_info fingerprint)``, read by a query, so that it changes with every
    commit, dry run, lock, unlock and account change (add, disable, enable, password, role) from
    any process, and not with a login or a failed one (which write only the audit log and the
    throttle's counters).

    Opening DuckDB costs about 20 ms, so the query runs only when the file (or its WAL) has
    changed since the last call in this process; a stat tells.  The connection is the shared
    :func:`connect` one (read-write when the file is writable): within one process DuckDB refuses
    a read-only open while another thread has the file open read-write, and the reverse."""
    file = Path(path)
    if not file.exists():
        return (0, 0, 0, 0)
    key = str(file)
    stamp = _file_stamp(file)
    with _versions_lock:
        known = _versions.get(key)
    if known is not None and known[0] == stamp:
        return known[1]
    with connect(file) as con:
        con.execute("SET python_enable_replacements = false")
        try:
            row = con.execute(_VERSION_SQL).fetchone()
        except duckdb.CatalogException:  # not initialised (yet): nothing cached can be stale
            row = None
    version = tuple(int(x) for x in row) if row is not None else (-1, 0, 0, 0)
    with _versions_lock:
        _versions[key] = (stamp, version)
    return version
