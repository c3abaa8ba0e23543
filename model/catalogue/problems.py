"""What is wrong with a catalogue: :class:`Problem` and :class:`CatalogueError`.

Checking never stops at the first problem: each one carries a rule id, the YAML path
(``targets[12].scope.level``), a message and a hint for the fix.  This module also turns pydantic's
validation errors into such problems, with hints written for whoever edits ``targets.yaml``
(unquoted region codes, misspelt choices, dates, unknown keys).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from model.catalogue.schema import SECTIONS


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
