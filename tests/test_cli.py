"""The ``target-monitor`` command line: each command as a user runs it, through
:func:`target_monitor.cli.main` in this process (the ``cli`` fixture); the installed console script
itself, and commands run without root's capabilities, in real processes."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from model import paths
from tests.cli_runner import Cli, Ran
from tests.test_catalogue_rules import GOOD, SEED_TEXT
from tests.warehouses import copy_warehouse

EXE = Path(sys.executable).parent / "target-monitor"


def test_the_console_script_runs_main_and_exits_with_its_status(tmp_path: Path) -> None:
    """The one test of the installed entry point (``[project.scripts]``): a real process, whose
    exit status is what :func:`main` returned and whose error is one line, not a traceback."""
    assert EXE.exists(), "the console script target-monitor is not installed"
    db = tmp_path / "w.duckdb"
    done = subprocess.run(
        [str(EXE), "status", "--db", str(db)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr == f"✗ {MISSING.format(path=db)}\n"
    assert not db.exists()


def test_check_targets_passes_on_the_catalogue(cli: Cli) -> None:
    result = cli("check-targets")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"✓ {paths.TARGETS}: 5 documents")
    assert "every quote found" in result.stdout


def small_catalogue(tmp_path: Path, **changes: Any) -> list[str]:
    """``check-targets`` arguments for the two-target catalogue of ``test_catalogue_rules``
    (written to a file, with its one source document), changed as given: ``targets_0_kind="x"``
    sets ``targets[0].kind``.  Editing the real catalogue does not move these tests."""
    data = copy.deepcopy(GOOD)
    for key, value in changes.items():
        section, index, field = key.split("_", 2)
        data[section][int(index)][field] = value
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text(SEED_TEXT, encoding="utf-8")
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [str(path), "--seeds", str(tmp_path / "seeds")]


def test_check_targets_passes_a_small_catalogue(tmp_path: Path, cli: Cli) -> None:
    result = cli("check-targets", *small_catalogue(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"✓ {tmp_path / 'targets.yaml'}: 1 documents")


def test_check_targets_fails_naming_the_path(tmp_path: Path, cli: Cli) -> None:
    args = small_catalogue(tmp_path, targets_0_deadline="2010-12-31")
    result = cli("check-targets", *args)
    assert result.returncode == 1
    assert "[deadline-before-start]" in result.stdout
    assert "targets[0].deadline:" in result.stdout


def test_check_targets_json_lists_every_problem(tmp_path: Path, cli: Cli) -> None:
    args = small_catalogue(tmp_path, targets_0_kind="cumulativ", indicators_1_measure="flows")
    result = cli("check-targets", *args, "--json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert sorted(p["rule"] for p in problems) == ["invalid-choice", "invalid-choice"]
    assert {p["path"].split("[")[0] for p in problems} == {"targets", "indicators"}
    hints = {p["path"].split("[")[0]: p["hint"] for p in problems}
    assert hints["targets"].startswith("did you mean 'cumulative'? use one of")
    assert hints["indicators"] == "did you mean 'flow'? use one of 'flow' or 'stock'"


def test_catalogue_doc_is_up_to_date(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "catalogue.md"
    result = cli("catalogue-doc", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == paths.CATALOGUE_DOC.read_text(encoding="utf-8"), (
        "docs/catalogue.md is stale: run `target-monitor catalogue-doc --out docs/catalogue.md`"
    )


HEADER = "地区代码,指标,报告期,数值,备注\n"


def test_validate_json_accepts_a_good_file(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + "440100,demo_platforms_provincial,2014Q3,12,\n", encoding="utf-8")
    result = cli("validate", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"accepted": True, "rows": 1, "issues": []}


def test_validate_json_rejects_naming_rule_and_row(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "440100,demo_platforms_provincial,2014Q3,1.2万,\n440100,foo,2014Q4,3,\n",
        encoding="utf-8",
    )
    result = cli("validate", str(path), "--json")
    assert result.returncode == 1
    verdict = json.loads(result.stdout)
    assert verdict["accepted"] is False and verdict["rows"] == 2
    got = [(i["row"], i["column"], i["rule"], i["severity"]) for i in verdict["issues"]]
    assert got == [
        (2, "value", "value-unit", "error"),
        (3, "indicator", "indicator-unknown", "error"),
    ]
    assert verdict["issues"][0]["fix"].startswith("请换算为基本单位")
    english = json.loads(cli("validate", str(path), "--json", "--lang", "en").stdout)
    assert english["issues"][0]["fix"].startswith("convert to a plain number")


def test_init_load_dry_run_and_commit(tmp_path: Path, cli: Cli) -> None:
    db = tmp_path / "w.duckdb"
    assert cli("init", "--db", str(db)).returncode == 0
    path = tmp_path / "q.csv"
    path.write_text(HEADER + "440100,demo_platforms_provincial,2014Q3,12,\n", encoding="utf-8")
    add = cli("users", "add", "guangzhou", "--role", "bureau", "--region", "440100",
              "--password-stdin", "--db", str(db), stdin="guangzhou-pass\n")  # fmt: skip
    assert add.returncode == 0, add.stderr
    dry = cli("load", str(path), "--db", str(db), "--dry-run", "--json", "--user", "guangzhou")
    assert dry.returncode == 0, dry.stderr
    summary = json.loads(dry.stdout)
    assert (summary["status"], summary["new"], summary["changed"]) == ("dry_run", 1, 0)
    done = json.loads(cli("load", str(path), "--db", str(db), "--json").stdout)
    assert (done["status"], done["new"]) == ("committed", 1)
    again = cli("load", str(path), "--db", str(db))
    assert again.returncode == 0
    assert f"已导入过（批次 {done['batch_id']}）" in again.stdout


def test_load_rejected_exits_1_and_writes_nothing(fresh_db: Path, tmp_path: Path, cli: Cli) -> None:
    db = fresh_db
    path = tmp_path / "q.csv"
    path.write_text(HEADER + "440500,demo_platforms_provincial,2014Q3,12,\n", encoding="utf-8")
    result = cli("load", str(path), "--db", str(db), "--region", "445200", "--json")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["status"] == "rejected"
    assert [(i["rule"], i["row"]) for i in summary["issues"]] == [("region-out-of-scope", 2)]


def test_template_writes_a_prefilled_workbook(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "广州-2014Q3.xlsx"
    result = cli("template", "--region", "440100", "--period", "2014Q3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:2] == b"PK"
    bad = cli("template", "--region", "449999", "--period", "2014Q3", "--out", str(out))
    assert bad.returncode == 1 and "449999" in bad.stderr


# --- the error boundary: one bilingual line, exit 1, no traceback, nothing created (issue 13) --

MISSING = (
    "没有找到数据仓库 {path}：请运行 `make run` 或 `.venv/bin/target-monitor init` / "
    "no warehouse at {path}: run `make run` or `.venv/bin/target-monitor init`"
)
NOT_INITIALISED = (
    "{path} 不是已初始化的数据仓库（或版本过旧）：请运行 `make run` 或 "
    "`.venv/bin/target-monitor init` / {path} is not an initialised warehouse (or is out of "
    "date): run `make run` or `.venv/bin/target-monitor init`"
)
DB_COMMANDS = {
    "status": ["status"],
    "load": ["load", "{csv}", "--user", "demo-bureau"],
    "load-anonymous": ["load", "{csv}"],
    "audit": ["audit"],
    "lock": ["lock", "--period", "2014Q2", "--user", "demo-admin"],
    "users": ["users", "list"],
    "briefing": ["briefing", "--out", "{dir}/b.pdf"],
}


def _command(name: str, db: Path, tmp_path: Path) -> list[str]:
    csv = tmp_path / "q.csv"
    csv.write_text(HEADER + "445200,demo_platforms_provincial,2014Q3,12,\n", encoding="utf-8")
    args = [a.format(csv=csv, dir=tmp_path) for a in DB_COMMANDS[name]]
    return [*args, "--db", str(db)]


def _one_line(result: Ran) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("✗ ")
    return lines[0].removeprefix("✗ ")


@pytest.mark.parametrize(
    ("name", "where"),
    [(name, "missing-file") for name in sorted(DB_COMMANDS)]
    + [(name, "missing-directory") for name in ("audit", "load", "lock")],
)
def test_a_missing_warehouse_is_refused_and_never_created(
    tmp_path: Path, name: str, where: str, cli: Cli
) -> None:
    db = tmp_path / ("w.duckdb" if where == "missing-file" else "nodir/w.duckdb")
    before = sorted(tmp_path.rglob("*"))
    line = _one_line(cli(*_command(name, db, tmp_path)))
    assert line == MISSING.format(path=db)
    assert sorted(p for p in tmp_path.rglob("*") if p.name != "q.csv") == [
        p for p in before if p.name != "q.csv"
    ]
    assert not db.exists() and not db.parent.joinpath("w.duckdb.wal").exists()


@pytest.mark.parametrize("name", sorted(DB_COMMANDS))
def test_an_uninitialised_file_is_named_and_left_alone(tmp_path: Path, name: str, cli: Cli) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    size = db.stat().st_size
    line = _one_line(cli(*_command(name, db, tmp_path)))
    assert line == NOT_INITIALISED.format(path=db)
    assert db.stat().st_size == size


def test_a_file_that_is_not_duckdb_is_named(tmp_path: Path, cli: Cli) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("not a database", encoding="utf-8")
    line = _one_line(cli("status", "--db", str(db)))
    assert line.startswith(f"{db} 不是 DuckDB 数据仓库文件")
    assert f" / {db} is not a DuckDB warehouse file" in line
    assert db.read_text(encoding="utf-8") == "not a database"


def test_init_if_missing_finishes_an_uninitialised_file(tmp_path: Path, cli: Cli) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    result = cli("init", "--if-missing", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert cli("status", "--db", str(db)).returncode == 0
    again = cli("init", "--if-missing", "--db", str(db))
    assert again.stdout == f"✓ {db}: 已存在，未做改动 already initialised, nothing changed\n"


def test_init_says_what_it_did_and_a_rerun_changes_nothing(tmp_path: Path, cli: Cli) -> None:
    db = tmp_path / "w.duckdb"
    first = cli("init", "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"✓ {db}: 已新建 created — documents 5 · ")
    assert first.stdout.endswith(" · published figures 49 · reports 0\n")
    again = cli("init", "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(
        f"✓ {db}: 已是最新：目录和地区已重新载入，其余未变 up to date: catalogue reloaded, "
        "nothing else changed — documents 5 · "
    )
    assert again.stdout.endswith(" · published figures 49 (kept) · reports 0 (kept)\n")
    assert "published_figures 0" not in again.stdout


def test_a_missing_input_file_is_one_line(fresh_db: Path, tmp_path: Path, cli: Cli) -> None:
    db = fresh_db
    missing = tmp_path / "nothere.csv"
    for command in (["load", str(missing), "--db", str(db)], ["validate", str(missing)]):
        line = _one_line(cli(*command))
        assert line == f"找不到文件 {missing}：请检查路径 / no such file: {missing}: check the path"


# Tests run as root, for whom `chmod 444` changes nothing: the command runs as root without the
# capabilities that override file permissions, as an ordinary user would be (setpriv, util-linux).
UNPRIVILEGED = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
]


def run_unprivileged(*commands: list[str]) -> list[Ran]:
    """Each command through :func:`main`, one after another in one process that runs without
    those capabilities (``python -m tests.cli_runner``: one start-up, not one per command)."""
    done = subprocess.run(
        [*UNPRIVILEGED, sys.executable, "-m", "tests.cli_runner"],
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=paths.ROOT,
    )
    assert done.returncode == 0, done.stderr
    return [Ran(*result) for result in json.loads(done.stdout)]


def test_a_read_only_warehouse_is_viewed_and_writes_are_refused(
    sample_db: Path, tmp_path: Path
) -> None:
    db = copy_warehouse(sample_db, tmp_path / "published.duckdb")
    db.chmod(0o444)
    writes = {
        name: ["init", "--db", str(db)] if name == "init" else _command(name, db, tmp_path)
        for name in ("lock", "load", "init")
    }
    status, audit, *refused = run_unprivileged(
        ["status", "--db", str(db)], ["audit", "--db", str(db), "--limit", "3"], *writes.values()
    )
    assert status.returncode == 0, status.stderr
    # 95 goals: the 90 of the first catalogue and the five the catalogue audit found missing
    # (issue 12: gd624-it-pairing-matchmaking-sessions-2015, …-firms-2015,
    # gdtown-platform-fund-5yi, gd2012act-expo9-side-events-2012,
    # gd2012act-ms-experience-meeting-2012)
    assert status.stdout.startswith("as of 2014-07-20, as known on 2014-07-20 — 95 goals\n")
    assert audit.returncode == 0, audit.stderr
    assert len(audit.stdout.splitlines()) == 3
    read_only = (
        f"数据仓库 {db} 为只读文件：可以查看，但无法保存改动；请管理员恢复写权限后重试 / "
        f"the warehouse {db} is read-only: it can be viewed but changes cannot be saved; "
        "ask an administrator to make it writable and retry"
    )
    for name, result in zip(writes, refused, strict=True):
        assert _one_line(result) == read_only, name
    assert db.read_bytes() == sample_db.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published.duckdb", "q.csv"]


def test_a_warehouse_held_read_only_by_chattr_is_viewed(
    sample_db: Path, tmp_path: Path, cli: Cli
) -> None:
    from tests.checkout import immutable

    db = copy_warehouse(sample_db, tmp_path / "published.duckdb")
    with immutable(db):
        status = cli("status", "--db", str(db), "--json")
        assert status.returncode == 0, status.stderr
        assert len(json.loads(status.stdout)) == 95  # 90 + the audit's K1-K5 (issue 12)
        assert _one_line(cli("init", "--db", str(db))).endswith("make it writable and retry")
