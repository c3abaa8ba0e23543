"""What the judgement reads from the warehouse at an as-of date, gathered once per run.

:class:`Reporters` says which regions report for which (jurisdiction, level) group and which of
them are due in a quarter; :func:`_aggregates` makes the engine's two calls into DuckDB (through
:mod:`warehouse.queries`, called as ``queries.<name>`` so a benchmark can time them) and keys the
result by quarter ordinal; :class:`_Context` carries both, with the catalogue and the as-of date,
to the per-goal code in :mod:`judge.series`, :mod:`judge.units`, :mod:`judge.status` and
:mod:`judge.detail`.  ``DUE_DAYS`` and :func:`now_quarter` fix which quarters count as reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from model.catalogue import Catalogue, Target
from model.jurisdictions import Jurisdictions
from model.periods import Quarter
from model.regions import Region
from model.reporting import jurisdiction_of, reporter_levels
from warehouse import queries

if TYPE_CHECKING:  # a connection is passed through to warehouse.queries, never used here
    import duckdb


DUE_DAYS = 15  # a quarter's report is due on the 15th day after the quarter ends
TOTAL = "total"  # the reporting group of a jurisdiction's own totals (Reporters.build)


def now_quarter(as_of: dt.date) -> int:
    """The last quarter that had ended before the as-of date."""
    return Quarter.of(as_of).ordinal - 1


def due_quarter(as_of: dt.date) -> int:
    """The last quarter due by the as-of date: its reports were due ``DUE_DAYS`` after it ended."""
    # the largest quarter whose end + DUE_DAYS is on or before the as-of date
    return Quarter.of(as_of - dt.timedelta(days=DUE_DAYS - 1)).ordinal - 1


@dataclass(frozen=True)
class Reporters:
    """Who reports for whom: (jurisdiction, level) → the regions, with their validity."""

    by_group: dict[tuple[str, str], tuple[Region, ...]]
    own_level: Mapping[str, str] = field(default_factory=dict)  # jurisdiction → its own level
    _expected: dict[tuple[str, str, int], list[Region]] = field(default_factory=dict)

    @classmethod
    def build(cls, regions: Sequence[Region], known: Jurisdictions | None = None) -> Reporters:
        """The groups by (jurisdiction, level), and each jurisdiction alone as its own group
        (``TOTAL``): its own figures are the totals it reports."""
        jurisdictions = jurisdiction_of(regions, known)
        roots = set(jurisdictions.values())
        groups: dict[tuple[str, str], list[Region]] = defaultdict(list)
        for region in regions:
            jurisdiction = jurisdictions.get(region.code)
            if jurisdiction is None:
                continue
            for level in reporter_levels(region):
                groups[(jurisdiction, level)].append(region)
            if region.code in roots and region.code == jurisdiction:
                groups[(jurisdiction, TOTAL)].append(region)
        levels = {
            code: group[0].level
            for (code, level), group in groups.items()
            if level == TOTAL and group
        }
        return cls({k: tuple(v) for k, v in groups.items()}, levels)

    def frame(self) -> pl.DataFrame:
        rows = [
            (r.code, jurisdiction, level)
            for (jurisdiction, level), regions in self.by_group.items()
            for r in regions
        ]
        return pl.DataFrame(
            rows,
            schema={"code": pl.String, "jurisdiction": pl.String, "level": pl.String},
            orient="row",
        ).unique()

    def for_goal(self, target: Target, level: str, quarter: int) -> list[Region]:
        """The regions due for a goal in a quarter.  A goal on *each* city is on the prefecture-
        level cities only: 顺德区 (province-administered) reports beside them for the province's
        totals, but is not a city (D6)."""
        regions = self.expected(target.scope.jurisdiction, level, quarter)
        if target.scope.applies_to == "each" and target.scope.level == level:
            return [r for r in regions if r.level == level]
        return regions

    def expected(self, jurisdiction: str, level: str, quarter: int) -> list[Region]:
        """The regions due to report for a group in a quarter (memoised: asked per goal)."""
        key = (jurisdiction, level, quarter)
        if key not in self._expected:
            end = Quarter.from_ordinal(quarter).end
            group = self.by_group.get((jurisdiction, level), ())
            self._expected[key] = [r for r in group if r.valid_on(end)]
        return self._expected[key]


@dataclass
class Aggregates:
    """Per (indicator, jurisdiction, level, quarter): sum, max, reports received / on time; and
    per region values for the indicators judged unit by unit."""

    cells: dict[tuple[str, str, str, int], tuple[float, float, int, int]]
    units: dict[tuple[str, str], dict[int, float]]  # (indicator, region) → quarter → value


def _aggregates(
    con: duckdb.DuckDBPyConnection,
    reporters: Reporters,
    known_on: dt.date | None,
    unit_indicators: Sequence[str],
) -> Aggregates:
    """The aggregates over the revisions known at the end of ``known_on`` (None: all)."""
    frame = queries.report_aggregates(
        con, reporters=reporters.frame(), known_on=known_on, due_days=DUE_DAYS
    )
    ordinals: dict[str, int] = {}

    def q(label: str) -> int:
        if label not in ordinals:
            ordinals[label] = Quarter.parse(label).ordinal
        return ordinals[label]

    cells = {
        (ind, jur, lvl, q(period)): (total, top, received, on_time)
        for ind, jur, lvl, period, total, top, received, on_time in frame.iter_rows()
    }
    units: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    if unit_indicators:
        values = queries.current_reports(con, known_on=known_on, indicators=list(unit_indicators))
        for code, ind, period, value in values.select(
            "region_code", "indicator", "period", "value"
        ).iter_rows():
            units[(ind, code)][q(period)] = value
    return Aggregates(cells, units)


@dataclass
class _Context:
    catalogue: Catalogue
    reporters: Reporters
    agg: Aggregates
    now: int  # the last quarter ended by the evaluation date (as_of)
    as_of: dt.date  # the evaluation date: which quarters are judged
    known_on: dt.date | None = None  # the knowledge date: which revisions count (None: all)
