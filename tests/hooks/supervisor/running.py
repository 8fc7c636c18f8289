"""Finding the shared supervisors that run, and waiting for a condition."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from hooks import procfs


def supervisor_pids(home: Path) -> list[int]:
    """The pids of the shared supervisors serving ``home``, found by their command lines."""
    wanted = ["-m", "hooks.supervisor.daemon"]
    found = []
    for pid in procfs.pids():
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        except (OSError, UnicodeDecodeError):
            continue
        if argv[1:3] == wanted and str(home.resolve()) in argv and procfs.alive(pid):
            found.append(pid)
    return found


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)
