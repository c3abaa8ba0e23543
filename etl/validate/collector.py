"""Issues as rules fire: every one collected, the first :data:`ISSUE_CAP` of a rule listed and the
rest counted, so that a broken 4-million-row file still gets a readable report."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from etl.read import Table
from model.issues import Issue, make_issue

ISSUE_CAP = 200

Context = Callable[[dict[str, object]], dict[str, object]]
Fields = Mapping[str, Callable[[pl.Series], pl.Series]]  # a column's values at given rows


class Collector:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.issues: list[Issue] = list(table.issues)
        self.row = table.frame["_row"]

    def add(
        self,
        rule: str,
        rows: pl.DataFrame,
        column: str | None,
        value: str | None,
        context: Context | None = None,
        count: int | None = None,
    ) -> None:
        """Issue ``rule`` on ``rows``, listing the first :data:`ISSUE_CAP`; ``count`` is how many
        rows it fired on, when ``rows`` holds only the first of them."""
        total = rows.height if count is None else count
        if total == 0:
            return
        for record in rows.head(ISSUE_CAP).iter_rows(named=True):
            extra = context(record) if context else {}
            shown = record.get(value) if value else None
            self.issues.append(
                make_issue(
                    rule,
                    file=self.table.file,
                    sheet=self.table.sheet,
                    row=int(record["_row"]),
                    column=column,
                    value=shown,
                    **extra,
                )
            )
        if total > ISSUE_CAP:
            self.issues.append(
                make_issue(
                    "too-many-issues",
                    file=self.table.file,
                    sheet=self.table.sheet,
                    value=rule,
                    count=total - ISSUE_CAP,
                )
            )

    def fire(
        self,
        rule: str,
        mask: pl.Series | None,
        column: str | None,
        fields: Fields | None = None,
        value: str | None = None,
        context: Context | None = None,
    ) -> int:
        """Issue ``rule`` on the rows where ``mask`` is true (None: on none); how many."""
        if mask is None:
            return 0
        positions = mask.arg_true()
        self.fire_at(rule, positions, column, fields, value, context)
        return positions.len()

    def fire_at(
        self,
        rule: str,
        positions: pl.Series,
        column: str | None,
        fields: Fields | None = None,
        value: str | None = None,
        context: Context | None = None,
    ) -> None:
        """Issue ``rule`` on the rows at ``positions`` (ascending).  ``fields`` are looked up for
        the rows listed only."""
        if positions.len() == 0:
            return
        head = positions.head(ISSUE_CAP)
        columns = {"_row": self.row.gather(head)}
        columns.update({name: get(head) for name, get in (fields or {}).items()})
        self.add(rule, pl.DataFrame(columns), column, value, context, count=positions.len())
