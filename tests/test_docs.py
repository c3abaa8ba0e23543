"""Documentation that cannot drift: every command is in the README, every rule is explained."""

from __future__ import annotations

import argparse

from model import paths
from model.issues import RULES
from target_monitor.cli import build_parser

README = (paths.ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(actions[0].choices)


def test_every_command_is_documented_in_the_readme() -> None:
    missing = [c for c in _subcommands() if f"target-monitor {c}" not in README]
    assert missing == []


def test_the_two_commands_are_in_the_readme_and_the_makefile() -> None:
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test"):
        assert f"make {target}" in README
        assert f"\n{target}:" in makefile
    ci = (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().endswith("make test")


def test_every_rule_has_a_chinese_and_english_message_and_fix() -> None:
    for rule in RULES.values():
        assert rule.message_zh and rule.message_en and rule.fix_zh and rule.fix_en, rule.id
