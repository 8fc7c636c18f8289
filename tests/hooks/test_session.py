"""hooks.session: ``attach`` retries Frida's transient injection failures while the process
lives, and every Frida error reaches callers as HookStartError; ``AgentSessions`` keeps a
run going while any of its processes lives, and kills one Frida never hands over.

The retry tests use a stand-in device object (only ``attach`` is called) because Frida's
failures cannot be provoked on demand; the others attach for real."""

from __future__ import annotations

import ctypes
import gc
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import frida
import pytest

from hooks import procfs
from hooks.agent_bundle import AgentCode, built_agent
from hooks.errors import HandOverFroze, HookStartError
from hooks.rpc import AgentRpc
from hooks.runner import local_device, run
from hooks.session import AgentSessions, attach, frida_errors, held_by_frida, overdue
from tests.hooks.agent_fixtures import (
    Layout,
    asleep,
    make_layout,
    sleeping_process,
    wait_asleep,
)


class _FlakyDevice:
    """Raises the given errors from ``attach`` in turn, then returns a marker."""

    def __init__(self, *errors: Exception) -> None:
        self._errors = list(errors)
        self.calls = 0

    def attach(self, pid: int) -> str:
        self.calls += 1
        if self._errors:
            raise self._errors.pop(0)
        return f"session on {pid}"

    @property
    def as_device(self) -> frida.Device:
        return cast("frida.Device", self)


