"""A process of a host run never goes on without its policy (hooks/agent/src/host.ts): when
the host that loaded the agent dies, Frida unloads the agent, and the agent kills the process
first; while the host lives, an unload leaves the process alone. Real processes, the real
agent, and a real ``clone host run`` killed with SIGKILL or stopped with SIGTERM."""

from __future__ import annotations

import contextlib
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hooks import procfs
from hooks.agent_bundle import agent_source
from hooks.errors import PolicyError
from hooks.rpc import AgentRpc
from hooks.session import attach
from tests.hooks.agent_fixtures import Layout, sleeping_process

CLONE = Path(sys.executable).with_name("clone")


def _host(pid: int) -> dict[str, int]:
    start = procfs.start_ticks(pid)
    assert start is not None
    return {"pid": pid, "start": start}


@pytest.fixture
def gone_host() -> dict[str, int]:
    """A process that has exited and been reaped, as a host."""
    child = subprocess.Popen(["sleep", "0.2"])
    host = _host(child.pid)
    child.wait()
    return host


def _unload_with(layout: Layout, host: Any) -> Iterator[int]:
    """A sleeping process with the agent initialised with ``host``; yields its pid once the
    session (and with it the agent) is gone, as when a host dies."""
    with sleeping_process(60) as (pid, session):
        script = session.create_script(agent_source())
        script.load()
        AgentRpc(script).init({**layout.policy(), "host": host})
        session.detach()
        yield pid


