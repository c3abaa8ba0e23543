"""The rule registry (:data:`etl.validate.REGISTRY`) lists every rule once, and says truly where
each is checked: the function (or, for rules fired outside validation, the module) names it."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from etl.validate import REGISTRY
from model.issues import RULES


def test_every_rule_is_registered_once_with_its_message_and_fix() -> None:
    assert sorted(REGISTRY) == sorted(RULES), "add the rule to etl/validate/registry.py"
    for rule_id, check in REGISTRY.items():
        assert check.rule is RULES[rule_id]
        assert check.id == rule_id


def _source(where: str) -> str:
    """The source of ``module:function``, or of every file of a module or package."""
    module_name, _, name = where.partition(":")
    module = importlib.import_module(module_name)
    if name:
        found: object = module
        for part in name.split("."):
            found = getattr(found, part)
        return inspect.getsource(found)  # type: ignore[arg-type]
    assert module.__file__ is not None
    files = [Path(module.__file__)]
    if hasattr(module, "__path__"):  # a package: all of it
        files = sorted(f for folder in module.__path__ for f in Path(folder).rglob("*.py"))
    return "".join(f.read_text(encoding="utf-8") for f in files)


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_the_registered_check_names_its_rule(rule_id: str) -> None:
    check = REGISTRY[rule_id]
    if check.check is not None:
        assert check.where == f"{check.check.__module__}:{check.check.__qualname__}"
    assert f'"{rule_id}"' in _source(check.where), (
        f"{check.where} does not fire {rule_id}: update etl/validate/registry.py"
    )
