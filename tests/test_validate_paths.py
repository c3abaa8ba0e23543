"""Validation decides the same on every path, and as a row-by-row reader would.

``etl/validate/`` is vectorised and chooses, per file, how to do the work (:class:`Strategy`):
arrays indexed by a composite key or hash joins (``dense``: small files always take the arrays, a
sparse national file the joins), and key columns read cell by cell or by runs of equal cells
(``runs``).  Neither choice may change a result.  So every upload fixture in
``tests/fixtures/uploads/`` is checked as an upload is (:func:`etl.load.check_file`, no warehouse,
today 2019-01-20) on the default path and with the switches forced the other way (hash joins,
runs, both), and every run is compared with :func:`row_by_row`, a plain-Python validator that
reads one row at a time.  A generated test does the same for random tables that mix every row
rule, the uploader's scope, a ``region_name`` column, cells the reader flagged, and a warehouse
holding earlier quarters.

Compared with the reference: the (rule, row, column) of every issue, and the rows that would be
loaded (row, region, indicator, quarter, value, note), of rejected files too.  The reference
covers blank and totals rows, full-width cells, every region, period and indicator rule, every
value rule, the four duplicate rules, the two source rules, and stock-fell / flow-jump against the
previous quarter, from the file when it has clean rows of that quarter and else from the
warehouse.

Compared between the paths only, because the reference does not reproduce them:

* the issues' messages, shown values and context (the paths' ``Issue`` lists are compared whole)
  and the row counts;
* what reading decides (the file and column rules, and the formula-no-value and excel-error cells
  it flags): that happens before validation, on the one ``Table`` every path gets; the reference
  passes the table's issues through and, like validation, does not report a flagged cell again;
* too-many-issues: no fixture and no generated table reaches ISSUE_CAP (tested in
  ``test_upload_rules.py``).

The reference shares with validation only its vocabulary (the empty markers, totals words, unit
characters and thousands pattern, the plan's start), the parsing of one period spelling
(:func:`model.periods.parse_quarter`) and of one region code (:func:`normalise_region_code`), and
the catalogue's aliases: what is under test is the per-row logic done with masks and lookups.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import etl.load
import etl.validate.history
from etl.load import Reference, check_file, reference, validation_context
from etl.read import Table
from etl.validate import (
    EMPTY_MARKERS,
    NO_FALL_UNITS,
    PLAN_START,
    REGISTRY,
    THOUSANDS,
    TOTAL_WORDS,
    UNIT_CHARS,
    Strategy,
    Validated,
    ValidationContext,
    normalise_region_code,
    validate,
)
from etl.validate.context import alias_key
from model.issues import Issue
from model.periods import PeriodProblem, Quarter, parse_quarter
from model.units import is_unit_code
from tests.test_upload_rules import EXPECTED, FLOW, PERCENT, STOCK, TODAY, WORKDAYS

FIXTURES = Path(__file__).parent / "fixtures" / "uploads"
UPLOADS = sorted(p.name for p in FIXTURES.iterdir() if p.is_file() and p.suffix != ".py")

# Small files take arrays and read key columns cell by cell (unless one value fills a column):
# the forced paths take the hash joins, the runs, and both.
PATHS: dict[str, Strategy | None] = {
    "default": None,
    "hash joins": Strategy(dense=False),
    "runs": Strategy(runs=True),
    "hash joins, runs": Strategy(dense=False, runs=True),
}

Where = tuple[str, int | None, str | None]  # rule, row, column
# _row, region, indicator, quarter, value, note
Loaded = tuple[int, str, str, str, float, str | None]
# (region, indicator, quarter) → the warehouse's value
Stored = Mapping[tuple[str, str, str], float]


@pytest.fixture(scope="module")
def ref() -> Reference:
    return reference()


# --------------------------------------------------------------------------------------------
# the reference: one row at a time


NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _norm(cell: str | None) -> str | None:
    """A key or value as validation reads it: NFKC (全角 → 半角), trimmed."""
    return None if cell is None else unicodedata.normalize("NFKC", cell).strip()


def _blank(text: str | None) -> bool:
    return text is None or text == ""


def _is_total(label: str | None) -> bool:
    return bool(label) and re.search(TOTAL_WORDS, str(label).lower()) is not None


def _full_width(cell: str | None) -> bool:
    norm = _norm(cell)
    return cell is not None and bool(norm) and norm != cell.strip()


def _number(text: str) -> float | None:
    if NUMBER.fullmatch(text) is None:
        return None
    number = float(text)
    return number if math.isfinite(number) else None


@dataclass
class _Row:
    """One row as the reference reads it; ``key`` is set when it can be loaded or repeated."""

    row: int
    code: str | None = None  # the known code, as digits
    indicator: str | None = None
    quarter: Quarter | None = None
    number: float | None = None
    note: str | None = None
    source: str | None = None  # as stored: trimmed, an empty marker is none
    valued: bool = False  # alive, with a value filled in
    issues: list[Where] = field(default_factory=list)

    def fire(self, rule: str, column: str | None) -> None:
        self.issues.append((rule, self.row, column))

    @property
    def key(self) -> tuple[str, str, str] | None:
        if not self.valued or self.number is None or self.code is None:
            return None
        if self.indicator is None or self.quarter is None:
            return None
        return (self.code, self.indicator, self.quarter.label)


@dataclass(frozen=True)
class _Reader:
    """What the reference knows: the context, each region's versions, the flagged cells."""

    ctx: ValidationContext
    versions: dict[str, list[tuple[dt.date, dt.date | None, str]]]  # code → from, to, level
    flagged: frozenset[int]  # rows whose value cell the reader already reported
    flagged_sources: frozenset[int] = frozenset()  # rows whose source cell it reported

    @classmethod
    def of(cls, table: Table, ctx: ValidationContext) -> _Reader:
        versions: dict[str, list[tuple[dt.date, dt.date | None, str]]] = {}
        columns = ("code", "valid_from", "valid_to", "level")
        for code, start, end, level in ctx.regions.select(columns).iter_rows():
            versions.setdefault(code, []).append((start, end, level))
        flagged = frozenset(row for row, column in table.flagged if column == "value")
        sources = frozenset(row for row, column in table.flagged if column == "source")
        return cls(ctx, versions, flagged, sources)

    def read(self, cells: dict[str, Any]) -> _Row:
        row = _Row(int(cells["_row"]))
        for column in ("region_code", "period", "value"):
            if _full_width(cells[column]):
                row.fire("full-width", column)
        code, indicator, period = (_norm(cells[c]) for c in ("region_code", "indicator", "period"))
        value, note = _norm(cells["value"]), cells["note"]
        row.note = None if note is None or note.strip() == "" else note.strip()
        keys = (code, indicator, period)
        if all(_blank(k) for k in keys) and _blank(value) and _blank(row.note):
            row.fire("blank-row", None)
            return row
        if any(_is_total(label) for label in (code, indicator, cells.get("region_name"))):
            row.fire("totals-row", "region_code")
            return row
        self._source(row, cells.get("source"))
        self._region(row, code)
        self._period(row, period)
        self._region_in_time(row)
        self._indicator(row, indicator)
        self._value(row, value)
        return row

    def _source(self, row: _Row, text: str | None) -> None:
        """source-too-long, source-formula (a formula cell: the reader's, not again here)."""
        cell = None if text is None else text.strip()
        row.source = None if cell is None or cell.lower() in EMPTY_MARKERS else cell
        if row.source is None or row.row in self.flagged_sources:
            return
        if len(row.source) > 2000:
            row.fire("source-too-long", "source")
        if row.source[0] in "=+-@＝＋－＠":
            row.fire("source-formula", "source")

    def _region(self, row: _Row, text: str | None) -> None:
        if _blank(text):
            row.fire("region-missing", "region_code")
            return
        code: str | None
        rule: str | None
        if is_unit_code(str(text).strip()):  # a registered unit's code, in the same column
            code, rule = str(text).strip(), None
        else:
            code, rule = normalise_region_code(str(text))
        if code is None or code not in self.versions:
            unit = is_unit_code(str(text).strip())
            row.fire("unit-unknown" if unit else "region-unknown", "region_code")
            return
        if rule is not None:
            row.fire(rule, "region_code")
        row.code = code

    def _period(self, row: _Row, text: str | None) -> None:
        if _blank(text):
            row.fire("period-missing", "period")
            return
        parsed = parse_quarter(str(text))
        if isinstance(parsed, PeriodProblem):
            row.fire(parsed.rule, "period")
            return
        row.quarter = parsed
        if parsed.end >= self.ctx.today:
            row.fire("period-future", "period")
        elif parsed < PLAN_START:
            row.fire("period-before-plan", "period")

    def level_then(self, row: _Row) -> str | None:
        """The region's level in the quarter reported; None when it was not valid then."""
        assert row.code is not None and row.quarter is not None
        end = row.quarter.end
        for start, until, level in self.versions[row.code]:
            if start <= end and (until is None or end < until):
                return level
        return None

    def _region_in_time(self, row: _Row) -> None:
        unit = row.code is not None and is_unit_code(row.code)
        if row.code is not None and row.quarter is not None and self.level_then(row) is None:
            row.fire("unit-expired" if unit else "region-expired", "region_code")
        scope = self.ctx.scope
        if scope is None or row.code is None:
            return
        if unit:  # a unit is in scope when its parent region is
            if self.ctx.regions.filter(pl.col("code") == row.code)["unit_parent"][0] not in scope:
                row.fire("unit-out-of-scope", "region_code")
        elif row.code not in scope:
            total = row.code in self.ctx.jurisdiction_codes  # a jurisdiction's own total
            row.fire("total-out-of-scope" if total else "region-out-of-scope", "region_code")

    def _indicator(self, row: _Row, text: str | None) -> None:
        if _blank(text):
            row.fire("indicator-missing", "indicator")
            return
        row.indicator = self.ctx.aliases.get(alias_key(str(text)))
        if row.indicator is None:
            row.fire("indicator-unknown", "indicator")
            return
        if row.code is None or row.quarter is None or self.level_then(row) is None:
            return
        if row.indicator not in self.ctx.reported_by.get(row.code, frozenset()):
            row.fire("indicator-not-applicable", "indicator")

    def _value(self, row: _Row, text: str | None) -> None:
        if text is None or text.lower() in EMPTY_MARKERS:
            if row.row not in self.flagged:
                row.fire("value-missing", "value")
            return
        row.valued = True
        unit = re.search(UNIT_CHARS, text) is not None
        thousands = re.search(THOUSANDS, text) is not None
        row.number = _number(text.replace(",", "") if thousands else text)
        if unit:
            row.fire("value-unit", "value")
        if thousands:
            row.fire("value-thousands", "value")
        if row.number is None and not unit:
            row.fire("value-not-number", "value")
        info = None if row.indicator is None else self.ctx.indicators[row.indicator]
        if row.number is None or info is None or info.allows_negative:
            return
        if row.number < 0:
            row.fire("negative-count", "value")
        if info.unit == "%" and row.number > 100:
            row.fire("percent-over-100", "value")