@pytest.fixture
def dead_pid() -> Iterator[int]:
    """A pid that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    yield child.pid


@pytest.mark.parametrize(
    "error",
    [
        frida.ProcessNotRespondingError("refused to load frida-agent, or terminated"),
        frida.TimedOutError("unexpectedly timed out while waiting for signal"),
        frida.NotSupportedError("loader crashed"),
    ],
    ids=["not-responding", "timed-out", "loader-crashed"],
)
def test_transient_failures_on_a_live_process_are_retried(error: Exception) -> None:
    device = _FlakyDevice(error)
    session: object = attach(device.as_device, os.getpid())
    assert session == f"session on {os.getpid()}"
    assert device.calls == 2


def test_a_transient_failure_that_persists_is_a_hook_start_error() -> None:
    device = _FlakyDevice(*(frida.TimedOutError("timed out") for _ in range(5)))
    with pytest.raises(HookStartError, match="cannot attach to process"):
        attach(device.as_device, os.getpid())
    assert device.calls == 3


def test_a_process_gone_is_not_retried(dead_pid: int) -> None:
    device = _FlakyDevice(frida.ProcessNotRespondingError("terminated during injection"))
    with pytest.raises(HookStartError, match=str(dead_pid)):
        attach(device.as_device, dead_pid)
    assert device.calls == 1


def test_lasting_errors_are_not_retried() -> None:
    device = _FlakyDevice(frida.PermissionDeniedError("unable to access process"))
    with pytest.raises(HookStartError, match="unable to access process"):
        attach(device.as_device, os.getpid())
    assert device.calls == 1


def test_frida_errors_are_every_error_frida_raises() -> None:
    errors = frida_errors()
    assert frida.ProcessNotRespondingError in errors
    assert frida.TransportError in errors
    assert all(issubclass(error, Exception) for error in errors)
    assert frida.RPCException not in errors  # raised by the agent's own code, not by Frida


def test_attaching_to_a_reaped_process_for_real_is_a_hook_start_error(dead_pid: int) -> None:
    with pytest.raises(HookStartError, match=f"cannot attach to process {dead_pid}"):
        attach(frida.get_local_device(), dead_pid)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[AgentSessions]:
    started = AgentSessions(local_device(), built_agent(), make_layout(tmp_path).policy())
    yield started
    started.close()


@pytest.fixture(name="asleep")
def asleep_fixture() -> Iterator[subprocess.Popen[bytes]]:
    """A ``sleep`` done starting (Frida's injector is reliable on those)."""
    with asleep() as process:
        yield process


def test_a_run_lasts_while_an_instrumented_process_lives(
    sessions: AgentSessions, asleep: subprocess.Popen[bytes]
) -> None:
    since = procfs.start_ticks(asleep.pid)
    assert since is not None
    sessions.instrument(asleep.pid)
    threading.Timer(0.5, asleep.kill).start()
    sessions.wait_all_exited(since, handover_limit=30)
    # returned only once it was gone (dead; maybe reaped already, by Popen or not)
    assert procfs.start_ticks(asleep.pid, alive_only=True) != since
    assert sessions.failures == []


def test_a_process_frida_never_hands_over_is_killed(
    sessions: AgentSessions, asleep: subprocess.Popen[bytes]
) -> None:
    """A process carrying the agent this process injects, started during the run and never
    instrumented, is what a fork Frida has not reported yet looks like."""
    since = procfs.start_ticks(asleep.pid)
    assert since is not None
    sessions.gate(asleep.pid)
    with sleeping_process() as (stray, _):
        asleep.kill()
        sessions.wait_all_exited(since, handover_limit=0.5)
        assert not procfs.alive(stray)
    assert [str(stray) in str(failure) for failure in sessions.failures] == [True]


_PTRACE_ATTACH = 16


def test_a_process_held_under_ptrace_from_here_too_long_is_killed(
    sessions: AgentSessions, asleep: subprocess.Popen[bytes]
) -> None:
    """Frida's fork hand-over now and then freezes, holding parent and child under ptrace
    (its injector runs in this process) for ever; the run waited on them for ever. Here this
    process itself stops a handed-over process with PTRACE_ATTACH and keeps it."""
    since = procfs.start_ticks(asleep.pid)
    assert since is not None
    sessions.gate(asleep.pid)
    assert not held_by_frida(asleep.pid)
    assert sessions.kill_unfollowed(since, handover_limit=0.5) == []
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.ptrace(_PTRACE_ATTACH, asleep.pid, None, None) == 0, ctypes.get_errno()
    assert held_by_frida(asleep.pid)
    assert sessions.kill_unfollowed(since, handover_limit=0.5) == [asleep.pid]  # seen
    assert procfs.alive(asleep.pid)  # (Popen would take its ptrace stop for an exit)
    time.sleep(0.6)
    sessions.kill_unfollowed(since, handover_limit=0.5)
    _, status = os.waitpid(asleep.pid, 0)
    assert os.waitstatus_to_exitcode(status) == -9
    assert [str(f) for f in sessions.failures] == [
        f"process {asleep.pid} (sleep) was held by Frida for 0 s (a hand-over that froze): killed"
    ]
    assert [type(f) for f in sessions.failures] == [HandOverFroze]


def test_a_process_not_reported_yet_but_held_under_ptrace_from_here_froze(
    sessions: AgentSessions, asleep: subprocess.Popen[bytes]
) -> None:
    """Frida re-creates a fork child's agent thread under ptrace before it reports the child,
    and that is where its hand-over freezes (seen 7 Dec: the child held, its agent's threads
    spinning). Such a process is a hand-over that froze, not a raw clone's child, and the
    failure says so, by name, although killing it reaps it (it is not this process's child,
    as a fork of the program is not: this process, its tracer, waits for it). Here the stray
    is a ``sleep`` a shell started, carrying the agent from a session of its own that this
    run never saw, and this process holds it with PTRACE_ATTACH."""
    since = procfs.start_ticks(asleep.pid)
    assert since is not None
    sessions.gate(asleep.pid)
    script = "sleep 120 & echo $!; wait"
    with subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, text=True) as shell:
        try:
            assert shell.stdout is not None
            stray = int(shell.stdout.readline())
            wait_asleep(stray)
            attach(frida.get_local_device(), stray)  # the agent it carries
            libc = ctypes.CDLL(None, use_errno=True)
            assert libc.ptrace(_PTRACE_ATTACH, stray, None, None) == 0, ctypes.get_errno()
            asleep.kill()
            sessions.wait_all_exited(since, handover_limit=0.5)
            assert not procfs.alive(stray)
            assert shell.wait(timeout=10) == 0  # reaped: its parent was not left waiting
        finally:
            shell.kill()
    assert [str(f) for f in sessions.failures] == [
        f"process {stray} (sleep) was held by Frida for 0 s (a hand-over that froze): killed"
    ]
    assert [type(f) for f in sessions.failures] == [HandOverFroze]


