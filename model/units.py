"""The register of units: the things a per-unit goal is about (a service centre, a platform, a
startup base), as data.

A unit has a code, a name, a kind (``data/unit_kinds.yaml``), a level, a parent region and
validity dates, and a source; it reports like a region, under its own code.  The bundled
register is ``data/units.csv`` (only units a seed document or a cited public source
establishes); the sample warehouse adds sample units, and an admin adds units from a file
(``target-monitor units add FILE``, :mod:`model.unit_file` checks it).  The warehouse keeps every
version (``warehouse/migrations/009_units.sql``).

A unit's code is its parent region's code (at registration), a ``-``, the kind's two capitals and
a number: ``440100-FW01`` is a service centre under 广州市, ``441900113-PT02`` a platform of a
town.  A region code is digits only, so the two can never be mistaken for one another.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, cast

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from model import paths
from model.catalogue import Catalogue, Problem, Target
from model.regions import LEVELS, RegionLevel

UNITS = paths.DATA / "units.csv"
UNIT_KINDS = paths.DATA / "unit_kinds.yaml"
UNIT_CODE = re.compile(r"^(?P<parent>\d{6}|\d{9})-(?P<letters>[A-Z]{2})(?P<number>\d{2,3})$")
COLUMNS = (
    "code",
    "name",
    "kind",
    "level",
    "parent_code",
    "valid_from",
    "valid_to",
    "source",
    "note",
)


def is_unit_code(text: str) -> bool:
    """True for a code shaped like a unit's (``440100-FW01``); a region code never is."""
    return UNIT_CODE.fullmatch(text) is not None


Letters = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Text = Annotated[str, StringConstraints(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Kind(_Strict):
    name_zh: Text
    name_en: Text
    letters: Letters
    levels: tuple[RegionLevel, ...]


class _Applies(_Strict):
    kind: Text
    levels: tuple[RegionLevel, ...]


class _File(_Strict):
    kinds: dict[str, _Kind]
    catalogue: dict[str, _Applies]


@dataclass(frozen=True)
class UnitKind:
    key: str
    name_zh: str
    name_en: str
    letters: str
    levels: tuple[RegionLevel, ...]


@dataclass(frozen=True)
class UnitKinds:
    """The kinds, and what the catalogue's free-text ``unit_kind`` means: (kind, levels)."""

    kinds: tuple[UnitKind, ...]
    applies: tuple[tuple[str, str, tuple[RegionLevel, ...]], ...]  # unit_kind, kind, levels

    def get(self, key: str) -> UnitKind | None:
        return next((k for k in self.kinds if k.key == key), None)

    def of_target(self, target: Target) -> tuple[str, tuple[RegionLevel, ...]] | None:
        """The register kind and unit levels a per-unit goal is judged on (None: unmapped)."""
        text = target.scope.unit_kind
        return next(((k, levels) for u, k, levels in self.applies if u == text), None)


def read_unit_kinds(path: Path = UNIT_KINDS) -> UnitKinds:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parsed = _File.model_validate(data, strict=False)
    kinds = tuple(
        UnitKind(key, k.name_zh, k.name_en, k.letters, k.levels) for key, k in parsed.kinds.items()
    )
    applies = tuple((text, a.kind, a.levels) for text, a in parsed.catalogue.items())
    return UnitKinds(kinds, applies)


@cache
def bundled_kinds() -> UnitKinds:
    return read_unit_kinds(UNIT_KINDS)


def check_unit_kinds(catalogue: Catalogue, kinds: UnitKinds | None = None) -> list[Problem]:
    """Every per-unit goal names a register kind (``data/unit_kinds.yaml``), on levels its kind
    may have; run by ``target-monitor check-targets``."""
    try:
        known = kinds or bundled_kinds()
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        return [Problem("unit-kinds-file", "data/unit_kinds.yaml", str(exc).splitlines()[0],
                        "fix the file as its header describes")]  # fmt: skip
    problems: list[Problem] = []
    for text, kind, levels in known.applies:
        where = f"data/unit_kinds.yaml catalogue.{text}"
        register = known.get(kind)
        if register is None:
            kinds_known = ", ".join(k.key for k in known.kinds)
            problems.append(Problem("unit-kind-unknown", where,
                                    f"'{text}' maps to '{kind}', which is not a unit kind",
                                    f"use one of: {kinds_known}"))  # fmt: skip
        elif bad := [lv for lv in levels if lv not in register.levels]:
            problems.append(Problem("unit-kind-levels", where,
                                    f"{kind} units are never at level {', '.join(bad)}",
                                    "use levels of: " + ", ".join(register.levels)))  # fmt: skip
    for i, target in enumerate(catalogue.targets):
        if target.scope.level == "unit" and known.of_target(target) is None:
            problems.append(
                Problem(
                    "unit-kind-unmapped",
                    f"targets[{i}].scope.unit_kind",
                    f"'{target.scope.unit_kind}' ({target.id}) names no kind of the unit register",
                    "add it under 'catalogue:' in data/unit_kinds.yaml with its kind and levels",
                )
            )
    return problems


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    level: RegionLevel
    parent_code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: str
    note: str = ""
    origin: str = field(default="register", compare=False)  # register | sample | admin

    def valid_on(self, day: dt.date) -> bool:
        """``valid_from <= day < valid_to``, as for regions."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


def units_of_frame(rows: Iterable[Mapping[str, object]]) -> list[Unit]:
    """Units from rows of the warehouse's register (``warehouse.queries.unit_register``)."""
    out = []
    for r in rows:
        since = cast(dt.date | None, r["valid_from"])
        out.append(
            Unit(
                code=str(r["code"]),
                name=str(r["name"]),
                kind=str(r["kind"]),
                level=cast(RegionLevel, r["level"]),
                parent_code=str(r["parent_code"]),
                valid_from=None if since is None or since.year <= 1900 else since,
                valid_to=cast(dt.date | None, r["valid_to"]),
                source=str(r["source"] or ""),
                note=str(r["note"] or ""),
                origin=str(r.get("origin") or "register"),
            )
        )
    return out


@dataclass(frozen=True)
class UnitRegister:
    """The units, by kind: which are due to report in a quarter, and under which jurisdiction."""

    units: tuple[Unit, ...]
    jurisdiction: Mapping[str, str]  # region code → jurisdiction (a unit's is its parent's)
    kinds: UnitKinds | None = None  # data/unit_kinds.yaml unless given
    on_time: frozenset[tuple[str, str, str]] = frozenset()  # (code, indicator, period) on time

    def expected(
        self, kind: str, levels: Sequence[str], jurisdiction: str, day: dt.date
    ) -> list[Unit]:
        """The units of ``kind`` at ``levels`` in ``jurisdiction`` valid on ``day``, by code."""
        out = {
            u.code: u
            for u in self.units
            if u.kind == kind
            and u.level in levels
            and self.jurisdiction.get(u.parent_code) == jurisdiction
            and u.valid_on(day)
        }
        return [out[c] for c in sorted(out, key=lambda c: (LEVELS.index(out[c].level), c))]

    def names(self) -> dict[str, str]:
        return {u.code: u.name for u in self.units}