def _duplicates(rows: list[_Row]) -> list[_Row]:
    """Fire the duplicate rules; the rows left to load (the first of each key)."""
    first: dict[tuple[str, str, str], _Row] = {}
    clean = []
    for row in rows:
        key = row.key
        if key is None:
            continue
        if key not in first:
            first[key] = row
            clean.append(row)
        elif (row.number, row.note, row.source) == (
            first[key].number,
            first[key].note,
            first[key].source,
        ):
            row.fire("duplicate-row", None)
        elif row.number == first[key].number and row.note == first[key].note:
            row.fire("duplicate-key-source", "source")
        elif row.number == first[key].number:
            row.fire("duplicate-key-note", "note")
        else:
            row.fire("duplicate-key", "value")
    return clean


def _trend(ctx: ValidationContext, row: _Row, previous: float | None) -> None:
    assert row.indicator is not None and row.number is not None
    info = ctx.indicators[row.indicator]
    if previous is None:
        return
    if info.measure == "stock" and info.unit not in NO_FALL_UNITS and row.number < previous:
        row.fire("stock-fell", "value")
    if info.measure == "flow" and previous > 0 and row.number > 10 * previous:
        row.fire("flow-jump", "value")


def _history(ctx: ValidationContext, clean: list[_Row], stored: Stored) -> None:
    """stock-fell and flow-jump against the previous quarter: the file's clean row of it when
    any clean row is of that quarter, else the warehouse's value."""
    loaded = {row.quarter.label for row in clean if row.quarter is not None}
    values = {row.key: row.number for row in clean}
    for row in clean:
        assert row.key is not None and row.quarter is not None
        code, indicator, _ = row.key
        before = row.quarter.previous().label
        earlier = values if before in loaded else stored
        _trend(ctx, row, earlier.get((code, indicator, before)))


