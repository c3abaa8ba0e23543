"""Region codes: written as digits, known, valid in the quarter reported, within the uploader's
scope."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

import polars as pl

from etl.validate.columnar import Lookup, dense_ids, within
from etl.validate.context import ValidationContext
from etl.validate.periods import Periods
from etl.validate.sheet import Sheet
from model.units import is_unit_code


def normalise_region_code(raw: str) -> tuple[str | None, str | None]:
    """``(code, rule)``: the code as digits, and the rule that fired (None when clean)."""
    text = raw.strip()
    if text.isdigit():
        stripped = text.lstrip("0")
        if stripped != text and len(stripped) in (6, 9, 12):
            return stripped, "region-as-number"
        return text, None
    if re.fullmatch(r"\d+\.0+", text):
        return text.split(".")[0], "region-as-number"
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern guarantees a number
            return None, "region-unknown"
        if number == number.to_integral_value():
            return str(int(number)), "region-as-number"
    return None, "region-unknown"


@dataclass(frozen=True)
class Codes:
    """The file's region codes."""

    final: list[str | None]  # per distinct cell: the code as digits; None when missing or unknown
    final_of: Lookup  # per row: ``final``
    ids: dict[str, int]  # code → 0, 1, 2, …
    id: Lookup  # per row: the id of its code (null: none)
    id_rows: pl.Series


def check_codes(sheet: Sheet) -> Codes:
    """region-missing, region-unknown, region-as-number; the file's known codes."""
    code, out = sheet.code, sheet.out
    known = set(sheet.ctx.regions["code"].to_list())
    rules: list[str | None] = []
    final: list[str | None] = []
    for text in sheet.code_norm.to_list():
        as_digits: str | None = None
        if text is None or text == "":
            rule: str | None = "region-missing"
        elif is_unit_code(text.strip()):  # a registered unit's code (etl.validate.units)
            known_unit = text.strip() in known
            as_digits, rule = (text.strip(), None) if known_unit else (None, "unit-unknown")
        else:
            as_digits, rule = normalise_region_code(text)
            if as_digits is None or as_digits not in known:
                rule, as_digits = "region-unknown", None
        rules.append(rule)
        final.append(as_digits)
    shown_code = code.lookup(sheet.code_norm).at
    final_of = code.lookup(final, pl.String)

    def rows_of(rule: str) -> pl.Series | None:
        return within(code.lookup([r == rule for r in rules]).mask(), sheet.alive)

    out.fire("region-missing", rows_of("region-missing"), "region_code")
    shown = {"region_code": shown_code}
    out.fire("region-unknown", rows_of("region-unknown"), "region_code", shown, "region_code")
    out.fire("unit-unknown", rows_of("unit-unknown"), "region_code", shown, "region_code")
    out.fire(
        "region-as-number",
        rows_of("region-as-number"),
        "region_code",
        {"region_code": shown_code, "_code": final_of.at},
        "region_code",
        lambda r: {"normalised": r["_code"]},
    )
    ids = dense_ids(final)
    code_id = code.lookup([None if c is None else ids[c] for c in final], pl.UInt32)
    return Codes(final, final_of, ids, code_id, code_id.rows())


class RegionPairs:
    """Each (region, quarter) pair of the file: was the region valid then, and as what."""

    def __init__(self, info: pl.DataFrame, slot: Callable[[], pl.Series]) -> None:
        self.info = info  # per pair: _valid, _region_name, _level, _expired, _ended, _old_name
        self._slot = slot

    @cached_property
    def slot(self) -> pl.Series:
        """Per row: its pair; null without a known region and a quarter."""
        return self._slot()

    def lookup(self, column: str) -> Lookup:
        return Lookup(self.info[column], lambda: self.slot, self.info.height)

    @classmethod
    def build(cls, sheet: Sheet, codes: Codes, periods: Periods) -> RegionPairs:
        ends = periods.ends
        width = len(ends)

        def key() -> pl.Series:
            return codes.id_rows.cast(pl.Int64) * width + periods.id_rows.cast(pl.Int64)

        if sheet.use_arrays(len(codes.ids) * width):  # every pair, whether the file has it or not
            present = pl.int_range(len(codes.ids) * width, dtype=pl.Int64, eager=True)

            def slot() -> pl.Series:
                return key().cast(pl.UInt32)

        else:
            keys = key()
            present = keys.drop_nulls().unique().sort()
            slots = (
                keys.to_frame("k")
                .join(present.to_frame("k").with_row_index("slot"), on="k", how="left")
                .get_column("slot")
            )

            def slot() -> pl.Series:
                return slots

        pairs = pl.DataFrame(
            {
                "_code": pl.Series(list(codes.ids), dtype=pl.String).gather(
                    present // max(width, 1)
                ),
                "_period_end": pl.Series(ends, dtype=pl.Date).gather(present % max(width, 1)),
            }
        )
        return cls(_pair_info(sheet.ctx, pairs), slot)


