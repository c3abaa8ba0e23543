"""Validate: check every row of a read table and normalise what can be normalised safely.

Every rule in :data:`etl.issues.RULES` that concerns rows fires here.  The work is vectorised with
Polars: cell values are normalised once per *distinct* value (a file of millions of rows has a few
thousand distinct region codes, indicators and periods), then joined back.  Every issue is
collected; a rule that fires on very many rows lists the first :data:`ISSUE_CAP` and counts the
rest, so that a broken 4-million-row file still gets a readable report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import polars as pl

from etl.catalogue import Catalogue
from etl.issues import Issue, make_issue
from etl.periods import PeriodProblem, Quarter, parse_quarter
from etl.read import Table
from etl.regions import Region
from etl.reporting import jurisdiction_of, reporter_levels, reporting_rules

ISSUE_CAP = 200
PLAN_START = Quarter(2011, 1)
EMPTY_MARKERS = [
    "",
    "-",
    "--",
    "—",
    "——",
    "–",
    "/",
    "n/a",
    "na",
    "null",
    "none",
    "暂无",
    "无",
    "空",
]
TOTAL_WORDS = r"(合计|总计|小计|^total$|^sum$)"
UNIT_CHARS = r"[万亿千百%‰元个家人次项场期份平方米㎡]"
THOUSANDS = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"
NO_FALL_UNITS = {"%", "工作日"}  # a falling processing time or growth rate is not suspicious


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

    @classmethod
    def build(
        cls,
        catalogue: Catalogue,
        regions: Sequence[Region],
        *,
        scope_code: str | None = None,
        today: dt.date | None = None,
    ) -> ValidationContext:
        jurisdictions = jurisdiction_of(regions)
        frame = pl.DataFrame(
            {
                "code": [r.code for r in regions],
                "valid_from": [r.valid_from or dt.date(1900, 1, 1) for r in regions],
                "valid_to": [r.valid_to for r in regions],
                "name": [r.name for r in regions],
                "level": [r.level for r in regions],
                "jurisdiction": [jurisdictions.get(r.code, "") for r in regions],
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
            aliases[_alias_key(i.name_zh)] = i.key
        for i in catalogue.indicators:
            aliases[_alias_key(i.key)] = i.key
        rules = reporting_rules(catalogue)
        pairs: set[tuple[str, str]] = set()
        for region in regions:
            levels = reporter_levels(region)
            jurisdiction = jurisdictions.get(region.code)
            for rule in rules:
                if rule.jurisdiction == jurisdiction and rule.level in levels:
                    pairs.add((region.code, rule.indicator))
        applicable = pl.DataFrame(
            sorted(pairs), schema={"region_code": pl.String, "indicator": pl.String}, orient="row"
        )
        scope = None
        label = None
        if scope_code is not None:
            scope = frozenset(_descendants(regions, scope_code))
            names = [r.name for r in regions if r.code == scope_code]
            label = f"{scope_code} {names[-1]}" if names else scope_code
        return cls(frame, indicators, aliases, applicable, scope, label, today or dt.date.today())


def may_be_negative(key: str, name_zh: str, unit: str) -> bool:
    """Growth rates and year-on-year increments may fall below zero; counts and levels may not."""
    growth = unit == "%" and ("growth" in key or "增长" in name_zh)
    return growth or "increment" in key or "增量" in name_zh


def _descendants(regions: Sequence[Region], root: str) -> set[str]:
    children: dict[str, set[str]] = {}
    for r in regions:
        if r.parent_code:
            children.setdefault(r.parent_code, set()).add(r.code)
    out, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _alias_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass
class Validated:
    """The outcome: every issue, and the rows that would be loaded (typed and normalised)."""

    issues: list[Issue]
    rows: pl.DataFrame  # _row, region_code, indicator, period, value (Float64), note
    rows_total: int
    rows_skipped: int

    @property
    def accepted(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


# --------------------------------------------------------------------------------------------
# per-distinct-value normalisers


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


# --------------------------------------------------------------------------------------------
# issue emission


class _Collector:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.issues: list[Issue] = list(table.issues)

    def add(
        self,
        rule: str,
        rows: pl.DataFrame,
        column: str | None,
        value: str | None,
        context: Callable[[dict[str, object]], dict[str, object]] | None = None,
    ) -> None:
        if rows.height == 0:
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
        if rows.height > ISSUE_CAP:
            self.issues.append(
                make_issue(
                    "too-many-issues",
                    file=self.table.file,
                    sheet=self.table.sheet,
                    value=rule,
                    count=rows.height - ISSUE_CAP,
                )
            )


def _nfkc(column: pl.Expr) -> pl.Expr:
    """NFKC (全角 → 半角) where a cell has non-ASCII characters; ASCII cells pass untouched."""
    return (
        pl.when(column.str.contains(r"[^\x00-\x7f]"))
        .then(column.str.normalize("NFKC"))
        .otherwise(column)
    )


def _mapping(
    values: Iterable[str | None], fn: Callable[[str], tuple[object, ...]]
) -> list[tuple[object, ...]]:
    return [(v, *fn(v)) for v in values if v is not None]


# --------------------------------------------------------------------------------------------
# the rules


PreviousLookup = Callable[[pl.DataFrame], pl.DataFrame]


def validate(
    table: Table, ctx: ValidationContext, previous: PreviousLookup | None = None
) -> Validated:
    """Check every row.  ``previous`` is asked, once, for the current warehouse values of the
    previous quarter of each clean row (``region_code, indicator, period`` → ``… value``); they
    feed the stock-fell and flow-jump warnings."""
    out = _Collector(table)
    key_cols = ["region_code", "indicator", "period", "value", "note"]
    raw = table.frame
    # Keys and values are read through NFKC (全角 digits); a note is kept as written.
    frame = raw.with_columns(
        *(_nfkc(pl.col(c)).str.strip_chars().alias(c) for c in key_cols[:4]),
        pl.col("note").str.strip_chars(),
    )

    # full-width characters (NFKC changed more than surrounding blanks)
    for column in ("region_code", "period", "value"):
        changed = frame.with_columns(raw[column].alias("_orig")).filter(
            pl.col(column).is_not_null()
            & (pl.col(column).str.len_chars() > 0)
            & (pl.col(column) != pl.col("_orig").str.strip_chars())
        )
        out.add("full-width", changed, column, "_orig")

    # blank rows and totals rows are skipped
    blank = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c) == "") for c in key_cols)
    blank_rows = frame.filter(blank)
    out.add("blank-row", blank_rows, None, None)
    frame = frame.filter(~blank)
    rows_total = frame.height
    label_cols = [c for c in ("region_code", "indicator", "region_name") if c in frame.columns]
    # decided once per distinct label, not once per row
    totals = {
        v
        for c in label_cols
        for v in frame[c].unique().to_list()
        if v and re.search(TOTAL_WORDS, v.lower())
    }
    total = pl.any_horizontal(pl.col(c).is_in(list(totals)).fill_null(False) for c in label_cols)
    total_rows = frame.filter(total).with_columns(
        pl.coalesce(*[pl.col(c) for c in label_cols]).alias("_label")
    )
    out.add("totals-row", total_rows, "region_code", "_label")
    frame = frame.filter(~total)
    skipped = total_rows.height

    # region codes
    region_map = pl.DataFrame(
        _mapping(frame["region_code"].unique().to_list(), normalise_region_code),
        schema={"region_code": pl.String, "_code": pl.String, "_code_rule": pl.String},
        orient="row",
    )
    region_map = region_map.with_columns(
        pl.col("_code").rank("dense").cast(pl.Int64).alias("_code_id")
    )
    frame = frame.join(region_map, on="region_code", how="left")
    known = ctx.regions["code"].unique()
    frame = frame.with_columns(
        pl.when(pl.col("region_code").is_null() | (pl.col("region_code") == ""))
        .then(pl.lit("region-missing"))
        .when(pl.col("_code").is_null() | ~pl.col("_code").is_in(known.implode()))
        .then(pl.lit("region-unknown"))
        .otherwise(pl.col("_code_rule"))
        .alias("_code_rule")
    )
    out.add(
        "region-missing",
        frame.filter(pl.col("_code_rule") == "region-missing"),
        "region_code",
        None,
    )
    out.add(
        "region-unknown",
        frame.filter(pl.col("_code_rule") == "region-unknown"),
        "region_code",
        "region_code",
    )
    out.add(
        "region-as-number",
        frame.filter(pl.col("_code_rule") == "region-as-number"),
        "region_code",
        "region_code",
        lambda r: {"normalised": r["_code"]},
    )
    frame = frame.with_columns(
        pl.when(pl.col("_code_rule").is_in(["region-missing", "region-unknown"]))
        .then(None)
        .otherwise(pl.col("_code"))
        .alias("_code")
    )

    # periods
    def period_fn(value: str) -> tuple[object, ...]:
        parsed = parse_quarter(value)
        if isinstance(parsed, PeriodProblem):
            return (None, None, parsed.rule, None)
        ordinal = parsed.year * 4 + parsed.quarter - 1
        if parsed.end >= ctx.today:
            return (parsed.label, parsed.end, "period-future", ordinal)
        if parsed < PLAN_START:
            return (parsed.label, parsed.end, "period-before-plan", ordinal)
        return (parsed.label, parsed.end, None, ordinal)

    period_map = pl.DataFrame(
        _mapping(frame["period"].unique().to_list(), period_fn),
        schema={
            "period": pl.String,
            "_period": pl.String,
            "_period_end": pl.Date,
            "_period_rule": pl.String,
            "_pord": pl.Int64,
        },
        orient="row",
    )
    frame = frame.join(period_map, on="period", how="left").with_columns(
        pl.when(pl.col("period").is_null() | (pl.col("period") == ""))
        .then(pl.lit("period-missing"))
        .otherwise(pl.col("_period_rule"))
        .alias("_period_rule")
    )
    for rule in ("period-missing", "period-invalid", "period-ambiguous"):
        out.add(rule, frame.filter(pl.col("_period_rule") == rule), "period", "period")
    out.add(
        "period-future",
        frame.filter(pl.col("_period_rule") == "period-future"),
        "period",
        "_period",
    )
    out.add(
        "period-before-plan",
        frame.filter(pl.col("_period_rule") == "period-before-plan"),
        "period",
        "_period",
        lambda r: {"start": PLAN_START.label},
    )

    # region valid in that quarter, and within the uploader's scope
    pairs = frame.filter(pl.col("_code").is_not_null() & pl.col("_period_end").is_not_null())
    pairs = pairs.select("_code", "_period_end").unique()
    versions = pairs.join(ctx.regions, left_on="_code", right_on="code")
    valid = versions.filter(
        (pl.col("valid_from") <= pl.col("_period_end"))
        & (pl.col("valid_to").is_null() | (pl.col("_period_end") < pl.col("valid_to")))
    ).select(
        "_code",
        "_period_end",
        pl.col("name").alias("_region_name"),
        pl.col("level").alias("_level"),
    )
    ended = (
        versions.group_by("_code", "_period_end")
        .agg(pl.col("valid_to").max().alias("_ended"), pl.col("name").last().alias("_old_name"))
        .join(valid.select("_code", "_period_end"), on=["_code", "_period_end"], how="anti")
    )
    frame = frame.join(valid, on=["_code", "_period_end"], how="left").join(
        ended, on=["_code", "_period_end"], how="left"
    )
    expired = frame.filter(pl.col("_old_name").is_not_null())
    out.add(
        "region-expired",
        expired,
        "region_code",
        "_code",
        lambda r: {"period": r["_period"], "detail": _expired_detail(r)},
    )
    if ctx.scope is not None:
        outside = frame.filter(pl.col("_code").is_not_null() & ~pl.col("_code").is_in(ctx.scope))
        out.add(
            "region-out-of-scope",
            outside,
            "region_code",
            "_code",
            lambda r: {"scope": ctx.scope_label},
        )

    # indicators
    alias_map = pl.DataFrame(
        [(v, ctx.aliases.get(_alias_key(v))) for v in frame["indicator"].unique().to_list() if v],
        schema={"indicator": pl.String, "_indicator": pl.String},
        orient="row",
    )
    alias_map = alias_map.with_columns(
        pl.col("_indicator").rank("dense").cast(pl.Int64).alias("_ind_id")
    )
    frame = frame.join(alias_map, on="indicator", how="left")
    # One integer per (region, indicator, quarter); the previous quarter's key is key - 1.
    frame = frame.with_columns(
        ((pl.col("_code_id") * 4096 + pl.col("_ind_id")) * 65536 + pl.col("_pord")).alias("_key")
    )
    no_indicator = pl.col("indicator").is_null() | (pl.col("indicator") == "")
    out.add("indicator-missing", frame.filter(no_indicator), "indicator", None)
    out.add(
        "indicator-unknown",
        frame.filter(~no_indicator & pl.col("_indicator").is_null()),
        "indicator",
        "indicator",
    )
    applicable = ctx.applicable.with_columns(pl.lit(True).alias("_applies"))
    frame = frame.join(
        applicable,
        left_on=["_code", "_indicator"],
        right_on=["region_code", "indicator"],
        how="left",
    )
    not_applicable = frame.filter(
        pl.col("_indicator").is_not_null()
        & pl.col("_code").is_not_null()
        & pl.col("_level").is_not_null()
        & pl.col("_applies").is_null()
    )
    out.add(
        "indicator-not-applicable",
        not_applicable,
        "indicator",
        "_indicator",
        lambda r: {
            "level": _LEVEL_ZH.get(str(r["_level"]), r["_level"]),
            "region": r["_region_name"],
        },
    )

    # values
    info = pl.DataFrame(
        [(i.key, i.unit, i.measure, i.allows_negative) for i in ctx.indicators.values()],
        schema={
            "_indicator": pl.String,
            "_unit": pl.String,
            "_measure": pl.String,
            "_neg_ok": pl.Boolean,
        },
        orient="row",
    )
    frame = frame.join(info, on="_indicator", how="left")
    flagged = pl.DataFrame(
        [(r, c) for r, c in table.flagged if c == "value"],
        schema={"_row": pl.Int64, "_flag": pl.String},
        orient="row",
    )
    frame = frame.join(flagged, on="_row", how="left")
    value = pl.col("value")
    is_empty = value.is_null() | value.str.to_lowercase().is_in(EMPTY_MARKERS)
    missing = frame.filter(is_empty & pl.col("_flag").is_null())
    out.add("value-missing", missing, "value", "value")
    skipped += missing.height
    frame = frame.filter(~is_empty)
    has_unit = value.str.contains(UNIT_CHARS)
    out.add("value-unit", frame.filter(has_unit), "value", "value")
    thousands = value.str.contains(THOUSANDS)
    frame = frame.with_columns(
        pl.when(thousands).then(value.str.replace_all(",", "")).otherwise(value).alias("_clean")
    )
    out.add(
        "value-thousands",
        frame.filter(thousands),
        "value",
        "value",
        lambda r: {"normalised": r["_clean"]},
    )
    frame = frame.with_columns(pl.col("_clean").cast(pl.Float64, strict=False).alias("_value"))
    frame = frame.with_columns(
        pl.when(pl.col("_value").is_finite()).then(pl.col("_value")).otherwise(None).alias("_value")
    )
    out.add(
        "value-not-number", frame.filter(pl.col("_value").is_null() & ~has_unit), "value", "value"
    )
    out.add(
        "negative-count",
        frame.filter((pl.col("_value") < 0) & pl.col("_neg_ok").not_()),
        "value",
        "value",
    )
    out.add(
        "percent-over-100",
        frame.filter(
            (pl.col("_unit") == "%") & (pl.col("_value") > 100) & pl.col("_neg_ok").not_()
        ),
        "value",
        "value",
    )

    # duplicates: same key twice
    keyed = frame.filter(
        pl.col("_code").is_not_null()
        & pl.col("_indicator").is_not_null()
        & pl.col("_period").is_not_null()
        & pl.col("_value").is_not_null()
    )
    repeated = keyed.filter(pl.col("_key").is_duplicated()).sort("_row")
    repeated = repeated.with_columns(
        pl.col("_row").first().over("_key").alias("_first_row"),
        pl.col("_value").first().over("_key").alias("_first_value"),
        pl.col("note").first().over("_key").alias("_first_note"),
    )
    later = repeated.filter(pl.col("_row") != pl.col("_first_row"))
    same = (pl.col("_value") == pl.col("_first_value")) & (
        pl.col("note").eq_missing(pl.col("_first_note"))
    )
    out.add("duplicate-row", later.filter(same), None, None, lambda r: {"other": r["_first_row"]})
    out.add(
        "duplicate-key", later.filter(~same), "value", "value", lambda r: {"other": r["_first_row"]}
    )
    skipped += later.filter(same).height
    clean = keyed.join(later.select("_row"), on="_row", how="anti") if later.height else keyed

    _trend_warnings(out, clean, previous)

    rows = clean.select(
        "_row",
        pl.col("_code").alias("region_code"),
        pl.col("_indicator").alias("indicator"),
        pl.col("_period").alias("period"),
        pl.col("_value").alias("value"),
        pl.when(pl.col("note") == "").then(None).otherwise(pl.col("note")).alias("note"),
    )
    issues = sorted(out.issues, key=lambda i: (i.row is not None, i.row or 0, i.column or ""))
    result = Validated(issues, rows, rows_total, skipped)
    if not result.accepted:
        result.rows_skipped = rows_total
    return result


_LEVEL_ZH = {"province": "省", "city": "市", "county": "县（区）", "town": "镇"}


def _expired_detail(record: dict[str, object]) -> str:
    ended = record.get("_ended")
    name = record.get("_old_name")
    if isinstance(ended, dt.date):
        return f"{name} 已于 {ended.isoformat()} 调整 / {name} changed on {ended.isoformat()}"
    return f"{name} 当时尚未设立 / {name} did not exist yet"


def _trend_warnings(out: _Collector, clean: pl.DataFrame, previous: PreviousLookup | None) -> None:
    """Warn when a stock falls or a flow jumps tenfold against the previous quarter.

    The previous quarter's value comes from the file itself when it holds that quarter, else
    from the warehouse (``previous``), asked once for just the keys the file lacks."""
    if clean.height == 0:
        return
    here = clean.select(
        "_row",
        "_key",
        "_code",
        "_indicator",
        "_period",
        "_pord",
        "_value",
        "value",
        "_unit",
        "_measure",
    )
    in_file = here.select((pl.col("_key") + 1).alias("_key"), pl.col("_value").alias("_prev_value"))
    known = [in_file]
    if previous is not None:
        missing = here.join(
            in_file.select((pl.col("_key") - 1).alias("_key")), on="_key", how="anti"
        )
        if missing.height:
            labels = pl.DataFrame(
                [
                    (o, f"{(o - 1) // 4}Q{(o - 1) % 4 + 1}")
                    for o in missing["_pord"].unique().to_list()
                ],
                schema={"_pord": pl.Int64, "period": pl.String},
                orient="row",
            )
            asked = missing.join(labels, on="_pord").select(
                "_key",
                pl.col("_code").alias("region_code"),
                pl.col("_indicator").alias("indicator"),
                "period",
            )
            stored = previous(asked.drop("_key"))
            if stored.height:
                known.append(
                    asked.join(stored, on=["region_code", "indicator", "period"]).select(
                        "_key", pl.col("value").alias("_prev_value")
                    )
                )
    joined = here.join(pl.concat(known), on="_key")
    fell = joined.filter(
        (pl.col("_measure") == "stock")
        & ~pl.col("_unit").is_in(list(NO_FALL_UNITS))
        & (pl.col("_value") < pl.col("_prev_value"))
    )

    def context(record: dict[str, object]) -> dict[str, object]:
        return {"previous": _fmt(record["_prev_value"])}

    out.add("stock-fell", fell.sort("_row"), "value", "value", context)
    jumped = joined.filter(
        (pl.col("_measure") == "flow")
        & (pl.col("_prev_value") > 0)
        & (pl.col("_value") > 10 * pl.col("_prev_value"))
    )
    out.add("flow-jump", jumped.sort("_row"), "value", "value", context)


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)
