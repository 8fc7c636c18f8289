"""Fixtures of the hook tests: the fsops program (built once) and a clone layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hooks.agent_fixtures import Layout, fsops_binary, make_layout


@pytest.fixture(scope="session")
def fsops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/hooks/programs/fsops.c, compiled: runs file operations, prints each result."""
    return fsops_binary(tmp_path_factory)


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    """Clone 1's data, its store and clone 2's store under ``tmp_path``."""
    return make_layout(tmp_path)
