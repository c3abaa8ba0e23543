"""``target-monitor`` run inside the test process: :func:`target_monitor.cli.main` with its output
captured, answered as ``subprocess.run`` would answer (exit status, stdout, stderr).

Starting the console script costs 1.7-1.9 s of interpreter and import start-up per command; the
command itself is usually a few milliseconds.  Tests call :func:`target_monitor.cli.main` through
the ``cli`` fixture (``tests/conftest.py``) instead, and keep real processes only where the process
is the point: the entry point itself (``tests/test_cli.py``), SIGKILL, memory limits, another
process holding the lock, and commands run without root's capabilities.

Run as ``python -m tests.cli_runner`` it reads a JSON list of argument lists on stdin, runs each
with :func:`main` in that one process and prints a JSON list of ``[status, stdout, stderr]``: the
unprivileged tests pay the start-up once instead of once per command.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from warehouse import audit


@dataclass(frozen=True)
class Ran:
    """What one command returned and printed."""

    returncode: int
    stdout: str
    stderr: str


class Cli(Protocol):
    """``cli("status", "--db", path)``: run one command in this process."""

    def __call__(self, *args: str, stdin: str | None = None) -> Ran: ...


def status_of(exc: SystemExit) -> int:
    """The exit status ``sys.exit`` would give (argparse exits on ``--version``, ``--help`` and
    usage errors)."""
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


def run_main(args: Sequence[str]) -> int:
    """:func:`main` as the console script runs it, without leaving this process."""
    from target_monitor.cli import main  # imported when first run, not when collected

    try:
        return main(list(args))
    except SystemExit as exc:
        return status_of(exc)


def _batch(commands: list[list[str]]) -> list[tuple[int, str, str]]:
    results = []
    for args in commands:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run_main(args)
        audit.set_process_user(None)
        results.append((code, out.getvalue(), err.getvalue()))
    return results


if __name__ == "__main__":
    print(json.dumps(_batch(json.load(sys.stdin)), ensure_ascii=False))
