"""Storage only (DuckDB today): connect, migrate, dimensions, facts, queries, accounts.

``warehouse.Warehouse.from_url("duckdb:///data/warehouse.duckdb")`` (or a plain path) is the one
door: it opens connections and reads the data version; see :mod:`warehouse.connect`.
"""

from warehouse.connect import Warehouse

__all__ = ["Warehouse"]
