"""Run a file parser in a child process that may crash, run away or be killed without harm.

The parsers an upload goes through (calamine via fastexcel, Polars' CSV reader) are native code:
a crafted file can make them allocate without bound, and a failed allocation in Rust aborts the
whole process rather than raising an exception.  In the dashboard that process is the server
every user shares.  So the parse runs in a child process with an address-space limit
(``RLIMIT_AS``), a CPU-time limit (``RLIMIT_CPU``) and a wall-clock deadline enforced by the
caller; whatever happens to the child, the caller gets back the child's answer or a
:class:`ChildFailed` saying why there is none.

Children are forked by a small fork server (``python -m etl.sandbox``) that has imported the
readers once: a parse then costs a fork, a few milliseconds, not a new interpreter (0.6 s to import
Polars and fastexcel).  The server is started on first use from a clean interpreter, so it never
inherits the dashboard's threads, and restarted if it ever dies.  Requests, answers and exit
statuses travel through files in a private temporary directory per call: ``request.pickle``
(the function and its arguments), ``answer.pickle`` (the function's small answer or the exception
it raised), ``frame.arrow`` (the table, as Arrow IPC) and ``status`` (how the child ended, written
by the server when it reaps it).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl

MEMORY_LIMIT = 1 << 30  # bytes of address space a parse may use (a 20 MB upload needs ~200 MB)
TIME_LIMIT = 20.0  # seconds, wall clock and CPU alike
PRELOAD = ("etl.read",)  # imported once by the fork server, inherited by every child
_POLL = 0.005  # seconds between looks at a running child's directory

Answer = tuple[Any, pl.DataFrame | None]


@dataclass(frozen=True)
class Limits:
    """What one parse may use.  Larger inputs (benchmarks, admin loads) get proportionally more."""

    memory: int = MEMORY_LIMIT
    seconds: float = TIME_LIMIT

    @classmethod
    def for_size(cls, size: int) -> Limits:
        """The defaults, raised for inputs beyond the 20 MB upload limit: 12 bytes of address
        space and 1 s per MB of input, so that a bulk load is never refused for its size alone
        while an upload keeps the tight defaults."""
        return cls(memory=max(MEMORY_LIMIT, 12 * size), seconds=max(TIME_LIMIT, size / (1 << 20)))


class ChildFailed(Exception):
    """The child gave no answer: ``reason`` is ``"memory"``, ``"time"`` or ``"crash"``."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}")


# --------------------------------------------------------------------------------------------
# the caller's side


class _Server:
    """The fork server, as seen from the process that asks it for children."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            root = str(Path(__file__).resolve().parents[1])
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
            }
            self._process = subprocess.Popen(  # our own module and interpreter
                [sys.executable, "-m", "etl.sandbox"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                close_fds=True,
            )
        return self._process

    def fork(self, workdir: str) -> int:
        """Ask the server to fork a child for the request in ``workdir``: the child's pid."""
        with self._lock:
            for attempt in range(2):  # a server that died since the last call is restarted once
                process = self._ensure()
                assert process.stdin is not None and process.stdout is not None
                try:
                    process.stdin.write(workdir.encode() + b"\n")
                    process.stdin.flush()
                    line = process.stdout.readline()
                except (BrokenPipeError, OSError):
                    line = b""
                if line.strip().isdigit():
                    return int(line)
                process.kill()
                process.wait()
                if attempt:
                    break
            raise ChildFailed("crash", "the reading service could not start")


_SERVER = _Server()
_LAST_PEAK = threading.local()


def last_child_peak_kb() -> int:
    """The peak resident memory (KB) of the last child this thread ran: what a parse cost, for
    benchmarks (the child is the fork server's, so the caller's own rusage never includes it)."""
    return int(getattr(_LAST_PEAK, "kb", 0))


def warm() -> None:
    """Start the fork server now rather than on the first parse (it imports Polars: 0.6 s)."""
    with _SERVER._lock:
        _SERVER._ensure()


