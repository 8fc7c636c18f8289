"""Opt-in test on a real phone or emulator (``CLONE_TEST_DEVICE=SERIAL``): the process list
is read on any Android version (toybox ``ps`` on 8+, toolbox ``ps`` on 7 and earlier).
Skipped when no device is named."""

from __future__ import annotations

import pytest

from device import processes
from tests.on_device import helpers

pytestmark = [pytest.mark.device]


def test_process_list_names_the_system_server(clone_device: str) -> None:
    dev = helpers.device(clone_device)
    procs = processes.processes(dev)
    assert any(p.name == "system_server" for p in procs), "system_server not in the list"
    assert any(p.pid == 1 for p in procs), "init (pid 1) not in the list"
