"""What validation knows before it sees a file: the catalogue's indicators, the region list, who
reports what, the uploader's scope and the day."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from model import clock
from model.catalogue import Catalogue
from model.jurisdictions import Jurisdictions
from model.regions import Region, descendants
from model.reporting import jurisdiction_of, reporter_levels, reporting_rules, total_rules


@dataclass(frozen=True)
class IndicatorInfo:
    key: str
    unit: str
    measure: str
    allows_negative: bool


@dataclass(frozen=True)
class ValidationContext:
    """What validation needs to know, built once from the catalogue and the region list."""

    regions: pl.DataFrame  # code, valid_from, valid_to, name, level, jurisdiction
    indicators: dict[str, IndicatorInfo]
    aliases: dict[str, str]  # normalised key or Chinese name → key
    applicable: pl.DataFrame  # region_code, indicator: who reports what
    scope: frozenset[str] | None
    scope_label: str | None
    today: dt.date
    jurisdiction_codes: frozenset[str] = frozenset()  # the jurisdictions (their totals)

    @cached_property
    def reported_by(self) -> dict[str, frozenset[str]]:
        """Region code → the indicators it reports (``applicable``, as a map)."""
        grouped = self.applicable.group_by("region_code").agg("indicator")
        return {c: frozenset(keys) for c, keys in grouped.iter_rows()}

    @classmethod
    def build(
        cls,
        catalogue: Catalogue,
        regions: Sequence[Region],
        *,
        scope_code: str | None = None,
        today: dt.date | None = None,
        jurisdictions: Jurisdictions | None = None,
    ) -> ValidationContext:
        """``jurisdictions``: ``data/jurisdictions.yaml`` unless given."""
        members = jurisdiction_of(regions, jurisdictions)
        frame = pl.DataFrame(
            {
                "code": [r.code for r in regions],
                "valid_from": [r.valid_from or dt.date(1900, 1, 1) for r in regions],
                "valid_to": [r.valid_to for r in regions],
                "name": [r.name for r in regions],
                "level": [r.level for r in regions],
                "jurisdiction": [members.get(r.code, "") for r in regions],
            },
            schema_overrides={"valid_to": pl.Date},
        )
        indicators = {
            i.key: IndicatorInfo(
                i.key, i.unit, i.measure, may_be_negative(i.key, i.name_zh, i.unit)
            )
            for i in catalogue.indicators
        }
        aliases: dict[str, str] = {}
        for i in catalogue.indicators:
            aliases[alias_key(i.name_zh)] = i.key
        for i in catalogue.indicators:
            aliases[alias_key(i.key)] = i.key
        scope = None
        label = None
        if scope_code is not None:
            scope = frozenset(descendants(regions, scope_code))
            names = [r.name for r in regions if r.code == scope_code]
            label = f"{scope_code} {names[-1]}" if names else scope_code
        applicable = _applicable(catalogue, regions, members, jurisdictions)
        return cls(
            frame,
            indicators,
            aliases,
            applicable,
            scope,
            label,
            today or clock.today(),
            frozenset(members.values()),
        )


def _applicable(
    catalogue: Catalogue,
    regions: Sequence[Region],
    jurisdictions: dict[str, str],
    known: Jurisdictions | None,
) -> pl.DataFrame:
    """``region_code, indicator``: every indicator each region reports, the jurisdictions'
    optional totals included."""
    reported: dict[tuple[str, str], list[str]] = {}
    for rule in [*reporting_rules(catalogue), *total_rules(catalogue, known)]:
        reported.setdefault((rule.jurisdiction, rule.level), []).append(rule.indicator)
    codes: list[str] = []
    keys: list[str] = []
    for region in regions:
        jurisdiction = jurisdictions.get(region.code)
        if jurisdiction is None:
            continue
        for level in reporter_levels(region):
            reports = reported.get((jurisdiction, level), [])
            codes.extend([region.code] * len(reports))
            keys.extend(reports)
    return (
        pl.DataFrame(
            {"region_code": codes, "indicator": keys},
            schema={"region_code": pl.String, "indicator": pl.String},
        )
        .unique()
        .sort("region_code", "indicator")
    )


def may_be_negative(key: str, name_zh: str, unit: str) -> bool:
    """Growth rates and year-on-year increments may fall below zero; counts and levels may not."""
    growth = unit == "%" and ("growth" in key or "增长" in name_zh)
    return growth or "increment" in key or "增量" in name_zh


def alias_key(text: str) -> str:
    """How an indicator's key or Chinese name is matched: NFKC, no blanks, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()
