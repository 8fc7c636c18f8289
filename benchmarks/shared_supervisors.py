"""Stopping the shared supervisors (``CLONE_SUPERVISOR=shared``) that a benchmark kept for
its whole length."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from hooks.supervisor.reach import running


def stop(home: Path) -> None:
    """Stops the shared supervisors serving ``home`` (SIGTERM)."""
    for pid in running(home):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
