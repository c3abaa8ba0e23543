"""The installed ``target-monitor`` console script, run as a user would run it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from target_monitor import paths


def run(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("target-monitor", path=str(Path(sys.executable).parent))
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


HEADER = "地区代码,指标,报告期,数值,备注\n"


def test_validate_json_accepts_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + "440100,demo_platforms_provincial,2014Q3,12,\n", encoding="utf-8")
    result = run("validate", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"accepted": True, "rows": 1, "issues": []}


def test_validate_json_rejects_naming_rule_and_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "440100,demo_platforms_provincial,2014Q3,1.2万,\n440100,foo,2014Q4,3,\n",
        encoding="utf-8",
    )
    result = run("validate", str(path), "--json")
    assert result.returncode == 1
    verdict = json.loads(result.stdout)
    assert verdict["accepted"] is False and verdict["rows"] == 2
    got = [(i["row"], i["column"], i["rule"], i["severity"]) for i in verdict["issues"]]
    assert got == [
        (2, "value", "value-unit", "error"),
        (3, "indicator", "indicator-unknown", "error"),
    ]
    assert verdict["issues"][0]["fix"].startswith("请换算为基本单位")
    english = json.loads(run("validate", str(path), "--json", "--lang", "en").stdout)
    assert english["issues"][0]["fix"].startswith("convert to a plain number")


def test_init_load_dry_run_and_commit(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert run("init", "--db", str(db)).returncode == 0
    path = tmp_path / "q.csv"
    path.write_text(HEADER + "440100,demo_platforms_provincial,2014Q3,12,\n", encoding="utf-8")
    add = subprocess.run(
        [
            str(Path(sys.executable).parent / "target-monitor"),
            "users",
            "add",
            "guangzhou",
            "--role",
            "bureau",
            "--region",
            "440100",
            "--password-stdin",
            "--db",
            str(db),
        ],
        input="guangzhou-pass\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert add.returncode == 0, add.stderr
    dry = run("load", str(path), "--db", str(db), "--dry-run", "--json", "--user", "guangzhou")
    assert dry.returncode == 0, dry.stderr
    summary = json.loads(dry.stdout)
    assert (summary["status"], summary["new"], summary["changed"]) == ("dry_run", 1, 0)
    done = json.loads(run("load", str(path), "--db", str(db), "--json").stdout)
    assert (done["status"], done["new"]) == ("committed", 1)
    again = run("load", str(path), "--db", str(db))
    assert again.returncode == 0
    assert f"已导入过（批次 {done['batch_id']}）" in again.stdout


def test_load_rejected_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    path = tmp_path / "q.csv"
    path.write_text(HEADER + "440500,demo_platforms_provincial,2014Q3,12,\n", encoding="utf-8")
    result = run("load", str(path), "--db", str(db), "--region", "445200", "--json")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["status"] == "rejected"
    assert [(i["rule"], i["row"]) for i in summary["issues"]] == [("region-out-of-scope", 2)]


def test_template_writes_a_prefilled_workbook(tmp_path: Path) -> None:
    out = tmp_path / "广州-2014Q3.xlsx"
    result = run("template", "--region", "440100", "--period", "2014Q3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:2] == b"PK"
    bad = run("template", "--region", "449999", "--period", "2014Q3", "--out", str(out))
    assert bad.returncode == 1 and "449999" in bad.stderr
