"""Read and check the goals catalogue (``targets.yaml``).

The catalogue is parsed into typed, frozen pydantic objects.  Checking never stops at the first
problem: :func:`parse_catalogue` returns every problem it finds, each with a rule id, the YAML path
(``targets[12].scope.level``) and a hint for the fix, so that ``target-monitor check-targets`` can
print them all at once and the tests can assert exactly which rule fired where.

The format is documented in ``docs/catalogue-format.md``.  The package's modules:

- :mod:`model.catalogue.schema`: the typed model (documents, indicators, targets, parameters)
  and :class:`Catalogue`;
- :mod:`model.catalogue.problems`: :class:`Problem`, :class:`CatalogueError`, and pydantic's
  errors turned into problems with hints;
- :mod:`model.catalogue.rules`: the cross-checks between entries (ids, references, kinds,
  values, reporters, quotes);
- :mod:`model.catalogue.stages`: the checks on a goal's course in time (stages named by
  ``follows``, baselines, ``hold``, recurrence cycles, ``verified``);
- :mod:`model.catalogue.load`: strict YAML reading and :func:`parse_catalogue`,
  :func:`read_catalogue`, :func:`load_catalogue`.

Everything is importable from ``model.catalogue`` itself.
"""

from __future__ import annotations

from model.catalogue.load import load_catalogue, parse_catalogue, read_catalogue, read_yaml
from model.catalogue.problems import CatalogueError, Problem, _problem_from_error
from model.catalogue.schema import (
    RECURRENCE_YEARS,
    SECTIONS,
    Baseline,
    Catalogue,
    Date,
    Document,
    Indicator,
    IndicatorKey,
    Level,
    Measure,
    Names,
    Number,
    Parameter,
    Recurrence,
    RegionCode,
    Reporter,
    Reporters,
    Rollup,
    Scope,
    Slug,
    Target,
    Text,
)

__all__ = [
    "RECURRENCE_YEARS",
    "SECTIONS",
    "Baseline",
    "Catalogue",
    "CatalogueError",
    "Date",
    "Document",
    "Indicator",
    "IndicatorKey",
    "Level",
    "Measure",
    "Names",
    "Number",
    "Parameter",
    "Problem",
    "Recurrence",
    "RegionCode",
    "Reporter",
    "Reporters",
    "Rollup",
    "Scope",
    "Slug",
    "Target",
    "Text",
    "_problem_from_error",  # model.jurisdictions reports its own file's errors the same way
    "load_catalogue",
    "parse_catalogue",
    "read_catalogue",
    "read_yaml",
]
