"""Who reports what: from a target's scope to the regions that report its indicators.

The rules, written down once (``docs/methodology.md`` repeats them for planners):

* A ratio indicator (coverage %, procurement share) is never reported itself: its numerator and
  denominator are, and the ratio is computed.  A relational goal also needs its reference
  indicator reported.
* A goal on the *whole* jurisdiction is reported by the level below it and rolled up: Guangdong's
  cities (and 顺德区, province-administered, alongside them), Qingdao's districts and county-level
  cities.  An indicator that does not roll up (``rollup: none``: a milestone, an expo's floor area,
  a city-wide growth rate) is reported by the jurisdiction itself.
* A goal on *each* city / county / town is reported by every region of that level.
* A goal on each *unit* (a service centre, a platform) is reported where the units are: the
  provincial centre by the province, city centres by cities, service centres by province, cities
  and counties, platforms by their specialised towns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from model.catalogue import Catalogue, Target
from model.regions import Region, RegionLevel

JURISDICTIONS = ("440000", "370200")


@dataclass(frozen=True)
class ReportingRule:
    """Regions of ``level`` in ``jurisdiction`` report ``indicator`` for ``target_id``."""

    indicator: str
    jurisdiction: str
    level: RegionLevel
    target_id: str
    start: dt.date
    deadline: dt.date


def reporting_levels(target: Target, rollup: str) -> tuple[RegionLevel, ...]:
    scope = target.scope
    if scope.level == "unit":
        kind = scope.unit_kind or ""
        if kind.startswith("省"):
            return ("province",)
        if kind.startswith("市"):
            return ("city",)
        if "平台" in kind:
            return ("town",)
        return ("province", "city", "county")
    if scope.applies_to == "each":
        return (scope.level,)
    if rollup == "none":
        return ("province",) if scope.jurisdiction == "440000" else ("city",)
    return ("city",) if scope.jurisdiction == "440000" else ("county",)


def reported_indicators(target: Target, catalogue: Catalogue) -> list[str]:
    """The indicators a reporting region fills in for ``target``."""
    keys = [target.indicator]
    if target.reference_indicator:
        keys.append(target.reference_indicator)
    out: list[str] = []
    for key in keys:
        indicator = catalogue.indicator(key)
        if indicator.numerator and indicator.denominator:
            out += [indicator.numerator, indicator.denominator]
        else:
            out.append(key)
    return out


def reporting_rules(catalogue: Catalogue) -> list[ReportingRule]:
    rules: list[ReportingRule] = []
    for target in catalogue.targets:
        rollup = catalogue.indicator(target.indicator).rollup
        for level in reporting_levels(target, rollup):
            for key in reported_indicators(target, catalogue):
                rules.append(
                    ReportingRule(
                        key,
                        target.scope.jurisdiction,
                        level,
                        target.id,
                        target.start,
                        target.deadline,
                    )
                )
    return rules


def jurisdiction_of(regions: Iterable[Region]) -> dict[str, str]:
    """Region code → the jurisdiction (440000 or 370200) whose goals apply to it."""
    parent: dict[str, str | None] = {}
    for r in regions:
        parent.setdefault(r.code, r.parent_code)
    out: dict[str, str] = {}
    for code in parent:
        node: str | None = code
        seen = 0
        while node is not None and node not in JURISDICTIONS and seen < 10:
            node = parent.get(node)
            seen += 1
        if node in JURISDICTIONS:
            out[code] = node
    return out


def reporter_levels(region: Region) -> frozenset[RegionLevel]:
    """The levels a region reports as: 顺德 reports both as a county and beside the cities."""
    levels: set[RegionLevel] = {region.level}
    if region.province_administered:
        levels.add("city")
    if region.code == "370200":
        levels.add("city")
    return frozenset(levels)


def applicable_indicators(
    region: Region,
    rules: Iterable[ReportingRule],
    jurisdictions: Mapping[str, str],
    *,
    within: tuple[dt.date, dt.date] | None = None,
) -> list[str]:
    """Indicators ``region`` reports, in catalogue order; optionally only goals live in a window."""
    jurisdiction = jurisdictions.get(region.code)
    levels = reporter_levels(region)
    seen: dict[str, None] = {}
    for rule in rules:
        if rule.jurisdiction != jurisdiction or rule.level not in levels:
            continue
        if within is not None and (rule.deadline < within[0] or rule.start > within[1]):
            continue
        seen.setdefault(rule.indicator, None)
    return list(seen)
