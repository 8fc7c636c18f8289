"""The shared supervisors serving a ``$CLONE_HOME`` (``CLONE_SUPERVISOR=shared``), for the
benchmarks that keep one for their whole length: found by their command lines, stopped."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def pids(home: Path) -> list[int]:
    """The shared supervisors serving ``home``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().decode().split("\0")
        except (OSError, UnicodeDecodeError):
            continue
        if "hooks.supervisor.daemon" in argv and str(home.resolve()) in argv:
            found.append(int(entry))
    return found


def stop(home: Path) -> None:
    """Stops the shared supervisors serving ``home`` (SIGTERM)."""
    for pid in pids(home):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