def run(function: Callable[..., Answer], *args: Any, limits: Limits | None = None) -> Answer:
    """``function(*args)`` in a limited child: its ``(small, frame)`` answer, or an exception.

    ``function`` must be importable by name (a module-level function) and its arguments
    picklable.  An exception the function raised is raised again here; a child that died or ran
    out of memory or time raises :class:`ChildFailed`.
    """
    limits = limits or Limits()
    with tempfile.TemporaryDirectory(prefix="tm-read-") as workdir:
        out = Path(workdir)
        request = (function.__module__, function.__qualname__, args, limits)
        (out / "request.pickle").write_bytes(pickle.dumps(request))
        started = time.monotonic()
        pid = _SERVER.fork(workdir)
        deadline = started + limits.seconds + 1.0  # the CPU limit fires first for a busy child
        while not (out / "status").exists():
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                _wait_for(out / "status", 5.0)
                raise ChildFailed("time", f"> {limits.seconds:.0f} s")
            time.sleep(_POLL)
        status, _, peak_kb = (out / "status").read_text().partition(" ")
        _LAST_PEAK.kb = int(peak_kb or 0)
        answer_file = out / "answer.pickle"
        if not answer_file.exists():
            raise ChildFailed(*_why(int(status), limits, time.monotonic() - started))
        kind, value = pickle.loads(answer_file.read_bytes())  # our own child wrote it
        if kind == "memory":
            raise ChildFailed("memory", f"> {limits.memory >> 20} MB")
        if kind == "crash":
            raise ChildFailed("crash", value)
        if kind == "raised":
            raise value
        frame_file = out / "frame.arrow"
        # Read whole (rechunked) before the directory goes when this block ends.
        frame = pl.read_ipc(frame_file).rechunk() if frame_file.exists() else None
        return value, frame


def _wait_for(path: Path, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < end:
        time.sleep(_POLL)


def _why(status: int, limits: Limits, elapsed: float) -> tuple[str, str]:
    """Why a child left no answer, from its wait status (``os.waitpid``)."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        if number == signal.SIGXCPU or elapsed >= limits.seconds:
            return "time", f"> {limits.seconds:.0f} s ({name})"
        if number in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL):
            # Rust aborts when an allocation fails; under RLIMIT_AS that is the usual cause.
            return "memory", f"> {limits.memory >> 20} MB ({name})"
        return "crash", name
    return "crash", f"exit {os.WEXITSTATUS(status)}"


# --------------------------------------------------------------------------------------------
# the fork server and its children


def _child(workdir: Path) -> None:
    """In the forked child: set the limits, run the request, leave the answer in ``workdir``."""
    module, name, args, limits = pickle.loads((workdir / "request.pickle").read_bytes())
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    cpu = max(1, int(limits.seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        small, frame = getattr(importlib.import_module(module), name)(*args)
        if frame is not None:
            frame.write_ipc(workdir / "frame.arrow", compression="uncompressed")
        answer: tuple[str, Any] = ("ok", small)
    except MemoryError:
        answer = ("memory", "MemoryError")
    except Exception as exc:  # the parser said no: the caller raises it again
        answer = ("raised", exc)
    except BaseException as exc:  # a Rust panic surfacing as pyo3's PanicException, an exit
        first = (str(exc).splitlines() or [""])[0][:160]
        answer = ("crash", f"{type(exc).__name__}: {first}")
    try:
        payload = pickle.dumps(answer)
    except Exception as exc:  # an exception that does not pickle: send its text
        payload = pickle.dumps(("raised", RuntimeError(f"{type(exc).__name__}: {answer[1]}")))
    (workdir / "answer.tmp").write_bytes(payload)
    (workdir / "answer.tmp").rename(workdir / "answer.pickle")  # complete or absent, never torn


def _serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Fork a child for each workdir named on ``requests``; write its pid on ``replies``; write
    each child's wait status into its workdir once it ends.  Returns when ``requests`` closes."""
    children: dict[int, Path] = {}
    open_ = True
    while open_ or children:
        ready, _, _ = select.select([requests] if open_ else [], [], [], 0.01)
        if ready:
            line = requests.readline()
            if not line:
                open_ = False
            else:
                workdir = Path(line.decode().strip())
                pid = os.fork()
                if pid == 0:  # the child
                    code = 0
                    try:
                        _child(workdir)
                    except BaseException:  # the status file says it failed
                        code = 1
                    finally:
                        os._exit(code)
                children[pid] = workdir
                replies.write(f"{pid}\n".encode())
                replies.flush()
        while children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            ended = children.pop(pid, None)
            if ended is not None:
                with contextlib.suppress(OSError):  # the caller may have given up and cleaned up
                    (ended / "status.tmp").write_text(f"{status} {usage.ru_maxrss}")
                    (ended / "status.tmp").rename(ended / "status")


def main() -> None:
    # The pid replies get a descriptor of their own; anything printed to stdout afterwards, by
    # this server or by a parser in a child, goes to stderr and cannot garble the protocol.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for module in PRELOAD:
        importlib.import_module(module)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal is for the caller
    _serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
