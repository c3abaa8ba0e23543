"""Read and check the goals catalogue (``targets.yaml``).

The catalogue is parsed into typed, frozen pydantic objects.  Checking never stops at the first
problem: :func:`check_catalogue` returns every problem it finds, each with a rule id, the YAML path
(``targets[12].scope.level``) and a hint for the fix, so that ``target-monitor check-targets`` can
print them all at once and the tests can assert exactly which rule fired where.

The format is documented in ``docs/catalogue-format.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from model.kinds import KINDS, Comparator, Kind

# ---------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalogue: which rule, where, what, and how to fix it."""

    rule: str
    path: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}: [{self.rule}] {self.message}\n    提示 hint: {self.hint}"


class CatalogueError(Exception):
    """Raised by :func:`load_catalogue` when the catalogue has problems; carries all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"targets catalogue has {len(self.problems)} problem(s):\n{lines}")


# ---------------------------------------------------------------------------------------------
# The typed model

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
    value: Number
    date: Date


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

# ---------------------------------------------------------------------------------------------
# YAML reading: duplicate keys are an error, not "last one wins"


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int) -> None:
        self.key, self.line = key, line


class _StrictLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return dict(loader.construct_pairs(node))


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# ---------------------------------------------------------------------------------------------
# Turning pydantic errors into problems


def _path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_REGION_FIELDS = {"jurisdiction"}
_DATE_FIELDS = {"date", "start", "deadline"}


def _problem_from_error(err: Mapping[str, Any], prefix: tuple[str | int, ...]) -> Problem:
    loc = tuple(p for p in err["loc"] if p not in {"int", "float", "function-after"})
    path = _path(prefix + loc)
    field = str(loc[-1]) if loc else ""
    kind = str(err["type"])
    given = err.get("input")
    if kind == "extra_forbidden":
        return Problem("unknown-key", path, f"unknown key '{field}'", _allowed_keys_hint(prefix))
    if kind == "missing":
        if field == "reported_by":
            return Problem(
                "missing-field",
                path,
                "the target does not say who reports it",
                "add 'reported_by:' with the levels whose regions report it, e.g. [city]; "
                "`target-monitor check-targets --suggest-reported-by` prints the derived value",
            )
        if field == "quote":
            return Problem(
                "missing-quote",
                path,
                "the target has no quote from its document",
                "copy the clause that states the goal word for word from the seed text",
            )
        return Problem("missing-field", path, f"required key '{field}' is missing", "add it")
    if kind == "string_too_short" and field == "quote":
        return Problem(
            "missing-quote",
            path,
            "the quote is empty",
            "copy the clause that states the goal word for word from the seed text",
        )
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", ""))
        near = difflib.get_close_matches(str(given), re.findall(r"'([^']*)'", expected), n=1)
        hint = f"use one of {expected}"
        return Problem(
            "invalid-choice",
            path,
            f"'{given}' is not allowed here",
            f"did you mean '{near[0]}'? {hint}" if near else hint,
        )
    if field in _REGION_FIELDS and not isinstance(given, str):
        return Problem(
            "wrong-type",
            path,
            f"region code {given!r} is a {type(given).__name__}, not a string",
            f"quote it in YAML: '{given}' (unquoted codes are read as numbers)",
        )
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        return Problem(
            "invalid-format", path, f"'{given}' does not match {pattern}", _format_hint(field)
        )
    if field in _DATE_FIELDS:
        return Problem(
            "wrong-type",
            path,
            f"{given!r} is not a date",
            "write the date unquoted as YYYY-MM-DD, e.g. 2015-12-31",
        )
    if kind.endswith("_type") or kind.endswith("_parsing"):
        hint = "write a plain number in base units, e.g. 100000 for 10万"
        if kind.startswith("bool"):
            hint = "write true or false"
        elif kind in {"string_type"}:
            hint = "write text; quote it if YAML reads it as a number, date or yes/no"
        elif kind in {"list_type", "tuple_type"}:
            hint = "write a list, e.g. [省经济和信息化委]"
        elif kind in {"model_type", "dict_type", "model_attributes_type"}:
            hint = "write a mapping of key: value pairs"
        return Problem("wrong-type", path, f"{given!r}: {err['msg']}", hint)
    return Problem("invalid-value", path, str(err["msg"]), "see docs/catalogue-format.md")


def _allowed_keys_hint(prefix: tuple[str | int, ...]) -> str:
    model: type[BaseModel] | None = SECTIONS.get(str(prefix[0])) if prefix else None
    if model is None:
        return "remove it or check its spelling"
    return "remove it or check its spelling; allowed keys: " + ", ".join(model.model_fields)


def _format_hint(field: str) -> str:
    if field in {"id", "document"}:
        return "ids use lower-case letters, digits, '-' and '_', e.g. gd624-demo-platforms-2015"
    if field in {"key", "indicator", "numerator", "denominator", "reference_indicator"}:
        return "indicator keys are snake_case, e.g. demo_platforms_provincial"
    if field in _REGION_FIELDS:
        return "region codes are 6-digit GB/T 2260 codes (or 9-digit town codes), quoted"
    return "see docs/catalogue-format.md"


# ---------------------------------------------------------------------------------------------
# Checking


_M = TypeVar("_M", bound=_Strict)


def _parse_section(
    raw: object, name: str, model: type[_M], problems: list[Problem]
) -> list[tuple[int, _M]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(
            Problem("wrong-type", name, f"'{name}' must be a list", "start each entry with '- '")
        )
        return []
    adapter = TypeAdapter(model)
    parsed: list[tuple[int, _M]] = []
    for i, item in enumerate(raw):
        try:
            parsed.append((i, adapter.validate_python(item)))
        except ValidationError as exc:
            problems.extend(_problem_from_error(e, (name, i)) for e in exc.errors())
    return parsed


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def parse_catalogue(
    data: object, seeds_dir: Path | None = None
) -> tuple[Catalogue | None, list[Problem]]:
    """Check already-read YAML data; return the catalogue (if it parsed) and every problem."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return None, [
            Problem(
                "wrong-type",
                "(top)",
                "the catalogue must be a mapping",
                "start with 'documents:', 'indicators:', 'targets:' and 'parameters:'",
            )
        ]
    for key in data:
        if key not in SECTIONS:
            problems.append(
                Problem(
                    "unknown-key",
                    str(key),
                    f"unknown top-level key '{key}'",
                    "allowed: " + ", ".join(SECTIONS),
                )
            )
    for key in ("documents", "indicators", "targets"):
        if key not in data:
            problems.append(Problem("missing-field", key, f"'{key}' is missing", "add it"))

    docs = _parse_section(data.get("documents"), "documents", Document, problems)
    inds = _parse_section(data.get("indicators"), "indicators", Indicator, problems)
    tgts = _parse_section(data.get("targets"), "targets", Target, problems)
    params = _parse_section(data.get("parameters"), "parameters", Parameter, problems)

    problems.extend(_check_ids(docs, inds, tgts, params))
    # An entry that failed to parse has already been reported; references to it by its id are
    # not reported a second time as "unknown".
    doc_ids = _raw_ids(data.get("documents"), "id")
    ind_keys = _raw_ids(data.get("indicators"), "key")
    doc_by_id = {d.id: d for _, d in docs}
    ind_by_key = {i.key: i for _, i in inds}
    problems.extend(_check_indicators(inds, ind_keys))
    problems.extend(_check_targets(tgts, doc_ids, doc_by_id, ind_keys, ind_by_key))
    problems.extend(_check_parameters(params, doc_ids))
    if seeds_dir is not None:
        problems.extend(_check_quotes(docs, tgts, params, seeds_dir))

    if problems:
        return None, problems
    catalogue = Catalogue(
        documents=tuple(d for _, d in docs),
        indicators=tuple(i for _, i in inds),
        targets=tuple(t for _, t in tgts),
        parameters=tuple(p for _, p in params),
    )
    return catalogue, []


