"""Validate: check every row of a read table and normalise what can be normalised safely.

Every rule in :data:`etl.issues.RULES` that concerns rows fires here.  The work is vectorised with
Polars and kept narrow, because files run to millions of rows:

* A key column (region code, indicator, period) becomes its *distinct* values (a few thousand at
  most) and, per row, the index of its value.  Each rule is decided once per distinct value, or
  per pair of them (a region in a quarter, a region and an indicator), and looked up per row by
  index: the wide frame is never joined, copied or sorted.
* A value cell that reads as a finite number as it stands is taken as it is; only the other
  cells go through NFKC, trimming and the empty, unit and thousands checks.
* Region, indicator and quarter together make one dense integer per row, so duplicates and the
  previous quarter are found by indexing an array (hash joins when the combinations are too
  many for one).
* A rule that can fire on no distinct value costs nothing per row; when one fires, only the rows
  listed in the report are looked at beyond their count.

Every issue is collected; a rule that fires on very many rows lists the first :data:`ISSUE_CAP`
and counts the rest, so that a broken 4-million-row file still gets a readable report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

import polars as pl

from etl.catalogue import Catalogue
from etl.issues import Issue, make_issue
from etl.periods import PeriodProblem, Quarter, parse_quarter
from etl.read import Table
from etl.regions import Region, descendants
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
        reported: dict[tuple[str, str], list[str]] = {}
        for rule in reporting_rules(catalogue):
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
        applicable = (
            pl.DataFrame(
                {"region_code": codes, "indicator": keys},
                schema={"region_code": pl.String, "indicator": pl.String},
            )
            .unique()
            .sort("region_code", "indicator")
        )
        scope = None
        label = None
        if scope_code is not None:
            scope = frozenset(descendants(regions, scope_code))
            names = [r.name for r in regions if r.code == scope_code]
            label = f"{scope_code} {names[-1]}" if names else scope_code
        return cls(frame, indicators, aliases, applicable, scope, label, today or dt.date.today())


def may_be_negative(key: str, name_zh: str, unit: str) -> bool:
    """Growth rates and year-on-year increments may fall below zero; counts and levels may not."""
    growth = unit == "%" and ("growth" in key or "增长" in name_zh)
    return growth or "increment" in key or "增量" in name_zh


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


Context = Callable[[dict[str, object]], dict[str, object]]
Fields = Mapping[str, Callable[[pl.Series], pl.Series]]  # a column's values at given rows


class _Collector:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.issues: list[Issue] = list(table.issues)
        self.row = table.frame["_row"]

    def add(
        self,
        rule: str,
        rows: pl.DataFrame,
        column: str | None,
        value: str | None,
        context: Context | None = None,
        count: int | None = None,
    ) -> None:
        """Issue ``rule`` on ``rows``, listing the first :data:`ISSUE_CAP`; ``count`` is how many
        rows it fired on, when ``rows`` holds only the first of them."""
        total = rows.height if count is None else count
        if total == 0:
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
        if total > ISSUE_CAP:
            self.issues.append(
                make_issue(
                    "too-many-issues",
                    file=self.table.file,
                    sheet=self.table.sheet,
                    value=rule,
                    count=total - ISSUE_CAP,
                )
            )

    def fire(
        self,
        rule: str,
        mask: pl.Series | None,
        column: str | None,
        fields: Fields | None = None,
        value: str | None = None,
        context: Context | None = None,
    ) -> int:
        """Issue ``rule`` on the rows where ``mask`` is true (None: on none); how many."""
        if mask is None:
            return 0
        positions = mask.arg_true()
        self.fire_at(rule, positions, column, fields, value, context)
        return positions.len()

    def fire_at(
        self,
        rule: str,
        positions: pl.Series,
        column: str | None,
        fields: Fields | None = None,
        value: str | None = None,
        context: Context | None = None,
    ) -> None:
        """Issue ``rule`` on the rows at ``positions`` (ascending).  ``fields`` are looked up for
        the rows listed only."""
        if positions.len() == 0:
            return
        head = positions.head(ISSUE_CAP)
        columns = {"_row": self.row.gather(head)}
        columns.update({name: get(head) for name, get in (fields or {}).items()})
        self.add(rule, pl.DataFrame(columns), column, value, context, count=positions.len())


# --------------------------------------------------------------------------------------------
# cell-level expressions


def _nfkc(column: pl.Expr) -> pl.Expr:
    """NFKC (全角 → 半角) where a cell has non-ASCII characters; ASCII cells pass untouched."""
    return (
        pl.when(column.str.contains(r"[^\x00-\x7f]"))
        .then(column.str.normalize("NFKC"))
        .otherwise(column)
    )


def _normalised(cells: pl.Series) -> pl.Series:
    """Keys and values are read through NFKC (全角 digits) and trimmed."""
    return cells.to_frame("v").select(_nfkc(pl.col("v")).str.strip_chars()).to_series()


def _changed(cells: pl.Series, normalised: pl.Series) -> pl.Series:
    """Where NFKC changed more than surrounding blanks: the cell had full-width characters."""
    changed = pl.DataFrame({"raw": cells, "v": normalised}).select(
        pl.col("v").is_not_null()
        & (pl.col("v").str.len_chars() > 0)
        & (pl.col("v") != pl.col("raw").str.strip_chars())
    )
    return changed.to_series().fill_null(False)


def _is_blank(cells: pl.Series) -> pl.Series:
    return (cells.is_null() | (cells == "")).fill_null(False)


def _is_total(labels: pl.Series) -> list[bool]:
    return [bool(v) and re.search(TOTAL_WORDS, v.lower()) is not None for v in labels.to_list()]


def _read_values(cells: pl.Series) -> pl.DataFrame:
    """The value rules' view of each cell: ``value`` (normalised), ``_empty``, ``_unit``,
    ``_thousands``, ``_clean`` (separators removed) and ``_value`` (the number, or null)."""
    value = pl.col("value")
    thousands = value.str.contains(THOUSANDS)
    clean = pl.when(thousands).then(value.str.replace_all(",", "")).otherwise(value)
    number = clean.cast(pl.Float64, strict=False)
    return (
        _normalised(cells)
        .to_frame("value")
        .with_columns(
            (value.is_null() | value.str.to_lowercase().is_in(EMPTY_MARKERS))
            .fill_null(False)
            .alias("_empty"),
            value.str.contains(UNIT_CHARS).fill_null(False).alias("_unit"),
            thousands.fill_null(False).alias("_thousands"),
            clean.alias("_clean"),
            pl.when(number.is_finite()).then(number).otherwise(None).alias("_value"),
        )
    )


def _period(text: str, today: dt.date) -> tuple[str | None, dt.date | None, str | None, int | None]:
    """``(label, quarter end, rule, ordinal)`` of one spelling of a period."""
    parsed = parse_quarter(text)
    if isinstance(parsed, PeriodProblem):
        return (None, None, parsed.rule, None)
    ordinal = parsed.year * 4 + parsed.quarter - 1
    if parsed.end >= today:
        return (parsed.label, parsed.end, "period-future", ordinal)
    if parsed < PLAN_START:
        return (parsed.label, parsed.end, "period-before-plan", ordinal)
    return (parsed.label, parsed.end, None, ordinal)


# --------------------------------------------------------------------------------------------
# distinct values, lookups and row masks
#
# A mask is a Boolean Series with one entry per row of the table.  Where a mask may be absent,
# None means "no rows" for the rows a rule fires on, and "every row" for a scope (``alive``).


class _Lookup:
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

    def mask(self) -> pl.Series | None:
        """For Boolean entries: the rows whose entry is true, or None when no row's is."""
        if not self.entries.head(self.reachable).any():
            return None
        return self.rows().fill_null(False)


