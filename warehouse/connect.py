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
* Readers cache query results keyed on :func:`data_version` (file size and modification time of
  the database and its WAL), so a commit from any process invalidates every cache.
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


def data_version(path: Path | str) -> tuple[int, ...]:
    """A cheap key that changes whenever any process commits to the warehouse file."""
    parts: list[int] = []
    for file in (Path(path), Path(f"{path}.wal")):
        try:
            stat = file.stat()
        except FileNotFoundError:
            parts += [0, 0]
        else:
            parts += [stat.st_mtime_ns, stat.st_size]
    return tuple(parts)
