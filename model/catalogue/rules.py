"""The catalogue's cross-checks: the rules a catalogue must follow beyond each entry's own shape.

Unique ids (targets and parameters share one namespace), references that resolve (documents,
indicators, reference indicators), ratio indicators with both parts, deadlines after starts, the
shape of a value or range, units that match the indicator, who reports a goal (``reported_by``),
what each goal kind requires (looked up in ``model.kinds.KINDS``) and quotes found word for word
in their seed texts.  Each check yields :class:`~model.catalogue.problems.Problem` objects; none
stops at the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from model.catalogue.problems import Problem
from model.catalogue.schema import Document, Indicator, Parameter, Target
from model.kinds import KINDS, Comparator


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
