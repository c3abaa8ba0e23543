"""Who reports what: from a target's ``reported_by`` to the regions that report its indicators.

Each target says in the catalogue which levels report it (``reported_by``, checked by
``target-monitor check-targets``).  :func:`suggested_reported_by` derives a default from its scope
and its jurisdiction (``data/jurisdictions.yaml``), which ``check-targets --suggest-reported-by``
prints; nothing else reads the derivation.  The rules it follows, written down once
(``docs/methodology.md`` repeats them for planners):

* A ratio indicator (coverage %, procurement share) is never reported itself: its numerator and
  denominator are, and the ratio is computed.  A relational goal also needs its reference
  indicator reported.
* A goal on the *whole* jurisdiction is reported by the jurisdiction's ``reporting_level`` and
  rolled up: Guangdong's cities (and 顺德区, province-administered, alongside them), Qingdao's
  districts and county-level cities.  An indicator that does not roll up (``rollup: none``: a
  milestone, an expo's floor area, a city-wide growth rate) is reported by the jurisdiction itself.
* A goal on *each* city / county / town is reported by every region of that level.
* A goal on each *unit* (a service centre, a platform) is about the units where they are: the
  provincial centre in the province, city centres in cities, service centres in province, cities
  and counties, platforms in their specialised towns.  Here the derivation can only guess from
  the free-text ``unit_kind`` ("省…", "市…", "…平台…"), which is why the catalogue says it.  Such
  goals are reported by each registered unit under its own code (:mod:`model.units`), so
  :func:`reporting_rules` gives regions none of them (unless their ``unit_kind`` maps to no kind
  of ``data/unit_kinds.yaml``, which ``check-targets`` refuses: then the levels report it).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from model.catalogue import Catalogue, Problem, Target, parse_catalogue
from model.jurisdictions import Jurisdiction, Jurisdictions, bundled, jurisdiction_of_regions
from model.regions import Region, RegionLevel
from model.units import bundled_kinds


@dataclass(frozen=True)
class ReportingRule:
    """Regions of ``level`` in ``jurisdiction`` report ``indicator`` for ``target_id``.

    A ``total`` rule is optional: the jurisdiction itself *may* report the total of a goal on the
    whole jurisdiction (:func:`total_rules`); nobody is due to, so completeness never expects it.
    """

    indicator: str
    jurisdiction: str
    level: RegionLevel
    target_id: str
    start: dt.date
    deadline: dt.date
    total: bool = False


def suggested_reported_by(
    target: Target, rollup: str, jurisdiction: Jurisdiction
) -> tuple[RegionLevel, ...]:
    """The default ``reported_by`` derived from the scope (see the module's docstring)."""
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
        return (jurisdiction.level,)
    return (jurisdiction.reporting_level,)


@dataclass(frozen=True)
class Suggestion:
    """``targets[index]``: its ``reported_by`` as written (None: missing) and as derived."""

    index: int
    target_id: str
    written: tuple[RegionLevel, ...] | None
    suggested: tuple[RegionLevel, ...]


def suggest_reported_by(
    data: object, jurisdictions: Jurisdictions | None = None
) -> tuple[list[Suggestion], list[Problem]]:
    """The derived ``reported_by`` of every target of a catalogue's YAML data, whether or not it
    is written yet; or the catalogue's other problems if it does not parse."""
    known = jurisdictions or bundled()
    staged = copy.deepcopy(data)
    written: dict[int, tuple[RegionLevel, ...] | None] = {}
    raw = staged.get("targets") if isinstance(staged, dict) else None
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(item, dict):
            given = item.get("reported_by")
            written[i] = tuple(given) if isinstance(given, list) else None
            scope = item.get("scope")
            if given is None and isinstance(scope, dict):  # a stand-in that passes the checks
                each = scope.get("applies_to") == "each" and scope.get("level") != "unit"
                item["reported_by"] = [scope.get("level") if each else "province"]
    catalogue, problems = parse_catalogue(staged)
    if catalogue is None:
        return [], problems
    out: list[Suggestion] = []
    for i, target in enumerate(catalogue.targets):
        if target.scope.jurisdiction not in known:
            problems.append(_unknown_jurisdiction(i, target, known))
            continue
        rollup = catalogue.indicator(target.indicator).rollup
        derived = suggested_reported_by(target, rollup, known.get(target.scope.jurisdiction))
        out.append(Suggestion(i, target.id, written.get(i), derived))
    return out, problems


def _unknown_jurisdiction(i: int, target: Target, known: Jurisdictions) -> Problem:
    return Problem(
        "unknown-jurisdiction",
        f"targets[{i}].scope.jurisdiction",
        f"target '{target.id}' belongs to {target.scope.jurisdiction}, which is not a jurisdiction",
        "add it to data/jurisdictions.yaml or use one of: " + ", ".join(known.codes),
    )


def check_reported_by(
    catalogue: Catalogue, regions: Iterable[Region], jurisdictions: Jurisdictions | None = None
) -> list[Problem]:
    """Every target's jurisdiction is listed, and has regions at every level that reports it."""
    known = jurisdictions or bundled()
    listed = list(regions)
    members = jurisdiction_of(listed, known)
    levels: dict[str, set[str]] = {}
    for region in listed:
        if region.code in members:
            levels.setdefault(members[region.code], set()).update(reporter_levels(region))
    problems: list[Problem] = []
    for i, target in enumerate(catalogue.targets):
        code = target.scope.jurisdiction
        if code not in known:
            problems.append(_unknown_jurisdiction(i, target, known))
            continue
        missing = [level for level in target.reported_by if level not in levels.get(code, set())]
        if missing:
            problems.append(
                Problem(
                    "reported-by-nobody",
                    f"targets[{i}].reported_by",
                    f"{code} has no region at level {', '.join(missing)} to report '{target.id}'",
                    "use the levels that exist there: "
                    + ", ".join(sorted(levels.get(code, set()))),
                )
            )
    return problems


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
    """Who is due to report what (``reported_by``): completeness counts these; the optional
    jurisdiction totals are :func:`total_rules`."""
    rules: list[ReportingRule] = []
    for target in catalogue.targets:
        if target.scope.level == "unit" and bundled_kinds().of_target(target) is not None:
            continue  # reported by each registered unit, under its own code (model.units)
        for level in target.reported_by:
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


def total_rules(
    catalogue: Catalogue, jurisdictions: Jurisdictions | None = None
) -> list[ReportingRule]:
    """The totals a jurisdiction may report itself: for every goal on the whole jurisdiction
    rolled up from a level below, the jurisdiction (at its own level) may report the total of
    each indicator the goal reads.  A total counts for its quarter instead of the roll-up
    (``docs/methodology.md``, "Totals and roll-ups")."""
    known = jurisdictions or bundled()
    rules: list[ReportingRule] = []
    for target in catalogue.targets:
        code = target.scope.jurisdiction
        if target.scope.applies_to != "whole" or code not in known:
            continue
        level = known.get(code).level
        if level in target.reported_by:  # the jurisdiction already reports it itself
            continue
        for key in reported_indicators(target, catalogue):
            rules.append(
                ReportingRule(
                    key, code, level, target.id, target.start, target.deadline, total=True
                )
            )
    return rules


def jurisdiction_of(
    regions: Iterable[Region], jurisdictions: Jurisdictions | None = None
) -> dict[str, str]:
    """Region code → the jurisdiction whose goals apply to it (``data/jurisdictions.yaml``
    unless ``jurisdictions`` are given)."""
    return jurisdiction_of_regions(regions, jurisdictions)


def reporter_levels(region: Region) -> frozenset[RegionLevel]:
    """The levels a region reports as: 顺德 reports both as a county and beside the cities."""
    levels: set[RegionLevel] = {region.level}
    if region.province_administered:
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


def total_pairs(
    catalogue: Catalogue, jurisdictions: Jurisdictions | None = None
) -> list[tuple[str, str, RegionLevel]]:
    """``(jurisdiction, indicator, level)``: the additive indicators a jurisdiction may total
    and the level whose roll-up that total can be compared with (the gap check)."""
    rules = {(r.jurisdiction, r.indicator) for r in total_rules(catalogue, jurisdictions)}
    out: dict[tuple[str, str], RegionLevel] = {}
    for target in catalogue.targets:
        code = target.scope.jurisdiction
        for key in reported_indicators(target, catalogue):
            if (code, key) in rules and catalogue.indicator(key).rollup == "sum":
                out.setdefault((code, key), target.reported_by[0])
    return [(code, key, level) for (code, key), level in out.items()]


def reporter_groups(
    regions: Iterable[Region], jurisdictions: Jurisdictions | None = None
) -> list[tuple[str, str, RegionLevel]]:
    """``(code, jurisdiction, level)``: every region in each level it reports as."""
    listed = list(regions)
    members = jurisdiction_of(listed, jurisdictions)
    return sorted(
        {
            (region.code, members[region.code], level)
            for region in listed
            if region.code in members
            for level in reporter_levels(region)
        }
    )