@dataclass(frozen=True)
class _Distinct:
    """A column as its distinct values and, for each row, the slot of its value.

    ``values`` holds each distinct cell value once and then a null, the slot of null cells, so
    that every row has a slot; a per-value table has one entry per slot."""

    values: pl.Series  # String
    slot: pl.Series  # UInt32, one per row, never null
    has_null: bool

    def lookup(self, entries: Sequence[object] | pl.Series, dtype: Any = None) -> _Lookup:
        series = entries if isinstance(entries, pl.Series) else pl.Series(entries, dtype=dtype)
        return _Lookup(series, self.slot, self.values.len() - (0 if self.has_null else 1))


_RUN_SAMPLE = 4096
_LONG_RUN = 64


def _distinct(frame: pl.DataFrame, *columns: str) -> list[_Distinct]:
    """Each column's distinct values, and per row the index of its value (an Enum's codes).

    A column whose cells come in long runs of the same value (files are usually sorted by region,
    and hold one quarter) is reduced to its runs first; which way is taken is decided from the
    first few thousand cells, and only changes the speed."""
    null = pl.Series([None], dtype=pl.String)

    def runs_are_long(column: pl.Series) -> bool:
        head = column.head(_RUN_SAMPLE)
        return head.len() > 0 and (int(head.rle_id()[-1]) + 1) * _LONG_RUN <= head.len()

    by_runs = [c for c in columns if runs_are_long(frame[c])]
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
        distinct = firsts.drop_nulls().unique()
        run_slot = firsts.cast(pl.Enum(distinct)).to_physical().cast(pl.UInt32)
        found[c] = (distinct, run_slot.fill_null(distinct.len()).gather(run))
    return [
        _Distinct(pl.concat([found[c][0], null]), found[c][1], frame[c].null_count() > 0)
        for c in columns
    ]


