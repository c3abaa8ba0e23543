"""Read and check the jurisdictions (``data/jurisdictions.yaml``): the governments whose
documents set goals, as data.

A jurisdiction names the level that reports its whole-jurisdiction goals (rolled up to its total),
its own level (which reports the goals that do not roll up), the level its map shows and the map
file.  Adding a jurisdiction is adding an entry to the file, its regions, its map and its goals;
no code names one (``tests/test_jurisdictions.py`` adds one from fixture files alone).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from model import paths
from model.catalogue import Problem, _problem_from_error
from model.regions import LEVELS, Region, RegionLevel

RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Text = Annotated[str, StringConstraints(min_length=1)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    code: RegionCode
    name_zh: Text
    name_en: Text
    level: RegionLevel
    reporting_level: RegionLevel
    map_level: RegionLevel
    map_file: Text
    sample_yearly: Annotated[dict[str, float | int], Field(default_factory=dict)]


@dataclass(frozen=True)
class Jurisdiction:
    """One government whose documents set goals; ``map_path`` is resolved against its file."""

    code: str
    name_zh: str
    name_en: str
    level: RegionLevel
    reporting_level: RegionLevel
    map_level: RegionLevel
    map_path: Path
    sample_yearly: tuple[tuple[str, float], ...] = ()

    def yearly(self, indicator: str, default: float) -> float:
        """The sample's yearly magnitude for ``indicator`` here, or ``default``."""
        return dict(self.sample_yearly).get(indicator, default)


@dataclass(frozen=True)
class Jurisdictions:
    """Every jurisdiction, in file order; hashable (it is part of ``etl.load.Reference``)."""

    items: tuple[Jurisdiction, ...]

    def __iter__(self) -> Iterator[Jurisdiction]:
        return iter(self.items)

    def __contains__(self, code: object) -> bool:
        return any(j.code == code for j in self.items)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(j.code for j in self.items)

    def get(self, code: str) -> Jurisdiction:
        for j in self.items:
            if j.code == code:
                return j
        raise KeyError(f"{code} is not a jurisdiction (known: {', '.join(self.codes)})")


class JurisdictionsError(Exception):
    """Raised by :func:`load_jurisdictions` with every problem of the file."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"jurisdictions file has {len(self.problems)} problem(s):\n{lines}")


def read_jurisdictions(path: Path) -> tuple[Jurisdictions | None, list[Problem]]:
    """Read and check ``path``; return the jurisdictions (or None) and every problem."""
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem("no-file", str(path), "no such file", "check the path")]
    except yaml.YAMLError as exc:
        return None, [Problem("yaml-syntax", where, str(exc), "check indentation and quotes")]
    raw = data.get("jurisdictions") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        return None, [
            Problem(
                "wrong-type",
                f"{where}: jurisdictions",
                "the file must hold a non-empty list under 'jurisdictions:'",
                "start with 'jurisdictions:' and one '- code: ...' entry per jurisdiction",
            )
        ]
    problems: list[Problem] = []
    adapter = TypeAdapter(_Entry)
    items: list[Jurisdiction] = []
    for i, item in enumerate(raw):
        try:
            entry = adapter.validate_python(item)
        except ValidationError as exc:
            problems += [
                _problem_from_error(e, (f"{where}: jurisdictions", i)) for e in exc.errors()
            ]
            continue
        prefix = f"{where}: jurisdictions[{i}]"
        if entry.code in (j.code for j in items):
            problems.append(
                Problem(
                    "duplicate-id",
                    f"{prefix}.code",
                    f"'{entry.code}' is listed twice",
                    "keep one entry per jurisdiction",
                )
            )
        for field in ("reporting_level", "map_level"):
            below = getattr(entry, field)
            if LEVELS.index(below) <= LEVELS.index(entry.level):
                problems.append(
                    Problem(
                        "invalid-choice",
                        f"{prefix}.{field}",
                        f"{field} '{below}' is not below the jurisdiction's level '{entry.level}'",
                        "use a level below it: "
                        + ", ".join(LEVELS[LEVELS.index(entry.level) + 1 :]),
                    )
                )
        map_path = path.parent / entry.map_file
        if not map_path.is_file():
            problems.append(
                Problem(
                    "no-file",
                    f"{prefix}.map_file",
                    f"no map file {map_path}",
                    "give the GeoJSON's path relative to the jurisdictions file",
                )
            )
        items.append(
            Jurisdiction(
                code=entry.code,
                name_zh=entry.name_zh,
                name_en=entry.name_en,
                level=entry.level,
                reporting_level=entry.reporting_level,
                map_level=entry.map_level,
                map_path=map_path,
                sample_yearly=tuple((k, float(v)) for k, v in entry.sample_yearly.items()),
            )
        )
    if problems:
        return None, problems
    return Jurisdictions(tuple(items)), []


def load_jurisdictions(path: Path = paths.JURISDICTIONS) -> Jurisdictions:
    """Read and check ``path``; raise :class:`JurisdictionsError` with every problem if any."""
    jurisdictions, problems = read_jurisdictions(path)
    if jurisdictions is None:
        raise JurisdictionsError(problems)
    return jurisdictions


@cache
def bundled() -> Jurisdictions:
    """The jurisdictions of ``data/jurisdictions.yaml`` (what callers get when they pass none)."""
    return load_jurisdictions(paths.JURISDICTIONS)


def check_against_regions(jurisdictions: Jurisdictions, regions: Iterable[Region]) -> list[Problem]:
    """Each jurisdiction is a region of its stated level, and has regions at its map level."""
    listed = list(regions)
    problems: list[Problem] = []
    for i, j in enumerate(jurisdictions):
        where = f"{paths.JURISDICTIONS.name}: jurisdictions[{i}]"
        own = [r for r in listed if r.code == j.code]
        if not own:
            problems.append(
                Problem(
                    "unknown-region",
                    f"{where}.code",
                    f"{j.code} {j.name_zh} is not in the region list",
                    "add it to data/regions.csv with an empty parent_code",
                )
            )
        elif own[-1].level != j.level:
            problems.append(
                Problem(
                    "invalid-choice",
                    f"{where}.level",
                    f"{j.code} is a {own[-1].level} in the region list, not a {j.level}",
                    f"write level: {own[-1].level}",
                )
            )
    return problems


def jurisdiction_of_regions(
    regions: Iterable[Region], jurisdictions: Jurisdictions | None = None
) -> dict[str, str]:
    """Region code → the jurisdiction whose goals apply to it: its nearest ancestor (or itself)
    that is a jurisdiction.  Regions under none are left out."""
    codes = frozenset((jurisdictions or bundled()).codes)
    parent: dict[str, str | None] = {}
    for r in regions:
        parent.setdefault(r.code, r.parent_code)
    out: dict[str, str] = {}
    for code in parent:
        node: str | None = code
        seen = 0
        while node is not None and node not in codes and seen < 10:
            node = parent.get(node)
            seen += 1
        if node in codes:
            out[code] = node
    return out
