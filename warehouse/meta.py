"""Facts about the warehouse itself (``warehouse_info``: the sample flag, the default date, when
the dimensions were loaded); :func:`warehouse.queries.warehouse_info` reads them back."""

from __future__ import annotations

import duckdb

# ``warehouse_info`` has a key, so an upsert is one statement that DuckDB, PostgreSQL and SQLite
# all read the same way, atomic without a transaction around it.  (DuckDB's insert ``OR REPLACE``
# is not portable; ``DELETE`` then ``INSERT`` would need a transaction, and two writers could
# both delete and then collide on the key.)
_SET_INFO = """
INSERT INTO warehouse_info (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
"""


def set_info(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Set ``key`` to ``value``, replacing what was there."""
    con.execute(_SET_INFO, [key, value])