def _raw_ids(raw: object, field: str) -> frozenset[str]:
    if not isinstance(raw, list):
        return frozenset()
    return frozenset(str(item[field]) for item in raw if isinstance(item, dict) and field in item)


def _check_ids(
    docs: list[tuple[int, Document]],
    inds: list[tuple[int, Indicator]],
    tgts: list[tuple[int, Target]],
    params: list[tuple[int, Parameter]],
) -> Iterator[Problem]:
    groups: list[tuple[str, list[tuple[int, str]], str]] = [
        ("documents", [(i, d.id) for i, d in docs], "id"),
        ("indicators", [(i, ind.key) for i, ind in inds], "key"),
    ]
    # Targets and parameters share one namespace: a briefing cites either by id.
    goal_ids = [("targets", i, t.id) for i, t in tgts] + [
        ("parameters", i, p.id) for i, p in params
    ]
    for section, items, field in groups:
        seen: dict[str, int] = {}
        for i, ident in items:
            if ident in seen:
                yield Problem(
                    "duplicate-id",
                    f"{section}[{i}].{field}",
                    f"'{ident}' is already used by {section}[{seen[ident]}]",
                    "give each entry its own id",
                )
            else:
                seen[ident] = i
    first: dict[str, str] = {}
    for section, i, ident in goal_ids:
        where = f"{section}[{i}]"
        if ident in first:
            yield Problem(
                "duplicate-id",
                f"{where}.id",
                f"'{ident}' is already used by {first[ident]}",
                "give each target and parameter its own id (staged goals are separate targets "
                "with separate ids, e.g. …-2018 and …-2020)",
            )
        else:
            first[ident] = where