def _at_positions(n: int, positions: pl.Series) -> pl.Series | None:
    """A mask of ``n`` rows, true at ``positions``; None when there are none."""
    if positions.len() == 0:
        return None
    return pl.repeat(False, n, dtype=pl.Boolean, eager=True).scatter(positions, True)


def _within(mask: pl.Series | None, scope: pl.Series | None) -> pl.Series | None:
    """The rows of ``mask`` (None: no rows) that are in ``scope`` (None: every row)."""
    if mask is None or scope is None:
        return mask
    return mask & scope


def _without(scope: pl.Series | None, mask: pl.Series | None) -> pl.Series | None:
    """``scope`` (None: every row) less the rows of ``mask`` (None: no rows)."""
    if mask is None:
        return scope
    return ~mask if scope is None else scope & ~mask


def _any(masks: Iterable[pl.Series | None]) -> pl.Series | None:
    """The rows in any of ``masks`` (None: no rows)."""
    result: pl.Series | None = None
    for mask in masks:
        if mask is not None:
            result = mask if result is None else result | mask
    return result


def _positions(scope: pl.Series | None, n: int) -> pl.Series:
    return pl.int_range(n, dtype=pl.UInt32, eager=True) if scope is None else scope.arg_true()


def _in_scope(scope: pl.Series | None, positions: pl.Series) -> pl.Series:
    """For each of ``positions``: is it in ``scope`` (None: every row)?"""
    if scope is None:
        return pl.repeat(True, positions.len(), dtype=pl.Boolean, eager=True)
    return scope.gather(positions)


def _dense_ids(values: Iterable[str | None], order: Callable[[str], Any] = str) -> dict[str, int]:
    """0, 1, 2, … for the distinct non-null ``values``, in ``order``."""
    return {v: i for i, v in enumerate(sorted({v for v in values if v is not None}, key=order))}


def _dense_limit(rows: int) -> int:
    """Arrays indexed by a composite key are used up to this size; beyond it, hash joins."""
    return max(2 * rows, 1 << 20)


class _RegionPairs:
    """Each (region, quarter) pair of the file: was the region valid then, and as what."""

    def __init__(self, info: pl.DataFrame, slot: Callable[[], pl.Series]) -> None:
        self.info = info  # per pair: _valid, _region_name, _level, _expired, _ended, _old_name
        self._slot = slot

    @cached_property
    def slot(self) -> pl.Series:
        """Per row: its pair; null without a known region and a quarter."""
        return self._slot()

    def lookup(self, column: str) -> _Lookup:
        return _Lookup(self.info[column], lambda: self.slot, self.info.height)

    @classmethod
    def build(
        cls,
        ctx: ValidationContext,
        codes: list[str],
        ends: list[dt.date],
        code_id: pl.Series,
        period_id: pl.Series,
        limit: int,
    ) -> _RegionPairs:
        width = len(ends)

        def key() -> pl.Series:
            return code_id.cast(pl.Int64) * width + period_id.cast(pl.Int64)

        if len(codes) * width <= limit:  # every pair, whether the file has it or not
            present = pl.int_range(len(codes) * width, dtype=pl.Int64, eager=True)

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
                "_code": pl.Series(codes, dtype=pl.String).gather(present // max(width, 1)),
                "_period_end": pl.Series(ends, dtype=pl.Date).gather(present % max(width, 1)),
            }
        )
        return cls(_pair_info(ctx, pairs), slot)


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
        )
        .join(valid.select("_pair"), on="_pair", how="anti")
        .with_columns(pl.lit(True).alias("_expired"))
    )
    info = (
        pairs.select("_pair")
        .join(valid, on="_pair", how="left")
        .join(ended, on="_pair", how="left")
        .sort("_pair")
    )
    return info.with_columns(pl.col("_valid", "_expired").fill_null(False))


def _not_applicable(ctx: ValidationContext, codes: list[str], keys: list[str]) -> pl.Series:
    """For each (region, indicator), region-major: True when the region does not report it."""
    reports = ctx.reported_by
    nothing: frozenset[str] = frozenset()
    flags: list[bool] = []
    for code in codes:
        reported = reports.get(code, nothing)
        flags.extend(k not in reported for k in keys)
    return pl.Series(flags, dtype=pl.Boolean)


# --------------------------------------------------------------------------------------------
# the rules


PreviousLookup = Callable[[pl.DataFrame], pl.DataFrame]


