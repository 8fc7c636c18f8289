"""The runs of one CLONE_HOME instrumented by one shared supervisor, through the real
``clone host run``: by default (``CLONE_SUPERVISOR`` unset or ``auto``) and with
``CLONE_SUPERVISOR=shared``. A bad mode is bad input; a supervisor that cannot take the run
means an in-process run, never a failed one: silent by default, with a warning when shared
was asked for. A supervisor of another build is no obstacle: each build has its own."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator
from pathlib import Path

import pytest

from hooks.supervisor.reach import Place, dial, running
from tests.conftest import RunCli
from tests.hooks.programs import HostRun, host_run
from tests.hooks.supervisor.supervisors import answering, kill_supervisors


@pytest.fixture(params=["shared", "auto", None])
def shared(
    clone_home: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """A home whose runs go to its shared supervisor: asked for, ``auto`` or by default."""
    if request.param is None:
        monkeypatch.delenv("CLONE_SUPERVISOR", raising=False)
    else:
        monkeypatch.setenv("CLONE_SUPERVISOR", request.param)
    monkeypatch.setenv("CLONE_SUPERVISOR_IDLE_S", "2")
    yield clone_home
    kill_supervisors(clone_home)


def _hi(home: Path, tmp_path: Path) -> HostRun:
    """A run that writes ``hi`` to its ``--data`` path and reads it back: exit 0, ``hi``,
    the real path untouched."""
    data = tmp_path / "notes"
    data.mkdir(exist_ok=True)
    ran = host_run(home, "n", 1, [data], ["sh", "-c", f"echo hi > {data}/f; cat {data}/f"])
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "hi\n"
    assert not (data / "f").exists()
    return ran


def _warned() -> bool:
    """Whether the mode asked for says so when a run falls back in-process."""
    return os.environ.get("CLONE_SUPERVISOR") == "shared"


@pytest.mark.parametrize(
    ("mode", "idle", "says"),
    [
        ("daemon", "", "bad CLONE_SUPERVISOR 'daemon'"),
        ("Shared", "", "bad CLONE_SUPERVISOR 'Shared'"),
        ("shared", "abc", "bad CLONE_SUPERVISOR_IDLE_S 'abc'"),
        ("auto", "0", "bad CLONE_SUPERVISOR_IDLE_S '0'"),
        ("", "abc", "bad CLONE_SUPERVISOR_IDLE_S 'abc'"),  # unset: auto
        ("shared", "-5", "bad CLONE_SUPERVISOR_IDLE_S '-5'"),
        ("shared", "nan", "bad CLONE_SUPERVISOR_IDLE_S 'nan'"),
    ],
)
def test_bad_mode_is_one_line_exit_2(
    run_cli: RunCli,
    clone_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    mode: str,
    idle: str,
    says: str,
) -> None:
    monkeypatch.setenv("CLONE_SUPERVISOR", mode)
    monkeypatch.setenv("CLONE_SUPERVISOR_IDLE_S", idle)
    result = run_cli("host", "run", "--app", "a", "--clone", "1", "--data", tmp_path, "--", "true")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("clone: error: ") and says in line
    assert not clone_home.exists()  # nothing registered, no supervisor started, no home made


def test_clones_run_through_one_supervisor_each_as_itself(shared: Path, tmp_path: Path) -> None:
    data = tmp_path / "notes"
    data.mkdir()
    script = f'cat /etc/machine-id; echo "$0" > {data}/who; sh -c "cat {data}/who"; exit 5'
    argv = ["sh", "-c", script]
    runs = {k: host_run(shared, "notes", k, [data], [*argv, f"clone-{k}"]) for k in (1, 2)}
    for k, ran in runs.items():
        assert ran.returncode == 5, ran.stderr
        machine_id = (shared / "store" / "host" / "notes" / str(k) / "machine-id").read_text()
        assert ran.stdout.splitlines() == [machine_id.strip(), f"clone-{k}"]
        assert (shared / "store" / "host" / "notes" / str(k) / "data" / "0" / "who").exists()
    assert not (data / "who").exists()
    assert len(running(shared)) == 1
    assert (Place.of(shared).log).read_text().count("serving") == 1


def test_a_supervisor_that_cannot_take_the_run_means_an_in_process_run(
    shared: Path, tmp_path: Path
) -> None:
    # one of another build at this build's socket (a race: each build has its own socket)
    answerer = answering(Place.of(shared), "mismatch", "some other build")
    ran = _hi(shared, tmp_path)
    answerer.join(10)
    assert running(shared) == []
    if not _warned():
        assert ran.stderr == ""  # by default the fallback is silent
        return
    (warning,) = ran.stderr.splitlines()
    assert warning.startswith("clone: warning: ")
    assert "another build" in warning and "in-process" in warning


def test_a_supervisor_of_another_build_is_left_alone(shared: Path, tmp_path: Path) -> None:
    # left from before an upgrade: it has a socket of its own, this build starts its own
    other = Place.of(shared, "0" * 32)
    answerer = answering(other, "mismatch", "0" * 32)
    assert _hi(shared, tmp_path).stderr == ""
    assert len(running(shared)) == 1  # this build's, which took the run
    assert answerer.is_alive() and other.socket.exists()  # never asked
    assert other.socket != Place.of(shared).socket
    channel = dial(other)  # lets the stand-in go
    channel.send("hello", {"build": "0" * 32})
    assert channel.receive(10) == ("mismatch", "0" * 32)
    channel.close()
    answerer.join(10)


def test_in_process_runs_start_no_supervisor(
    clone_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLONE_SUPERVISOR", "in-process")
    monkeypatch.setenv("CLONE_SUPERVISOR_IDLE_S", "abc")  # not read: no supervisor to start
    assert _hi(clone_home, tmp_path).stderr == ""
    assert not (clone_home / "run").exists()
    assert running(clone_home) == []


_KNOCK = """
import ctypes, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
for directory in sys.argv[2:]:  # by the short name from the socket's directory (sun_path)
    # chdir by a raw system call: past the hooks (which deny $CLONE_HOME), to the kernel
    if libc.syscall(80, directory.encode()) != 0:  # SYS_chdir on x86_64
        print("refused", ctypes.get_errno())
        continue
    try:
        socket.socket(socket.AF_UNIX).connect(sys.argv[1])
        print("reached", directory)
    except OSError as e:
        print("refused", e.errno)
"""


@pytest.mark.skipif(platform.machine() != "x86_64", reason="SYS_chdir is 80 on x86_64 only")
def test_a_program_of_a_shared_run_cannot_reach_the_supervisor(
    shared: Path, tmp_path: Path
) -> None:
    # the kernel boundary hides $CLONE_HOME: past the hooks, the kernel finds nothing there
    data = tmp_path / "notes"
    data.mkdir()
    sock = Place.of(shared).socket
    directory = str(sock.parent)
    argv = ["/usr/bin/python3", "-c", _KNOCK, sock.name, directory, f"/proc/self/root{directory}"]
    ran = host_run(shared, "n", 1, [data], argv)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["refused 2", "refused 2"]  # ENOENT: not there at all
    assert sock.exists() and len(running(shared)) == 1  # it is there, outside the run
