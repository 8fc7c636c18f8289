"""Fixtures for the launcher tests: a Space in a fresh CLONE_HOME, and the adb servers of
tests/device (Debian's real one with no device, and the FAKE one, labelled as such)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clone.space import Space
from tests.device.conftest import fake_adb, fake_phone, real_adb_server

__all__ = ["fake_adb", "fake_phone", "real_adb_server"]


@pytest.fixture
def space(tmp_path: Path) -> Iterator[Space]:
    """A Space in a fresh CLONE_HOME, closed afterwards. Unlike the plugin's ``clone_space``
    it does not remove its clones at the end (their device may be gone by then)."""
    with Space(home=tmp_path / "home") as s:
        yield s