def validate(
    table: Table, ctx: ValidationContext, previous: PreviousLookup | None = None
) -> Validated:
    """Check every row.  ``previous`` is asked, once, for the current warehouse values of the
    previous quarter of the rows whose previous quarter the file does not hold
    (``region_code, indicator, period`` → ``… value``); they feed the stock-fell and flow-jump
    warnings, as the file's own earlier quarters do."""
    out = _Collector(table)
    raw = table.frame
    n = raw.height
    limit = _dense_limit(n)
    code, ind, per = _distinct(raw, "region_code", "indicator", "period")
    code_norm, ind_norm, per_norm = (_normalised(d.values) for d in (code, ind, per))
    value = raw["value"]

    def shown_value(positions: pl.Series) -> pl.Series:
        return _normalised(value.gather(positions))

    # full-width characters (NFKC changed more than surrounding blanks)
    for column, keys, norm in (("region_code", code, code_norm), ("period", per, per_norm)):
        changed = keys.lookup(_changed(keys.values, norm)).mask()
        out.fire("full-width", changed, column, {"_orig": keys.lookup(keys.values).at}, "_orig")
    # Only a cell with a non-ASCII character (more bytes than characters) can change under NFKC.
    non_ascii = (value.str.len_bytes() != value.str.len_chars()).fill_null(False)
    wide = non_ascii.arg_true()
    if wide.len():
        cells = value.gather(wide)
        changed_cells = wide.filter(_changed(cells, _normalised(cells)))
        out.fire_at("full-width", changed_cells, "value", {"_orig": value.gather}, "_orig")

    # A value that reads as a finite number as it stands, in plain ASCII, has no blanks to trim,
    # nothing for NFKC to change, no unit, no separator, and is no empty marker.  Only the other
    # ("odd") cells are read the long way, by :func:`_read_values`.
    number = value.cast(pl.Float64, strict=False)
    odd = (~(number.is_finite() & ~non_ascii).fill_null(False)).arg_true()
    odd_cells = _read_values(value.gather(odd))
    numbers = number.scatter(odd, odd_cells["_value"]) if odd.len() else number

    def odd_field(column: str) -> Callable[[pl.Series], pl.Series]:
        return lambda positions: odd_cells[column].gather(odd.search_sorted(positions))

    # blank rows and totals rows are skipped
    empty = [
        keys.lookup(_is_blank(norm)).mask()
        for keys, norm in ((code, code_norm), (ind, ind_norm), (per, per_norm))
    ]
    blank_rows = pl.Series([], dtype=pl.UInt32)
    if empty[0] is not None and empty[1] is not None and empty[2] is not None:
        candidates = (empty[0] & empty[1] & empty[2]).arg_true()
        note = raw["note"].gather(candidates).str.strip_chars()
        blank_cells = _is_blank(_normalised(value.gather(candidates))) & _is_blank(note)
        blank_rows = candidates.filter(blank_cells)
    out.fire_at("blank-row", blank_rows, None)
    blank = _at_positions(n, blank_rows)
    rows_total = n - blank_rows.len()

    labels: list[tuple[_Distinct, pl.Series]] = [(code, code_norm), (ind, ind_norm)]
    if "region_name" in raw.columns:
        (names,) = _distinct(raw, "region_name")
        labels.append((names, names.values))
    # decided once per distinct label, not once per row
    total = _any(keys.lookup(_is_total(v)).mask() for keys, v in labels)
    if total is not None and blank is not None:
        total = total & ~blank

    def label_at(positions: pl.Series) -> pl.Series:
        parts = {f"l{i}": keys.lookup(v).at(positions) for i, (keys, v) in enumerate(labels)}
        return pl.DataFrame(parts).select(pl.coalesce(*parts)).to_series()

    skipped = out.fire("totals-row", total, "region_code", {"_label": label_at}, "_label")
    alive = _without(_without(None, blank), total)

    # region codes
    known = set(ctx.regions["code"].to_list())
    code_rule: list[str | None] = []
    code_final: list[str | None] = []  # the code as digits; None when missing or unknown
    for text in code_norm.to_list():
        final: str | None = None
        if text is None or text == "":
            rule: str | None = "region-missing"
        else:
            final, rule = normalise_region_code(text)
            if final is None or final not in known:
                rule, final = "region-unknown", None
        code_rule.append(rule)
        code_final.append(final)
    shown_code = code.lookup(code_norm).at
    final_code = code.lookup(code_final, pl.String)

    def code_rule_rows(rule: str) -> pl.Series | None:
        return _within(code.lookup([r == rule for r in code_rule]).mask(), alive)

    out.fire("region-missing", code_rule_rows("region-missing"), "region_code")
    out.fire(
        "region-unknown",
        code_rule_rows("region-unknown"),
        "region_code",
        {"region_code": shown_code},
        "region_code",
    )
    out.fire(
        "region-as-number",
        code_rule_rows("region-as-number"),
        "region_code",
        {"region_code": shown_code, "_code": final_code.at},
        "region_code",
        lambda r: {"normalised": r["_code"]},
    )

    # periods
    parsed = [
        (None, None, "period-missing", None) if not text else _period(text, ctx.today)
        for text in per_norm.to_list()
    ]
    period_label = [p[0] for p in parsed]
    period_rule = [p[2] for p in parsed]
    label_of = per.lookup(period_label, pl.String)

    def period_rule_rows(rule: str) -> pl.Series | None:
        return _within(per.lookup([r == rule for r in period_rule]).mask(), alive)

    for rule_id in ("period-missing", "period-invalid", "period-ambiguous"):
        shown = {"period": per.lookup(per_norm).at}
        out.fire(rule_id, period_rule_rows(rule_id), "period", shown, "period")
    out.fire(
        "period-future",
        period_rule_rows("period-future"),
        "period",
        {"_period": label_of.at},
        "_period",
    )
    out.fire(
        "period-before-plan",
        period_rule_rows("period-before-plan"),
        "period",
        {"_period": label_of.at},
        "_period",
        lambda r: {"start": PLAN_START.label},
    )

    # Dense ids of the normalised keys, so that (region, indicator, quarter) is one integer.
    code_ids = _dense_ids(code_final)
    quarters: dict[str, tuple[dt.date, int]] = {}  # label → (last day, ordinal)
    for label, end, _, ordinal in parsed:
        if label is not None and end is not None and ordinal is not None:
            quarters[label] = (end, ordinal)
    period_ids = _dense_ids(period_label, lambda label: quarters[label][1])
    code_id = code.lookup([None if c is None else code_ids[c] for c in code_final], pl.UInt32)
    period_id = per.lookup([None if p is None else period_ids[p] for p in period_label], pl.UInt32)
    code_id_rows, period_id_rows = code_id.rows(), period_id.rows()

    # region valid in that quarter, and within the uploader's scope
    ends = [quarters[label][0] for label in period_ids]
    pairs = _RegionPairs.build(ctx, list(code_ids), ends, code_id_rows, period_id_rows, limit)
    out.fire(
        "region-expired",
        _within(pairs.lookup("_expired").mask(), alive),
        "region_code",
        {
            "_code": final_code.at,
            "_period": label_of.at,
            "_ended": pairs.lookup("_ended").at,
            "_old_name": pairs.lookup("_old_name").at,
        },
        "_code",
        lambda r: {"period": r["_period"], "detail": _expired_detail(r)},
    )
    if ctx.scope is not None:
        scope = ctx.scope
        outside = [c is not None and c not in scope for c in code_final]
        out.fire(
            "region-out-of-scope",
            _within(code.lookup(outside).mask(), alive),
            "region_code",
            {"_code": final_code.at},
            "_code",
            lambda r: {"scope": ctx.scope_label},
        )

    # indicators
    no_indicator = [not v for v in ind_norm.to_list()]
    indicator_of = [None if not v else ctx.aliases.get(_alias_key(v)) for v in ind_norm.to_list()]
    out.fire("indicator-missing", _within(ind.lookup(no_indicator).mask(), alive), "indicator")
    unknown = [not m and k is None for m, k in zip(no_indicator, indicator_of, strict=True)]
    out.fire(
        "indicator-unknown",
        _within(ind.lookup(unknown).mask(), alive),
        "indicator",
        {"indicator": ind.lookup(ind_norm).at},
        "indicator",
    )
    indicator_ids = _dense_ids(indicator_of)
    ind_id = ind.lookup([None if k is None else indicator_ids[k] for k in indicator_of], pl.UInt32)
    ind_id_rows = ind_id.rows()
    not_applicable = _not_applicable(ctx, list(code_ids), list(indicator_ids))
    if not_applicable.any():
        reports = _Lookup(
            not_applicable,
            code_id_rows * len(indicator_ids) + ind_id_rows,
            not_applicable.len(),
        )
        valid = pairs.lookup("_valid").mask()  # None: no row names a region valid then
        fired = None if valid is None else _within(_within(reports.mask(), valid), alive)
        out.fire(
            "indicator-not-applicable",
            fired,
            "indicator",
            {
                "_indicator": ind.lookup(indicator_of, pl.String).at,
                "_level": pairs.lookup("_level").at,
                "_region_name": pairs.lookup("_region_name").at,
            },
            "_indicator",
            lambda r: {
                "level": _LEVEL_ZH.get(str(r["_level"]), r["_level"]),
                "region": r["_region_name"],
            },
        )

    # values: only odd cells can be empty, carry a unit or separators, or fail to read
    odd_alive = _in_scope(alive, odd)
    flagged = [r for r, c in table.flagged if c == "value"]
    unflagged = ~raw["_row"].gather(odd).is_in(flagged) if flagged else odd_alive
    missing_rows = odd.filter(odd_cells["_empty"] & odd_alive & unflagged)
    shown = {"value": shown_value}
    out.fire_at("value-missing", missing_rows, "value", shown, "value")
    skipped += missing_rows.len()
    valued = _without(alive, _at_positions(n, odd.filter(odd_cells["_empty"])))
    odd_valued = odd_alive & ~odd_cells["_empty"]
    out.fire_at("value-unit", odd.filter(odd_valued & odd_cells["_unit"]), "value", shown, "value")
    out.fire_at(
        "value-thousands",
        odd.filter(odd_valued & odd_cells["_thousands"]),
        "value",
        {"value": shown_value, "_clean": odd_field("_clean")},
        "value",
        lambda r: {"normalised": r["_clean"]},
    )
    not_number = odd_valued & odd_cells["_value"].is_null() & ~odd_cells["_unit"]
    out.fire_at("value-not-number", odd.filter(not_number), "value", shown, "value")
    info = [None if k is None else ctx.indicators[k] for k in indicator_of]
    never_negative = [i is not None and not i.allows_negative for i in info]
    percent = [i is not None and i.unit == "%" and not i.allows_negative for i in info]
    for rule_id, out_of_range, applies in (
        ("negative-count", numbers < 0, never_negative),
        ("percent-over-100", numbers > 100, percent),
    ):
        if out_of_range.any():
            fired = _within(ind.lookup(applies).mask(), valued)
            out.fire(
                rule_id, _within(fired, out_of_range.fill_null(False)), "value", shown, "value"
            )

    # duplicates: same key twice
    keyed = valued
    for ids in (code_id, ind_id, period_id):
        keyed = _without(keyed, _Lookup(ids.entries.is_null(), ids.slot, ids.reachable).mask())
    keyed = _without(keyed, _at_positions(n, odd.filter(odd_cells["_value"].is_null())))
    # One integer per (region, indicator, quarter), dense: quarters are numbered in order, so
    # a row's previous quarter, when the file has it, is key - 1.
    width_i, width_p = len(indicator_ids), len(period_ids)
    size: int | None = len(code_ids) * width_i * width_p
    if size is not None and (size > limit or size >= 1 << 32):
        size = None  # too many combinations for arrays: hash joins
    key_type = pl.UInt32 if size is not None else pl.Int64
    key = (code_id_rows.cast(key_type) * width_i + ind_id_rows.cast(key_type)) * width_p
    key = key + period_id_rows.cast(key_type)
    keyed_rows = _positions(keyed, n)
    repeated = _repeated(key if keyed is None else key.gather(keyed_rows), keyed_rows, size)
    clean = keyed
    if repeated.len():
        later_rows, same_count = _duplicates(out, raw, repeated, key, numbers, shown_value)
        skipped += same_count
        clean = _without(keyed, _at_positions(n, later_rows))

    # trends against the previous quarter
    trend = _trend_kinds(info)
    if any(trend):
        ordinals = [quarters[label][1] for label in period_ids]
        first = [i == 0 or ordinals[i - 1] != o - 1 for i, o in enumerate(ordinals)]
        _trend_warnings(
            out,
            clean,
            key,
            size,
            first,
            _Lookup(pl.Series(first, dtype=pl.Boolean), period_id_rows, len(first)),
            ind.lookup(trend, pl.UInt8),
            numbers,
            shown_value,
        )

    rows = _clean_rows(
        raw,
        clean,
        [
            ("region_code", code, code_final),
            ("indicator", ind, indicator_of),
            ("period", per, period_label),
        ],
        numbers,
    )
    out.issues.extend(_warehouse_trends(rows, ctx, previous, table))
    issues = sorted(out.issues, key=lambda i: (i.row is not None, i.row or 0, i.column or ""))
    result = Validated(issues, rows, rows_total, skipped)
    if not result.accepted:
        result.rows_skipped = rows_total
    return result


