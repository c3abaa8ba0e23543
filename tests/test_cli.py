"""The installed ``target-monitor`` console script, run as a user would run it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from target_monitor import paths


def run(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("target-monitor", path=str(Path(__import__("sys").executable).parent))
    assert exe is not None, "the console script target-monitor is not installed"
    return subprocess.run([exe, *args], capture_output=True, text=True, check=False, timeout=60)


def test_check_targets_passes_on_the_catalogue() -> None:
    result = run("check-targets")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"✓ {paths.TARGETS}: 5 documents")
    assert "every quote found" in result.stdout


def test_check_targets_fails_naming_the_path(tmp_path: Path) -> None:
    broken = paths.TARGETS.read_text(encoding="utf-8").replace(
        "deadline: 2015-12-31", "deadline: 2010-12-31", 1
    )
    path = tmp_path / "targets.yaml"
    path.write_text(broken, encoding="utf-8")
    result = run("check-targets", str(path))
    assert result.returncode == 1
    assert "[deadline-before-start]" in result.stdout
    assert ".deadline:" in result.stdout


def test_check_targets_json_lists_every_problem(tmp_path: Path) -> None:
    text = paths.TARGETS.read_text(encoding="utf-8")
    text = text.replace("  kind: cumulative", "  kind: cumulativ", 1)
    text = text.replace("  measure: flow", "  measure: flows", 1)
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check-targets", str(path), "--json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert sorted(p["rule"] for p in problems) == ["invalid-choice", "invalid-choice"]
    assert {p["path"].split("[")[0] for p in problems} == {"targets", "indicators"}
    assert all(p["hint"].startswith("use one of") for p in problems)


def test_catalogue_doc_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "catalogue.md"
    result = run("catalogue-doc", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == paths.CATALOGUE_DOC.read_text(encoding="utf-8"), (
        "docs/catalogue.md is stale: run `target-monitor catalogue-doc --out docs/catalogue.md`"
    )
