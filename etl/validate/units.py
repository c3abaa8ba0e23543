"""Unit codes in uploads: an upload row may carry a registered unit's code (``440100-FW01``) in
the region-code column (:mod:`model.units`).

:func:`with_units` adds the register to a validation context: each unit as a region-like row
(its validity, its name, its level, its parent's jurisdiction), the indicators it reports (those
of the per-unit goals on its kind and level), and, for an uploader with a scope, whether its
parent region is within that scope.  The rules, decided per distinct code or (code, quarter) pair
like the region rules: ``unit-unknown`` (fired by :func:`etl.validate.regions.check_codes`),
``unit-expired`` and ``unit-out-of-scope`` (:func:`check_units`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import polars as pl

from etl.validate.columnar import within
from etl.validate.context import ValidationContext
from etl.validate.periods import Periods
from etl.validate.regions import Codes, RegionPairs
from etl.validate.sheet import Sheet
from model.catalogue import Catalogue
from model.jurisdictions import Jurisdictions
from model.regions import Region
from model.reporting import jurisdiction_of, reported_indicators
from model.units import Unit, UnitKinds, bundled_kinds, is_unit_code

SINCE_EVER = pl.date(1900, 1, 1)


def unit_indicators(
    catalogue: Catalogue,
    units: Sequence[Unit],
    members: dict[str, str],
    kinds: UnitKinds | None = None,
    *,
    within: tuple[dt.date, dt.date] | None = None,
) -> dict[str, list[str]]:
    """Unit code → the indicators it reports: those of every per-unit goal of its jurisdiction
    on its kind and level (``data/unit_kinds.yaml``), in catalogue order; optionally only goals
    live in a window (a template's quarter)."""
    known = kinds or bundled_kinds()
    out: dict[str, dict[str, None]] = {u.code: {} for u in units}
    for target in catalogue.targets:
        applies = known.of_target(target) if target.scope.level == "unit" else None
        live = within is None or not (target.deadline < within[0] or target.start > within[1])
        if applies is None or not live:
            continue
        kind, levels = applies
        keys = reported_indicators(target, catalogue)
        for u in units:
            mine = members.get(u.parent_code) == target.scope.jurisdiction
            if mine and u.kind == kind and u.level in levels:
                out[u.code].update(dict.fromkeys(keys))
    return {code: list(keys) for code, keys in out.items()}


def with_units(
    ctx: ValidationContext,
    catalogue: Catalogue,
    regions: Sequence[Region],
    units: Sequence[Unit],
    jurisdictions: Jurisdictions | None = None,
) -> ValidationContext:
    """``ctx`` with the register's units known, reporting, and in scope when their parent is."""
    if not units:
        return ctx
    members = jurisdiction_of(regions, jurisdictions)
    scope = ctx.scope
    rows = pl.DataFrame(
        {
            "code": [u.code for u in units],
            "valid_from": [u.valid_from for u in units],
            "valid_to": [u.valid_to for u in units],
            "name": [u.name for u in units],
            "level": [u.level for u in units],
            "jurisdiction": [members.get(u.parent_code, "") for u in units],
            "unit_parent": [u.parent_code for u in units],
            "unit_in_scope": [scope is None or u.parent_code in scope for u in units],
        },
        schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date},
    ).with_columns(pl.col("valid_from").fill_null(SINCE_EVER))
    frame = pl.concat([ctx.regions, rows], how="diagonal_relaxed")
    reports = unit_indicators(catalogue, units, members)
    applicable = pl.concat(
        [
            ctx.applicable,
            pl.DataFrame(
                {
                    "region_code": [c for c, keys in reports.items() for _ in keys],
                    "indicator": [k for keys in reports.values() for k in keys],
                },
                schema={"region_code": pl.String, "indicator": pl.String},
            ),
        ]
    ).unique(maintain_order=True)
    # every unit is "in scope" for the region rule; unit-out-of-scope judges it by its parent
    widened = None if scope is None else scope | {u.code for u in units}
    return dataclasses.replace(ctx, regions=frame, applicable=applicable, scope=widened)


def check_units(sheet: Sheet, codes: Codes, periods: Periods, pairs: RegionPairs) -> None:
    """unit-expired (not valid in the quarter reported) and unit-out-of-scope (its parent
    region is outside the uploader's scope)."""
    out, ctx = sheet.out, sheet.ctx
    if "unit_parent" not in ctx.regions.columns:
        return
    out.fire(
        "unit-expired",
        within(pairs.lookup("_unit_expired").mask(), sheet.alive),
        "region_code",
        {"_code": codes.final_of.at, "_period": periods.label_of.at, "_why": pairs.lookup(
            "_unit_validity").at},
        "_code",
        lambda r: {"period": r["_period"], "detail": r["_why"]},
    )  # fmt: skip
    if ctx.scope is None:
        return
    units = ctx.regions.filter(pl.col("unit_parent").is_not_null())
    parents = dict(zip(units["code"], units["unit_parent"], strict=True))
    outside = set(units.filter(~pl.col("unit_in_scope"))["code"])
    if not outside:
        return
    flags = [c is not None and c in outside for c in codes.final]
    out.fire(
        "unit-out-of-scope",
        within(sheet.code.lookup(flags).mask(), sheet.alive),
        "region_code",
        {"_code": codes.final_of.at},
        "_code",
        lambda r: {"scope": ctx.scope_label, "parent": parents.get(str(r["_code"]), "")},
    )


def is_unit(code: str | None) -> bool:
    return code is not None and is_unit_code(code)