def test_a_process_that_waits_again_later_counts_from_then() -> None:
    """Before, the first wait was kept: a process seen waiting at its fork, then handed over,
    counted as overdue at once if seen again waiting for its exec's hand-over 30 s later."""
    first_seen: dict[int, float] = {}
    assert overdue(first_seen, [7], now=0.0, limit=30) == []
    assert overdue(first_seen, [7, 8], now=10.0, limit=30) == []
    assert overdue(first_seen, [8], now=20.0, limit=30) == []  # 7 handed over
    assert overdue(first_seen, [7, 8], now=60.0, limit=30) == [8]  # 7 waits anew
    assert overdue(first_seen, [7], now=89.0, limit=30) == []
    assert overdue(first_seen, [7], now=90.0, limit=30) == [7]


# forks twice; each child (no exec) creates a file in the data path (sys.argv[1])
_FORKS = """
import os, sys
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        open(os.path.join(sys.argv[1], f"from-{os.getpid()}"), "w").close()
        os._exit(0)
    os.waitpid(pid, 0)
"""


@pytest.mark.parametrize("trace", [False, True])
def test_a_fork_child_keeps_the_agent_it_inherits_unless_the_run_is_traced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trace: bool
) -> None:
    """Untraced, the program's agent is eternal and its fork children run on the copy they
    inherit (only the program is instrumented); traced, each child gets an agent of its own
    (an eternal script sends nothing), whose events are reported. Either way the children's
    files land in the store, by the hooks alone (no kernel boundary here)."""
    layout = make_layout(tmp_path)
    instrumented: list[int] = []
    real = AgentSessions.instrument

    def instrument(self: AgentSessions, pid: int) -> AgentRpc:
        instrumented.append(pid)
        return real(self, pid)

    monkeypatch.setattr(AgentSessions, "instrument", instrument)
    events: list[dict[str, Any]] = []
    argv = [sys.executable, "-I", "-c", _FORKS, str(layout.data)]
    assert run(argv, layout.policy(trace=trace), on_event=events.append) == 0
    made = sorted(p.name for p in layout.store.glob("from-*"))
    assert len(made) == 2
    assert list(layout.data.glob("from-*")) == []
    assert len(instrumented) == (3 if trace else 1)
    redirected = {Path(e["path"]).name for e in events if e.get("type") == "redirect"}
    assert (set(made) <= redirected) is trace


class _Device:
    """Enough of a device for AgentSessions to be made (no child is ever reported)."""

    def on(self, signal: str, callback: object) -> None:
        pass


class _PlanFails:
    """An agent's RPC whose prologue plan cannot be had (the process went away meanwhile)."""

    def prologue_plan(self) -> dict[str, Any] | None:
        raise frida.RPCException("script is destroyed")


def test_a_plan_that_cannot_be_had_is_no_failure_of_the_process(tmp_path: Path) -> None:
    """The plan only saves later processes time: asking for it may fail, the process goes on
    (its child is not killed for it), and the run has no plan."""
    code = AgentCode(cache_dir=tmp_path)
    sessions = AgentSessions(cast(frida.Device, _Device()), code, make_layout(tmp_path).policy())
    sessions._learn_plan(cast(AgentRpc, _PlanFails()))
    assert code.prologue_plans() == []
    assert sessions.failures == []


def test_a_finished_run_leaves_no_sessions_alive(layout: Layout) -> None:
    # Frida's objects hold their handlers out of the garbage collector's sight: a handler
    # leading back to its run kept the run for good (the shared supervisor serves many),
    # and so did frida-python's Script, through the handlers it connects to itself
    def alive() -> set[int]:
        gc.collect()
        kinds = (AgentSessions, frida.core.Script, frida.core.Session)
        return {id(o) for o in gc.get_objects() if isinstance(o, kinds)}

    before = alive()
    script = "cat /etc/hostname >/dev/null; (true) & wait"
    assert run(["/bin/sh", "-c", script], layout.policy()) == 0
    assert alive() - before == set()
