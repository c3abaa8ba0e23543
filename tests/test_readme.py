"""Every ```sh block of the README, run literally in a fresh copy of the checkout, in order.

A reader copies these blocks into a shell, so each command must work as written: on a fresh
clone, with the sample warehouse the first block builds.  Three kinds of line are not simply
run to completion, and the test says so where it handles them:

* ``make run`` and ``.venv/bin/streamlit run …`` serve until stopped: the test starts them, waits
  until the dashboard answers, checks the warehouse they built, and stops them.  The copy shares
  this checkout's ``.venv/``, so ``make``'s ``sync`` step is replaced by a no-op (``UV=/bin/true``):
  syncing would reinstall the shared environment from the copy.
* ``make test`` runs this very test among the others: the test checks that make knows how to run
  it (``make -n``) instead of recursing.
* Between writing a template and validating it the README asks a person to fill the 数值
  column; the test fills it as a bureau would, with the figures the warehouse holds and one
  correction.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from etl.load import reference
from etl.template import template_rows, write_template
from model import paths
from model.periods import Quarter
from service import api as service
from tests.checkout import checkout_env, copy_checkout, free_port, stop, wait_healthy
from warehouse import queries
from warehouse.connect import connect

README = (paths.ROOT / "README.md").read_text(encoding="utf-8")
pytestmark = pytest.mark.xdist_group("servers-a")  # see tests/test_start.py
FENCE = re.compile(r"^(?P<indent>[ \t]*)```sh\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
NO_SYNC = "UV=/bin/true"


def sh_blocks(text: str) -> list[list[str]]:
    """The commands of each ```sh block: comments dropped, continuation lines joined."""
    blocks = []
    for match in FENCE.finditer(text):
        indent = len(match["indent"])
        commands: list[str] = []
        pending = ""
        for raw in match["body"].splitlines():
            line = raw[indent:] if raw[:indent].strip() == "" else raw
            line = pending + line
            if line.endswith("\\"):
                pending = line[:-1]
                continue
            pending = ""
            command = _strip_comment(line).strip()
            if command:
                commands.append(command)
        blocks.append(commands)
    return blocks


def _strip_comment(line: str) -> str:
    """A line without its trailing ``# comment`` (the README's commands quote nothing)."""
    return "" if line.lstrip().startswith("#") else re.sub(r"\s+#.*$", "", line)


def test_the_readme_has_command_blocks_and_no_bare_command() -> None:
    blocks = sh_blocks(README)
    commands = [c for block in blocks for c in block]
    assert "make run" in commands and "make test" in commands
    assert any(" load " in c and "--user demo-bureau" in c for c in commands)
    # `target-monitor` alone is not on PATH: every command names .venv/bin/
    assert [c for c in commands if c.startswith("target-monitor")] == []
    assert re.findall(r"`target-monitor [a-z]", README) == []


def _fill_like_a_bureau(command: str, checkout: Path) -> None:
    """Step 2 of "Loading a quarter": the 数值 column filled in (the figures the warehouse holds
    for that region and quarter, with the first one corrected)."""
    args = shlex.split(command)
    region, period = args[args.index("--region") + 1], args[args.index("--period") + 1]
    out = checkout / args[args.index("--out") + 1]
    ref = reference()
    quarter = Quarter.parse(period)
    with connect(checkout / "data" / "warehouse.duckdb") as con:
        reports = queries.current_reports(con, region_code=region)
    held = {
        row["indicator"]: row["value"]
        for row in reports.filter(reports["period"] == period).to_dicts()
        if row["value"] is not None
    }
    rows = template_rows(ref.catalogue, ref.regions, region, quarter)
    values = {r.indicator: held[r.indicator] for r in rows if r.indicator in held}
    assert values, f"the sample holds no figures for {region} {period}"
    first = next(iter(values))
    values[first] += 1
    write_template(ref.catalogue, ref.regions, region, quarter, out, values=values)


def _serve_until_healthy(command: str, checkout: Path, log: Path) -> None:
    """A long-running line: start it, wait until the dashboard answers, stop it."""
    port = free_port()
    if command.startswith("make "):
        command = f"{command} {NO_SYNC}"
    env = checkout_env(checkout, STREAMLIT_SERVER_PORT=str(port))
    with log.open("ab") as out:
        proc = subprocess.Popen(
            ["bash", "-c", command],
            cwd=checkout,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(f"http://localhost:{port}", proc, log, timeout=300)
    finally:
        stop(proc)
    assert service.is_sample(checkout / "data" / "warehouse.duckdb")


@pytest.mark.slow
def test_every_readme_command_block_runs_as_written(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "clone")
    log = tmp_path / "commands.log"
    ran: list[str] = []
    for block in sh_blocks(README):
        for command in block:
            if command.startswith(("make run", ".venv/bin/streamlit run")):
                _serve_until_healthy(command, checkout, log)
                ran.append(command)
                continue
            line = f"make -n test {NO_SYNC}" if command == "make test" else command
            if command.startswith("make ") and command != "make test":
                line = f"{command} {NO_SYNC}"
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", line],
                cwd=checkout,
                env=checkout_env(checkout),
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            assert "Traceback" not in done.stderr, f"{command}\n{done.stderr[-3000:]}"
            with log.open("a", encoding="utf-8") as out:
                out.write(f"$ {command}\n{done.stdout}{done.stderr}")
            ran.append(command)
            if " template " in command:
                _fill_like_a_bureau(command, checkout)
    assert ran == [c for block in sh_blocks(README) for c in block]
    text = log.read_text(encoding="utf-8")
    assert "已导入 committed" in text  # the quarter went in
    assert "修改 changed 1" in text  # as a new revision of the corrected figure