def _repeated(keys: pl.Series, positions: pl.Series, size: int | None) -> pl.Series:
    """Those of ``positions`` (rows with ``keys``, below ``size`` when given) whose key occurs
    more than once."""
    if size is None:
        return positions.filter(keys.is_duplicated())
    # Scatter each row's position at its key: one row owns each key, and a row that does not
    # own its key shares it with another.
    owner = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(keys, positions)
    lost = (owner.gather(keys) != positions).fill_null(True)
    if not lost.any():
        return positions.clear()
    return positions.filter(keys.is_in(keys.filter(lost).unique().implode()))


def _duplicates(
    out: _Collector,
    raw: pl.DataFrame,
    repeated: pl.Series,
    key: pl.Series,
    numbers: pl.Series,
    shown_value: Callable[[pl.Series], pl.Series],
) -> tuple[pl.Series, int]:
    """Report rows repeating an earlier row's key; ``(their positions, how many are identical)``."""
    frame = pl.DataFrame(
        {
            "_pos": repeated,
            "_row": raw["_row"].gather(repeated),
            "_key": key.gather(repeated),
            "_value": numbers.gather(repeated),
            "note": raw["note"].gather(repeated).str.strip_chars(),
            "value": shown_value(repeated),
        }
    ).sort("_row")
    frame = frame.with_columns(
        pl.col("_row").first().over("_key").alias("_first_row"),
        pl.col("_value").first().over("_key").alias("_first_value"),
        pl.col("note").first().over("_key").alias("_first_note"),
    )
    later = frame.filter(pl.col("_row") != pl.col("_first_row"))
    same = (pl.col("_value") == pl.col("_first_value")) & (
        pl.col("note").eq_missing(pl.col("_first_note"))
    )
    identical = later.filter(same)
    same_value = pl.col("_value") == pl.col("_first_value")

    def first(record: dict[str, Any]) -> dict[str, object]:
        return {"other": record["_first_row"]}

    out.add("duplicate-row", identical, None, None, first)
    out.add("duplicate-key", later.filter(~same & ~same_value), "value", "value", first)
    out.add("duplicate-key-note", later.filter(~same & same_value), "note", "note", first)
    return later["_pos"].sort(), identical.height


