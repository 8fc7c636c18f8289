"""hooks.gate: the statuses a run reports, and the gate attached to only once it waits."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from hooks import gate as gates
from hooks import procfs
from hooks.errors import HookStartError
from hooks.gate import exit_status


@pytest.mark.parametrize(("code", "status"), [(0, 0), (7, 7), (-11, 139), (-9, 137)])
def test_exit_status_mapping(code: int, status: int) -> None:
    assert exit_status(code) == status


def test_the_gate_is_attached_to_once_it_sleeps_reading_its_pipe() -> None:
    read_end, write_end = os.pipe()
    gate = subprocess.Popen(["sh", "-c", "read _"], stdin=read_end)
    os.close(read_end)
    try:
        gates._wait_reading(gate.pid)
        assert Path(f"/proc/{gate.pid}/wchan").read_text().endswith("pipe_read")
    finally:
        os.write(write_end, b"\n")
        os.close(write_end)
        assert gate.wait(timeout=10) == 0


def test_a_gate_that_died_before_the_attach_is_a_hook_start_error() -> None:
    gate = subprocess.Popen(["sh", "-c", "exit 3"])
    while procfs.state(gate.pid) != "Z":
        time.sleep(0.01)
    with pytest.raises(HookStartError, match="exited before it was attached"):
        gates._wait_reading(gate.pid)
    assert gate.wait(timeout=10) == 3
