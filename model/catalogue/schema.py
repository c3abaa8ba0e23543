"""The catalogue's typed model: frozen, strict pydantic objects, one per entry of ``targets.yaml``.

:class:`Document`, :class:`Indicator`, :class:`Target` (with its :class:`Scope` and
:class:`Baseline`) and :class:`Parameter`, the constrained field types they share, and
:class:`Catalogue`, the whole checked catalogue with its lookups by id.  ``SECTIONS`` maps each
top-level key of the file to the model of its entries.  The format is documented in
``docs/catalogue-format.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from model.kinds import Comparator, Kind

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
IndicatorKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}(\d{3})?$")]
Text = Annotated[str, StringConstraints(min_length=1)]
Date = Annotated[dt.date, Field(strict=False)]
Number = float | int
Names = Annotated[tuple[Text, ...], Field(strict=False)]

Measure = Literal["flow", "stock"]
Rollup = Literal["sum", "share_of_units", "ratio", "latest", "mean", "max", "min", "none"]
Level = Literal["province", "city", "county", "town", "unit"]
Reporter = Literal["province", "city", "county", "town"]
Reporters = Annotated[tuple[Reporter, ...], Field(strict=False)]
Recurrence = Literal["once", "yearly", "biennial"]
RECURRENCE_YEARS: dict[Recurrence, int | None] = {"once": None, "yearly": 1, "biennial": 2}
"""The length of a recurring goal's cycle in years; cycles are counted from the calendar year of
the goal's start (the first cycle opens on the start date)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Document(_Strict):
    id: Slug
    number: Text | None = None
    title: Text
    issuer: Text
    date: Date
    jurisdiction: RegionCode
    seed_file: Text
    note: Text | None = None


class Indicator(_Strict):
    key: IndicatorKey
    name_zh: Text
    name_en: Text
    unit: Text
    measure: Measure
    rollup: Rollup
    numerator: IndicatorKey | None = None
    denominator: IndicatorKey | None = None
    definition: Text


class Scope(_Strict):
    jurisdiction: RegionCode
    level: Level
    applies_to: Literal["whole", "each"]
    unit_kind: Text | None = None


class Baseline(_Strict):
    """The level a stock or share goal starts from, as a document states it: the value (in the
    target's unit), the date it held at, and where it is stated (document and clause, or a
    published source)."""

    value: Number
    date: Date
    source: Text


class Target(_Strict):
    id: Slug
    document: Slug
    article: Text
    quote: Text
    indicator: IndicatorKey
    scope: Scope
    reported_by: Reporters
    kind: Kind
    comparator: Comparator
    value: Number | None = None
    min: Number | None = None
    max: Number | None = None
    unit: Text
    start: Date
    deadline: Date
    recurrence: Recurrence
    reference_indicator: IndicatorKey | None = None
    baseline: Baseline | None = None
    follows: Slug | None = None
    """The id of this goal's earlier stage (same indicator and scope, earlier deadline): the
    later stage of a staged goal names it; nothing is inferred."""
    hold: bool = False
    """A level to be kept ("保持…以上"): it must hold in every quarter of the window, not only
    at the deadline."""
    verified: bool = True
    """False while the figure is not yet checked against the published text (the goal page shows
    it as unverified); ``unverified_reason`` then says why."""
    unverified_reason: Text | None = None
    lead: Names = ()
    participants: Names = ()
    headline: bool = False
    note: Text | None = None


class Parameter(_Strict):
    id: Slug
    document: Slug
    article: Text
    quote: Text
    name_zh: Text
    value: Number | None = None
    min: Number | None = None
    max: Number | None = None
    unit: Text
    note: Text | None = None


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue, checked; lookups by id are dictionaries built once."""

    documents: tuple[Document, ...]
    indicators: tuple[Indicator, ...]
    targets: tuple[Target, ...]
    parameters: tuple[Parameter, ...]

    @cached_property
    def _by_id(self) -> tuple[dict[str, Document], dict[str, Indicator], dict[str, Target]]:
        return (
            {d.id: d for d in self.documents},
            {i.key: i for i in self.indicators},
            {t.id: t for t in self.targets},
        )

    def document(self, doc_id: str) -> Document:
        return self._by_id[0][doc_id]

    def indicator(self, key: str) -> Indicator:
        return self._by_id[1][key]

    def target(self, target_id: str) -> Target:
        return self._by_id[2][target_id]


SECTIONS: dict[str, type[_Strict]] = {
    "documents": Document,
    "indicators": Indicator,
    "targets": Target,
    "parameters": Parameter,
}