_LEVEL_ZH = {"province": "省", "city": "市", "county": "县（区）", "town": "镇"}


def _expired_detail(record: dict[str, object]) -> str:
    ended = record.get("_ended")
    name = record.get("_old_name")
    if isinstance(ended, dt.date):
        return f"{name} 已于 {ended.isoformat()} 调整 / {name} changed on {ended.isoformat()}"
    return f"{name} 当时尚未设立 / {name} did not exist yet"


_STOCK_FELL = 1
_FLOW_JUMP = 2


def _trend_kinds(info: Sequence[IndicatorInfo | None]) -> list[int]:
    """Per indicator: warn when a stock falls (1), when a flow jumps (2), or neither (0)."""
    kinds = []
    for i in info:
        if i is not None and i.measure == "stock" and i.unit not in NO_FALL_UNITS:
            kinds.append(_STOCK_FELL)
        elif i is not None and i.measure == "flow":
            kinds.append(_FLOW_JUMP)
        else:
            kinds.append(0)
    return kinds


def _trend_warnings(
    out: _Collector,
    clean: pl.Series | None,
    key: pl.Series,
    size: int | None,
    first: list[bool],
    first_of_row: _Lookup,
    kind: _Lookup,
    numbers: pl.Series,
    shown_value: Callable[[pl.Series], pl.Series],
) -> None:
    """Warn when a stock falls or a flow jumps tenfold against the previous quarter.

    The previous quarter's value comes from the file: the clean row with the same region and
    indicator one quarter earlier (``key - 1``, unless the quarter is ``first``: the file does
    not have the one before it).

    Quarters whose previous quarter the file does not hold are compared with the warehouse by
    :func:`_warehouse_trends`."""
    rows = None if clean is None else clean.arg_true()
    keys = key if rows is None else key.gather(rows)
    values = numbers if rows is None else numbers.gather(rows)
    if size is not None:
        at = pl.repeat(None, size, dtype=pl.Float64, eager=True).scatter(keys, values)
        before = at.shift(1)
        width = len(first)  # the keys of quarter p are p, p + width, p + 2 * width, …
        cleared = [
            pl.int_range(p, size, width, dtype=pl.UInt32, eager=True)
            for p, is_first in enumerate(first)
            if is_first
        ]
        if cleared:
            before = before.scatter(pl.concat(cleared), None)
        prev = before.gather(keys)
    else:
        known = pl.DataFrame({"k": keys + 1, "prev": values})
        prev = keys.to_frame("k").join(known, on="k", how="left", maintain_order="left")["prev"]
        is_first = first_of_row.rows() if rows is None else first_of_row.at(rows)
        prev = prev.set(is_first.fill_null(True), None)
    kinds = kind.rows() if rows is None else kind.at(rows)
    k, v, p = pl.col("kind"), pl.col("value"), pl.col("prev")
    fell, jumped = (
        pl.DataFrame({"kind": kinds, "value": values, "prev": prev})
        .select(
            ((k == _STOCK_FELL) & (v < p)).fill_null(False),
            ((k == _FLOW_JUMP) & (p > 0) & (v > 10 * p)).fill_null(False).alias("jumped"),
        )
        .get_columns()
    )

    def context(record: dict[str, object]) -> dict[str, object]:
        return {"previous": _fmt(record["_prev_value"])}

    for rule, hit in (("stock-fell", fell), ("flow-jump", jumped)):
        fired = hit.arg_true()
        if fired.len() == 0:
            continue
        head = fired.head(ISSUE_CAP)
        positions = head if rows is None else rows.gather(head)
        listed = pl.DataFrame(
            {
                "_row": out.row.gather(positions),
                "value": shown_value(positions),
                "_prev_value": prev.gather(head),
            }
        )
        out.add(rule, listed, "value", "value", context, count=fired.len())


