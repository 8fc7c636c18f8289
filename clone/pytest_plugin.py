"""The pytest plugin (entry point ``pytest11``): the ``clone_space`` fixture for QA tests.

``clone_space`` is a ``Space`` in a fresh temporary ``CLONE_HOME``; device tests pick their
phone from ``--clone-device SERIAL`` or ``$CLONE_TEST_DEVICE``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from clone.space import Space


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("clonespace")
    group.addoption(
        "--clone-device",
        default=None,
        help="serial of the phone or emulator for device tests (or $CLONE_TEST_DEVICE)",
    )


@pytest.fixture
def clone_device(request: pytest.FixtureRequest) -> str:
    """The serial of the device under test; skips the test when none is named."""
    serial = request.config.getoption("--clone-device") or os.environ.get("CLONE_TEST_DEVICE")
    if not serial:
        pytest.skip("no device: set CLONE_TEST_DEVICE or pass --clone-device SERIAL")
    return str(serial)


@pytest.fixture
def clone_space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Space]:
    """A Space in a fresh temporary CLONE_HOME."""
    home = tmp_path_factory.mktemp("clone-home")
    space = Space(home=home)
    try:
        yield space
    finally:
        space.close()
