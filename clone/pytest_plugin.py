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
    """A Space in a fresh temporary CLONE_HOME; every clone it holds is removed afterwards
    (uninstalled from its device, its store deleted). A removal that fails is a test error."""
    home = tmp_path_factory.mktemp("clone-home")
    space = Space(home=home)
    try:
        yield space
        remove_all(space)
    finally:
        space.close()


def remove_all(space: Space) -> None:
    """Remove every clone of ``space``; raise naming those that could not be removed."""
    failed = []
    for record in space.records():
        try:
            space.get(record.name).remove()
        except Exception as e:  # every clone gets its turn; the failures are reported below
            failed.append(f"{record.name}: {e}")
    if failed:
        raise RuntimeError("clone_space could not remove: " + "; ".join(failed))
