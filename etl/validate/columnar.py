"""The vectorisation kit the rules share: distinct values, per-row lookups and row masks.

A key column becomes its *distinct* values and, per row, the slot of its value; a rule is decided
once per distinct value (or pair of values) and looked up per row.  A mask is a Boolean Series
with one entry per row.  Where a mask may be absent, None means "no rows" for the rows a rule
fires on, and "every row" for a scope (such as the rows still alive).

How the work is done (arrays or hash joins, runs or cells) changes the speed, never the result;
:class:`Strategy` lets a test force either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

Mask = pl.Series | None

_RUN_SAMPLE = 4096
_LONG_RUN = 64


@dataclass(frozen=True)
class Strategy:
    """How validation does its work; ``None`` lets the data decide, as it does in production.

    * ``dense``: composite keys (a region in a quarter; region, indicator and quarter) index
      arrays (True) or go through hash joins (False).  By default arrays are used while the
      combinations number at most :func:`dense_limit` of the rows.  Arrays are never used for
      2³² combinations or more.
    * ``runs``: a key column is reduced to its runs of equal cells first (True) or read cell by
      cell (False).  By default decided per column from its first few thousand cells.
    """

    dense: bool | None = None
    runs: bool | None = None

    def use_arrays(self, combinations: int, rows: int) -> bool:
        """Index arrays by a composite key with ``combinations`` values, in a file of ``rows``?"""
        if combinations >= 1 << 32:
            return False
        if self.dense is not None:
            return self.dense
        return combinations <= dense_limit(rows)


def dense_limit(rows: int) -> int:
    """Arrays indexed by a composite key are used up to this size; beyond it, hash joins."""
    return max(2 * rows, 1 << 20)


class Lookup:
    """One entry per distinct value (or pair of values), and for each row the entry it reads.

    ``slot`` (per row; null where a row reads no entry) may be given as a function, computed
    only when a row is looked up; rows read only ``entries[:reachable]``."""

    def __init__(
        self, entries: pl.Series, slot: pl.Series | Callable[[], pl.Series], reachable: int
    ) -> None:
        self.entries = entries
        self._slot = slot
        self.reachable = reachable

    @property
    def slot(self) -> pl.Series:
        if not isinstance(self._slot, pl.Series):
            self._slot = self._slot()
        return self._slot

    def rows(self) -> pl.Series:
        return self.entries.gather(self.slot)

    def at(self, positions: pl.Series) -> pl.Series:
        return self.entries.gather(self.slot.gather(positions))

    def mask(self) -> Mask:
        """For Boolean entries: the rows whose entry is true, or None when no row's is."""
        if not self.entries.head(self.reachable).any():
            return None
        return self.rows().fill_null(False)

    def missing(self) -> Mask:
        """The rows whose entry is null, or None when no row's is."""
        return Lookup(self.entries.is_null(), self.slot, self.reachable).mask()


@dataclass(frozen=True)
class Distinct:
    """A column as its distinct values and, for each row, the slot of its value.

    ``values`` holds each distinct cell value once and then a null, the slot of null cells, so
    that every row has a slot; a per-value table has one entry per slot."""

    values: pl.Series  # String
    slot: pl.Series  # UInt32, one per row, never null
    has_null: bool

    def lookup(self, entries: Sequence[object] | pl.Series, dtype: Any = None) -> Lookup:
        series = entries if isinstance(entries, pl.Series) else pl.Series(entries, dtype=dtype)
        return Lookup(series, self.slot, self.values.len() - (0 if self.has_null else 1))


def distinct(frame: pl.DataFrame, *columns: str, runs: bool | None = None) -> list[Distinct]:
    """Each column's distinct values, and per row the index of its value (an Enum's codes).

    A column whose cells come in long runs of the same value (files are usually sorted by region,
    and hold one quarter) is reduced to its runs first; unless ``runs`` says which way to take,
    that is decided from the first few thousand cells, and only changes the speed."""
    null = pl.Series([None], dtype=pl.String)
    by_runs = [c for c in columns if (_runs_are_long(frame[c]) if runs is None else runs)]
    direct = [c for c in columns if c not in by_runs]
    found: dict[str, tuple[pl.Series, pl.Series]] = {}
    if direct:  # the columns in parallel
        uniques = frame.select(pl.col(c).drop_nulls().unique().implode() for c in direct)
        values = {c: uniques[c][0] for c in direct}
        slots = frame.select(
            pl.col(c)
            .cast(pl.Enum(values[c]))
            .to_physical()
            .cast(pl.UInt32)
            .fill_null(values[c].len())
            for c in direct
        )
        found.update({c: (values[c], slots[c]) for c in direct})
    for c in by_runs:
        run = frame[c].rle_id()
        firsts = frame[c].rle().struct.field("value")  # each run's value
        unique = firsts.drop_nulls().unique()
        run_slot = firsts.cast(pl.Enum(unique)).to_physical().cast(pl.UInt32)
        found[c] = (unique, run_slot.fill_null(unique.len()).gather(run))
    return [
        Distinct(pl.concat([found[c][0], null]), found[c][1], frame[c].null_count() > 0)
        for c in columns
    ]


def _runs_are_long(column: pl.Series) -> bool:
    head = column.head(_RUN_SAMPLE)
    return head.len() > 0 and (int(head.rle_id()[-1]) + 1) * _LONG_RUN <= head.len()


def at_positions(n: int, positions: pl.Series) -> Mask:
    """A mask of ``n`` rows, true at ``positions``; None when there are none."""
    if positions.len() == 0:
        return None
    return pl.repeat(False, n, dtype=pl.Boolean, eager=True).scatter(positions, True)


def within(mask: Mask, scope: Mask) -> Mask:
    """The rows of ``mask`` (None: no rows) that are in ``scope`` (None: every row)."""
    if mask is None or scope is None:
        return mask
    return mask & scope


def without(scope: Mask, mask: Mask) -> Mask:
    """``scope`` (None: every row) less the rows of ``mask`` (None: no rows)."""
    if mask is None:
        return scope
    return ~mask if scope is None else scope & ~mask


def any_of(masks: Iterable[Mask]) -> Mask:
    """The rows in any of ``masks`` (None: no rows)."""
    result: Mask = None
    for mask in masks:
        if mask is not None:
            result = mask if result is None else result | mask
    return result


def positions(scope: Mask, n: int) -> pl.Series:
    """The positions of the rows in ``scope`` (None: every one of ``n`` rows)."""
    return pl.int_range(n, dtype=pl.UInt32, eager=True) if scope is None else scope.arg_true()


def in_scope(scope: Mask, at: pl.Series) -> pl.Series:
    """For each of the positions ``at``: is it in ``scope`` (None: every row)?"""
    if scope is None:
        return pl.repeat(True, at.len(), dtype=pl.Boolean, eager=True)
    return scope.gather(at)


def dense_ids(values: Iterable[str | None], order: Callable[[str], Any] = str) -> dict[str, int]:
    """0, 1, 2, … for the distinct non-null ``values``, in ``order``."""
    return {v: i for i, v in enumerate(sorted({v for v in values if v is not None}, key=order))}