def _pair_info(ctx: ValidationContext, pairs: pl.DataFrame) -> pl.DataFrame:
    pairs = pairs.with_row_index("_pair")
    versions = pairs.join(ctx.regions.with_row_index("_version"), left_on="_code", right_on="code")
    valid = (
        versions.filter(
            (pl.col("valid_from") <= pl.col("_period_end"))
            & (pl.col("valid_to").is_null() | (pl.col("_period_end") < pl.col("valid_to")))
        )
        .sort("_version")
        .unique("_pair", keep="first", maintain_order=True)
        .select(
            "_pair",
            pl.lit(True).alias("_valid"),
            pl.col("name").alias("_region_name"),
            pl.col("level").alias("_level"),
        )
    )
    ended = (
        versions.group_by("_pair")
        .agg(
            pl.col("valid_to").max().alias("_ended"),
            pl.col("name").sort_by("_version").last().alias("_old_name"),
            pl.col("_code").first().str.contains("-", literal=True).alias("_unit"),
            pl.col("valid_from").min().alias("_since"),
        )
        .join(valid.select("_pair"), on="_pair", how="anti")
        .with_columns(  # a unit's code (model.units) out of its validity: unit-expired
            (~pl.col("_unit")).alias("_expired"),
            pl.col("_unit").alias("_unit_expired"),
            _validity().alias("_unit_validity"),
        )
        .drop("_unit", "_since")
    )
    info = (
        pairs.select("_pair")
        .join(valid, on="_pair", how="left")
        .join(ended, on="_pair", how="left")
        .sort("_pair")
    )
    return info.with_columns(pl.col("_valid", "_expired", "_unit_expired").fill_null(False))


def _validity() -> pl.Expr:
    """A unit's registered validity, as the unit-expired message quotes it."""
    since = pl.col("_since").dt.to_string("%Y-%m-%d").replace("1900-01-01", "…")
    until = pl.col("_ended").dt.to_string("%Y-%m-%d").fill_null("…")
    return pl.format("有效期 {} 至 {} / registered valid {} to {}", since, until, since, until)


def check_regions_in_time(sheet: Sheet, codes: Codes, periods: Periods) -> RegionPairs:
    """region-expired (not valid in the quarter reported), region-out-of-scope, and
    total-out-of-scope (a jurisdiction's own total, outside the uploader's scope)."""
    out, ctx = sheet.out, sheet.ctx
    pairs = RegionPairs.build(sheet, codes, periods)
    out.fire(
        "region-expired",
        within(pairs.lookup("_expired").mask(), sheet.alive),
        "region_code",
        {
            "_code": codes.final_of.at,
            "_period": periods.label_of.at,
            "_ended": pairs.lookup("_ended").at,
            "_old_name": pairs.lookup("_old_name").at,
        },
        "_code",
        lambda r: {"period": r["_period"], "detail": _expired_detail(r)},
    )
    if ctx.scope is not None:
        scope, totals = ctx.scope, ctx.jurisdiction_codes
        for rule, is_total in (("region-out-of-scope", False), ("total-out-of-scope", True)):
            outside = [
                c is not None and c not in scope and (c in totals) == is_total for c in codes.final
            ]
            out.fire(
                rule,
                within(sheet.code.lookup(outside).mask(), sheet.alive),
                "region_code",
                {"_code": codes.final_of.at},
                "_code",
                lambda r: {"scope": ctx.scope_label},
            )
    return pairs


def _expired_detail(record: dict[str, object]) -> str:
    ended = record.get("_ended")
    name = record.get("_old_name")
    if isinstance(ended, dt.date):
        return f"{name} 已于 {ended.isoformat()} 调整 / {name} changed on {ended.isoformat()}"
    return f"{name} 当时尚未设立 / {name} did not exist yet"