def _warehouse_trends(
    rows: pl.DataFrame, ctx: ValidationContext, previous: PreviousLookup | None, table: Table
) -> list[Issue]:
    """Stock-fell and flow-jump against the warehouse, for the file's quarters whose previous
    quarter the file does not hold (a quarterly upload: every row; a multi-year file: its first
    quarter).  One lookup, of just those keys."""
    if previous is None or rows.height == 0:
        return []
    labels = rows["period"].unique().to_list()
    prev_of = {p: Quarter.parse(p).previous().label for p in labels}
    need = [p for p in labels if prev_of[p] not in prev_of]
    if not need:
        return []
    asked = rows.filter(pl.col("period").is_in(need)).with_columns(
        pl.col("period").replace_strict(prev_of, return_dtype=pl.String).alias("_prev")
    )
    stored = previous(asked.select("region_code", "indicator", pl.col("_prev").alias("period")))
    if stored.height == 0:
        return []
    info = pl.DataFrame(
        [(i.key, i.measure, i.unit) for i in ctx.indicators.values()],
        schema={"indicator": pl.String, "_measure": pl.String, "_unit": pl.String},
        orient="row",
    )
    joined = asked.join(
        stored.select(
            "region_code",
            "indicator",
            pl.col("period").alias("_prev"),
            pl.col("value").alias("_prev_value"),
        ),
        on=["region_code", "indicator", "_prev"],
    ).join(info, on="indicator")
    fell = joined.filter(
        (pl.col("_measure") == "stock")
        & ~pl.col("_unit").is_in(list(NO_FALL_UNITS))
        & (pl.col("value") < pl.col("_prev_value"))
    )
    jumped = joined.filter(
        (pl.col("_measure") == "flow")
        & (pl.col("_prev_value") > 0)
        & (pl.col("value") > 10 * pl.col("_prev_value"))
    )
    issues: list[Issue] = []
    for rule, hits in (("stock-fell", fell), ("flow-jump", jumped)):
        for record in hits.sort("_row").head(ISSUE_CAP).iter_rows(named=True):
            issues.append(
                make_issue(
                    rule,
                    file=table.file,
                    sheet=table.sheet,
                    row=int(record["_row"]),
                    column="value",
                    value=_fmt(record["value"]),
                    previous=_fmt(record["_prev_value"]),
                )
            )
        if hits.height > ISSUE_CAP:
            issues.append(
                make_issue(
                    "too-many-issues",
                    file=table.file,
                    sheet=table.sheet,
                    value=rule,
                    count=hits.height - ISSUE_CAP,
                )
            )
    return issues


