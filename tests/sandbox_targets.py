"""Functions the sandbox tests run in its child by name: a module that imports nothing heavy, so
that the child's memory limit is spent on what the test means it for."""

from __future__ import annotations

import os
import time


def spin(seconds: float) -> tuple[None, None]:
    """A parser that never finishes."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return None, None


def crash() -> tuple[None, None]:
    """A parser that aborts, as Rust does when an allocation fails."""
    os.abort()


def noisy() -> tuple[str, None]:
    """A parser that prints, as a library might: it must not garble the fork server's replies."""
    print("12345")  # looks like a pid on purpose
    print("a warning from a library")
    return "done", None
