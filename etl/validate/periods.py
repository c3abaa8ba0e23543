"""Periods: each distinct spelling read once as a quarter that has ended and falls in the plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from etl.validate.columnar import Lookup, dense_ids, within
from etl.validate.sheet import Sheet
from model.periods import PeriodProblem, Quarter, parse_quarter

PLAN_START = Quarter(2011, 1)


@dataclass(frozen=True)
class Periods:
    """The file's quarters."""

    labels: list[str | None]  # per distinct period cell: its quarter (2018Q3), or None
    quarters: dict[str, tuple[dt.date, int]]  # label → (last day, ordinal)
    ids: dict[str, int]  # label → 0, 1, 2, … in the order of the quarters
    id: Lookup  # per row: the id of its quarter (null: none)
    id_rows: pl.Series
    label_of: Lookup  # per row: its quarter's label

    @property
    def ends(self) -> list[dt.date]:
        """The last day of each quarter, by id."""
        return [self.quarters[label][0] for label in self.ids]

    def first(self) -> list[bool]:
        """By id: the file does not hold the quarter before this one."""
        ordinals = [self.quarters[label][1] for label in self.ids]
        return [i == 0 or ordinals[i - 1] != o - 1 for i, o in enumerate(ordinals)]


def period(text: str, today: dt.date) -> tuple[str | None, dt.date | None, str | None, int | None]:
    """``(label, quarter end, rule, ordinal)`` of one spelling of a period."""
    parsed = parse_quarter(text)
    if isinstance(parsed, PeriodProblem):
        return (None, None, parsed.rule, None)
    ordinal = parsed.ordinal
    if parsed.end >= today:
        return (parsed.label, parsed.end, "period-future", ordinal)
    if parsed < PLAN_START:
        return (parsed.label, parsed.end, "period-before-plan", ordinal)
    return (parsed.label, parsed.end, None, ordinal)


def check_periods(sheet: Sheet) -> Periods:
    """period-missing, -invalid, -ambiguous, -future and -before-plan; the file's quarters."""
    per, out = sheet.per, sheet.out
    parsed = [
        (None, None, "period-missing", None) if not text else period(text, sheet.ctx.today)
        for text in sheet.per_norm.to_list()
    ]
    labels = [p[0] for p in parsed]
    rules = [p[2] for p in parsed]
    label_of = per.lookup(labels, pl.String)

    def rows_of(rule: str) -> pl.Series | None:
        return within(per.lookup([r == rule for r in rules]).mask(), sheet.alive)

    for rule_id in ("period-missing", "period-invalid", "period-ambiguous"):
        shown = {"period": per.lookup(sheet.per_norm).at}
        out.fire(rule_id, rows_of(rule_id), "period", shown, "period")
    as_label = {"_period": label_of.at}
    out.fire("period-future", rows_of("period-future"), "period", as_label, "_period")
    out.fire(
        "period-before-plan",
        rows_of("period-before-plan"),
        "period",
        as_label,
        "_period",
        lambda r: {"start": PLAN_START.label},
    )

    quarters: dict[str, tuple[dt.date, int]] = {}
    for label, end, _, ordinal in parsed:
        if label is not None and end is not None and ordinal is not None:
            quarters[label] = (end, ordinal)
    ids = dense_ids(labels, lambda label: quarters[label][1])
    period_id = per.lookup([None if p is None else ids[p] for p in labels], pl.UInt32)
    return Periods(labels, quarters, ids, period_id, period_id.rows(), label_of)