def _check_indicators(
    inds: list[tuple[int, Indicator]], known: frozenset[str]
) -> Iterator[Problem]:
    for i, ind in inds:
        for field in ("numerator", "denominator"):
            ref = getattr(ind, field)
            if ref is not None and ref not in known:
                yield Problem(
                    "unknown-indicator",
                    f"indicators[{i}].{field}",
                    f"indicator '{ref}' is not defined",
                    "define it under 'indicators:' or fix the key",
                )
        if ind.rollup == "ratio" and (ind.numerator is None or ind.denominator is None):
            yield Problem(
                "ratio-without-parts",
                f"indicators[{i}].rollup",
                f"ratio indicator '{ind.key}' needs a numerator and a denominator",
                "add 'numerator:' and 'denominator:' naming the two reported indicators",
            )


def _check_targets(
    tgts: list[tuple[int, Target]],
    doc_ids: frozenset[str],
    docs: Mapping[str, Document],
    ind_keys: frozenset[str],
    inds: Mapping[str, Indicator],
) -> Iterator[Problem]:
    for i, t in tgts:
        where = f"targets[{i}]"
        if t.document not in doc_ids:
            yield Problem(
                "unknown-document",
                f"{where}.document",
                f"target '{t.id}' cites document '{t.document}', which is not defined",
                "use one of: " + ", ".join(sorted(doc_ids)),
            )
        elif t.document in docs and t.scope.jurisdiction != docs[t.document].jurisdiction:
            yield Problem(
                "scope-outside-document",
                f"{where}.scope.jurisdiction",
                f"target '{t.id}' applies to {t.scope.jurisdiction} but its document governs "
                f"{docs[t.document].jurisdiction}",
                "use the document's jurisdiction",
            )
        for field in ("indicator", "reference_indicator"):
            ref = getattr(t, field)
            if ref is not None and ref not in ind_keys:
                yield Problem(
                    "unknown-indicator",
                    f"{where}.{field}",
                    f"target '{t.id}' names indicator '{ref}', which is not defined",
                    "define it under 'indicators:' or fix the key",
                )
        if t.deadline < t.start:
            yield Problem(
                "deadline-before-start",
                f"{where}.deadline",
                f"target '{t.id}' ends {t.deadline} before it starts {t.start}",
                "check the years; an implied window such as 十二五 is 2011-01-01 to 2015-12-31",
            )
        yield from _check_value_shape(t.comparator, t.value, t.min, t.max, where, t.id)
        spec = KINDS[t.kind]
        if spec.series.against_reference and t.reference_indicator is None:
            yield Problem(
                "missing-reference",
                f"{where}.reference_indicator",
                f"{t.kind} target '{t.id}' does not say what it is compared with",
                "add 'reference_indicator:' with the indicator on the other side",
            )
        if not spec.series.against_reference and t.reference_indicator is not None:
            compared = " or ".join(f"'{k}'" for k, s in KINDS.items() if s.series.against_reference)
            yield Problem(
                "unexpected-reference",
                f"{where}.reference_indicator",
                f"target '{t.id}' is of kind '{t.kind}', which compares with a value",
                f"remove 'reference_indicator:' or make the kind {compared}",
            )
        if t.indicator in inds and inds[t.indicator].unit != t.unit:
            yield Problem(
                "unit-mismatch",
                f"{where}.unit",
                f"target '{t.id}' is in '{t.unit}' but indicator '{t.indicator}' is in "
                f"'{inds[t.indicator].unit}'",
                "express the value in the indicator's unit (base units: 10万 → 100000)",
            )
        if (t.scope.level == "unit") != (t.scope.unit_kind is not None):
            yield Problem(
                "unit-kind",
                f"{where}.scope.unit_kind",
                "'unit_kind' is needed exactly when the level is 'unit'",
                "level 'unit' with unit_kind such as 平台; otherwise remove unit_kind",
            )
        yield from _check_reported_by(t, where)
        if spec.series.each_unit and t.scope.applies_to != "each":
            yield Problem(
                "per-unit-scope",
                f"{where}.scope.applies_to",
                f"{t.kind} target '{t.id}' is judged unit by unit, so it must apply to each unit",
                "set applies_to: each",
            )


