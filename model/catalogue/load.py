"""Reading the catalogue: strict YAML, parsing into the typed model, and every problem found.

:func:`read_yaml` reads the file (a duplicate key is an error, not "last one wins");
:func:`parse_catalogue` parses each section into :mod:`model.catalogue.schema` objects and runs
the cross-checks of :mod:`model.catalogue.rules` and :mod:`model.catalogue.stages`;
:func:`read_catalogue` does both and
:func:`load_catalogue` raises :class:`~model.catalogue.problems.CatalogueError` with every
problem if there is any.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from model.catalogue.problems import CatalogueError, Problem, _problem_from_error
from model.catalogue.rules import (
    _check_ids,
    _check_indicators,
    _check_parameters,
    _check_quotes,
    _check_targets,
)
from model.catalogue.schema import (
    SECTIONS,
    Catalogue,
    Document,
    Indicator,
    Parameter,
    Target,
    _Strict,
)
from model.catalogue.stages import check_stages

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
# Parsing each section, then the cross-checks


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
    problems.extend(check_stages(tgts, ind_by_key, _raw_ids(data.get("targets"), "id")))
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
