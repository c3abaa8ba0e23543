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
* Readers cache query results keyed on :func:`data_version` (the latest batch id, the quarter
  locks and a fingerprint of the accounts, read by a query), so a commit, lock or account change
  from any process invalidates every cache, and a login or a failed one does not.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

_WRITE_LOCK = threading.RLock()


class WarehouseBusy(RuntimeError):
    """Another process kept the warehouse locked for longer than we were willing to wait."""

    def __init__(self, path: Path, waited: float) -> None:
        self.path, self.waited = path, waited
        super().__init__(
            f"数据仓库正被其他程序写入，等待 {waited:.0f} 秒后仍未释放，请稍后重试。"
            f" / The warehouse {path} is busy (another process is writing); waited {waited:.0f}s,"
            " please try again shortly."
        )


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting lock" in text)


@contextmanager
def connect(
    path: Path | str, *, write: bool = False, timeout: float = 60.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse at ``path``; ``write=True`` for one writer per process."""
    target = str(path)
    start = time.monotonic()
    delay = 0.05
    lock = _WRITE_LOCK if write else None
    if lock is not None:
        lock.acquire()
    try:
        while True:
            try:
                con = duckdb.connect(target)
                break
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                waited = time.monotonic() - start
                if not _is_lock_error(exc):
                    raise
                if waited >= timeout:
                    raise WarehouseBusy(Path(target), waited) from exc
                time.sleep(delay * (1 + random.random()))  # jitter, not cryptography
                delay = min(delay * 2, 1.0)
        try:
            yield con
        finally:
            con.close()
    finally:
        if lock is not None:
            lock.release()


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
