"""The state the rule groups share: the table as the rules see it, and which rows still count."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from etl.read import Table
from etl.validate.cells import normalised
from etl.validate.collector import Collector
from etl.validate.columnar import Distinct, Mask, Strategy, distinct
from etl.validate.context import ValidationContext


@dataclass
class Sheet:
    """One table being validated.

    The key columns are read once as their distinct values, normalised per distinct value.
    ``alive`` (None: every row) narrows as blank and totals rows are found; ``skipped`` counts
    the rows that will not be loaded although the file would be accepted."""

    table: Table
    ctx: ValidationContext
    strategy: Strategy
    out: Collector
    code: Distinct
    ind: Distinct
    per: Distinct
    code_norm: pl.Series  # per distinct region code, normalised
    ind_norm: pl.Series
    per_norm: pl.Series
    non_ascii: pl.Series  # per row: the value cell has a non-ASCII character
    alive: Mask = None
    rows_total: int = 0
    skipped: int = 0

    @classmethod
    def read(cls, table: Table, ctx: ValidationContext, strategy: Strategy) -> Sheet:
        raw = table.frame
        keys = distinct(raw, "region_code", "indicator", "period", runs=strategy.runs)
        code_norm, ind_norm, per_norm = (normalised(d.values) for d in keys)
        value = raw["value"]
        # Only a cell with a non-ASCII character (more bytes than characters) can change under NFKC.
        non_ascii = (value.str.len_bytes() != value.str.len_chars()).fill_null(False)
        code, ind, per = keys
        return cls(
            table=table,
            ctx=ctx,
            strategy=strategy,
            out=Collector(table),
            code=code,
            ind=ind,
            per=per,
            code_norm=code_norm,
            ind_norm=ind_norm,
            per_norm=per_norm,
            non_ascii=non_ascii,
        )

    @property
    def raw(self) -> pl.DataFrame:
        return self.table.frame

    @property
    def n(self) -> int:
        return self.table.frame.height

    @property
    def value(self) -> pl.Series:
        return self.table.frame["value"]

    def shown_value(self, positions: pl.Series) -> pl.Series:
        """The value cells at ``positions`` as an issue shows them (normalised)."""
        return normalised(self.value.gather(positions))

    def use_arrays(self, combinations: int) -> bool:
        return self.strategy.use_arrays(combinations, self.n)
