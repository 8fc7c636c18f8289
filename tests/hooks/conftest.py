"""Fixtures of the hook tests: the fsops program (built once), a clone layout, and who
instruments a test's runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hooks.agent_fixtures import Layout, fsops_binary, make_layout
from tests.hooks.supervisor.supervisors import kill_supervisors


@pytest.fixture(scope="session")
def fsops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/hooks/programs/fsops.c, compiled: runs file operations, prints each result."""
    return fsops_binary(tmp_path_factory)


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    """Clone 1's data, its store and clone 2's store under ``tmp_path``."""
    return make_layout(tmp_path)


@pytest.fixture(params=["in-process", "shared"])
def supervisor(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Who instruments the test's runs (``CLONE_SUPERVISOR``, in its environment): each
    ``clone`` process, or the shared supervisor of the test's home, ``tmp_path/clone-home``
    (stopped after the test)."""
    monkeypatch.setenv("CLONE_SUPERVISOR", request.param)
    monkeypatch.setenv("CLONE_SUPERVISOR_IDLE_S", "2")
    yield request.param
    kill_supervisors(tmp_path / "clone-home")