def row_by_row(
    table: Table, ctx: ValidationContext, stored: Stored
) -> tuple[list[Where], list[Loaded]]:
    """The issues' (rule, row, column) and the rows to load, reading one row at a time."""
    reader = _Reader.of(table, ctx)
    rows = [reader.read(cells) for cells in table.frame.iter_rows(named=True)]
    clean = _duplicates(rows)
    _history(ctx, clean, stored)
    issues = [(i.rule, i.row, i.column) for i in table.issues]
    issues += [issue for row in rows for issue in row.issues]
    loaded: list[Loaded] = []
    for row in clean:
        assert row.key is not None and row.number is not None
        loaded.append((row.row, *row.key, row.number, row.note))
    return _ordered(issues), loaded


def _ordered(issues: list[Where]) -> list[Where]:
    return sorted(issues, key=lambda w: (w[1] is not None, w[1] or 0, w[2] or "", w[0]))


# --------------------------------------------------------------------------------------------
# the fixtures on every path


@dataclass
class Run:
    """One check of a file on one path: what the upload sees, and what validation returned."""

    issues: list[Issue]
    rows: pl.DataFrame | None
    counts: tuple[int, int]
    validated: list[tuple[Table, ValidationContext, Validated]]

    def loaded(self) -> list[Loaded]:
        assert self.validated, "the file was refused while reading"
        return _loaded(self.validated[0][2].rows)


