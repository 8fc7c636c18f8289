"""Fixtures of the shared supervisor's tests: a CLONE_HOME whose supervisor leaves soon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hooks.supervisor.supervisors import kill_supervisors

IDLE_S = 2  # the supervisor of a test's home leaves this long after its last run


@pytest.fixture
def supervisor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh CLONE_HOME; its supervisor (started by the first run) leaves ``IDLE_S``
    seconds after the last one, and is killed after the test if it has not."""
    home = tmp_path / "clone-home"
    home.mkdir()
    monkeypatch.setenv("CLONE_SUPERVISOR_IDLE_S", str(IDLE_S))
    yield home
    kill_supervisors(home)