def _clean_rows(
    raw: pl.DataFrame,
    clean: pl.Series | None,
    keys: list[tuple[str, _Distinct, list[str | None]]],
    numbers: pl.Series,
) -> pl.DataFrame:
    """The rows to load: ``_row``, the normalised keys, the value and the note."""

    def rows_of(series: pl.Series) -> pl.Series:
        return series if clean is None else series.filter(clean)

    columns = [rows_of(raw["_row"])]
    for name, distinct, normalised in keys:
        cells = distinct.values.to_list()
        as_written = all(v is None or v == c for v, c in zip(normalised, cells, strict=True))
        # A string of up to 12 bytes sits inside its view: sharing the column read costs nothing.
        # Longer ones are copied from the distinct values, so that the column's buffer goes.
        if as_written and bool((distinct.values.str.len_bytes() <= 12).all()):
            columns.append(rows_of(raw[name]))
        else:
            entries = pl.Series(name, normalised, dtype=pl.String)
            columns.append(entries.gather(rows_of(distinct.slot)))
    columns.append(rows_of(numbers).alias("value"))
    note = rows_of(raw["note"])
    if note.null_count() < note.len():  # trimmed, and empty notes are none
        note = note.str.strip_chars()
        note = note.set(note == "", None)
    columns.append(note)
    return pl.DataFrame(columns)


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)