def _loaded(rows: pl.DataFrame) -> list[Loaded]:
    columns = ("_row", "region_code", "indicator", "period", "value", "note")
    return [(int(r), c, i, p, float(v), n) for r, c, i, p, v, n in rows.select(columns).iter_rows()]


def _check(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    strategy: Strategy | None,
    ref: Reference,
) -> Run:
    """:func:`etl.load.check_file` with validation on the path ``strategy`` forces."""
    seen: list[tuple[Table, ValidationContext, Validated]] = []

    def on_path(table: Table, ctx: ValidationContext, previous: Any = None) -> Validated:
        result = validate(table, ctx, previous, strategy=strategy)
        seen.append((table, ctx, result))
        return result

    monkeypatch.setattr(etl.load, "validate", on_path)
    region = EXPECTED[name].region if name in EXPECTED else None
    data = (FIXTURES / name).read_bytes()
    issues, rows, total, skipped = check_file(
        data, name, db=None, region=region, today=TODAY, ref=ref
    )
    if not seen:  # refused while reading: every issue must be one of reading's
        assert all(REGISTRY[i.rule].where.startswith("etl.read") for i in issues), issues
    return Run(issues, rows, (total, skipped), seen)


@pytest.mark.parametrize("name", UPLOADS)
def test_every_path_decides_as_the_row_by_row_reference(
    name: str, ref: Reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = {path: _check(monkeypatch, name, strategy, ref) for path, strategy in PATHS.items()}
    default = runs.pop("default")
    for path, run in runs.items():
        assert run.issues == default.issues, path
        assert run.counts == default.counts, path
        assert (run.rows is None) == (default.rows is None), path
        if run.rows is not None and default.rows is not None:
            assert run.rows.equals(default.rows), path
        if default.validated:
            assert run.loaded() == default.loaded(), path
    if not default.validated:
        return
    ((table, ctx, validated),) = default.validated
    issues, loaded = row_by_row(table, ctx, {})
    assert _ordered([(i.rule, i.row, i.column) for i in validated.issues]) == issues
    assert default.loaded() == loaded
    if default.rows is not None:  # accepted: these are the rows that would be loaded
        assert _loaded(default.rows) == loaded


def test_the_forced_paths_take_the_other_branches(
    ref: Reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a fixture, arrays are the default; forcing hash joins reaches the fallbacks."""
    calls: list[object] = []
    use_arrays = Strategy.use_arrays

    def decided(self: Strategy, combinations: int, rows: int) -> bool:
        calls.append(use_arrays(self, combinations, rows))
        return calls[-1] is True

    monkeypatch.setattr(Strategy, "use_arrays", decided)
    for name in ("_previous_by_array", "_previous_by_join"):
        real = getattr(etl.validate.history, name)

        def called(*args: Any, real: Callable[..., pl.Series] = real, name: str = name) -> Any:
            calls.append(name)
            return real(*args)

        monkeypatch.setattr(etl.validate.history, name, called)
    # (region, quarter) pairs, then (region, indicator, quarter) keys; then the previous quarter
    _check(monkeypatch, "stock-fell.csv", None, ref)
    assert calls == [True, True, "_previous_by_array"]
    calls.clear()
    _check(monkeypatch, "stock-fell.csv", Strategy(dense=False), ref)
    assert calls == [False, False, "_previous_by_join"]


# --------------------------------------------------------------------------------------------
# generated tables, with a warehouse


NAME_OF_FLOW = "新认定的省级中小企业公共服务示范平台"
SHARE = "gov_procurement_sme_share"  # %, may not exceed 100; reported by no one
COLUMNS = ("region_code", "indicator", "period", "value", "note", "source")
# Most cells are good, from a few values so that keys repeat and quarters follow each other;
# a row may have one cell from the odd ones, which break a rule or need normalising.
# fmt: off
GOOD: dict[str, list[str | None]] = {
    "region_code": ["440100", "440300", "370200", "440112", "370215"],
    "indicator": [FLOW, STOCK, WORKDAYS, PERCENT],
    "period": ["2017Q4", "2018Q1", "2018Q2", "2018Q3", "2018年第三季度"],
    "value": ["0", "5", "12", "60", "120", "350", "1200"],
    "note": [None, "", "首报"],
    "source": [None, None, "", "http://www.gd.gov.cn/x", "《广州统计月报》2018年10月"],
}
ODD: dict[str, list[str | None]] = {
    "region_code": ["440500", "445200", "440000", "440116", "0440100", "440100.0", "4.401E+05",
                    "999999", "", None, "４４０３００", " 440300 ", "合计", "abc"],
    "indicator": [SHARE, "local_service_activities", "qd_zjtx_upgrade_programme_firms",
                  NAME_OF_FLOW, f" {FLOW.upper()} ", "not_an_indicator", "", None, "小计"],
    "period": ["2018-09-30", "2017Q2", "2017Q3", "2015Q1", "2013Q4", "2019Q1", "2010Q4",
               "2018-09", "2018Q5", "", None, "２０１８Ｑ３"],
    "value": ["-3", "150.5", "1,234", "-1,234.5", "1.2万", "85%", "abc", "—", "N/A", "暂无", "",
              None, "１２３", " 12 ", "1e3", "inf", "nan", "+5", ".5", "1,2"],
    "note": [" 首报 ", "  ", "另一备注"],
    "source": ["=1+1", "+86 20 8313 3000", "-", "@SUM(A1)", " ＝A1", "x" * 2001, "x" * 2000,
               " http://www.gd.gov.cn/x "],
}
# fmt: on
NAMES = [None, None, None, "广州市", "合计"]
STORED: dict[tuple[str, str, str], float] = {
    ("440100", STOCK, "2018Q2"): 500.0,
    ("440100", FLOW, "2018Q2"): 1.0,
    ("440300", FLOW, "2018Q2"): 0.0,
    ("440100", STOCK, "2017Q4"): 100.0,
    ("440100", WORKDAYS, "2018Q2"): 50.0,
    ("370200", PERCENT, "2018Q2"): 99.0,
}


@st.composite
def rows(draw: st.DrawFn) -> tuple[list[str | None], str | None, bool]:
    """A row's cells, its region_name, and whether the reader flagged its value."""
    cells = [draw(st.sampled_from(GOOD[c])) for c in COLUMNS]
    spoil = draw(st.sampled_from([None, None, None, "blank", *COLUMNS]))
    if spoil == "blank":
        cells = [draw(st.sampled_from([None, "", " "])) for _ in COLUMNS]
    elif spoil is not None:
        cells[COLUMNS.index(spoil)] = draw(st.sampled_from(ODD[spoil]))
    return cells, draw(st.sampled_from(NAMES)), draw(st.booleans())


@st.composite
def tables(draw: st.DrawFn) -> Table:
    drawn = [draw(rows()) for _ in range(draw(st.integers(0, 50)))]
    drawn = [r for r in drawn for _ in range(draw(st.integers(1, 2)))]  # repeats and runs
    frame = pl.DataFrame(
        {"_row": list(range(2, len(drawn) + 2))}
        | {c: [cells[i] for cells, _, _ in drawn] for i, c in enumerate(COLUMNS)},
        schema={"_row": pl.Int64} | dict.fromkeys(COLUMNS, pl.String),
    )
    if draw(st.booleans()):
        frame = frame.with_columns(pl.Series("region_name", [n for _, n, _ in drawn], pl.String))
    # a value the reader reported (an error cell) arrives empty and is not reported again
    flagged = {(n + 2, "value") for n, (cells, _, f) in enumerate(drawn) if cells[3] is None and f}
    return Table("generated.csv", None, frame, flagged=flagged)


def _same_on_every_path(
    table: Table, ctx: ValidationContext, stored: Stored
) -> list[tuple[str, Validated]]:
    """Validate ``table`` on every path, against a warehouse holding ``stored``, and compare each
    result with the reference and with the default path's."""

    def previous(keys: pl.DataFrame) -> pl.DataFrame:
        found = [(*k, stored[k]) for k in keys.iter_rows() if k in stored]
        schema = dict.fromkeys(("region_code", "indicator", "period"), pl.String)
        return pl.DataFrame(found, schema=schema | {"value": pl.Float64}, orient="row")

    issues, loaded = row_by_row(table, ctx, stored)
    results = [(p, validate(table, ctx, previous, strategy=s)) for p, s in PATHS.items()]
    _, default = results[0]
    for path, result in results:
        assert _ordered([(i.rule, i.row, i.column) for i in result.issues]) == issues, path
        assert _loaded(result.rows) == loaded, path
        assert result.issues == default.issues, path
        counts = (result.rows_total, result.rows_skipped)
        assert counts == (default.rows_total, default.rows_skipped), path
    return results


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(table=tables(), region=st.sampled_from([None, "440000", "445200", "370200"]))
def test_generated_tables_on_every_path_match_the_reference(
    table: Table, region: str | None, ref: Reference
) -> None:
    _same_on_every_path(table, validation_context(ref, region, TODAY), STORED)


def _table(*lines: str) -> Table:
    """A table as reading makes it, from CSV lines under the template's header (empty: null)."""
    cells = [[c or None for c in (line + ",,,,").split(",")] for line in lines]
    columns = {c: [row[i] for row in cells] for i, c in enumerate(COLUMNS)}
    schema = {"_row": pl.Int64} | dict.fromkeys(COLUMNS, pl.String)
    frame = pl.DataFrame({"_row": list(range(2, len(lines) + 2))} | columns, schema=schema)
    return Table("inline.csv", None, frame)


def test_an_empty_note_and_no_note_are_the_same_note(ref: Reference) -> None:
    """CSV reads a quoted empty note ("") as an empty string and a missing one as null; a row
    repeating another's value is a duplicate-row either way, not a duplicate-key-note."""
    table = _table(*[f"440100,{FLOW},2018Q3,12,"] * 4)
    table.frame = table.frame.with_columns(pl.Series("note", [None, "", "  ", "首报"]))
    ((_, result), *_) = _same_on_every_path(table, validation_context(ref, None, TODAY), {})
    assert [(i.rule, i.row) for i in result.issues] == [
        ("duplicate-row", 3),
        ("duplicate-row", 4),
        ("duplicate-key-note", 5),
    ]
