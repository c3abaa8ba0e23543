"""Helpers for tests that start the project as a user would: a fresh copy of the checkout, a
real ``streamlit run`` server on a free port, and a warehouse file the process may not write."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from model import paths

VENV = paths.ROOT / ".venv"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def copy_checkout(dest: Path) -> Path:
    """The working tree's files as a fresh clone has them (tracked and new files, nothing that
    git ignores: no warehouse, no caches) in ``dest``, sharing this checkout's ``.venv``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=paths.ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = paths.ROOT / name
        if not source.is_file():  # deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    (dest / ".venv").symlink_to(VENV)
    assert not (dest / "data" / "warehouse.duckdb").exists()
    return dest


def checkout_env(checkout: Path, **extra: str) -> dict[str, str]:
    """The environment for commands run in ``checkout``: the shared ``.venv`` imports the
    copy's code (PYTHONPATH comes before the editable install of this checkout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    return {**env, "PYTHONPATH": str(checkout), "TZ": "CST-8", **extra}


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    """Poll Streamlit's health endpoint until it answers ``ok``."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the server is not healthy after {timeout} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.25)  # polling the health endpoint, not waiting for the UI


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own session, with everything it started."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


@contextmanager
def streamlit(
    checkout: Path, log: Path, *, args: Sequence[str] = (), port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``.venv/bin/streamlit run dashboard.py`` in ``checkout`` as a user starts it (the
    checkout's ``.streamlit/config.toml`` applies: localhost only), on a free port; yields the
    base URL and the server process."""
    port = port or free_port()
    command = [
        ".venv/bin/streamlit",
        "run",
        "dashboard.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        *args,
    ]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command,
            cwd=checkout,
            env=checkout_env(checkout),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://localhost:{port}"
    try:
        wait_healthy(base, proc, log)
        yield base, proc
    finally:
        stop(proc)


@contextmanager
def immutable(path: Path) -> Iterator[Path]:
    """``path`` made unwritable even for root (``chattr +i``: tests run as root, for whom
    ``chmod 444`` changes nothing), restored afterwards."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not permitted here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
