"""device.frida_spawn.spawn_on, the virtual backend's spawn → agent → policy → resume, on
this machine's local Frida device with a real Linux program (no phone: on a device the same
sequence runs through frida-server, which the opt-in device tests cover)."""

from __future__ import annotations

import contextlib
import os
import select
from pathlib import Path

import pytest

from device.errors import DeviceCommandFailed
from device.frida_spawn import spawn_on
from hooks.agent_bundle import agent_source
from hooks.errors import PolicyError
from tests.hooks.agent_fixtures import fsops_binary, make_layout


@pytest.fixture(scope="module")
def fsops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fsops_binary(tmp_path_factory)


def _wait_gone(pid: int, timeout: float = 30.0) -> None:
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return  # gone and reaped already
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        assert poller.poll(int(timeout * 1000)), f"process {pid} still runs after {timeout} s"
    finally:
        os.close(pidfd)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)  # reap it if it is ours


def _running(program: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(program).encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_spawned_program_runs_under_the_policy_after_we_let_go(tmp_path: Path, fsops: Path) -> None:
    import frida

    layout = make_layout(tmp_path)
    login = layout.data / "login.txt"
    argv = [str(fsops), "write", str(login), "alice", ":", "read", str(layout.other / "secret.txt")]
    pid = spawn_on(frida.get_local_device(), argv, agent_source(), layout.policy())
    _wait_gone(pid)
    assert (layout.store / "login.txt").read_text() == "alice"  # redirected into the store
    assert not login.exists()  # the real data dir is untouched
    assert (layout.other / "secret.txt").read_text() == "clone 2's login\n"


def test_refused_policy_kills_the_spawned_program(tmp_path: Path, fsops: Path) -> None:
    import frida

    layout = make_layout(tmp_path)
    program = tmp_path / "fsops-refused"
    program.write_bytes(fsops.read_bytes())
    program.chmod(0o755)
    bad = {**layout.policy(), "redirects": [{"virtual": "relative/path", "real": "/x"}]}
    argv = [str(program), "write", str(layout.data / "login.txt"), "alice"]
    with pytest.raises(PolicyError, match="relative/path"):
        spawn_on(frida.get_local_device(), argv, agent_source(), bad)
    for pid in _running(program):
        _wait_gone(pid, 10.0)  # killed: gone without having run
    assert not (layout.data / "login.txt").exists()
    assert not (layout.store / "login.txt").exists()


def test_missing_program_is_a_device_command_failure(tmp_path: Path) -> None:
    import frida

    with pytest.raises(DeviceCommandFailed, match="no-such-program"):
        spawn_on(frida.get_local_device(), [str(tmp_path / "no-such-program")], "", {})