def _check_reported_by(t: Target, where: str) -> Iterator[Problem]:
    reporters = t.reported_by
    if not reporters or len(set(reporters)) != len(reporters):
        yield Problem(
            "reported-by-shape",
            f"{where}.reported_by",
            f"target '{t.id}' lists {list(reporters)} as its reporters",
            "list each reporting level once, at least one, the level judged first: e.g. [city]",
        )
    elif t.scope.applies_to == "each" and t.scope.level != "unit" and reporters != (t.scope.level,):
        yield Problem(
            "reported-by-scope",
            f"{where}.reported_by",
            f"target '{t.id}' applies to each {t.scope.level} but is reported by "
            f"{', '.join(reporters)}",
            f"a goal on each {t.scope.level} is reported by every {t.scope.level}: "
            f"reported_by: [{t.scope.level}]",
        )


def _check_value_shape(
    comparator: Comparator,
    value: float | None,
    lo: float | None,
    hi: float | None,
    where: str,
    ident: str,
) -> Iterator[Problem]:
    if comparator == "between":
        if lo is None or hi is None or value is not None:
            yield Problem(
                "value-shape",
                f"{where}.value",
                f"'{ident}' is a range: it needs 'min' and 'max' and no 'value'",
                "e.g. 2-3 → min: 2, max: 3",
            )
        elif lo > hi:
            yield Problem(
                "value-shape",
                f"{where}.min",
                f"'{ident}' has min {lo} above max {hi}",
                "swap them",
            )
    elif lo is not None or hi is not None:
        yield Problem(
            "value-shape",
            f"{where}.min",
            f"'{ident}' has 'min'/'max' but its comparator is '{comparator}'",
            "use comparator: between for a range, or a single 'value'",
        )


def _check_parameters(
    params: list[tuple[int, Parameter]], doc_ids: frozenset[str]
) -> Iterator[Problem]:
    for i, p in params:
        where = f"parameters[{i}]"
        if p.document not in doc_ids:
            yield Problem(
                "unknown-document",
                f"{where}.document",
                f"parameter '{p.id}' cites document '{p.document}', which is not defined",
                "use one of: " + ", ".join(sorted(doc_ids)),
            )
        if p.value is None and (p.min is None or p.max is None):
            yield Problem(
                "value-shape",
                f"{where}.value",
                f"parameter '{p.id}' has no value",
                "give 'value', or 'min' and 'max' for a range",
            )


def _check_quotes(
    docs: list[tuple[int, Document]],
    tgts: list[tuple[int, Target]],
    params: list[tuple[int, Parameter]],
    seeds_dir: Path,
) -> Iterator[Problem]:
    texts: dict[str, str] = {}
    for i, d in docs:
        seed = seeds_dir / d.seed_file
        if not seed.is_file():
            yield Problem(
                "unknown-seed-file",
                f"documents[{i}].seed_file",
                f"no file {d.seed_file} in {seeds_dir}",
                "name a file of the source-document folder",
            )
            continue
        texts[d.id] = _normalise(seed.read_text(encoding="utf-8"))
    entries: list[tuple[str, Target | Parameter]] = [(f"targets[{i}]", t) for i, t in tgts]
    entries += [(f"parameters[{i}]", p) for i, p in params]
    for where, entry in entries:
        text = texts.get(entry.document)
        if text is not None and _normalise(entry.quote) not in text:
            yield Problem(
                "quote-not-in-source",
                f"{where}.quote",
                f"the quote of '{entry.id}' is not word for word in {entry.document}",
                "copy the clause from the seed text again; only whitespace may differ",
            )


def read_catalogue(
    path: Path, seeds_dir: Path | None = None
) -> tuple[Catalogue | None, list[Problem]]:
    """Read ``path`` and check it; return the catalogue (or None) and every problem found."""
    data, problems = read_yaml(path)
    if problems:
        return None, problems
    return parse_catalogue(data, seeds_dir)


def read_yaml(path: Path) -> tuple[object, list[Problem]]:
    """The catalogue file as plain YAML data (duplicate keys refused), or the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem("no-file", str(path), "no such file", "check the path")]
    except UnicodeDecodeError as exc:
        return None, [Problem("encoding", str(path), f"not UTF-8: {exc}", "save the file as UTF-8")]
    try:
        return yaml.load(text, Loader=_StrictLoader), []
    except _DuplicateKey as exc:
        return None, [
            Problem(
                "duplicate-key",
                f"line {exc.line}",
                f"key '{exc.key}' appears twice in one mapping",
                "YAML would silently keep only the last one; remove or rename one of them",
            )
        ]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        return None, [
            Problem(
                "yaml-syntax",
                where,
                str(getattr(exc, "problem", exc)),
                "check indentation and quote strings that contain ': ' or start with '*', '&', '!'",
            )
        ]


def load_catalogue(path: Path, seeds_dir: Path | None = None) -> Catalogue:
    """Read and check ``path``; raise :class:`CatalogueError` with every problem if any."""
    catalogue, problems = read_catalogue(path, seeds_dir)
    if catalogue is None:
        raise CatalogueError(problems)
    return catalogue
