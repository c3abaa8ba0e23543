"""The warehouse behind one door: :class:`Warehouse`, built from a URL, opens connections safely
from the dashboard's threads and from the command line, and reads the data version.

``Warehouse.from_url("duckdb:///data/warehouse.duckdb")`` (relative), ``duckdb:////srv/w.duckdb``
(absolute) or a plain path (what ``--db`` and the dashboard pass) name a DuckDB file; any other
scheme is refused with :class:`WarehouseURLError` (see ``docs/architecture.md``, "Beyond one
machine").  The functions :func:`connect`, :func:`data_version`, :func:`check_warehouse` and
:func:`is_writable` are thin wrappers kept for callers that pass a path.

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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import duckdb

from warehouse.errors import (
    FIX,
    FIX_EN,
    WarehouseBusy,
    WarehouseError,
    WarehouseInvalid,
    WarehouseMissing,
    WarehouseNotInitialised,
    WarehouseReadOnly,
    WarehouseURLError,
)

__all__ = [
    "FIX",
    "FIX_EN",
    "Warehouse",
    "WarehouseBusy",
    "WarehouseError",
    "WarehouseInvalid",
    "WarehouseMissing",
    "WarehouseNotInitialised",
    "WarehouseReadOnly",
    "WarehouseURLError",
    "check_warehouse",
    "connect",
    "data_version",
    "is_writable",
]

_WRITE_LOCK = threading.RLock()


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


_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)", re.DOTALL)
MEMORY = ":memory:"

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


@dataclass(frozen=True)
class Warehouse:
    """One warehouse: today a DuckDB file (or ``:memory:``), named by a URL or a path.

    Everything that opens storage goes through :meth:`connect`; what cached views are keyed on
    comes from :meth:`data_version`.  Another backend (PostgreSQL, see ``docs/architecture.md``)
    would be another scheme in :meth:`from_url` and another body for these methods."""

    path: Path

    @classmethod
    def from_url(cls, url: str | os.PathLike[str] | Warehouse) -> Warehouse:
        """``duckdb:///relative/path``, ``duckdb:////absolute/path``, ``duckdb:///:memory:`` or a
        plain path.  A path in a URL is percent-decoded (``%20`` is a space); a plain path is
        taken as it is.  Any other scheme raises :class:`WarehouseURLError`."""
        if isinstance(url, Warehouse):
            return url
        if not isinstance(url, str):
            return cls(Path(url))
        match = _SCHEME.fullmatch(url)
        if match is None:
            return cls(Path(url))
        scheme = match["scheme"].lower()
        if scheme != "duckdb":
            raise WarehouseURLError.unsupported(scheme)
        rest = match["rest"]
        if not rest.startswith("/") or rest == "/":  # duckdb://host/... or duckdb:///
            raise WarehouseURLError.no_file()
        return cls(Path(unquote(rest[1:])))

    @property
    def url(self) -> str:
        """The URL that :meth:`from_url` reads back as this warehouse (percent-encoded)."""
        return f"duckdb:///{quote(str(self.path), safe='/:')}"

    @property
    def memory(self) -> bool:
        return str(self.path) == MEMORY

    def exists(self) -> bool:
        return self.memory or self.path.exists()

    def is_writable(self) -> bool:
        """Whether :meth:`connect` can write (the pages show a read-only notice if not)."""
        return self.memory or not self.path.exists() or _writable(self.path)

    @contextmanager
    def connect(
        self, *, write: bool = False, timeout: float = 60.0, create: bool = False
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; ``write=True`` for one writer per process.

        Without ``create`` a missing file raises :class:`WarehouseMissing` (nothing is created).
        A file this process may not write is opened ``read_only`` for reading, and raises
        :class:`WarehouseReadOnly` for ``write=True``.  Within one process DuckDB refuses to mix
        read-only and read-write opens of one file, so a writable file is always opened
        read-write, by readers too (see ``docs/architecture.md``)."""
        file, memory = self.path, self.memory
        if not memory and not create and not file.exists():
            raise WarehouseMissing(file)
        read_only = not memory and file.exists() and not _writable(file)
        if read_only and write:
            raise WarehouseReadOnly(file)
        lock = _WRITE_LOCK if write else None
        if lock is not None:
            lock.acquire()
        try:
            con = self._open_waiting(read_only=read_only, write=write, timeout=timeout)
            try:
                con.execute("SET python_enable_replacements = false")
                con.execute("SET enable_progress_bar = false")
                yield con
            finally:
                con.close()
        finally:
            if lock is not None:
                lock.release()

    def _open_waiting(
        self, *, read_only: bool, write: bool, timeout: float
    ) -> duckdb.DuckDBPyConnection:
        """Open, waiting with back-off while another process holds the file's lock."""
        file = self.path
        start = time.monotonic()
        delay = 0.05
        while True:
            try:
                return _open(str(file), read_only=read_only, path=file)
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

    def check(self) -> None:
        """Raise the :class:`WarehouseError` that explains why this cannot be used as a
        warehouse (missing, not DuckDB, not initialised); return quietly when it can."""
        with self.connect() as con:
            row = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main'"
                " AND table_name IN ('schema_migrations', 'warehouse_info')"
            ).fetchone()
        if row is None or row[0] < 2:
            raise WarehouseNotInitialised(self.path)

    def data_version(self) -> tuple[int, ...]:
        """The key cached views are stored under: ``(latest batch id, lock events, accounts
        fingerprint, warehouse_info fingerprint)``, read by a query, so that it changes with
        every commit, dry run, lock, unlock and account change (add, disable, enable, password,
        role) from any process, and not with a login or a failed one (which write only the
        audit log and the throttle's counters).

        Opening DuckDB costs about 20 ms, so the query runs only when the file (or its WAL) has
        changed since the last call in this process; a stat tells.  That stat only decides
        whether to ask again: the version itself is always the query's answer.  The connection
        is the shared :meth:`connect` one (read-write when the file is writable): within one
        process DuckDB refuses a read-only open while another thread has the file open
        read-write, and the reverse."""
        file = self.path
        if self.memory or not file.exists():
            return (0, 0, 0, 0)
        key = str(file)
        stamp = _file_stamp(file)
        with _versions_lock:
            known = _versions.get(key)
        if known is not None and known[0] == stamp:
            return known[1]
        with self.connect() as con:
            try:
                row = con.execute(_VERSION_SQL).fetchone()
            except duckdb.CatalogException:  # not initialised (yet): nothing cached can be stale
                row = None
        version = tuple(int(x) for x in row) if row is not None else (-1, 0, 0, 0)
        with _versions_lock:
            _versions[key] = (stamp, version)
        return version


# --- the function API, kept for callers that pass a path ----------------------------------------


@contextmanager
def connect(
    path: Path | str | Warehouse,
    *,
    write: bool = False,
    timeout: float = 60.0,
    create: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """:meth:`Warehouse.connect` of the warehouse at ``path`` (a path or a URL)."""
    with Warehouse.from_url(path).connect(write=write, timeout=timeout, create=create) as con:
        yield con


def is_writable(path: Path | str | Warehouse) -> bool:
    """:meth:`Warehouse.is_writable` of the warehouse at ``path``."""
    return Warehouse.from_url(path).is_writable()


def check_warehouse(path: Path | str | Warehouse) -> None:
    """:meth:`Warehouse.check` of the warehouse at ``path``."""
    Warehouse.from_url(path).check()


def data_version(path: Path | str | Warehouse) -> tuple[int, ...]:
    """:meth:`Warehouse.data_version` of the warehouse at ``path``."""
    return Warehouse.from_url(path).data_version()
