"""Every rule, its group, and the check that fires it.

The messages and fixes stay in :data:`model.issues.RULES`, which every stage shares; this registry
pairs each of those rules with its check.  Row rules are checked by a function of this package;
the rules about the file as a whole and its columns are checked while reading
(:mod:`etl.read`), and the rules about accounts and locked quarters while loading.  To add a
rule: its :class:`model.issues.Rule`, a line here, the check in its group's module, and a fixture
named after it in ``tests/fixtures/uploads/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from etl.validate.collector import Collector
from etl.validate.duplicates import check_duplicates
from etl.validate.history import trend_rules
from etl.validate.indicators import check_applicable, check_indicators
from etl.validate.layout import check_full_width, check_skipped_rows
from etl.validate.periods import check_periods
from etl.validate.regions import check_codes, check_regions_in_time
from etl.validate.sources import check_sources
from etl.validate.units import check_units
from etl.validate.values import check_cells, check_ranges
from model.issues import RULES, Rule

Group = Literal[
    "file",
    "columns",
    "report",
    "rows",
    "regions",
    "periods",
    "indicators",
    "values",
    "duplicates",
    "history",
    "account",
    "units",
]


@dataclass(frozen=True)
class Check:
    """A rule (id, severity, message and fix in Chinese and English) and where it is checked."""

    rule: Rule
    group: Group
    check: Callable[..., object] | None  # the function of this package that fires it
    where: str  # that function as ``module:name``; for a rule fired elsewhere, the module

    @property
    def id(self) -> str:
        return self.rule.id


def _here(group: Group, check: Callable[..., object], *ids: str) -> list[Check]:
    where = f"{check.__module__}:{check.__qualname__}"
    return [Check(RULES[i], group, check, where) for i in ids]


def _elsewhere(group: Group, module: str, *ids: str) -> list[Check]:
    return [Check(RULES[i], group, None, module) for i in ids]


REGISTRY: dict[str, Check] = {
    c.id: c
    for c in (
        *_elsewhere(
            "file",
            "etl.read",
            "file-too-large",
            "file-type",
            "zip-bomb",
            "sheet-too-large",
            "file-unreadable",
            "xlsx-macros",
            "encoding",
            "empty-file",
            "wrong-sheet",
        ),
        *_elsewhere(
            "columns",
            "etl.read",
            "too-many-columns",
            "header-too-long",
            "title-rows",
            "missing-column",
            "unknown-column",
            "duplicate-column",
        ),
        *_elsewhere("values", "etl.read", "formula-no-value", "excel-error"),
        *_here("report", Collector.add, "too-many-issues"),
        *_here("rows", check_full_width, "full-width"),
        *_here("rows", check_skipped_rows, "blank-row", "totals-row"),
        *_here(
            "regions",
            check_codes,
            "region-missing",
            "region-unknown",
            "region-as-number",
            "unit-unknown",
        ),
        *_here("regions", check_units, "unit-expired", "unit-out-of-scope"),
        *_here(
            "regions",
            check_regions_in_time,
            "region-expired",
            "region-out-of-scope",
            "total-out-of-scope",
        ),
        *_here(
            "periods",
            check_periods,
            "period-missing",
            "period-invalid",
            "period-ambiguous",
            "period-future",
            "period-before-plan",
        ),
        *_here("indicators", check_indicators, "indicator-missing", "indicator-unknown"),
        *_here("indicators", check_applicable, "indicator-not-applicable"),
        *_here(
            "values",
            check_cells,
            "value-missing",
            "value-unit",
            "value-thousands",
            "value-not-number",
        ),
        *_here("values", check_ranges, "negative-count", "percent-over-100"),
        *_here(
            "duplicates",
            check_duplicates,
            "duplicate-row",
            "duplicate-key",
            "duplicate-key-note",
            "duplicate-key-source",
        ),
        # against the file's previous quarter and the warehouse's, by one definition
        *_here("history", trend_rules, "stock-fell", "flow-jump"),
        # an XLSX formula cell in the source column is found by etl.read.xlsx (from the XML)
        *_here("values", check_sources, "source-too-long", "source-formula"),
        *_elsewhere("file", "etl.load", "no-figures"),
        # a jurisdiction's total against the roll-up, with the warehouse's reports (etl.totals)
        *_elsewhere("history", "etl.totals", "total-rollup-gap"),
        *_elsewhere("account", "etl.load", "period-locked", "role-cannot-upload"),
        *_elsewhere("account", "warehouse.accounts", "account-disabled", "account-changed"),
        # a file of units to register (target-monitor units add), not an upload
        *_elsewhere(
            "units",
            "model.unit_file",
            "unit-file",
            "unit-field-missing",
            "unit-kind-unknown",
            "unit-code-shape",
            "unit-parent-unknown",
            "unit-level",
            "unit-bad-date",
            "unit-dates-order",
            "unit-duplicate-code",
            "unit-overlap",
        ),
    )
}
