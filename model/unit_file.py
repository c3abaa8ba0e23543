"""Check a file of units before it enters the register: every problem, named, at its row.

Used for the bundled ``data/units.csv`` (``target-monitor init``), for ``target-monitor units add
FILE`` and for the admin page.  Each problem is an :class:`model.issues.Issue` of a ``unit-*`` rule
(message and fix in Chinese and English), with the file, the row as a spreadsheet shows it (the
header is row 1) and the column; nothing is registered from a file with any problem.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import polars as pl

from model.catalogue import Problem
from model.issues import Issue, make_issue
from model.regions import Region, RegionLevel
from model.units import COLUMNS, UNIT_CODE, Unit, UnitKinds, bundled_kinds


@dataclass(frozen=True)
class UnitFile:
    """A register file, checked: the units it adds (none when it has any problem)."""

    units: tuple[Unit, ...]
    issues: tuple[Issue, ...]

    @property
    def accepted(self) -> bool:
        return not self.issues


def read_unit_file(
    data: bytes,
    name: str,
    *,
    regions: Sequence[Region],
    registered: Iterable[Unit] = (),
    kinds: UnitKinds | None = None,
    origin: str = "admin",
) -> UnitFile:
    """Check a CSV (UTF-8, a BOM allowed) of units against the regions, the kinds and the units
    already ``registered``; return the units or every problem."""
    try:
        text = data.decode("utf-8-sig")
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    except (UnicodeDecodeError, pl.exceptions.PolarsError) as exc:
        return UnitFile((), (make_issue("unit-file", file=name, value=str(exc)[:120]),))
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        issue = make_issue("unit-file", file=name, value="缺列 missing: " + ", ".join(missing))
        return UnitFile((), (issue,))
    frame = frame.with_columns(pl.col(pl.String).fill_null("").str.strip_chars())
    checker = _Checker(name, regions, kinds or bundled_kinds(), origin)
    for line, row in enumerate(frame.iter_rows(named=True), start=2):
        checker.row(row, line)
    checker.versions(list(registered))
    units = tuple(u for _, u in checker.parsed)
    return UnitFile(units if not checker.issues else (), tuple(checker.issues))


class _Checker:
    def __init__(self, name: str, regions: Sequence[Region], kinds: UnitKinds, origin: str):
        self.name, self.kinds, self.origin = name, kinds, origin
        self.levels: dict[str, RegionLevel] = {r.code: r.level for r in regions}
        self.issues: list[Issue] = []
        self.parsed: list[tuple[int, Unit]] = []  # each good row: its line and its unit

    def fire(self, rule: str, line: int, column: str, value: object, **context: object) -> None:
        issue = make_issue(rule, file=self.name, row=line, value=value, **context)  # type: ignore[arg-type]
        self.issues.append(replace(issue, column=column))

    def row(self, row: dict[str, str], line: int) -> None:
        before = len(self.issues)
        code, kind_key, level = row["code"], row["kind"], row["level"]
        for column in ("name", "source"):
            if not row[column]:
                self.fire("unit-field-missing", line, column, row["code"], field=column)
        kind = self.kinds.get(kind_key)
        if kind is None:
            known = ", ".join(k.key for k in self.kinds.kinds)
            self.fire("unit-kind-unknown", line, "kind", kind_key, kinds=known)
        match = UNIT_CODE.fullmatch(code)
        letters = kind.letters if kind else "XX"
        if (
            match is None
            or (kind is not None and match["letters"] != kind.letters)
            # the prefix is a region's code (when it is the parent's: unit-parent-unknown)
            or match["parent"] not in {*self.levels, row["parent_code"]}
        ):
            example = f"{row['parent_code'] or '440100'}-{letters}01"
            self.fire("unit-code-shape", line, "code", code, example=example)
        parent = self.levels.get(row["parent_code"])
        if parent is None:
            self.fire("unit-parent-unknown", line, "parent_code", row["parent_code"])
        elif kind is not None and (level not in kind.levels or level != parent):
            self.fire("unit-level", line, "level", level, parent=parent,
                      levels="/".join(kind.levels))  # fmt: skip
        dates: list[dt.date | None] = []
        for column in ("valid_from", "valid_to"):
            try:
                dates.append(dt.date.fromisoformat(row[column]) if row[column] else None)
            except ValueError:
                self.fire("unit-bad-date", line, column, row[column])
                dates.append(None)
        since, until = dates
        if since and until and until <= since:
            self.fire("unit-dates-order", line, "valid_to", until, since=since)
        if len(self.issues) == before:
            unit = Unit(code, row["name"], kind_key, cast(RegionLevel, level), row["parent_code"],
                        since, until, row["source"], row["note"], self.origin)  # fmt: skip
            self.parsed.append((line, unit))

    def versions(self, registered: list[Unit]) -> None:
        """unit-duplicate-code (twice in the file) and unit-overlap (two versions of a code
        valid at once; the same code and valid_from as a registered version corrects it)."""
        first: dict[str, int] = {}
        for line, unit in self.parsed:
            if unit.code in first:
                self.fire("unit-duplicate-code", line, "code", unit.code, first=first[unit.code])
            first.setdefault(unit.code, line)
        for line, unit in self.parsed:
            for old in registered:
                if old.code != unit.code or old.valid_from == unit.valid_from:
                    continue  # another unit, or a correction of this version
                if _overlap(old, unit):
                    self.fire("unit-overlap", line, "valid_from", unit.code,
                              since=old.valid_from or "—", until=old.valid_to or "—")  # fmt: skip


def _overlap(a: Unit, b: Unit) -> bool:
    low, high = dt.date.min, dt.date.max
    return (a.valid_from or low) < (b.valid_to or high) and (b.valid_from or low) < (
        a.valid_to or high
    )


def load_units(path: Path, regions: Sequence[Region], origin: str = "register") -> list[Unit]:
    """The units of a register file (the bundled ``data/units.csv``) whose parent is one of
    ``regions`` (a warehouse of another region list holds none of the others); raise on any
    problem.  ``target-monitor check-targets`` checks every row against the bundled regions."""
    if not path.exists():
        return []
    frame = pl.read_csv(path, infer_schema=False)
    if "parent_code" in frame.columns:
        frame = frame.filter(pl.col("parent_code").is_in([r.code for r in regions]))
    data = frame.write_csv().encode("utf-8")
    checked = read_unit_file(data, path.name, regions=regions, origin=origin)
    if not checked.accepted:
        lines = "\n".join(f"{i.where()}: [{i.rule}] {i.message_en}" for i in checked.issues)
        raise ValueError(f"{path.name} has {len(checked.issues)} problem(s):\n{lines}")
    return list(checked.units)


def check_unit_file(path: Path, regions: Sequence[Region]) -> list[Problem]:
    """The register file's problems as catalogue problems (``target-monitor check-targets``)."""
    if not path.exists():
        return []
    checked = read_unit_file(path.read_bytes(), path.name, regions=regions, origin="register")
    return [
        Problem(i.rule, f"{i.file}:{i.row} {i.column}", i.message_en, i.fix_en)
        for i in checked.issues
    ]