def _dies(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while procfs.alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_an_unload_while_the_host_lives_leaves_the_process_alone(layout: Layout) -> None:
    for pid in _unload_with(layout, _host(os.getpid())):
        assert not _dies(pid, within=1.0)


def test_an_unload_after_the_host_died_kills_the_process(
    layout: Layout, gone_host: dict[str, int]
) -> None:
    for pid in _unload_with(layout, gone_host):
        assert _dies(pid)


def test_a_host_pid_now_another_process_counts_as_gone(layout: Layout) -> None:
    reused = {**_host(os.getpid()), "start": _host(os.getpid())["start"] - 1}
    for pid in _unload_with(layout, reused):
        assert _dies(pid)


def _started_under(layout: Layout, host: Any, *, keep: bool, spawn: bool = False) -> Path:
    """Runs a shell spawned suspended, as a run hands a process over, with the agent in it
    initialised with ``host`` (the session stays: only the host is gone, or not), until it
    exits; it starts a program that writes a file (the path returned): with ``exec``, or
    (``spawn``) in children, through ``env``, then directly. (Loaded into a shell that
    already runs, blocked in a read, the agent crashes it now and then when it goes on: a
    case no run makes, left alone here.)"""
    import frida

    ran = layout.root / "ran"
    start = f"/bin/sh -c 'echo x > {ran}'"
    line = f"env {start}; {start}" if spawn else f"exec {start}"
    device = frida.get_local_device()
    pid = device.spawn(["/bin/sh", "-c", line])
    try:
        session = attach(device, pid)
        script = session.create_script(agent_source())
        script.load()
        policy = {**layout.policy(), "host": host}
        AgentRpc(script).init({**policy, "keep": True} if keep else policy)
        device.resume(pid)
        assert _dies(pid, within=30)
        with contextlib.suppress(frida.InvalidOperationError):
            session.detach()
    finally:
        with contextlib.suppress(frida.ProcessNotFoundError, frida.InvalidOperationError):
            device.kill(pid)
    return ran


@pytest.mark.parametrize("keep", [True, False])
def test_a_process_whose_host_died_starts_no_program(
    layout: Layout, gone_host: dict[str, int], keep: bool
) -> None:
    """The agent of a process whose host is gone, still loaded (an eternal agent outlives its
    session until its watch on the host ends it: host.ts, every 200 ms), refuses its exec
    (EPERM): the program would have run without an agent."""
    assert not _started_under(layout, gone_host, keep=keep).exists()


def test_a_process_whose_host_lives_starts_its_program(layout: Layout) -> None:
    assert _started_under(layout, _host(os.getpid()), keep=True).read_text() == "x\n"


def test_every_child_of_a_process_whose_host_died_is_refused_its_program(
    layout: Layout, gone_host: dict[str, int]
) -> None:
    """The shell starts ``env`` in a vfork child, on the agent it shares: refused; and again
    for the next command (a child that died inside the exec replacement once left the
    parent's thread marked as inside it, and the next child's exec went through unchecked:
    redirect.c, host_refuses)."""
    assert not _started_under(layout, gone_host, keep=True, spawn=True).exists()


@pytest.mark.parametrize("host", ["me", {"pid": 0, "start": 1}, {"pid": 5}])
def test_a_bad_host_is_a_policy_error(layout: Layout, host: Any) -> None:
    with sleeping_process(60) as (_, session):
        script = session.create_script(agent_source())
        script.load()
        with pytest.raises(PolicyError, match="host: expected"):
            AgentRpc(script).init({**layout.policy(), "host": host})


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The app's real data directory (empty: it must stay so)."""
    real = tmp_path / "data"
    real.mkdir()
    return real


def _store(tmp_path: Path) -> Path:
    return tmp_path / "clone-home" / "store" / "host" / "notes" / "1" / "data" / "0"


def _host_run(
    data: Path,
    tmp_path: Path,
    setup: str,
    script: str,
    *,
    new_session: bool = False,
) -> subprocess.Popen[bytes]:
    """``clone host run`` of ``sh -c "setup; script"`` as a clone whose data is ``data``,
    returned once the program has run ``setup`` (it then writes ``started``, into the
    store); its stderr goes to ``tmp_path/stderr``. ``new_session``: in a process group of
    its own, as a terminal's foreground job is."""
    argv: list[str | Path] = [
        CLONE,
        "host",
        "run",
        "--app",
        "notes",
        "--clone",
        "1",
        "--data",
        data,
    ]
    env = {**os.environ, "CLONE_HOME": str(tmp_path / "clone-home")}
    with (tmp_path / "stderr").open("wb") as stderr:
        ran = subprocess.Popen(
            [*argv, "--", "sh", "-c", f"{setup}; echo > {data}/started; {script}"],
            env=env,
            stderr=stderr,
            start_new_session=new_session,
        )
    deadline = time.monotonic() + 30
    while not (_store(tmp_path) / "started").exists():
        assert ran.poll() is None and time.monotonic() < deadline, "the program did not start"
        time.sleep(0.02)
    return ran


@pytest.mark.slow
def test_killing_clone_host_run_kills_the_program_not_the_policy(
    data: Path, tmp_path: Path, supervisor: str
) -> None:
    """Before: the program went on unhooked and wrote into the real data directory. Now it
    never writes there: killed by its agent's watch on the host (host.ts, watchHost), and
    meanwhile refused, by its hooks, every program it starts."""
    job = f"sleep 1; echo x > {data}/late; sh -c 'echo y > {data}/x'; sleep 60"
    ran = _host_run(data, tmp_path, ":", job)
    ran.kill()
    ran.wait()
    deadline = time.monotonic() + 20
    while _running_with(str(data)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running_with(str(data))
    assert sorted(p.name for p in data.iterdir()) == []


@pytest.mark.slow
def test_killing_clone_host_run_kills_a_fork_child_that_runs_on_its_parents_agent(
    data: Path, tmp_path: Path, supervisor: str
) -> None:
    """A subshell is a fork that never execs: it runs on the agent it inherits, which is
    eternal (hooks/session.py) and so never unloaded. The agent's watch on the host, a timer
    the fork child inherits with it (host.ts, watchHost), kills it when the host is gone;
    without it the subshell would wait on its pipe for ever. (With a shared supervisor, the
    supervisor kills the run of a client that is gone.)"""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    ran = _host_run(data, tmp_path, ":", f"(read _ <> {fifo}; echo x > {data}/late)")
    deadline = time.monotonic() + 20
    # the subshell (started last of the two) resumed, so done with: waiting on the fifo
    while "pipe" not in _wchan(max(_running_with(str(data)), key=_started, default=0)):
        assert time.monotonic() < deadline, "the subshell did not start"
        time.sleep(0.05)
    ran.kill()
    ran.wait()
    while _running_with(str(data)) and time.monotonic() < deadline + 20:
        time.sleep(0.05)
    assert not _running_with(str(data))
    assert sorted(p.name for p in data.iterdir()) == []


@pytest.mark.slow
def test_sigterm_reaches_the_program_and_what_it_started(
    data: Path, tmp_path: Path, supervisor: str
) -> None:
    trap = f"trap 'echo term > {data}/t; exit 5' TERM"
    ran = _host_run(data, tmp_path, trap, "sleep 60 & wait")
    ran.send_signal(signal.SIGTERM)
    assert ran.wait(timeout=30) == 5  # the program's status: it ran its trap
    assert (_store(tmp_path) / "t").read_text() == "term\n"  # under its policy
    assert sorted(p.name for p in data.iterdir()) == []
    assert (tmp_path / "stderr").read_text() == ""


@pytest.mark.slow
def test_sigterm_while_children_are_handed_over_ends_the_run_as_the_program_does(
    tmp_path: Path, supervisor: str
) -> None:
    """SIGTERM while the program starts child after child, so that some are in Frida's
    hands: a fork not resumed yet, an exec being gated under ptrace. Before, those were
    signalled too and died half instrumented (exit 125, "a process of the program lost its
    policy") in every run tried. Now each gets the signal once Frida lets it go
    (hooks/session.py, signal_all). Eight children: with thirty, Frida's own fork hand-over
    froze now and then (parent and child held under ptrace for ever, with no signal sent to
    either), which is not what this test is about. With eight it still did once in a CI run
    (6 Dec: "held by Frida for 30 s (a hand-over that froze)", exit 125, which is how a run
    ends then): the suite runs a test that a freeze failed once more (pyproject.toml), and
    the assertion's message carries that line."""
    data = tmp_path / "data"
    data.mkdir()
    status = _sigterm_while_handing_over(data, tmp_path)
    stderr = (tmp_path / "stderr").read_text()
    assert status == 5, stderr
    assert stderr == ""
    assert (_store(tmp_path) / "t").read_text() == "term\n"
    assert sorted(p.name for p in data.iterdir()) == []


def _sigterm_while_handing_over(data: Path, tmp_path: Path) -> int:
    """The run's status after SIGTERM while its program starts eight children."""
    trap = f"trap 'echo term > {data}/t; exit 5' TERM"
    loop = "i=0; while [ $i -lt 8 ]; do sleep 60 & i=$((i+1)); done; wait"
    ran = _host_run(data, tmp_path, trap, loop, new_session=True)
    time.sleep(0.2)  # a few children in
    ran.send_signal(signal.SIGTERM)
    try:
        # the run ends once every process has: a sleep left out would keep it 60 s
        return ran.wait(timeout=45)
    finally:
        if ran.poll() is None:
            os.killpg(ran.pid, signal.SIGKILL)
            ran.wait()


@pytest.mark.slow
def test_ctrl_c_lets_the_program_clean_up_under_its_policy(
    data: Path, tmp_path: Path, supervisor: str
) -> None:
    """Ctrl-C (SIGINT to the terminal's process group): the program's handler starts a
    child, which is still gated and writes into the store; then clone stops (130). Before,
    clone let go at once: the child was lost and clone crashed on its way out."""
    trap = f"trap 'sh -c \"echo bye > {data}/bye\"; exit 3' INT"
    ran = _host_run(data, tmp_path, trap, "sleep 60", new_session=True)
    _wait_until_asleep()  # instrumented, resumed, asleep
    time.sleep(0.5)  # and Frida done with it (see _wait_until_asleep)
    os.killpg(ran.pid, signal.SIGINT)
    try:
        assert ran.wait(timeout=60) == 130
    finally:
        if ran.poll() is None:  # a hang fails above; this only reaps what was left
            os.killpg(ran.pid, signal.SIGKILL)
            ran.wait()
    assert (_store(tmp_path) / "bye").read_text() == "bye\n"
    assert sorted(p.name for p in data.iterdir()) == []


def _wait_until_asleep(timeout: float = 30.0) -> None:
    """Waits until the ``sleep`` of the run sleeps in the kernel: Ctrl-C comes at a human
    time, not while Frida is still busy with the new process. (Under load, a SIGINT that
    lands right as the sleep is handed over has left it a zombie its shell could not reap,
    and the run hung: a race in the hand-over, left open, not what this test is about.)"""
    deadline = time.monotonic() + timeout
    while True:
        pids = _running_with("sleep\x0060\x00")
        if any("nanosleep" in _wchan(pid) for pid in pids):
            return
        assert time.monotonic() < deadline, "the program's sleep did not start"
        time.sleep(0.05)


def _started(pid: int) -> int:
    return procfs.start_ticks(pid) or 0


def _wchan(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return ""


def _running_with(text: str) -> list[int]:
    """Live processes whose command line holds ``text``."""
    found = []
    for pid in procfs.pids():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if text.encode() in cmdline and procfs.alive(pid):
            found.append(pid)
    return found


@pytest.mark.slow
def test_job_control_works_on_the_terminal_clone_was_started_on(
    data: Path, tmp_path: Path, supervisor: str
) -> None:
    """The program is ``clone``'s child on ``clone``'s terminal, in both modes: an
    interactive shell gets job control (``fg`` needs the terminal's foreground group)."""
    script = "sleep 0.2 & fg >/dev/null && echo fg-done; tty; exit 4"
    argv = [str(CLONE), "host", "run", "--app", "notes", "--clone", "1", "--data", str(data),
            "--", "bash", "--norc", "-i", "-c", script]  # fmt: skip
    env = {**os.environ, "CLONE_HOME": str(tmp_path / "clone-home")}
    pid, terminal = pty.fork()
    if pid == 0:  # the child: on the new terminal, as a login's shell is
        os.execve(argv[0], argv, env)
    seen = b""
    with contextlib.suppress(OSError):  # EIO once every holder of the terminal has gone
        while chunk := os.read(terminal, 4096):
            seen += chunk
    os.close(terminal)
    _, status = os.waitpid(pid, 0)
    text = seen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 4, text
    assert "no job control" not in text
    assert "fg-done" in text and "/dev/pts/" in text, text
